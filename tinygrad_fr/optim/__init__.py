"""Optimizers that update parameters from their gradients, and learning-rate schedulers.

``tg.optim.SGD(model.parameters(), lr=0.1)``; call ``zero_grad()``, ``backward()``, ``step()``
each iteration. Schedulers live in :mod:`tinygrad_fr.optim.lr_scheduler`.
"""

from __future__ import annotations

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
