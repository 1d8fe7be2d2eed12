"""From a recording to one generated function: forward, backward, ``.grad``, updates, result.

The builder walks the recorded steps in order. Each op's template writes its forward; each
backward walk is written node by node in the engine's order, the gradients fitted to their
targets and summed in the order they arrived, exactly as the engine does; gradients reach
``.grad`` as the engine hands them out; library calls go through :mod:`.optimizers`. The
guard is filled at the same time with every assumption the code makes.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import engine
from ..tensor import Tensor
from . import optimizers, templates
from .codegen import BASE_NAMESPACE, Emitter, Namer, Value, identifier
from .guards import Guard, check_dtype
from .reach import Reach
from .recording import BackwardStep, CallStep, CaptureError, OpStep, Recording
from .templates import generic
from .watch import OptimizerWatch, watch_reach

templates.load()


def as_tensor(array: Any) -> Tensor:
    """A result array as a (detached) Tensor; NumPy's 0-d scalars become 0-d arrays."""
    return Tensor._make(array if type(array) is np.ndarray else np.asarray(array), False, None)


BASE_NAMESPACE.update(as_tensor=as_tensor, accumulate_grad=engine.accumulate_grad, Tensor=Tensor)
BASE_NAMESPACE["new_tensor"] = Tensor._make
_RESERVED = ("np", "params", *BASE_NAMESPACE)


