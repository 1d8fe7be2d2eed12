"""Differentiable operations: the graph node, and the one path that applies and records an op.

An op is a :class:`Function` subclass (its forward and backward side by side); applying it
records a :class:`Node`, which is also the context object forward and backward receive, as in
PyTorch: it keeps the edges to the inputs and what forward saved, and it runs backward. There
is one node type and one apply path, :meth:`Function.apply`, for every op. Ops differ only in
what their forward and backward see: a user :class:`Function` works on Tensors, a built-in
:class:`Primitive` on NumPy arrays (the fast path: no Tensor bookkeeping), except under
``create_graph=True``, when the same backward code receives Tensors and is itself recorded,
which is what makes every built-in op differentiable twice.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from . import grad_mode
from .checks import check_forward, forward_error
from .grad_mode import set_mode, state
from .hooks import NodeHooks, RemovableHandle, add_hook
from .observer import notify_op
from .storage import HeldStorages, Storage, describe, storage_of

# tinygrad_fr.tensor binds the Tensor class here once it is defined (it imports this module).
Tensor: Any = None

_new_node = object.__new__

# A non-leaf saved by more live nodes than this gets a storage (see _hold).
_MAX_SAVERS = 4

# Creation order of recorded nodes: the backward walk runs them newest first (as PyTorch).
_sequence = itertools.count()


class _NoRecordContext:
    """Stands in for a built-in op's node when nothing is recorded: saving is a no-op."""

    __slots__ = ()

    def save_for_backward(self, *values: Any) -> None:
        pass

    def __setattr__(self, name: str, value: Any) -> None:
        pass

    def mark_non_differentiable(self, *tensors: Any) -> None:
        pass

    next_edges = ()
    needs_input_grad = ()


NO_RECORD = _NoRecordContext()


