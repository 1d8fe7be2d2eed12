"""``tg.backends.mps``: Apple's GPU backend, not available (tinygrad_fr uses NumPy)."""

from __future__ import annotations


def is_available() -> bool:
    """False: tinygrad_fr computes on the CPU with NumPy."""
    return False


def is_built() -> bool:
    """False: no MPS support is built in."""
    return False
