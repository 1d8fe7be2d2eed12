"""Tools to test differentiable code: gradient checks and Hypothesis strategies.

``gradcheck`` and ``gradgradcheck`` need only NumPy; ``tinygrad_fr.testing.strategies``
imports Hypothesis, on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "strategies"]


def __getattr__(name: str) -> Any:
    if name == "strategies":
        return importlib.import_module(".strategies", __name__)
    raise AttributeError(f"module 'tinygrad_fr.testing' has no attribute {name!r}")