class Node:
    """A node of the graph: one recorded application of an op (PyTorch's ``grad_fn``).

    It is also the ``ctx`` the op's ``forward`` and ``backward`` receive, as in PyTorch: it
    keeps the edges to the inputs, what forward saved, and its hooks. Every op, built-in or
    user-defined, makes this one class of node (``node.function`` is the op), so the backward
    walk reads the same attributes on every node, which Python can specialise.
    """

    __slots__ = (
        "__dict__", "__weakref__", "_edge_nrs", "_held", "_hooks", "_out_meta", "_saved",
        "_saved_versions", "_sequence_nr", "_view_of", "function", "next_edges",
    )  # fmt: skip
    _is_node = True  # Tensor has False: tells tools an edge's target is a node, not a leaf
    _non_differentiable: tuple = ()
    _materialize_grads = True
    _forward_trace: Any = None  # forward call stack, kept under detect_anomaly

    def __init__(
        self,
        function: type[Function],
        next_edges: tuple,
        sequence_nr: int = 0,
        edge_nrs: tuple | None = None,
    ) -> None:
        self.function = function  # the op: its forward and backward, its flags
        self.next_edges = next_edges  # per argument: the node or leaf its gradient goes to, or None
        self._edge_nrs = edge_nrs  # output index of each edge's node, when not all 0
        self._sequence_nr = sequence_nr  # creation order: a node's inputs come from older nodes
        self._saved: tuple | None = ()  # what forward saved; None once released
        # (storage, version, source, array) per saved array, for the version check
        self._saved_versions: tuple = ()
        self._held: HeldStorages | None = None  # storages whose memory it keeps
        self._out_meta: tuple = ()  # (shape, dtype) of each output: what gradients must have
        self._hooks: NodeHooks | None = None
        # A view node: (storage, rebases) of the tensor it was taken from, to detect later use
        # of the view after a recorded in-place op rebased that tensor.
        self._view_of: tuple | None = None

    # -- the ctx API used inside forward and backward ------------------------------------

    def save_for_backward(self, *values: Any) -> None:
        """Keep values for backward (inputs, outputs, or constants such as masks)."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple:
        """The values given to ``save_for_backward``, checked for in-place changes."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(
                f"{self.name()}: trying to backward through the graph a second time (or to "
                "read saved values after they were freed). Saved values are released by "
                "backward() and tg.grad(); pass retain_graph=True to the first call if you "
                "need to backward through the same graph again."
            )
        for storage, version, source, value in self._saved_versions:
            if storage is not None and storage.version != version:
                self._raise_modified(storage, version, source, value)
        return saved

    def _raise_modified(self, storage: Storage, version: int, source: Any, value: Any) -> None:
        if source is None:
            what, name = "a tensor it saved", None
        elif source < 0:
            what, name = f"its output {-1 - source}" if self._n_outputs > 1 else "its output", None
        else:
            edge = self.next_edges[source] if source < len(self.next_edges) else None
            what = f"its input {source}"
            name = edge.name if isinstance(edge, Tensor) else None
        raise RuntimeError(
            f"{self.name()}: {what}, a {describe(name, value)}, was "
            f"modified by an in-place operation after it was saved for backward (version "
            f"{version} when saved, now {storage.version}). Compute it out of place instead "
            "(x = x + 1 rather than x += 1 or x.add_(1)), or clone() it before changing it."
        )

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each forward argument, whether its gradient is needed."""
        return tuple(edge is not None for edge in self.next_edges)

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """Declare outputs that have no gradient (indices, masks)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether missing output gradients reach backward as zeros (True) or None."""
        self._materialize_grads = bool(value)

    # -- introspection and hooks ---------------------------------------------------------

    def name(self) -> str:
        """The node's name, as PyTorch spells it (``MulBackward0``)."""
        return f"{self.function.__name__}Backward0"

    @property
    def _n_outputs(self) -> int:
        return len(self._out_meta) or 1

    @property
    def next_functions(self) -> tuple:
        """``(node, output_index)`` per argument: the node, the leaf Tensor, or None."""
        nrs = self._edge_nrs or (0,) * len(self.next_edges)
        return tuple((edge, nr) for edge, nr in zip(self.next_edges, nrs))

    def hooks(self) -> NodeHooks:
        """This node's hooks, created on first use."""
        if self._hooks is None:
            self._hooks = NodeHooks()
        return self._hooks

    def register_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(grad_inputs, grad_outputs)`` after this node's backward; it may return
        new ``grad_inputs`` (one per forward argument)."""
        return add_hook(self.hooks().post, hook)

    def register_prehook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(grad_outputs)`` before this node's backward; it may return new ones."""
        return add_hook(self.hooks().pre, hook)

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    def release(self) -> None:
        """Free saved values (done by backward unless retain_graph=True)."""
        self._saved = None
        self._saved_versions = ()
        if self._held is not None:
            self._held.release()

    def _attach_storage(self, storage: Storage, array: Any) -> None:
        """``array``, which this node saved without a storage (its output, or a non-leaf
        input: see ``_hold``), is now tracked by ``storage`` (made on first need, or, for an
        output, that of the tensor an in-place op wrote it into): later writes are caught."""
        if self._saved is None:
            return
        entries = list(self._saved_versions)
        for index, (old, _, source, value) in enumerate(entries):
            if value is not array or old is storage:
                continue
            if old is not None and (source is None or source >= 0):
                continue  # an input saved with its own storage
            held = self._held
            if held is None:
                held = self._held = HeldStorages()
            elif old is not None and old in held:
                held.remove(old)
                old.release()
            storage.holds += 1
            held.append(storage)
            entries[index] = (storage, storage.version, source, value)
        self._saved_versions = tuple(entries)

    # -- backward ------------------------------------------------------------------------

    def run_backward(self, grads: Any, create_graph: bool) -> tuple:
        """Backward on the gradient of this node's output (a list, one per output, for a
        node with several): one gradient (or None) per forward argument, as arrays (Tensors
        when ``create_graph``)."""
        function = self.function
        if function._on_arrays and not create_graph:  # a built-in op, one output: the fast path
            result = function.backward(self, grads)
            return result if type(result) is tuple else (result,)
        if self._n_outputs == 1:
            grads = [grads]
        elif self._materialize_grads:
            grads = [
                np.zeros(shape, dtype) if grad is None else grad
                for grad, (shape, dtype) in zip(grads, self._out_meta)
            ]
        return _backward_on_tensors(self, grads, create_graph)


