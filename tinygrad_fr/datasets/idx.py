"""Read and write IDX files, the binary format of the original MNIST distribution.

An IDX file is a 4-byte magic number (two zero bytes, a dtype code, the number of dimensions),
one big-endian uint32 per dimension, then the data in big-endian C order. Files may be gzipped.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import struct
import zlib
from pathlib import Path
from typing import NoReturn

import numpy as np

from ..serialization.limits import (
    DEFAULT_MAX_BYTES,
    FileTooLargeError,
    Source,
    human_bytes,
    shorten,
)

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
_CHUNK = 1 << 20
_FIX = "download or copy the file again"


def read_idx(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> np.ndarray:
    """Read an IDX file (plain or gzipped) into a NumPy array of native byte order.

    The header is checked first: the data size it declares must be what the file holds and at
    most ``max_bytes`` (1 GiB by default), so a damaged or hostile file allocates nothing and a
    gzip bomb is never inflated past the size its header declares.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        FileFormatError: (a ``ValueError``) if the magic number, dtype code, dimensions, data
            size or gzip stream are wrong; the message names the file and the problem.
        FileTooLargeError: (a ``FileFormatError``) if the data is larger than ``max_bytes``.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "example-idx2-ubyte.gz")
    >>> write_idx(path, np.arange(6, dtype=np.uint8).reshape(2, 3))
    >>> read_idx(path)
    array([[0, 1, 2],
           [3, 4, 5]], dtype=uint8)
    >>> os.remove(path)
    """
    path = Path(path)
    source = Source("read_idx", path, max_bytes, "read_idx(path, max_bytes={})")
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if file.read(2) != _GZIP_MAGIC:
            file.seek(0)
            return _read(file, source, size)
        file.seek(max(size - 4, 0))
        trailer = int.from_bytes(file.read(4), "little")  # the content's size, modulo 2**32
        file.seek(0)
        try:
            with gzip.GzipFile(fileobj=file) as stream:
                return _read(stream, source, None, trailer)
        except (OSError, EOFError, zlib.error) as exc:
            raise source.error(
                f"is a corrupted or truncated gzip file ({exc})", f"delete it and {_FIX}"
            ) from None


def _read(
    stream: io.BufferedIOBase, source: Source, size: int | None, trailer: int | None = None
) -> np.ndarray:
    """Read the IDX content of ``stream``: ``size`` is the file's size, or None for a gzip
    stream, whose ``trailer`` gives the size of its content modulo 2**32."""
    magic = stream.read(4)
    if len(magic) < 4:
        raise source.error(
            f"has {len(magic)} bytes, fewer than the 4 of an IDX magic number",
            f"the file is empty or truncated; {_FIX}",
        )
    zero, code, ndim = struct.unpack(">HBB", magic)
    if zero != 0:
        raise source.error(
            f"has bad magic number 0x{magic.hex()} (an IDX file starts with two zero bytes)",
            "pass an IDX file such as train-images-idx3-ubyte",
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise source.error(
            f"has unknown dtype code 0x{code:02X} (known: {known})",
            f"the file is not IDX or is corrupted; {_FIX}",
        )
    if ndim == 0:
        raise source.error("declares 0 dimensions", f"the file is corrupted; {_FIX}")
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise source.error(
            f"is truncated in its header: {ndim} dimensions need {4 + 4 * ndim} bytes, the file "
            f"has {4 + len(dims)}",
            _FIX,
        )
    shape = struct.unpack(f">{ndim}I", dims)
    dtype = IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    if size is not None and size - 4 - 4 * ndim != expected:
        _wrong_size(source, shape, dtype, expected, size - 4 - 4 * ndim)
    try:
        source.charge(expected, f"shape {shorten(shape)} of {dtype.name}")
    except FileTooLargeError:
        if trailer is not None and trailer != (4 + 4 * ndim + expected) % 2**32:
            raise source.error(
                "is a corrupted or truncated gzip file: its header declares shape "
                f"{shorten(shape)}, which its gzip trailer contradicts",
                f"delete it and {_FIX}",
            ) from None
        raise
    data = _read_data(stream, expected, known=size is not None)
    if len(data) < expected:
        _wrong_size(source, shape, dtype, expected, len(data))
    if stream.read(1):
        _wrong_size(source, shape, dtype, expected, None)
    array = np.frombuffer(data, dtype=dtype).reshape(shape)
    return array if dtype.isnative else array.astype(dtype.newbyteorder("="))


def _read_data(stream: io.BufferedIOBase, expected: int, known: bool) -> bytearray:
    """Read up to ``expected`` bytes: into one buffer if the file is known to hold them, else
    growing with what arrives, so a gzip stream shorter than its header claims costs little."""
    if known:
        data = bytearray(expected)
        view, done = memoryview(data), 0
        while done < expected and (count := stream.readinto(view[done:])):
            done += count
        return data[:done] if done < expected else data
    data = bytearray()
    while len(data) < expected:
        chunk = stream.read(min(_CHUNK, expected - len(data)))
        if not chunk:
            break
        data += chunk
    return data


def _wrong_size(
    source: Source, shape: tuple, dtype: np.dtype, expected: int, found: int | None
) -> NoReturn:
    """Refuse data of ``found`` bytes (None: more than expected) for ``shape``."""
    problem = (
        "truncated" if found is not None and found < expected else "longer than its header says"
    )
    needs = f"{expected} bytes" if expected < 1 << 60 else human_bytes(expected)
    raise source.error(
        f"is {problem}: shape {shorten(shape)} of {dtype.name} needs {needs} of data, "
        f"found {'more' if found is None else found}",
        _FIX,
    )


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
