"""Timing and result records shared by every workload.

An implementation is a ``prepare()`` callable returning ``(run, result)``: ``run()`` is the
timed part, ``result()`` (untimed) returns arrays to compare against the NumPy baseline.
Repeats are interleaved across implementations so that drift in the machine's speed hits
every column alike; the garbage collector stays on (a framework's garbage is its cost) but
is emptied before each run.
"""

from __future__ import annotations

import gc
import statistics
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NUMPY, TINYGRAD, TORCH = "numpy", "tinygrad_fr", "torch"
# tinygrad_fr with the training step wrapped in tg.jit.capture (recorded twice, then replayed)
CAPTURED = "tinygrad_fr+capture"
# Another checkout of tinygrad_fr (--baseline PATH), timed in the same process: paired runs
BASELINE, BASELINE_CAPTURED = "baseline", "baseline+capture"

# Errors that mean "the framework lacks this API yet": the cell is skipped. Any other error of
# a framework is a bug: its cell shows ERROR and the suite exits with status 1 after the table.
SKIP_ERRORS = (ImportError, AttributeError, TypeError, NotImplementedError)

Prepared = tuple[Callable[[], Any], Callable[[], Any]]


@dataclass
class Config:
    """What the command line asked for."""

    quick: bool = False
    dtypes: tuple[str, ...] = ("float32", "float64")
    repeats: int = 5
    warmup: int = 1
    only: tuple[str, ...] = ()
    torch: Any = None  # the torch module, or None when unavailable
    baseline: Any = None  # another tinygrad_fr package (--baseline), or None


@dataclass
class Target:
    """A goal for tinygrad_fr: on the ratio to NumPy (``kind="ratio"``) or an absolute value."""

    limit: float
    kind: str = "ratio"
    stretch: float | None = None
    captured: float | None = None  # the goal of the captured step, when it has its own

    def text(self, unit: str) -> str:
        """Human form, e.g. ``<=1.5x (1.2x)``, ``<=2x/1.3x`` (eager/captured) or ``<=7 us/op``."""
        if self.kind == "ratio":
            stretch = f" ({self.stretch:g}x)" if self.stretch is not None else ""
            captured = f"/{self.captured:g}x" if self.captured is not None else ""
            return f"<={self.limit:g}x{captured}{stretch}"
        return f"<={self.limit:g} {unit}"

    def limit_for(self, impl: str) -> float:
        """The limit that applies to ``impl`` (the captured step may have a stricter one)."""
        if self.captured is not None and impl in (CAPTURED, BASELINE_CAPTURED):
            return self.captured
        return self.limit


@dataclass
class Row:
    """One line of the report: one workload, one dtype, one unit, one value per implementation."""

    id: str
    name: str
    dtype: str
    unit: str
    values: dict[str, float] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    target: Target | None = None
    diffs: dict[str, float] = field(default_factory=dict)
    tolerance: float | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def fail(self, impl: str, error: BaseException) -> None:
        """Record why ``impl`` has no value: skipped (API missing) or an error (a bug)."""
        if isinstance(error, SKIP_ERRORS):
            self.skipped[impl] = describe_error(error)
        else:
            self.errors[impl] = describe_error(error, where=True)

    def ratio(self, impl: str) -> float | None:
        """Value of ``impl`` divided by the NumPy value, when both exist."""
        if impl in self.values and self.values.get(NUMPY):
            return self.values[impl] / self.values[NUMPY]
        return None

    def met(self, impl: str = TINYGRAD) -> bool | None:
        """Whether ``impl`` (a tinygrad_fr variant) meets the target (None: nothing to judge)."""
        if self.target is None or impl not in self.values:
            return None
        if self.target.kind == "ratio":
            ratio = self.ratio(impl)
            return None if ratio is None else ratio <= self.target.limit_for(impl)
        return self.values[impl] <= self.target.limit_for(impl)

    def compare(self, impl: str, reference: list[Any], result: list[Any]) -> None:
        """Record the largest difference of ``result`` from NumPy's ``reference`` arrays, and
        note a result whose dtype is not the row's (a framework computing in another dtype)."""
        diff = 0.0
        for ref, arr in zip(reference, result, strict=True):
            ref, arr = np.asarray(ref), np.asarray(arr)
            if ref.shape != arr.shape:
                raise ValueError(f"{self.id} {impl}: result shape {arr.shape}, NumPy {ref.shape}")
            diff = max(diff, float(np.max(np.abs(ref.astype(np.float64) - arr))))
            if arr.dtype != np.dtype(self.dtype):
                self.notes.append(f"{impl} result in {arr.dtype}, not {self.dtype}")
        self.diffs[impl] = diff

    def checks_ok(self) -> bool:
        """True when every compared implementation agrees with NumPy within the tolerance."""
        if self.tolerance is None:
            return True
        return all(diff <= self.tolerance for diff in self.diffs.values())


@dataclass
class Timing:
    """Wall-clock seconds of each timed run, and what the last run produced."""

    times: list[float] = field(default_factory=list)
    result: Any = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def seconds_text(seconds: float) -> str:
    """``0.0123`` -> ``12.3 ms``, ``4.56`` -> ``4.56 s``."""
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


def describe_error(error: BaseException, where: bool = False) -> str:
    """Short ``Type: message`` form for the report, with the raising line when ``where``."""
    message = str(error).splitlines()[0] if str(error) else ""
    text = f"{type(error).__name__}: {message}"[:160]
    frames = traceback.extract_tb(error.__traceback__)
    if where and frames:
        text += f" (at {frames[-1].filename}:{frames[-1].lineno})"
    return text


def time_impls(
    impls: dict[str, Callable[[], Prepared]], repeats: int, warmup: int
) -> tuple[dict[str, Timing], dict[str, Exception]]:
    """Time every implementation ``warmup + repeats`` times, interleaved; keep the last result.

    A framework that raises is dropped and its exception returned (pass it to
    :meth:`Row.fail`); the NumPy baseline raising is a bug of the suite and propagates.
    """
    timings = {name: Timing() for name in impls}
    failures: dict[str, Exception] = {}
    for round_index in range(warmup + repeats):
        for name, prepare in impls.items():
            if name in failures:
                continue
            try:
                elapsed, result = _time_once(prepare)
            except Exception as error:
                if name == NUMPY:
                    raise
                failures[name] = error
                continue
            if round_index >= warmup:
                timings[name].times.append(elapsed)
                timings[name].result = result
    return {name: t for name, t in timings.items() if name not in failures}, failures


def _time_once(prepare: Callable[[], Prepared]) -> tuple[float, Any]:
    run, result = prepare()
    gc.collect()
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    return elapsed, result()
