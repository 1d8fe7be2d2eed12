"""Memory: peak of W3 training steps, and graph bytes per node of the W5 chain.

Measured with tracemalloc, which sees Python objects and NumPy's array buffers (NumPy reports
them to it) but not torch's allocator, so torch has no column here. The data set is allocated
before tracing starts and is not counted; weights, gradients, activations, optimizer state and
temporaries are. Each measured run follows an untraced warm-up so lazy imports and caches are
not charged to the workload.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from benchmarks.data import init_mlp, mnist_like
from benchmarks.frameworks import Framework, frameworks
from benchmarks.harness import NUMPY, TINYGRAD, Config, Prepared, Row, Target
from benchmarks.workloads import mlp


def traced_peak(prepare: Callable[[], Prepared]) -> int:
    """Peak bytes allocated while preparing and running once, after an untraced warm-up."""
    run, _ = prepare()
    run()
    del run
    gc.collect()
    tracemalloc.start()
    try:
        run, _ = prepare()
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_peak_memory(config: Config) -> list[Row]:
    """Peak traced memory of a few W3 training steps (batch 256), NumPy vs tinygrad_fr."""
    spec = mlp.W3
    steps = 1 if config.quick else 3
    available, missing = frameworks(config)
    rows = []
    for dtype in config.dtypes:
        images, targets = mnist_like(steps * spec.batch, np.dtype(dtype))
        params = init_mlp(spec.sizes, np.dtype(dtype))
        row = Row(
            "MEM",
            f"W3 peak memory, {steps} step(s)",
            dtype,
            "KiB",
            target=Target(1.3),
            skipped=dict(missing),
        )
        row.values[NUMPY] = traced_peak(partial(mlp.prepare_numpy, spec, params, images, targets))
        row.values[NUMPY] /= 1024
        for fw in available:
            if fw.name != TINYGRAD:
                continue
            prepare = partial(mlp.prepare_framework, spec, fw, params, images, targets)
            try:
                row.values[fw.name] = traced_peak(prepare) / 1024
            except Exception as error:
                row.fail(fw.name, error)
        row.notes.append("tracemalloc peak incl. weights, grads, activations; data set excluded")
        rows.append(row)
    return rows


def graph_bytes(fw: Framework, n: int, dtype: np.dtype) -> float:
    """Traced bytes held by a live chain of ``n`` additions before backward, per node."""
    leaf = fw.tensor(np.array(0.5, dtype), requires_grad=True)
    c = fw.tensor(np.array(1e-3, dtype), requires_grad=True)
    x: Any = leaf + c  # warm-up: first-use allocations are not the graph's
    del x
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        x = leaf
        for _ in range(n):
            x = x + c
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    return held / n


def graph_memory_row(fw: Framework | None, n: int, config: Config) -> Row:
    """The W5 row 'graph memory per node' (tinygrad_fr only, float of the first dtype)."""
    dtype = config.dtypes[0]
    row = Row(
        "W5", f"graph memory, {n}-node chain", dtype, "B/node", target=Target(1024, kind="value")
    )
    if fw is None:
        row.skipped[TINYGRAD] = frameworks(config)[1].get(TINYGRAD, "tinygrad_fr unavailable")
        return row
    try:
        row.values[TINYGRAD] = graph_bytes(fw, n, np.dtype(dtype))
    except Exception as error:
        row.fail(TINYGRAD, error)
    row.notes.append("tracemalloc of the live graph before backward / node count")
    return row
