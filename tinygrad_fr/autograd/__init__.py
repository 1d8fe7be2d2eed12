"""Reverse-mode automatic differentiation: graph nodes, the backward walk, grad modes, hooks.

``function.py`` records (one node type, one apply path), ``engine.py`` walks, ``hooks.py``
holds backward hooks, ``inplace.py`` rebases histories, ``grad_mode.py`` keeps the per-thread
switches, ``observer.py`` is the extension point for tools built on top (capture, traces).
"""

from __future__ import annotations

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

__all__ = [
    "Function", "Primitive", "backward", "detect_anomaly", "enable_grad", "grad",
    "inference_mode", "is_anomaly_enabled", "is_grad_enabled", "no_grad",
    "set_detect_anomaly", "set_grad_enabled", "topological_order",
]  # fmt: skip