class Builder:
    """Builds the function and the guard of one recording."""

    def __init__(self, fn: Any, recording: Recording, reach: Reach, constants: set[int]) -> None:
        self.fn = fn
        self.recording = recording
        self.reach = reach
        self.constants = constants  # ids of tensors made inside the step (same in both calls)
        self.namer = Namer(_RESERVED)
        self.namespace: dict[str, Any] = {}
        self.params: dict[str, Tensor] = {}
        self.namespace["params"] = self.params
        self.e = Emitter(self.namer, self.namespace)
        self.guard = Guard()
        self.values: dict[int, Value] = {}  # id(tensor) -> its array in the generated code
        self.arrays: dict[int, Value] = {}  # id(ndarray) -> value (a tensor's ._data as an arg)
        self.calls: dict[int, templates.OpCall] = {}
        self.generic: set[int] = set()
        self.grads: dict[int, Any] = {}  # id(leaf) -> None | Value | "present" | "unknown"
        self.names = _display_names(reach)
        self.watched: dict[int, OptimizerWatch] = {}
        self.read_tensors: dict[int, Tensor] = {}
        self.input_tensors: dict[int, str] = {}
        self.escaping = _escaping(recording)
        self.default_grad_state = "entry"  # "unknown" after a call that may change gradients
        self.cleared: dict[int, Any] = {}  # id(leaf) -> its "._grad = None" line, while unread
        self.layouts: dict[int, Any] = {}  # id(tensor) -> what guards its layout (Value.layout)
        self._keep: list = []

    # -- names and tensors ---------------------------------------------------------------

    def display(self, tensor: Tensor) -> str:
        """The tensor's name in messages and comments (``fc1.weight``)."""
        return self.names.get(id(tensor)) or tensor.name or f"tensor{len(self.params)}"

    def tensor_ref(self, tensor: Tensor) -> str:
        """``params["fc1.weight"]``: how the generated code reaches an external tensor."""
        for key, known in self.params.items():
            if known is tensor:
                return f"params[{key!r}]"
        key = self.display(tensor)
        while key in self.params:
            key += "'"
        self.params[key] = tensor
        self._keep.append(tensor)
        return f"params[{key!r}]"

    def value_of(self, tensor: Tensor) -> Value:
        """The array of ``tensor`` in the generated code (read at first use)."""
        known = self.values.get(id(tensor))
        if known is not None:
            return known
        leaf = self.recording.leaf_grads.get(id(tensor))
        if leaf is not None:  # a leaf's .grad, filled by a backward of this step
            value = self.grad_value(leaf)
            if value is not None:
                return value
        if id(tensor) in self.constants:
            value = self.e.constant(tensor._data, "constant", "a tensor made inside the step")
        else:
            ref = self.tensor_ref(tensor)
            value = Value(
                self.namer.new(identifier(self.display(tensor))), tensor.shape, tensor.dtype
            )
            self.e.emit(f"{value} = {ref}._data", (), (value,), pure=False)
            self._watch_tensor(tensor, ref)
            value.layout = self.layouts.get(id(tensor))
        self.values[id(tensor)] = value
        self.arrays[id(tensor._data)] = value
        return value

    def _watch_tensor(self, tensor: Tensor, ref: str) -> None:
        """Guard what the code assumed of an external tensor it reads."""
        if id(tensor) in self.read_tensors:
            return
        self.read_tensors[id(tensor)] = tensor
        guard = self.guard
        name = guard.name(tensor, identifier(self.display(tensor)))
        array = guard.name(tensor._data, f"{name}_array")
        what = f"{self.display(tensor)}"
        data = f"{name}._data"
        dtype = guard.name(tensor.dtype, f"dtype_{tensor.dtype.name}")
        guard.add(
            f"{data} is not {array}",
            f"{what} has a new shape or dtype (was {tensor.shape} {tensor.dtype})",
            exact=f"{data}.shape != {tensor.shape!r} or {data}.dtype != {dtype}",
            heal=f"{array} = {data}",
        )
        if tensor._data.flags.c_contiguous:
            check = guard.checks[-1]

            def contiguous() -> None:  # a new array of the same shape must be contiguous too
                if "c_contiguous" not in check.exact:
                    check.exact += f" or not {data}.flags.c_contiguous"
                    check.why = check.why.replace("shape or dtype", "shape, dtype or layout")

            self.layouts[id(tensor)] = contiguous
        if id(tensor) not in self.reach.tensors:
            _watch_flags(guard, name, tensor, what)

    def argument(self, obj: Any) -> Value:
        """An op (or call) argument as a value: a tensor's array, or a constant."""
        if isinstance(obj, Tensor):
            return self.value_of(obj)
        if isinstance(obj, np.ndarray):
            known = self.arrays.get(id(obj))
            if known is not None:
                return known
            return self.e.constant(obj, "array")
        return self.e.constant(obj, "c")

    # -- gradients of leaves ---------------------------------------------------------------

    def grad_state(self, leaf: Tensor) -> Any:
        return self.grads.get(id(leaf), self.default_grad_state)

    def set_grad_state(self, leaf: Tensor, state: Any) -> None:
        self.grads[id(leaf)] = state

    def _resolve(self, leaf: Tensor) -> Any:
        """The leaf's .grad state, guarding what it was at entry if the step depends on it."""
        state = self.grads.get(id(leaf), self.default_grad_state)
        if state != "entry":
            return state
        entry = self.recording.entry_grads
        if id(leaf) not in entry:
            state = "unknown"
        else:
            name = self.guard.name(leaf, identifier(self.display(leaf)))
            what = f"the .grad of {self.display(leaf)}"
            if entry[id(leaf)] is None:
                self.guard.add(f"{name}._grad is not None", f"{what} is no longer None")
                state = None
            else:
                shape, dtype = entry[id(leaf)]
                self.guard.add(f"{name}._grad is None", f"{what} is None (it was not)")
                grad = f"{name}._grad._data"
                self.guard.add(f"{grad}.shape != {shape!r}", f"{what} changed shape")
                check_dtype(self.guard, f"{grad}.dtype", dtype, what)
                state = "present"
        self.grads[id(leaf)] = state
        return state

    def grad_value(self, leaf: Tensor) -> Value | None:
        """The array in ``leaf.grad`` now, or None when it has no gradient."""
        state = self._resolve(leaf)
        if state is None or isinstance(state, Value):
            return state
        if state == "unknown":
            raise CaptureError("capture: internal error: a gradient of unknown state is read")
        value = self.e.new(
            f"grad_{identifier(self.display(leaf))}", leaf.shape, leaf.dtype, owned=False
        )
        self.e.emit(f"{value} = {self.tensor_ref(leaf)}._grad._data", (), (value,), pure=False)
        return value

    def param_for_update(self, param: Tensor) -> Value:
        """The parameter's array, about to be changed in place (its version moves on)."""
        ref = self.tensor_ref(param)
        value = self.values.get(id(param))
        if value is None:
            value = Value(self.namer.new(identifier(self.display(param))), param.shape, param.dtype)
            self._watch_tensor(param, ref)
        self.e.emit(
            f"{value} = {ref}._mutable_data()", (), (value,), "(its version moves on)", pure=False
        )
        self.values[id(param)] = value
        return value

    def after_call(self, method: Any) -> None:
        """A call made as is may replace arrays and gradients: read them again after it."""
        from ..optim.lr_scheduler import LRScheduler
        from ..optim.optimizer import Optimizer

        self.cleared.clear()  # the call may read .grad: the None it set must be there
        if optimizers.same_method(method, getattr(LRScheduler, method.__name__, None)):
            return
        externals = [key for key in self.values if key in self.read_tensors]
        for key in externals:
            del self.values[key]
        if not optimizers.same_method(method, Optimizer.step):
            self.grads = {key: "unknown" for key in self.grads}
            self.default_grad_state = "unknown"

    def watch_optimizer(self, optimizer: Any) -> OptimizerWatch:
        watch = self.watched.get(id(optimizer))
        if watch is None:
            watch = self.watched[id(optimizer)] = OptimizerWatch(self, optimizer)
        return watch

    # -- the steps -----------------------------------------------------------------------

    def build(self) -> tuple[str, str]:
        """The generated source and the name of its function."""
        name = identifier(getattr(self.fn, "__name__", "step"))
        if name == "lambda":
            name = "step"
        params = self._inputs()
        self.e.blank()
        for index, step in enumerate(self.recording.steps):
            if isinstance(step, OpStep):
                self._op(index, step)
            elif isinstance(step, BackwardStep):
                self._backward(step)
            else:
                assert isinstance(step, CallStep)
                optimizers.emit_call(self, step.method, step.owner, step.args, step.kwargs)
        returns = self._result(self.recording.result)
        watch_reach(self.guard, self.reach)
        doc = f"{name}, generated by tg.jit.capture: NumPy code, one statement per op."
        source = self.e.finish(name, params, doc, returns)
        return source, name

    def _inputs(self) -> list[str]:
        """The function's parameters, the first statements (their arrays), their checks."""
        guard = self.guard
        names = _parameter_names(self.fn, len(self.recording.args))
        guard.add(
            f"len(args) != {len(names)}",
            f"the step is called with another number of arguments than {len(names)}",
        )
        guard.local(f"{', '.join(names)}{',' if len(names) == 1 else ''} = args")
        modes = guard.name(self.recording.grad_enabled, "grad_enabled")
        guard.add(
            f"special_threads and not modes_ok({modes})",
            "grad mode, detect_anomaly or an observer changed on this thread",
        )
        default = guard.name(dtypes.get_default_dtype(), "default_dtype")
        guard.add(f"get_default_dtype() is not {default}", "the default dtype changed")
        guard.namespace["get_default_dtype"] = dtypes.get_default_dtype
        taken = []
        for position, (name, arg) in enumerate(zip(names, self.recording.args)):
            name = self.namer.new(name)
            taken.append(name)
            what = f"argument {position} ({name})"
            if isinstance(arg, Tensor):
                self._tensor_input(name, arg, what, position)
            elif isinstance(arg, (bool, int, float, str, type(None))):
                from .guards import check_number

                check_number(guard, names[position], arg, what)
            else:
                ref = guard.name(arg, f"arg{position}")
                guard.add(f"{names[position]} is not {ref}", f"{what} is another object")
        return taken

    def _tensor_input(self, name: str, arg: Tensor, what: str, position: int) -> None:
        guard = self.guard
        local = _parameter_names(self.fn, len(self.recording.args))[position]
        arrays = self.recording.arrays
        if arrays and arrays[position]:  # given as a NumPy array: used as it is
            _array_input(guard, local, arg, what)
            value = Value(name, arg.shape, arg.dtype)
            value.layout = _layout_check(guard, local, arg, what)
            self.values[id(arg)] = value
            self.arrays[id(arg._data)] = value
            return
        kind = guard.name(type(arg), f"type_{type(arg).__name__}")
        guard.add(f"type({local}) is not {kind}", f"{what} is not a {type(arg).__name__}")
        data = f"{local}._data"
        guard.add(f"{data}.shape != {arg.shape!r}", f"{what} has a new shape (was {arg.shape})")
        check_dtype(guard, f"{data}.dtype", arg.dtype, what)
        guard.add(
            f"{local}._requires_grad is not {arg.requires_grad!r}",
            f"{what} {'no longer requires' if arg.requires_grad else 'now requires'} grad",
        )
        if arg.requires_grad:
            guard.add(f"{local}._grad_fn is not None", f"{what} is not a leaf tensor")
            self.e.emit(f"{name}_tensor = {name}", (), (), pure=False)
            self.input_tensors[id(arg)] = f"{name}_tensor"
        value = Value(name, arg.shape, arg.dtype)
        value.layout = _layout_check(guard, f"{local}._data", arg, what)
        self.e.emit(f"{name} = {name}._data", (), (value,), pure=False)
        self.values[id(arg)] = value
        self.arrays[id(arg._data)] = value

    def _op(self, index: int, step: OpStep) -> None:
        args = [self.argument(arg) for arg in step.args]
        node = step.node
        needs = (
            tuple(edge is not None for edge in node.next_edges) if node else (False,) * len(args)
        )
        out = step.out
        value = self.e.new(
            _hint(step.op, index), out._data.shape, out._data.dtype,
            escapes=id(out) in self.escaping,
        )  # fmt: skip
        call = templates.OpCall(step.op, args, value, needs, node is not None, index)
        forward = templates.FORWARD.get(step.op)
        result = None
        if forward is not None:
            try:
                result = forward(self.e, call)
            except templates.NotCoveredError:
                result = None
        if result is None:
            self.generic.add(index)
            result = generic.forward(self.e, call)
        if node is not None:
            self._copy_saved(call, step)
        self.calls[index] = call
        self.values[id(out)] = result
        self.arrays[id(out._data)] = result

    def _copy_saved(self, call: templates.OpCall, step: OpStep) -> None:
        """Eager backward reads a private (C-contiguous) copy of a saved input whose memory
        the user holds (``.numpy()``, ``from_numpy``: see
        ``tinygrad_fr.autograd.function._hold``). Where such an input is not contiguous, the
        generated backward reads a contiguous copy too: BLAS may round a strided product
        differently."""
        for position, arg in enumerate(step.args):
            if not isinstance(arg, Tensor) or arg._data.flags.c_contiguous:
                continue
            storage = arg._storage
            if storage is None or storage.exposed is None:
                continue
            original = call.args[position]
            copy = self.e.new(f"{original}_copy", original.shape, original.dtype)
            self.e.emit(f"{copy} = np.ascontiguousarray({original})", (original,), (copy,))
            call.args[position] = copy  # what the backward template reads

    # -- backward --------------------------------------------------------------------------

    def _backward(self, step: BackwardStep) -> None:
        from .backward import emit_backward

        emit_backward(self, step)

    # -- the result --------------------------------------------------------------------------

    def _result(self, result: Any) -> str:
        if result is None:
            return "None"
        if isinstance(result, Tensor):
            return self._returned(result)
        if isinstance(result, tuple):
            items = [self._result(item) for item in result]
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        if isinstance(result, list):
            return "[" + ", ".join(self._result(item) for item in result) + "]"
        if isinstance(result, dict) and all(type(key) in (str, int) for key in result):
            return "{" + ", ".join(f"{key!r}: {self._result(v)}" for key, v in result.items()) + "}"
        raise CaptureError(
            f"capture: the function returned {type(result).__name__}; a captured function may "
            "return only tensors (or tuples, lists and dicts of them) or None"
        )

    def _returned(self, tensor: Tensor) -> str:
        if id(tensor) in self.input_tensors:
            return self.input_tensors[id(tensor)]
        for position, arg in enumerate(self.recording.args):
            if arg is tensor:
                return _parameter_names(self.fn, len(self.recording.args))[position] + "_tensor"
        leaf = self.recording.leaf_grads.get(id(tensor))
        if leaf is not None:
            return f"{self.tensor_ref(leaf)}._grad"
        if id(tensor) not in self.values and id(tensor) not in self.constants:
            return self.tensor_ref(tensor)
        value = self.value_of(tensor)
        if value.is_const or not value.escapes:
            return f"as_tensor({value}.copy())"
        return f"as_tensor({value})"


