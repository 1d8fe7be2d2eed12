"""Rounding primitives: sign, floor, ceil, round, trunc, the rounded quotients and remainders.

The rounding functions are piecewise constant: as in PyTorch they are recorded, with a
gradient of exactly zero (not ``grad * 0``, which would turn an infinite grad into nan).
``x // y`` is recorded too, but its backward raises, as PyTorch's does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Primitive
from .dispatch import constant


class ZeroGradient(Primitive):
    """Base of the piecewise-constant ops:  dx = 0 (for every input)"""

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        zeros = np.zeros(np.shape(constant(grad)), constant(grad).dtype)
        return tuple(zeros if edge is not None else None for edge in ctx.next_edges)


def _integral(x: np.ndarray) -> bool:
    return x.dtype.kind != "f"


class Sign(ZeroGradient):
    """out = sign(x) (-1, 0 or 1);  dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.copy() if x.dtype.kind == "b" else np.sign(x)


class Floor(ZeroGradient):
    """out = the largest integer <= x;  dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.copy() if _integral(x) else np.floor(x)


class Ceil(ZeroGradient):
    """out = the smallest integer >= x;  dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.copy() if _integral(x) else np.ceil(x)


class Round(ZeroGradient):
    """out = x rounded to ``decimals`` decimals, halves to even (as PyTorch);  dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: Any, decimals: int) -> Any:
        return x.copy() if _integral(x) and decimals >= 0 else np.round(x, decimals)


class Trunc(ZeroGradient):
    """out = x rounded towards zero;  dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.copy() if _integral(x) else np.trunc(x)


class RoundedDivide(ZeroGradient):
    """out = x / y rounded towards zero (mode "trunc") or down ("floor");  dx = dy = 0"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, mode: str) -> Any:
        if mode == "floor":
            return np.floor_divide(x, y)
        if np.result_type(x, y).kind != "f":  # integers: exact, without a float quotient
            return np.floor_divide(np.abs(x), np.abs(y)) * (np.sign(x) * np.sign(y))
        return np.trunc(np.true_divide(x, y))


class FloorDivide(Primitive):
    """out = floor(x / y) (Python's ``//``);  no derivative (PyTorch's backward raises too)"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return np.floor_divide(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise RuntimeError(
            "FloorDivideBackward0: the derivative for floor_divide (x // y) is not "
            "implemented, as in PyTorch; use tg.div(x, y, rounding_mode='floor'), whose "
            "gradient is zero, or detach() the quotient"
        )


class Remainder(Primitive):
    """out = x - y * floor(x / y), with the sign of y (Python's ``%``);  dx = grad,
    dy = -grad * floor(x / y)"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        needs_y = (ctx.next_edges or (None, None))[1]
        if needs_y is not None:
            ctx.save_for_backward(np.floor_divide(x, y))
        return np.remainder(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _remainder_backward(ctx, grad)


class Fmod(Primitive):
    """out = x - y * trunc(x / y) (sign of x, C's fmod);  dx = grad, dy = -grad * trunc(x / y)"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        needs_y = (ctx.next_edges or (None, None))[1]
        if needs_y is not None:
            ctx.save_for_backward(np.trunc(np.true_divide(x, y)))
        return np.fmod(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _remainder_backward(ctx, grad)


def _remainder_backward(ctx: Any, grad: Any) -> tuple:
    needs_x, needs_y = ctx.next_edges
    grad_y = None
    if needs_y is not None:
        (quotient,) = ctx.saved_tensors  # a constant: its derivative is zero almost everywhere
        grad_y = -grad * quotient
    return (grad if needs_x is not None else None), grad_y


PRIMITIVES = (Sign, Floor, Ceil, Round, Trunc, RoundedDivide, FloorDivide, Remainder, Fmod)
