"""Command line of the suite: options, thread settings, then each selected workload.

Thread variables are set before NumPy or torch are imported (they are read at load time), so
this module imports nothing heavy at the top.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from typing import Any

from benchmarks import threads

# The keys of benchmarks.workloads.WORKLOADS, which cannot be imported before NumPy's threads
# are set.
WORKLOAD_IDS = ("W1", "W2", "W3", "W4", "W5", "CAP", "MEM", "IMPORT")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the options (see ``python -m benchmarks --help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time tinygrad_fr against hand-written NumPy (and torch when installed).",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke test")
    parser.add_argument("--dtype", choices=("float32", "float64", "both"), default="both")
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed runs per cell after the warm-up (default 5, quick 1)",
    )
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument(
        "--only", default="", help=f"comma-separated workload ids among {','.join(WORKLOAD_IDS)}"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads for NumPy's BLAS, OpenMP and torch, set through OMP/OPENBLAS/"
        "MKL_NUM_THREADS and torch.set_num_threads (default 1: two pools on the same cores "
        "starve each other)",
    )
    parser.add_argument("--no-torch", action="store_true", help="leave out the torch column")
    parser.add_argument(
        "--baseline",
        metavar="PATH",
        help="another checkout of tinygrad_fr (e.g. a git worktree of the previous commit), "
        "timed in the same process for paired before/after ratios",
    )
    args = parser.parse_args(argv)
    args.only = tuple(x.strip().upper() for x in args.only.split(",") if x.strip())
    unknown = [x for x in args.only if x not in WORKLOAD_IDS]
    if unknown:
        parser.error(
            f"--only: unknown workload {', '.join(unknown)}; choose among {', '.join(WORKLOAD_IDS)}"
        )
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def _load_torch(enabled: bool, n_threads: int) -> tuple[Any, str]:
    if not enabled:
        return None, "torch: left out (--no-torch)"
    try:
        import torch
    except ImportError:
        return None, "torch: not installed, no torch column (pip install torch to add it)"
    setting = threads.configure_torch(torch, n_threads)
    blas = "MKL" if torch.backends.mkl.is_available() else "its own BLAS"
    return torch, f"torch {torch.__version__} ({blas}), {setting}"


def _numpy_blas() -> str:
    import numpy as np

    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']}"
    except Exception:  # only for the header; older NumPy has no dict mode
        return "unknown BLAS"


def _header(config: Any, n_threads: int, torch_line: str, tinygrad: str | None) -> list[str]:
    """The lines above the table: sizes, repeats, versions, thread settings."""
    import numpy as np

    sizes = "QUICK (smoke-test sizes)" if config.quick else "full sizes"
    contention = ""
    if n_threads > 1 and config.torch is not None:
        contention = "; WARNING: >1 thread with torch: its OpenMP pool and NumPy's BLAS compete"
    return [
        f"tinygrad_fr benchmarks: {sizes}, median of {config.repeats} timed run(s) after "
        f"{config.warmup} warm-up, interleaved across implementations; gc on, collected "
        "before each run, objects present after the imports frozen (gc.freeze)",
        f"python {platform.python_version()}, numpy {np.__version__} ({_numpy_blas()}), "
        f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()}",
        f"threads: {threads.describe()}; element-wise NumPy ops are single-threaded{contention}",
        torch_line,
        "tinygrad_fr: " + ("imported" if tinygrad is None else f"unavailable ({tinygrad})"),
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the suite and print the table; returns the process exit status."""
    args = parse_args(argv)
    n_threads = threads.configure_env(args.threads)
    import numpy as np

    from benchmarks import report
    from benchmarks.frameworks import load_baseline, tinygrad_status
    from benchmarks.harness import Config
    from benchmarks.workloads import WORKLOADS

    torch, torch_line = _load_torch(not args.no_torch, n_threads)
    config = Config(
        quick=args.quick,
        dtypes=("float32", "float64") if args.dtype == "both" else (args.dtype,),
        repeats=args.repeats or (1 if args.quick else 5),
        warmup=args.warmup,
        only=args.only,
        torch=torch,
        baseline=load_baseline(args.baseline) if args.baseline else None,
    )
    status = tinygrad_status()
    # The libraries' own objects are never garbage: freezing them makes the collection before
    # each timed run cheap (with torch loaded a full one takes ~0.1 s) and keeps them out of
    # the collections that happen during runs, alike for every column.
    gc.collect()
    gc.freeze()
    header = _header(config, n_threads, torch_line, status)
    print("\n".join(header), flush=True)
    rows = []
    started = time.perf_counter()
    for wid in config.only or WORKLOAD_IDS:
        print(f"  running {wid} ...", end="", file=sys.stderr, flush=True)
        start = time.perf_counter()
        rows += WORKLOADS[wid](config)
        print(f" {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    print()
    print(report.format_table(rows))
    print(f"\ntotal {elapsed:.1f} s")
    failed = sorted({f"{row.id} {impl}" for row in rows for impl in row.errors})
    if failed:
        print(f"errors in: {', '.join(failed)} (see notes)", file=sys.stderr)
    if args.json:
        meta = {
            "header": header,
            "threads": n_threads,
            "quick": config.quick,
            "repeats": config.repeats,
            "warmup": config.warmup,
            "dtypes": config.dtypes,
            "numpy": np.__version__,
            "torch": getattr(torch, "__version__", None),
            "tinygrad_fr": status or "imported",
            "seconds": elapsed,
        }
        report.write_json(args.json, rows, meta)
    return 1 if failed else 0
