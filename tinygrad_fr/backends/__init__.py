"""``tg.backends``: the flags scripts set on PyTorch's backends, with no backend behind them.

``tg.backends.mps.is_available()`` is False; ``tg.backends.cudnn.deterministic = True``
and ``benchmark = False`` (common in seeding code) are accepted and change nothing.
"""

from __future__ import annotations

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
