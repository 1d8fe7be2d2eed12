"""Templates of the element-wise primitives (``tinygrad_fr.ops.elementwise``).

Each writes the NumPy calls of the op's ``forward`` and ``backward`` in the same order, so
results are bit-identical; results go into preallocated arrays (``out=``) where possible.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import rng
from ...ops import elementwise as ops
from ..codegen import BASE_NAMESPACE, Emitter, Value
from . import GradFor, NotCoveredError, OpCall, template

BASE_NAMESPACE["rng_generator"] = rng.generator

# As ops.elementwise.Sigmoid: exp(x) overflows above these, so -x is clamped there.
_EXP_LIMIT = {
    np.dtype(t): float(np.floor(np.log(np.finfo(t).max)))
    for t in (np.float16, np.float32, np.float64)
}


def _binary(e: Emitter, call: OpCall, ufunc: str, symbol: str) -> Value:
    x, y = call.args
    out = call.out
    e.emit(
        f"{out} = np.{ufunc}({x}, {y}{e.out(out)})",
        (x, y),
        (out,),
        f"{out} = {x} {symbol} {y}",
    )
    return out


@template(ops.Add)
def add(e: Emitter, call: OpCall) -> Value:
    return _binary(e, call, "add", "+")


@template(ops.Add, backward=True)
def add_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    return grad, grad


@template(ops.Sub)
def sub(e: Emitter, call: OpCall) -> Value:
    return _binary(e, call, "subtract", "-")


@template(ops.Sub, backward=True)
def sub_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    grad_y = None
    if call.needs[1]:
        grad_y = grad_for(1, f"grad_{call.args[1]}")
        e.emit(f"{grad_y} = -{grad}", (grad,), (grad_y,), f"∂L/∂{call.args[1]} = -∂L/∂out")
    return grad, grad_y


@template(ops.Mul)
def mul(e: Emitter, call: OpCall) -> Value:
    return _binary(e, call, "multiply", "*")


@template(ops.Mul, backward=True)
def mul_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    x, y = call.args
    results: list[Value | None] = [None, None]
    for position, other in ((0, y), (1, x)):
        if call.needs[position]:
            target = grad_for(position, f"grad_{call.args[position]}")
            e.emit(f"{target} = {grad} * {other}", (grad, other), (target,), f"· {other}")
            results[position] = target
    return tuple(results)


@template(ops.Div)
def div(e: Emitter, call: OpCall) -> Value:
    return _binary(e, call, "divide", "/")


@template(ops.Div, backward=True)
def div_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    x, y = call.args
    grad_x = grad_y = None
    if call.needs[0]:
        grad_x = grad_for(0, f"grad_{x}")
        e.emit(f"{grad_x} = {grad} / {y}", (grad, y), (grad_x,), f"∂L/∂{x} = ∂L/∂out / {y}")
    if call.needs[1]:
        grad_y = grad_for(1, f"grad_{y}")
        text = f"{grad_y} = -{grad} * {x} / ({y} * {y})"
        e.emit(text, (grad, x, y), (grad_y,), f"∂L/∂{y} = -∂L/∂out · {x} / {y}²")
    return grad_x, grad_y


@template(ops.Pow)
def pow_(e: Emitter, call: OpCall) -> Value:
    x, y = call.args
    if call.needs[1] or not y.is_const:
        raise NotCoveredError("a tensor exponent")
    out = call.out  # the operator, as the op: NumPy turns x ** 2 into a square
    e.emit(f"{out} = {x} ** {y}", (x, y), (out,), f"{out} = {x} ** {y}")
    return out


@template(ops.Pow, backward=True)
def pow_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    x, y = call.args
    grad_x = grad_for(0, f"grad_{x}")
    if isinstance(y.const, (int, float)) and y.const == 2:
        scaled = e.new(f"{grad}_times_2", grad.shape, grad.dtype)
        e.emit(f"{scaled} = {grad} * 2", (grad,), (scaled,))
        e.emit(f"{grad_x} = {scaled} * {x}", (scaled, x), (grad_x,), f"∂L/∂{x} = ∂L/∂out · 2 {x}")
    else:
        text = f"{grad_x} = {grad} * {y} * {x} ** ({y} - 1)"
        e.emit(text, (grad, x, y), (grad_x,), f"∂L/∂{x} = ∂L/∂out · y x^(y-1)")
    return grad_x, None


def _unary(e: Emitter, call: OpCall, ufunc: str, maths: str) -> Value:
    (x,) = call.args[:1]
    out = call.out
    e.emit(f"{out} = np.{ufunc}({x}{e.out(out)})", (x,), (out,), maths.format(out=out, x=x))
    return out


@template(ops.Neg)
def neg(e: Emitter, call: OpCall) -> Value:
    return _unary(e, call, "negative", "{out} = -{x}")


@template(ops.Neg, backward=True)
def neg_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    grad_x = grad_for(0, f"grad_{call.args[0]}")
    e.emit(f"{grad_x} = -{grad}", (grad,), (grad_x,))
    return (grad_x,)


def _times_saved(grad: Value, saved: Value, grad_x: Value, e: Emitter, maths: str) -> tuple:
    e.emit(f"{grad_x} = {grad} * {saved}", (grad, saved), (grad_x,), maths)
    return (grad_x,)


@template(ops.Exp)
def exp(e: Emitter, call: OpCall) -> Value:
    return _unary(e, call, "exp", "{out} = exp({x})")


@template(ops.Exp, backward=True)
def exp_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    grad_x = grad_for(0, f"grad_{call.args[0]}")
    return _times_saved(grad, call.out, grad_x, e, f"∂L/∂{call.args[0]} = ∂L/∂out · {call.out}")


@template(ops.Log)
def log(e: Emitter, call: OpCall) -> Value:
    return _unary(e, call, "log", "{out} = log({x})")


@template(ops.Log, backward=True)
def log_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    (x,) = call.args
    grad_x = grad_for(0, f"grad_{x}")
    e.emit(f"{grad_x} = {grad} / {x}", (grad, x), (grad_x,), f"∂L/∂{x} = ∂L/∂out / {x}")
    return (grad_x,)


@template(ops.Sqrt)
def sqrt(e: Emitter, call: OpCall) -> Value:
    return _unary(e, call, "sqrt", "{out} = √{x}")


@template(ops.Sqrt, backward=True)
def sqrt_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    grad_x = grad_for(0, f"grad_{call.args[0]}")
    out = call.out
    e.emit(f"{grad_x} = {grad} / (2 * {out})", (grad, out), (grad_x,), f"/ (2 {out})")
    return (grad_x,)


@template(ops.Abs)
def abs_(e: Emitter, call: OpCall) -> Value:
    (x,) = call.args
    if call.recorded and call.needs[0]:
        sign = e.like(f"sign_{x}", x)
        e.emit(f"{sign} = np.sign({x})", (x,), (sign,))
        call.saved["factor"] = sign
    return _unary(e, call, "abs", "{out} = |{x}|")


@template(ops.Tanh)
def tanh(e: Emitter, call: OpCall) -> Value:
    return _unary(e, call, "tanh", "{out} = tanh({x})")


@template(ops.Tanh, backward=True)
def tanh_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    (x,) = call.args
    out = call.out
    grad_x = grad_for(0, f"grad_{x}")
    maths = f"∂L/∂{x} = ∂L/∂{out} · (1 - {out}²)"
    if out.shape == ():
        e.emit(f"{grad_x} = {grad} * (1 - {out} * {out})", (grad, out), (grad_x,), maths)
        return (grad_x,)
    e.emit(f"{grad_x} = np.multiply({out}, {out}{e.out(grad_x)})", (out,), (grad_x,), maths)
    e.emit(f"np.subtract(1.0, {grad_x}, out={grad_x})", (grad_x,), (grad_x,))
    e.emit(f"{grad_x} *= {grad}", (grad_x, grad), (grad_x,))
    return (grad_x,)


@template(ops.Sigmoid)
def sigmoid(e: Emitter, call: OpCall) -> Value:
    (x,) = call.args
    out = call.out
    limit = _EXP_LIMIT.get(out.dtype, 88.0)  # type: ignore[arg-type]
    if x.dtype is not None and x.dtype == out.dtype:
        target = e.into(out)
    else:  # an integer input: computed into a float64 array, as the op does
        target = f", out=np.empty({out.shape!r}, {e.ref(out.dtype, 'dtype')})"
    maths = f"{out} = σ({x}) = 1 / (1 + exp(-{x}))"
    e.emit(f"{out} = np.negative({x}{target})", (x,), (out,), maths)
    e.emit(
        f"np.minimum({out}, {limit!r}, out={out})", (out,), (out,), "(clamped: exp never overflows)"
    )
    e.emit(f"np.exp({out}, out={out})", (out,), (out,))
    e.emit(f"{out} += 1", (out,), (out,))
    e.emit(f"np.reciprocal({out}, out={out})", (out,), (out,))
    return out


@template(ops.Sigmoid, backward=True)
def sigmoid_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    (x,) = call.args
    out = call.out
    grad_x = grad_for(0, f"grad_{x}")
    maths = f"∂L/∂{x} = ∂L/∂{out} · {out} (1 - {out})"
    if out.shape == ():
        e.emit(f"{grad_x} = {grad} * {out} * (1 - {out})", (grad, out), (grad_x,), maths)
        return (grad_x,)
    e.emit(f"{grad_x} = np.subtract(1.0, {out}{e.out(grad_x)})", (out,), (grad_x,), maths)
    e.emit(f"{grad_x} *= {out}", (grad_x, out), (grad_x,))
    e.emit(f"{grad_x} *= {grad}", (grad_x, grad), (grad_x,))
    return (grad_x,)


@template(ops.ReLU)
def relu(e: Emitter, call: OpCall) -> Value:
    (x,) = call.args
    if call.recorded and call.needs[0]:
        positive = e.new(f"{x}_positive", x.shape, np.bool_)
        e.emit(f"{positive} = np.greater({x}, 0{e.out(positive)})", (x,), (positive,))
        call.saved["positive"] = positive
    out = call.out
    e.emit(f"{out} = np.maximum({x}, 0{e.out(out)})", (x,), (out,), f"{out} = max({x}, 0)")
    return out


@template(ops.ReLU, backward=True)
def relu_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    positive = call.saved["positive"]
    grad_x = grad_for(0, f"grad_{call.args[0]}")
    text = f"{grad_x} = np.where({positive}, {grad}, 0.0)"
    e.emit(text, (positive, grad), (grad_x,), f"∂L/∂out where {call.args[0]} > 0, else 0")
    return (grad_x,)


@template(ops.LeakyReLU)
def leaky_relu(e: Emitter, call: OpCall) -> Value:
    x, slope = call.args
    factor = e.like(f"slope_{x}", x)
    dtype = e.ref(x.dtype, "dtype")
    e.emit(f"{factor} = np.where({x} > 0, 1.0, {slope}).astype({dtype})", (x, slope), (factor,))
    call.saved["factor"] = factor
    out = call.out
    e.emit(f"{out} = np.multiply({x}, {factor}{e.out(out)})", (x, factor), (out,), "leaky ReLU")
    return out


def _scaled_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    grad_x = grad_for(0, f"grad_{call.args[0]}")
    return _times_saved(grad, call.saved["factor"], grad_x, e, "")


for _op in (ops.Abs, ops.LeakyReLU, ops.Dropout):
    template(_op, backward=True)(_scaled_backward)


@template(ops.Where)
def where(e: Emitter, call: OpCall) -> Value:
    condition, x, y = call.args
    mask = e.new(f"mask{call.number}", condition.shape, np.bool_)
    e.emit(f"{mask} = np.asarray({condition}, dtype=np.bool_)", (condition,), (mask,))
    call.saved["mask"] = mask
    out = call.out
    text = f"{out} = np.where({mask}, {x}, {y})"
    e.emit(text, (mask, x, y), (out,), f"{out} = {x} where the mask holds, else {y}")
    return out


@template(ops.Where, backward=True)
def where_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    mask = call.saved["mask"]
    results: list[Value | None] = [None, None, None]
    for position, picked in ((1, f"{grad}, 0.0"), (2, f"0.0, {grad}")):
        if call.needs[position]:
            target = grad_for(position, f"grad_{call.args[position]}")
            e.emit(f"{target} = np.where({mask}, {picked})", (mask, grad), (target,))
            results[position] = target
    return tuple(results)


@template(ops.Dropout)
def dropout(e: Emitter, call: OpCall) -> Value:
    x, p = call.args
    dtype: Any = x.dtype if x.dtype is not None and x.dtype.kind == "f" else np.dtype(np.float64)
    draws_type = np.dtype(np.float32 if dtype == np.float32 else np.float64)
    draws_dtype = e.ref(draws_type, "dtype")
    draws = e.new(f"draws{call.number}", x.shape, draws_type)
    shape = repr(x.shape)
    text = f"{draws} = rng_generator().random({shape}, dtype={draws_dtype})"
    e.emit(text, (), (draws,), "fresh draws from the library's generator at each call", pure=False)
    scale = e.new(f"keep{call.number}", x.shape, dtype)
    text = f"{scale} = np.zeros({shape}, {e.ref(np.dtype(dtype), 'dtype')})"
    e.emit(text, (), (scale,), pure=False)
    if p.const < 1:
        keep = 1.0 / (1.0 - p.const)
        text = f"{scale}[{draws} >= {p}] = {keep!r}"
        e.emit(text, (draws, scale), (scale,), f"kept with probability 1 - {p}, scaled by 1/(1-p)")
    call.saved["factor"] = scale
    out = call.out
    e.emit(f"{out} = np.multiply({x}, {scale}{e.out(out)})", (x, scale), (out,), "dropout")
    return out


@template(ops.Clone)
def clone(e: Emitter, call: OpCall) -> Value:
    (x,) = call.args
    out = call.out
    e.emit(f"{out} = {x}.copy()", (x,), (out,), f"{out} = a copy of {x}")
    return out


@template(ops.Clone, backward=True)
def clone_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    return (grad,)


@template(ops.Cast)
def cast(e: Emitter, call: OpCall) -> Value:
    x, dtype = call.args
    out = call.out
    target = e.ref(np.dtype(dtype.const), "dtype")
    e.emit(f"{out} = {x}.astype({target})", (x,), (out,), f"{out} = {x} as {target}")
    return out


@template(ops.Cast, backward=True)
def cast_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    x = call.args[0]
    grad_x = grad_for(0, f"grad_{x}")
    e.emit(f"{grad_x} = {grad}.astype({e.ref(x.dtype, 'dtype')})", (grad,), (grad_x,))
    return grad_x, None
