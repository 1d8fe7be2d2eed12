"""Templates of the matrix products (``tinygrad_fr.ops.linalg``): Linear and 2-D MatMul.

Linear's backward is the course's backpropagation: the gradient of the input is
``grad @ W``, of the weight ``gradᵀ @ x``, of the bias the sum of ``grad`` over the rows.
"""

from __future__ import annotations

import numpy as np

from ...ops import linalg as ops
from ..codegen import Emitter, Value
from . import GradFor, NotCoveredError, OpCall, template


@template(ops.Linear)
def linear(e: Emitter, call: OpCall) -> Value:
    x, weight, bias = call.args
    out = call.out
    maths = f"{out} = {x} @ {weight}ᵀ" + ("" if bias.const is None else f" + {bias}")
    product = "np.dot" if _one_row(e, x, weight, out) else "np.matmul"
    e.emit(f"{out} = {product}({x}, {weight}.T{e.out(out)})", (x, weight), (out,), maths)
    if bias.const is None:
        return out
    if bias.dtype == out.dtype:
        e.emit(f"{out} += {bias}", (out, bias), (out,))
    else:
        e.emit(f"{out} = {out} + {bias}", (out, bias), (out,))
    return out


@template(ops.Linear, backward=True)
def linear_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    x, weight, bias = call.args
    needs_x, needs_weight, needs_bias = call.needs
    grad_x = grad_weight = grad_bias = None
    ndim = len(grad.shape)  # type: ignore[arg-type]
    if needs_x:
        grad_x = grad_for(0, f"grad_{x}")
        product = "np.dot" if _one_row(e, grad, weight, grad_x) else "np.matmul"
        text = f"{grad_x} = {product}({grad}, {weight}{e.out(grad_x)})"
        e.emit(text, (grad, weight), (grad_x,), f"∂L/∂{x} = ∂L/∂{call.out} @ {weight}")
    rows = grad
    if ndim != 2:  # every leading axis is a batch axis
        rows = e.new(f"{grad}_rows", views=(grad,), owned=False)
        e.emit(f"{rows} = {grad}.reshape((-1, {grad.shape[-1]}))", (grad,), (rows,))  # type: ignore[index]
    if needs_weight:
        grad_weight = grad_for(1, f"grad_{weight}")
        maths = f"∂L/∂{weight} = (∂L/∂{call.out})ᵀ @ {x}"
        if len(x.shape) == 1:  # type: ignore[arg-type]
            text = f"{grad_weight} = {grad}.reshape((-1, 1)) * {x}.reshape((1, -1))"
        elif len(x.shape) == 2:  # type: ignore[arg-type]
            text = f"{grad_weight} = np.dot({rows}.T, {x}{e.out(grad_weight)})"
        else:
            text = f"{grad_weight} = np.dot({rows}.T, {x}.reshape((-1, {x.shape[-1]})))"  # type: ignore[index]
        e.emit(text, (grad, rows, x), (grad_weight,), maths)
    if needs_bias:
        maths = f"∂L/∂{bias} = ∂L/∂{call.out} summed over the rows"
        if ndim == 1:
            return grad_x, grad_weight, grad
        grad_bias = grad_for(2, f"grad_{bias}")
        # One row: the op hands out the row itself, which the engine copies (a view); the
        # sum of one row is that copy, in one call.
        out = e.out(grad_bias)
        if rows.shape is not None and rows.shape[0] == 1 and not out:
            text = f"{grad_bias} = {rows}[0].copy()"
        else:
            text = f"{grad_bias} = np.add.reduce({rows}, axis=0{out})"
        e.emit(text, (rows,), (grad_bias,), maths)
    return grad_x, grad_weight, grad_bias


def _one_row(e: Emitter, x: Value, weight: Value, out: Value) -> bool:
    """Whether ``x @ weight`` (or ``weight.T``) may be written ``np.dot``: for one row of
    float32 or float64 on contiguous arrays, NumPy's ``dot`` and ``matmul`` make the same
    BLAS call (so the same bits), and ``dot`` costs 1-2 µs less per call at W1's sizes."""
    if x.shape is None or len(x.shape) != 2 or x.shape[0] != 1:
        return False
    if not x.dtype == weight.dtype == out.dtype or x.dtype not in (np.float32, np.float64):
        return False
    return e.contiguous(x, weight)


@template(ops.MatMul)
def matmul(e: Emitter, call: OpCall) -> Value:
    a, b = call.args
    if a.shape is None or b.shape is None or len(a.shape) != 2 or len(b.shape) != 2:
        raise NotCoveredError("MatMul of other than two matrices")
    out = call.out
    e.emit(f"{out} = np.matmul({a}, {b}{e.out(out)})", (a, b), (out,), f"{out} = {a} @ {b}")
    return out


@template(ops.MatMul, backward=True)
def matmul_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    a, b = call.args
    grad_a = grad_b = None
    if call.needs[0]:
        grad_a = grad_for(0, f"grad_{a}")
        text = f"{grad_a} = np.matmul({grad}, {b}.T{e.out(grad_a)})"
        e.emit(text, (grad, b), (grad_a,), f"∂L/∂{a} = ∂L/∂{call.out} @ {b}ᵀ")
    if call.needs[1]:
        grad_b = grad_for(1, f"grad_{b}")
        text = f"{grad_b} = np.matmul({a}.T, {grad}{e.out(grad_b)})"
        e.emit(text, (grad, a), (grad_b,), f"∂L/∂{b} = {a}ᵀ @ ∂L/∂{call.out}")
    return grad_a, grad_b
