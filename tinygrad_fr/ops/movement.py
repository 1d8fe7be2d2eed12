"""Primitives that move or select elements: reshape, permute, expand, indexing, concatenate.

Their results are views of the input where NumPy allows it, so they share its version counter.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..autograd.function import Primitive
from .dispatch import is_tensor, permute


class Reshape(Primitive):
    """out = x with a new shape;  dx = grad with x's shape"""

    _is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple[int, ...]) -> Any:
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad.reshape(ctx.in_shape)

    @staticmethod
    def put_back(base: Any, value: Any, shape: tuple[int, ...]) -> Any:
        return Reshape.apply(value, base.shape)


class Permute(Primitive):
    """out = x with its axes reordered;  dx = grad with the inverse order"""

    _is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple[int, ...]) -> Any:
        ctx.inverse = tuple(np.argsort(axes).tolist())
        return x.transpose(axes)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return permute(grad, ctx.inverse)

    @staticmethod
    def put_back(base: Any, value: Any, axes: tuple[int, ...]) -> Any:
        return Permute.apply(value, tuple(np.argsort(axes).tolist()))


class Expand(Primitive):
    """out = x broadcast to ``shape`` (a read-only view);  dx = grad summed back (by the engine)"""

    _is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple[int, ...]) -> Any:
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad


class GetItem(Primitive):
    """out = x[index];  dx = zeros with grad added at index (repeated indices accumulate)"""

    _is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, index: Any) -> Any:
        ctx.in_shape, ctx.index = x.shape, index
        out = x[index]
        if type(out) is not np.ndarray:  # integers only: a scalar copy, where PyTorch gives
            out = x[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]  # a view
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return index_add(ctx.in_shape, ctx.index, grad)

    @staticmethod
    def put_back(base: Any, value: Any, index: Any) -> Any:
        return IndexPut.apply(base, index, value)


class IndexAdd(Primitive):
    """out = zeros(shape) with values added at index;  dvalues = grad[index]"""

    @staticmethod
    def forward(ctx: Any, values: Any, index: Any, shape: tuple[int, ...]) -> Any:
        ctx.index = index
        return _index_add_arrays(shape, index, values)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad[ctx.index]


class IndexPut(Primitive):
    """out = x with out[index] = value;  dx = grad with zeros at index, dvalue = grad[index]"""

    @staticmethod
    def forward(ctx: Any, x: Any, index: Any, value: Any) -> Any:
        ctx.index = index
        out = x.copy()
        out[index] = value
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        needs_x, _, needs_value = ctx.next_edges
        grad_x = put(grad, ctx.index, 0.0) if needs_x is not None else None
        grad_value = grad[ctx.index] if needs_value is not None else None
        return grad_x, None, grad_value


def index_add(shape: tuple[int, ...], index: Any, values: Any) -> Any:
    """A zero array of ``shape`` with ``values`` added at ``index`` (repeats accumulate), on
    arrays or (recorded) on Tensors."""
    if is_tensor(values):
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


def put(x: Any, index: Any, value: Any) -> Any:
    """A copy of ``x`` with ``value`` written at ``index``, on arrays or (recorded) on Tensors."""
    if is_tensor(x):
        return IndexPut.apply(x, index, value)
    out = x.copy()
    out[index] = value
    return out


class Cat(Primitive):
    """out = the inputs joined along ``axis``;  each input gets its slice of grad"""

    @staticmethod
    def forward(ctx: Any, axis: int, *xs: Any) -> Any:
        ctx.axis = axis
        ctx.bounds = np.cumsum([0] + [x.shape[axis] for x in xs]).tolist()
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        lead = (slice(None),) * ctx.axis
        bounds = ctx.bounds
        return (None,) + tuple(
            grad[lead + (slice(start, stop),)] for start, stop in itertools.pairwise(bounds)
        )


PRIMITIVES = (Reshape, Permute, Expand, GetItem, IndexAdd, IndexPut, Cat)
