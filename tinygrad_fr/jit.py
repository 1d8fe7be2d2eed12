"""Capture a training step once, then replay it without the graph bookkeeping.

``capture(fn)`` runs ``fn`` normally on its first two calls while recording every op, and
checks that both calls performed the same operations. From the third call on it replays
the recording: the same forward and backward code of each op, on the new input arrays, in
the same order, so results are identical to running ``fn`` normally, but no Tensor, graph
node or version bookkeeping is created. Optimizer ``step``/``zero_grad`` are replayed too.

What ``fn`` may do: tensor ops, ``backward()``, optimizer and module calls, and return
tensors. What it may not (refused while recording, with an error saying so): read values
into Python (``.item()``, ``.numpy()``, ``bool(t)``...), change tensors in place, run
custom ``Function`` ops, or ``create_graph``. Python code in ``fn`` runs only while
recording: a replay does not print, log or branch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import engine
from .autograd.function import NO_RECORD, Function
from .autograd.grad_mode import state
from .autograd.observer import BackwardCall, Observer, OpEvent, observe
from .tensor import Tensor

__all__ = ["CaptureError", "CapturedFunction", "capture"]

# Where an op argument comes from, in a recording: an entry of the environment (the call's
# input arrays, then the output of each recorded op), a tensor that existed before the call
# (a parameter: its current data is read at replay), or a constant.
ENV, TENSOR, CONST = 0, 1, 2
# Where a gradient goes: the buffer of a recorded op, a parameter's .grad, an input's .grad.
TO_NODE, TO_TENSOR, TO_INPUT = 0, 1, 2


class CaptureError(RuntimeError):
    """``fn`` cannot be captured (it does something a replay could not reproduce)."""


def capture(fn: Callable[..., Any]) -> CapturedFunction:
    """Decorate a training step so that calls after the second one are replayed.

    >>> import tinygrad_fr as tg
    >>> model = tg.nn.Linear(3, 1)
    >>> optimizer = tg.optim.SGD(model.parameters(), lr=0.1)
    >>> @tg.jit.capture
    ... def train_step(x, y):
    ...     optimizer.zero_grad()
    ...     loss = tg.nn.functional.mse_loss(model(x), y)
    ...     loss.backward()
    ...     optimizer.step()
    ...     return loss
    >>> for _ in range(5):
    ...     loss = train_step(tg.ones(4, 3), tg.zeros(4, 1))
    >>> train_step.replays
    3
    """
    return CapturedFunction(fn)


class CapturedFunction:
    """A function recorded on its first two calls and replayed afterwards (see :func:`capture`)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.replays = 0
        self._plans: dict = {}
        self._first: dict = {}

    def __call__(self, *args: Any) -> Any:
        call_args, inputs, key = _signature(args)
        plan = self._plans.get(key)
        if plan is not None and plan.externals_unchanged():
            self.replays += 1
            return plan.replay(inputs)
        result, recording = _record(self.fn, call_args, inputs)
        first = self._first.pop(key, None)
        if first is None:
            self._first[key] = recording
        else:
            first.assert_same_as(recording)
            self._plans[key] = recording
        return result

    def reset(self) -> None:
        """Forget the recordings: the next two calls record again."""
        self._plans.clear()
        self._first.clear()


def _signature(args: tuple) -> tuple[list, list, tuple]:
    """The arguments (arrays wrapped as Tensors), the tensor inputs, and the cache key."""
    call_args: list = []
    inputs: list = []
    key: list = [state.grad_enabled]
    for arg in args:
        if isinstance(arg, np.ndarray):
            arg = Tensor(arg)
        call_args.append(arg)
        if isinstance(arg, Tensor):
            inputs.append(arg)
            key.append((arg._data.shape, arg._data.dtype, arg._requires_grad))
        else:
            try:
                hash(arg)
            except TypeError:
                raise CaptureError(
                    f"capture: argument of type {type(arg).__name__} is neither a Tensor nor "
                    "a hashable constant; pass tensors, numbers or strings"
                ) from None
            key.append(("value", arg))
    return call_args, inputs, tuple(key)


