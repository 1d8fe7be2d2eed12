"""Data types: the NumPy dtypes tinygrad_fr exposes, and the default floating dtype.

Python scalars, lists and integer or boolean data become the default float dtype
(float32 unless :func:`set_default_dtype` changes it); floating NumPy data keeps its dtype.
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
int32 = np.int32
int64 = np.int64
long = int64
bool = np.bool_

_default_dtype: np.dtype = np.dtype(np.float32)


def get_default_dtype() -> np.dtype:
    """The floating dtype given to Python numbers, lists and integer data (float32 at start)."""
    return _default_dtype


def set_default_dtype(dtype: Any) -> None:
    """Set the floating dtype given to Python numbers, lists and integer data.

    >>> import tinygrad_fr as tg
    >>> tg.set_default_dtype(tg.float64); tg.Tensor([1, 2]).dtype
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
