"""Element-wise primitives: arithmetic, activations, comparisons by mask.

Each class is one op: ``forward`` on NumPy arrays (NumPy broadcasting included), ``backward``
right below it returning the gradient of each input *in the output's shape* — the engine sums
it back to the input's shape. Backward formulas are written so that they also run on Tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import rng
from ..autograd.function import Primitive
from .dispatch import constant, is_tensor, log

# exp(x) overflows above these; sigmoid clamps -x there (the result is then < 1e-38 anyway).
_EXP_LIMIT = {
    np.dtype(t): float(np.floor(np.log(np.finfo(t).max)))
    for t in (np.float16, np.float32, np.float64)
}


class Add(Primitive):
    """out = x + y;  dx = grad, dy = grad"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return x + y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad, grad


class Sub(Primitive):
    """out = x - y;  dx = grad, dy = -grad  (a primitive rather than x + (-y): one op, not two)"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return x - y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad, (-grad if ctx.next_edges[1] is not None else None)


class Mul(Primitive):
    """out = x * y;  dx = grad * y, dy = grad * x"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        needs_x, needs_y = ctx.next_edges or (None, None)
        # Only what a needed gradient uses (as PyTorch): x * 2 keeps nothing of x alive.
        ctx.save_for_backward(
            x if needs_y is not None else None, y if needs_x is not None else None
        )
        return x * y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        needs_x, needs_y = ctx.next_edges
        return (grad * y if needs_x is not None else None), (
            grad * x if needs_y is not None else None
        )


class Div(Primitive):
    """out = x / y;  dx = grad / y, dy = -grad * x / y**2"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        needs_y = (ctx.next_edges or (None, None))[1]
        ctx.save_for_backward(x if needs_y is not None else None, y)
        return x / y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        needs_x, needs_y = ctx.next_edges
        grad_x = grad / y if needs_x is not None else None
        grad_y = -grad * x / (y * y) if needs_y is not None else None
        return grad_x, grad_y


class Pow(Primitive):
    """out = x ** y;  dx = grad * y * x**(y-1) (0 where y == 0), dy = grad * out * log(x)
    (0 where x == 0 and y >= 0): PyTorch's values at x == 0, nan for a negative base"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        out = x**y
        needs_y = (ctx.next_edges or (None, None))[1]
        ctx.save_for_backward(x, y, out if needs_y is not None else None)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y, out = ctx.saved_tensors
        needs_x, needs_y = ctx.next_edges
        if needs_y is None and _is_number(y, 2):
            # x ** 2 (squared errors): nothing to silence, and entering np.errstate costs
            # 3.5 us, more than the maths on small arrays
            return grad * 2 * x, None
        grad_x = grad_y = None
        # log of a negative base is nan and 0 ** -1 is inf, as in PyTorch: no warnings
        with np.errstate(divide="ignore", invalid="ignore"):
            if needs_x is not None:
                if _is_number(y, 2):
                    grad_x = grad * 2 * x
                elif isinstance(y, (int, float)):
                    grad_x = grad * y * x ** (y - 1) if y != 0 else np.zeros_like(constant(grad))
                else:
                    # PyTorch's mask, where y == 0 (0 * 0 ** -1 would be nan): its second
                    # derivative in y is 0 there too
                    zero_exponent = constant(y) == 0
                    grad_x = grad * y * x ** (y - 1)
                    if np.any(zero_exponent):
                        grad_x = where(zero_exponent, 0.0, grad_x)
            if needs_y is not None:
                base, exponent = constant(x), constant(y)
                flat = (base == 0) & (exponent >= 0)
                safe_x = where(flat, 1.0, x) if np.any(flat) else x
                grad_y = grad * out * log(safe_x)
        return grad_x, grad_y


def where(condition: np.ndarray, x: Any, y: Any) -> Any:
    """Pick ``x`` where ``condition`` holds, else ``y``, on arrays or (recorded) on Tensors;
    ``condition`` is a constant mask."""
    if is_tensor(x) or is_tensor(y):
        return Where.apply(condition, x, y)
    return np.where(condition, x, y)


def _is_number(value: Any, number: float) -> bool:
    return isinstance(value, (int, float)) and value == number


class Neg(Primitive):
    """out = -x;  dx = -grad"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return -x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return -grad


class Exp(Primitive):
    """out = exp(x);  dx = grad * out"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Primitive):
    """out = log(x);  dx = grad / x"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Primitive):
    """out = sqrt(x);  dx = grad / (2 * out)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class ScaledByFactor(Primitive):
    """Base of ops out = x * factor, a constant factor forward saves;  dx = grad * factor"""

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (factor,) = ctx.saved_tensors
        return grad * factor


class Abs(ScaledByFactor):
    """out = |x| = x * sign(x);  dx = grad * sign(x)  (0 at x == 0, as in PyTorch)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(np.sign(x))
        return np.abs(x)


class Tanh(Primitive):
    """out = tanh(x);  dx = grad * (1 - out**2)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        if type(grad) is not np.ndarray or out.ndim == 0:  # create_graph (Tensors), a scalar
            return grad * (1 - out * out)
        slope = out * out  # arrays: one temporary, updated in place (large batches)
        np.subtract(1.0, slope, out=slope)
        slope *= grad
        return slope


