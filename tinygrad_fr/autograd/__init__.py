"""Reverse-mode automatic differentiation: graph nodes, the backward walk, grad modes, hooks.

``function.py`` records (one node type, one apply path), ``engine.py`` walks, ``hooks.py``
holds backward hooks, ``inplace.py`` rebases histories, ``grad_mode.py`` keeps the per-thread
switches, ``observer.py`` is the extension point for tools built on top (capture, traces).
``functional.py`` (loaded on first use) has jacobian, hessian, vjp, jvp, vhp and hvp;
``variable.py`` PyTorch's deprecated ``Variable``.
"""

from __future__ import annotations

import importlib
from typing import Any

from .engine import backward, grad, topological_order
from .function import Function, Primitive
from .grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
)  # fmt: skip
from .variable import Variable

__all__ = [
    "Function", "Primitive", "Variable", "backward", "detect_anomaly", "enable_grad", "functional",
    "grad", "inference_mode", "is_anomaly_enabled", "is_grad_enabled", "no_grad",
    "set_detect_anomaly", "set_grad_enabled", "topological_order",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name == "functional":  # loaded on first use: it needs the whole library
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'tinygrad_fr.autograd' has no attribute {name!r}")
