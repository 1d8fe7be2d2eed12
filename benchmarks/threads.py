"""Thread settings: one thread count for NumPy's BLAS, OpenMP and PyTorch, and a description.

The environment variables only take effect if they are set before NumPy (or torch) loads,
so :func:`configure_env` runs first thing in the command line entry point. When NumPy is
already loaded (the suite called in-process), the BLAS pool is resized through its C API.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Any

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_BLAS_GET = (
    "scipy_openblas_get_num_threads64_",
    "openblas_get_num_threads64_",
    "openblas_get_num_threads",
)
_BLAS_SET = (
    "scipy_openblas_set_num_threads64_",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def configure_env(threads: int) -> int:
    """Set every thread variable to ``threads`` and return it.

    The suite's default is 1: NumPy's BLAS pool and torch's OpenMP pool each spin-wait for
    work, and with both at the CPU count they starve each other (torch's mini-batch step
    measured 30 to 150 times slower on 2 cores): that would time the contention.
    """
    if threads < 1:
        raise ValueError(f"--threads must be at least 1, got {threads}")
    for name in THREAD_VARS:
        os.environ[name] = str(threads)
    if "numpy" in sys.modules:
        _set_blas_threads(threads)
    return threads


def _openblas() -> Any:
    """The OpenBLAS library NumPy loaded, or None (other BLAS, or not on Linux)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        if path.endswith(".so") or ".so." in path:
            return ctypes.CDLL(path)
    return None


def _set_blas_threads(threads: int) -> None:
    library = _openblas()
    for name in _BLAS_SET if library is not None else ():
        if hasattr(library, name):
            getattr(library, name)(threads)
            return


def blas_threads() -> int | None:
    """Number of threads NumPy's BLAS will use, when it can be asked."""
    try:
        import threadpoolctl  # optional; most precise when installed

        for info in threadpoolctl.threadpool_info():
            if info.get("user_api") == "blas":
                return int(info["num_threads"])
    except ImportError:
        pass
    library = _openblas()
    for name in _BLAS_GET if library is not None else ():
        if hasattr(library, name):
            return int(getattr(library, name)())
    return None


def configure_torch(torch: Any, threads: int) -> str:
    """Give torch the same intra-op thread count and a single inter-op thread."""
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or parallel work already started in this process
        pass
    return (
        f"torch.set_num_threads({torch.get_num_threads()}), "
        f"interop threads {torch.get_num_interop_threads()}"
    )


def describe() -> str:
    """One line saying which thread settings are in force."""
    env = " ".join(f"{name}={os.environ.get(name, '-')}" for name in THREAD_VARS)
    blas = blas_threads()
    return f"{env}; NumPy BLAS threads: {blas if blas is not None else 'unknown'}"
