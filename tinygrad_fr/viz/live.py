"""A trace made from a live graph, for ``tg.viz.explain(root)`` without a ``with`` block.

The graph must still hold what its nodes saved: before backward, or after
``backward(retain_graph=True)``. Its backward is then replayed on copies of the nodes
(:mod:`.replay`): nothing of the user's graph or ``.grad`` changes. Values are those the
graph kept: leaves, the output, and what ops saved for backward.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.engine import topological_order
from ..tensor import Tensor
from .records import (
    INPUT,
    INTERMEDIATE,
    LEAF,
    BackwardPass,
    BackwardStep,
    TracedOp,
    TracedTensor,
    copy_array,
)
from .replay import FREED, walk
from .tracing import Trace


def trace_graph(root: Tensor | Sequence[Tensor]) -> Trace:
    """A :class:`~.tracing.Trace` of the graph behind ``root``, with one replayed backward."""
    roots = [root] if isinstance(root, Tensor) else list(root)
    for position, tensor in enumerate(roots):
        if not isinstance(tensor, Tensor) or tensor._grad_fn is None:
            raise ValueError(
                f"tg.viz.explain: output {position} has no graph (it is a leaf or does not "
                "require grad); pass the result of a computation on tensors that require grad"
            )
    nodes = topological_order([tensor._grad_fn for tensor in roots])
    if any(node._saved is None for node in nodes):
        raise RuntimeError(f"tg.viz.explain: {FREED}")
    result = Trace()
    outputs: dict[Any, list[TracedTensor]] = {}
    leaves: dict[int, TracedTensor] = {}
    for node in reversed(nodes):  # oldest first, so each node's inputs exist already
        op = _op(result, node, outputs, leaves)
        outputs[node] = op.outputs
    records = []
    for tensor in roots:
        record = outputs[tensor._grad_fn][tensor._output_nr]
        record.value = copy_array(tensor)
        if tensor.name:
            record.name = tensor.name
        elif not any(t.name == "L" for t in result.tensors):
            record.name = "L"
        record.auto_named = False
        records.append(record)
    _replay_backward(result, records)
    return result


def _op(result: Trace, node: Any, outputs: dict, leaves: dict) -> TracedOp:
    name = node.function.__name__
    inputs: list[TracedTensor | None] = []
    for edge, nr in node.next_functions:
        if edge is None:
            inputs.append(None)
        elif isinstance(edge, Tensor):
            inputs.append(_leaf(result, edge, leaves))
        else:
            inputs.append(outputs[edge][nr])
    op = TracedOp(name, node.function, inputs, {}, [], None, node, len(result.ops), node._saved)
    for output_nr, (shape, dtype) in enumerate(node._out_meta):
        record = TracedTensor(
            result._auto_name(name.lower()),
            tuple(shape),
            None,
            None,
            None,
            INTERMEDIATE,
            len(result.tensors),
            op,
            output_nr,
            dtype,
        )
        result.tensors.append(record)
        op.outputs.append(record)
    for _, _, source, array in node._saved_versions:  # values the node kept
        if source is not None and source < 0 and -1 - source < len(op.outputs):
            op.outputs[-1 - source].value = np.array(array, copy=True)
        elif source is not None and 0 <= source < len(inputs):
            tensor = inputs[source]
            if tensor is not None and tensor.value is None:
                tensor.value = np.array(array, copy=True)
    result.ops.append(op)
    return op


def _leaf(result: Trace, tensor: Tensor, leaves: dict) -> TracedTensor:
    record = leaves.get(id(tensor))
    if record is None:
        kind = LEAF if tensor._requires_grad else INPUT
        name = tensor.name or result._auto_name(kind)
        record = leaves[id(tensor)] = TracedTensor(
            name,
            tuple(tensor.shape),
            None,
            copy_array(tensor),
            None,
            kind,
            len(result.tensors),
            dtype=tensor._data.dtype,
            auto_named=not tensor.name,
        )
        result.tensors.append(record)
        result._by_id[id(tensor)] = record
        result._alive.append(tensor)
    return record


def _replay_backward(result: Trace, roots: list[TracedTensor]) -> None:
    seeds = {root: np.ones(root.shape, dtype=root.dtype) for root in roots}
    backward = BackwardPass(roots, list(seeds.values()))

    def visit(op: TracedOp, upstream: list, raws: list, fitted: list) -> None:
        backward.steps.append(BackwardStep(op, upstream, raws, fitted))

    order = sorted(result.ops, key=lambda op: op.node._sequence_nr, reverse=True)
    grads = walk(order, seeds, visit=visit)
    for tensor, grad in grads.items():
        tensor.grad = grad
    result.passes.append(backward)
