"""Primitives that move or select elements: reshape, permute, expand, indexing, concatenate.

Their results are views of the input where NumPy allows it, so they share its version counter.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..autograd.function import Primitive
from .dispatch import _index_add_arrays, index_add, permute


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
        return x[index]

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return index_add(ctx.in_shape, ctx.index, grad)


class IndexAdd(Primitive):
    """out = zeros(shape) with values added at index;  dvalues = grad[index]"""

    @staticmethod
    def forward(ctx: Any, values: Any, index: Any, shape: tuple[int, ...]) -> Any:
        ctx.index = index
        return _index_add_arrays(shape, index, values)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad[ctx.index]


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


PRIMITIVES = (Reshape, Permute, Expand, GetItem, IndexAdd, Cat)
