"""Reverse-mode automatic differentiation: graph nodes, the backward walk, grad modes."""

from __future__ import annotations

from .engine import backward, grad
from .function import Function, Primitive
from .grad_mode import (
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)  # fmt: skip

__all__ = [
    "Function", "Primitive", "backward", "detect_anomaly", "enable_grad", "grad",
    "is_anomaly_enabled", "is_grad_enabled", "no_grad", "set_grad_enabled",
]  # fmt: skip
