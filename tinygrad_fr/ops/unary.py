"""More element-wise primitives: trigonometric and hyperbolic functions, logarithms and
exponentials of other bases, reciprocals, the error function, and ``atan2``.

Each forward is NumPy's own function (so values match PyTorch's to the last bits), and each
backward is written with the ``dispatch`` helpers, so that it also runs on Tensors and every
op here is differentiable twice.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Primitive
from . import dispatch as d
from .elementwise import where

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Sin(Primitive):
    """out = sin(x);  dx = grad * cos(x)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * d.cos(x)


class Cos(Primitive):
    """out = cos(x);  dx = -grad * sin(x)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -grad * d.sin(x)


class Tan(Primitive):
    """out = tan(x);  dx = grad * (1 + out**2)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = np.tan(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * (1 + out * out)


class Asin(Primitive):
    """out = asin(x);  dx = grad / sqrt(1 - x**2)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arcsin(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / d.sqrt(1 - x * x)


class Acos(Primitive):
    """out = acos(x);  dx = -grad / sqrt(1 - x**2)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arccos(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -grad / d.sqrt(1 - x * x)


class Atan(Primitive):
    """out = atan(x);  dx = grad / (1 + x**2)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / (1 + x * x)


class Atan2(Primitive):
    """out = atan2(y, x), the angle of (x, y);  dy = grad * x / r², dx = -grad * y / r²"""

    @staticmethod
    def forward(ctx: Any, y: Any, x: Any) -> Any:
        ctx.save_for_backward(y, x)
        return np.arctan2(y, x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        y, x = ctx.saved_tensors
        needs_y, needs_x = ctx.next_edges
        scale = grad / (x * x + y * y)
        return (scale * x if needs_y is not None else None), (
            -scale * y if needs_x is not None else None
        )


class Sinh(Primitive):
    """out = sinh(x);  dx = grad * cosh(x)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.sinh(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * d.cosh(x)


class Cosh(Primitive):
    """out = cosh(x);  dx = grad * sinh(x)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.cosh(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * d.sinh(x)


class Asinh(Primitive):
    """out = asinh(x);  dx = grad / sqrt(x**2 + 1)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / d.sqrt(x * x + 1)


class Acosh(Primitive):
    """out = acosh(x);  dx = grad / sqrt(x**2 - 1)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arccosh(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / d.sqrt(x * x - 1)


class Atanh(Primitive):
    """out = atanh(x);  dx = grad / (1 - x**2)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arctanh(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)


class Log1p(Primitive):
    """out = log(1 + x), exact for small x;  dx = grad / (1 + x)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / (1 + x)


class Expm1(Primitive):
    """out = exp(x) - 1, exact for small x;  dx = grad * (out + 1)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = np.expm1(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * (out + 1)


class Log2(Primitive):
    """out = log2(x);  dx = grad / (x ln 2)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.log2(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / (x * _LN2)


class Log10(Primitive):
    """out = log10(x);  dx = grad / (x ln 10)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.log10(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / (x * _LN10)


class Exp2(Primitive):
    """out = 2**x;  dx = grad * out * ln 2"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = np.exp2(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * out * _LN2


class Rsqrt(Primitive):
    """out = 1 / sqrt(x);  dx = -grad * out**3 / 2"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = 1 / np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * out * out * out * -0.5


class Reciprocal(Primitive):
    """out = 1 / x;  dx = -grad * out**2"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = np.reciprocal(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return -grad * out * out


class Erf(Primitive):
    """out = erf(x) = 2/√π ∫₀ˣ e^(-t²) dt;  dx = grad * 2/√π * exp(-x**2)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return erf(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _TWO_OVER_SQRT_PI * d.exp(-(x * x))


_erf_each = np.frompyfunc(math.erf, 1, 1)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function element-wise, from the C library's (NumPy has none)."""
    return np.asarray(_erf_each(x), dtype=x.dtype)


class SqrtOfSpread(Primitive):
    """out = sqrt(x) for x >= 0 a variance or a sum of squares;  dx = grad / (2 out), and 0
    where out == 0: PyTorch's rule for std and norm (a flat input has a zero gradient)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        zero = d.constant(out) == 0
        if not np.any(zero):
            return grad / (2 * out)
        return where(zero, 0.0, grad / (2 * where(zero, 1.0, out)))


PRIMITIVES = (
    Sin, Cos, Tan, Asin, Acos, Atan, Atan2, Sinh, Cosh, Asinh, Acosh, Atanh, Log1p, Expm1,
    Log2, Log10, Exp2, Rsqrt, Reciprocal, Erf, SqrtOfSpread,
)  # fmt: skip
