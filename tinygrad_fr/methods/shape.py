"""Shape methods: reshape, squeeze, permute, transpose, expand, repeat, flip; splitting
(chunk, split, unbind) and joining tensors (cat, stack); triangles (tril, triu)."""

from __future__ import annotations

import itertools
import math
from builtins import sum as builtins_sum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..autograd import function
from ..ops.elementwise import Where
from ..ops.movement import Cat, Expand, GetItem, Permute, Reshape
from .arithmetic import cast
from .dims import normalize_dim, normalize_dims, sizes_argument

if TYPE_CHECKING:
    from ..tensor import Tensor


def reshape(input: Tensor, *shape: Any) -> Tensor:
    """The same data with a new shape (one dimension may be -1)."""
    shape = sizes_argument(shape)
    try:
        target = _resolve_shape(input._data.size, shape)
    except ValueError as error:
        raise RuntimeError(
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
        raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
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
        raise RuntimeError(
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


def t(input: Tensor) -> Tensor:
    """The transpose of a matrix; a 0-d or 1-D tensor is returned as is."""
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(
            f"t: expects a tensor with <= 2 dimensions, but this one has {ndim}; use "
            "transpose(dim0, dim1) or .mT"
        )
    return input if ndim < 2 else Permute.apply(input, (1, 0))


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """The same data with the shape of ``other``."""
    return reshape(input, other.shape)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """Broadcast to the shape of ``other`` without copying."""
    return broadcast_to(input, other.shape)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Tile the tensor ``sizes[i]`` times along dimension i (as ``np.tile``); extra sizes
    add leading dimensions."""
    sizes = tuple(int(size) for size in sizes_argument(sizes))
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"repeat: the number of repeat sizes ({len(sizes)}) can not be smaller than the "
            f"number of dimensions of the tensor (shape {shape})"
        )
    shape = (1,) * (len(sizes) - len(shape)) + shape
    interleaved = tuple(value for size in shape for value in (1, size))
    expanded = tuple(value for count, size in zip(sizes, shape) for value in (count, size))
    tiled = Expand.apply(Reshape.apply(input, interleaved), expanded)
    return Reshape.apply(tiled, tuple(count * size for count, size in zip(sizes, shape)))


def flip(input: Tensor, *args: Any, dims: Any = None) -> Tensor:
    """Reverse the order of the elements along each of ``dims``."""
    dims = sizes_argument(args) if dims is None else dims
    axes = normalize_dims(dims, input._data.ndim, "flip") or ()
    index = tuple(
        slice(None, None, -1) if axis in axes else slice(None) for axis in range(input.ndim)
    )
    return GetItem.apply(input, index)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The ``length`` elements from ``start`` along ``dim`` (a view)."""
    axis = normalize_dim(dim, input._data.ndim, "narrow")
    size = input._data.shape[axis]
    start = start + size if start < 0 else start
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise IndexError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension size ({size})"
        )
    return _slice(input, axis, start, start + length)


def _slice(input: Tensor, axis: int, start: int, stop: int) -> Tensor:
    return GetItem.apply(input, (slice(None),) * axis + (slice(start, stop),))


def split(input: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size_or_sections`` elements along ``dim`` (the last may be smaller),
    or of the given sizes when it is a list."""
    axis = normalize_dim(dim, input._data.ndim, "split")
    size = input._data.shape[axis]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step <= 0 and size:
            raise RuntimeError(f"split: split_size must be positive, got {step}")
        bounds = list(range(0, size, step)) + [size] if size else [0, 0]
    else:
        sections = [int(n) for n in split_size_or_sections]
        if builtins_sum(sections) != size:
            raise RuntimeError(
                f"split: split sizes {sections} must sum to the size of dimension {dim}, {size}"
            )
        bounds = [0] + np.cumsum(sections).tolist()
    return tuple(_slice(input, axis, start, stop) for start, stop in itertools.pairwise(bounds))


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` pieces of equal size along ``dim`` (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk: chunks must be greater than 0, got {chunks}")
    axis = normalize_dim(dim, input._data.ndim, "chunk")
    size = input._data.shape[axis]
    return split(input, max(-(-size // chunks), 1), axis)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, each without that dimension."""
    axis = normalize_dim(dim, input._data.ndim, "unbind")
    lead = (slice(None),) * axis
    return tuple(GetItem.apply(input, lead + (i,)) for i in range(input._data.shape[axis]))


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dimensions (the rest set to 0)."""
    return _triangle(input, np.tril, diagonal, "tril")


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dimensions (the rest set to 0)."""
    return _triangle(input, np.triu, diagonal, "triu")


def _triangle(input: Tensor, pick: Any, diagonal: int, op: str) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    keep = pick(np.ones(input._data.shape[-2:], dtype=bool), diagonal)
    return Where.apply(keep, input, np.zeros((), input._data.dtype))


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
        raise RuntimeError(
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
        raise RuntimeError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    axis = normalize_dim(dim, ndim, "cat")
    first = items[0].shape
    for position, item in enumerate(items[1:], start=1):
        if item.ndim != ndim or item.shape[:axis] + item.shape[axis + 1 :] != (
            first[:axis] + first[axis + 1 :]
        ):
            raise RuntimeError(
                f"cat: tensor {position} has shape {item.shape} but tensor 0 has shape "
                f"{first}; all sizes except along dim {dim} must match"
            )
    return Cat.apply(axis, *_same_dtype(items))


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join tensors of the same shape along a new dimension ``dim``."""
    items = _tensors("stack", tensors)
    shape = items[0].shape
    for position, item in enumerate(items[1:], start=1):
        if item.shape != shape:
            raise RuntimeError(
                f"stack: tensor {position} has shape {item.shape} but tensor 0 has shape "
                f"{shape}; stack needs equal shapes"
            )
    axis = normalize_dim(dim, len(shape), "stack", extra=1)
    return Cat.apply(axis, *(unsqueeze(item, axis) for item in _same_dtype(items)))


def _same_dtype(items: list[Tensor]) -> list[Tensor]:
    """The tensors in their common dtype (PyTorch's promotion), for cat and stack."""
    target = dtypes.result_type(*items)
    return [cast(item, target) for item in items]


def _tensors(op: str, tensors: Sequence[Any]) -> list[Tensor]:
    tensor_cls = function.Tensor
    if isinstance(tensors, tensor_cls) or not isinstance(tensors, Sequence) or not tensors:
        raise TypeError(f"{op}: expected a non-empty list or tuple of tensors")
    return [item if isinstance(item, tensor_cls) else tensor_cls(item) for item in tensors]