def _array_input(guard: Guard, local: str, arg: Tensor, what: str) -> None:
    guard.add(
        f"type({local}) is not {guard.name(np.ndarray, 'ndarray')}", f"{what} is not an array"
    )
    guard.add(f"{local}.shape != {arg.shape!r}", f"{what} has a new shape (was {arg.shape})")
    check_dtype(guard, f"{local}.dtype", arg.dtype, what)


def _layout_check(guard: Guard, array: str, arg: Tensor, what: str) -> Any:
    """What adds, once, the check that an argument's array is still C-contiguous (None if
    it was not when recorded)."""
    if not arg._data.flags.c_contiguous:
        return None
    added: list[bool] = []

    def contiguous() -> None:
        if not added:
            added.append(True)
            guard.add(f"not {array}.flags.c_contiguous", f"{what} is no longer contiguous")

    return contiguous


def _watch_flags(guard: Guard, name: str, tensor: Tensor, what: str) -> None:
    from .watch import watch_tensor

    watch_tensor(guard, name, tensor, what)


def _hint(op: type, index: int) -> str:
    """Local names by kind of op: z for products, a for activations, the op's name else."""
    name = op.__name__
    if name in ("Linear", "MatMul"):
        return "z"
    if name in ("Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax"):
        return "a"
    if name.endswith("Loss"):
        return "loss"
    return name.lower()