class _Recorder(Observer):
    """Collects the steps of one call of the captured function (an engine observer)."""

    def __init__(self, inputs: list) -> None:
        self.inputs = inputs
        self.steps: list = []
        self.paused = False
        self.env: list = [t._data for t in inputs]  # arrays by environment index
        self.origin: dict[int, int] = {id(t): i for i, t in enumerate(inputs)}
        self.array_origin: dict[int, int] = {id(t._data): i for i, t in enumerate(inputs)}
        self.keep_alive: list = list(inputs)  # ids stay unique while recording
        self.node_index: dict[int, int] = {}

    def spec(self, value: Any) -> tuple:
        if isinstance(value, Tensor):
            index = self.origin.get(id(value))
            if index is not None:
                return (ENV, index)
            self.keep_alive.append(value)
            return (TENSOR, value)  # existed before the call (a parameter): read at replay
        if isinstance(value, np.ndarray):
            index = self.array_origin.get(id(value))
            if index is not None:
                return (ENV, index)
        return (CONST, value)

    def op(self, event: OpEvent) -> None:
        """Record one op (refusing custom Functions, whose backward is Python on Tensors)."""
        if self.paused:
            return
        op: Any = event.op
        if not op._on_arrays:
            raise CaptureError(
                f"capture: custom Function {event.op.__name__} cannot be captured (its "
                "backward is Python code on Tensors); call the step without tg.jit.capture"
            )
        self.record_op(event.op, event.args, event.outputs[0])

    def write(self, tensor: Any, result: Any, op: str) -> None:
        """In-place changes inside the step are refused: a replay would not redo them."""
        if not self.paused:
            _refuse(op)

    def read(self, tensor: Any, what: str) -> None:
        """Reading values into Python is refused: a replay would not redo it."""
        if not self.paused:
            _refuse(what)

    def backward(self, run: Callable[[], Any], call: BackwardCall) -> Any:
        """Record (and run) a backward call made by the captured function."""
        if self.paused:
            return run()
        if call.inputs is not None:
            raise CaptureError("capture: tg.grad cannot be captured; use backward()")
        if call.create_graph:
            raise CaptureError("capture: create_graph=True cannot be captured")
        self.record_backward(list(call.outputs), list(call.grads))
        return {}

    def call(
        self, run: Callable[[], Any], method: Callable[..., Any], owner: Any, args: tuple,
        kwargs: dict,
    ) -> Any:  # fmt: skip
        """A library method (optimizer step, zero_grad...) is replayed as one call."""
        if self.paused:
            return run()
        self.steps.append(("call", method, owner, args, kwargs))
        self.paused = True
        try:
            return run()
        finally:
            self.paused = False

    def record_op(self, cls: type, args: tuple, result: Tensor) -> None:
        index = len(self.env)
        node = result._grad_fn
        specs = tuple(self.spec(a) for a in args)
        self.steps.append(("op", cls, node or NO_RECORD, specs, index))
        self.env.append(result._data)
        self.origin[id(result)] = index
        self.array_origin[id(result._data)] = index
        self.keep_alive.append(result)
        if node is not None:
            self.node_index[id(node)] = index

    def record_backward(self, roots: list, grads: list) -> None:
        plan = _BackwardPlan(self, roots, grads)
        self.steps.append(("backward", plan))
        plan.run(self.env, self.inputs, record=True)


def _record(fn: Callable[..., Any], call_args: list, inputs: list) -> tuple[Any, _Recording]:
    """Call ``fn`` normally (arrays already wrapped as Tensors) while recording what it does."""
    if any(isinstance(observer, _Recorder) for observer in state.observers):
        raise CaptureError("capture: a captured function cannot call another one")
    recorder = _Recorder(inputs)
    with observe(recorder):
        result = fn(*call_args)
    recording = _Recording(recorder, result)
    return result, recording


def _refuse(what: str) -> None:
    raise CaptureError(
        f"capture: {what} is not allowed inside a captured function: a replay would not "
        "redo it. Return the tensor and read it after the call, or do it outside"
    )


