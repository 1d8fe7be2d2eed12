"""The autograd frameworks under test, behind the few calls where tinygrad_fr and torch differ.

Workloads are written once, the PyTorch way, against ``fw.lib`` (``nn``, ``optim``, Tensor
methods); only making a tensor from an array, writing a parameter and reading a result back
go through a :class:`Framework`. tinygrad_fr is imported lazily so that a missing or incomplete
core skips its column instead of breaking the suite.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import BASELINE, TINYGRAD, TORCH, Config, describe_error


@dataclass(frozen=True)
class Framework:
    """A PyTorch-like library (``tinygrad_fr`` or ``torch``) and how to move arrays in and out."""

    name: str
    lib: Any

    def tensor(self, array: np.ndarray, requires_grad: bool = False) -> Any:
        """A tensor sharing ``array`` (``from_numpy``, no copy), a leaf when ``requires_grad``."""
        out = self.lib.from_numpy(array)
        return out.requires_grad_() if requires_grad else out

    def set_data(self, param: Any, array: np.ndarray) -> None:
        """Overwrite a parameter with a private copy of ``array`` (dtype included)."""
        if self.name == TORCH:
            param.data = self.lib.from_numpy(array.copy())
        else:
            param.data = array.copy()

    def to_numpy(self, tensor: Any) -> np.ndarray:
        """A NumPy copy of a tensor's values."""
        if self.name == TORCH:
            return tensor.detach().numpy().copy()
        return np.array(tensor.numpy(), copy=True)


_tinygrad_cache: list[Any] = []


def load_tinygrad() -> Any:
    """Import tinygrad_fr once; re-raises the import error on every call if it failed."""
    if not _tinygrad_cache:
        try:
            import tinygrad_fr

            _tinygrad_cache.append(tinygrad_fr)
        except Exception as error:  # a half-written core may fail in any way while importing
            _tinygrad_cache.append(error)
    if isinstance(_tinygrad_cache[0], BaseException):
        raise _tinygrad_cache[0]
    return _tinygrad_cache[0]


def tinygrad_status() -> str | None:
    """None when tinygrad_fr imports, else why it does not."""
    try:
        load_tinygrad()
    except Exception as error:  # reported in the header, not hidden
        return describe_error(error)
    return None


def load_baseline(path: str) -> Any:
    """The tinygrad_fr package of another checkout (its root, or the package folder), imported
    as ``tinygrad_fr_baseline`` beside this one: both are then timed in the same process."""
    folder = Path(path).resolve()
    if (folder / "tinygrad_fr" / "__init__.py").is_file():
        folder = folder / "tinygrad_fr"
    if not (folder / "__init__.py").is_file():
        raise SystemExit(f"--baseline: no tinygrad_fr package in {path}")
    name = "tinygrad_fr_baseline"
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def frameworks(config: Config) -> tuple[list[Framework], dict[str, str]]:
    """The frameworks to time, and the reason for each one that cannot be."""
    available, missing = [], {}
    status = tinygrad_status()
    if status is None:
        available.append(Framework(TINYGRAD, load_tinygrad()))
    else:
        missing[TINYGRAD] = status
    if config.baseline is not None:
        available.append(Framework(BASELINE, config.baseline))
    if config.torch is not None:
        available.append(Framework(TORCH, config.torch))
    return available, missing
