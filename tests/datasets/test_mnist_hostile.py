"""Damaged and hostile MNIST files: every one is refused with the library's error naming the
file, before memory is spent; pixels that are not pixels (NaN, out of range) are refused too."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile

import numpy as np
import pytest

from tinygrad_fr.datasets import (
    FileFormatError,
    FileTooLargeError,
    load_mnist,
    read_idx,
    write_idx,
)


def write_npz(path, arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [("x_train", np.nan, "include NaN or infinity (the first at image 3, row 4, column 5: nan)"),
     ("x_train", np.inf, "include NaN or infinity"),
     ("x_train", 300.0, "range over [0.0, 300.0], neither 0-255 nor [0, 1]"),
     ("x_train", -1.0, "range over [-1.0"),
     ("y_train", np.nan, "labels in"),
     ("y_train", 2.5, "are not whole numbers (e.g. 2.5)")],
    ids=["nan", "inf", "above 255", "negative", "nan label", "fractional label"],
)  # fmt: skip
def test_values_that_are_not_pixels_or_labels_are_refused(
    tmp_path, tiny_mnist, key, value, problem
):
    arrays = {name: array.astype(np.float64) for name, array in tiny_mnist.items()}
    arrays[key][(3, 4, 5) if key == "x_train" else 3] = value
    path = write_npz(tmp_path / "mnist.npz", arrays)
    with pytest.raises(FileFormatError) as info:
        load_mnist(path)
    assert str(path) in str(info.value) and problem in str(info.value), str(info.value)


@pytest.mark.parametrize("kind", ["complex", "bool labels"])
def test_arrays_of_other_dtypes_are_refused(tmp_path, tiny_mnist, kind):
    arrays = dict(tiny_mnist)
    if kind == "complex":
        arrays["x_test"] = arrays["x_test"] + 0j
    else:
        arrays["y_test"] = arrays["y_test"] > 4
    with pytest.raises(FileFormatError, match=r"not real numbers|not numbers"):
        load_mnist(write_npz(tmp_path / "mnist.npz", arrays))


@pytest.mark.parametrize("cut", [0, 30, 1000, -100, -1])
def test_a_truncated_npz_is_refused_by_name(tmp_path, tiny_mnist, cut):
    path = write_npz(tmp_path / "mnist.npz", tiny_mnist)
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(FileFormatError, match=r"load_mnist: .*mnist\.npz' is damaged or truncated"):
        load_mnist(path)


def test_an_npz_member_of_objects_is_refused_without_unpickling(tmp_path, tiny_mnist):
    arrays = dict(tiny_mnist, y_test=np.array([object()] * 5, dtype=object))
    path = tmp_path / "mnist.npz"
    np.savez(path, allow_pickle=True, **arrays)
    with pytest.raises(FileFormatError, match="pickled Python objects"):
        load_mnist(path)


def test_an_npz_declaring_more_than_max_bytes_is_refused_before_reading(tmp_path, tiny_mnist):
    path = write_npz(tmp_path / "mnist.npz", tiny_mnist)
    with pytest.raises(FileTooLargeError, match=r"load_mnist\(path, max_bytes=32768\)"):
        load_mnist(path, max_bytes=10_000)
    assert load_mnist(path, max_bytes=100_000).x_train.shape == (20, 784)


def test_an_npz_with_a_bzip2_member_is_refused(tmp_path, tiny_mnist):
    path = tmp_path / "mnist.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_BZIP2) as archive:
        for key, array in tiny_mnist.items():
            buffer = io.BytesIO()
            np.save(buffer, array)
            archive.writestr(f"{key}.npy", buffer.getvalue())
    with pytest.raises(FileFormatError, match="only stored and deflate members are read"):
        load_mnist(path)


# -- IDX bounds -------------------------------------------------------------------------------


def header(code: int, shape: tuple[int, ...]) -> bytes:
    return struct.pack(">HBB", 0, code, len(shape)) + struct.pack(f">{len(shape)}I", *shape)


def test_an_idx_header_claiming_10_to_the_12_elements_is_refused_without_allocating(tmp_path):
    path = tmp_path / "huge-idx2-ubyte"
    path.write_bytes(header(0x08, (1_000_000, 1_000_000)) + bytes(16))
    with pytest.raises(FileFormatError, match=r"truncated: shape \(1000000, 1000000\)") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_idx_data_past_max_bytes_is_refused_with_the_way_to_raise_it(tmp_path):
    path = tmp_path / "images-idx3-ubyte.gz"
    write_idx(path, np.zeros((10, 28, 28), np.uint8))
    with pytest.raises(
        FileTooLargeError, match=r"raise the limit: read_idx\(path, max_bytes=8192\)"
    ):
        read_idx(path, max_bytes=5000)
    assert read_idx(path, max_bytes=8000).shape == (10, 28, 28)


def test_a_gzip_bomb_with_a_bad_magic_number_is_refused_at_once(tmp_path):
    path = tmp_path / "bomb-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(bytes(50_000_000), compresslevel=1))
    with pytest.raises(FileFormatError, match="unknown dtype code 0x00"):
        read_idx(path)


def test_a_gzip_header_its_trailer_contradicts_is_damage_not_size(tmp_path):
    path = tmp_path / "lying-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(header(0x08, (4_000_000_000,)) + bytes(10)))
    with pytest.raises(FileFormatError, match="which its gzip trailer contradicts") as info:
        read_idx(path)
    assert not isinstance(info.value, FileTooLargeError)


def test_a_gzip_stream_shorter_than_its_header_is_truncated(tmp_path):
    path = tmp_path / "short-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(header(0x08, (1000,)) + bytes(10)))
    with pytest.raises(FileFormatError, match=r"is truncated: shape \(1000,\).*found 10"):
        read_idx(path)


def test_a_missing_or_tiny_gzip_is_refused(tmp_path):
    path = tmp_path / "tiny-idx1-ubyte.gz"
    path.write_bytes(b"\x1f\x8b")
    with pytest.raises(FileFormatError, match="corrupted or truncated gzip"):
        read_idx(path)


@pytest.mark.parametrize("gz", [False, True])
def test_an_idx_header_of_255_huge_dimensions_is_refused_readably(tmp_path, gz):
    content = header(0x0E, (2**32 - 1,) * 255) + bytes(10)  # found by the fuzz test
    path = tmp_path / ("huge-idx.gz" if gz else "huge-idx")
    path.write_bytes(gzip.compress(content) if gz else content)
    with pytest.raises(FileFormatError, match=r"shape \(4294967295, 4294967295.*\.\.\.") as info:
        read_idx(path)
    assert len(str(info.value)) < 500
