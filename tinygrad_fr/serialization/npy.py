"""Read one ``.npy`` array from a stream, checking its header before allocating; never unpickle.

A ``.npy`` is a magic string, a version, a header length, a Python-literal header giving the
dtype, the memory order and the shape, then the raw data. Only numeric and bool dtypes load.
"""

from __future__ import annotations

import ast
import math
from typing import Any

import numpy as np

from .limits import Source, human_bytes, shorten
from .structure import ARRAY_KINDS

MAGIC = b"\x93NUMPY"
MAX_HEADER = 1 << 16
"""Largest .npy header read, in bytes (NumPy writes ~128; it refuses more than 10,000 itself)."""

_MAX_DIMS = 64  # NumPy's own limit
_HEADER_KEYS = {"descr", "fortran_order", "shape"}


def read_npy(stream: Any, size: int, source: Source, member: str) -> np.ndarray:
    """Read the ``.npy`` of ``size`` bytes at the start of ``stream`` (zip member ``member``).

    The data size the header declares must be what the member holds, so a lying header
    allocates nothing. The caller has already counted ``size`` against the budget.
    """
    what = f"member {member!r}"
    prefix = source.read_exact(stream, 8, f"the .npy header of {what}")
    if prefix[:6] != MAGIC:
        raise source.damaged(f"{what} is not a .npy array (its first bytes are {prefix[:6]!r})")
    major = prefix[6]
    if major not in (1, 2, 3):
        raise source.damaged(f"{what} has unknown .npy version {major}.{prefix[7]}")
    length_size = 2 if major == 1 else 4
    length = int.from_bytes(source.read_exact(stream, length_size, what), "little")
    if length > MAX_HEADER:
        raise source.damaged(
            f"{what} has a .npy header of {length} bytes, more than the {MAX_HEADER} a .npy "
            "header ever needs"
        )
    header = source.read_exact(stream, length, f"the .npy header of {what}")
    dtype, fortran_order, shape = _parse_header(header, major, source, what)
    nbytes = math.prod(shape) * dtype.itemsize
    held = size - 8 - length_size - length
    if nbytes != held:
        raise source.damaged(
            f"the header of {what} declares shape {shorten(shape)} of {dtype} "
            f"({human_bytes(nbytes)}), "
            f"but the member holds {human_bytes(max(held, 0))} of data"
        )
    array = np.empty(shape[::-1] if fortran_order else shape, dtype)
    source.read_into(stream, array, f"the data of {what}")
    return array.T if fortran_order else array


def _parse_header(
    header: bytes, major: int, source: Source, what: str
) -> tuple[np.dtype, bool, tuple[int, ...]]:
    try:
        text = header.decode("utf-8" if major == 3 else "latin-1")
        fields = ast.literal_eval(text)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        raise source.damaged(f"the .npy header of {what} is not a Python literal") from None
    if not isinstance(fields, dict) or set(fields) != _HEADER_KEYS:
        raise source.damaged(f"the .npy header of {what} lacks descr, fortran_order or shape")
    shape, fortran_order = fields["shape"], fields["fortran_order"]
    if not isinstance(fortran_order, bool) or not _is_shape(shape):
        raise source.damaged(
            f"the .npy header of {what} has a bad shape {shorten(shape)} or order "
            f"{shorten(fortran_order)}"
        )
    return numeric_dtype(fields["descr"], source, what), fortran_order, shape


def _is_shape(shape: Any) -> bool:
    return (
        isinstance(shape, tuple)
        and len(shape) <= _MAX_DIMS
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
    )


def numeric_dtype(descr: Any, source: Source, what: str) -> np.dtype:
    """The dtype ``descr`` names, if it is numbers or booleans (no objects, text, records)."""
    try:
        dtype = np.dtype(descr) if isinstance(descr, str) else None
    except (TypeError, ValueError, OverflowError, SyntaxError):
        raise source.damaged(f"{what} has an unknown dtype {shorten(descr)}") from None
    if dtype is not None and dtype.hasobject:
        raise source.error(
            f"holds pickled Python objects in {what} (dtype object); tg.load refuses them "
            "because unpickling can run arbitrary code",
            "only load files written by tg.save, which stores numbers and booleans only",
        )
    usable = (
        dtype is not None
        and dtype.kind in ARRAY_KINDS
        and dtype.fields is None
        and dtype.subdtype is None
        and dtype.itemsize > 0
    )
    if dtype is None or not usable:
        raise source.error(
            f"holds an array of dtype {shorten(descr)} in {what}, which is not numbers or booleans "
            "(text, dates, records and objects are not loaded)",
            "store numeric or bool arrays only (tg.save refuses the others too)",
        )
    return dtype
