"""Run recorded nodes' backward again, at the values they had, to get local derivatives.

A node's backward is a vector-Jacobian product at the point forward saw. The trace keeps what
each node saved when backward ran, so it can ask the same node for other products later (with
a one-hot upstream gradient, say) on a copy of the node that holds those values: the user's
graph is never touched. :func:`walk` chains such products over recorded ops, newest first, as
the engine does; explanations use it for the derivative of one value with respect to another.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.broadcast import sum_to_shape
from ..autograd.grad_mode import no_grad
from .records import TracedOp, TracedTensor, accumulate

FREED = (
    "the graph was freed by backward(); call backward(retain_graph=True) to explain a live "
    "graph, or record the computation with `with tg.viz.trace() as tr:` and use tr.explain()"
)


def vjp(op: TracedOp, grads_out: list) -> list:
    """What ``op``'s backward returns for the upstream gradients ``grads_out`` (one per
    output, None allowed): one raw gradient (or None) per input, in the output's shape."""
    node = op.node
    saved = op.saved if op.saved is not None else getattr(node, "_saved", None)
    if node is None or saved is None:
        raise RuntimeError(f"{op.name}: cannot replay its backward: {FREED}")
    replica = copy.copy(node)
    replica._saved, replica._saved_versions, replica._hooks, replica._held = saved, (), None, None
    if node._n_outputs == 1:
        grads: Any = grads_out[0]
    else:
        grads = list(grads_out)
    with no_grad(), np.errstate(all="ignore"):
        raws = replica.run_backward(grads, False)
    result: list = []
    for position, edge in enumerate(node.next_edges):
        raw = raws[position] if position < len(raws) else None
        result.append(None if edge is None or raw is None else np.asarray(raw))
    return result


def fit(raw: np.ndarray | None, tensor: TracedTensor | None) -> np.ndarray | None:
    """A raw gradient summed back to ``tensor``'s shape (broadcasting undone) and dtype."""
    if raw is None or tensor is None:
        return None
    fitted = sum_to_shape(raw, tensor.shape) if raw.shape != tensor.shape else raw
    return np.asarray(fitted, dtype=tensor.dtype)


def ones_vjp(op: TracedOp) -> list:
    """The backward of ``op`` for an upstream of ones: for an element-wise op, each input's
    local derivative, element by element (in the output's shape)."""
    ones = [np.ones(out.shape, dtype=out.dtype) for out in op.outputs]
    return vjp(op, ones)


Visit = Callable[[TracedOp, list, list, list], None]


def walk(
    ops: Iterable[TracedOp],
    seeds: dict[TracedTensor, np.ndarray],
    stop: set[TracedTensor] | frozenset = frozenset(),
    visit: Visit | None = None,
) -> dict[TracedTensor, np.ndarray]:
    """Propagate ``seeds`` (gradients of some tensors) back through ``ops`` (newest first).

    An op whose output is in ``stop`` (and not seeded) is not run: gradients gather at that
    tensor and go no further. ``visit(op, upstream, raw, fitted)`` sees each op run.
    Returns the gradient every reached tensor received.
    """
    grads: dict[TracedTensor, np.ndarray] = {t: np.asarray(g) for t, g in seeds.items()}
    for op in ops:
        upstream = [grads.get(out) for out in op.outputs]
        if all(g is None for g in upstream):
            continue
        if any(out in stop and out not in seeds for out in op.outputs):
            continue
        if op.node is None:
            continue
        raws = vjp(op, upstream)
        fitted = [fit(raw, tensor) for raw, tensor in zip(raws, op.inputs)]
        if visit is not None:
            visit(op, upstream, raws, fitted)
        for tensor, grad in zip(op.inputs, fitted):
            if tensor is not None and grad is not None:
                grads[tensor] = accumulate(grads.get(tensor), grad)
    return grads
