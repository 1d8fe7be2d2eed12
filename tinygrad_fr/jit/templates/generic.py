"""The fallback for ops without a template: the generated code calls the op's own methods.

Forward gets a fresh context object at every call (``new_ctx``), as ``apply`` would make, and
backward reads what forward saved in it. The output may share memory with any argument, and
the gradients' ownership is unknown, so they are checked at run time before becoming a
``.grad`` (as the engine does).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.function import NO_RECORD, Node
from ..codegen import BASE_NAMESPACE, Emitter, Value
from . import GradFor, OpCall


def new_ctx(op: Any, edges: tuple) -> Any:
    """A context for ``op.forward``: ``next_edges`` holds True where a gradient is needed."""
    return Node(op, edges)


def as_array(raw: Any) -> np.ndarray:
    """What forward returned, as an array (NumPy gives 0-d results as scalars)."""
    return raw if type(raw) is np.ndarray else np.asarray(raw)


def grads_of(grads: Any, count: int) -> tuple:
    """A backward's result as one entry per argument (a single gradient, or a short tuple)."""
    if type(grads) is not tuple:
        grads = (grads,)
    return grads + (None,) * (count - len(grads))


BASE_NAMESPACE.update(new_ctx=new_ctx, as_array=as_array, grads_of=grads_of, NO_RECORD=NO_RECORD)


def forward(e: Emitter, call: OpCall) -> Value:
    """``out = Op.forward(ctx, *args)``."""
    name = call.op.__name__
    op = e.ref(call.op, name)
    args = "".join(f", {arg}" for arg in call.args)
    if call.recorded:
        ctx = e.new(f"ctx_{name.lower()}{call.number}", owned=False)
        edges = tuple(True if need else None for need in call.needs)
        e.emit(f"{ctx} = new_ctx({op}, {edges!r})", writes=(ctx,), pure=False)
        call.saved["ctx"] = ctx
        context = str(ctx)
    else:
        context = "NO_RECORD"
    out = call.out
    out.owned = False
    out.views = tuple(arg for arg in call.args if not arg.is_const)
    e.emit(
        f"{out} = as_array({op}.forward({context}{args}))",
        reads=tuple(call.args),
        writes=(out,),
        comment=f"{name}: the op's own forward (no template)",
        pure=False,
    )
    return out


def backward(e: Emitter, call: OpCall, grad: Value, grad_for: GradFor) -> tuple:
    """``grads = Op.backward(ctx, grad)``, one entry per argument."""
    op = e.ref(call.op, call.op.__name__)
    ctx = call.saved["ctx"]
    count = len(call.args)
    outs: list[Value | None] = [
        grad_for(i, f"grad_{arg.name}") if call.needs[i] else None
        for i, arg in enumerate(call.args)
    ]
    for value in outs:
        if value is not None:
            value.owned = False
            value.views = (grad,)
    names = [str(value) if value is not None else "_" for value in outs]
    target = ", ".join(names) + ("," if count == 1 else "")
    e.emit(
        f"{target} = grads_of({op}.backward({ctx}, {grad}), {count})",
        reads=(grad, ctx),
        writes=tuple(value for value in outs if value is not None),
        comment=f"{call.op.__name__}: the op's own backward (no template)",
        pure=False,
    )
    return tuple(outs)
