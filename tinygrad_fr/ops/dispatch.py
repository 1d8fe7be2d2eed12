"""Helpers that let one backward formula run on ndarrays and on Tensors.

Operators (``+ * @ ...``) and shared methods (``sum(axis=, keepdims=)``, ``reshape``) already
work on both. The few operations whose spelling differs are here: with arrays they call
NumPy, with Tensors they call the differentiable Tensor op (used under ``create_graph``).
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


def where(condition: np.ndarray, x: Any, y: Any) -> Any:
    """Pick ``x`` where ``condition`` holds, else ``y``; ``condition`` is a constant mask."""
    if is_tensor(x) or is_tensor(y):
        from .elementwise import Where

        return Where.apply(condition, x, y)
    return np.where(condition, x, y)


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


def index_add(shape: tuple[int, ...], index: Any, values: Any) -> Any:
    """A zero array of ``shape`` with ``values`` added at ``index`` (repeats accumulate)."""
    if is_tensor(values):
        from .movement import IndexAdd

        return IndexAdd.apply(values, index, shape)
    return _index_add_arrays(shape, index, values)


def _index_add_arrays(shape: tuple[int, ...], index: Any, values: np.ndarray) -> np.ndarray:
    out = np.zeros(shape, dtype=values.dtype)
    if is_basic_index(index):
        out[index] = values  # no repeats possible: plain assignment is much faster
    else:
        np.add.at(out, index, values)
    return out


def is_basic_index(index: Any) -> bool:
    """True when ``index`` uses only ints, slices, None and Ellipsis (NumPy basic indexing)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(
        item is None or item is Ellipsis or isinstance(item, (int, slice, np.integer))
        for item in items
    )


def constant(x: Any) -> Any:
    """The ndarray behind ``x`` (for masks and other values treated as constants)."""
    return x._data if is_tensor(x) else x
