"""W4-W5: the fixed cost of one recorded op, where the arrays are too small to matter.

W4 chains 1 000 element-wise ops on (4,) tensors, a cycle of ``x * 0.99``, ``x + (-0.99)``,
tanh, exp whose fixed point 1 has slope 0.99, so values stay bounded and gradients stay normal
numbers (denormals would time the FPU, not the framework). W5 builds a chain of 100 000 scalar
additions ``x = x + c`` (``c`` a leaf) and backpropagates through it.
The NumPy baselines do the forward pass, keep what backward needs, and run the reverse loop.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from benchmarks.frameworks import Framework, frameworks
from benchmarks.harness import (
    NUMPY,
    TINYGRAD,
    Config,
    Prepared,
    Row,
    Target,
    seconds_text,
    time_impls,
)
from benchmarks.workloads import memory

MUL, ADD = 0.99, -0.99  # with tanh then exp: x -> exp(tanh(0.99 x - 0.99)), fixed point 1
TOLERANCE = {"float32": 1e-4, "float64": 1e-10}


def chain_numpy(x0: np.ndarray, n_ops: int) -> Prepared:
    """W4 baseline: forward keeping tanh and exp outputs, then the hand-written reverse loop."""
    out: list[np.ndarray] = []

    def run() -> None:
        saved = []
        x = x0
        for _ in range(n_ops // 4):
            t = np.tanh(x * MUL + ADD)
            x = np.exp(t)
            saved.append((t, x))
        x.sum()
        grad = np.ones_like(x0)  # d sum(x) / dx
        slope = np.empty_like(x0)
        for t, e in reversed(saved):
            grad *= e  # exp
            np.multiply(t, t, out=slope)  # tanh: 1 - t^2
            np.subtract(1.0, slope, out=slope)
            grad *= slope
            grad *= MUL  # the addition passes the gradient unchanged
        saved.clear()
        out[:] = [grad]

    return run, lambda: list(out)


def chain_framework(fw: Framework, x0: np.ndarray, n_ops: int) -> Prepared:
    """W4 with recorded ops: the same chain, then ``x.sum().backward()``."""
    leaf = fw.tensor(x0.copy(), requires_grad=True)

    def run() -> None:
        x = leaf
        for _ in range(n_ops // 4):
            x = (x * MUL + ADD).tanh().exp()
        x.sum().backward()

    return run, lambda: [fw.to_numpy(leaf.grad)]


def additions_numpy(x0: np.ndarray, c: np.ndarray, n: int) -> Prepared:
    """W5 baseline: n additions on 0-d values, then the reverse accumulation into x0 and c."""
    out: list[Any] = []

    def run() -> None:
        x = x0
        for _ in range(n):
            x = x + c  # NumPy returns 0-d results as NumPy scalars
        grad = np.ones((), x0.dtype)[()]  # d x_n / d x_n
        grad_c = np.zeros((), x0.dtype)[()]
        for _ in range(n):  # each node hands its gradient to x_{i-1} (unchanged) and to c
            grad_c = grad_c + grad
        out[:] = [x, grad, grad_c]

    return run, lambda: [np.asarray(v) for v in out]


def additions_framework(fw: Framework, x0: np.ndarray, c0: np.ndarray, n: int) -> Prepared:
    """W5 with recorded ops: ``x = x + c`` n times, then ``x.backward()``."""
    leaf, c = fw.tensor(x0.copy(), requires_grad=True), fw.tensor(c0.copy(), requires_grad=True)
    out: list[Any] = []

    def run() -> None:
        x = leaf
        for _ in range(n):
            x = x + c
        x.backward()
        out[:] = [x]

    return run, lambda: [fw.to_numpy(out[0]), fw.to_numpy(leaf.grad), fw.to_numpy(c.grad)]


def _time_rows(
    config: Config, make: Any, *, wid: str, name: str, unit: str, per: int, target: Target
) -> list[Row]:
    """Time one overhead workload per dtype; ``make(dtype, fw)`` gives an implementation's
    ``prepare`` (``fw`` None for NumPy). Values are microseconds per op."""
    rows = []
    available, missing = frameworks(config)
    for dtype in config.dtypes:
        impls = {NUMPY: make(np.dtype(dtype), None)}
        impls.update({fw.name: make(np.dtype(dtype), fw) for fw in available})
        timings, failures = time_impls(impls, config.repeats, config.warmup)
        row = Row(wid, name, dtype, unit, target=target, tolerance=TOLERANCE[dtype])
        row.skipped.update(missing)
        for impl, error in failures.items():
            row.fail(impl, error)
        reference = timings[NUMPY].result
        for impl, timing in timings.items():
            row.values[impl] = timing.median / per * 1e6
            row.samples[impl] = [t / per * 1e6 for t in timing.times]
            if impl != NUMPY:
                row.compare(impl, reference, timing.result)
        total = ", ".join(f"{k} {seconds_text(v * per / 1e6)}" for k, v in row.values.items())
        row.notes.append(f"whole chain, forward + backward: {total}")
        rows.append(row)
    return rows


def run_w4(config: Config) -> list[Row]:
    """W4: time per op of a chain of small element-wise ops, forward + backward."""
    n_ops = 100 if config.quick else 1_000

    def make(dtype: np.dtype, fw: Framework | None) -> Any:
        x0 = (1.0 - 0.05 * np.random.default_rng(4).random(4)).astype(dtype)
        if fw is None:
            return partial(chain_numpy, x0, n_ops)
        return partial(chain_framework, fw, x0, n_ops)

    name = f"{n_ops} chained ops on (4,), fwd+bwd"
    rows = _time_rows(
        config, make, wid="W4", name=name, unit="us/op", per=n_ops, target=Target(7.0, kind="value")
    )
    for row in rows:
        row.notes.insert(
            0,
            "cycle x*0.99, x+(-0.99), tanh, exp; then sum().backward(); "
            "NumPy: same forward keeping tanh/exp outputs, hand-written reverse",
        )
    return rows


def run_w5(config: Config) -> list[Row]:
    """W5: time per node of a 100 000-deep chain of scalar additions, and graph memory."""
    n = 2_000 if config.quick else 100_000

    def make(dtype: np.dtype, fw: Framework | None) -> Any:
        x0, c0 = np.array(0.5, dtype), np.array(1e-3, dtype)
        if fw is None:
            return partial(additions_numpy, x0, c0, n)
        return partial(additions_framework, fw, x0, c0, n)

    name = f"{n} scalar adds x = x + c, fwd+bwd"
    rows = _time_rows(config, make, wid="W5", name=name, unit="us/node", per=n, target=Target(2.0))
    for row in rows:
        row.notes.insert(
            0,
            "0-d tensors, c a leaf; then x.backward(). NumPy: the additions "
            "on 0-d values, then the reverse loop accumulating dL/dc",
        )
    available, _ = frameworks(config)
    tinygrad = [fw for fw in available if fw.name == TINYGRAD]
    rows.append(memory.graph_memory_row(tinygrad[0] if tinygrad else None, n, config))
    return rows
