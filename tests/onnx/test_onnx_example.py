"""examples/lab8_embarque.py in fast mode: it writes both files and prints one row per run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
pytest.importorskip("sklearn")

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "lab8_embarque.py"
ROWS = (
    "tinygrad_fr float32", "tinygrad_fr int8 (NumPy)", "ONNX Runtime float32",
    "ONNX Runtime int8", "lecteur NumPy float32", "lecteur NumPy int8",
)  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab8")
    env = {**os.environ, "TINYGRAD_FR_FAST": "1"}
    result = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", str(SCRIPT), "--out", str(folder)],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout, folder


def test_both_files_are_written(run):
    _, folder = run
    assert sorted(p.name for p in folder.iterdir()) == [
        "chiffres_float32.onnx", "chiffres_int8.onnx",
    ]  # fmt: skip


def test_int8_file_is_at_least_three_times_smaller(run):
    ratio = float(re.search(r"int8 est (\d+\.\d+) fois plus petit", run[0]).group(1))
    assert ratio >= 3


@pytest.mark.parametrize("row", ROWS)
def test_each_run_prints_accuracy_agreement_and_timings(run, row):
    line = next(line for line in run[0].splitlines() if line.startswith(row + " "))
    accuracy, agreement, batch_ms, one_ms = (
        float(v) for v in re.findall(r"(\d+\.\d+) (?:%|ms)", line)
    )
    assert accuracy > 80 and agreement >= 99 and batch_ms > 0 and one_ms > 0
