"""Element-wise functions: exponentials and logarithms, roots, trigonometry, rounding,
activations, clamping, element-wise extrema.

As in PyTorch, the functions that give fractions (``exp``, ``sin``, ``sqrt``...) turn an
integer or bool tensor into the default float dtype first; the others keep the dtype.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..autograd import function
from ..ops import unary
from ..ops.elementwise import (
    Abs,
    Cast,
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
from ..ops.nondiff import Compare
from ..ops.rounding import Ceil, Floor, Round, Sign, Trunc
from .arithmetic import cast, operand

if TYPE_CHECKING:
    from ..tensor import Tensor


def floating(input: Tensor) -> Tensor:
    """``input`` itself if floating, else converted to the default float dtype."""
    if input._data.dtype.kind == "f":
        return input
    return Cast.apply(input, dtypes.get_default_dtype())


def _float_op(op: Any, doc: str) -> Any:
    """The method applying the one-input float op ``op`` (integers converted first)."""

    def method(input: Tensor) -> Tensor:
        return op.apply(input if input._data.dtype.kind == "f" else floating(input))

    method.__name__ = method.__qualname__ = op.__name__.lower()
    method.__doc__ = doc
    return method


exp = _float_op(Exp, "Element-wise e**x.")
log = _float_op(Log, "Element-wise natural logarithm.")
sqrt = _float_op(Sqrt, "Element-wise square root.")
tanh = _float_op(Tanh, "Element-wise hyperbolic tangent.")
sigmoid = _float_op(Sigmoid, "Element-wise 1 / (1 + e**-x), finite for any x.")
sin = _float_op(unary.Sin, "Element-wise sine.")
cos = _float_op(unary.Cos, "Element-wise cosine.")
tan = _float_op(unary.Tan, "Element-wise tangent.")
asin = _float_op(unary.Asin, "Element-wise arcsine (nan outside [-1, 1]).")
acos = _float_op(unary.Acos, "Element-wise arccosine (nan outside [-1, 1]).")
atan = _float_op(unary.Atan, "Element-wise arctangent.")
sinh = _float_op(unary.Sinh, "Element-wise hyperbolic sine.")
cosh = _float_op(unary.Cosh, "Element-wise hyperbolic cosine.")
asinh = _float_op(unary.Asinh, "Element-wise inverse hyperbolic sine.")
acosh = _float_op(unary.Acosh, "Element-wise inverse hyperbolic cosine (x >= 1).")
atanh = _float_op(unary.Atanh, "Element-wise inverse hyperbolic tangent (|x| < 1).")
log1p = _float_op(unary.Log1p, "Element-wise log(1 + x), exact for small x.")
expm1 = _float_op(unary.Expm1, "Element-wise e**x - 1, exact for small x.")
log2 = _float_op(unary.Log2, "Element-wise base-2 logarithm.")
log10 = _float_op(unary.Log10, "Element-wise base-10 logarithm.")
exp2 = _float_op(unary.Exp2, "Element-wise 2**x.")
rsqrt = _float_op(unary.Rsqrt, "Element-wise 1 / sqrt(x).")
reciprocal = _float_op(unary.Reciprocal, "Element-wise 1 / x.")
erf = _float_op(unary.Erf, "Element-wise error function 2/√π ∫₀ˣ e^(-t²) dt.")


def atan2(input: Tensor, other: Any) -> Tensor:
    """Element-wise angle of the point (other, input), in (-π, π]."""
    other = operand(input, other)
    target = dtypes.result_type(input, other)
    target = target if target.kind == "f" else dtypes.get_default_dtype()
    return unary.Atan2.apply(cast(input, target), cast(other, target))


def abs(input: Tensor) -> Tensor:
    """Element-wise absolute value (gradient 0 at 0)."""
    return Abs.apply(input)


def square(input: Tensor) -> Tensor:
    """Element-wise x**2."""
    return Pow.apply(input, 2)


def sign(input: Tensor) -> Tensor:
    """Element-wise sign: -1, 0 or 1 (gradient 0)."""
    return Sign.apply(input)


def floor(input: Tensor) -> Tensor:
    """Element-wise largest integer not above x (gradient 0)."""
    return Floor.apply(input)


def ceil(input: Tensor) -> Tensor:
    """Element-wise smallest integer not below x (gradient 0)."""
    return Ceil.apply(input)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Element-wise rounding to ``decimals`` decimals, halves to even (gradient 0)."""
    return Round.apply(input, int(decimals))


def trunc(input: Tensor) -> Tensor:
    """Element-wise rounding towards zero (gradient 0)."""
    return Trunc.apply(input)


def frac(input: Tensor) -> Tensor:
    """Element-wise fractional part x - trunc(x), with the sign of x (gradient 1)."""
    return input - Trunc.apply(input)


def isnan(input: Tensor) -> Tensor:
    """True where the element is nan (a bool tensor)."""
    return Compare.apply(input, input, np.not_equal)


def isinf(input: Tensor) -> Tensor:
    """True where the element is +inf or -inf (a bool tensor)."""
    return Compare.apply(input, np.inf, lambda x, _: np.isinf(x))


def isfinite(input: Tensor) -> Tensor:
    """True where the element is neither nan nor infinite (a bool tensor)."""
    return Compare.apply(input, None, lambda x, _: np.isfinite(x))


def relu(input: Tensor) -> Tensor:
    """Element-wise max(x, 0)."""
    return ReLU.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """Element-wise x if x > 0 else negative_slope * x."""
    return LeakyReLU.apply(input, negative_slope)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Limit values to [min, max]; the gradient flows where min <= x <= max. As in PyTorch,
    min > max sets every element to max; tensor bounds work element-wise (no gradient)."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, function.Tensor) or isinstance(max, function.Tensor):
        return _clamp_by_tensors(input, min, max)
    low, high = _bound(min), _bound(max)
    if isinstance(low, float) or isinstance(high, float):
        input = floating(input)
    return Clamp.apply(input, low, high)


def _clamp_by_tensors(input: Tensor, min: Any, max: Any) -> Tensor:
    """clamp with tensor bounds, as PyTorch: the gradient goes to input where it lies within
    the bounds, else to the bound it was clamped to."""
    from .indexing import where

    result = input
    if min is not None:
        result = where(result < min, min, result)
    if max is not None:
        result = where(result > max, max, result)
    return result


def _bound(value: Any) -> Any:
    if value is None or isinstance(value, (int, float)):
        return value
    return np.asarray(getattr(value, "_data", value))


def maximum(input: Tensor, other: Any) -> Tensor:
    """Element-wise maximum of input and other (ties share the gradient)."""
    return _extremum(Maximum, input, other)


def minimum(input: Tensor, other: Any) -> Tensor:
    """Element-wise minimum of input and other (ties share the gradient)."""
    return _extremum(Minimum, input, other)


def _extremum(op: Any, input: Tensor, other: Any) -> Tensor:
    other = operand(input, other)
    target = dtypes.result_type(input, other)
    return op.apply(cast(input, target), cast(other, target))
