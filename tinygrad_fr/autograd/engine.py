"""The reverse-mode walk: ``backward`` and ``grad``.

:func:`topological_order` sorts the nodes reachable from the outputs without recursion, each
after every node that sends it a gradient (Kahn's algorithm). :func:`_walk` then visits them
once in that order: it hands each node the sum of the gradients its outputs received, runs
its backward, sends each input its gradient through :func:`_send` (the one place where
broadcasting is undone and dtypes are fixed), and frees what the node saved. ``backward``
and ``grad`` share it; under ``create_graph`` the same loop carries Tensors instead of arrays.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import function
from .broadcast import sum_to_shape
from .checks import check_backward
from .function import Node
from .grad_mode import recording, set_mode, special_threads, state
from .hooks import call_grad_hooks
from .observer import BackwardCall, run_observed


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate into ``.grad`` the gradient of ``tensors`` (PyTorch's API): of every leaf
    that requires grad, or only of ``inputs`` when given (leaves or not)."""
    outputs = _as_list(tensors)
    grads = _root_grads(outputs, grad_tensors, "backward", create_graph)
    targets = None if inputs is None else _as_list(inputs)
    retain = create_graph if retain_graph is None else retain_graph
    captured = _run(outputs, grads, retain, create_graph, targets)
    for index, tensor in enumerate(targets or ()):
        value = captured.get(index)
        if value is not None:
            accumulate_grad(tensor, value, create_graph, set())


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """Return the gradients of ``outputs`` with respect to ``inputs``; ``.grad`` is untouched.

    ``only_inputs`` is accepted for old PyTorch code (it has no effect, as in PyTorch);
    ``materialize_grads=True`` gives zeros instead of None for unused inputs.

    >>> import tinygrad_fr as tg
    >>> x = tg.Tensor(3.0, requires_grad=True)
    >>> (dx,) = tg.grad(x ** 3, x, create_graph=True)
    >>> (ddx,) = tg.grad(dx, x)
    >>> dx.item(), ddx.item()
    (27.0, 18.0)
    """
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True (vmap) is not supported")
    outs, ins = _as_list(outputs), _as_list(inputs)
    for index, tensor in enumerate(ins):
        if not isinstance(tensor, function.Tensor) or not tensor._requires_grad:
            raise RuntimeError(
                f"grad: input {index} does not require grad; only tensors created with "
                "requires_grad=True (or computed from one) can be differentiated against"
            )
    grads = _root_grads(outs, grad_outputs, "grad", create_graph)
    retain = create_graph if retain_graph is None else retain_graph
    captured = _run(outs, grads, retain, create_graph, ins)
    results: list = []
    handed_out: set[int] = set()
    for index, tensor in enumerate(ins):
        value = captured.get(index)
        if value is None:
            if materialize_grads:
                results.append(function.Tensor._make(np.zeros_like(tensor._data), False, None))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {index} (shape {tensor.shape}) is not used to compute the "
                    "outputs; pass allow_unused=True to get None for it"
                )
            results.append(None)
            continue
        if not isinstance(value, function.Tensor):
            value = _owned(value, handed_out)
        results.append(_as_tensor(value))
    return tuple(results)


def topological_order(roots: Sequence[Node]) -> list[Node]:
    """Every node reachable from ``roots``, newest first.

    A node's inputs always come from older nodes, so newest first puts each node after every
    node that sends it a gradient (PyTorch's engine runs nodes in the same order). Iterative:
    depth is limited only by memory.
    """
    seen = set(roots)
    stack = list(seen)
    while stack:
        for parent in stack.pop().next_edges:
            if type(parent) is Node and parent not in seen:  # not None, nor a leaf Tensor
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=_creation, reverse=True)


_creation = operator.attrgetter("_sequence_nr")
_QUIET_ALREADY = contextlib.nullcontext()  # NumPy's warnings stay as the user set them


def _run(outputs: list, grads: list, retain: bool, create_graph: bool, inputs: Any) -> dict:
    """The walk, wrapped by the installed observers (if any)."""
    # No special thread: this one is in the default mode (nothing watched), no need to read
    # its state (a threading.local read costs ~10 plain ones).
    if not (special_threads and state.observers):
        return _walk(outputs, grads, retain, create_graph, inputs)
    call = BackwardCall(
        tuple(outputs), tuple(grads), None if inputs is None else tuple(inputs), retain,
        create_graph,
    )  # fmt: skip

    def run() -> dict:
        return _walk(outputs, grads, retain, create_graph, inputs)

    return run_observed(run, lambda observer, inner: observer.backward(inner, call))


