"""Normalising dimension arguments: PyTorch's ``dim``/``keepdim`` and NumPy's aliases."""

from __future__ import annotations

from typing import Any

import numpy as np


def normalize_dims(dims: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """``dims`` (None, an int or a sequence) as a sorted tuple of non-negative axes (empty for
    a 0-d tensor, whose only valid dims are 0 and -1)."""
    if dims is None:
        return None
    if isinstance(dims, (int, np.integer)):
        items: tuple = (dims,)
    elif isinstance(dims, (tuple, list)):
        items = tuple(dims)
    else:
        raise TypeError(
            f"{op}: dim must be an int, got {type(dims).__name__} {dims!r} (a tuple of ints, "
            "or None for every dim, also work)"
        )
    axes = [normalize_dim(dim, ndim, op) for dim in items]
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"{op}: dim {dims} names the same axis twice")
    if ndim == 0:
        return ()  # dim 0 or -1 of a 0-d tensor: nothing to reduce, as in PyTorch
    return tuple(sorted(axes))


def normalize_dim(dim: Any, ndim: int, op: str, extra: int = 0) -> int:
    """One axis as a non-negative int; ``extra`` allows one past the end (for unsqueeze)."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    size = max(ndim + extra, 1)
    if not -size <= dim < size:
        raise IndexError(
            f"{op}: dim {dim} is out of range for a tensor with {ndim} dimensions; use a "
            f"dim between {-size} and {size - 1}"
        )
    return int(dim) % size


def reduction_args(
    op: str, dim: Any, keepdim: bool, axis: Any, keepdims: bool | None
) -> tuple[Any, bool]:
    """Merge PyTorch's (dim, keepdim) with NumPy's aliases (axis, keepdims)."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give dim or its NumPy alias axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, bool(keepdim)


def sizes_argument(sizes: tuple) -> tuple:
    """``f(2, 3)`` or ``f((2, 3))``: the sizes as one tuple."""
    if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer)):
        return tuple(sizes[0])
    return sizes
