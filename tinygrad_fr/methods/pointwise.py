"""Element-wise functions: exponentials, roots, activations, clamping, element-wise extrema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..ops.elementwise import (
    Abs,
    Clamp,
    Exp,
    LeakyReLU,
    Log,
    Maximum,
    Minimum,
    Pow,
    ReLU,
    Sigmoid,
    Sqrt,
    Tanh,
)  # fmt: skip
from .arithmetic import operand

if TYPE_CHECKING:
    from ..tensor import Tensor


def exp(input: Tensor) -> Tensor:
    """Element-wise e**x."""
    return Exp.apply(input)


def log(input: Tensor) -> Tensor:
    """Element-wise natural logarithm."""
    return Log.apply(input)


def sqrt(input: Tensor) -> Tensor:
    """Element-wise square root."""
    return Sqrt.apply(input)


def abs(input: Tensor) -> Tensor:
    """Element-wise absolute value (gradient 0 at 0)."""
    return Abs.apply(input)


def square(input: Tensor) -> Tensor:
    """Element-wise x**2."""
    return Pow.apply(input, 2)


def tanh(input: Tensor) -> Tensor:
    """Element-wise hyperbolic tangent."""
    return Tanh.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    """Element-wise 1 / (1 + e**-x), finite for any x."""
    return Sigmoid.apply(input)


def relu(input: Tensor) -> Tensor:
    """Element-wise max(x, 0)."""
    return ReLU.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """Element-wise x if x > 0 else negative_slope * x."""
    return LeakyReLU.apply(input, negative_slope)


def clamp(input: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    """Limit values to [min, max]; the gradient flows where min <= x <= max."""
    if min is None and max is None:
        raise ValueError("clamp: give at least one of min and max")
    if min is not None and max is not None and min > max:
        raise ValueError(f"clamp: min ({min}) is greater than max ({max})")
    return Clamp.apply(input, min, max)


def maximum(input: Tensor, other: Any) -> Tensor:
    """Element-wise maximum of input and other (ties share the gradient)."""
    return Maximum.apply(input, operand(input, other))


def minimum(input: Tensor, other: Any) -> Tensor:
    """Element-wise minimum of input and other (ties share the gradient)."""
    return Minimum.apply(input, operand(input, other))
