"""In-place ops as in PyTorch: an op's result written into the memory of an existing tensor.

``x.mul_(y)`` computes ``x * y`` like any op, then writes the result into ``x``'s own memory
(so views of ``x`` see it) and bumps its version counter. When that op was recorded, the
history of ``x`` is *rebased*: its ``grad_fn`` becomes the new node, whose edge leads to the
history ``x`` had before, so gradients equal PyTorch's. Values the new node saved from ``x``
are private copies taken before the write (PyTorch's "original self"). An in-place op on a
view writes through to its base, whose history is rebased in turn, and the view is taken
again from it. Refused, with PyTorch's meaning: a leaf that requires grad (or a view of one)
while grad mode is on. Without recording, ops that can write straight into the array do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import function
from .grad_mode import state
from .observer import notify_write
from .storage import storage_of


def apply_in_place(
    tensor: Any,
    op: str,
    compute: Callable[[Any], Any],
    operand: Any = None,
    direct: Callable[[np.ndarray], Any] | None = None,
) -> Any:
    """Write ``compute(tensor)`` (an out-of-place op) into ``tensor``; return ``tensor``.

    ``direct(array)``, when given, does the same straight on the array: it is used when
    nothing is recorded (no tensor involved requires grad, or grad mode is off) and no
    observer watches.
    """
    operand_needs_grad = isinstance(operand, function.Tensor) and operand._requires_grad
    recording = state.grad_enabled and (tensor._requires_grad or operand_needs_grad)
    if direct is not None and not recording and not state.watched:
        write_array(tensor, op, direct)
        return tensor
    if state.grad_enabled and tensor._requires_grad and tensor._grad_fn is None:
        raise RuntimeError(
            f"{op}: a leaf tensor that requires grad is being used in an in-place operation. "
            "Update it under `with tg.no_grad():` (as an optimizer does), or work on a "
            "non-leaf copy (y = x.clone())"
        )
    storage = storage_of(tensor)
    storage.writing = True
    try:
        result = compute(tensor)
    finally:
        storage.writing = False
    if recording and tensor._view is not None:
        _write_through_view(tensor, result, op)
    else:
        _write(tensor, result, op)
    return tensor


def _write_through_view(view: Any, result: Any, op: str) -> None:
    """In-place on a view, recorded: the base takes the view's new values (itself in place,
    so a view of a view goes up to the first base), then the view is taken again from it."""
    cls, args = view._view
    base, view_args = args[0], args[1:]
    apply_in_place(base, op, lambda b: cls.put_back(b, result, *view_args), result)
    fresh = cls.apply(base, *view_args)
    view._grad_fn, view._output_nr, view._requires_grad = fresh._grad_fn, 0, True


def _write(tensor: Any, result: Any, op: str) -> None:
    """Make ``tensor`` hold ``result``: memory overwritten, version bumped, history rebased."""
    if result._data.shape != tensor._data.shape:
        raise RuntimeError(
            f"{op}: the result has shape {result._data.shape}, which does not fit this tensor "
            f"of shape {tensor._data.shape}: an in-place op cannot change a tensor's shape "
            "(broadcasting may only stretch the other operand)"
        )
    if result._data.dtype != tensor._data.dtype:
        _check_cast(result._data.dtype, tensor._data.dtype, op)
        if result._grad_fn is not None:
            result = result.to(tensor._data.dtype)  # recorded, so gradients keep their dtype
    write_array(tensor, op, lambda array: np.copyto(array, result._data, casting="same_kind"))
    node = result._grad_fn
    if node is not None:
        storage = tensor._storage
        storage.rebases += 1
        # The node saved its output: it now lives in the tensor, whose later writes must be
        # caught as if the node had saved the tensor itself.
        node._attach_storage(storage, result._data)
        _move_retained_grad(tensor, node, result._output_nr)
        tensor._grad_fn, tensor._output_nr = node, result._output_nr
        tensor._requires_grad = True
    if state.observers:
        notify_write(tensor, result, op)


def write_array(tensor: Any, op: str, write: Callable[[np.ndarray], Any]) -> None:
    """Run ``write`` on the tensor's array and bump its version (our write is versioned, so
    an array locked against raw writes is unlocked for it)."""
    array = tensor._data
    storage = storage_of(tensor)
    relock = storage.locked is not None and any(a is array for a in storage.locked)
    if relock:
        array.flags.writeable = True
    try:
        write(array)
    except ValueError as error:  # read-only memory (a broadcast view), mismatched shapes
        raise RuntimeError(f"{op}: cannot write into this tensor in place: {error}") from None
    except TypeError as error:
        if "cast" not in str(error):
            raise
        raise RuntimeError(
            f"{op}: the result can't be cast to this tensor's dtype {array.dtype} ({error}); "
            "convert the tensor first, e.g. x = x.double()"
        ) from None
    finally:
        if relock:
            array.flags.writeable = False
    storage.version += 1


def _check_cast(source: np.dtype, target: np.dtype, op: str) -> None:
    if not np.can_cast(source, target, "same_kind"):
        raise RuntimeError(
            f"{op}: the result has dtype {source}, which can't be cast to this tensor's dtype "
            f"{target}; convert the tensor first (x = x.to({source.name}))"
        )


def _move_retained_grad(tensor: Any, node: Any, output_nr: int) -> None:
    """``retain_grad()`` follows the tensor to its new history (tensor hooks stay behind)."""
    old = tensor._grad_fn
    if old is None or old._hooks is None:
        return
    reference = old._hooks.retained.get(tensor._output_nr)
    if reference is not None and reference() is tensor:
        del old._hooks.retained[tensor._output_nr]
        node.hooks().retained[output_nr] = reference