class Function:
    """A differentiable operation; subclass it to define your own, as in PyTorch.

    Write two static methods: ``forward(ctx, *args)`` computes the result from Tensors (no
    graph is recorded inside it) and may call ``ctx.save_for_backward(*tensors)``;
    ``backward(ctx, *grad_outputs)`` returns one gradient per forward argument (``None``
    where there is none). Call it with ``MyOp.apply(*args)``. ``ctx`` is the graph node
    (:class:`Node`) the call records: the output's ``grad_fn``.

    >>> import tinygrad_fr as tg
    >>> class Cube(tg.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x * x
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return grad * 3 * x * x
    >>> x = tg.Tensor([2.0], requires_grad=True)
    >>> Cube.apply(x).backward(tg.ones(1)); x.grad
    tensor([12.])
    """

    _on_arrays = False  # forward and backward take Tensors (Primitive: NumPy arrays)
    _differentiable = True  # False: the op is never recorded (comparisons, argmax...)
    _is_view = False  # the output may share memory with argument 0 (and so its versions)

    # A view op that can be written through: ``put_back(base, value, *args)`` returns the
    # base with the view's elements replaced by ``value`` (what an in-place op on a view of
    # ``base`` writes into ``base``, see tinygrad_fr.autograd.inplace).
    put_back: Callable[..., Any] | None = None

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        """Compute the op's result; override in subclasses."""
        raise NotImplementedError(f"{ctx.function.__name__} must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Return one gradient per forward argument; override in subclasses."""
        raise NotImplementedError(
            f"{ctx.function.__name__} must define backward(ctx, *grad_outputs)"
        )

    @classmethod
    def apply(cls, *args: Any) -> Any:  # noqa: C901 - every op runs it: one frame, no helper calls
        """Run the op on ``args``, and record a node if grad mode is on and an input requires
        grad. Every op, built-in or user-defined, takes this one path."""
        grad_enabled = True
        if grad_mode.special_threads:  # then this thread's own mode must be read
            if state.watched:
                return _apply_watched(cls, args)
            grad_enabled = state.grad_enabled
        tensor_cls = Tensor
        # 1. The inputs: arrays for forward, and per argument the edge its gradient takes.
        arrays = []
        edges = []
        needs_grad = several_outputs = False
        for arg in args:
            if isinstance(arg, tensor_cls):
                arrays.append(arg._data)
                if arg._requires_grad:
                    needs_grad = True
                    node = arg._grad_fn
                    if node is None:
                        edges.append(arg)
                        continue
                    if node._view_of is not None:
                        node = _current_view_history(arg, node)
                    edges.append(node)
                    several_outputs = several_outputs or arg._output_nr != 0
                    continue
            else:
                arrays.append(arg)
            edges.append(None)
        # 2. The node, which is the ctx forward receives (a stand-in when nothing is recorded).
        record = needs_grad and grad_enabled and cls._differentiable
        on_arrays = cls._on_arrays
        ctx: Any
        if record:
            nrs = None
            if several_outputs:
                nrs = tuple(a._output_nr if isinstance(a, tensor_cls) else 0 for a in args)
            ctx = _new_node(Node)  # Node.__init__'s work, without the call (every op runs it)
            ctx.function, ctx.next_edges, ctx._edge_nrs = cls, tuple(edges), nrs
            ctx._sequence_nr = next(_sequence)
            ctx._saved = ctx._saved_versions = ctx._out_meta = ()
            ctx._hooks = ctx._view_of = ctx._held = None
        elif on_arrays:
            ctx = NO_RECORD
        else:
            ctx = Node(cls, (None,) * len(args))
        if not on_arrays:
            return _forward_on_tensors(cls, ctx, args, record)
        # 3. Forward on the arrays: a built-in op returns one array.
        try:
            raw = cls.forward(ctx, *arrays)
        except ValueError as error:
            raise forward_error(cls, arrays, error) from None
        out = raw if type(raw) is np.ndarray else np.asarray(raw)  # NumPy gives 0-d as scalars
        # 4. The output tensor, attached to the node with what forward saved.
        result = object.__new__(tensor_cls)
        result._data = out
        result._grad = result._hooks = result._storage = result._savers = result._view = None
        result.name = None
        result._output_nr = 0
        if cls._is_view:
            _share_memory(cls, args, arrays, result, ctx if record else None)
        if not record:
            result._requires_grad = False
            result._grad_fn = None
            return result
        result._requires_grad = True
        result._grad_fn = ctx
        ctx._out_meta = ((out.shape, out.dtype),)
        if ctx._saved:
            _track_saved(ctx, args, arrays, result, raw)
        return result


class Primitive(Function):
    """A built-in op: ``forward`` and ``backward`` work on NumPy arrays.

    Under ``create_graph=True`` backward receives Tensors instead, so it must be written with
    operations that both understand (operators, methods shared by ndarray and Tensor, and the
    helpers of :mod:`tinygrad_fr.ops.dispatch`). Save only inputs, the output, or constants.
    """

    _on_arrays = True


class NonDifferentiable(Primitive):
    """A built-in op with no gradient (comparisons, argmax...): forward only, never recorded.

    Going through an op (rather than computing the array directly) lets observers see such
    results too (see :mod:`tinygrad_fr.autograd.observer`).
    """

    _differentiable = False

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Never called: these ops are not recorded in the graph."""
        raise RuntimeError(f"{ctx.function.__name__} has no gradient")


# -- the apply path -------------------------------------------------------------------------


def _share_memory(cls: Any, args: tuple, arrays: list, result: Any, node: Node | None) -> None:
    """A view op's output shares its input's versions when it shares its memory (NumPy may
    copy instead); a view that can be written through remembers how it was made, and its
    node the base's count of rebases (see _current_view_history)."""
    out, source = result._data, arrays[0]
    if (out if out.base is None else out.base) is not (
        source if source.base is None else source.base
    ):
        return
    storage = result._storage = storage_of(args[0])
    if cls.put_back is not None:
        result._view = (cls, args)
        if node is not None:
            node._view_of = (storage, storage.rebases)


def _forward_on_tensors(cls: Any, ctx: Node, args: tuple, record: bool) -> Any:
    """Steps 3 and 4 of ``apply`` for a user Function: forward on Tensors, run without
    recording, then one output tensor per Tensor it returned."""
    previous = state.grad_enabled
    set_mode("grad_enabled", False)
    try:
        returned = cls.forward(ctx, *args)
    finally:
        set_mode("grad_enabled", previous)
    single = not isinstance(returned, tuple)
    raws = (returned,) if single else returned
    results = []
    for index, out in enumerate(raws):
        if not isinstance(out, Tensor):
            raise TypeError(
                f"{cls.__name__}.forward must return Tensors, but output {index} is "
                f"{type(out).__name__}; wrap arrays with tg.Tensor(...)"
            )
        if not record:
            results.append(out)
            continue
        # A new tensor per output; one that is an input returned as is shares its versions.
        result = Tensor._make(out._data, True, ctx, index)
        result._storage = storage_of(out) if any(out is arg for arg in args) else out._storage
        if any(out is marked for marked in ctx._non_differentiable):
            result._requires_grad, result._grad_fn = False, None
        results.append(result)
    if record:
        ctx._out_meta = tuple((out._data.shape, out._data.dtype) for out in results)
        if ctx._saved:
            _track_saved_tensors(ctx, args, results, raws)
    return results[0] if single else tuple(results)


def _track_saved(ctx: Node, args: tuple, arrays: list, result: Any, raw: Any) -> None:
    """Hold the memory of what a built-in op saved, remembering its version for backward.

    Each entry of ``_saved_versions`` is ``(storage, version, source, array)``: the source is
    the argument index, or -1 for the output. The output gets no storage here: it is new, so
    nothing can have changed it, and it gets one (registered with this node by
    :meth:`Node._attach_storage`) only when something could; a non-leaf input without a
    storage is treated the same way (see :func:`_hold`). Memory the user can
    reach (an array from ``.numpy()``/``from_numpy``, or a raw ndarray operand) is saved as
    a private copy, so no write through any view of it can change the gradient. Other values
    are constants.
    """
    saved = ctx._saved
    kept = None  # a changed copy of saved, if a value is replaced
    entries: list = []
    held: list = []
    for index, value in enumerate(saved):  # type: ignore[arg-type]
        if value is raw:  # the output (as forward returned it: NumPy gives 0-d as scalars)
            value = result._data
            entries.append((None, 0, -1, value))
        elif type(value) is np.ndarray:
            for source, array in enumerate(arrays):  # noqa: B007 - source is used below
                if array is value:
                    break
            else:
                continue  # a constant the op made (a mask, an index)
            tensor = args[source]
            if isinstance(tensor, Tensor):
                value = _hold(ctx, tensor, source, value, entries, held)
            else:  # a raw ndarray operand the user may change
                value = value.copy()
        else:
            continue  # a number, None...
        if value is not saved[index]:  # type: ignore[index]
            kept = kept or list(saved)  # type: ignore[arg-type]
            kept[index] = value
    if kept is not None:
        ctx._saved = tuple(kept)
    if entries:
        ctx._saved_versions = tuple(entries)
        if held:
            ctx._held = HeldStorages(held)


def _track_saved_tensors(ctx: Node, args: tuple, results: list, returned: tuple) -> None:
    """:func:`_track_saved` for a user Function, which saves Tensors (or None): found among
    its inputs first (an input returned as is stays wired to its own history), then among
    its outputs (source ``-1 - k`` for output k); other Tensors have no source."""
    saved: list = []
    entries: list = []
    held: list = []
    for value in ctx._saved or ():
        if value is None:
            saved.append(None)
            continue
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{ctx.function.__name__}: save_for_backward takes Tensors or None, got "
                f"{type(value).__name__}; keep other values as attributes of ctx"
            )
        source: int | None = next((i for i, arg in enumerate(args) if arg is value), None)
        tensor = value
        if source is None:
            output = next((k for k, out in enumerate(returned) if out is value), None)
            if output is not None:
                source, tensor = -1 - output, results[output]
        saved.append(_hold(ctx, tensor, source, tensor._data, entries, held))
    ctx._saved = tuple(saved)
    ctx._saved_versions = tuple(entries)
    if held:
        ctx._held = HeldStorages(held)


