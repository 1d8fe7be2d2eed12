"""Recording one call of the captured function: an engine observer that writes down its steps.

The call runs normally (its results are eager's); the :class:`Recorder` notes every op, every
backward walk (the nodes in the engine's order, and the shape of every gradient they sent, read
through public node hooks), and every library call such as ``optimizer.step()``. What a replay
could not redo is refused with a :class:`CaptureError`: reading values into Python, in-place
changes, custom ``Function`` ops, ``tg.grad``, ``create_graph``, hooks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import engine
from ..autograd.grad_mode import state
from ..autograd.observer import BackwardCall, Observer, OpEvent, observe
from ..tensor import Tensor


class CaptureError(RuntimeError):
    """``fn`` cannot be captured (it does something a replay could not reproduce)."""


@dataclass
class OpStep:
    """An op: its class, its arguments as given (Tensors and constants), its output."""

    op: type
    args: tuple
    out: Tensor
    node: Any  # the graph node, or None when nothing was recorded


@dataclass
class NodeInfo:
    """One node of a backward walk, with the (shape, dtype) of each gradient it sent."""

    node: Any
    step: int  # index of the OpStep that made it
    edges: tuple  # per argument: ("node", step index) | ("leaf", Tensor) | None
    grads_in: tuple | None = None  # per argument: (shape, dtype) or None; None: never ran


@dataclass
class BackwardStep:
    """A ``backward()`` call: the outputs, their starting gradients, the nodes in order."""

    roots: list
    grads: list  # arrays
    nodes: list[NodeInfo]
    retain_graph: bool


@dataclass
class CallStep:
    """A library call that is not made of ops (``optimizer.step()``, ``zero_grad()``...)."""

    method: Callable[..., Any]
    owner: Any
    args: tuple
    kwargs: dict


@dataclass
class Recording:
    """What one call did."""

    args: tuple  # the call's arguments (NumPy arrays wrapped as Tensors)
    steps: list = field(default_factory=list)
    result: Any = None
    grad_enabled: bool = True
    leaf_grads: dict = field(default_factory=dict)  # id(grad Tensor) -> leaf, after backward
    entry_grads: dict = field(default_factory=dict)  # id(tensor) -> None | (shape, dtype)
    arrays: tuple = ()  # per argument: given as a NumPy array (wrapped in a Tensor here)


class Recorder(Observer):
    """Notes the steps of one call (an engine observer, installed for that call only)."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.steps = recording.steps
        self.paused = False
        self.step_of_node: dict[int, int] = {}
        self.keep_alive: list = []  # ids stay unique while recording

    def op(self, event: OpEvent) -> None:
        """Note one op (refusing custom Functions, whose backward is Python on Tensors)."""
        if self.paused:
            return
        op: Any = event.op
        if not op._on_arrays:
            raise CaptureError(
                f"capture: custom Function {op.__name__} cannot be captured (its backward is "
                "Python code on Tensors); call the step without tg.jit.capture"
            )
        if len(event.outputs) != 1:
            raise CaptureError(f"capture: {op.__name__} has several outputs; it cannot be captured")
        if event.node is not None:
            self.step_of_node[id(event.node)] = len(self.steps)
        self.steps.append(OpStep(op, event.args, event.outputs[0], event.node))
        self.keep_alive.append(event.node)

    def write(self, tensor: Any, result: Any, op: str) -> None:
        """In-place changes inside the step are refused: a replay would not redo them."""
        if not self.paused:
            refuse(op)

    def read(self, tensor: Any, what: str) -> None:
        """Reading values into Python is refused: a replay would not redo it."""
        if not self.paused:
            refuse(what)

    def backward(self, run: Callable[[], Any], call: BackwardCall) -> Any:
        """Note (and run) a backward walk of the captured function."""
        if self.paused:
            return run()
        if call.inputs is not None:
            raise CaptureError("capture: tg.grad cannot be captured; use backward()")
        if call.create_graph:
            raise CaptureError("capture: create_graph=True cannot be captured")
        roots = [out._grad_fn for out in call.outputs if out._grad_fn is not None]
        nodes = [self._node_info(node) for node in engine.topological_order(roots)]
        handles = [_watch(info) for info in nodes]
        self.paused = True  # what leaf hooks do runs again, live, at every call
        try:
            result = run()
        finally:
            self.paused = False
            for handle in handles:
                handle.remove()
        self.steps.append(
            BackwardStep(list(call.outputs), list(call.grads), nodes, call.retain_graph)
        )
        for info in nodes:
            for edge in info.edges:
                if edge is not None and edge[0] == "leaf" and edge[1]._grad is not None:
                    self.recording.leaf_grads[id(edge[1]._grad)] = edge[1]
        return result

    def call(
        self, run: Callable[[], Any], method: Callable[..., Any], owner: Any, args: tuple,
        kwargs: dict,
    ) -> Any:  # fmt: skip
        """A library method (optimizer step, zero_grad...) is replayed as one call."""
        if self.paused:
            return run()
        closure = args[0] if args else kwargs.get("closure")
        if method.__name__ == "step" and closure is not None and hasattr(owner, "param_groups"):
            raise CaptureError(
                "capture: optimizer.step(closure) cannot be captured (the closure runs Python "
                "code); call step() without a closure"
            )
        self.steps.append(CallStep(method, owner, args, dict(kwargs)))
        self.paused = True
        try:
            return run()
        finally:
            self.paused = False

    def _node_info(self, node: Any) -> NodeInfo:
        step = self.step_of_node.get(id(node))
        if step is None:
            raise CaptureError(
                f"capture: backward() reaches {node.name()}, which was computed before the "
                "captured function was called; pass leaf tensors (x.detach()) as inputs"
            )
        if node._hooks is not None and _has_hooks(node._hooks):
            raise CaptureError(
                f"capture: {node.name()} has hooks (register_hook, retain_grad or a module's "
                "backward hook); a replay would not run them. Remove them or run eagerly"
            )
        edges: list = []
        for parent in node.next_edges:
            if parent is None:
                edges.append(None)
            elif parent._is_node:
                edges.append(("node", self._node_info_step(parent)))
            else:
                edges.append(("leaf", parent))
        return NodeInfo(node, step, tuple(edges))

    def _node_info_step(self, node: Any) -> int:
        step = self.step_of_node.get(id(node))
        if step is None:
            raise CaptureError(
                f"capture: backward() reaches {node.name()}, which was computed before the "
                "captured function was called; pass leaf tensors (x.detach()) as inputs"
            )
        return step


