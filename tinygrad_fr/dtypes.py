"""Data types: the NumPy dtypes tinygrad_fr exposes, the default floating dtype, and PyTorch's
rules for the dtype of new tensors and of op results (type promotion).

Promotion works by category, bool < integer < floating: an operand of a higher category
decides the category of the result, as in PyTorch. Among operands of the same category,
dimensioned tensors win over 0-d tensors, which win over Python numbers; a Python number of a
higher category gives the default dtype of its category (float32 for a float, int64 for an
int). So ``int64 tensor * 0.5`` is float32 and ``float32 tensor + float64 0-d tensor`` stays
float32.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

float16 = np.float16
float32 = np.float32
float64 = np.float64
half = float16
float = float32
double = float64
uint8 = np.uint8
int8 = np.int8
int16 = np.int16
int32 = np.int32
int64 = np.int64
short = int16
int = int32
long = int64
bool = np.bool_

_default_dtype: np.dtype = np.dtype(np.float32)
_INT64 = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)

# The category of each NumPy dtype kind: 0 bool, 1 integer, 2 floating.
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}

# PyTorch's names of the dtypes, for printing (``dtype=torch.float64`` in a repr).
_TORCH_NAMES = {
    np.dtype(np.float16): "float16", np.dtype(np.float32): "float32",
    np.dtype(np.float64): "float64", np.dtype(np.uint8): "uint8", np.dtype(np.int8): "int8",
    np.dtype(np.int16): "int16", np.dtype(np.int32): "int32", np.dtype(np.int64): "int64",
    np.dtype(np.bool_): "bool",
}  # fmt: skip


def get_default_dtype() -> np.dtype:
    """The floating dtype given to Python floats and by the factories (float32 at start)."""
    return _default_dtype


def set_default_dtype(dtype: Any) -> None:
    """Set the floating dtype given to Python floats and by the factories.

    >>> import tinygrad_fr as tg
    >>> tg.set_default_dtype(tg.float64); tg.tensor([1.0, 2.0]).dtype
    dtype('float64')
    >>> tg.set_default_dtype(tg.float32)
    """
    global _default_dtype
    resolved = np.dtype(dtype)
    if resolved.kind != "f":
        raise TypeError(
            f"set_default_dtype: expected a floating dtype such as tg.float32 or tg.float64, "
            f"got {resolved}"
        )
    _default_dtype = resolved


def is_floating(dtype: np.dtype) -> builtins.bool:
    """True for the floating dtypes, the only ones that can require gradients."""
    return dtype.kind == "f"


def torch_name(dtype: np.dtype) -> str:
    """The dtype as PyTorch prints it: ``torch.float64``."""
    return "torch." + _TORCH_NAMES.get(dtype, str(dtype))


def resolve(dtype: Any, op: str = "dtype") -> np.dtype:
    """``dtype`` (a NumPy dtype or type, Python's ``float``/``int``/``bool``, or a tensor type
    such as ``tg.LongTensor``) as a NumPy dtype of the supported kinds."""
    if dtype is builtins.float:
        return _default_dtype
    if dtype is builtins.int:
        return _INT64
    tensor_dtype = getattr(dtype, "_tensor_dtype", None)
    if tensor_dtype is not None:
        return np.dtype(tensor_dtype)
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{op}: {dtype!r} is not a dtype; use tg.float32, tg.float64, tg.int64, tg.bool..."
        ) from None
    if resolved.kind not in _CATEGORY:
        raise TypeError(f"{op}: dtype {resolved} is not supported (numbers and booleans only)")
    return resolved


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """The smallest dtype of the higher category that holds both (PyTorch's promote_types):
    an integer and a floating dtype give the floating one (int64 and float16 give float16).

    >>> import tinygrad_fr as tg
    >>> tg.promote_types(tg.int32, tg.float32)
    dtype('float32')
    """
    return promote_dtypes(resolve(type1, "promote_types"), resolve(type2, "promote_types"))


def promote_dtypes(first: np.dtype, second: np.dtype) -> np.dtype:
    """:func:`promote_types` of two NumPy dtypes (the library's fast path)."""
    if first is second:
        return first
    category_first, category_second = _CATEGORY[first.kind], _CATEGORY[second.kind]
    if category_first == category_second:
        return np.promote_types(first, second)
    return first if category_first > category_second else second


def scalar_dtype(value: Any) -> np.dtype:
    """The dtype a Python (or NumPy) number stands for in promotion: bool, int64, or the
    default float dtype."""
    if isinstance(value, (builtins.bool, np.bool_)):
        return _BOOL
    if isinstance(value, (builtins.int, np.integer)):
        return _INT64
    return _default_dtype


def result_type(*operands: Any) -> np.dtype:
    """The dtype of an element-wise op on ``operands`` (tensors, arrays, Python numbers), by
    PyTorch's rules (see the module docstring)."""
    dimensioned = zero_dim = numbers = None
    for value in operands:
        array = getattr(value, "_data", value)
        if isinstance(array, np.ndarray):
            if array.ndim:
                dimensioned = _promote(dimensioned, array.dtype)
            else:
                zero_dim = _promote(zero_dim, array.dtype)
        elif value is not None:
            numbers = _promote(numbers, scalar_dtype(value))
    return _combine(dimensioned, _combine(zero_dim, numbers))


def _promote(known: np.dtype | None, dtype: np.dtype) -> np.dtype:
    return dtype if known is None else promote_dtypes(known, dtype)


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> Any:
    """PyTorch's combine_categories: the higher-priority group decides, unless the lower one
    is of a higher category."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_dtypes(higher, lower)
    return higher


def infer(array: np.ndarray) -> np.dtype:
    """The dtype ``tg.tensor`` gives Python data that NumPy read as ``array``, as
    ``torch.tensor``: bool if every item is a bool, int64 if every item is an int (or bool),
    else the default float dtype."""
    kind = array.dtype.kind
    if kind == "b":
        return _BOOL
    if kind in "iu":
        return _INT64
    return _default_dtype
