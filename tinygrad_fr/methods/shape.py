"""Shape methods: reshape, squeeze, permute, transpose, expand; joining tensors (cat, stack)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import function
from ..ops.movement import Cat, Expand, Permute, Reshape
from .dims import normalize_dim, normalize_dims, sizes_argument

if TYPE_CHECKING:
    from ..tensor import Tensor


def reshape(input: Tensor, *shape: Any) -> Tensor:
    """The same data with a new shape (one dimension may be -1)."""
    shape = sizes_argument(shape)
    try:
        target = _resolve_shape(input._data.size, shape)
    except ValueError as error:
        raise ValueError(
            f"reshape: cannot reshape {input._data.shape} to {shape}: {error}"
        ) from None
    return Reshape.apply(input, target)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions start_dim..end_dim into one."""
    shape = input._data.shape
    if not shape:
        return reshape(input, 1)
    start = normalize_dim(start_dim, len(shape), "flatten")
    end = normalize_dim(end_dim, len(shape), "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    merged = math.prod(shape[start : end + 1])
    return reshape(input, shape[:start] + (merged,) + shape[end + 1 :])


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Remove dimensions of size 1 (all, or those in ``dim``)."""
    shape = input._data.shape
    axes = normalize_dims(dim, len(shape), "squeeze")
    keep = [
        size for axis, size in enumerate(shape)
        if size != 1 or (axes is not None and axis not in axes)
    ]  # fmt: skip
    return reshape(input, tuple(keep))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at ``dim``."""
    shape = input._data.shape
    axis = normalize_dim(dim, len(shape), "unsqueeze", extra=1)
    return reshape(input, shape[:axis] + (1,) + shape[axis:])


def permute(input: Tensor, *dims: Any) -> Tensor:
    """Reorder the dimensions: ``x.permute(2, 0, 1)``."""
    dims = sizes_argument(dims)
    ndim = input._data.ndim
    axes = tuple(normalize_dim(d, ndim, "permute") for d in dims)
    if sorted(axes) != list(range(ndim)):
        raise ValueError(
            f"permute: {dims} is not a permutation of the {ndim} dimensions of a tensor "
            f"of shape {input._data.shape}"
        )
    return Permute.apply(input, axes)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions."""
    ndim = input._data.ndim
    axes = list(range(ndim))
    first = normalize_dim(dim0, ndim, "transpose")
    second = normalize_dim(dim1, ndim, "transpose")
    axes[first], axes[second] = axes[second], axes[first]
    return Permute.apply(input, tuple(axes))


def reversed_dims(input: Tensor) -> Tensor:
    """All dimensions reversed (``x.T``: the transpose of a matrix)."""
    ndim = input._data.ndim
    return input if ndim < 2 else Permute.apply(input, tuple(range(ndim - 1, -1, -1)))


def last_two_swapped(input: Tensor) -> Tensor:
    """The last two dimensions swapped (``x.mT``: a batch of matrices transposed)."""
    return transpose(input, -2, -1)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to ``sizes`` without copying (-1 keeps a dimension)."""
    sizes = sizes_argument(sizes)
    shape = input._data.shape
    lead = len(sizes) - len(shape)
    target = tuple(
        shape[i - lead] if size == -1 and i >= lead else size for i, size in enumerate(sizes)
    )
    return broadcast_to(input, target)


def broadcast_to(input: Tensor, shape: Any) -> Tensor:
    """Broadcast to ``shape`` with NumPy's rules, without copying."""
    shape = tuple(shape)
    try:
        np.broadcast_shapes(input._data.shape, shape)
    except ValueError:
        raise ValueError(
            f"broadcast_to: cannot broadcast shape {input._data.shape} to {shape}; each "
            "dimension must be equal or 1"
        ) from None
    return Expand.apply(input, shape)


def _resolve_shape(size: int, shape: tuple) -> tuple[int, ...]:
    """``shape`` with a -1 replaced by the size it must have."""
    dims = [int(d) for d in shape]
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1 or any(d < -1 for d in dims):
        raise ValueError("only one dimension can be -1 and sizes must be non-negative")
    known = math.prod(d for d in dims if d != -1)
    if unknown:
        if known == 0 or size % known:
            raise ValueError(f"{size} elements do not split into {tuple(dims)}")
        dims[unknown[0]] = size // known
    elif known != size:
        raise ValueError(f"{size} elements do not fit {known} places")
    return tuple(dims)


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension ``dim``."""
    items = _tensors("cat", tensors)
    ndim = items[0].ndim
    if ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    axis = normalize_dim(dim, ndim, "cat")
    first = items[0].shape
    for position, item in enumerate(items[1:], start=1):
        if item.ndim != ndim or item.shape[:axis] + item.shape[axis + 1 :] != (
            first[:axis] + first[axis + 1 :]
        ):
            raise ValueError(
                f"cat: tensor {position} has shape {item.shape} but tensor 0 has shape "
                f"{first}; all sizes except along dim {dim} must match"
            )
    return Cat.apply(axis, *items)


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join tensors of the same shape along a new dimension ``dim``."""
    items = _tensors("stack", tensors)
    shape = items[0].shape
    for position, item in enumerate(items[1:], start=1):
        if item.shape != shape:
            raise ValueError(
                f"stack: tensor {position} has shape {item.shape} but tensor 0 has shape "
                f"{shape}; stack needs equal shapes"
            )
    axis = normalize_dim(dim, len(shape), "stack", extra=1)
    return Cat.apply(axis, *(unsqueeze(item, axis) for item in items))


def _tensors(op: str, tensors: Sequence[Any]) -> list[Tensor]:
    tensor_cls = function.Tensor
    if isinstance(tensors, tensor_cls) or not isinstance(tensors, Sequence) or not tensors:
        raise TypeError(f"{op}: expected a non-empty list or tuple of tensors")
    return [item if isinstance(item, tensor_cls) else tensor_cls(item) for item in tensors]
