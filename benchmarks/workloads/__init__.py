"""The workloads: W1-W3 (MLP training), W4-W5 (per-op overhead), capture costs, memory, import.

Each workload module offers ``run_*(config) -> list[Row]``; :data:`WORKLOADS` lists them in
report order by id, so ``--only`` can select them.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.harness import Config, Row
from benchmarks.workloads import capture, imports, memory, mlp, overhead

WORKLOADS: dict[str, Callable[[Config], list[Row]]] = {
    "W1": mlp.run_w1,
    "W2": mlp.run_w2,
    "W3": mlp.run_w3,
    "W4": overhead.run_w4,
    "W5": overhead.run_w5,
    "CAP": capture.run_capture,
    "MEM": memory.run_peak_memory,
    "IMPORT": imports.run_imports,
}
