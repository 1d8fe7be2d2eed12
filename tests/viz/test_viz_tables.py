"""tr.explain and tg.viz.explain: one row per backward node with the course's formulas and the
numbers; every contribution is upstream × local; the chain rule line gives dL/dw1 for Alice."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.labs import alice as alice_lab
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias
from tinygrad_fr.viz import formulas

SIGMOID = "σ'(z) = σ(z)(1 − σ(z))"


def sigmoid(x: float) -> float:
    return 1 / (1 + np.exp(-x))


H1 = sigmoid(-3.0)
Y_PRED = sigmoid(2 * H1)
D_L_D_YPRED = -2 * (1 - Y_PRED)  # the course's factors, exactly
D_YPRED_D_H1 = Y_PRED * (1 - Y_PRED)
D_H1_D_W1 = -2 * H1 * (1 - H1)


def course_table(alice, lang="en"):
    return alice.trace.explain(
        alice.model[0].weight, (0, 0), lang=lang, names=alice_lab.COURSE_NAMES
    )


def test_rows_follow_backward_order_with_the_course_formulas(alice):
    rows = course_table(alice).rows
    assert [row.op for row in rows] == ["MSELoss", "Sigmoid", "Linear", "Sigmoid", "Linear"]
    assert rows[1].formula == SIGMOID
    assert rows[1].upstream == pytest.approx([D_L_D_YPRED], rel=1e-14)
    edge = rows[1].edges[0]
    assert (edge.input, edge.formula) == ("2.out", SIGMOID)
    assert edge.local == pytest.approx([D_YPRED_D_H1], rel=1e-14)
    assert edge.contribution == pytest.approx([D_L_D_YPRED * D_YPRED_D_H1], rel=1e-14)


def test_matmul_like_edges_show_the_other_operand_as_local(alice):
    linear = course_table(alice).rows[4]  # the hidden layer, the last node to run
    inputs = {edge.input: edge for edge in linear.edges}
    assert list(inputs) == ["0.weight", "0.bias"]  # x needs no gradient
    np.testing.assert_array_equal(inputs["0.weight"].local, [-2.0, -1.0])  # x, Alice
    assert inputs["0.bias"].local == 1.0
    output_layer = {edge.input: edge for edge in course_table(alice).rows[2].edges}
    np.testing.assert_array_equal(output_layer["1.out"].local, [[1.0, 1.0]])  # W, for h


def test_chain_rule_line_for_alice_is_the_course_computation(alice):
    chain = course_table(alice).chain
    assert chain.text() == (
        "dL/dw1 = dL/dypred × dypred/dh1 × dh1/dw1 = -0.9526 × 0.2494 × -0.09035 = 0.02147"
    )
    (term,) = chain.terms
    assert [f.value for f in term] == pytest.approx(
        [D_L_D_YPRED, D_YPRED_D_H1, D_H1_D_W1], rel=1e-14
    )
    assert chain.value == pytest.approx(alice.model[0].weight.grad[0, 0].item(), rel=1e-14)
    assert round(chain.value, 4) == 0.0215  # the course's rounded factors give 0.0214


def test_chain_rule_sums_over_paths():
    model = alice_lab.network()
    x = tg.Tensor([-2.0, -1.0], dtype=tg.float64, requires_grad=True)
    x.name = "x"
    with tg.viz.trace(model) as tr:
        F.mse_loss(model(x), tg.Tensor([1.0], dtype=tg.float64)).backward()
    chain = tr.explain(x, 0, names=alice_lab.COURSE_NAMES).chain
    assert chain.paths == 2  # through h1 and through h2
    assert "dL/dypred × dypred/dh1 × dh1/dx[0] + dL/dypred × dypred/dh2 × dh2/dx[0]" in (
        chain.text()
    )
    assert chain.value == pytest.approx(x.grad[0].item(), rel=1e-13)


def test_french_table_and_its_markdown_and_html(alice):
    table = course_table(alice, "fr")
    text = str(table)
    assert "règle de la chaîne : dL/dw1 = dL/dypred × dypred/dh1 × dh1/dw1" in text
    assert "dérivée locale" in text and "gradient reçu" in text
    markdown = table.to_markdown()
    assert "| étape | op | gradient reçu |" in markdown and markdown.count("\n|") >= 9
    html = table._repr_html_()
    assert html.count("<tr>") == 1 + 8 and "<table>" in html and "σ'(z)" in html


def test_explain_prints_at_least_3_significant_digits(alice):
    line = str(course_table(alice)).splitlines()[-1]
    numbers = re.findall(r"-?\d\.\d+", line.split(" = ", 2)[2])
    assert all(len(n.lstrip("-0.")) >= 3 for n in numbers)


def test_explain_rejects_a_bad_language_or_missing_index(alice):
    with pytest.raises(ValueError, match="lang must be 'en' or 'fr'"):
        alice.trace.explain(lang="de")
    with pytest.raises(ValueError, match="pass index="):
        alice.trace.explain(alice.model[0].weight)
    with pytest.raises(IndexError, match="does not pick one element"):
        alice.trace.explain(alice.model[0].weight, (5, 0))


def test_explain_without_a_backward_says_to_call_it():
    with tg.viz.trace() as tr:
        (tg.ones(2, requires_grad=True) * 2).sum()
    with pytest.raises(RuntimeError, match=r"call loss\.backward\(\) inside"):
        tr.explain()


# -- every contribution is upstream x local -------------------------------------------------


def _traces():
    rng = np.random.default_rng(1)

    def p(*shape):
        return tg.Tensor(rng.normal(size=shape), dtype=tg.float64, requires_grad=True)

    def course():
        return alice_lab.traced().trace

    def mixed():
        a, b, c = p(3, 2), p(2), p(4, 3)
        with tg.viz.trace() as tr:
            h = (c @ a + b).tanh() * 2.0 - b.exp() / (b * b + 1.0)
            (h.relu() ** 2 + h.sigmoid().log()).mean().backward()
        return tr

    def vectors():
        w, v = p(3), p(3, 2)
        with tg.viz.trace() as tr:
            ((w @ v).sum(dim=0) - (w.abs() + 1.0).sqrt().sum()).backward()
        return tr

    def batched_model():
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.ReLU())
        model.double()
        with tg.viz.trace(model) as tr:
            F.mse_loss(
                model(tg.randn(5, 3, dtype=tg.float64)), tg.zeros(5, 2, dtype=tg.float64)
            ).backward()
        return tr

    return {"course": course, "mixed": mixed, "vectors": vectors, "batched": batched_model}


@pytest.mark.parametrize("name, make", list(_traces().items()))
def test_every_edge_contribution_is_upstream_times_local(name, make):
    table = make().explain()
    checked = 0
    for row in table.rows:
        for edge in row.edges:
            if edge.expected is None:
                continue
            np.testing.assert_allclose(
                edge.contribution,
                edge.expected,
                rtol=1e-12,
                atol=1e-12,
                err_msg=f"{row.op} -> {edge.input}",
            )
            checked += 1
    assert checked == sum(len(row.edges) for row in table.rows), "an edge had no local"


def test_course_ops_compute_their_local_from_recorded_values():
    # Every op the course uses has a formula and a local function of its values (not only
    # its own backward replayed), so upstream x local checks the engine's backward.
    for op in (
        formulas.ew.Sigmoid,
        formulas.ew.Tanh,
        formulas.ew.Mul,
        formulas.ew.Add,
        formulas.ew.Sub,
        formulas.ew.Pow,
        formulas.loss.MSELoss,
    ):
        rule = formulas.rule_for(op)
        assert rule.kind == formulas.ELEMENTWISE and all(rule.local), op.__name__
    assert formulas.rule_for(formulas.linalg.Linear).kind == formulas.LINEAR


def test_ops_without_a_rule_get_the_generic_ratio():
    class Cube(tg.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x

    x = tg.Tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    with tg.viz.trace() as tr:
        (Cube.apply(x) * 2.0).sum().backward()
    row = next(row for row in tr.explain().rows if row.op == "Cube")
    assert row.formula == "∂out/∂input"
    np.testing.assert_allclose(row.edges[0].local, [3.0, 12.0])


# -- tg.viz.explain on a live graph ---------------------------------------------------------


def _live_alice():
    model = alice_lab.network()
    loss = F.mse_loss(
        model(tg.Tensor([-2.0, -1.0], dtype=tg.float64)), tg.Tensor([1.0], dtype=tg.float64)
    )
    return model, loss


def test_live_explain_before_backward_gives_the_same_numbers(alice):
    model, loss = _live_alice()
    table = tg.viz.explain(loss, model[0].weight, (0, 0))
    assert model[0].weight.grad is None  # nothing of the graph changed
    traced = course_table(alice)
    assert [r.op for r in table.rows] == [r.op for r in traced.rows]
    for live_row, traced_row in zip(table.rows, traced.rows):
        for live, recorded in zip(live_row.edges, traced_row.edges):
            np.testing.assert_allclose(live.contribution, recorded.contribution, rtol=1e-15)
    assert table.chain.value == pytest.approx(traced.chain.value, rel=1e-14)


def test_live_explain_works_after_backward_with_retain_graph():
    model, loss = _live_alice()
    loss.backward(retain_graph=True)
    chain = tg.viz.explain(loss, model[0].weight, (0, 0)).chain
    assert chain.value == pytest.approx(model[0].weight.grad[0, 0].item(), rel=1e-14)


def test_live_explain_after_a_plain_backward_says_what_to_do():
    _, loss = _live_alice()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True.*tg\.viz\.trace"):
        tg.viz.explain(loss)


def test_live_explain_of_a_leaf_says_it_has_no_graph():
    with pytest.raises(ValueError, match="has no graph"):
        tg.viz.explain(tg.ones(2, requires_grad=True))
