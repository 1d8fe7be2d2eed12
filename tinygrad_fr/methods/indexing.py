"""Indexing: ``x[index]`` (differentiable) with PyTorch's rules, ``index_select``, ``gather``,
``masked_fill``, ``masked_select``, ``nonzero`` and ``where``.

Indexing is NumPy's except where PyTorch differs: an int beside an index array selects first
(as ``x[0]`` would), so ``x[0, :, [0, 1]]`` on a (2, 3, 4) tensor is (3, 2) as in PyTorch,
not NumPy's (2, 3). Such an index runs as two steps, the ints, then the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..arrays import tensor_of
from ..autograd import function
from ..ops.elementwise import Where
from ..ops.movement import Expand, GetItem
from ..ops.nondiff import NonZero
from .arithmetic import cast, operand
from .dims import normalize_dim

if TYPE_CHECKING:
    from ..tensor import Tensor


def getitem(input: Tensor, index: Any) -> Tensor:
    """``input[index]``; the gradient goes back to the picked elements (repeated indices
    accumulate)."""
    index = normalize_index(index, "getitem")
    try:
        steps = split_index(index, input._data.ndim)
        if steps is None:
            return GetItem.apply(input, index)
        return GetItem.apply(GetItem.apply(input, steps[0]), steps[1])
    except IndexError as error:
        raise IndexError(f"getitem: {error} (tensor shape {input._data.shape})") from None


def normalize_index(index: Any, op: str) -> Any:
    """Tensors, lists and arrays in an index become private array copies (backward keeps the
    index, so later changes to the caller's array must not move the gradient), 0-d integer
    ones become ints (as PyTorch treats them); float index tensors are refused."""
    items = index if isinstance(index, tuple) else (index,)
    converted = []
    for item in items:
        if isinstance(item, function.Tensor):
            item = np.array(item._data)
        elif isinstance(item, (list, np.ndarray)):
            # an empty list selects nothing, as PyTorch (NumPy would make it float64)
            item = (
                np.array(item, dtype=np.int64)
                if isinstance(item, list) and not item
                else np.array(item)
            )
        if isinstance(item, np.ndarray):
            if item.dtype.kind not in "biu":
                raise IndexError(
                    f"{op}: tensors used as indices must be long, int or bool tensors, got "
                    f"dtype {item.dtype}; convert with .long()"
                )
            if item.ndim == 0 and item.dtype.kind != "b":
                item = int(item)
        converted.append(item)
    return tuple(converted) if isinstance(index, tuple) else converted[0]


def _is_int(item: Any) -> bool:
    return isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_))


def split_index(index: Any, ndim: int) -> tuple[tuple, tuple] | None:
    """An index mixing ints and index arrays as (the ints, the rest), the two steps PyTorch's
    indexing amounts to; None for any other index (NumPy's rules are PyTorch's there)."""
    items = index if isinstance(index, tuple) else (index,)
    arrays = [item for item in items if isinstance(item, np.ndarray)]
    if not arrays or not any(_is_int(item) for item in items):
        return None
    width = sum(
        item.ndim if isinstance(item, np.ndarray) and item.dtype.kind == "b" else 1
        for item in items
        if item is not None and item is not Ellipsis
    )
    first: list = []
    second: list = []
    for item in items:
        if item is Ellipsis:
            first.extend([slice(None)] * (ndim - width))
            second.append(Ellipsis)
        elif item is None:
            second.append(None)
        elif _is_int(item):
            first.append(item)
        else:
            wide = item.ndim if isinstance(item, np.ndarray) and item.dtype.kind == "b" else 1
            first.extend([slice(None)] * wide)
            second.append(item)
    return tuple(first), tuple(second)


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The entries at ``index`` (a 1-D integer tensor) along ``dim``."""
    axis = normalize_dim(dim, input._data.ndim, "index_select")
    picked = np.array(getattr(index, "_data", index))
    if picked.ndim > 1 or picked.dtype.kind not in "iu":
        raise IndexError(
            f"index_select: index must be a 0-d or 1-D integer tensor, got shape "
            f"{picked.shape} and dtype {picked.dtype}"
        )
    return getitem(input, (slice(None),) * axis + (picked.reshape(-1),))


def gather(input: Tensor, dim: int, index: Any) -> Tensor:
    """out[i][j][k] = input[i][index[i][j][k]][k] for dim 1 (likewise for any dim)."""
    axis = normalize_dim(dim, input._data.ndim, "gather")
    picked = np.array(getattr(index, "_data", index))
    if picked.dtype.kind not in "iu":
        raise RuntimeError(f"gather: index must be an integer tensor, got dtype {picked.dtype}")
    shape = input._data.shape
    if picked.ndim != len(shape) or any(
        n > m for d, (n, m) in enumerate(zip(picked.shape, shape)) if d != axis
    ):
        raise RuntimeError(
            f"gather: index of shape {picked.shape} does not fit input of shape {shape}: "
            f"same number of dimensions, and no larger except along dim {dim}"
        )
    grid: list[Any] = list(np.indices(picked.shape, sparse=True))
    grid[axis] = picked
    return getitem(input, tuple(grid))


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """``value`` where ``mask`` (a bool tensor, broadcast) holds, else ``input``."""
    condition = _bool_mask(mask, "masked_fill")
    if isinstance(value, function.Tensor):
        if value._data.ndim:
            raise RuntimeError(
                f"masked_fill: only supports a 0-dimensional value tensor, but got one with "
                f"{value._data.ndim} dimension(s)"
            )
        fill: Any = cast(value, input._data.dtype)
    else:
        fill = np.asarray(value).astype(input._data.dtype)
    return Where.apply(condition, fill, input)


def masked_select(input: Tensor, mask: Any) -> Tensor:
    """The elements where ``mask`` holds, as a 1-D tensor (mask and input broadcast)."""
    condition = _bool_mask(mask, "masked_select")
    shape = np.broadcast_shapes(input._data.shape, condition.shape)
    full = input if input._data.shape == shape else Expand.apply(input, shape)
    return GetItem.apply(full, np.broadcast_to(condition, shape).copy())


def _bool_mask(mask: Any, op: str) -> np.ndarray:
    condition = np.asarray(getattr(mask, "_data", mask))
    if condition.dtype.kind != "b":
        raise RuntimeError(
            f"{op}: only supports boolean masks, but got a mask with dtype {condition.dtype}; "
            "compare first (x > 0) or convert with .bool()"
        )
    return condition


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, or one 1-D tensor
    per dimension with ``as_tuple=True``."""
    indices = NonZero.apply(input)
    if not as_tuple:
        return indices
    return tuple(GetItem.apply(indices, (slice(None), d)) for d in range(input._data.ndim))


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """``input`` where ``condition`` holds, else ``other`` (numbers allowed for either), in
    their promoted dtype; ``where(condition)`` alone is ``nonzero(as_tuple=True)``.

    >>> import tinygrad_fr as tg
    >>> x = tg.tensor([-1.0, 2.0])
    >>> tg.where(x > 0, x, 0.0)
    tensor([0., 2.])
    """
    tensor_cls = function.Tensor
    if input is None and other is None:
        return nonzero(tensor_of(condition, "where"), as_tuple=True)
    anchor = input if isinstance(input, tensor_cls) else other
    if not isinstance(anchor, tensor_cls):
        anchor = input = tensor_of(input, "where")
    condition = condition._data if isinstance(condition, tensor_cls) else condition
    operands = (operand(anchor, input), operand(anchor, other))
    for position, value in enumerate(operands):
        if value is NotImplemented:
            given = (input, other)[position]
            raise TypeError(f"where: cannot use {type(given).__name__} as a tensor operand")
    target = dtypes.result_type(*operands)
    return Where.apply(condition, *(cast(value, target) for value in operands))


def where_method(input: Tensor, condition: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` holds, else ``other`` (``x.where(cond, y)``)."""
    return where(condition, input, other)