def _has_hooks(hooks: Any) -> bool:
    return bool(hooks.pre or hooks.post or hooks.retained or any(hooks.tensor_pre.values()))


def _watch(info: NodeInfo) -> Any:
    """A post-hook on the node that notes the shape and dtype of the gradients it sends."""

    def hook(grad_inputs: tuple, grad_outputs: tuple) -> None:
        info.grads_in = tuple(
            None if g is None else (tuple(g.shape), np.dtype(g.dtype)) for g in grad_inputs
        )

    return info.node.register_hook(hook)


def refuse(what: str) -> None:
    """Raise the error for something done inside the step that a replay would not redo."""
    raise CaptureError(
        f"capture: {what} is not allowed inside a captured function: a replay would not "
        "redo it. Return the tensor and read it after the call, or do it outside"
    )


def record(fn: Callable[..., Any], args: tuple, tensors: Any = ()) -> tuple[Any, Recording]:
    """Call ``fn(*args)`` normally while recording what it does; ``tensors`` are those whose
    ``.grad`` at entry is noted (the parameters the step can reach)."""
    recording = Recording(args, grad_enabled=state.grad_enabled)
    for tensor in [*tensors, *(arg for arg in args if isinstance(arg, Tensor))]:
        grad = tensor._grad
        recording.entry_grads[id(tensor)] = (
            None if grad is None else (grad._data.shape, grad._data.dtype)
        )
    recorder = Recorder(recording)
    with observe(recorder):
        result = fn(*args)
    recording.result = result
    recorder.keep_alive.clear()
    return result, recording


def tensor_args(args: tuple) -> tuple:
    """The call's arguments with NumPy arrays wrapped as Tensors (as ``capture`` passes them)."""
    return tuple(Tensor(arg) if isinstance(arg, np.ndarray) else arg for arg in args)
