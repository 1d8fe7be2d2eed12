"""Differentiable operations: the graph node, ``Function`` and ``Primitive``.

A node of the graph *is* the context object of the op that produced it, as in PyTorch: it
keeps the edges to its inputs, what forward saved, and runs backward. :class:`Function` is the
public custom-op API (forward and backward on Tensors). :class:`Primitive` is the base of the
built-in ops: forward and backward on NumPy arrays, so that the common path does no Tensor
bookkeeping at all; under ``create_graph=True`` the same backward code receives Tensors and is
itself recorded, which is what makes every built-in op differentiable twice.
"""

from __future__ import annotations

import traceback
from typing import Any

import numpy as np

from . import grad_mode
from .storage import Storage, describe, storage_of

# tinygrad_fr.tensor binds the Tensor class here once it is defined (it imports this module).
Tensor: Any = None

_OUTPUT = -1  # saved-value source: the op's output (an input's source is its argument index)


class _NoRecordContext:
    """Stands in for the node when nothing is recorded: saving is a no-op."""

    __slots__ = ()

    def save_for_backward(self, *values: Any) -> None:
        pass

    def __setattr__(self, name: str, value: Any) -> None:
        pass

    def mark_non_differentiable(self, *tensors: Any) -> None:
        pass

    needs_input_grad = ()


NO_RECORD = _NoRecordContext()


