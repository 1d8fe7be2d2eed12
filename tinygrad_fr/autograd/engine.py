"""The reverse-mode walk: ``backward`` and ``grad``.

The graph is walked without recursion. A first pass counts, for every node, how many
consumers will send it a gradient; a second pass runs each node's backward once all its
gradients have arrived (Kahn's topological order), sums what it returns into its inputs'
buffers, and frees what the node saved. Depth is limited only by memory.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import function, grad_mode
from .broadcast import sum_to_shape
from .function import Function

# Set by tinygrad_fr.jit while it records a step: backward and grad go through it.
capture_hook: Any = None


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate into the ``.grad`` of leaves the gradient of ``tensors`` (PyTorch's API)."""
    outputs = _as_list(tensors)
    grads = _root_grads(outputs, grad_tensors, "backward", create_graph)
    if capture_hook is not None:
        return capture_hook.backward(outputs, grads, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    _run(outputs, grads, retain_graph, create_graph, None)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """Return the gradients of ``outputs`` with respect to ``inputs``; ``.grad`` is untouched.

    >>> import tinygrad_fr as tg
    >>> x = tg.Tensor(3.0, requires_grad=True)
    >>> (dx,) = tg.grad(x ** 3, x, create_graph=True)
    >>> (ddx,) = tg.grad(dx, x)
    >>> dx.item(), ddx.item()
    (27.0, 18.0)
    """
    if capture_hook is not None:
        capture_hook.grad()
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    for index, tensor in enumerate(ins):
        if not isinstance(tensor, function.Tensor) or not tensor._requires_grad:
            raise RuntimeError(
                f"grad: input {index} does not require grad; only tensors created with "
                "requires_grad=True (or computed from one) can be differentiated against"
            )
    grads = _root_grads(outs, grad_outputs, "grad", create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    captured = _run(outs, grads, retain_graph, create_graph, ins)
    results: list = []
    handed_out: set[int] = set()
    for index, tensor in enumerate(ins):
        value = captured.get(index)
        if value is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {index} (shape {tensor.shape}) is not used to compute the "
                    "outputs; pass allow_unused=True to get None for it"
                )
            results.append(None)
            continue
        if not isinstance(value, function.Tensor) and (
            id(value) in handed_out or not value.flags.writeable or not value.flags.owndata
        ):
            value = value.copy()  # shared (a pass-through gradient, the cached ones): own it
        handed_out.add(id(value))
        results.append(_as_tensor(value))
    return tuple(results)


def _as_list(value: Any) -> list:
    if isinstance(value, function.Tensor):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    raise TypeError(f"expected a Tensor or a sequence of Tensors, got {type(value).__name__}")


def _root_grads(outputs: list, given: Any, caller: str, create_graph: bool) -> list:
    """The gradient each output starts with: ``given`` checked, or ones for scalars."""
    tensor_cls = function.Tensor
    if given is None:
        given = [None] * len(outputs)
    elif isinstance(given, tensor_cls) or not isinstance(given, Sequence):
        given = [given]
    else:
        given = list(given)
    if len(given) != len(outputs):
        raise ValueError(f"{caller}: got {len(given)} gradients for {len(outputs)} outputs")
    grads = []
    for index, (out, start) in enumerate(zip(outputs, given)):
        if not isinstance(out, tensor_cls):
            raise TypeError(f"{caller}: output {index} is {type(out).__name__}, not a Tensor")
        if not out._requires_grad:
            raise RuntimeError(
                f"{caller}: output {index} does not require grad and has no grad_fn: nothing "
                "in its computation requires grad. Create the inputs you differentiate with "
                "requires_grad=True, and do not compute the output under tg.no_grad()."
            )
        if start is None:
            if out._data.size != 1:
                raise RuntimeError(
                    f"{caller}: output {index} has shape {out.shape}; a gradient can only be "
                    "created implicitly for a scalar output. Pass the gradient of the output, "
                    "e.g. y.backward(tg.ones_like(y)), or reduce it first (y.sum().backward())."
                )
            start = _ones_like(out._data)
        elif isinstance(start, tensor_cls):
            start = start if create_graph else start._data
        else:
            start = np.asarray(start, dtype=out._data.dtype)
        if tuple(start.shape) != out._data.shape:
            raise RuntimeError(
                f"{caller}: the gradient for output {index} has shape {tuple(start.shape)} but "
                f"the output has shape {out.shape}; they must match"
            )
        if create_graph and not isinstance(start, tensor_cls):
            start = tensor_cls._make(start, False, None)
        grads.append(start)
    return grads


_ONES: dict = {}  # (shape, dtype) -> read-only ones: the implicit gradient of scalar outputs


def _ones_like(array: np.ndarray) -> np.ndarray:
    key = (array.shape, array.dtype)
    ones = _ONES.get(key)
    if ones is None:
        ones = _ONES[key] = np.ones(array.shape, array.dtype)
        ones.flags.writeable = False  # shared by every backward: nobody may change it
    return ones


def _as_tensor(value: Any) -> Any:
    tensor_cls = function.Tensor
    return value if isinstance(value, tensor_cls) else tensor_cls._make(value, False, None)


def _count_dependencies(roots: list) -> dict:
    """For every node reachable from ``roots``: how many edges point to it."""
    dependencies: dict = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        for parent in node.next_edges:
            if parent is None or not parent._is_node:
                continue
            count = dependencies.get(parent)
            if count is None:
                dependencies[parent] = 1
                stack.append(parent)
            else:
                dependencies[parent] = count + 1
    return dependencies


def _run(  # noqa: C901 - the walk reads best in one piece
    outputs: list, grads: list, retain_graph: bool, create_graph: bool, inputs: list | None
) -> dict:
    """Propagate ``grads`` from ``outputs`` to the leaves (or to ``inputs``, captured)."""
    buffers: dict = {}
    captured: dict = {}
    # tg.grad: leaves and nodes whose gradient is wanted, mapped to their input index.
    wanted_leaves: dict = {}
    wanted_nodes: dict = {}
    if inputs is not None:
        for index, tensor in enumerate(inputs):
            if tensor._grad_fn is None:
                wanted_leaves[id(tensor)] = index
            else:
                wanted_nodes.setdefault(tensor._grad_fn, []).append((tensor._output_nr, index))

    roots = []
    for out, start in zip(outputs, grads):
        node = out._grad_fn
        if node is None:
            _deliver_to_leaf(out, start, start, inputs, wanted_leaves, captured, create_graph)
            continue
        _add_to_buffer(buffers, node, out._output_nr, start)
        if node not in roots:
            roots.append(node)

    dependencies = _count_dependencies(roots)
    # tg.grad runs only the nodes between the outputs and its inputs (and frees only those).
    to_run = (
        None if inputs is None else _nodes_to_run(roots, dependencies, wanted_leaves, wanted_nodes)
    )
    ready = [node for node in roots if node not in dependencies]
    # The plain case (arrays, built-in ops, nothing to capture or check) runs inline below.
    plain = not create_graph and not wanted_nodes and not grad_mode.anomaly_enabled
    previous_mode = grad_mode.grad_enabled
    grad_mode.grad_enabled = create_graph
    # Under detect_anomaly NumPy's own warnings are silenced: our error names the op instead.
    quiet = np.errstate(all="ignore") if grad_mode.anomaly_enabled else contextlib.nullcontext()
    try:
        quiet.__enter__()
        while ready:
            node = ready.pop()
            grad_out = buffers.pop(node, None)
            grads_in: tuple
            if grad_out is None:
                grads_in = ()  # no gradient reached this node: only release its parents
            elif to_run is not None and node not in to_run:
                _capture(node, grad_out, wanted_nodes, captured)
                grads_in = ()
            elif plain and node._retained is None and not node._tensor_level:
                grads_in = node.backward(node, grad_out)
                if type(grads_in) is not tuple:
                    grads_in = (grads_in,)
            else:
                grads_in = _call_backward(node, grad_out, create_graph, wanted_nodes, captured)
            # backward() frees its whole graph; tg.grad only what it ran.
            if not retain_graph and node._saved and (to_run is None or node in to_run):
                node.release()
            nrs = node._edge_nrs
            position = -1
            for parent, grad_in in zip(node.next_edges, grads_in):
                position += 1
                if parent is None:
                    continue
                if parent._is_node:
                    if grad_in is not None:
                        nr = nrs[position] if nrs else 0
                        shape, dtype = parent._out_meta[nr]
                        if grad_in.shape != shape:
                            grad_in = _fit_shape(node, position, grad_in, shape)
                        if grad_in.dtype != dtype:
                            grad_in = grad_in.astype(dtype)
                        if parent._n_outputs == 1:
                            previous = buffers.get(parent)
                            buffers[parent] = grad_in if previous is None else previous + grad_in
                        else:
                            _add_to_buffer(buffers, parent, nr, grad_in)
                elif grad_in is not None:
                    data = parent._data
                    if grad_in.shape != data.shape:
                        grad_in = _fit_shape(node, position, grad_in, data.shape)
                    if grad_in.dtype != data.dtype:
                        grad_in = grad_in.astype(data.dtype)
                    _deliver_to_leaf(
                        parent, grad_in, grad_out, inputs, wanted_leaves, captured, create_graph
                    )
            # Every edge to a node counts once toward its readiness, gradient or not.
            for parent in node.next_edges:
                if parent is not None and parent._is_node:
                    left = dependencies[parent] - 1
                    dependencies[parent] = left
                    if left == 0:
                        ready.append(parent)
    finally:
        quiet.__exit__(None, None, None)
        grad_mode.grad_enabled = previous_mode
    return captured


def _add_to_buffer(buffers: dict, node: Function, output_nr: int, grad: Any) -> None:
    if node._n_outputs == 1:
        previous = buffers.get(node)
        buffers[node] = grad if previous is None else previous + grad
        return
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * node._n_outputs
    previous = slots[output_nr]
    slots[output_nr] = grad if previous is None else previous + grad


def _deliver_to_leaf(
    leaf: Any,
    grad: Any,
    grad_out: Any,
    inputs: list | None,
    wanted: dict,
    captured: dict,
    create_graph: bool,
) -> None:
    """Accumulate into ``leaf.grad`` (backward) or into the captured result (grad)."""
    if inputs is not None:
        index = wanted.get(id(leaf))
        if index is not None:
            previous = captured.get(index)
            captured[index] = grad if previous is None else previous + grad
        return
    tensor_cls = function.Tensor
    current = leaf._grad
    if create_graph:
        grad = grad if isinstance(grad, tensor_cls) else tensor_cls._make(grad, False, None)
        # A clone (recorded, so still differentiable): a gradient passed through unchanged
        # must not become the .grad of two leaves, nor wrap the engine's shared ones.
        leaf._grad = grad.clone() if current is None else current + grad
        return
    accumulate_grad(leaf, grad._data if isinstance(grad, tensor_cls) else grad, grad_out)


def accumulate_grad(leaf: Any, grad: np.ndarray, grad_out: Any) -> None:
    """Add the array ``grad`` to ``leaf.grad`` (``grad_out``: the gradient its op received)."""
    current = leaf._grad
    if current is None:
        # The same array may reach several leaves (an add passes its gradient through):
        # each leaf gets its own copy so that in-place changes to one .grad stay local.
        if grad is grad_out or not grad.flags.owndata or not grad.flags.writeable:
            grad = grad.copy()
        leaf._grad = function.Tensor._make(grad, False, None)
    else:
        current._data = current._data + grad


def fit_gradient(grad: Any, shape: tuple, dtype: Any, node: Any, position: int) -> Any:
    """``grad`` summed over broadcast axes to ``shape`` and cast to ``dtype`` if needed."""
    if grad.shape != shape:
        grad = _fit_shape(node, position, grad, shape)
    if grad.dtype != dtype:
        grad = grad.astype(dtype)
    return grad


def _fit_shape(node: Function, position: int, grad: Any, shape: tuple) -> Any:
    try:
        return sum_to_shape(grad, shape)
    except ValueError:
        raise RuntimeError(
            f"{node.name()} returned a gradient of shape {tuple(grad.shape)} for its input "
            f"{position}, which has shape {shape}; a gradient must have its input's shape "
            "(or a shape that broadcasts to it)"
        ) from None


def _call_backward(
    node: Function, grad_out: Any, create_graph: bool, wanted_nodes: dict, captured: dict
) -> tuple:
    """Run one node's backward; returns one gradient (or None) per forward argument."""
    if node._n_outputs > 1:
        grad_out = [
            g if g is not None else np.zeros(shape, dtype)
            for g, (shape, dtype) in zip(grad_out, node._out_meta)
        ]
        if create_graph or node._tensor_level:
            grad_out = [_as_tensor(g) for g in grad_out]
    if node._retained is not None:
        _fill_retained(node, grad_out)
    _capture(node, grad_out, wanted_nodes, captured)

    if not create_graph and not node._tensor_level:
        grads_in = node.backward(node, grad_out)  # the fast path: arrays only
    else:
        grads_in = _call_tensor_backward(node, grad_out, create_graph)
    if type(grads_in) is not tuple:
        grads_in = (grads_in,)
    if node._tensor_level:
        grads_in = _check_user_grads(node, grads_in, create_graph)
    if grad_mode.anomaly_enabled:
        _check_backward(node, grads_in)
    return grads_in


def _capture(node: Function, grad_out: Any, wanted_nodes: dict, captured: dict) -> None:
    """tg.grad: keep the gradient reaching ``node`` if one of its outputs is an input."""
    for output_nr, index in wanted_nodes.get(node, ()):
        value = grad_out[output_nr] if node._n_outputs > 1 else grad_out
        previous = captured.get(index)
        captured[index] = value if previous is None else previous + value


def _nodes_to_run(roots: list, dependencies: dict, wanted_leaves: dict, wanted_nodes: dict) -> set:
    """The nodes whose backward leads to an input of tg.grad (the others need not run)."""
    left = dict(dependencies)
    ready = [node for node in roots if node not in left]
    order = []
    while ready:  # the walk's own order, without running anything
        node = ready.pop()
        order.append(node)
        for parent in node.next_edges:
            if parent is not None and parent._is_node:
                left[parent] -= 1
                if left[parent] == 0:
                    ready.append(parent)
    to_run: set = set()
    for node in reversed(order):  # parents before children: a node runs if an edge leads on
        for parent in node.next_edges:
            if parent is None:
                continue
            if parent._is_node:
                if parent in to_run or parent in wanted_nodes:
                    to_run.add(node)
                    break
            elif id(parent) in wanted_leaves:
                to_run.add(node)
                break
    return to_run


def _call_tensor_backward(node: Function, grad_out: Any, create_graph: bool) -> Any:
    """Backward with Tensors: saved values become graph-connected Tensors if create_graph."""
    tensor_cls = function.Tensor
    saved = node._saved
    if saved:
        node.saved_tensors  # noqa: B018 - raises if the graph was freed or a value modified
        sources = {id(entry[3]): entry[2] for entry in node._saved_versions}
        node._saved = tuple(
            _saved_as_tensor(node, value, sources.get(id(value)), create_graph) for value in saved
        )
    single = node._n_outputs == 1
    if single:
        grad_out = grad_out if isinstance(grad_out, tensor_cls) else _as_tensor(grad_out)
    try:
        if single:
            return node.backward(node, grad_out)
        return node.backward(node, *grad_out)
    finally:
        if saved:
            node._saved = saved


def _saved_as_tensor(node: Function, value: Any, source: int | None, create_graph: bool) -> Any:
    """A saved array as a Tensor; under create_graph, one wired to the graph it came from."""
    tensor_cls = function.Tensor
    if value is None or not isinstance(value, np.ndarray):
        return value
    if source is None or not create_graph:
        return tensor_cls._make(value, False, None) if node._tensor_level else value
    if source < 0:  # an output of this node
        return tensor_cls._make(value, True, node, -1 - source)
    edge = node.next_edges[source]
    if edge is None:
        return tensor_cls._make(value, False, None)
    if isinstance(edge, tensor_cls):
        return edge  # a leaf: the tensor itself
    nrs = node._edge_nrs
    return tensor_cls._make(value, True, edge, nrs[source] if nrs else 0)


def _check_user_grads(node: Function, grads: tuple, create_graph: bool) -> tuple:
    """Validate what a user Function's backward returned and convert it for the engine."""
    tensor_cls = function.Tensor
    expected = len(node.next_edges)
    if len(grads) < expected or any(g is not None for g in grads[expected:]):
        raise RuntimeError(
            f"{type(node).__name__}.backward returned {len(grads)} gradients but forward took "
            f"{expected} arguments: return one per argument (None where there is none)"
        )
    converted: list = []
    for position, (g, edge) in enumerate(zip(grads, node.next_edges)):
        if g is None or edge is None:
            converted.append(None)
        elif isinstance(g, tensor_cls):
            converted.append(g if create_graph else g._data)
        else:
            raise TypeError(
                f"{type(node).__name__}.backward returned {type(g).__name__} for argument "
                f"{position}; return a Tensor or None"
            )
    return tuple(converted)


def _fill_retained(node: Function, grad_out: Any) -> None:
    """Give tensors that called retain_grad() their gradient."""
    tensor_cls = function.Tensor
    for output_nr, reference in node._retained:
        tensor = reference()
        if tensor is None:
            continue
        value = grad_out[output_nr] if node._n_outputs > 1 else grad_out
        if not isinstance(value, tensor_cls):
            value = tensor_cls._make(value.copy(), False, None)
        tensor._grad = value if tensor._grad is None else tensor._grad + value


def _check_backward(node: Function, grads: tuple) -> None:
    """Under detect_anomaly: raise if a node's backward produced NaN or inf."""
    for position, g in enumerate(grads):
        data = g._data if isinstance(g, function.Tensor) else g
        if data is None or np.isfinite(data).all():
            continue
        bad = "nan" if np.isnan(data).any() else "inf"
        trace = "".join(node._forward_trace or ()) or "  (not recorded)\n"
        raise FloatingPointError(
            f"{node.name()} returned {bad} in its gradient for input {position} (shape "
            f"{tuple(data.shape)}). The op was called in forward here:\n{trace}"
        )
