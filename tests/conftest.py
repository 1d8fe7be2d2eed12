"""Test settings: Hypothesis profiles and a fresh library RNG and default dtype per test."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import tinygrad_fr as tg

# "fast" keeps the whole suite well under a few minutes; "thorough" runs many more examples.
settings.register_profile(
    "fast", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))

# The compatibility corpus: PyTorch programs that compat/test_corpus.py runs, not test modules.
collect_ignore_glob = ["compat/scripts/*"]


@pytest.fixture(autouse=True)
def _isolate_global_state():
    """Each test starts with seed 0, float32 default dtype, grad on, anomaly detection off."""
    tg.manual_seed(0)
    tg.set_default_dtype(tg.float32)
    yield
    tg.set_default_dtype(tg.float32)
    assert tg.is_grad_enabled(), "a test left gradient recording disabled"
    assert not tg.is_anomaly_enabled(), "a test left anomaly detection on"
