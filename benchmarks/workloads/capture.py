"""CAP: what capturing costs. Recording time, and the guard checked before each call.

For the training steps of W1-W3 (tinygrad_fr only): the first two calls of a freshly captured
step, which run eagerly while recording and then generate the code, against two plain eager
steps; and the guard that runs before every call of the generated code, against the whole
captured call. Medians over the repeats; the guard is the best of many timed loops.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np

from benchmarks.data import init_mlp, mnist_like
from benchmarks.frameworks import frameworks
from benchmarks.harness import CAPTURED, TINYGRAD, Config, Row
from benchmarks.workloads import mlp, mlp_framework


def _step(fw: Any, spec: mlp.MlpSpec, dtype: np.dtype) -> tuple[Any, list]:
    """A fresh model and its (uncaptured) step, with the batches of a few calls."""
    params = init_mlp(spec.sizes, dtype)
    images, targets = mnist_like(spec.batch * 24, dtype)
    model = mlp_framework.build_mlp(fw, params, spec.activation, spec.output_activation)
    criterion = fw.lib.nn.MSELoss() if spec.loss == "mse" else mlp_framework.half_sse
    optimizer = fw.lib.optim.SGD(model.parameters(), lr=spec.lr)

    def step(x: Any, y: Any) -> Any:
        optimizer.zero_grad()
        cost = criterion(model(x), y)
        cost.backward()
        optimizer.step()
        return cost

    batches = [
        (fw.tensor(images[i : i + spec.batch]), fw.tensor(targets[i : i + spec.batch]))
        for i in range(0, len(images), spec.batch)
    ]
    return step, batches


def _recording_ms(fw: Any, spec: mlp.MlpSpec, dtype: np.dtype, captured: bool) -> float:
    step, batches = _step(fw, spec, dtype)
    if captured:
        step = fw.lib.jit.capture(step)
    start = time.perf_counter()
    step(*batches[0])
    step(*batches[1])
    return (time.perf_counter() - start) * 1e3


def _guard_us(fw: Any, spec: mlp.MlpSpec, dtype: np.dtype) -> tuple[float, float, int, int]:
    """Guard per call, whole captured call, number of checks, lines of generated code."""
    step, batches = _step(fw, spec, dtype)
    captured = fw.lib.jit.capture(step)
    for batch in batches[:3]:
        captured(*batch)
    guard = captured._current.guard.function
    x, y = batches[3]
    loops = 2000 if spec.batch < 100 else 200
    best_guard = best_call = float("inf")
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(loops):
            guard(x, y)
        best_guard = min(best_guard, (time.perf_counter() - start) / loops)
        start = time.perf_counter()
        for batch in batches[4:]:
            captured(*batch)
        best_call = min(best_call, (time.perf_counter() - start) / len(batches[4:]))
    checks = len(captured.guards.splitlines())
    lines = sum(
        1
        for line in captured.code.splitlines()
        if line.strip() and not line.strip().startswith("#")
    )
    return best_guard * 1e6, best_call * 1e6, checks, lines


def run_capture(config: Config) -> list[Row]:
    """CAP rows: recording time of W1-W3 steps, then their guard's cost per call."""
    available, missing = frameworks(config)
    tinygrad = next((fw for fw in available if fw.name == TINYGRAD), None)
    rows: list[Row] = []
    repeats = max(1, config.repeats)
    for spec in (mlp.W1, mlp.W2, mlp.W3):
        for dtype in config.dtypes:
            record = Row("CAP", f"{spec.id} step: 2 recorded calls + code", dtype, "ms")
            guard = Row("CAP", f"{spec.id} step: guard per call", dtype, "us/call")
            if tinygrad is None:
                record.skipped.update(missing)
                guard.skipped.update(missing)
                rows += [record, guard]
                continue
            kind = np.dtype(dtype)
            eager = [_recording_ms(tinygrad, spec, kind, False) for _ in range(repeats)]
            recorded = [_recording_ms(tinygrad, spec, kind, True) for _ in range(repeats)]
            record.values[TINYGRAD] = statistics.median(eager)
            record.values[CAPTURED] = statistics.median(recorded)
            record.samples = {TINYGRAD: eager, CAPTURED: recorded}
            record.notes.append(
                "tinygrad_fr column: two eager steps; +capture: the same two calls recorded, "
                "compared and turned into code (once per captured step, and per recompile)"
            )
            guard_time, call_time, checks, lines = _guard_us(tinygrad, spec, kind)
            guard.values[CAPTURED] = guard_time
            guard.values[TINYGRAD] = call_time
            guard.notes.append(
                "tinygrad_fr column: one whole captured call (guard, generated code, call "
                "wrapper); +capture: its guard alone"
            )
            guard.notes.append(
                f"{spec.id} {dtype}: {checks} checks, {guard_time / call_time:.1%} of a call; "
                f"{lines} lines of generated code"
            )
            rows += [record, guard]
    return rows
