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
    if isinstance(x, (int, float)):
        return math.log(x)
    return np.log(x)


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
