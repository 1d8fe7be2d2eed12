"""Templates of the reductions (``tinygrad_fr.ops.reduce``): sum, mean, softmax, log-softmax.

The backward of a sum or a mean repeats the gradient over the reduced axes; when that
gradient is a constant (``loss.mean().backward()``), it is computed once while capturing.
"""

from __future__ import annotations

import math

from ...ops import reduce as ops
from ..codegen import Emitter, Value
from . import GradFor, OpCall, template


def _reduced(e: Emitter, call: OpCall, text: str, maths: str) -> Value:
    out = call.out
    e.emit(f"{out} = {text}", (call.args[0],), (out,), maths)
    return out


@template(ops.Sum)
def sum_(e: Emitter, call: OpCall) -> Value:
    x, axes, keepdims = call.args
    out = call.out
    text = f"np.add.reduce({x}, axis={axes}, keepdims={keepdims}{e.out(out)})"
    return _reduced(
        e, call, text, f"{out} = Σ {x}" + ("" if axes.const is None else f" over axes {axes}")
    )


@template(ops.Mean)
def mean(e: Emitter, call: OpCall) -> Value:
    x, axes, keepdims = call.args
    out = call.out
    count = _count(call)
    reduce = f"np.add.reduce({x}, axis={axes}, keepdims={keepdims})"
    text = f"np.divide({reduce}, {count}{e.out(out)})" if e.out(out) else f"{reduce} / {count}"
    return _reduced(
        e, call, text, f"{out} = mean of {x}" + ("" if axes.const is None else f" over axes {axes}")
    )


def _count(call: OpCall) -> int:
    shape = call.args[0].shape or ()
    axes = call.const(1)
    return math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)


def expand_back(e: Emitter, call: OpCall, grad: Value, target: Value) -> None:
    """``target`` = ``grad`` repeated over the axes the reduction removed (``_expand_back``)."""
    x, axes, keepdims = call.args[:3]
    in_shape = x.shape or ()
    if not keepdims.const and axes.const is not None:
        kept = ops.kept_shape(in_shape, axes.const)
        reshaped = e.new(f"{grad}_kept", kept, grad.dtype, views=(grad,), owned=False)
        e.emit(f"{reshaped} = {grad}.reshape({kept!r})", (grad,), (reshaped,))
        grad = reshaped
    text = f"{target} = {e.alloc(target)}; {target}[...] = {grad}"
    e.emit(text, (grad,), (target,), f"∂L/∂{x}: the gradient repeated over the reduced axes")


@template(ops.Sum, backward=True)
def sum_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    grad_x = grad_for(0, f"grad_{call.args[0]}")
    expand_back(e, call, grad, grad_x)
    return (grad_x,)


@template(ops.Mean, backward=True)
def mean_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    scaled = e.new(f"{grad}_over_n", grad.shape, grad.dtype)
    e.emit(f"{scaled} = {grad} / {_count(call)}", (grad,), (scaled,))
    grad_x = grad_for(0, f"grad_{call.args[0]}")
    expand_back(e, call, scaled, grad_x)
    return (grad_x,)


@template(ops.Softmax)
def softmax(e: Emitter, call: OpCall) -> Value:
    x, axis = call.args
    out = call.out
    shifted = f"{x} - {x}.max(axis={axis}, keepdims=True)"
    maths = f"{out} = exp({x}) / Σ exp({x}) along axis {axis} (shifted: never overflows)"
    e.emit(f"{out} = np.exp({shifted}{e.out(out)})", (x,), (out,), maths)
    e.emit(f"{out} /= {out}.sum(axis={axis}, keepdims=True)", (out,), (out,))
    return out


@template(ops.Softmax, backward=True)
def softmax_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    x, axis = call.args
    out = call.out
    grad_x = grad_for(0, f"grad_{x}")
    text = f"{grad_x} = {out} * ({grad} - ({grad} * {out}).sum(axis={axis}, keepdims=True))"
    e.emit(text, (out, grad), (grad_x,), f"∂L/∂{x} = {out} · (∂L/∂{out} - Σ ∂L/∂{out} · {out})")
    return grad_x, None


@template(ops.LogSoftmax)
def log_softmax(e: Emitter, call: OpCall) -> Value:
    x, axis = call.args
    out = call.out
    shifted = e.like(f"{x}_shifted", x)
    e.emit(f"{shifted} = {x} - {x}.max(axis={axis}, keepdims=True)", (x,), (shifted,))
    text = f"{out} = {shifted} - np.log(np.exp({shifted}).sum(axis={axis}, keepdims=True))"
    e.emit(text, (shifted,), (out,), f"{out} = {x} - log Σ exp({x}) along axis {axis}")
    return out


@template(ops.LogSoftmax, backward=True)
def log_softmax_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    x, axis = call.args
    out = call.out
    grad_x = grad_for(0, f"grad_{x}")
    text = f"{grad_x} = {grad} - np.exp({out}) * {grad}.sum(axis={axis}, keepdims=True)"
    e.emit(text, (grad, out), (grad_x,), f"∂L/∂{x} = ∂L/∂{out} - exp({out}) Σ ∂L/∂{out}")
    return grad_x, None