class _BackwardPlan:
    """The order in which backward visits the recorded nodes, and where gradients go."""

    def __init__(self, recorder: _Recorder, roots: list, grads: list) -> None:
        self.roots = []
        for out, start in zip(roots, grads):
            if out._grad_fn is None or id(out._grad_fn) not in recorder.node_index:
                raise CaptureError(
                    "capture: backward() must start from a tensor computed inside the "
                    "captured function"
                )
            gradient = start if start.flags.writeable is False else recorder.spec(start)
            self.roots.append((recorder.node_index[id(out._grad_fn)], gradient))
        self.order = [
            (recorder.node_index[id(node)], node, node.backward, self._actions(recorder, node))
            for node in engine.topological_order([out._grad_fn for out in roots])
        ]

    @staticmethod
    def _actions(recorder: _Recorder, node: Function) -> tuple:
        if not node._on_arrays or node._hooks is not None or node._n_outputs != 1:
            raise CaptureError(
                f"capture: {node.name()} cannot be replayed (custom Function, retain_grad or "
                "several outputs)"
            )
        actions = []
        for position, parent in enumerate(node.next_edges):
            if parent is None:
                continue
            if parent._is_node:
                shape, dtype = parent._out_meta[0]
                actions.append((position, TO_NODE, recorder.node_index[id(parent)], shape, dtype))
                continue
            kind, where = recorder.spec(parent)
            target = (TO_INPUT, where) if kind == ENV else (TO_TENSOR, parent)
            actions.append((position, *target, parent._data.shape, parent._data.dtype))
        return tuple(actions)

    def run(self, env: list, inputs: list, record: bool = False) -> None:
        """Propagate gradients through the recorded nodes into the leaves' ``.grad``, summing
        them in the engine's order so that results are bit-identical."""
        buffers: list = [None] * len(env)
        for index, gradient in self.roots:
            if isinstance(gradient, tuple):
                gradient = _resolve(gradient, env)
            previous = buffers[index]
            buffers[index] = gradient if previous is None else previous + gradient
        leaves: dict = {}
        for index, node, backward, actions in self.order:
            grad_out = buffers[index]
            if grad_out is None:
                continue
            buffers[index] = None
            grads = backward(node, grad_out)
            if type(grads) is not tuple:
                grads = (grads,)
            if record:
                node.release()  # replays need no version checks: nothing runs in between
            else:
                node._saved = None
            count = len(grads)
            for position, kind, target, shape, dtype in actions:
                grad = grads[position] if position < count else None
                if grad is None:
                    continue
                grad = engine.fit_gradient(grad, shape, dtype, node, position)
                if kind == TO_NODE:
                    previous = buffers[target]
                    buffers[target] = grad if previous is None else previous + grad
                else:
                    leaf = inputs[target] if kind == TO_INPUT else target
                    previous = leaves.get(leaf)
                    leaves[leaf] = grad if previous is None else previous + grad
        handed_out: set = set()
        for leaf, grad in leaves.items():
            engine.accumulate_grad(leaf, grad, False, handed_out)


class _Recording:
    """What one call did: its steps, and where its result comes from."""

    def __init__(self, recorder: _Recorder, result: Any) -> None:
        self.steps = recorder.steps
        self.size = len(recorder.env)
        self.n_inputs = len(recorder.inputs)
        tensors = {id(spec[1]): spec[1] for spec in _tensor_specs(self.steps)}
        self.externals = [(t, t._data.shape, t._data.dtype) for t in tensors.values()]
        self.result = _result_spec(recorder, result)
        for step in self.steps:  # nodes nobody backpropagated: give back what they hold
            if step[0] == "op" and step[2] is not NO_RECORD and step[2]._saved_versions:
                step[2].release()
        # What a replay runs: ops as (forward, ctx, argument specs, environment index).
        self.program: list[Any] = [
            (step[1].forward, step[2], step[3], step[4]) if step[0] == "op" else step
            for step in self.steps
        ]

    def externals_unchanged(self) -> bool:
        """True while the parameters read by the recording keep their shape and dtype."""
        return all(
            t._data.shape == shape and t._data.dtype == dtype for t, shape, dtype in self.externals
        )

    def replay(self, inputs: list) -> Any:
        """Run the recorded steps on new inputs."""
        env: list = [None] * self.size
        for index, tensor in enumerate(inputs):
            env[index] = tensor._data
        ndarray = np.ndarray
        for step in self.program:
            if len(step) == 4:  # an op
                forward, ctx, specs, index = step
                out = forward(
                    ctx, *[env[v] if k == ENV else v._data if k == TENSOR else v for k, v in specs]
                )
                env[index] = out if type(out) is ndarray else np.asarray(out)
            elif step[0] == "backward":
                step[1].run(env, inputs)
            else:
                method, owner, args, kwargs = step[1:]
                method(owner, *args, **kwargs)
        return _build_result(self.result, env)

    def assert_same_as(self, other: _Recording) -> None:
        """Raise CaptureError unless ``other`` did the same operations."""
        if len(self.steps) != len(other.steps):
            raise CaptureError(
                f"capture: the function ran {len(self.steps)} steps on its first call and "
                f"{len(other.steps)} on its second: it branches on data. Run it without "
                "tg.jit.capture"
            )
        for index, (mine, theirs) in enumerate(zip(self.steps, other.steps)):
            problem = _difference(mine, theirs)
            if problem:
                raise CaptureError(
                    f"capture: step {index} differs between the first two calls ({problem}); "
                    "the function computes something from the data outside tensor ops. Run "
                    "it without tg.jit.capture"
                )


