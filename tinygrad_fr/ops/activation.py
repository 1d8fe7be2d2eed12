"""Smooth activation primitives: softplus, GELU (exact and tanh), SiLU, ELU, Mish, Gaussian CDF.

One op each, for speed and for stability (softplus never overflows, ELU saves its output).
Backward formulas are PyTorch's and run on arrays and, under ``create_graph``, on Tensors,
so every activation is differentiable twice. Also here: :func:`erf`, which NumPy lacks.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ..autograd.function import Primitive
from .dispatch import constant, exp, is_tensor
from .elementwise import where

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TANH_SCALE = math.sqrt(2 / math.pi)  # GELU's tanh approximation: tanh(k (x + c x³))
_TANH_CUBIC = 0.044715

# erf on |x| < 1 is x + x g(x²); on 1 <= |x| < 6 it is 1 - exp(-x²) h(1/x); beyond, ±1.
_ERF_SPLIT, _ERF_END = 1.0, 6.0


@functools.cache
def _erf_coefficients() -> tuple[np.ndarray, np.ndarray]:
    """Chebyshev coefficients of g(u) = erf(√u)/√u - 1 on [0, 1] and of h(t) = erfcx(1/t) on
    [1/6, 1], interpolated at 13 and 23 Chebyshev nodes from math.erf and math.erfc (accurate
    to 3 ulps; computed once, on first use)."""

    def interpolate(f: Any, degree: int, low: float, high: float) -> np.ndarray:
        angles = np.pi * (np.arange(degree + 1) + 0.5) / (degree + 1)
        nodes = (np.cos(angles) + 1) / 2 * (high - low) + low
        samples = np.array([f(float(node)) for node in nodes])
        coefficients = 2 / (degree + 1) * np.cos(np.outer(np.arange(degree + 1), angles)) @ samples
        coefficients[0] /= 2
        return coefficients

    def g(u: float) -> float:
        return math.erf(math.sqrt(u)) / math.sqrt(u) - 1

    def h(t: float) -> float:
        return math.erfc(1 / t) * math.exp(1 / (t * t))

    return interpolate(g, 12, 0.0, 1.0), interpolate(h, 22, 1 / _ERF_END, 1 / _ERF_SPLIT)


def _chebyshev(coefficients: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Sum of c_k T_k(t) for t in [-1, 1] (Clenshaw's recurrence)."""
    twice = 2 * t
    later = np.zeros_like(t)
    last = np.full_like(t, coefficients[-1])
    for c in coefficients[-2:0:-1]:
        step = twice * last
        step -= later
        step += c
        later, last = last, step
    last *= t
    last -= later
    last += coefficients[0]
    return last


