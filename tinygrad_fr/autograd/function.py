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
    Tensor([12.], dtype=float32)
    """

    # Class defaults so that a node only stores what differs (keeps the per-op cost low).
    next_edges: tuple = ()
    _edge_nrs: tuple | None = None  # output index of each edge's node, when not all 0
    _in_meta: tuple = ()  # (shape, dtype) of each argument that is an edge, else None
    _saved: tuple | None = ()  # None once released by backward
    _saved_sources: tuple = ()
    _saved_versions: tuple = ()  # (storage, version, argument index) per saved tensor
    _n_outputs = 1
    _out_meta: tuple = ()  # (shape, dtype) of each output
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
        for storage, version, source in self._saved_versions:
            if storage.version != version:
                self._raise_modified(storage, version, source)
        return saved

    def _raise_modified(self, storage: Storage, version: int, source: int) -> None:
        index = self._saved_sources.index(source)
        value = self._saved[index] if self._saved else None
        if source < 0:
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
        if self._saved_versions and self._saved is not None:
            self.release()

    def release(self) -> None:
        """Free saved values (done by backward unless retain_graph=True)."""
        self._saved = None
        for storage, _, _ in self._saved_versions:
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
    def apply(cls, *args: Any) -> Any:  # noqa: C901 - the hot path, kept in one piece
        """Run the op on the arrays of ``args`` and record a node if a gradient is needed."""
        tensor_cls = Tensor
        arrays = []
        edges = []
        in_meta = []
        nrs = None
        record = False
        for position, arg in enumerate(args):
            if isinstance(arg, tensor_cls):
                data = arg._data
                arrays.append(data)
                if arg._requires_grad:
                    record = True
                    node = arg._grad_fn
                    edges.append(arg if node is None else node)
                    in_meta.append((data.shape, data.dtype))
                    if arg._output_nr:
                        nrs = nrs or [0] * len(args)
                        nrs[position] = arg._output_nr
                    continue
            else:
                arrays.append(arg)
            edges.append(None)
            in_meta.append(None)

        if not (record and grad_mode.grad_enabled):
            out = cls.forward(NO_RECORD, *arrays)
            if type(out) is not np.ndarray:
                out = np.asarray(out)
            if grad_mode.anomaly_enabled:
                check_forward(cls, out, arrays)
            result = tensor_cls._make(out, False, None)
            if cls._is_view:
                result._storage = storage_of(args[0])
            return result

        ctx = cls.__new__(cls)
        raw = out = cls.forward(ctx, *arrays)
        if type(out) is not np.ndarray:
            out = np.asarray(out)  # NumPy returns scalars for 0-d results
        ctx.next_edges = tuple(edges)
        ctx._in_meta = tuple(in_meta)
        if nrs is not None:
            ctx._edge_nrs = tuple(nrs)
        result = tensor_cls._make(out, True, ctx)
        saved = ctx._saved
        if saved:
            _track_saved(ctx, saved, args, arrays, raw, out, result)
        if cls._is_view:
            result._storage = storage_of(args[0])
        if grad_mode.anomaly_enabled:
            check_forward(cls, out, arrays)
            ctx._forward_trace = traceback.format_stack()[:-2]
        return result


def _track_saved(
    ctx: Function, saved: tuple, args: tuple, arrays: list, raw: Any, out: np.ndarray, result: Any
) -> None:
    """Map each saved array to its source (argument, output, constant) and hold its memory."""
    sources = []
    versions = []
    if raw is not out:  # a 0-d result came back as a NumPy scalar: save the array instead
        saved = ctx._saved = tuple(out if value is raw else value for value in saved)
    for value in saved:
        if value is out:
            storage = storage_of(result)
            sources.append(_OUTPUT)
            versions.append((storage, storage.version, _OUTPUT))
            storage.hold()
            continue
        for position, array in enumerate(arrays):
            if value is array and isinstance(args[position], Tensor):
                storage = storage_of(args[position])
                sources.append(position)
                versions.append((storage, storage.version, position))
                storage.hold()
                break
        else:
            sources.append(None)  # a constant: mask, index, shape...
    ctx._saved_sources = tuple(sources)
    ctx._saved_versions = tuple(versions)


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
