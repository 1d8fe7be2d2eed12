"""The course labs in examples/: each runs in fast mode and prints the course's numbers.

Every script runs in a subprocess from an empty folder, with TINYGRAD_FR_FAST=1 and
TINYGRAD_FR_DATA pointing at an empty folder, so MNIST is never found nor downloaded.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FALLBACK = "MNIST not found, using scikit-learn's offline 8x8 digits instead"
TINY = 1e-12  # autograd against the course's hand-written backprop, in float64


class Run(NamedTuple):
    output: str  # stdout then stderr
    workdir: Path


@pytest.fixture(scope="module")
def run_lab(tmp_path_factory):
    """Run ``examples/<name>.py`` (once per set of arguments) and check its exit status."""
    cache: dict[tuple, Run] = {}

    def run(
        name: str, *args: str, fast_env: bool = True, python_path: str = "", status: int = 0
    ) -> Run:
        key = (name, args, fast_env, python_path)
        if key not in cache:
            workdir = tmp_path_factory.mktemp(name)
            data_home = tmp_path_factory.mktemp("empty_data")
            env = {**os.environ, "TINYGRAD_FR_DATA": str(data_home)}
            env.pop("TINYGRAD_FR_FAST", None)
            if fast_env:
                env["TINYGRAD_FR_FAST"] = "1"
            if python_path:
                env["PYTHONPATH"] = os.pathsep.join(
                    filter(None, [python_path, env.get("PYTHONPATH")])
                )
            script = str(EXAMPLES / f"{name}.py")
            result = subprocess.run(
                [sys.executable, "-W", "error::RuntimeWarning", script, *args],
                cwd=workdir, env=env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            output = result.stdout + result.stderr
            assert result.returncode == status, output
            assert list(data_home.iterdir()) == [], "a lab wrote into the data folder"
            cache[key] = Run(output, workdir)
        return cache[key]

    return run


def numbers_after(label: str, text: str) -> list[float]:
    """Every number printed right after ``label`` (regex) in ``text``."""
    return [float(value) for value in re.findall(label + r"\s*(-?\d+\.\d+(?:e[-+]?\d+)?)", text)]


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_lab1_prints_the_course_values_to_the_last_digit(run_lab):
    lines = run_lab("lab1_neurone").output.splitlines()
    assert "0.9990889488055994" in lines
    assert lines.count("0.7216325609518421") == 2  # the course's classes and nn.Sequential
    assert "0.5" in lines


def test_lab2_prints_autograd_00215_beside_the_course_00214(run_lab):
    out = run_lab("lab2_derivee_alice").output
    assert "arrondi à 4 décimales = 0.0215" in out
    assert "-0.952 * 0.249 * -0.0904 = 0.0214" in out
    assert "Pourquoi 0.0215 et non 0.0214" in out
    h1 = sigmoid(-3)
    y_pred = sigmoid(2 * h1)
    d_l_d_ypred = -2 * (1 - y_pred)
    d_ypred_d_h1 = y_pred * (1 - y_pred)  # w5 = 1
    d_h1_d_w1 = -2 * h1 * (1 - h1)  # x1 = -2
    expected = {
        r"dL/dypred\s+=": d_l_d_ypred,
        r"dypred/dh1\s+=": d_ypred_d_h1,
        r"(?m)^  dh1/dw1\s+=": d_h1_d_w1,  # the first lines, not the chain rule of the table
        r"hidden\.weight\.grad\[0, 0\]\) =": d_l_d_ypred * d_ypred_d_h1 * d_h1_d_w1,
    }
    for label, value in expected.items():
        assert numbers_after(label, out) == [pytest.approx(value, rel=1e-12)], label


def test_lab3_prints_the_loss_every_10_epochs_and_matches_the_course_code(run_lab):
    run = run_lab("lab3_genre_sgd")
    losses = re.findall(r"^Epoch (\d+) loss: \d\.\d{3}$", run.output, re.MULTILINE)
    assert losses == [str(epoch) for epoch in range(0, 100, 10)]
    assert re.search(r"^Emily: \d\.\d{3}$", run.output, re.MULTILINE)
    assert re.search(r"^Frank: \d\.\d{3}$", run.output, re.MULTILINE)
    assert "mêmes lignes 'Epoch ... loss' : oui" in run.output
    gaps = numbers_after(r"max \|écart\| des (?:prédictions|poids et biais) =", run.output)
    assert len(gaps) == 2 and max(gaps) < TINY
    plotted = (run.workdir / "loss_curve.png").is_file()
    assert plotted or 'pip install "tinygrad_fr[plot]"' in run.output


def test_lab3_fast_flag_works_without_the_environment_variable(run_lab):
    out = run_lab("lab3_genre_sgd", "--fast", fast_env=False).output
    assert "Epoch 90 loss:" in out and "Epoch 100 loss:" not in out


def test_lab4_prints_the_course_error_lines_and_matches_the_course_layers(run_lab):
    out = run_lab("lab4_xor").output
    assert re.search(r"^epoch 1/100   error=\d\.\d{6}$", out, re.MULTILINE)
    assert re.search(r"^epoch 100/100   error=\d\.\d{6}$", out, re.MULTILINE)
    assert (
        len(re.findall(r"^  \[[01], [01]\] -> -?\d\.\d{6}  \(cible [01]\)$", out, re.MULTILINE))
        == 4
    )
    assert "mêmes 100 lignes 'epoch ... error' : oui" in out
    assert numbers_after(r"max \|écart\| des prédictions =", out)[0] < TINY


def test_lab5_falls_back_to_the_digits_and_prints_the_accuracy(run_lab):
    pytest.importorskip("sklearn")
    run = run_lab("lab5_mnist")
    assert FALLBACK in run.output
    assert re.search(r"^Epoch : 0, Précision : \d+(\.\d+)?%$", run.output, re.MULTILINE)
    assert re.search(r"le réseau de neurones a reconnu le chiffre \d", run.output)
    # Same update as the course once its delta_h uses w_h_o from before the update.
    assert numbers_after(r"avant la mise à jour de w_h_o =", run.output)[0] < TINY
    saved = (run.workdir / "chiffre_0.png").is_file()
    assert saved or 'pip install "tinygrad_fr[plot]"' in run.output


def test_lab6_falls_back_to_the_digits_and_prints_each_epoch(run_lab):
    pytest.importorskip("sklearn")
    out = run_lab("lab6_reseau").output
    assert FALLBACK in out
    assert re.search(r"^Époque 0: \d+ / 300$", out, re.MULTILINE)


def test_lab6_without_test_data_prints_epoch_complete(run_lab):
    pytest.importorskip("sklearn")
    assert "Époque 0 complete" in run_lab("lab6_reseau", "--no-test").output


@pytest.fixture(scope="module")
def tiny_mnist(tmp_path_factory) -> Path:
    """A fake MNIST folder: 1,200 training and 300 test random 28x28 images."""
    from tinygrad_fr.datasets import write_idx

    folder = tmp_path_factory.mktemp("mnist")
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 1200), ("t10k", 300)):
        write_idx(
            folder / f"{prefix}-images-idx3-ubyte",
            rng.integers(0, 256, (count, 28, 28), dtype=np.uint8),
        )
        write_idx(
            folder / f"{prefix}-labels-idx1-ubyte", rng.integers(0, 10, count, dtype=np.uint8)
        )
    return folder


@pytest.mark.parametrize(
    "lab, line", [("lab5_mnist", r"^Epoch : 0, "), ("lab6_reseau", r"^Époque 0: \d+ / 300$")]
)
def test_labs_5_and_6_use_mnist_when_it_is_there(run_lab, tiny_mnist, lab, line):
    out = run_lab(lab, "--mnist-path", str(tiny_mnist)).output
    assert FALLBACK not in out
    assert out.startswith("MNIST : ")
    assert re.search(line, out, re.MULTILINE)


def test_lab6_without_mnist_nor_sklearn_exits_2_with_a_fix(run_lab, tmp_path_factory):
    blocker = tmp_path_factory.mktemp("no_sklearn")
    (blocker / "sklearn").mkdir()
    (blocker / "sklearn" / "__init__.py").write_text("raise ImportError('hidden for the test')\n")
    out = run_lab("lab6_reseau", python_path=str(blocker), status=2).output
    assert FALLBACK in out and "pip install scikit-learn" in out


def closed_form_descent(gradient, start: list[float], eta: float = 0.1) -> list[list[float]]:
    """The starting point and 3 iterates of v -> v - eta * gradient(v)."""
    points = [start]
    for _ in range(3):
        v = points[-1]
        points.append([a - eta * g for a, g in zip(v, gradient(*v))])
    return points


def test_lab7_perceptron_computes_nand_and_descent_matches_the_closed_forms(run_lab):
    out = run_lab("lab7_nand_descente").output
    assert "Le perceptron calcule NAND : oui" in out
    expected = [
        *closed_form_descent(lambda x: [4 * x**3 - 3 * x**2], [1.0]),
        *closed_form_descent(lambda v1, v2: [-3 * v1**2, 2 * v2], [1.0, 1.0]),
        *closed_form_descent(lambda v1, v2: [2 * v1 * v2**2, 2 * v1**2 * v2], [1.0, 2.0]),
    ]
    printed = re.findall(r"étape (\d) : [xv] = \(?(-?[\d.]+)(?:, (-?[\d.]+))?\)?", out)
    assert [int(step) for step, _, _ in printed] == [0, 1, 2, 3] * 3
    for (_, first, second), point in zip(printed, expected, strict=True):
        values = [float(first)] + ([float(second)] if second else [])
        assert values == pytest.approx(point, abs=1e-6)
    assert numbers_after("écart max =", out)[0] < TINY