class Sigmoid(Primitive):
    """out = 1 / (1 + exp(-x));  dx = grad * out * (1 - out)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        # The textbook formula (bit-identical to the course's), with -x clamped where exp
        # would overflow: finite and warning-free for any x.
        out = np.empty(x.shape, x.dtype if x.dtype.kind == "f" else np.float64)
        np.negative(x, out=out)
        np.minimum(out, _EXP_LIMIT.get(out.dtype, 88.0), out=out)
        np.exp(out, out=out)
        out += 1
        np.reciprocal(out, out=out)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        if type(grad) is not np.ndarray or out.ndim == 0:  # create_graph (Tensors), a scalar
            return grad * out * (1 - out)
        slope = 1.0 - out  # arrays: one temporary, updated in place (large batches)
        slope *= out
        slope *= grad
        return slope


class ReLU(Primitive):
    """out = max(x, 0);  dx = grad where x > 0, else 0"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x > 0)
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (positive,) = ctx.saved_tensors
        return where(positive, grad, 0.0)


class LeakyReLU(ScaledByFactor):
    """out = x * (1 if x > 0 else slope);  dx = grad * (1 or slope)"""

    @staticmethod
    def forward(ctx: Any, x: Any, slope: float) -> Any:
        factor = np.where(x > 0, 1.0, slope).astype(x.dtype)
        ctx.save_for_backward(factor)
        return x * factor


class Clamp(Primitive):
    """out = min(max(x, low), high);  dx = grad where low <= x <= high (as in PyTorch)"""

    @staticmethod
    def forward(ctx: Any, x: Any, low: Any, high: Any) -> Any:
        inside = np.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        ctx.save_for_backward(inside)
        return np.clip(x, low, high)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (inside,) = ctx.saved_tensors
        return where(inside, grad, 0.0)


class Maximum(Primitive):
    """out = max(x, y);  the gradient goes to the larger input, split in half on ties"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return _pick_forward(ctx, np.maximum(x, y), x > y, x == y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _pick_backward(ctx, grad)


class Minimum(Primitive):
    """out = min(x, y);  the gradient goes to the smaller input, split in half on ties"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return _pick_forward(ctx, np.minimum(x, y), x < y, x == y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _pick_backward(ctx, grad)


def _pick_forward(ctx: Any, out: Any, x_wins: Any, tie: Any) -> Any:
    """Save x's share of the gradient: 1 where x was picked, 1/2 on ties, else 0."""
    ctx.save_for_backward((x_wins + 0.5 * tie).astype(out.dtype))
    return out


def _pick_backward(ctx: Any, grad: Any) -> tuple:
    (share_x,) = ctx.saved_tensors
    return grad * share_x, grad * (1 - share_x)


class Where(Primitive):
    """out = x where condition else y;  dx = grad where condition, dy = grad elsewhere"""

    @staticmethod
    def forward(ctx: Any, condition: Any, x: Any, y: Any) -> Any:
        condition = np.asarray(condition, dtype=bool)
        ctx.save_for_backward(condition)
        return np.where(condition, x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (condition,) = ctx.saved_tensors
        needs = ctx.next_edges
        grad_x = where(condition, grad, 0.0) if needs[1] is not None else None
        grad_y = where(condition, 0.0, grad) if needs[2] is not None else None
        return None, grad_x, grad_y


class Dropout(ScaledByFactor):
    """out = x * mask / (1 - p) with mask ~ Bernoulli(1 - p);  dx = grad * mask / (1 - p)

    The mask is drawn in forward from the library generator, so each call draws anew
    (a replayed step included) and tg.manual_seed makes it repeatable.
    """

    @staticmethod
    def forward(ctx: Any, x: Any, p: float) -> Any:
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        generator = rng.generator()
        # float32 draws are twice as fast and plenty to compare with p
        draws = generator.random(x.shape, dtype=np.float32 if dtype == np.float32 else np.float64)
        scale = np.zeros(x.shape, dtype)
        if p < 1:
            scale[draws >= p] = 1.0 / (1.0 - p)
        ctx.save_for_backward(scale)
        return x * scale


class Clone(Primitive):
    """out = a copy of x;  dx = grad"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.copy()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad


class Cast(Primitive):
    """out = x converted to ``dtype``;  dx = grad converted back"""

    @staticmethod
    def forward(ctx: Any, x: Any, dtype: np.dtype) -> Any:
        ctx.in_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad.astype(ctx.in_dtype)


# Every primitive of this module, for the op table test (which fails if one has no row).
PRIMITIVES = (
    Add, Sub, Mul, Div, Pow, Neg, Exp, Log, Sqrt, Abs, Tanh, Sigmoid, ReLU, LeakyReLU, Clamp,
    Maximum, Minimum, Where, Dropout, Clone, Cast,
)  # fmt: skip
