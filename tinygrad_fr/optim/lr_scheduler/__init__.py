"""Learning-rate schedulers: change each param group's ``lr`` once per ``step()``.

Same arithmetic as PyTorch, so schedules match PyTorch's values: epoch-driven ones in
:mod:`.epochs` (call ``scheduler.step()`` after ``optimizer.step()``, once per epoch),
:class:`ReduceLROnPlateau` driven by a metric, :class:`OneCycleLR` stepped per batch.
"""

from __future__ import annotations

from .base import LRScheduler
from .epochs import CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, StepLR
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau

__all__ = [
    "CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LambdaLR", "MultiStepLR",
    "OneCycleLR", "ReduceLROnPlateau", "StepLR",
]  # fmt: skip
