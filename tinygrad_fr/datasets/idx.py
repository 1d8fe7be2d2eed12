"""Read and write IDX files, the binary format of the original MNIST distribution.

An IDX file is a 4-byte magic number (two zero bytes, a dtype code, the number of dimensions),
one big-endian uint32 per dimension, then the data in big-endian C order. Files may be gzipped.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np

# IDX dtype code -> big-endian NumPy dtype, as defined on the MNIST page.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    """Return the file's content, decompressed when it starts with the gzip magic bytes."""
    raw = path.read_bytes()
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(
            f"read_idx: {path} is a corrupted or truncated gzip file ({exc}). "
            "Fix: delete it and download or copy it again."
        ) from exc


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (plain or gzipped) into a NumPy array of native byte order.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        ValueError: if the magic number, dtype code, dimensions or data size are wrong;
            the message names the file and the problem.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "example-idx2-ubyte.gz")
    >>> write_idx(path, np.arange(6, dtype=np.uint8).reshape(2, 3))
    >>> read_idx(path)
    array([[0, 1, 2],
           [3, 4, 5]], dtype=uint8)
    >>> os.remove(path)
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(
            f"read_idx: {path} has {len(data)} bytes, fewer than the 4 of an IDX magic number. "
            "Fix: the file is empty or truncated; download or copy it again."
        )
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0:
        raise ValueError(
            f"read_idx: {path} has bad magic number 0x{data[:4].hex()} (an IDX file starts with "
            "two zero bytes). Fix: pass an IDX file such as train-images-idx3-ubyte."
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise ValueError(
            f"read_idx: {path} has unknown dtype code 0x{code:02X} (known: {known}). "
            "Fix: the file is not IDX or is corrupted; download or copy it again."
        )
    if ndim == 0:
        raise ValueError(f"read_idx: {path} declares 0 dimensions. Fix: the file is corrupted.")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"read_idx: {path} is truncated in its header: {ndim} dimensions need {header} "
            f"bytes, the file has {len(data)}. Fix: download or copy it again."
        )
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(data) - header
    if found != expected:
        problem = "truncated" if found < expected else "longer than its header says"
        raise ValueError(
            f"read_idx: {path} is {problem}: shape {shape} of {dtype.name} needs {expected} "
            f"bytes of data, found {found}. Fix: download or copy the file again."
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzipped when ``path`` ends with ``.gz``.

    Supported dtypes: uint8, int8, int16, int32, float32, float64 (the IDX codes).
    """
    array = np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(
            f"write_idx: dtype {array.dtype} has no IDX code (supported: uint8, int8, int16, "
            "int32, float32, float64). Fix: cast first, e.g. array.astype(np.int32)."
        )
    if array.ndim == 0:
        raise ValueError(
            "write_idx: an IDX file needs at least 1 dimension, got a 0-d array. "
            "Fix: reshape it, e.g. array.reshape(1)."
        )
    buffer = io.BytesIO()
    buffer.write(struct.pack(">HBB", 0, code, array.ndim))
    buffer.write(struct.pack(f">{array.ndim}I", *array.shape))
    buffer.write(np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes())
    content = buffer.getvalue()
    path = Path(path)
    if path.suffix == ".gz":
        content = gzip.compress(content, mtime=0)
    path.write_bytes(content)
