"""Indexing: ``x[index]`` (differentiable), the index written by ``x[index] = value``, where."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import function
from ..ops.elementwise import Where
from ..ops.movement import GetItem
from .arithmetic import operand

if TYPE_CHECKING:
    from ..tensor import Tensor


def getitem(input: Tensor, index: Any) -> Tensor:
    """``input[index]`` with NumPy's indexing rules; the gradient goes back to the picked
    elements (repeated indices accumulate)."""
    index = normalize_index(index, "getitem")
    try:
        return GetItem.apply(input, index)
    except IndexError as error:
        raise IndexError(f"getitem: {error} (tensor shape {input._data.shape})") from None


def normalize_index(index: Any, op: str) -> Any:
    """Tensors, lists and arrays in an index become private array copies (backward keeps the
    index, so later changes to the caller's array must not move the gradient); float index
    tensors are refused."""
    items = index if isinstance(index, tuple) else (index,)
    converted = []
    for item in items:
        if isinstance(item, function.Tensor):
            item = np.array(item._data)
        elif isinstance(item, (list, np.ndarray)):
            item = np.array(item)
        if isinstance(item, np.ndarray) and item.dtype.kind not in "biu":
            raise IndexError(
                f"{op}: index arrays must hold integers or booleans, got dtype {item.dtype}; "
                "convert with .long()"
            )
        converted.append(item)
    return tuple(converted) if isinstance(index, tuple) else converted[0]


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` holds, else ``other`` (numbers allowed for either).

    >>> import tinygrad_fr as tg
    >>> x = tg.Tensor([-1.0, 2.0])
    >>> tg.where(x > 0, x, 0.0)
    Tensor([0., 2.])
    """
    tensor_cls = function.Tensor
    anchor = input if isinstance(input, tensor_cls) else other
    if not isinstance(anchor, tensor_cls):
        anchor = input = tensor_cls(input)
    condition = condition._data if isinstance(condition, tensor_cls) else condition
    operands = (operand(anchor, input), operand(anchor, other))
    for position, value in enumerate(operands):
        if value is NotImplemented:
            given = (input, other)[position]
            raise TypeError(f"where: cannot use {type(given).__name__} as a tensor operand")
    return Where.apply(condition, *operands)
