"""The compatibility corpus: PyTorch-style scripts run unmodified with tinygrad_fr as torch.

Each script in ``scripts/`` is valid PyTorch code. It runs with every ``torch`` import
resolved to tinygrad_fr; when torch is installed it runs again with torch, and the two outputs
must match word for word and number for number (within the script's TOLERANCE). Scripts that
declare ``NEEDS`` (Tensor-side features of another branch) are expected to fail until those
features exist, and run for real as soon as they do.
"""

from __future__ import annotations

import importlib.util

import pytest
from compat_harness import SCRIPTS, compare, declared, missing_features, numbers, run

PATHS = sorted(SCRIPTS.glob("*.py"))
HAVE_TORCH = importlib.util.find_spec("torch") is not None


def _waiting(path):
    absent = missing_features(declared(path).needs)
    if absent:
        return pytest.mark.xfail(reason=f"needs the Tensor side: {', '.join(absent)}", strict=False)
    return []


CASES = [pytest.param(path, id=path.stem, marks=_waiting(path)) for path in PATHS]


def test_the_corpus_has_its_scripts():
    assert len(PATHS) >= 15


@pytest.mark.parametrize("path", CASES)
def test_script_runs_with_tinygrad_as_torch(path):
    output = run(path)
    assert numbers(output), f"{path.name} printed no numbers"


@pytest.mark.skipif(not HAVE_TORCH, reason="torch is not installed")
@pytest.mark.parametrize("path", CASES)
def test_script_prints_pytorchs_numbers(path):
    declaration = declared(path)
    theirs = run(path, with_torch=True)
    compare(run(path), theirs, declaration.tolerance, declaration.abs_tolerance)