def _hold(
    node: Node, tensor: Any, source: int | None, value: np.ndarray, entries: list, held: list
) -> np.ndarray:
    """Record that ``node`` saved ``value`` (``tensor``'s memory): an entry for the version
    check, and the storage in ``held`` if the node keeps that memory itself rather than a
    private copy. Returns what to keep.

    A non-leaf without a storage (an activation, most often) was never changed nor handed
    to the user: like a saved output, it waits for one (the node, in ``tensor._savers``, is
    given the storage when it is made). A tensor that many live graphs save gets one now,
    so that the list stays short.
    """
    storage = tensor._storage
    if storage is None:
        savers = tensor._savers
        if tensor._grad_fn is not None and (savers is None or len(savers) < _MAX_SAVERS):
            if savers is None:
                tensor._savers = [node]
            else:
                savers.append(node)
            entries.append((None, 0, source, value))
            return value
        storage = storage_of(tensor)
    if storage.writing:  # an in-place op will overwrite it: keep the values forward used
        value, storage = value.copy(), Storage()
    elif storage.exposed is not None and (source is None or source >= 0):
        value = value.copy()  # the user holds this memory: keep what forward used
    else:
        storage.holds += 1
        held.append(storage)
    entries.append((storage, storage.version, source, value))
    return value


