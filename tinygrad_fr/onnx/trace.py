"""Record what a model computes: every op applied, with the module path where it ran.

An :class:`~tinygrad_fr.autograd.observer.Observer` sees each op; forward pre- and post-hooks
on every sub-module, installed only for the trace, keep the stack of modules being called.
Nothing is recorded in the autograd graph (the trace runs under ``no_grad``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..autograd.grad_mode import no_grad
from ..autograd.observer import Observer, OpEvent, observe
from ..tensor import Tensor
from .errors import OnnxExportError


@dataclass(frozen=True)
class OpRecord:
    """One op of a trace: its class, its arguments (Tensors and constants), its outputs, and
    the path of the module whose forward called it (``""`` for the model itself)."""

    op: type
    args: tuple
    outputs: tuple
    module_path: str


@dataclass(frozen=True)
class Trace:
    """The ops that ``model(*inputs)`` ran, in order, and what it returned."""

    inputs: tuple[Tensor, ...]
    records: tuple[OpRecord, ...]
    outputs: tuple[Tensor, ...]


class InPlaceWrite:
    """Not an op: the record of ``tensor.op_()``, which made ``tensor`` hold ``result``
    (``args`` is ``(tensor, result)``); later reads of ``tensor`` read ``result``."""


class _Recorder(Observer):
    def __init__(self) -> None:
        self.records: list[OpRecord] = []
        self.paths: list[str] = [""]
        self.reads: list[tuple[str, str]] = []

    def op(self, event: OpEvent) -> None:
        self.records.append(OpRecord(event.op, event.args, event.outputs, self.paths[-1]))

    def write(self, tensor: Any, result: Any, op: str) -> None:
        self.records.append(OpRecord(InPlaceWrite, (tensor, result), (), self.paths[-1]))

    def read(self, tensor: Any, what: str) -> None:
        self.reads.append((what, self.paths[-1]))


def trace(model: Callable[..., Any], inputs: Sequence[Tensor]) -> Trace:
    """Run ``model(*inputs)`` once without gradients and record its ops (see :class:`Trace`)."""
    recorder = _Recorder()
    remove_hooks = _track_modules(model, recorder.paths)
    try:
        with no_grad(), observe(recorder):
            returned = model(*inputs)
    finally:
        remove_hooks()
    if recorder.reads:
        what, path = recorder.reads[0]
        raise OnnxExportError(
            f"ONNX export: forward reads a tensor's value ({what}) in module {path or '(top)'!r}; "
            "the file would keep this example's value as a constant (and of a Python `if` on "
            "it, one branch only). Compute with tensor operations instead (tg.where, clamp...)"
        )
    return Trace(tuple(inputs), tuple(recorder.records), flatten_outputs(returned))


def flatten_outputs(returned: Any) -> tuple[Tensor, ...]:
    """The Tensors a forward returned: one Tensor, or a (nested) tuple or list of them."""
    if isinstance(returned, Tensor):
        return (returned,)
    if isinstance(returned, (tuple, list)):
        return tuple(tensor for item in returned for tensor in flatten_outputs(item))
    raise TypeError(
        f"ONNX export: the model returned a {type(returned).__name__}; it must return a Tensor "
        "or a tuple/list of Tensors"
    )


def _track_modules(model: Any, paths: list[str]) -> Callable[[], None]:
    """Push each sub-module's path while its forward runs; return what removes the hooks."""
    named_modules = getattr(model, "named_modules", None)
    if named_modules is None:  # a plain function: every op is the model's own
        return lambda: None
    handles = []
    had_hooks = []
    for path, module in named_modules():
        if not path:
            continue
        had_hooks.append((module, "_has_hooks" in module.__dict__))

        def enter(module: Any, args: tuple, path: str = path) -> None:
            paths.append(path)

        def leave(module: Any, args: tuple, output: Any) -> None:
            paths.pop()

        # Ours first in, last out: ops of other hooks count as the module's.
        handles.append(module.register_forward_pre_hook(enter, prepend=True))
        handles.append(module.register_forward_hook(leave))

    def remove() -> None:
        for handle in handles:
            handle.remove()
        for module, had in had_hooks:
            if not had:  # back to the flag the module had: no hooks, no hook path
                module.__dict__.pop("_has_hooks", None)
        del paths[1:]

    return remove