_erf_each = np.frompyfunc(math.erf, 1, 1)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function 2/√π ∫₀ˣ e^(-t²) dt, element-wise, within 3 ulps of math.erf
    (float64; other dtypes are computed in float64 and cast back)."""
    array = np.asarray(x)
    dtype = array.dtype if array.dtype.kind == "f" else np.dtype(np.float64)
    if array.size < 256:  # a few math.erf calls cost less than the ~40 NumPy calls below
        return np.asarray(_erf_each(array), dtype=dtype)
    values = array.astype(np.float64, copy=False)
    size = np.abs(values)
    out = np.empty(values.shape)
    np.sign(values, out=out)  # ±1 beyond 6 (erfc(6) < 2.2e-17), nan for nan, 0 for 0
    small_g, large_h = _erf_coefficients()
    small = size < _ERF_SPLIT
    v = values[small]
    out[small] = v + v * _chebyshev(small_g, 2 * v * v - 1)
    middle = (size >= _ERF_SPLIT) & (size < _ERF_END)
    a = size[middle]
    low, high = 1 / _ERF_END, 1 / _ERF_SPLIT
    t = (2 / a - low - high) / (high - low)
    out[middle] = np.copysign(1 - np.exp(-a * a) * _chebyshev(large_h, t), values[middle])
    return out.astype(dtype, copy=False)


# -- helpers that run on arrays and on Tensors ------------------------------------------------


def _sigmoid(x: Any) -> Any:
    if is_tensor(x):
        return x.sigmoid()
    small = np.exp(-np.abs(x))  # e**-|x| never overflows
    return np.where(x >= 0, 1 / (1 + small), small / (1 + small))


def _tanh(x: Any) -> Any:
    return x.tanh() if is_tensor(x) else np.tanh(x)


def _normal_cdf(x: Any) -> Any:
    if is_tensor(x):
        return NormalCDF.apply(x)
    return 0.5 * (1 + erf(x * _SQRT_HALF))


def _normal_pdf(x: Any) -> Any:
    return exp(x * x * -0.5) * _INV_SQRT_2PI


def _softplus(x: Any) -> Any:
    """log(1 + e**x), never overflowing (the threshold of PyTorch's mish: none)."""
    if is_tensor(x):
        return Softplus.apply(x, 1.0, math.inf)
    return np.logaddexp(0, x)


# -- the primitives ---------------------------------------------------------------------------


class Softplus(Primitive):
    """out = log(1 + e**(b x)) / b, or x where b x > threshold;  dx = grad * sigmoid(b x)
    (grad past the threshold)"""

    @staticmethod
    def forward(ctx: Any, x: Any, beta: float, threshold: float) -> Any:
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        scaled = x * beta
        smooth = np.logaddexp(0, scaled) / beta  # stable log1p(exp(.)) for any value
        return np.where(scaled > threshold, x, smooth).astype(smooth.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        scaled = x * ctx.beta
        linear = constant(scaled) > ctx.threshold
        slope = grad * _sigmoid(scaled)
        return where(linear, grad, slope) if linear.any() else slope


class GELU(Primitive):
    """out = x Φ(x) (Φ the standard normal CDF), or with approximate='tanh'
    x (1 + tanh(k (x + c x³))) / 2;  dx = grad * (Φ(x) + x φ(x)), or the tanh form's slope"""

    @staticmethod
    def forward(ctx: Any, x: Any, approximate: str) -> Any:
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            return 0.5 * x * (1 + np.tanh(_TANH_SCALE * (x + _TANH_CUBIC * x * x * x)))
        return x * 0.5 * (1 + erf(x * _SQRT_HALF))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            square = x * x
            inner = _tanh(_TANH_SCALE * (x + _TANH_CUBIC * square * x))
            slope_inner = (1 - inner * inner) * (_TANH_SCALE * (1 + 3 * _TANH_CUBIC * square))
            return grad * (0.5 * (1 + inner) + 0.5 * x * slope_inner)
        return grad * (_normal_cdf(x) + x * _normal_pdf(x))


class NormalCDF(Primitive):
    """out = Φ(x) = (1 + erf(x / √2)) / 2;  dx = grad * φ(x) = grad * e**(-x²/2) / √(2π)

    The derivative of exact GELU, as an op so that GELU is differentiable twice.
    """

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return _normal_cdf(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _normal_pdf(x)


class SiLU(Primitive):
    """out = x sigmoid(x);  dx = grad * s (1 + x (1 - s)) with s = sigmoid(x)"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x * _sigmoid(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        s = _sigmoid(x)
        return grad * s * (1 + x * (1 - s))


class ELU(Primitive):
    """out = x if x > 0 else alpha (e**x - 1);  dx = grad if x > 0 else grad * (out + alpha)

    The slope is read from the output (alpha e**x = out + alpha), which never overflows. As
    in PyTorch, the slope at x = 0 (alpha) is a constant: the second derivative there is 0.
    """

    @staticmethod
    def forward(ctx: Any, x: Any, alpha: float) -> Any:
        positive = x > 0
        out = np.where(positive, x, alpha * np.expm1(np.minimum(x, 0)))
        out = out.astype(np.result_type(x, 1.0), copy=False)
        ctx.save_for_backward(out, x < 0, np.where(positive, 1.0, alpha).astype(out.dtype))
        ctx.alpha = alpha
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        out, negative, slope = ctx.saved_tensors
        return grad * where(negative, out + ctx.alpha, slope)


class Mish(Primitive):
    """out = x tanh(softplus(x));  dx = grad * (t + x sigmoid(x) (1 - t²)), t = tanh(softplus(x))"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x * np.tanh(np.logaddexp(0, x))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        t = _tanh(_softplus(x))
        return grad * (t + x * _sigmoid(x) * (1 - t * t))


# Every primitive of this module, for the op table test (which fails if one has no row).
PRIMITIVES = (Softplus, GELU, NormalCDF, SiLU, ELU, Mish)