def _resolve(spec: tuple, env: list) -> Any:
    kind, value = spec
    if kind == ENV:
        return env[value]
    if kind == TENSOR:
        return value._data
    return value


def _tensor_specs(steps: list) -> list:
    specs = []
    for step in steps:
        if step[0] == "op":
            specs += [spec for spec in step[3] if spec[0] == TENSOR]
        elif step[0] == "backward":
            for _, _, _, actions in step[1].order:
                specs += [(TENSOR, a[2]) for a in actions if a[1] == TO_TENSOR]
    return specs


def _result_spec(recorder: _Recorder, result: Any) -> Any:
    if result is None:
        return None
    if isinstance(result, Tensor):
        return _Leaf(recorder.spec(result))
    if isinstance(result, (tuple, list)):
        return type(result)(_result_spec(recorder, item) for item in result)
    if isinstance(result, dict):
        return {key: _result_spec(recorder, item) for key, item in result.items()}
    raise CaptureError(
        f"capture: the function returned {type(result).__name__}; a captured function may "
        "return only tensors (or tuples, lists and dicts of them) or None"
    )


def _build_result(spec: Any, env: list) -> Any:
    if spec is None:
        return None
    if isinstance(spec, _Leaf):
        return Tensor._make(_resolve(spec.spec, env), False, None)
    if isinstance(spec, (tuple, list)):
        return type(spec)(_build_result(item, env) for item in spec)
    return {key: _build_result(item, env) for key, item in spec.items()}


class _Leaf:
    """A returned tensor's origin (wrapped so it is not mistaken for a returned tuple)."""

    __slots__ = ("spec",)

    def __init__(self, spec: tuple) -> None:
        self.spec = spec


def _difference(mine: tuple, theirs: tuple) -> str:
    if mine[0] != theirs[0]:
        return f"{mine[0]} then {theirs[0]}"
    if mine[0] == "op":
        if mine[1] is not theirs[1]:
            return f"op {mine[1].__name__} then {theirs[1].__name__}"
        for position, (a, b) in enumerate(zip(mine[3], theirs[3])):
            if a[0] != b[0] or not _same_value(a[1], b[1]):
                return f"argument {position} of {mine[1].__name__} changed"
        return ""
    if mine[0] == "call":
        same = mine[1] is theirs[1] and mine[2] is theirs[2] and mine[3] == theirs[3]
        return "" if same else f"call {mine[1].__name__} changed"
    plan_a, plan_b = mine[1], theirs[1]
    if [(i, a) for i, _, _, a in plan_a.order] != [(i, a) for i, _, _, a in plan_b.order]:
        return "backward visited the graph differently"
    return ""


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        # The same parameter, or two tensors the function made itself: equal constants only.
        return a is b or _same_value(a._data, b._data)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
            and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        )  # fmt: skip
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    try:
        return bool(a is b or a == b)
    except (ValueError, TypeError):
        return False
