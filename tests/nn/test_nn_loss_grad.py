"""Gradients of the losses and layers against central finite differences, in float64."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tinygrad_fr as tg
import tinygrad_fr.nn.functional as F  # noqa: N812 - PyTorch's usual alias
from tinygrad_fr import nn
from tinygrad_fr.testing import gradcheck

RNG = np.random.default_rng(5)
N, C = 4, 3
LOGITS = RNG.normal(size=(N, C))
TARGET = RNG.normal(size=(N, C))
SOFT = RNG.uniform(0.1, 0.9, size=(N, C))
CLASSES = np.array([2, 0, 1, 2])
WEIGHT = np.array([0.3, 1.0, 2.0])
PROBS = SOFT / SOFT.sum(axis=1, keepdims=True)


def leaf(array: np.ndarray) -> tg.Tensor:
    return tg.Tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def const(array: np.ndarray) -> tg.Tensor:
    return tg.Tensor(np.asarray(array, dtype=np.float64))


LOSSES: dict[str, Callable[[tg.Tensor, str], tg.Tensor]] = {
    "mse": lambda x, r: F.mse_loss(x, const(TARGET), reduction=r),
    "l1": lambda x, r: F.l1_loss(x, const(TARGET), reduction=r),
    "bce": lambda x, r: F.binary_cross_entropy(x.sigmoid(), const(SOFT), reduction=r),
    "bce weight": lambda x, r: F.binary_cross_entropy(
        x.sigmoid(), const(SOFT), const(WEIGHT), reduction=r
    ),
    "bce logits": lambda x, r: F.binary_cross_entropy_with_logits(x, const(SOFT), reduction=r),
    "bce logits pos_weight": lambda x, r: F.binary_cross_entropy_with_logits(
        x, const(SOFT), const(WEIGHT), reduction=r, pos_weight=const([2.0, 0.5, 1.0])
    ),
    "cross_entropy": lambda x, r: F.cross_entropy(x, CLASSES, reduction=r),
    "cross_entropy weight ignore": lambda x, r: F.cross_entropy(
        x, np.array([2, 0, -100, 1]), const(WEIGHT), reduction=r
    ),
    "cross_entropy smoothing": lambda x, r: F.cross_entropy(
        x, np.array([2, -100, 1, 1]), const(WEIGHT), reduction=r, label_smoothing=0.2
    ),
    "cross_entropy probabilities": lambda x, r: F.cross_entropy(
        x, const(PROBS), const(WEIGHT), reduction=r, label_smoothing=0.1
    ),
    "nll": lambda x, r: F.nll_loss(x.log_softmax(1), CLASSES, const(WEIGHT), reduction=r),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_gradient_matches_finite_differences(name: str, reduction: str):
    # L1's kink at 0 is avoided: LOGITS and TARGET never coincide.
    assert gradcheck(lambda x: LOSSES[name](x, reduction), [leaf(LOGITS)])


def test_cross_entropy_gradient_with_extra_dimensions():
    x = RNG.normal(size=(2, C, 3))
    target = np.array([[0, 2, 1], [1, 1, 0]])
    assert gradcheck(lambda t: F.cross_entropy(t, target, reduction="sum"), [leaf(x)])


def test_regression_losses_differentiate_the_target_too():
    fn = lambda x, y: F.mse_loss(x, y) + F.l1_loss(x, y)  # noqa: E731
    assert gradcheck(fn, [leaf(LOGITS), leaf(TARGET)])


def test_cross_entropy_gradient_with_respect_to_probability_targets():
    fn = lambda x, p: F.cross_entropy(x, p)  # noqa: E731
    assert gradcheck(fn, [leaf(LOGITS), leaf(PROBS)])


def test_bce_gradient_is_the_textbook_formula():
    p = leaf(1 / (1 + np.exp(-LOGITS)))
    F.binary_cross_entropy(p, const(SOFT), reduction="sum").backward()
    expected = (p.numpy() - SOFT) / (p.numpy() * (1 - p.numpy()))
    assert np.allclose(p.grad.numpy(), expected, rtol=1e-10)


def test_linear_layer_gradients_match_finite_differences():
    layer = nn.Linear(3, 2, dtype=tg.float64)

    def fn(x: tg.Tensor, weight: tg.Tensor, bias: tg.Tensor) -> tg.Tensor:
        return F.linear(x, weight, bias).tanh()

    weight, bias = leaf(layer.weight.numpy()), leaf(layer.bias.numpy())
    assert gradcheck(fn, [leaf(RNG.normal(size=(4, 3))), weight, bias])
    assert gradcheck(fn, [leaf(RNG.normal(size=3)), weight, bias])


def test_model_gradients_match_finite_differences():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, C)).double()
    x = const(RNG.normal(size=(N, 3)))
    F.cross_entropy(model(x), CLASSES).backward()

    def network(w1: tg.Tensor, b1: tg.Tensor, w2: tg.Tensor, b2: tg.Tensor) -> tg.Tensor:
        return F.cross_entropy(F.linear(F.linear(x, w1, b1).tanh(), w2, b2), CLASSES)

    inputs = [leaf(p.numpy()) for p in model.parameters()]
    assert gradcheck(network, inputs)
    network(*inputs).backward()
    for param, probe in zip(model.parameters(), inputs):
        assert np.allclose(param.grad.numpy(), probe.grad.numpy(), rtol=1e-12, atol=1e-15)