def _apply_watched(cls: Any, args: tuple) -> Any:
    """``apply`` with anomaly checks and observers: NumPy quiet, NaN or inf raise our error,
    then observers are told. Ops that a custom Function's forward runs inside are not."""
    anomaly = state.anomaly_enabled
    state.watched = False  # apply's plain path, for this op only
    try:
        with np.errstate(all="ignore") if anomaly else contextlib.nullcontext():
            result = cls.apply(*args)
    finally:
        state.watched = True
        # A mode switch inside (a custom Function's forward) saw watched False: the thread
        # is special again.
        grad_mode.special_threads.add(threading.get_ident())
    outputs = result if isinstance(result, tuple) else (result,)
    node = next((out._grad_fn for out in outputs if out._grad_fn is not None), None)
    if anomaly:
        arrays = [arg._data if isinstance(arg, Tensor) else arg for arg in args]
        for out in outputs:
            check_forward(cls, out._data, arrays)
        if node is not None:
            node._forward_trace = traceback.format_stack()[:-2]
    if state.observers:
        notify_op(cls, args, outputs, node)
    return result


# -- backward on Tensors -------------------------------------------------------------------


def _backward_on_tensors(node: Node, grads: list, create_graph: bool) -> tuple:
    """Backward with Tensors: user Functions always, built-in ops under create_graph, when
    saved values become Tensors wired to the graph they came from."""
    saved = node._saved
    if saved:
        node.saved_tensors  # noqa: B018 - raises if the graph was freed or a value modified
        sources = {id(entry[3]): entry[2] for entry in node._saved_versions}
        node._saved = tuple(
            _saved_as_tensor(node, value, sources.get(id(value), None), create_graph)
            for value in saved
        )
    grads = [_as_tensor(grad) if grad is not None else None for grad in grads]
    try:
        with grad_mode.recording(create_graph):
            result = node.function.backward(node, *grads)
    finally:
        if saved:
            node._saved = saved
    result = result if type(result) is tuple else (result,)
    return _check_grads(node, result, create_graph)


