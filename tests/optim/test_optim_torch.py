"""Optimizers and schedulers against PyTorch itself (skipped when torch is not installed).

Every combination of each optimizer's options runs 20 float64 steps next to torch.optim and
must agree to 1e-9, state included; every scheduler must give PyTorch's learning rates.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import optim

torch = pytest.importorskip("torch")

STEPS = 20
START = (np.array([-1.2, 1.0, 0.5]), np.array([[1.0, -2.0], [0.5, 3.0]]))


def gradients(w: np.ndarray, b: np.ndarray, sign: float) -> list[np.ndarray]:
    """Gradient of a Rosenbrock-like valley (w) plus a tilted bowl (b), times ``sign``."""
    valley = w[1:] - w[:-1] ** 2
    grad_w = -2.0 * (1.0 - w)
    grad_w[1:] += 10.0 * valley
    grad_w[:-1] += -20.0 * valley * w[:-1]
    return [sign * grad_w, sign * (2.0 * np.array([[1.0, 2.0], [0.5, 4.0]]) * b - 1.0)]


def grid(**choices: list[Any]) -> list[dict[str, Any]]:
    """Every combination of the given option values."""
    keys = list(choices)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*choices.values())]


def valid_sgd(options: dict[str, Any]) -> bool:
    return not options["nesterov"] or (options["momentum"] > 0 and options["dampening"] == 0)


SGD_CASES = [
    {"lr": 0.01, **o}
    for o in grid(
        momentum=[0, 0.9],
        dampening=[0, 0.3],
        weight_decay=[0, 0.1],
        nesterov=[False, True],
        maximize=[False, True],
    )
    if valid_sgd(o)
]
ADAM_CASES = [
    {"lr": 0.05, **o}
    for o in grid(
        betas=[(0.9, 0.999), (0.5, 0.9)],
        weight_decay=[0, 0.1],
        amsgrad=[False, True],
        maximize=[False, True],
    )
]
RMSPROP_CASES = [
    {"lr": 0.01, **o}
    for o in grid(
        alpha=[0.99, 0.9],
        momentum=[0, 0.9],
        centered=[False, True],
        weight_decay=[0, 0.1],
        maximize=[False, True],
    )
]
ADAGRAD_CASES = [
    {"lr": 0.1, **o}
    for o in grid(
        lr_decay=[0, 0.05],
        weight_decay=[0, 0.1],
        initial_accumulator_value=[0, 0.5],
        maximize=[False, True],
    )
]
CASES = (
    [("SGD", o) for o in SGD_CASES]
    + [("Adam", o) for o in ADAM_CASES]
    + [("AdamW", o) for o in ADAM_CASES]
    + [("RMSprop", o) for o in RMSPROP_CASES]
    + [("Adagrad", o) for o in ADAGRAD_CASES]
)


def run_both(name: str, options: dict[str, Any], steps: int = STEPS) -> tuple[Any, Any, list, list]:
    ours = [tg.Tensor(array, requires_grad=True) for array in START]
    theirs = [torch.tensor(array, requires_grad=True) for array in START]
    our_optimizer = getattr(optim, name)(ours, **options)
    their_optimizer = getattr(torch.optim, name)(theirs, **options)
    sign = -1.0 if options.get("maximize") else 1.0
    for _ in range(steps):
        for our, their in zip(ours, theirs, strict=True):
            assert np.allclose(our._data, their.detach().numpy(), rtol=0, atol=1e-9)
        grads = gradients(ours[0]._data, ours[1]._data, sign)
        for our, their, grad in zip(ours, theirs, grads, strict=True):
            our.grad = tg.Tensor(grad)
            their.grad = torch.from_numpy(grad.copy())
        our_optimizer.step()
        their_optimizer.step()
    return our_optimizer, their_optimizer, ours, theirs


@pytest.mark.parametrize(("name", "options"), CASES, ids=[f"{n}-{o}" for n, o in CASES])
def test_trajectory_and_state_match_pytorch(name: str, options: dict[str, Any]) -> None:
    our_optimizer, their_optimizer, ours, theirs = run_both(name, options)
    for our, their in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(our._data, their.detach().numpy(), rtol=0, atol=1e-9)
        our_state, their_state = our_optimizer.state[our], their_optimizer.state[their]
        assert set(our_state) == set(their_state)
        for key, value in their_state.items():
            np.testing.assert_allclose(np.asarray(our_state[key]), value.numpy(), atol=1e-9)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_default_hyper_parameters_match_pytorch(name: str) -> None:
    options = {"lr": 0.01} if name == "SGD" else {}
    ours = getattr(optim, name)([tg.Tensor([1.0], requires_grad=True)], **options)
    theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **options)
    for key, value in ours.param_groups[0].items():
        if key != "params":
            assert theirs.param_groups[0][key] == value, key


def to_numpy(value: Any) -> Any:
    """A PyTorch state dict with every tensor turned into an ndarray."""
    if isinstance(value, torch.Tensor):
        return value.detach().numpy().copy()
    if isinstance(value, dict):
        return {key: to_numpy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_numpy(item) for item in value]
    return value


@pytest.mark.parametrize(
    ("name", "options"),
    [("Adam", {"lr": 0.05, "amsgrad": True}), ("SGD", {"lr": 0.01, "momentum": 0.9}),
     ("RMSprop", {"centered": True, "momentum": 0.5}), ("Adagrad", {"lr_decay": 0.01})],
)  # fmt: skip
def test_resumes_from_a_pytorch_state_dict(name: str, options: dict[str, Any]) -> None:
    _, their_optimizer, _, theirs = run_both(name, options, steps=7)
    params = [tg.Tensor(t.detach().numpy()) for t in theirs]
    for param in params:
        param.requires_grad = True
    resumed = getattr(optim, name)(params, **options)
    resumed.load_state_dict(to_numpy(their_optimizer.state_dict()))
    for _ in range(5):
        grads = gradients(params[0]._data, params[1]._data, 1.0)
        for our, their, grad in zip(params, theirs, grads, strict=True):
            our.grad = tg.Tensor(grad)
            their.grad = torch.from_numpy(grad.copy())
        resumed.step()
        their_optimizer.step()
    for our, their in zip(params, theirs, strict=True):
        np.testing.assert_allclose(our._data, their.detach().numpy(), rtol=0, atol=1e-9)


# -- learning-rate schedulers -----------------------------------------------------------------

SCHEDULERS = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("StepLR", {"step_size": 1}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.5}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 0.95**epoch / (1 + epoch % 3)}),
]


def pair_of_optimizers() -> tuple[Any, Any]:
    ours = optim.SGD(
        [
            {"params": [tg.Tensor([1.0], requires_grad=True)]},
            {"params": [tg.Tensor([1.0], requires_grad=True)], "lr": 0.3},
        ],
        lr=0.1,
    )
    theirs = torch.optim.SGD(
        [
            {"params": [torch.ones(1, requires_grad=True)]},
            {"params": [torch.ones(1, requires_grad=True)], "lr": 0.3},
        ],
        lr=0.1,
    )
    return ours, theirs


@pytest.mark.parametrize(("name", "options"), SCHEDULERS, ids=[f"{n}-{o}" for n, o in SCHEDULERS])
def test_scheduler_matches_pytorch_over_several_periods(name: str, options: dict) -> None:
    our_optimizer, their_optimizer = pair_of_optimizers()
    ours = getattr(optim.lr_scheduler, name)(our_optimizer, **options)
    theirs = getattr(torch.optim.lr_scheduler, name)(their_optimizer, **options)
    for epoch in range(40):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=0, atol=1e-9)
        assert ours.last_epoch == theirs.last_epoch == epoch
        our_optimizer.step()
        their_optimizer.step()
        ours.step()
        theirs.step()
    np.testing.assert_allclose(
        [g["lr"] for g in our_optimizer.param_groups],
        [g["lr"] for g in their_optimizer.param_groups],
        rtol=0,
        atol=1e-9,
    )


def test_chained_schedulers_match_pytorch() -> None:
    our_optimizer, their_optimizer = pair_of_optimizers()
    ours = [optim.lr_scheduler.StepLR(our_optimizer, 4, 0.5),
            optim.lr_scheduler.CosineAnnealingLR(our_optimizer, T_max=6)]  # fmt: skip
    theirs = [torch.optim.lr_scheduler.StepLR(their_optimizer, 4, 0.5),
              torch.optim.lr_scheduler.CosineAnnealingLR(their_optimizer, T_max=6)]  # fmt: skip
    for _ in range(20):
        our_optimizer.step()
        their_optimizer.step()
        for our, their in zip(ours, theirs, strict=True):
            our.step()
            their.step()
        np.testing.assert_allclose(ours[1].get_last_lr(), theirs[1].get_last_lr(), atol=1e-9)


@pytest.mark.parametrize(("name", "options"), SCHEDULERS, ids=[f"{n}-{o}" for n, o in SCHEDULERS])
def test_closed_form_step_with_epoch_matches_pytorch(name: str, options: dict) -> None:
    our_optimizer, their_optimizer = pair_of_optimizers()
    ours = getattr(optim.lr_scheduler, name)(our_optimizer, **options)
    theirs = getattr(torch.optim.lr_scheduler, name)(their_optimizer, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for epoch in (5, 2, 13):
            ours.step(epoch)
            theirs.step(epoch)
            np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), atol=1e-9)


@pytest.mark.parametrize(("name", "options"), SCHEDULERS, ids=[f"{n}-{o}" for n, o in SCHEDULERS])
def test_resuming_with_last_epoch_matches_pytorch(name: str, options: dict) -> None:
    our_optimizer, their_optimizer = pair_of_optimizers()
    for group in [*our_optimizer.param_groups, *their_optimizer.param_groups]:
        group["initial_lr"] = group["lr"]
    ours = getattr(optim.lr_scheduler, name)(our_optimizer, last_epoch=4, **options)
    theirs = getattr(torch.optim.lr_scheduler, name)(their_optimizer, last_epoch=4, **options)
    for _ in range(12):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), atol=1e-9)
        our_optimizer.step()
        their_optimizer.step()
        ours.step()
        theirs.step()
