"""``Function.apply`` for user-defined ops, whose forward and backward work on Tensors.

Forward runs without recording (as in PyTorch); its outputs are then attached to one graph
node. Saved outputs are kept as arrays, not Tensors, so that a node never holds its own
output alive through a reference cycle.
"""

from __future__ import annotations

from typing import Any

from . import function, grad_mode
from .function import check_forward
from .storage import storage_of


def apply_user_function(cls: Any, args: tuple) -> Any:
    """Run ``cls.forward`` on Tensors and attach the outputs to a new graph node."""
    tensor_cls = function.Tensor
    record = grad_mode.grad_enabled and any(
        isinstance(arg, tensor_cls) and arg._requires_grad for arg in args
    )
    ctx: Any = cls.__new__(cls) if record else _UserNoRecord()
    if record:
        _connect_inputs(ctx, args)
    previous = grad_mode.grad_enabled
    grad_mode.grad_enabled = False
    try:
        outputs = cls.forward(ctx, *args)
    finally:
        grad_mode.grad_enabled = previous

    single = not isinstance(outputs, tuple)
    outs = [outputs] if single else list(outputs)
    for index, out in enumerate(outs):
        if not isinstance(out, tensor_cls):
            raise TypeError(
                f"{cls.__name__}.forward must return Tensors, but output {index} is "
                f"{type(out).__name__}; wrap arrays with tg.Tensor(...)"
            )
        if grad_mode.anomaly_enabled:
            check_forward(cls, out._data, [a._data for a in args if isinstance(a, tensor_cls)])
    if not record:
        return outputs
    ctx._n_outputs = len(outs)

    non_differentiable = ctx._non_differentiable
    for index, out in enumerate(outs):
        if out._grad_fn is not None or any(out is arg for arg in args):
            # forward returned an input (or a recorded tensor): give the node its own output.
            view = tensor_cls._make(out._data, False, None)
            view._storage = storage_of(out)
            outs[index] = out = view
        if any(out is marked for marked in non_differentiable):
            continue
        out._requires_grad = True
        out._grad_fn = ctx
        out._output_nr = index
    ctx._out_meta = tuple((out._data.shape, out._data.dtype) for out in outs)

    saved = ctx._saved
    if saved:
        _track_saved_tensors(ctx, saved, args, outs)
    return outs[0] if single else tuple(outs)


def _connect_inputs(ctx: Any, args: tuple) -> None:
    """Set the node's edges to the arguments that require grad (before forward runs)."""
    tensor_cls = function.Tensor
    edges, nrs = [], None
    for position, arg in enumerate(args):
        if isinstance(arg, tensor_cls) and arg._requires_grad:
            edges.append(arg if arg._grad_fn is None else arg._grad_fn)
            if arg._output_nr:
                nrs = nrs or [0] * len(args)
                nrs[position] = arg._output_nr
        else:
            edges.append(None)
    ctx.next_edges = tuple(edges)
    if nrs is not None:
        ctx._edge_nrs = tuple(nrs)


def _track_saved_tensors(ctx: Any, saved: tuple, args: tuple, outs: list) -> None:
    """Store saved Tensors as arrays with their source, and hold their memory.

    The source of a value is its argument index, ``-1 - k`` for output k, or None for a
    tensor that is neither (kept as a constant).
    """
    tensor_cls = function.Tensor
    values: list = []
    versions: list = []
    for value in saved:
        if not isinstance(value, tensor_cls):
            if value is not None:
                raise TypeError(
                    f"{type(ctx).__name__}: save_for_backward takes Tensors or None, got "
                    f"{type(value).__name__}; keep other values as attributes of ctx"
                )
            values.append(None)
            continue
        source = None
        for index, out in enumerate(outs):
            if value is out:
                source = -1 - index
        for position, arg in enumerate(args):
            if value is arg:
                source = position
        storage = storage_of(value)
        array = value._data
        if storage.exposed is not None and (source is None or source >= 0):
            array = array.copy()  # the user holds this memory: keep what forward used
        values.append(array)
        versions.append((storage, storage.version, source, array))
        storage.holds += 1
    ctx._saved = tuple(values)
    ctx._saved_versions = tuple(versions)


class _UserNoRecord:
    """The ctx given to a user forward when nothing is recorded: accepts and ignores all."""

    def save_for_backward(self, *values: Any) -> None:
        pass

    def mark_non_differentiable(self, *tensors: Any) -> None:
        pass

    needs_input_grad = ()
