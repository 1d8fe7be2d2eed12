"""tg.nn.utils: gradient clipping and flat parameter vectors, against NumPy and PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)

RNG = np.random.default_rng(11)


def _params_with_grads(dtype=np.float64):
    params = [tg.Tensor(RNG.normal(size=s).astype(dtype), requires_grad=True) for s in (3, (2, 2))]
    for p in params:
        p.grad = tg.Tensor(RNG.normal(size=p.shape).astype(dtype) * 4)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm_returns_the_total_norm_and_scales_to_max_norm(norm_type):
    params = _params_with_grads()
    flat = np.concatenate([p.grad.numpy().reshape(-1) for p in params])
    expected = np.abs(flat).max() if math.isinf(norm_type) else np.linalg.norm(flat, norm_type)
    before = [p.grad.numpy().copy() for p in params]
    total = clip_grad_norm_(params, max_norm=1.0, norm_type=norm_type)
    np.testing.assert_allclose(total.item(), expected, rtol=1e-12)
    for p, old in zip(params, before, strict=True):
        np.testing.assert_allclose(p.grad.numpy(), old * (1.0 / (expected + 1e-6)), rtol=1e-12)


def test_clip_grad_norm_leaves_small_gradients_alone_and_skips_missing_ones():
    params = _params_with_grads()
    params.append(tg.zeros(2, requires_grad=True))  # no gradient
    before = [p.grad.numpy().copy() for p in params[:2]]
    clip_grad_norm_(params, max_norm=1e6)
    for p, old in zip(params, before, strict=False):
        np.testing.assert_array_equal(p.grad.numpy(), old)
    assert clip_grad_norm_([tg.zeros(2, requires_grad=True)], 1.0).item() == 0.0


def test_clip_grad_norm_accepts_one_tensor_and_a_generator():
    model = nn.Linear(3, 2)
    model(tg.ones(4, 3)).sum().backward()
    clip_grad_norm_(model.weight, 0.1)
    assert np.linalg.norm(model.weight.grad.numpy()) <= 0.1 + 1e-6
    clip_grad_norm_(model.parameters(), 0.1)  # a generator: read once, clipped all the same
    assert np.linalg.norm(model.bias.grad.numpy()) <= 0.1 + 1e-6


def test_clip_grad_norm_error_if_nonfinite():
    params = _params_with_grads()
    params[0].grad = tg.Tensor([np.inf, 0.0, 0.0])
    with pytest.raises(RuntimeError, match="total norm"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_clamps_in_place():
    params = _params_with_grads()
    grad = params[0].grad
    clip_grad_value_(params, 0.5)
    assert params[0].grad is grad
    assert all(np.abs(p.grad.numpy()).max() <= 0.5 for p in params)


def test_clipping_inside_a_captured_step_replays_like_eager_steps():
    def make():
        tg.manual_seed(1)
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
        optimizer = tg.optim.SGD(model.parameters(), lr=0.5)

        def step(x, y):
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            clip_grad_norm_(model.parameters(), 0.5)
            clip_grad_value_(model.parameters(), 0.1)
            optimizer.step()
            return loss

        return model, step

    (eager_model, eager), (captured_model, step) = make(), make()
    captured = tg.jit.capture(step)
    for k in range(5):
        x, y = tg.Tensor(RNG.normal(size=(8, 3))), tg.Tensor(RNG.normal(size=(8, 1)) * 5)
        assert captured(x, y).item() == eager(x, y).item(), k
    assert captured.replays == 3
    for mine, reference in zip(captured_model.parameters(), eager_model.parameters(), strict=True):
        np.testing.assert_array_equal(mine.numpy(), reference.numpy())


def test_parameter_vectors_round_trip():
    model = nn.Linear(3, 2)
    vector = parameters_to_vector(model.parameters())
    assert vector.shape == (8,)
    np.testing.assert_array_equal(vector.numpy()[:6], model.weight.numpy().reshape(-1))
    vector_to_parameters(tg.arange(8.0), model.parameters())
    np.testing.assert_array_equal(model.bias.numpy(), [6.0, 7.0])
    assert model.weight.shape == (2, 3) and model.weight.requires_grad


def test_parameters_to_vector_is_differentiable():
    w = tg.ones(2, 2, requires_grad=True)
    (parameters_to_vector([w]) * tg.arange(4.0)).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 1], [2, 3]])


def test_vector_to_parameters_errors():
    with pytest.raises(TypeError, match="expected a Tensor"):
        vector_to_parameters(np.zeros(8), nn.Linear(3, 2).parameters())
    with pytest.raises(RuntimeError, match="hold 8 values"):
        vector_to_parameters(tg.zeros(7), nn.Linear(3, 2).parameters())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, math.inf, 1.5])
def test_clipping_agrees_with_torch(dtype, norm_type):
    torch = pytest.importorskip("torch")
    ours = _params_with_grads(dtype)
    theirs = [torch.tensor(p.numpy(), requires_grad=True) for p in ours]
    for mine, reference in zip(ours, theirs, strict=True):
        reference.grad = torch.tensor(mine.grad.numpy())
    total = clip_grad_norm_(ours, 0.7, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 0.7, norm_type)
    tolerance = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(total.item(), expected.item(), rtol=tolerance)
    assert total.dtype == dtype
    clip_grad_value_(ours, 0.05)
    torch.nn.utils.clip_grad_value_(theirs, 0.05)
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=tolerance)
