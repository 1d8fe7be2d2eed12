"""The .npz format against hostile archives: members that are not arrays, dtypes that are not
numbers, lying sizes, bombs and odd zip features, each refused by name before memory is spent."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr.serialization import FileFormatError, FileTooLargeError, load, save


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def npy_with_header(header: str, data: bytes = b"", version: int = 1) -> bytes:
    text = header.encode("latin-1")
    length = struct.pack("<H", len(text)) if version == 1 else struct.pack("<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + length + text + data


def meta(root: Any, **fields: Any) -> bytes:
    structure = {"format": "tinygrad_fr", "version": 1, "root": root, **fields}
    return npy(np.frombuffer(json.dumps(structure).encode(), dtype=np.uint8))


TENSOR = {"kind": "tensor", "array": "a0", "requires_grad": False}


def write_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def refused(path: Path, problem: str, error: type = FileFormatError, **kwargs: Any) -> str:
    with pytest.raises(error) as info:
        load(path, **kwargs)
    message = str(info.value)
    assert str(path) in message and problem in message, message
    assert "Fix:" in message
    return message


# -- members and dtypes -----------------------------------------------------------------------


def test_a_member_that_is_not_npy_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "x.npz", {"__meta__.npy": meta(TENSOR), "a0.npy": npy(
        np.zeros(2)), "notes.txt": b"hello"})  # fmt: skip
    refused(path, "it holds 'notes.txt', which is not a .npy array")


def test_a_npy_member_with_other_bytes_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "x.npz", {"__meta__.npy": meta(TENSOR), "a0.npy": b"not an array"})
    refused(path, "member 'a0.npy' is not a .npy array")


@pytest.mark.parametrize(
    ("array", "problem"),
    [(np.array(["text"]), "dtype '<U4'"), (np.array([b"raw"]), "dtype '|S3'"),
     (np.array(["2024-01-01"], dtype="datetime64[D]"), "dtype '<M8[D]'"),
     (np.array([1], dtype="timedelta64[s]"), "dtype '<m8[s]'"),
     (np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]), "not numbers or booleans"),
     (np.zeros(2, dtype="V4"), "dtype '|V4'")],
    ids=["str", "bytes", "datetime", "timedelta", "structured", "void"],
)  # fmt: skip
def test_arrays_that_are_not_numbers_are_refused(
    tmp_path: Path, array: np.ndarray, problem: str
) -> None:
    path = write_zip(tmp_path / "x.npz", {"__meta__.npy": meta(TENSOR), "a0.npy": npy(array)})
    refused(path, problem)


def test_a_complex_array_loads_as_an_array_but_never_as_a_tensor(tmp_path: Path) -> None:
    ndarray = {"kind": "ndarray", "array": "a0"}
    complex_npy = npy(np.array([1 + 2j]))
    path = write_zip(tmp_path / "ok.npz", {"__meta__.npy": meta(ndarray), "a0.npy": complex_npy})
    assert load(path)[0] == 1 + 2j
    path = write_zip(tmp_path / "bad.npz", {"__meta__.npy": meta(TENSOR), "a0.npy": complex_npy})
    refused(path, "tensor 'a0' has dtype complex128, which a Tensor cannot hold")


@pytest.mark.parametrize(
    ("node", "problem"),
    [(dict(TENSOR, requires_grad="no"), "requires_grad of tensor 'a0' is 'no', not a bool"),
     ({"kind": "tensor", "array": "a9"}, "the array 'a9' it refers to is missing"),
     ({"kind": "set", "items": []}, "unknown node kind 'set'"),
     ([1, 2], "holds a bare JSON list"),
     ({"kind": "dict", "keys": [{"kind": "list", "items": []}], "values": [1]}, "unhashable"),
     ({"kind": "dict", "keys": ["a", "b"], "values": [1]}, "inconsistent"),
     ({"kind": "scalar", "array": "a0"}, "scalar 'a0' has shape (2,)")],
    ids=["requires_grad", "missing", "kind", "list", "unhashable key", "zip", "scalar"],
)  # fmt: skip
def test_a_structure_tg_save_cannot_write_is_refused(tmp_path: Path, node: Any, problem: str):
    path = write_zip(tmp_path / "x.npz", {"__meta__.npy": meta(node), "a0.npy": npy(np.zeros(2))})
    refused(path, problem)


def test_an_integer_tensor_requiring_grad_is_refused(tmp_path: Path) -> None:
    members = {"__meta__.npy": meta(dict(TENSOR, requires_grad=True)),
               "a0.npy": npy(np.arange(2))}  # fmt: skip
    refused(write_zip(tmp_path / "x.npz", members), "cannot require grad")


def test_a_file_from_a_newer_version_says_to_upgrade(tmp_path: Path) -> None:
    structure = {"format": "tinygrad_fr", "version": 7, "root": 1}
    member = npy(np.frombuffer(json.dumps(structure).encode(), dtype=np.uint8))
    path = write_zip(tmp_path / "x.npz", {"__meta__.npy": member})
    refused(path, "newer tinygrad_fr (format version 7")


def test_meta_that_is_not_bytes_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "x.npz", {"__meta__.npy": npy(np.zeros(3))})
    refused(path, "'__meta__' is float64 (3,), not JSON bytes")


@pytest.mark.parametrize("depth", [150, 100_000])
def test_deeply_nested_meta_is_refused(tmp_path: Path, depth: int) -> None:
    nested = '{"kind": "list", "items": [' * depth + "]}" * depth
    text = '{"format": "tinygrad_fr", "version": 1, "root": ' + nested + "}"
    member = npy(np.frombuffer(text.encode(), dtype=np.uint8))
    path = write_zip(tmp_path / "x.npz", {"__meta__.npy": member})
    refused(path, "nested too deep" if depth == 150 else "nests deeper than Python can parse")


# -- headers and sizes ------------------------------------------------------------------------


def test_a_padded_20_kb_npy_header_loads(tmp_path: Path) -> None:
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }" + " " * 20_000 + "\n"
    data = np.array([1.5, 2.5]).tobytes()
    members = {"__meta__.npy": meta(TENSOR), "a0.npy": npy_with_header(header, data, version=2)}
    assert load(write_zip(tmp_path / "x.npz", members)).tolist() == [1.5, 2.5]


def test_a_npy_header_past_64_kib_is_refused(tmp_path: Path) -> None:
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }" + " " * 70_000
    members = {"__meta__.npy": meta(TENSOR), "a0.npy": npy_with_header(header, version=2)}
    refused(write_zip(tmp_path / "x.npz", members), "more than the 65536 a .npy header ever needs")


@pytest.mark.parametrize(
    ("header", "problem"),
    [("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), ", "not a Python literal"),
     ("{'descr': '<f8', 'shape': (2,)}", "lacks descr"),
     ("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}", "bad shape"),
     ("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}", "bad shape"),
     ("{'descr': '<f8', 'fortran_order': False, 'shape': (True,)}", "bad shape"),
     ("{'descr': 'zz', 'fortran_order': False, 'shape': (2,)}", "unknown dtype 'zz'"),
     ("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,)}", "not numbers"),
     ("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", "declares shape (2,)"),
     ("{'descr': '<f8', 'fortran_order': False, 'shape': (268435456,)}", "(2.0 GiB), but the "),
     ("{'descr': '<f8', 'fortran_order': False, 'shape': (10**6,) * 2}", "not a Python literal"),
     ("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000)}", "7.3 TiB")],
    ids=["syntax", "keys", "order", "negative", "bool", "descr", "structured", "short",
         "lying 2 GiB", "expression", "10**12 elements"],
)  # fmt: skip
def test_a_bad_npy_header_is_refused_without_allocating(
    tmp_path: Path, header: str, problem: str
) -> None:
    members = {"__meta__.npy": meta(TENSOR), "a0.npy": npy_with_header(header, bytes(8))}
    refused(write_zip(tmp_path / "x.npz", members), problem)


def test_fortran_ordered_arrays_load(tmp_path: Path) -> None:
    array = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    members = {"__meta__.npy": meta(TENSOR), "a0.npy": npy(array)}
    assert load(write_zip(tmp_path / "x.npz", members)).tolist() == array.tolist()


def patch_sizes(path: Path, size: int) -> None:
    """Make the zip directory and local headers declare ``size`` bytes for every member."""
    content = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    directory = content.rfind(b"PK\x05\x06")
    for info in infos:
        struct.pack_into("<L", content, info.header_offset + 22, size)  # local header
    at = content.find(b"PK\x01\x02")
    while 0 <= at < directory:
        struct.pack_into("<L", content, at + 24, size)  # central directory entry
        at = content.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(content))


def test_declared_member_sizes_past_max_bytes_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "bomb.npz"
    save({"w": tg.zeros(4)}, path)
    patch_sizes(path, 2**31)
    message = refused(path, "more than max_bytes=1073741824", FileTooLargeError)
    assert "raise the limit: tg.load(path, max_bytes=" in message


def test_a_lying_small_declared_size_reads_no_more_than_declared(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "x.npz", {"__meta__.npy": meta(TENSOR),
                     "a0.npy": npy(np.zeros(100_000))}, zipfile.ZIP_DEFLATED)  # fmt: skip
    patch_sizes(path, 200)
    refused(path, "damaged")


def test_meta_is_charged_sixteen_times_its_size(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    save({"history": list(range(10_000))}, path)
    assert load(path, max_bytes=2_000_000)["history"][-1] == 9999
    refused(path, "for 1 member as the zip directory declares them", FileTooLargeError,
            max_bytes=500_000)  # fmt: skip


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_compression_methods_numpy_never_writes_are_refused(tmp_path: Path, method: int) -> None:
    members = {"__meta__.npy": meta(TENSOR), "a0.npy": npy(np.zeros(2))}
    refused(write_zip(tmp_path / "x.npz", members, method), "only stored and deflate")


def test_an_encrypted_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    save({"w": tg.zeros(2)}, path)
    content = bytearray(path.read_bytes())
    at = content.find(b"PK\x01\x02")
    while at >= 0:
        content[at + 8] |= 1  # the encrypted flag of each directory entry
        at = content.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(content))
    refused(path, "is encrypted")


@pytest.mark.parametrize("cut", [10, 100, 300, -30, -1])
def test_a_truncated_archive_is_refused(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "x.npz"
    save({"w": tg.zeros(50)}, path)
    path.write_bytes(path.read_bytes()[:cut])
    refused(path, "damaged or truncated")


# -- the budget argument ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "error"),
    [(0, ValueError), (-1, ValueError), ("1", TypeError), (True, TypeError), (1.5, TypeError)],
)
def test_max_bytes_must_be_a_positive_int(tmp_path: Path, value: Any, error: type) -> None:
    path = tmp_path / "x.npz"
    save({"a": 1}, path)
    with pytest.raises(error, match="load: max_bytes must be a positive"):
        load(path, max_bytes=value)


def test_a_file_object_without_a_name_is_named_as_such() -> None:
    with pytest.raises(FileFormatError, match=r"load: the file object is not a tg\.save file"):
        load(io.BytesIO(b"garbage bytes"))


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    refused(path, "is not a tg.save file (neither .safetensors nor .npz: empty)")


def test_a_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"absent\.npz"):
        load(tmp_path / "absent.npz")


def as_zip64(content: bytes) -> bytes:
    """The same archive with a zip64 end record, as for over 65,535 members or 4 GiB."""
    at = content.rfind(b"PK\x05\x06")
    count, size, offset = struct.unpack_from("<HLL", content, at + 10)
    record = b"PK\x06\x06" + struct.pack("<QHHLLQQQQ", 44, 45, 45, 0, 0, count, count, size, offset)
    locator = b"PK\x06\x07" + struct.pack("<LQL", 0, at, 1)
    end = b"PK\x05\x06" + struct.pack("<HHHHLLH", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return content[:at] + record + locator + end


@pytest.mark.parametrize("zip64", [False, True])
def test_the_zip_directory_is_charged_before_zipfile_reads_it(tmp_path: Path, zip64: bool):
    path = tmp_path / "many.npz"
    members = {f"m{i}.npy": npy(np.zeros(0)) for i in range(2000)}
    members["__meta__.npy"] = meta({"kind": "list", "items": []})
    content = write_zip(path, members).read_bytes()
    if zip64:
        path.write_bytes(as_zip64(content))
    refused(path, "for the zip directory", FileTooLargeError, max_bytes=1 << 20)
    assert load(path, max_bytes=4 << 20) == []
