"""tr.draw: the DOT text names every tensor with its shape, value and gradient, labels each
edge with upstream × local = contribution, clusters modules, flags NaN, colours small
gradients, stays deterministic, and stays fast for big graphs; tr.save renders it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.labs import alice as alice_lab
from tinygrad_fr.viz import draw, render

SNAPSHOT = Path(__file__).parent / "snapshots" / "alice.dot"


@pytest.fixture
def dot(missing):
    """Graphviz's dot, which these tests need (CI installs it)."""
    if shutil.which("dot") is None:
        missing("Graphviz's dot", "Debian: apt-get install graphviz")


def nodes(source: str) -> list[str]:
    """The names of the nodes the DOT text defines (edges and attributes left out)."""
    found = re.findall(r"^\t+(\w+) \[", source, flags=re.MULTILINE)
    return [name for name in found if name not in ("graph", "node", "edge")]


def test_dot_shows_names_shapes_values_gradients_and_norms(alice):
    source = alice.trace.draw().source
    assert (
        "0.weight (2, 2)\nvalue [[1, 1], [1, 1]]\ngrad [[0.02147, 0.01073], [0.02147, 0.01073]]"
        in (source)
    )
    assert "|g| 0.03395" in source  # the gradient's norm
    assert "input_1 (2,)\nvalue [-2, -1]" in source  # Alice, as data (no gradient)
    assert "L ()\nvalue 0.2269\ngrad 1" in source


def test_dot_labels_each_edge_upstream_times_local_equals_contribution(alice):
    source = alice.trace.draw().source
    assert 'op2 -> op3 [label="-0.9526 × 0.2494 = -0.2376"]' in source  # through σ'
    assert "-0.01073, -0.01073] × [-2, -1] = [[0.02147, 0.01073], [0.02147, 0.01073]]" in source
    assert "σ'(z) = σ(z)(1 − σ(z))" in source  # the op's local derivative
    plain = alice.trace.draw(show_chain_rule=False).source
    assert "×" not in plain and "σ'" not in plain


def test_dot_has_a_labelled_cluster_per_module(alice):
    source = alice.trace.draw().source
    clusters = re.findall(r'subgraph cluster_\d+ \{\s*[^\n]*label=("[^"]*"|\w+)', source)
    assert [label.strip('"') for label in clusters] == [
        "Sequential",
        "0 (Linear)",
        "1 (Sigmoid)",
        "2 (Linear)",
        "3 (Sigmoid)",
    ]
    inner = source[source.index("0 (Linear)") : source.index("1 (Sigmoid)")]
    assert "0.weight (2, 2)" in inner and "Linear\n" in inner  # the op and its parameters


def test_depth_collapses_deeper_modules_into_one_box_each(alice):
    source = alice.trace.draw(depth=1).source
    assert source.count("shape=box3d") == 4 and "0.weight" not in source
    assert "0 (Linear)\n1 ops, 2 parameters" in source
    whole = alice.trace.draw(depth=0).source
    assert whole.count("shape=box3d") == 1 and "model (Sequential)\n4 ops, 4 parameters" in whole


def test_dot_is_deterministic_and_matches_the_snapshot(alice):
    source = alice.trace.draw().source
    assert source == alice_lab.traced().trace.draw().source
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(source, encoding="utf-8")
    assert source == SNAPSHOT.read_text(encoding="utf-8"), (
        "the drawing changed; if on purpose, rerun with UPDATE_SNAPSHOTS=1"
    )


def test_nan_and_inf_are_flagged():
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    with tg.viz.trace() as tr:
        (w * tg.Tensor([float("nan"), 1.0])).sum().backward()
    source = tr.draw().source
    assert "!! NaN in value" in source and "!! NaN in grad" in source
    assert 'color="#cc0000"' in source and "penwidth=3" in source


def test_gradient_magnitude_sets_the_colour():
    assert draw.colour(np.array([0.5])) == "#c9e7c4"
    assert draw.colour(np.array([1e-3])) == "#fff2b3"
    assert draw.colour(np.array([1e-5])) == "#fdd6a8"
    assert draw.colour(np.array([1e-9])) == draw.colour(np.zeros(2)) == "#f6b6b6"
    assert draw.colour(None) == "#ffffff" and draw.colour(np.array([np.inf])) == "#ff6666"
    w = tg.Tensor([1.0], requires_grad=True)
    with tg.viz.trace() as tr:
        (w * 1e-9).sum().backward()
    assert 'fillcolor="#f6b6b6"' in tr.draw().source  # w's vanishing gradient stands out


@pytest.fixture(scope="module")
def big_trace() -> tg.viz.Trace:
    """25 001 boxes: 12 500 products, each by a leaf of its own, and the input."""
    weights = [tg.Tensor([1.0001], requires_grad=True) for _ in range(12_500)]
    with tg.viz.trace() as tr:
        h = tg.Tensor([1.0], requires_grad=True)
        for weight in weights:
            h = h * weight
        h.sum().backward()
    return tr


def test_a_25000_node_graph_is_summarised_to_max_nodes(big_trace):
    # its drawing time is measured, not asserted: python -m benchmarks.viz
    boxes = len(big_trace.ops) + sum(t.producer is None for t in big_trace.tensors)
    assert boxes > 25_000
    source = big_trace.draw().source
    assert len(nodes(source)) == 1500
    assert "more ops\nMul × " in source and "showing the 1499 nearest the output" in source


def test_max_nodes_collapses_by_module_first():
    model = nn.Sequential(*[nn.Sequential(nn.Linear(2, 2), nn.Tanh()) for _ in range(20)])
    with tg.viz.trace(model) as tr:
        model(tg.ones(2)).sum().backward()
    source = tr.draw(max_nodes=30).source
    assert "modules collapsed at depth 1 (max_nodes=30)" in source
    assert source.count("shape=box3d") == 20 and "more ops" not in source


@pytest.mark.parametrize(
    "extension, magic", [(".svg", b"<svg"), (".png", b"\x89PNG"), (".pdf", b"%PDF")]
)
def test_save_renders_with_dot(dot, alice, tmp_path, extension, magic):
    path = alice.trace.save(tmp_path / f"alice{extension}")
    assert magic in Path(path).read_bytes()[:400]
    assert not (tmp_path / "alice.dot").exists()  # the DOT text was only a step


def test_save_writes_dot_text_and_html_without_graphviz(alice, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert (
        Path(alice.trace.save(tmp_path / "g.dot")).read_text(encoding="utf-8").startswith("digraph")
    )
    assert "<!DOCTYPE html>" in Path(alice.trace.save(tmp_path / "p.html")).read_text("utf-8")


def test_save_without_dot_says_how_to_install_it_and_keeps_the_dot_text(
    alice, tmp_path, monkeypatch
):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"apt-get install graphviz.*alice\.dot"):
        alice.trace.save(tmp_path / "alice.svg")
    assert (tmp_path / "alice.dot").read_text(encoding="utf-8").startswith("digraph")


def test_save_gives_up_after_the_timeout(alice, tmp_path, monkeypatch):
    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(render.subprocess, "run", slow)
    with pytest.raises(RuntimeError, match=r"more than 0\.5 s.*depth=1"):
        alice.trace.save(tmp_path / "alice.svg", timeout=0.5)


def test_save_refuses_an_unknown_extension(alice, tmp_path):
    with pytest.raises(ValueError, match=r"unknown extension '\.jpg'.*\.svg, \.png"):
        alice.trace.save(tmp_path / "alice.jpg")


def test_notebooks_show_the_drawing_as_svg(dot, alice):
    assert "<svg" in alice.trace.draw()._repr_image_svg_xml()
