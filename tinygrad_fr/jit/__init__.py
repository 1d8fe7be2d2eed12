"""Capture a training step as generated NumPy code: ``tg.jit.capture``.

``capture(fn)`` records the first two calls of ``fn`` (forward, backward, gradient
accumulation, optimizer update, ``zero_grad``), then generates one straight-line Python
function over NumPy arrays that does the same, with the same NumPy calls (so the same
results), and runs it as long as its guards hold: the same parameters, modules, modes, input
shapes... Otherwise it records again. ``step.code`` shows the generated source.

Files: ``recording`` (the observer that records a call), ``compare`` (two recordings must
agree), ``reach`` and ``watch`` (what the step can reach, and the guard checks on it),
``guards`` (compiling the checks), ``program`` and ``backward`` (recording -> code),
``templates/`` (NumPy statements per op), ``optimizers`` (zero_grad, SGD, other calls),
``codegen`` (values, constant folding, source text), ``capture`` (the captured function).
"""

from __future__ import annotations

from .capture import CapturedFunction, CaptureWarning, capture
from .recording import CaptureError

__all__ = ["CaptureError", "CaptureWarning", "CapturedFunction", "capture"]