def _walk(outputs: list, grads: list, retain: bool, create_graph: bool, inputs: Any) -> dict:
    """Propagate ``grads`` from ``outputs``; returns the gradients of ``inputs`` by index."""
    buffers: dict = {}  # node or leaf -> its gradient, summed as they arrive
    _send([out._grad_fn or out for out in outputs], [out._output_nr for out in outputs], grads,
          buffers)  # fmt: skip
    order = topological_order([out._grad_fn for out in outputs if out._grad_fn is not None])
    targets = None if inputs is None else _Targets(inputs, order)
    anomaly = bool(special_threads) and state.anomaly_enabled
    quiet = np.errstate(all="ignore") if anomaly else _QUIET_ALREADY
    previous = state.grad_enabled if special_threads else True
    # Only code on Tensors can record: under create_graph the whole walk (its sums too) must;
    # otherwise hooks and custom Functions' backward run under recording(False) where they are
    # called, and arrays need no switch of this thread's mode.
    switch = create_graph and not previous
    if switch:
        set_mode("grad_enabled", True)
    try:
        with quiet:  # under detect_anomaly our checks name the op instead of NumPy's warnings
            for node in order:
                grads_out = buffers.pop(node, None)
                runs = targets is None or node in targets.to_run
                if grads_out is not None:
                    hooks = node._hooks
                    if hooks is not None:
                        with recording(create_graph):
                            grads_out = _before_node(node, grads_out, create_graph)
                    if targets is not None:
                        targets.capture_node(node, grads_out)
                    if runs:
                        grads_in = node.run_backward(grads_out, create_graph)
                        if hooks is not None and hooks.post:
                            with recording(create_graph):
                                grads_in = _after_node(node, grads_in, grads_out, create_graph)
                        if anomaly:
                            check_backward(node, grads_in)
                        _send(node.next_edges, node._edge_nrs, grads_in, buffers, node)
                if runs and not retain and node._saved:
                    node.release()
            _deliver(buffers, targets, create_graph)  # what is left: the leaves' gradients
    finally:
        if switch:
            set_mode("grad_enabled", previous)
    return {} if targets is None else targets.captured


def _send(
    edges: Sequence, nrs: Sequence | None, grads: Sequence, buffers: dict, sender: Any = None
) -> None:
    """Send each edge its gradient: fitted to the target's shape and dtype (the one place
    where broadcasting is undone), then summed into the target's buffer (a node with several
    outputs has one slot per output)."""
    for position, edge in enumerate(edges):
        if edge is None:  # (backward may return no gradient for trailing non-tensor args)
            continue
        grad = grads[position]
        if grad is None:
            continue
        if type(edge) is Node:
            meta = edge._out_meta
            slot = (nrs[position] if nrs else 0) if len(meta) > 1 else None
            shape, dtype = meta[slot or 0]
        else:  # a leaf
            data = edge._data
            shape, dtype, slot = data.shape, data.dtype, None
        if grad.shape != shape or (grad.dtype is not dtype and grad.dtype != dtype):
            grad = fit_gradient(grad, shape, dtype, sender, position)
        if slot is None:
            previous = buffers.get(edge)
            buffers[edge] = grad if previous is None else previous + grad
        else:
            slots = buffers.get(edge)
            if slots is None:
                slots = buffers[edge] = [None] * len(meta)
            previous = slots[slot]
            slots[slot] = grad if previous is None else previous + grad


def _deliver(leaves: dict, targets: _Targets | None, create_graph: bool) -> None:
    """Give each leaf its gradient: into ``.grad`` (backward) or to the result (tg.grad)."""
    handed_out: set[int] = set()
    for leaf, grad in leaves.items():
        hooks = leaf._hooks
        if hooks is not None and hooks.pre:
            with recording(create_graph):
                hooked = call_grad_hooks(hooks.pre, _as_tensor(grad))
            grad = _unwrap(hooked, grad, create_graph)
        if targets is not None:
            targets.capture_leaf(leaf, grad)
            continue
        accumulate_grad(leaf, grad, create_graph, handed_out)
        if hooks is not None and hooks.post_accumulate:
            with recording(create_graph):
                for hook in tuple(hooks.post_accumulate.values()):
                    hook(leaf)


def accumulate_grad(tensor: Any, grad: Any, create_graph: bool, handed_out: set) -> None:
    """Add ``grad`` to ``tensor.grad``: an array that becomes ``.grad`` is the tensor's own
    (copied if it is shared: a view, read-only, or already given to another tensor)."""
    current = tensor._grad
    if create_graph:
        grad = _as_tensor(grad)
        # A clone (recorded, so still differentiable): a gradient passed through unchanged
        # must not become the .grad of two leaves, nor wrap the engine's shared ones.
        tensor._grad = grad.clone() if current is None else current + grad
    elif current is not None:
        current._data = current._data + grad  # the walk carries arrays without create_graph
    else:
        tensor._grad = function.Tensor._make(_owned(grad, handed_out), False, None)


def _owned(array: Any, handed_out: set) -> np.ndarray:
    """``array``, or a copy when it is shared (a view, read-only, or already handed out); a
    NumPy scalar (what 0-d results may be) becomes a 0-d array."""
    flags = getattr(array, "flags", None)
    if flags is None or not (flags.owndata and flags.writeable) or id(array) in handed_out:
        array = np.array(array)
    handed_out.add(id(array))
    return array


def _per_output(node: Node, grads: Any) -> list:
    """A node's buffer as one entry per output (a one-output node's buffer is its gradient)."""
    return list(grads) if node._n_outputs > 1 else [grads]


