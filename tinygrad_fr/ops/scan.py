"""Scans: running sums and products along one axis (``cumsum``, ``cumprod``).

Their backward runs the scan the other way: the gradient of each element collects the
gradients of every later output. Products with zeros take a slower path that never divides.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Primitive
from .dispatch import concatenate, constant, cumprod, cumsum, flip


class Cumsum(Primitive):
    """out[i] = x[0] + ... + x[i] along ``axis``;  dx[i] = grad[i] + ... + grad[n-1]"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int) -> Any:
        ctx.axis = axis
        return np.cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return reversed_cumsum(grad, ctx.axis)


class Cumprod(Primitive):
    """out[i] = x[0] * ... * x[i] along ``axis``;  dx[i] = sum over k >= i of
    grad[k] * out[k] / x[i] (computed without dividing where x holds zeros)"""

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int) -> Any:
        ctx.axis = axis
        out = np.cumprod(x, axis=axis)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        if np.all(constant(x) != 0):
            return reversed_cumsum(grad * out, ctx.axis) / x
        return cumprod_backward_with_zeros(x, grad, ctx.axis)


def reversed_cumsum(x: Any, axis: int) -> Any:
    """out[i] = x[i] + ... + x[n-1] along ``axis``."""
    return flip(cumsum(flip(x, axis), axis), axis)


def cumprod_backward_with_zeros(x: Any, grad: Any, axis: int) -> Any:
    """dx[i] = (x[0] ... x[i-1]) * s[i] with s[i] = grad[i] + x[i+1] * s[i+1]: the gradient of
    a running product by one pass each way, with no division (x may hold zeros)."""
    n = x.shape[axis]
    lead = (slice(None),) * axis
    kept = tuple(1 if a == axis else size for a, size in enumerate(x.shape))
    items = [x[lead + (slice(i, i + 1),)] for i in range(n)]
    grads = [grad[lead + (slice(i, i + 1),)] for i in range(n)]
    left = [np.ones(kept, dtype=constant(x).dtype)]
    for item in items[:-1]:
        left.append(left[-1] * item)
    total = grads[-1]
    result = [left[-1] * total]
    for i in range(n - 2, -1, -1):
        total = grads[i] + items[i + 1] * total
        result.append(left[i] * total)
    return concatenate(result[::-1], axis)


def exclusive_product(x: Any, axis: int) -> Any:
    """out[i] = the product of every x[j], j != i, along ``axis`` (no division)."""
    lead = (slice(None),) * axis
    kept = tuple(1 if a == axis else size for a, size in enumerate(x.shape))
    ones = np.ones(kept, dtype=constant(x).dtype)
    before = concatenate([ones, cumprod(x, axis)[lead + (slice(0, -1),)]], axis)
    reversed_x = flip(x, axis)
    after = concatenate([ones, cumprod(reversed_x, axis)[lead + (slice(0, -1),)]], axis)
    return before * flip(after, axis)


PRIMITIVES = (Cumsum, Cumprod)
