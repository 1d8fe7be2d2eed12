"""Primitives that work along axes: sum, mean, max/min, softmax, log-softmax.

Axes arrive normalised by the Tensor method: a tuple of non-negative ints, or None for all.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Primitive
from .dispatch import broadcast_to, exp
from .movement import index_add


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """``shape`` with the reduced axes set to 1 (the shape ``keepdims=True`` gives)."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if axis in axes else size for axis, size in enumerate(shape))


def _expand_back(ctx: Any, grad: Any) -> Any:
    """The gradient of a reduction's output, broadcast back over the reduced axes."""
    if not ctx.keepdims and ctx.axes is not None:
        grad = grad.reshape(kept_shape(ctx.in_shape, ctx.axes))
    return broadcast_to(grad, ctx.in_shape)


class Sum(Primitive):
    """out = x summed over ``axes``;  dx = grad repeated over those axes"""

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple | None, keepdims: bool) -> Any:
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        return np.add.reduce(x, axis=axes, keepdims=keepdims)  # type: ignore[call-overload]

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _expand_back(ctx, grad)


class Mean(Primitive):
    """out = mean of x over ``axes``;  dx = grad / n repeated over those axes"""

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple | None, keepdims: bool) -> Any:
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        shape = x.shape
        count = math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)
        ctx.count = count
        # add.reduce then divide, as np.mean does, without its Python wrapper
        return np.add.reduce(x, axis=axes, keepdims=keepdims) / count  # type: ignore[call-overload]

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _expand_back(ctx, grad / ctx.count)


class Amax(Primitive):
    """out = max of x over ``axes``;  dx = grad shared evenly between tied maxima"""

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple | None, keepdims: bool) -> Any:
        return _extremum_forward(ctx, x, axes, keepdims, np.max)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _extremum_backward(ctx, grad)


class Amin(Primitive):
    """out = min of x over ``axes``;  dx = grad shared evenly between tied minima"""

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple | None, keepdims: bool) -> Any:
        return _extremum_forward(ctx, x, axes, keepdims, np.min)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _extremum_backward(ctx, grad)


def _extremum_forward(ctx: Any, x: Any, axes: Any, keepdims: bool, reduce: Any) -> Any:
    ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
    out = reduce(x, axis=axes, keepdims=True)
    hits = x == out
    ctx.save_for_backward(hits / hits.sum(axis=axes, keepdims=True, dtype=x.dtype))
    if keepdims:
        return out
    return out.reshape(
        () if axes is None else tuple(size for axis, size in enumerate(x.shape) if axis not in axes)
    )


def _extremum_backward(ctx: Any, grad: Any) -> Any:
    (share,) = ctx.saved_tensors
    if not ctx.keepdims:
        grad = grad.reshape(kept_shape(ctx.in_shape, ctx.axes))
    return grad * share


class ExtremumAlong(Primitive):
    """out = max (or min, per ``pick``) of x along one axis;  dx = grad at the index picked"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int, keepdims: bool, pick: Any) -> Any:
        indices = pick(x, axis=axis, keepdims=True)
        grid = list(np.indices(indices.shape, sparse=True))
        grid[axis] = indices
        ctx.in_shape, ctx.index, ctx.axis, ctx.keepdims = x.shape, tuple(grid), axis, keepdims
        out = x[tuple(grid)]
        return out if keepdims else out.squeeze(axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if not ctx.keepdims:
            grad = grad.reshape(kept_shape(ctx.in_shape, (ctx.axis,)))
        return index_add(ctx.in_shape, ctx.index, grad)


class Softmax(Primitive):
    """out = exp(x) / sum(exp(x)) along ``axis``;  dx = out * (grad - sum(grad * out))"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int) -> Any:
        ctx.axis = axis
        out = np.exp(x - x.max(axis=axis, keepdims=True))  # shifted: never overflows
        out /= out.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return out * (grad - (grad * out).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Primitive):
    """out = x - log(sum(exp(x))) along ``axis``;  dx = grad - exp(out) * sum(grad)"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int) -> Any:
        ctx.axis = axis
        shifted = x - x.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad - exp(out) * grad.sum(axis=ctx.axis, keepdims=True)


PRIMITIVES = (Sum, Mean, Amax, Amin, ExtremumAlong, Softmax, LogSoftmax)