def _parameter_names(fn: Any, count: int) -> list[str]:
    """The names of the step's parameters (``x``, ``y``), or arg0, arg1..."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][
        :count
    ]
    names += [f"arg{i}" for i in range(len(names), count)]
    return [identifier(name) if name not in _RESERVED else name + "_" for name in names]


def _display_names(reach: Reach) -> dict[int, str]:
    """Each reached tensor's name: its path, without the model's variable when unambiguous."""
    full = {key: node.display for key, node in reach.tensors.items()}
    short = {}
    for key, node in reach.tensors.items():
        top = node
        while top.parent is not None:
            top = top.parent
        inside_module = top.kind == "module" and node is not top
        short[key] = (
            node.display.split(".", 1)[1] if inside_module and "." in node.display else node.display
        )
    if len(set(short.values())) == len(short):
        return short
    return full


def _escaping(recording: Recording) -> set[int]:
    """The tensors whose arrays outlive a call: returned, passed to a library call, or views
    (or possible views: ops without a template) of those."""
    escaping: set[int] = set()

    def mark(result: Any) -> None:
        if isinstance(result, Tensor):
            escaping.add(id(result))
        elif isinstance(result, (tuple, list)):
            for item in result:
                mark(item)
        elif isinstance(result, dict):
            for item in result.values():
                mark(item)

    mark(recording.result)
    for step in recording.steps:
        if isinstance(step, CallStep):
            mark(step.args)
            mark(step.kwargs)
    for step in reversed(recording.steps):
        if isinstance(step, OpStep) and id(step.out) in escaping:
            if getattr(step.op, "_is_view", False) or step.op not in templates.FORWARD:
                mark(step.args)
    return escaping
