"""Shared traces for the tg.viz tests: the course's Alice network, traced once per test."""

from __future__ import annotations

import pytest

from tinygrad_fr.labs import alice as alice_lab


@pytest.fixture
def alice() -> alice_lab.Alice:
    """Alice through the 2-2-1 network (all weights 1, biases 0), forward and backward."""
    return alice_lab.traced()
