"""tg.viz.trace records values, gradients, module paths and each edge's numbers, through the
engine's observer and hooks only, and leaves nothing behind when the block ends."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.autograd.grad_mode import state
from tinygrad_fr.nn import functional as F  # noqa: N812 - PyTorch's usual alias

FD_STEP, FD_TOLERANCE = 1e-6, 1e-6
H1 = 1 / (1 + np.exp(3.0))  # the course's h1 = f(-3) for Alice
Y_PRED = 1 / (1 + np.exp(-2 * H1))  # o1 = f(w5 h1 + w6 h2)


def test_each_tensor_has_name_shape_module_value_and_grad(alice):
    tensors = {t.name: t for t in alice.trace.tensors}
    assert list(tensors) == [
        "input_1",
        "0.weight",
        "0.bias",
        "0.out",
        "1.out",
        "2.weight",
        "2.bias",
        "2.out",
        "3.out",
        "input_2",
        "L",
    ]
    weight = tensors["0.weight"]
    assert weight.shape == (2, 2) and weight.module == "0" and weight.kind == "parameter"
    np.testing.assert_array_equal(weight.value, np.ones((2, 2)))
    np.testing.assert_allclose(weight.grad, alice.model[0].weight.grad.numpy(), rtol=1e-15)
    assert tensors["1.out"].module == "1"
    np.testing.assert_allclose(tensors["1.out"].value, [H1, H1], rtol=1e-14)
    assert tensors["L"].grad == 1.0 and tensors["input_1"].grad is None


def test_grad_is_none_until_backward():
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    with tg.viz.trace() as tr:
        y = (w * w).sum()
        assert all(t.grad is None for t in tr.tensors)
        y.backward()
    assert tr.tensor(w).grad.tolist() == [2.0, 4.0]


def test_values_stay_after_backward_without_retain_graph(alice):
    # The graph freed its saved values; the trace kept its own copies.
    assert alice.loss.grad_fn._saved is None
    assert alice.trace.tensor("3.out").value == pytest.approx([Y_PRED], rel=1e-14)


def test_intermediate_gradients_need_no_retain_grad(alice):
    d_ypred = -2 * (1 - Y_PRED)
    assert alice.trace.tensor("3.out").grad == pytest.approx([d_ypred], rel=1e-14)
    d_h1 = d_ypred * Y_PRED * (1 - Y_PRED)  # w5 = 1
    assert alice.trace.tensor("1.out").grad == pytest.approx([d_h1] * 2, rel=1e-14)


def test_nothing_is_recorded_or_hooked_outside_the_trace():
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    with tg.viz.trace(model) as tr:
        assert state.observers
        out = model(tg.ones(2)).sum()
    assert state.observers == ()
    assert not model[0]._forward_hooks and not model[0]._forward_pre_hooks
    recorded = len(tr.ops)
    out.backward()  # after the block: not recorded
    assert len(tr.ops) == recorded and tr.passes == []
    assert not out.grad_fn._hooks.post  # the trace's node hook is gone


def test_trace_names_parameters_by_the_model_and_tensors_by_their_name():
    model = nn.Sequential(nn.Linear(2, 1))
    x = tg.ones(2)
    x.name = "x"
    with tg.viz.trace(model) as tr:
        model(x).sum().backward()
    assert [t.name for t in tr.tensors][:3] == ["x", "0.weight", "0.bias"]
    assert tr.tensor("0.out").module == "0"


def test_in_place_ops_continue_the_record():
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    with tg.viz.trace() as tr:
        y = w * 2
        y += 1
        y.sum().backward()
    assert tr.tensor(y).name.startswith("add")
    assert tr.tensor(w).grad.tolist() == [2.0, 2.0]


def test_each_backward_call_is_a_pass():
    w = tg.Tensor(2.0, requires_grad=True)
    with tg.viz.trace() as tr:
        y = w * w
        y.backward(retain_graph=True)
        y.backward()
    assert len(tr.passes) == 2 and tr.tensor(w).grad == 8.0  # 4 + 4, like .grad


def test_unknown_tensor_or_name_raises_keyerror_naming_it(alice):
    with pytest.raises(KeyError, match="no tensor named 'nope'"):
        alice.trace.tensor("nope")
    with pytest.raises(KeyError, match="not used inside the trace"):
        alice.trace.tensor(tg.ones(3))


# -- every traced gradient against float64 finite differences ------------------------------


def _chains():
    """Computations as chains of one-op stages, so that every traced intermediate is a stage
    output and its gradient can be checked by finite differences too."""
    rng = np.random.default_rng(0)

    def param(*shape):
        return tg.Tensor(rng.normal(size=shape), dtype=tg.float64, requires_grad=True)

    w1, b1, w2, b2 = param(2, 2), param(2), param(1, 2), param(1)
    x = tg.Tensor([-2.0, -1.0], dtype=tg.float64)
    y = tg.Tensor([1.0], dtype=tg.float64)
    course = (
        "2-2-1 sigmoid, MSE",
        [w1, b1, w2, b2],
        x,
        [
            lambda h: F.linear(h, w1, b1),
            lambda h: h.sigmoid(),
            lambda h: F.linear(h, w2, b2),
            lambda h: h.sigmoid(),
            lambda h: F.mse_loss(h, y),
        ],
    )
    v, c = param(3), param(3)
    elementwise = (
        "mul, add, tanh, exp, log, pow, div, sub, mean",
        [v, c],
        tg.Tensor([0.5, 1.0, 2.0], dtype=tg.float64),
        [
            lambda h: h * v,
            lambda h: h + c,
            lambda h: h.tanh(),
            lambda h: h.exp(),
            lambda h: h.log(),
            lambda h: h**2,
            lambda h: h / (c * c + 1),
            lambda h: 1.0 - h,
            lambda h: h.mean(),
        ],
    )
    a, bias = param(3, 2), param(2)
    matmul = (
        "matmul, broadcast add, relu, sum",
        [a, bias],
        tg.Tensor(rng.normal(size=(4, 3)), dtype=tg.float64),
        [lambda h: h @ a, lambda h: h + bias, lambda h: h.relu(), lambda h: h.sum()],
    )
    return [course, elementwise, matmul]


def _run(stages, start, values=None):
    """The chain from ``start``; ``values[k]`` (an array) replaces the output of stage k."""
    h = start
    for k, stage in enumerate(stages):
        h = stage(h)
        if values is not None and k in values:
            h = tg.Tensor(values[k], dtype=tg.float64)
    return h.item()


def _finite_difference(function, array):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        up, down = array.copy(), array.copy()
        up[index] += FD_STEP
        down[index] -= FD_STEP
        grad[index] = (function(up) - function(down)) / (2 * FD_STEP)
    return grad


@pytest.mark.parametrize("name, params, start, stages", _chains(), ids=lambda v: str(v)[:20])
def test_every_traced_gradient_equals_finite_differences(name, params, start, stages):
    with tg.viz.trace() as tr:
        h = start
        outputs = []
        for stage in stages:
            h = stage(h)
            outputs.append(h)
        h.backward()
    for param in params:
        with tg.no_grad():

            def loss(array, param=param):
                saved = param._data
                param._data = array
                try:
                    return _run(stages, start)
                finally:
                    param._data = saved

            expected = _finite_difference(loss, param.numpy().copy())
        np.testing.assert_allclose(tr.tensor(param).grad, expected, atol=FD_TOLERANCE)
    with tg.no_grad():
        for k, out in enumerate(outputs[:-1]):
            expected = _finite_difference(
                lambda array, k=k: _run(stages, start, {k: array}), out.numpy().copy()
            )
            np.testing.assert_allclose(tr.tensor(out).grad, expected, atol=FD_TOLERANCE)


@given(
    st.lists(st.floats(-2, 2), min_size=6, max_size=6),
    st.lists(st.floats(-3, 3), min_size=2, max_size=2),
)
def test_traced_gradients_of_the_course_network_match_finite_differences(weights, x):
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    model.double()
    with tg.no_grad():
        model[0].weight.copy_(np.reshape(weights[:4], (2, 2)))
        model[2].weight.copy_([weights[4:]])
    inputs, target = tg.Tensor(x, dtype=tg.float64), tg.Tensor([1.0], dtype=tg.float64)
    with tg.viz.trace(model) as tr:
        F.mse_loss(model(inputs), target).backward()
    weight = model[0].weight

    def loss(array):
        saved = weight._data
        weight._data = array
        try:
            with tg.no_grad():
                return F.mse_loss(model(inputs), target).item()
        finally:
            weight._data = saved

    expected = _finite_difference(loss, weight.numpy().copy())
    np.testing.assert_allclose(tr.tensor(weight).grad, expected, atol=FD_TOLERANCE)


def test_tg_viz_loads_no_heavy_module_until_it_draws_or_plots():
    script = (
        "import sys, tinygrad_fr as tg\n"
        "w = tg.Tensor([1.0], requires_grad=True)\n"
        "with tg.viz.trace() as tr:\n"
        "    (w * 2).sum().backward()\n"
        "tr.explain(); tr.to_text(); tr.to_html()\n"
        "heavy = ('graphviz', 'matplotlib', 'tqdm', 'selenium')\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & set(heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=True)  # fmt: skip
    assert done.stdout.strip() == "[]"
