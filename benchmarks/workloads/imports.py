"""Import time of tinygrad_fr, NumPy and torch, each in a fresh interpreter.

The clock starts inside the child, just before the import statement, so interpreter start-up is
not counted; tinygrad_fr's figure includes importing NumPy, which it needs. A first untimed
import fills the bytecode caches.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.harness import NUMPY, TINYGRAD, TORCH, Config, Row, Target

ROOT = Path(__file__).resolve().parents[2]
CODE = "import time; start = time.perf_counter(); import {}; print(time.perf_counter() - start)"
# Without it the child could not write bytecode caches and would time compiling the sources.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def import_seconds(module: str) -> float:
    """Seconds taken by ``import module`` in a new interpreter started at the repository root."""
    child = subprocess.run(
        [sys.executable, "-c", CODE.format(module)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if child.returncode != 0:
        last = (child.stderr.strip().splitlines() or ["failed"])[-1]
        raise ImportError(f"import {module} in a subprocess: {last}")
    return float(child.stdout.strip().splitlines()[-1])


def run_imports(config: Config) -> list[Row]:
    """Median import time over a few fresh interpreters (one, and no torch, with --quick)."""
    runs = 1 if config.quick else 5
    modules = {NUMPY: "numpy", TINYGRAD: "tinygrad_fr"}
    if config.torch is not None and not config.quick:
        modules[TORCH] = "torch"
    row = Row("IMPORT", "import time, fresh interpreter", "-", "s", target=Target(0.3, "value"))
    for name, module in modules.items():
        try:
            import_seconds(module)  # fills __pycache__
            times = [import_seconds(module) for _ in range(runs)]
        except ImportError as error:
            if name == NUMPY:
                raise
            row.skipped[name] = str(error)[:120]
            continue
        row.values[name] = statistics.median(times)
        row.samples[name] = times
    row.notes.append(f"median of {runs} run(s) after one untimed import; tinygrad_fr incl. NumPy")
    return [row]