class Function:
    """A differentiable operation; subclass it to define your own, as in PyTorch.

    Write two static methods: ``forward(ctx, *args)`` computes the result from Tensors (no
    graph is recorded inside it) and may call ``ctx.save_for_backward(*tensors)``;
    ``backward(ctx, *grad_outputs)`` returns one gradient per forward argument (``None``
    where there is none). Call it with ``MyOp.apply(*args)``.

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
    Tensor([12.])
    """

    _is_node = True  # Tensor has False: tells the engine an edge's target is a node, not a leaf
    # Class defaults so that a node only stores what differs (keeps the per-op cost low).
    next_edges: tuple = ()
    _edge_nrs: tuple | None = None  # output index of each edge's node, when not all 0
    _saved: tuple | None = ()  # None once released by backward
    _saved_versions: tuple = ()  # (storage, version, source, array) per saved tensor
    _n_outputs = 1
    _out_meta: tuple = ()  # (shape, dtype) of each output: what gradients flowing in must have
    _retained: Any = None  # weak references of outputs that called retain_grad()
    _non_differentiable: tuple = ()
    _forward_trace: Any = None  # forward call stack, kept under detect_anomaly
    _is_view = False  # outputs share memory with argument 0
    _tensor_level = True  # forward/backward take Tensors (False for Primitive)

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
        for storage, version, source, _ in self._saved_versions:
            if storage.version != version:
                self._raise_modified(storage, version, source)
        return saved

    def _raise_modified(self, storage: Storage, version: int, source: int) -> None:
        value = next(entry[3] for entry in self._saved_versions if entry[2] == source)
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

    # -- introspection -------------------------------------------------------------------

    def name(self) -> str:
        """The node's name, as PyTorch spells it (``MulBackward0``)."""
        return f"{type(self).__name__}Backward0"

    @property
    def next_functions(self) -> tuple:
        """``(node, output_index)`` per argument: the node, the leaf Tensor, or None."""
        nrs = self._edge_nrs or (0,) * len(self.next_edges)
        return tuple((edge, nr) for edge, nr in zip(self.next_edges, nrs))

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    def __del__(self) -> None:
        # A graph dropped without backward still has to give back what it held.
        if self._saved_versions:
            self.release()

    def release(self) -> None:
        """Free saved values (done by backward unless retain_graph=True)."""
        self._saved = None
        versions, self._saved_versions = self._saved_versions, ()
        for storage, _, _, _ in versions:
            storage.release()

    # -- applying the op -----------------------------------------------------------------

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        """Compute the op's result; override in subclasses."""
        raise NotImplementedError(f"{ctx.__class__.__name__} must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Return one gradient per forward argument; override in subclasses."""
        raise NotImplementedError(
            f"{ctx.__class__.__name__} must define backward(ctx, *grad_outputs)"
        )

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the op on ``args`` and record it in the graph if any input requires grad."""
        from .function_user import apply_user_function

        return apply_user_function(cls, args)


class Primitive(Function):
    """A built-in op: ``forward`` and ``backward`` work on NumPy arrays.

    Under ``create_graph=True`` backward receives Tensors instead, so it must be written with
    operations that both understand (operators, methods shared by ndarray and Tensor, and the
    helpers of :mod:`tinygrad_fr.ops.dispatch`). Save only inputs, the output, or constants.
    """

    _tensor_level = False

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the op on the arrays of ``args`` and record a node if a gradient is needed."""
        tensor_cls = Tensor
        arrays = []
        edges = []  # one per argument: the node or leaf its gradient goes to, or None
        record = several_outputs = False
        for arg in args:
            if isinstance(arg, tensor_cls):
                arrays.append(arg._data)
                if arg._requires_grad:
                    record = True
                    node = arg._grad_fn
                    edges.append(arg if node is None else node)
                    several_outputs = several_outputs or arg._output_nr != 0
                    continue
            else:
                arrays.append(arg)
            edges.append(None)

        if grad_mode.anomaly_enabled:
            return _apply_checked(cls, args, arrays)
        if not record or not grad_mode.grad_enabled:
            return _untracked(cls, args, arrays)

        ctx = cls.__new__(cls)
        try:
            raw = out = cls.forward(ctx, *arrays)
        except ValueError as error:
            raise forward_error(cls, arrays, error) from None
        if type(out) is not np.ndarray:
            out = np.asarray(out)  # NumPy returns scalars for 0-d results
        ctx.next_edges = tuple(edges)
        if several_outputs:
            ctx._edge_nrs = tuple(a._output_nr if isinstance(a, tensor_cls) else 0 for a in args)
        ctx._out_meta = ((out.shape, out.dtype),)
        result = object.__new__(tensor_cls)
        result._data = out
        result._grad = result._storage = result.name = None
        result._requires_grad = True
        result._grad_fn = ctx
        result._output_nr = 0
        if ctx._saved:
            _track_saved(ctx, args, arrays, raw, out, result)
        if cls._is_view:
            result._storage = storage_of(args[0])
        return result


def _apply_checked(cls: Any, args: tuple, arrays: list) -> Any:
    """``apply`` under detect_anomaly: NumPy stays quiet, a NaN or inf raises our error."""
    with grad_mode.no_anomaly_check(), np.errstate(all="ignore"):
        result = cls.apply(*args)
    check_forward(cls, result._data, arrays)
    if result._grad_fn is not None:
        result._grad_fn._forward_trace = traceback.format_stack()[:-3]
    return result


class NonDifferentiable(Primitive):
    """A built-in op with no gradient (comparisons, argmax...): forward only, never recorded.

    Going through an op (rather than computing the array directly) keeps such results
    traceable, which :func:`tinygrad_fr.jit.capture` relies on.
    """

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward`` on the arrays of ``args``; the result does not require grad."""
        tensor_cls = Tensor
        arrays = [arg._data if isinstance(arg, tensor_cls) else arg for arg in args]
        return _untracked(cls, args, arrays)

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Never called: these ops are not recorded in the graph."""
        raise RuntimeError(f"{type(ctx).__name__} has no gradient")


def _untracked(cls: Any, args: tuple, arrays: list) -> Any:
    """Run forward with nothing recorded; the result does not require grad."""
    try:
        out = cls.forward(NO_RECORD, *arrays)
    except ValueError as error:
        raise forward_error(cls, arrays, error) from None
    if type(out) is not np.ndarray:
        out = np.asarray(out)  # NumPy returns scalars for 0-d results
    result = object.__new__(Tensor)
    result._data = out
    result._grad = result._grad_fn = result._storage = result.name = None
    result._requires_grad = False
    result._output_nr = 0
    if cls._is_view:
        result._storage = storage_of(args[0])
    return result


def _track_saved(
    ctx: Function, args: tuple, arrays: list, raw: Any, out: np.ndarray, result: Any
) -> None:
    """Hold the memory of saved inputs and output, remembering its version for backward.

    Each entry of ``_saved_versions`` is ``(storage, version, source, array)``: the source is
    the argument index, or -1 for the output. Memory the user can reach (an array handed out
    by ``.data``/``.numpy()``/``from_numpy``, or a raw ndarray argument) is saved as a private
    copy: no write through any view of it can change the gradient.
    """
    saved: tuple = ctx._saved or ()
    if raw is not out:  # a 0-d result came back as a NumPy scalar: save the array instead
        saved = tuple(out if value is raw else value for value in saved)
    kept: list = []
    versions: list = []
    for value in saved:
        if value is out:
            tensor, source = result, _OUTPUT
        else:
            for source, array in enumerate(arrays):  # noqa: B007 - source is used below
                if array is value:
                    break
            else:
                kept.append(value)  # a constant made by the op (mask, index...)
                continue
            tensor = args[source]
            if not isinstance(tensor, Tensor):  # a user's ndarray (or a number) as an operand
                kept.append(value.copy() if isinstance(value, np.ndarray) else value)
                continue
        storage = tensor._storage
        if storage is None:
            storage = tensor._storage = Storage()
        elif storage.exposed is not None and source != _OUTPUT:
            value = value.copy()
        storage.holds += 1
        versions.append((storage, storage.version, source, value))
        kept.append(value)
    ctx._saved = tuple(kept)
    ctx._saved_versions = tuple(versions)


def forward_error(cls: type, arrays: list, error: ValueError) -> ValueError:
    """NumPy's error rephrased to name the op and the shapes of its inputs."""
    ufunc = next((a for a in arrays if isinstance(a, np.ufunc)), None)
    name = ufunc.__name__ if ufunc is not None else cls.__name__.lower()
    shapes = [tuple(a.shape) for a in arrays if isinstance(a, np.ndarray)]
    if "broadcast" in str(error):
        listed = " and ".join(str(shape) for shape in shapes)
        return ValueError(
            f"{name}: cannot broadcast shapes {listed}: compared from the right, each pair "
            "of dimensions must be equal or one of them 1. Reshape or unsqueeze an operand."
        )
    return ValueError(f"{name}: {error} (input shapes {', '.join(map(str, shapes))})")


def check_forward(cls: type, out: np.ndarray, arrays: list) -> None:
    """Under detect_anomaly: raise if the op's output holds NaN or inf."""
    if out.dtype.kind != "f" or np.isfinite(out).all():
        return
    bad = "nan" if np.isnan(out).any() else "inf"
    inputs_finite = all(
        not isinstance(a, np.ndarray) or a.dtype.kind != "f" or np.isfinite(a).all() for a in arrays
    )
    origin = "from finite inputs" if inputs_finite else "(its inputs already held NaN or inf)"
    raise FloatingPointError(
        f"{cls.__name__.lower()} produced {bad} in its output (shape {out.shape}) {origin}. "
        "Check the values reaching this op (log of a non-positive number, division by zero, "
        "overflowing exp...)."
    )
