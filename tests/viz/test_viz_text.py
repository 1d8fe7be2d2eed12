"""tr.to_text: an ASCII tree of the trace for a terminal, without Graphviz."""

from __future__ import annotations

import tinygrad_fr as tg


def test_tree_starts_at_the_output_and_shows_values_and_gradients(alice):
    lines = alice.trace.to_text().splitlines()
    assert lines[0] == "L () = 0.2269  grad 1  <- MSELoss"
    assert lines[1] == "|-- 3.out (1,) = 0.5237  grad -0.9526  <- Sigmoid [3]"
    assert any(
        line.endswith(
            "0.weight (2, 2) = [[1, 1], [1, 1]]  grad [[0.02147, 0.01073], "
            "[0.02147, 0.01073]]  (parameter)"
        )
        for line in lines
    )
    assert lines[-1] == "`-- input_2 (1,) = 1  (input)"
    structure = "".join(line.split(" ", 1)[0] for line in lines)
    assert structure.isascii()


def test_a_shared_input_is_expanded_once():
    w = tg.Tensor(2.0, requires_grad=True)
    w.name = "w"
    with tg.viz.trace() as tr:
        h = w * w
        (h + h.exp()).backward()
    text = tr.to_text()
    assert text.count("(see above)") == 1 and text.count("w () = 2") == 2


def test_a_deep_graph_prints_without_recursion_and_stops_at_max_lines():
    w = tg.Tensor(1.0, requires_grad=True)
    with tg.viz.trace() as tr:
        h = w
        for _ in range(3000):
            h = h * 1.0
        h.backward()
    lines = tr.to_text(max_lines=50).splitlines()
    assert len(lines) == 51 and lines[-1].startswith("... (more lines")


def test_nan_is_flagged_in_the_tree():
    w = tg.Tensor([1.0], requires_grad=True)
    with tg.viz.trace() as tr:
        (w * float("nan")).sum().backward()
    assert "!! NaN in value" in tr.to_text()
