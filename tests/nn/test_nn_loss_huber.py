"""Smooth L1 and Huber losses, and PyTorch's deprecated size_average/reduce arguments."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg
import tinygrad_fr.nn.functional as F  # noqa: N812 - PyTorch's usual alias
from tinygrad_fr import nn

RNG = np.random.default_rng(3)
PREDICTION = RNG.normal(size=(5, 4)) * 2
TARGET = RNG.normal(size=(5, 4))
REDUCTIONS = ("mean", "sum", "none")


def _reduce(losses: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


def _smooth_l1(d: np.ndarray, beta: float) -> np.ndarray:
    if beta == 0:
        return np.abs(d)
    return np.where(np.abs(d) < beta, 0.5 * d * d / beta, np.abs(d) - 0.5 * beta)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [1.0, 0.3, 0.0, 100.0])
def test_smooth_l1_loss(reduction, beta):
    expected = _reduce(_smooth_l1(PREDICTION - TARGET, beta), reduction)
    x, t = tg.Tensor(PREDICTION), tg.Tensor(TARGET)
    np.testing.assert_allclose(
        F.smooth_l1_loss(x, t, reduction=reduction, beta=beta).numpy(), expected, rtol=1e-12
    )
    module = nn.SmoothL1Loss(reduction=reduction, beta=beta)
    np.testing.assert_allclose(module(x, t).numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 0.3, 100.0])
def test_huber_loss_is_delta_times_smooth_l1(reduction, delta):
    expected = _reduce(delta * _smooth_l1(PREDICTION - TARGET, delta), reduction)
    x, t = tg.Tensor(PREDICTION), tg.Tensor(TARGET)
    out = F.huber_loss(x, t, reduction=reduction, delta=delta)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(nn.HuberLoss(reduction, delta)(x, t).numpy(), expected, rtol=1e-12)


def test_out_of_range_beta_and_delta_raise_runtime_errors_as_pytorch():
    x = tg.zeros(2)
    with pytest.raises(RuntimeError, match="beta must be non-negative"):
        F.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(RuntimeError, match="delta must be positive"):
        F.huber_loss(x, x, delta=0.0)


def test_shapes_must_match():
    with pytest.raises(ValueError, match="target has shape"):
        F.smooth_l1_loss(tg.zeros(3, 1), tg.zeros(3))


@pytest.mark.parametrize(
    ("size_average", "reduce", "reduction"),
    [(None, None, "mean"), (False, None, "sum"), (True, False, "none"), (None, False, "none")],
)
def test_legacy_size_average_and_reduce_mean_what_they_meant_in_pytorch(
    size_average, reduce, reduction
):
    x, t = tg.Tensor(PREDICTION), tg.Tensor(TARGET)
    expected = F.mse_loss(x, t, reduction=reduction).numpy()
    if size_average is None and reduce is None:
        assert nn.MSELoss()(x, t).numpy() == expected
        return
    with pytest.warns(UserWarning, match=f"reduction='{reduction}'"):
        out = F.mse_loss(x, t, size_average=size_average, reduce=reduce)
    np.testing.assert_array_equal(out.numpy(), expected)
    with pytest.warns(UserWarning, match="size_average and reduce"):
        module = nn.MSELoss(size_average=size_average, reduce=reduce)
    assert module.reduction == reduction


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.L1Loss(size_average=False),
        lambda: nn.SmoothL1Loss(size_average=False),
        lambda: nn.BCELoss(size_average=False),
        lambda: nn.BCEWithLogitsLoss(size_average=False),
        lambda: nn.CrossEntropyLoss(size_average=False),
        lambda: nn.NLLLoss(size_average=False),
    ],
)
def test_every_loss_module_takes_the_legacy_arguments(make):
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert make().reduction == "sum"


@pytest.mark.parametrize("name", ["smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("cutoff", [1.0, 0.5])
def test_values_and_two_derivatives_agree_with_torch(name, cutoff):
    torch = pytest.importorskip("torch")
    option = "beta" if name == "smooth_l1_loss" else "delta"
    v = RNG.normal(size=PREDICTION.shape)

    def run(lib, tensor):
        x, t = tensor(PREDICTION, requires_grad=True), tensor(TARGET)
        out = getattr(lib.nn.functional, name)(x, t, reduction="none", **{option: cutoff})
        (first,) = lib.autograd.grad((out * tensor(v)).sum(), x, create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), x)
        return [value.detach().numpy() for value in (out, first, second)]

    ours = run(tg, lambda a, requires_grad=False: tg.Tensor(a, requires_grad=requires_grad))
    theirs = run(torch, lambda a, requires_grad=False: torch.tensor(a, requires_grad=requires_grad))
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-14)
