"""read_idx / write_idx: round trips, plain and gzipped, and the errors on damaged files."""

from __future__ import annotations

import gzip
import re
import struct

import numpy as np
import pytest

from tinygrad_fr.datasets import read_idx, write_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7,), (3, 4, 5), (2, 1)])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip(tmp_path, dtype, shape, suffix):
    array = (np.arange(np.prod(shape)) - 3).astype(dtype).reshape(shape)
    path = tmp_path / f"data-idx{suffix}"
    write_idx(path, array)
    out = read_idx(path)
    np.testing.assert_array_equal(out, array)
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    assert out.flags.writeable


def test_header_is_big_endian_mnist_layout(tmp_path):
    path = tmp_path / "images-idx3-ubyte"
    write_idx(path, np.zeros((2, 28, 28), np.uint8))
    raw = path.read_bytes()
    assert raw[:16] == b"\x00\x00\x08\x03" + struct.pack(">3I", 2, 28, 28)
    assert len(raw) == 16 + 2 * 28 * 28


def test_gz_suffix_compresses(tmp_path):
    path = tmp_path / "labels-idx1-ubyte.gz"
    write_idx(path, np.arange(10, dtype=np.uint8))
    assert gzip.decompress(path.read_bytes())[:4] == b"\x00\x00\x08\x01"


def test_gzip_detected_by_content_not_name(tmp_path):
    gz = tmp_path / "a.gz"
    write_idx(gz, np.arange(4, dtype=np.int32))
    renamed = gz.rename(tmp_path / "a-idx1-int")
    np.testing.assert_array_equal(read_idx(renamed), np.arange(4))


def test_write_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(ValueError, match=r"write_idx: dtype int64 .*astype"):
        write_idx(tmp_path / "x", np.arange(3, dtype=np.int64))


def test_write_rejects_scalar(tmp_path):
    with pytest.raises(ValueError, match=r"write_idx: .*0-d"):
        write_idx(tmp_path / "x", np.array(3, dtype=np.uint8))


def _header(code: int, shape: tuple[int, ...]) -> bytes:
    return struct.pack(">HBB", 0, code, len(shape)) + struct.pack(f">{len(shape)}I", *shape)


VALID = _header(0x08, (2, 3)) + bytes(6)

DAMAGED = {
    "empty": (b"", "fewer than the 4"),
    "short magic": (b"\x00\x00", "fewer than the 4"),
    "bad magic": (b"\x1f\x00" + VALID[2:], "bad magic number"),
    "unknown dtype code": (b"\x00\x00\x0a\x02" + VALID[4:], "unknown dtype code 0x0A"),
    "zero dimensions": (b"\x00\x00\x08\x00", "0 dimensions"),
    "truncated header": (VALID[:10], "truncated in its header"),
    "truncated data": (VALID[:-1], "is truncated: shape (2, 3)"),
    "trailing bytes": (VALID + b"\x00", "longer than its header says"),
    "wrong dtype size": (_header(0x0C, (2, 3)) + bytes(6), "needs 24 bytes of data, found 6"),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_file_error_names_file_and_problem(tmp_path, case):
    content, problem = DAMAGED[case]
    path = tmp_path / "broken-idx"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="read_idx: ") as info:
        read_idx(path)
    assert str(path) in str(info.value)
    assert problem in str(info.value)


@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_file_inside_gzip_is_reported_too(tmp_path, case):
    content, problem = DAMAGED[case]
    path = tmp_path / "broken-idx.gz"
    path.write_bytes(gzip.compress(content))
    with pytest.raises(ValueError, match=re.escape(problem)):
        read_idx(path)


def test_truncated_gzip(tmp_path):
    path = tmp_path / "cut-idx.gz"
    path.write_bytes(gzip.compress(VALID)[:-8])
    with pytest.raises(ValueError, match=r"read_idx: .*cut-idx\.gz' is a corrupted or truncated"):
        read_idx(path)


def test_corrupted_gzip(tmp_path):
    raw = bytearray(gzip.compress(VALID * 50))
    raw[15:25] = b"\xff" * 10
    path = tmp_path / "bad-idx.gz"
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="corrupted or truncated gzip"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "absent")
