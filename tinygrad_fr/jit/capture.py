"""``capture``: the captured function, which checks its guard and runs the generated code.

A call runs the generated function when the guard of the last variant used (or of another
cached one) holds. Otherwise the step runs normally and is recorded; the second matching
recording is compared with the first and, if they agree, its generated function becomes the
current variant. Each recording after the first two counts as a recompile; past
``max_recompiles`` a warning is given, once, and the step runs normally from then on.
"""

from __future__ import annotations

import functools
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd.grad_mode import state
from .codegen import compile_function
from .compare import compare
from .guards import Guard
from .program import Builder
from .reach import Reach
from .recording import Recording, record, tensor_args

MAX_VARIANTS = 8


class CaptureWarning(UserWarning):
    """A captured step gave up on generated code and runs eagerly."""


@dataclass
class Variant:
    """One generated function and the guard under which it is valid."""

    guard: Guard
    run: Callable[..., Any]
    source: str
    recording_seconds: float = 0.0
    build_seconds: float = 0.0


@dataclass
class _Pending:
    """A first recording, waiting for a second one to compare with."""

    recording: Recording
    variant: Variant
    reach: Reach = field(repr=False, default=None)  # type: ignore[assignment]


class CapturedFunction:
    """A function captured by :func:`capture` (see there)."""

    def __init__(self, fn: Callable[..., Any], max_recompiles: int = 8) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.max_recompiles = max_recompiles
        self.replays = 0
        self.recompiles = 0
        self.reasons: list[str] = []
        self.eager = False
        self._variants: list[Variant] = []
        self._current: Variant | None = None
        self._pending: _Pending | None = None
        self._busy = False

    def __call__(self, *args: Any) -> Any:
        variant = self._current
        if variant is not None and not self._busy and variant.guard.function(*args):
            self.replays += 1
            self._busy = True
            try:
                return variant.run(*args)
            finally:
                self._busy = False
        return self._slow(args)

    # -- what the user can read ------------------------------------------------------------

    @property
    def code(self) -> str:
        """The source of the generated function in use (or last generated)."""
        variant = self._current or (self._variants[-1] if self._variants else None)
        if variant is None:
            return "# nothing generated yet: the first two calls record the step\n"
        return variant.source

    @property
    def guard_code(self) -> str:
        """The source of the guard of the generated function in use."""
        variant = self._current or (self._variants[-1] if self._variants else None)
        return "" if variant is None else variant.guard.source

    @property
    def guards(self) -> str:
        """Every assumption the generated function makes, one per line."""
        variant = self._current or (self._variants[-1] if self._variants else None)
        return "" if variant is None else variant.guard.text

    def reset(self) -> None:
        """Forget every recording and generated function; the next calls record again."""
        self._variants.clear()
        self._current = None
        self._pending = None
        self.eager = False

    # -- the slow path ---------------------------------------------------------------------

    def _slow(self, args: tuple) -> Any:
        if self.eager or self._busy or state.observers or state.anomaly_enabled:
            # Another tool watches the ops (an outer capture, a trace), or detect_anomaly is
            # on: its checks need every op, so the step runs as written.
            return self.fn(*args)
        for variant in self._variants:
            if variant.guard.function(*args) or variant.guard.explain(args) is None:
                return self._replay(variant, args)
        return self._record(args)

    def _replay(self, variant: Variant, args: tuple) -> Any:
        self._current = variant
        self.replays += 1
        self._busy = True
        try:
            return variant.run(*args)
        finally:
            self._busy = False

    def _record(self, raw: tuple) -> Any:
        """Run the step eagerly while recording it (NumPy arrays given as Tensors)."""
        args = tensor_args(raw)
        pending = self._pending
        if pending is not None and not pending.variant.guard.function(*raw):
            why = pending.variant.guard.explain(raw)
            if why is not None:  # it changed since the first recording: start again
                self.reasons.append(why)
                pending = self._pending = None
        if pending is None and self._variants:
            variant = self._current or self._variants[-1]
            self.reasons.append(variant.guard.explain(raw) or "no generated function applies")
        del self.reasons[:-20]
        if pending is None and (self._variants or self.reasons):
            self.recompiles += 1
            if self.recompiles > self.max_recompiles:
                return self._give_up(raw)
        started = time.perf_counter()
        reach = pending.reach if pending is not None else Reach(self.fn, args)
        self._busy = True  # a call made meanwhile (another thread) runs eagerly
        try:
            result, recording = record(self.fn, args, _reached_tensors(reach))
        finally:
            self._busy = False
        recording.arrays = tuple(isinstance(arg, np.ndarray) for arg in raw)
        recorded = time.perf_counter() - started
        if pending is None:
            self._pending = _Pending(
                recording, self._build(recording, reach, set(), recorded), reach
            )
            return result
        self._pending = None
        constants = compare(pending.recording, recording)
        variant = self._build(recording, reach, constants, recorded)
        self._variants.append(variant)
        del self._variants[:-MAX_VARIANTS]
        self._current = variant
        return result

    def _build(
        self, recording: Recording, reach: Reach, constants: set, recorded: float
    ) -> Variant:
        started = time.perf_counter()
        builder = Builder(self.fn, recording, reach, constants)
        source, name = builder.build()
        label = f"{getattr(self.fn, '__qualname__', 'step')} #{len(self._variants) + 1}"
        run = compile_function(source, name, builder.namespace, f"<captured {label}>")
        builder.guard.compile(label)
        return Variant(builder.guard, run, source, recorded, time.perf_counter() - started)

    def _give_up(self, args: tuple) -> Any:
        self.eager = True
        self._variants.clear()
        self._current = None
        name = getattr(self.fn, "__qualname__", "the step")
        last = "; ".join(self.reasons[-3:])
        warnings.warn(
            f"capture: {name} was recorded again {self.recompiles - 1} times (last reasons: "
            f"{last}); it runs eagerly from now on. Call .reset() after changing what the "
            "step depends on, or keep what changes outside the captured function",
            CaptureWarning,
            stacklevel=3,
        )
        return self.fn(*args)


def _reached_tensors(reach: Reach) -> list:
    return [node.obj for node in reach.tensors.values()]


def capture(fn: Callable[..., Any] | None = None, *, max_recompiles: int = 8) -> Any:
    """Capture a training step as generated NumPy code, run under guards.

    The first two calls run normally and are recorded; from the third on, the generated
    function runs, as long as what it assumed still holds (see :attr:`CapturedFunction.guards`).
    ``step.code`` shows its source, ``step.replays`` counts the calls it ran and
    ``step.recompiles`` the recordings made again after a change.

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
    >>> train_step.replays, train_step.recompiles
    (3, 0)
    """
    if fn is None:
        return functools.partial(capture, max_recompiles=max_recompiles)
    return CapturedFunction(fn, max_recompiles)
