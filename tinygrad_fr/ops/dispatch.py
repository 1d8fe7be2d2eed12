"""Helpers that let one backward formula run on ndarrays and on Tensors.

Operators (``+ * @ ...``) and shared methods (``sum(axis=, keepdims=)``, ``reshape``) already
work on both. The few operations whose spelling differs are here: with arrays they call
NumPy, with Tensors the differentiable Tensor method (used under ``create_graph``). Helpers
tied to one op live beside it: ``where`` in ``elementwise``, ``index_add`` and ``put`` in
``movement``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import function


def is_tensor(value: Any) -> bool:
    """True for a tinygrad_fr Tensor."""
    return isinstance(value, function.Tensor)


def exp(x: Any) -> Any:
    """Element-wise e**x."""
    return x.exp() if is_tensor(x) else np.exp(x)


def log(x: Any) -> Any:
    """Element-wise natural logarithm (a Python number stays a Python number)."""
    if is_tensor(x):
        return x.log()
    if isinstance(x, (int, float)) and x > 0:
        return math.log(x)
    return np.log(x)  # nan for a negative number, as PyTorch (math.log would raise)


def sqrt(x: Any) -> Any:
    """Element-wise square root."""
    return x.sqrt() if is_tensor(x) else np.sqrt(x)


def sin(x: Any) -> Any:
    """Element-wise sine."""
    return x.sin() if is_tensor(x) else np.sin(x)


def cos(x: Any) -> Any:
    """Element-wise cosine."""
    return x.cos() if is_tensor(x) else np.cos(x)


def sinh(x: Any) -> Any:
    """Element-wise hyperbolic sine."""
    return x.sinh() if is_tensor(x) else np.sinh(x)


def cosh(x: Any) -> Any:
    """Element-wise hyperbolic cosine."""
    return x.cosh() if is_tensor(x) else np.cosh(x)


def sign(x: Any) -> Any:
    """Element-wise sign, as a constant (its derivative is zero almost everywhere)."""
    return np.sign(constant(x))


def abs(x: Any) -> Any:  # noqa: A001 - the one spelling for arrays and Tensors
    """Element-wise absolute value."""
    return x.abs() if is_tensor(x) else np.abs(x)


def cumsum(x: Any, axis: int) -> Any:
    """Running sum along ``axis``."""
    return x.cumsum(axis) if is_tensor(x) else np.cumsum(x, axis=axis)


def cumprod(x: Any, axis: int) -> Any:
    """Running product along ``axis``."""
    return x.cumprod(axis) if is_tensor(x) else np.cumprod(x, axis=axis)


def flip(x: Any, axis: int) -> Any:
    """``x`` in reverse order along ``axis``."""
    return x.flip(axis) if is_tensor(x) else np.flip(x, axis)


def concatenate(items: list, axis: int) -> Any:
    """Join arrays (or Tensors, if any is one) along ``axis``."""
    if any(is_tensor(item) for item in items):
        from .movement import Cat  # movement imports this module

        return Cat.apply(axis, *items)
    return np.concatenate(items, axis=axis)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """Repeat ``x`` along broadcast dimensions to ``shape`` (a new array for arrays)."""
    if is_tensor(x):
        return x.broadcast_to(shape)
    # np.broadcast_to goes through a Python wrapper that costs more than this copy
    out = np.empty(shape, dtype=x.dtype)
    out[...] = x
    return out


def permute(x: Any, axes: tuple[int, ...]) -> Any:
    """Reorder the axes of ``x``."""
    return x.permute(*axes) if is_tensor(x) else x.transpose(axes)


def matmul_2d(a: Any, b: Any) -> Any:
    """``a @ b`` for 2-D operands; arrays go through np.dot, which hands transposed operands
    to BLAS directly (NumPy's matmul is several times slower on a transposed (n, 1) one)."""
    if is_tensor(a) or is_tensor(b):
        return a @ b
    return np.dot(a, b)


def constant(x: Any) -> Any:
    """The ndarray behind ``x`` (for masks and other values treated as constants)."""
    return x._data if is_tensor(x) else x
