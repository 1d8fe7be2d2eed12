"""The library's random number generator: one seed makes every random choice repeatable.

Initialisation, dropout, ``rand``/``randn`` and DataLoader shuffling all draw from
:func:`generator`; :func:`manual_seed` resets it.
"""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random choice tinygrad_fr makes (as torch.manual_seed does).

    >>> import tinygrad_fr as tg
    >>> _ = tg.manual_seed(0); a = tg.rand(2)
    >>> _ = tg.manual_seed(0); bool((a == tg.rand(2)).all())
    True
    """
    global _generator
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: the seed must be a non-negative int, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The generator every random function of the library draws from."""
    return _generator
