"""Templates of the fused losses (``tinygrad_fr.ops.loss``): mean squared error and NLL.

MSE's backward needs ``x - target``, which its forward already computed: the generated code
reuses that array (the op recomputes it; the values are the same).
"""

from __future__ import annotations

import math

import numpy as np

from ...ops import loss as ops
from ..codegen import BASE_NAMESPACE, Emitter, Value
from . import GradFor, NotCoveredError, OpCall, template


@template(ops.MSELoss)
def mse_loss(e: Emitter, call: OpCall) -> Value:
    x, target, reduction = call.args
    out = call.out
    diff = e.like(f"{x}_minus_{target}", x)
    e.emit(f"{diff} = np.subtract({x}, {target}{e.out(diff)})", (x, target), (diff,))
    call.saved["diff"] = diff
    size = max(1, math.prod(x.shape or ()))
    if reduction.const == "none":
        text = f"{out} = np.multiply({diff}, {diff}{e.out(out)})"
        e.emit(text, (diff,), (out,), f"{out} = ({x} - {target})²")
        return out
    if x.dtype is not None and x.dtype.kind == "f":
        total = f"np.vdot({diff}, {diff})"
    else:
        total = f"({diff} * {diff}).sum()"
    value = f"{total} / {size}" if reduction.const == "mean" else total
    maths = (
        f"{out} = " + ("mean" if reduction.const == "mean" else "sum") + f" of ({x} - {target})²"
    )
    e.emit(f"{out} = {value}", (diff,), (out,), maths)
    return out


@template(ops.MSELoss, backward=True)
def mse_loss_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    x, target, reduction = call.args
    size = max(1, math.prod(x.shape or ()))
    scale = 2.0 / size if reduction.const == "mean" else 2.0
    grad_x = grad_for(0, f"grad_{x}")
    diff = call.saved.pop("diff", None)  # the forward's x - target, used only once
    factor = e.new(f"{grad}_times_{scale!r}".replace(".", "_"), grad.shape, grad.dtype)
    e.emit(f"{factor} = {grad} * {scale!r}", (grad,), (factor,))
    maths = (
        f"∂L/∂{x} = ∂L/∂{call.out} · {'2/n' if reduction.const == 'mean' else '2'} ({x} - {target})"
    )
    scalar = x.shape == ()
    if diff is None or scalar or diff.escapes:
        source = f"np.subtract({x}, {target})"
        reads: tuple = (x, target)
    else:
        source = str(diff)
        reads = (diff,)
    if scalar:
        e.emit(f"{grad_x} = {source} * {factor}", reads + (factor,), (grad_x,), maths)
    elif source == str(diff) and not grad_x.escapes:
        grad_x.buffer, grad_x.owned, grad_x.views = None, False, (diff,)
        e.emit(f"{grad_x} = {diff}; {grad_x} *= {factor}", reads + (factor,), (grad_x,), maths)
    else:
        e.emit(f"{grad_x} = {source}; {grad_x} *= {factor}", reads + (factor,), (grad_x,), maths)
    grad_target = None
    if call.needs[1]:
        grad_target = grad_for(1, f"grad_{target}")
        e.emit(f"{grad_target} = -{grad_x}", (grad_x,), (grad_target,))
    return grad_x, grad_target, None


def check_classes(target: np.ndarray, classes: int, ignore_index: int) -> None:
    """The check ``nll_loss`` makes in Python before its op: class indices in range."""
    if target.size and (target.min() < 0 or target.max() >= classes):
        valid = ((target >= 0) & (target < classes)) | (target == ignore_index)
        if not valid.all():
            raise IndexError(
                f"nll_loss: target holds class {target[~valid].flat[0]} but the input has "
                f"{classes} classes; targets must be in 0..{classes - 1} (or equal "
                f"ignore_index={ignore_index})"
            )


BASE_NAMESPACE["check_classes"] = check_classes


@template(ops.NLLLoss)
def nll_loss(e: Emitter, call: OpCall) -> Value:
    logp, target, weight, ignore_index, reduction = call.args
    if logp.shape is None or len(logp.shape) not in (1, 2) or not weight.is_const:
        raise NotCoveredError("NLLLoss with weights or other shapes")
    if weight.const is not None:
        raise NotCoveredError("NLLLoss with class weights")
    n = call.number
    batched = len(logp.shape) == 2
    classes = logp.shape[-1]
    e.emit(f"check_classes({target}, {classes}, {ignore_index})", (target,), (), pure=False)
    kept = e.new(f"kept{n}", target.shape, np.bool_)
    e.emit(f"{kept} = {target} != {ignore_index}", (target,), (kept,), "targets counted")
    picked = e.new(f"classes{n}", target.shape, np.int64)
    e.emit(f"{picked} = np.where({kept}, {target}, 0)", (kept, target), (picked,))
    index = e.new(f"index{n}", owned=False)
    if batched:
        rows = e.new(f"rows{n}", (logp.shape[0],), np.int64)
        e.emit(f"{rows} = np.arange({logp.shape[0]})", (), (rows,))
        e.emit(f"{index} = ({rows}, {picked})", (rows, picked), (index,))
    else:
        e.emit(f"{index} = ({picked},)", (picked,), (index,))
    factor = e.new(f"factor{n}", target.shape, logp.dtype)
    e.emit(f"{factor} = {kept}.astype({e.ref(logp.dtype, 'dtype')})", (kept,), (factor,))
    total = e.new(f"total{n}", (), logp.dtype)
    mean = reduction.const == "mean"
    e.emit(f"{total} = {factor}.sum()" if mean else f"{total} = 1.0", (factor,), (total,))
    scale = e.new(f"scale{n}", target.shape, logp.dtype)
    text = (
        f"{scale} = -{factor} / {total} if {total} else -{factor}"
        if mean
        else f"{scale} = -{factor}"
    )
    e.emit(text, (factor, total), (scale,))
    call.saved.update(index=index, scale=scale)
    losses = e.new(f"losses{n}", target.shape, logp.dtype)
    e.emit(f"{losses} = -{logp}[{index}] * {factor}", (logp, index, factor), (losses,))
    out = call.out
    if reduction.const == "none":
        value = str(losses)
    elif mean:
        nan = f"np.full((), np.nan, dtype={e.ref(logp.dtype, 'dtype')})"
        value = f"({nan} if {total} == 0 else {losses}.sum() / {total})"
    else:
        value = f"{losses}.sum()"
    if out.escapes and reduction.const != "none":
        value = f"np.asarray({value})"
    maths = f"{out} = -{logp}[i, target_i] " + ("averaged" if mean else "summed")
    e.emit(f"{out} = {value}", (losses, total), (out,), maths)
    return out


@template(ops.NLLLoss, backward=True)
def nll_loss_backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    logp = call.args[0]
    index, scale = call.saved["index"], call.saved["scale"]
    values = e.new(f"{scale}_times_{grad}", scale.shape, scale.dtype)
    e.emit(f"{values} = {scale} * {grad}", (scale, grad), (values,))
    grad_logp = grad_for(0, f"grad_{logp}")
    zeros = f"{grad_logp} = np.zeros({logp.shape!r}, dtype={values}.dtype)"
    text = f"{zeros}; np.add.at({grad_logp}, {index}, {values})"
    e.emit(
        text, (index, values), (grad_logp,), f"∂L/∂{logp}: -1/n at each [i, target_i], 0 elsewhere"
    )
    return grad_logp, None, None, None, None
