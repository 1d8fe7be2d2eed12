"""Shared traces for the tg.viz tests: the course's Alice network, traced once per test."""

from __future__ import annotations

import os

import pytest

from tinygrad_fr.labs import alice as alice_lab


@pytest.fixture
def alice() -> alice_lab.Alice:
    """Alice through the 2-2-1 network (all weights 1, biases 0), forward and backward."""
    return alice_lab.traced()


@pytest.fixture(scope="session")
def missing():
    """``missing(tool, hint)``: see :func:`skip_or_fail`."""
    return skip_or_fail


def skip_or_fail(tool: str, hint: str) -> None:
    """Skip a test that needs ``tool`` (with the reason and how to install it), or fail it
    when ``TINYGRAD_FR_CI=1`` says every tool must be there (CI installs them all)."""
    message = f"{tool} is not installed ({hint})"
    if os.environ.get("TINYGRAD_FR_CI") == "1":
        pytest.fail(f"{message}, and TINYGRAD_FR_CI=1 requires it")
    pytest.skip(message)
