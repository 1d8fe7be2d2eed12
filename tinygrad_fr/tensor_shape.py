"""The shape, indexing and dtype methods of Tensor: reshape, permute, expand, [], to...

Like :mod:`tinygrad_fr.tensor_math`, each method checks its arguments and applies one op.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .ops.elementwise import Cast, Clone
from .ops.movement import Expand, GetItem, Permute, Reshape
from .tensor_math import TensorMath, normalize_dim, normalize_dims

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorShape:
    """Mixin holding the shape, indexing and dtype methods of :class:`tinygrad_fr.Tensor`."""

    __slots__ = ()
    _data: np.ndarray
    _requires_grad: bool
    if TYPE_CHECKING:  # provided by Tensor

        def detach(self) -> Tensor: ...

    # -- shape ------------------------------------------------------------------------------

    def reshape(self, *shape: Any) -> Tensor:
        """The same data with a new shape (one dimension may be -1)."""
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        try:
            target = _resolve_shape(self._data.size, shape)
        except ValueError as error:
            raise ValueError(
                f"reshape: cannot reshape {self._data.shape} to {shape}: {error}"
            ) from None
        return Reshape.apply(self, target)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions start_dim..end_dim into one."""
        shape = self._data.shape
        if not shape:
            return self.reshape(1)
        start = normalize_dim(start_dim, len(shape), "flatten")
        end = normalize_dim(end_dim, len(shape), "flatten")
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        merged = math.prod(shape[start : end + 1])
        return self.reshape(shape[:start] + (merged,) + shape[end + 1 :])

    def squeeze(self, dim: Any = None) -> Tensor:
        """Remove dimensions of size 1 (all, or those in ``dim``)."""
        shape = self._data.shape
        axes = normalize_dims(dim, len(shape), "squeeze")
        keep = [
            size for axis, size in enumerate(shape)
            if size != 1 or (axes is not None and axis not in axes)
        ]  # fmt: skip
        return self.reshape(tuple(keep))

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a dimension of size 1 at ``dim``."""
        shape = self._data.shape
        axis = normalize_dim(dim, len(shape), "unsqueeze", extra=1)
        return self.reshape(shape[:axis] + (1,) + shape[axis:])

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dimensions: ``x.permute(2, 0, 1)``."""
        if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):
            dims = tuple(dims[0])
        ndim = self._data.ndim
        axes = tuple(normalize_dim(d, ndim, "permute") for d in dims)
        if sorted(axes) != list(range(ndim)):
            raise ValueError(
                f"permute: {dims} is not a permutation of the {ndim} dimensions of a tensor "
                f"of shape {self._data.shape}"
            )
        return Permute.apply(self, axes)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dimensions."""
        ndim = self._data.ndim
        axes = list(range(ndim))
        first = normalize_dim(dim0, ndim, "transpose")
        second = normalize_dim(dim1, ndim, "transpose")
        axes[first], axes[second] = axes[second], axes[first]
        return Permute.apply(self, tuple(axes))

    swapaxes = transpose

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """All dimensions reversed (the transpose of a matrix)."""
        ndim = self._data.ndim
        return self if ndim < 2 else Permute.apply(self, tuple(range(ndim - 1, -1, -1)))  # type: ignore[return-value]

    @property
    def mT(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """The last two dimensions swapped (a batch of matrices transposed)."""
        return self.transpose(-2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to ``sizes`` without copying (-1 keeps a dimension)."""
        if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer)):
            sizes = tuple(sizes[0])
        shape = self._data.shape
        lead = len(sizes) - len(shape)
        target = tuple(
            shape[i - lead] if size == -1 and i >= lead else size for i, size in enumerate(sizes)
        )
        return self.broadcast_to(target)

    def broadcast_to(self, shape: Any) -> Tensor:
        """Broadcast to ``shape`` with NumPy's rules, without copying."""
        shape = tuple(shape)
        try:
            np.broadcast_shapes(self._data.shape, shape)
        except ValueError:
            raise ValueError(
                f"broadcast_to: cannot broadcast shape {self._data.shape} to {shape}; each "
                "dimension must be equal or 1"
            ) from None
        return Expand.apply(self, shape)

    def __getitem__(self, index: Any) -> Tensor:
        index = _index_for_numpy(index)
        try:
            return GetItem.apply(self, index)
        except IndexError as error:
            raise IndexError(f"getitem: {error} (tensor shape {self._data.shape})") from None

    # -- dtype and copies -------------------------------------------------------------------

    def to(self, dtype: Any) -> Tensor:
        """Convert to ``dtype`` (differentiable between floating dtypes)."""
        target = np.dtype(dtype)
        if target == self._data.dtype:
            return self  # type: ignore[return-value]
        if target.kind != "f":  # integers and booleans carry no gradient, as in PyTorch
            return Cast.apply(self.detach(), target)
        return Cast.apply(self, target)

    type = to
    astype = to

    def float(self) -> Tensor:
        """Convert to float32."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """Convert to float64."""
        return self.to(np.float64)

    def long(self) -> Tensor:
        """Convert to int64 (not differentiable)."""
        return self.to(np.int64)

    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph (gradient flows back unchanged)."""
        return Clone.apply(self)

    def contiguous(self) -> Tensor:
        """Self: tinygrad_fr has no strides to make contiguous."""
        return self  # type: ignore[return-value]


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


def _index_for_numpy(index: Any) -> Any:
    """Tensors, lists and arrays in an index become private array copies (backward keeps the
    index, so later changes to the caller's array must not move the gradient); float index
    tensors are refused."""
    items = index if isinstance(index, tuple) else (index,)
    converted = []
    for item in items:
        if isinstance(item, TensorMath):
            item = np.array(item._data)
        elif isinstance(item, (list, np.ndarray)):
            item = np.array(item)
        if isinstance(item, np.ndarray) and item.dtype.kind not in "biu":
            raise IndexError(
                f"getitem: index arrays must hold integers or booleans, got dtype {item.dtype}; "
                "convert with .long()"
            )
        converted.append(item)
    return tuple(converted) if isinstance(index, tuple) else converted[0]
