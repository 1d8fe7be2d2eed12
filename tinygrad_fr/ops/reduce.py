"""Primitives that work along axes: sum, mean, max/min, softmax, log-softmax.

Axes arrive normalised by the Tensor method: a tuple of non-negative ints, or None for all.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Primitive
from . import dispatch as d
from .dispatch import broadcast_to, constant, exp
from .elementwise import where
from .movement import index_add
from .scan import exclusive_product


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


def _kept(ctx: Any, value: Any) -> Any:
    """A reduction's output (or its gradient) with the reduced axes back as size 1."""
    return value if ctx.keepdims else value.reshape(kept_shape(ctx.in_shape, ctx.axes))


class Prod(Primitive):
    """out = product of x over ``axes`` (one axis, or all);  dx = grad * the product of the
    other elements (out / x when no element is zero)"""

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple | None, keepdims: bool) -> Any:
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        out = np.prod(x, axis=axes, keepdims=keepdims)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        grad, out = _kept(ctx, grad), _kept(ctx, out)
        if np.all(constant(x) != 0):
            return grad * out / x
        if ctx.axes is None:
            others = exclusive_product(x.reshape((-1,)), 0).reshape(ctx.in_shape)
        else:
            others = exclusive_product(x, ctx.axes[0])
        return grad * others


class LogSumExp(Primitive):
    """out = log(sum(exp(x))) over ``axes``, computed stably;  dx = grad * exp(x - out)"""

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple | None, keepdims: bool) -> Any:
        ctx.in_shape, ctx.axes, ctx.keepdims = x.shape, axes, keepdims
        if x.size:
            peak = np.max(x, axis=axes, keepdims=True)
            peak = np.where(np.isfinite(peak), peak, 0).astype(x.dtype)  # all -inf: -inf
        else:
            peak = np.zeros(kept_shape(x.shape, axes), x.dtype)
        with np.errstate(divide="ignore"):
            out = np.log(np.exp(x - peak).sum(axis=axes, keepdims=True)) + peak
        if not keepdims:
            out = out.reshape(()) if axes is None else np.squeeze(out, axis=axes)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        return _kept(ctx, grad) * exp(x - _kept(ctx, out))


class Norm(Primitive):
    """out = (sum |x|**p)**(1/p) over ``axes``;  dx = grad * sign(x) |x|**(p-1) / out**(p-1),
    0 where out == 0 (PyTorch's formula; p = 1, 2, ±inf, 0 are composites on Tensor)"""

    @staticmethod
    def forward(ctx: Any, x: Any, p: float, axes: tuple | None, keepdims: bool) -> Any:
        ctx.in_shape, ctx.axes, ctx.keepdims, ctx.p = x.shape, axes, keepdims, p
        out = np.sum(np.abs(x) ** p, axis=axes, keepdims=keepdims) ** (1.0 / p)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        grad, out, p = _kept(ctx, grad), _kept(ctx, out), ctx.p
        if p < 1:
            zero = constant(x) == 0
            scaled = d.sign(x) * where(zero, 0.0, where(zero, 1.0, d.abs(x)) ** (p - 1))
            return scaled * grad * out ** (1 - p)
        flat = constant(out) == 0
        scale = where(flat, 0.0, grad / where(flat, 1.0, out) ** (p - 1))
        if p < 2:
            return d.sign(x) * d.abs(x) ** (p - 1) * scale
        return x * d.abs(x) ** (p - 2) * scale


PRIMITIVES = (Sum, Mean, Amax, Amin, ExtremumAlong, Softmax, LogSoftmax, Prod, LogSumExp, Norm)