def _before_node(node: Node, grads_out: Any, create_graph: bool) -> Any:
    """Tensor hooks of the node's outputs, ``retain_grad`` copies, then its pre-hooks."""
    hooks = node.hooks()
    grads = _per_output(node, grads_out)
    for nr, registry in hooks.tensor_pre.items():
        if registry and grads[nr] is not None:
            hooked = call_grad_hooks(registry, _as_tensor(grads[nr]))
            grads[nr] = _unwrap(hooked, grads[nr], create_graph)
    for nr, reference in hooks.retained.items():
        tensor = reference()
        if tensor is not None and grads[nr] is not None:
            value = grads[nr] if create_graph else grads[nr].copy()
            tensor._grad = _as_tensor(value) if tensor._grad is None else tensor._grad + value
    for hook in tuple(hooks.pre.values()):
        result = hook(tuple(_maybe_tensor(g) for g in grads))
        if result is not None:
            grads = [_unwrap(new, old, create_graph) for new, old in zip(result, grads)]
    return grads if node._n_outputs > 1 else grads[0]


def _after_node(node: Node, grads_in: tuple, grads_out: Any, create_graph: bool) -> tuple:
    """The node's post-hooks: ``hook(grad_inputs, grad_outputs)`` may replace grad_inputs."""
    outs = tuple(_maybe_tensor(g) for g in _per_output(node, grads_out))
    for hook in tuple(node.hooks().post.values()):
        result = hook(tuple(_maybe_tensor(g) for g in grads_in), outs)
        if result is not None:
            grads_in = tuple(_unwrap(new, old, create_graph) for new, old in zip(result, grads_in))
    return grads_in


def _maybe_tensor(value: Any) -> Any:
    return None if value is None else _as_tensor(value)


def _unwrap(value: Any, previous: Any, create_graph: bool) -> Any:
    """What a hook returned, checked against the gradient it replaces, in the walk's kind."""
    if value is None:
        return None
    if not isinstance(value, function.Tensor):
        raise TypeError(f"a backward hook returned {type(value).__name__}; return a Tensor or None")
    if previous is not None and value.shape != tuple(previous.shape):
        raise RuntimeError(
            f"a backward hook changed the shape of a gradient from {tuple(previous.shape)} to "
            f"{value.shape}; a hook must return a gradient of the same shape"
        )
    return value if create_graph else value._data


class _Targets:
    """What ``tg.grad`` wants: the gradient of each input, and which nodes must run for it."""

    def __init__(self, inputs: list, order: list) -> None:
        self.leaves: dict = {}  # leaf -> input indices
        self.nodes: dict = {}  # node -> (output index, input index) pairs
        self.captured: dict = {}
        for index, tensor in enumerate(inputs):
            if tensor._grad_fn is None:
                self.leaves.setdefault(tensor, []).append(index)
            else:
                self.nodes.setdefault(tensor._grad_fn, []).append((tensor._output_nr, index))
        self.to_run: set = set()
        for node in reversed(order):  # parents first: a node runs if one of its edges leads on
            for parent in node.next_edges:
                if parent is not None and (
                    parent in self.to_run or parent in self.nodes or parent in self.leaves
                ):
                    self.to_run.add(node)
                    break

    def capture_node(self, node: Node, grads_out: Any) -> None:
        for output_nr, index in self.nodes.get(node, ()):
            self._capture(index, _per_output(node, grads_out)[output_nr])

    def capture_leaf(self, leaf: Any, grad: Any) -> None:
        for index in self.leaves.get(leaf, ()):
            self._capture(index, grad)

    def _capture(self, index: int, grad: Any) -> None:
        if grad is not None:
            previous = self.captured.get(index)
            self.captured[index] = grad if previous is None else previous + grad


def _as_list(value: Any) -> list:
    if isinstance(value, function.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise TypeError(f"expected a Tensor or a sequence of Tensors, got {type(value).__name__}")


def _root_grads(outputs: list, given: Any, caller: str, create_graph: bool) -> list:
    """The gradient each output starts with: ``given`` checked, or ones for scalars."""
    tensor_cls = function.Tensor
    if given is None:
        given = [None] * len(outputs)
    elif not isinstance(given, (list, tuple)):
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


def fit_gradient(grad: Any, shape: tuple, dtype: Any, node: Any, position: int) -> Any:
    """``grad`` summed over broadcast axes to ``shape`` and cast to ``dtype`` if needed."""
    if grad.shape != shape:
        grad = _fit_shape(node, position, grad, shape)
    if grad.dtype != dtype:
        grad = grad.astype(dtype)
    return grad


def _fit_shape(node: Node | None, position: int, grad: Any, shape: tuple) -> Any:
    try:
        return sum_to_shape(grad, shape)
    except ValueError:
        raise RuntimeError(
            f"{node.name() if node is not None else 'backward'} returned a gradient of shape "
            f"{tuple(grad.shape)} for its input {position}, which has shape {shape}; a "
            "gradient must have its input's shape "
            "(or a shape that broadcasts to it)"
        ) from None