def _as_tensor(value: Any) -> Any:
    return value if isinstance(value, Tensor) else Tensor._make(value, False, None)


def _saved_as_tensor(node: Node, value: Any, source: int | None, create_graph: bool) -> Any:
    """A saved array as a Tensor; under create_graph, one wired to the graph it came from."""
    if not isinstance(value, np.ndarray):
        return value
    if source is None or not create_graph:
        return value if node.function._on_arrays else Tensor._make(value, False, None)
    if source < 0:  # an output of this node
        return Tensor._make(value, True, node, -1 - source)
    edge = node.next_edges[source]
    if edge is None:
        return Tensor._make(value, False, None)
    if isinstance(edge, Tensor):
        return edge  # a leaf: the tensor itself
    nrs = node._edge_nrs
    return Tensor._make(value, True, edge, nrs[source] if nrs else 0)


def _check_grads(node: Node, grads: tuple, create_graph: bool) -> tuple:
    """Check what a backward on Tensors returned; arrays for the engine unless create_graph."""
    expected = len(node.next_edges)
    if len(grads) < expected or any(g is not None for g in grads[expected:]):
        if node.function._on_arrays:
            grads = grads + (None,) * (expected - len(grads))
        else:
            raise RuntimeError(
                f"{node.function.__name__}.backward returned {len(grads)} gradients but forward "
                f"took {expected} arguments: return one per argument (None where there is none)"
            )
    converted: list = []
    for position, (g, edge) in enumerate(zip(grads, node.next_edges)):
        if g is None or edge is None:
            converted.append(None)
        elif isinstance(g, Tensor):
            converted.append(g if create_graph else g._data)
        elif node.function._on_arrays and isinstance(g, np.ndarray):
            converted.append(Tensor._make(g, False, None) if create_graph else g)
        else:
            raise TypeError(
                f"{node.function.__name__}.backward returned {type(g).__name__} for argument "
                f"{position}; return a Tensor or None"
            )
    return tuple(converted)


def _current_view_history(view: Any, node: Node) -> Node:
    """The view's node, taken again if a recorded in-place op changed the view's base since
    (PyTorch regenerates a view's ``grad_fn`` the same way)."""
    storage, rebases = node._view_of  # type: ignore[misc]
    if storage.rebases == rebases:
        return node
    cls, args = view._view
    fresh = cls.apply(*args)
    view._grad_fn, view._output_nr, view._requires_grad = fresh._grad_fn, 0, True
    return fresh._grad_fn
