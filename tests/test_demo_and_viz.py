"""The demo (python -m tinygrad_fr) prints the course's numbers and writes its pictures;
tg.viz.draw_graph draws a live graph right."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

import tinygrad_fr as tg
from tinygrad_fr.__main__ import main


def test_demo_prints_the_course_numbers(tmp_path, capsys):
    assert main(["--epochs", "20", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for number in ("0.9990889488055994", "0.7216325609518421", "0.5", "0.0215", "0.0214"):
        assert number in out
    assert "Epoch 0 loss:" in out and "Emily:" in out and "Frank:" in out
    assert "dL/dw1 = dL/dypred × dypred/dh1 × dh1/dw1 = -0.9526 × 0.2494 × -0.09035" in out
    assert any(tmp_path.glob("alice_graph.*"))
    for name in ("alice_explain.fr.txt", "alice_backward.html"):
        assert (tmp_path / name).is_file() and str(tmp_path / name) in out


def test_demo_runs_as_a_module(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "tinygrad_fr", "--epochs", "10", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "0.9990889488055994" in done.stdout


def _neuron():
    w = tg.Tensor([0.0, 1.0], dtype=tg.float64, requires_grad=True)
    b = tg.Tensor(4.0, dtype=tg.float64, requires_grad=True)
    w.name = "w"
    hidden = w @ tg.Tensor([2.0, 3.0], dtype=tg.float64) + b
    hidden.retain_grad()
    y = hidden.sigmoid()
    y.backward(retain_graph=True)
    return w, b, y, hidden


def test_graph_shows_ops_leaves_values_and_gradients():
    _, b, y, _hidden = _neuron()  # _hidden kept alive: the graph holds it weakly
    source = tg.viz.draw_graph(y, params={"bias": b}).source
    assert "Sigmoid" in source and "MatMul" in source and "Add" in source
    assert "w (2,)" in source and "bias ()" in source  # a tensor's name, then params' names
    assert "value [0., 1.]" in source
    assert "grad [0.0018, 0.0027]" in source  # the leaf's gradient
    assert "value 0.9991" in source  # the sigmoid's saved output
    assert source.count("grad ") == 3  # w, b, and the retained hidden sum


def test_graph_summarises_large_arrays():
    x = tg.randn(100, requires_grad=True)
    source = tg.viz.draw_graph((x * 2).sum()).source
    assert "shape (100,), mean" in source


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_save_graph_renders_svg(tmp_path):
    _, _, y, _ = _neuron()
    path = tg.viz.save_graph(y, str(tmp_path / "graph.svg"))
    assert path.endswith(".svg") and "<svg" in open(path, encoding="utf-8").read()


def test_save_graph_without_dot_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    _, _, y, _ = _neuron()
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        tg.viz.save_graph(y, str(tmp_path / "graph.svg"))
