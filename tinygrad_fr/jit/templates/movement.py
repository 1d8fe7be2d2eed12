"""Templates of the ops that move or select elements, and of the ops without a gradient.

Views (reshape, permute, broadcast, basic indexing) share memory with their input, as the
ops' results do; the backward of indexing scatters the gradient into zeros.
"""

from __future__ import annotations

import numpy as np

from ...ops import movement as ops
from ...ops import nondiff
from ..codegen import Emitter, Value
from . import GradFor, NotCoveredError, OpCall, template


def _view(e: Emitter, call: OpCall, text: str, maths: str) -> Value:
    x = call.args[0]
    out = call.out
    out.views, out.owned = (x,), False
    e.emit(f"{out} = {text}", (x,), (out,), maths)
    return out


@template(ops.Reshape)
def reshape(e: Emitter, call: OpCall) -> Value:
    x, shape = call.args
    return _view(e, call, f"{x}.reshape({shape})", f"{x} reshaped to {call.out.shape}")


@template(ops.Reshape, backward=True)
def reshape_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    x = call.args[0]
    grad_x = grad_for(0, f"grad_{x}")
    grad_x.views, grad_x.owned = (grad,), False
    e.emit(f"{grad_x} = {grad}.reshape({x.shape!r})", (grad,), (grad_x,))
    return grad_x, None


@template(ops.Permute)
def permute(e: Emitter, call: OpCall) -> Value:
    x, axes = call.args
    return _view(e, call, f"{x}.transpose({axes})", f"{x} with axes {axes}")


@template(ops.Permute, backward=True)
def permute_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    inverse = tuple(np.argsort(call.const(1)).tolist())
    grad_x = grad_for(0, f"grad_{call.args[0]}")
    grad_x.views, grad_x.owned = (grad,), False
    e.emit(f"{grad_x} = {grad}.transpose({inverse!r})", (grad,), (grad_x,))
    return grad_x, None


@template(ops.Expand)
def expand(e: Emitter, call: OpCall) -> Value:
    x, shape = call.args
    return _view(e, call, f"np.broadcast_to({x}, {shape})", f"{x} broadcast to {shape}")


@template(ops.Expand, backward=True)
def expand_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    return grad, None  # summed back to the input's shape on its way (as the engine does)


@template(ops.GetItem)
def getitem(e: Emitter, call: OpCall) -> Value:
    x, index = call.args
    probe = np.empty(x.shape or (), x.dtype)[index.const]  # type: ignore[arg-type]
    if type(probe) is not np.ndarray:  # integers only: the op adds ... to get an array
        items = index.const if isinstance(index.const, tuple) else (index.const,)
        full = e.constant(items + (Ellipsis,), "index")
        return _view(e, call, f"{x}[{full}]", f"{x}[{index}]")
    return _view(e, call, f"{x}[{index}]", f"{x}[{index}]")


@template(ops.GetItem, backward=True)
def getitem_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    x, index = call.args
    grad_x = grad_for(0, f"grad_{x}")
    zeros = f"{grad_x} = np.zeros({x.shape!r}, dtype={grad}.dtype)"
    if ops.is_basic_index(index.const):
        text = f"{zeros}; {grad_x}[{index}] = {grad}"
    else:  # repeated indices accumulate
        text = f"{zeros}; np.add.at({grad_x}, {index}, {grad})"
    e.emit(text, (grad,), (grad_x,), f"∂L/∂{x}: the gradient at [{index}], 0 elsewhere")
    return grad_x, None


@template(nondiff.Alias)
def alias(e: Emitter, call: OpCall) -> Value:
    return call.args[0]


@template(nondiff.Compare)
def compare(e: Emitter, call: OpCall) -> Value:
    x, y, function = call.args
    if not function.is_const:
        raise NotCoveredError("comparison")
    out = call.out
    e.emit(f"{out} = {function}({x}, {y})", (x, y), (out,), f"{out} = {function.name}({x}, {y})")
    return out


@template(nondiff.ArgExtremum)
def arg_extremum(e: Emitter, call: OpCall) -> Value:
    x, pick, axis, keepdims = call.args
    out = call.out
    text = f"np.asarray({pick}({x}, axis={axis}, keepdims={keepdims}), dtype=np.int64)"
    e.emit(f"{out} = {text}", (x,), (out,), f"{out} = index of the {pick} of {x}")
    return out


@template(nondiff.Truth)
def truth(e: Emitter, call: OpCall) -> Value:
    x, reduce, *rest = call.args
    out = call.out
    options = "".join(f", {name}={value}" for name, value in zip(("axis", "keepdims"), rest))
    text = f"{reduce}({x}{options})"
    if reduce.const is np.count_nonzero:
        text = f"np.asarray({text}, dtype=np.int64)"
    e.emit(f"{out} = {text}", (x,), (out,))
    return out
