"""LambdaLR, MultiStepLR, ReduceLROnPlateau and OneCycleLR: behaviour, state dicts, errors,
and (when torch is installed) PyTorch's values step by step."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr.optim.lr_scheduler import LambdaLR, MultiStepLR, OneCycleLR, ReduceLROnPlateau

METRICS = [1.0, 0.9, 0.95, 0.91, 0.92, 0.93, 0.5, 0.6, 0.61, 0.62, 0.63, 0.64, 0.7, 0.8, 0.9]


def make_optimizer(lib: Any = tg, kind: str = "SGD", **options: Any) -> Any:
    params = [lib.zeros(1, requires_grad=True)], [lib.zeros(1, requires_grad=True)]
    groups = [{"params": params[0]}, {"params": params[1], "lr": 0.3}]
    options.setdefault("lr", 0.1)
    return getattr(lib.optim, kind)(groups, **options)


def test_lambda_lr_multiplies_the_initial_rates() -> None:
    scheduler = LambdaLR(make_optimizer(), [lambda e: 1 / (e + 1), lambda e: 2.0])
    scheduler.step()
    assert scheduler.get_last_lr() == [0.05, 0.6]


def test_lambda_lr_needs_one_lambda_per_group() -> None:
    with pytest.raises(ValueError, match="expected 2 lr_lambdas"):
        LambdaLR(make_optimizer(), [lambda e: 1.0])


class Warmup:
    """A callable object: its attributes go into state_dict (a lambda's cannot)."""

    def __init__(self, steps: int) -> None:
        self.steps = steps

    def __call__(self, epoch: int) -> float:
        return min(1.0, (epoch + 1) / self.steps)


def test_lambda_lr_state_dict_keeps_callable_objects_only() -> None:
    scheduler = LambdaLR(make_optimizer(), [Warmup(4), lambda e: 1.0])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"steps": 4}, None]
    other = LambdaLR(make_optimizer(), [Warmup(10), lambda e: 1.0])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].steps == 4


def test_multistep_counts_repeated_milestones() -> None:
    optimizer = make_optimizer()
    scheduler = MultiStepLR(optimizer, milestones=[2, 2, 4], gamma=0.5)
    lrs = []
    for _ in range(5):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    assert lrs == pytest.approx([0.1, 0.025, 0.025, 0.0125, 0.0125])


def test_plateau_reduces_after_patience_and_respects_min_lr() -> None:
    optimizer = make_optimizer()
    scheduler = ReduceLROnPlateau(optimizer, patience=2, factor=0.5, min_lr=[0.04, 0.0])
    for metric in [1.0, 1.0, 1.0, 1.0]:  # the best, then 3 epochs without improvement
        scheduler.step(tg.Tensor(metric))
    assert scheduler.get_last_lr() == pytest.approx([0.05, 0.15])
    for metric in [1.0] * 3:
        scheduler.step(metric)
    assert scheduler.get_last_lr() == pytest.approx([0.04, 0.075])


def test_plateau_state_dict_round_trips() -> None:
    scheduler = ReduceLROnPlateau(make_optimizer(), mode="max", patience=1)
    for metric in METRICS[:5]:
        scheduler.step(metric)
    other = ReduceLROnPlateau(make_optimizer())
    other.load_state_dict(scheduler.state_dict())
    assert other.mode == "max" and other.best == scheduler.best
    assert other.num_bad_epochs == scheduler.num_bad_epochs


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"factor": 1.0}, "factor should be < 1.0"),
        ({"mode": "up"}, "mode must be 'min' or 'max'"),
        ({"threshold_mode": "ratio"}, "threshold_mode"),
        ({"min_lr": [0.1]}, "expected 2 min_lrs"),
    ],
)
def test_plateau_refuses_bad_options(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReduceLROnPlateau(make_optimizer(), **options)


def test_one_cycle_starts_low_peaks_at_max_lr_and_ends_near_zero() -> None:
    optimizer = make_optimizer(momentum=0.9)
    scheduler = OneCycleLR(optimizer, max_lr=1.0, total_steps=20)
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(19):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    assert lrs[0] == pytest.approx(0.04)
    assert max(lrs) == pytest.approx(1.0) and int(np.argmax(lrs)) == 5
    assert lrs[-1] == pytest.approx(0.04 / 1e4)
    with pytest.raises(ValueError, match="tried to step 21 times"):
        scheduler.step()
        scheduler.step()


def test_one_cycle_with_epochs_and_steps_per_epoch() -> None:
    scheduler = OneCycleLR(
        make_optimizer(momentum=0.9), max_lr=[1.0, 2.0], epochs=3, steps_per_epoch=4
    )
    assert scheduler.total_steps == 12
    assert scheduler.get_last_lr() == pytest.approx([0.04, 0.08])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "give either total_steps"),
        ({"total_steps": 0}, "positive int total_steps"),
        ({"total_steps": 5, "pct_start": 1}, "float pct_start"),
        ({"total_steps": 5, "anneal_strategy": "exp"}, "anneal_strategy"),
    ],
)
def test_one_cycle_refuses_bad_options(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OneCycleLR(make_optimizer(), max_lr=1.0, **options)


def test_one_cycle_needs_momentum_to_cycle_it() -> None:
    with pytest.raises(ValueError, match="momentum or betas"):
        OneCycleLR(make_optimizer(kind="Adagrad"), max_lr=1.0, total_steps=5)
    OneCycleLR(make_optimizer(kind="Adagrad"), max_lr=1.0, total_steps=5, cycle_momentum=False)


# -- against PyTorch ----------------------------------------------------------------------------


def _momentum(group: dict[str, Any]) -> float:
    return group["betas"][0] if "betas" in group else group.get("momentum", 0.0)


ONE_CYCLE = [
    ("SGD", {"momentum": 0.9}, {"max_lr": 1.0, "total_steps": 30}),
    ("SGD", {"momentum": 0.9}, {"max_lr": [1.0, 0.5], "total_steps": 25, "three_phase": True}),
    ("SGD", {}, {"max_lr": 0.4, "epochs": 3, "steps_per_epoch": 7, "anneal_strategy": "linear"}),
    ("Adam", {}, {"max_lr": 0.01, "total_steps": 20, "pct_start": 0.5, "div_factor": 10.0}),
    ("SGD", {}, {"max_lr": 0.2, "total_steps": 10, "cycle_momentum": False}),
]


@pytest.mark.parametrize(("kind", "optimizer_options", "options"), ONE_CYCLE)
def test_one_cycle_matches_pytorch(kind: str, optimizer_options: dict, options: dict) -> None:
    torch = pytest.importorskip("torch")
    ours_optimizer = make_optimizer(tg, kind, **optimizer_options)
    theirs_optimizer = make_optimizer(torch, kind, **optimizer_options)
    ours = OneCycleLR(ours_optimizer, **options)
    theirs = torch.optim.lr_scheduler.OneCycleLR(theirs_optimizer, **options)
    for _ in range(ours.total_steps):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
        for mine, reference in zip(
            ours_optimizer.param_groups, theirs_optimizer.param_groups, strict=True
        ):
            assert _momentum(mine) == pytest.approx(_momentum(reference), rel=1e-12)
        ours_optimizer.step(), theirs_optimizer.step()
        ours.step(), theirs.step()
    mine_state, their_state = ours.state_dict(), theirs.state_dict()
    assert mine_state["_schedule_phases"] == their_state["_schedule_phases"]
    assert mine_state["total_steps"] == their_state["total_steps"]


PLATEAU = [
    {},
    {"patience": 1, "factor": 0.5},
    {"patience": 0, "cooldown": 2, "threshold": 0.05},
    {"mode": "max", "patience": 2, "threshold_mode": "abs", "threshold": 0.01},
    {"patience": 1, "min_lr": 0.02, "eps": 1e-3},
]


@pytest.mark.parametrize("options", PLATEAU)
def test_plateau_matches_pytorch(options: dict) -> None:
    torch = pytest.importorskip("torch")
    ours_optimizer, theirs_optimizer = make_optimizer(tg), make_optimizer(torch)
    ours = ReduceLROnPlateau(ours_optimizer, **options)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_optimizer, **options)
    for metric in METRICS * 2:
        ours.step(metric)
        theirs.step(metric)
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
        assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter, ours.last_epoch) == (
            theirs.best,
            theirs.num_bad_epochs,
            theirs.cooldown_counter,
            theirs.last_epoch,
        )
    state = ours.state_dict()
    assert set(state) == set(theirs.state_dict())
    assert not math.isnan(state["best"])


def test_scheduler_state_dict_keys_match_pytorch() -> None:
    torch = pytest.importorskip("torch")
    pairs = [
        (
            lambda o: LambdaLR(o, lambda e: 1.0),
            lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0),
        ),
        (lambda o: MultiStepLR(o, [1]), lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [1])),
    ]
    for mine, theirs in pairs:
        ours_state = mine(make_optimizer(tg)).state_dict()
        their_state = theirs(make_optimizer(torch)).state_dict()
        missing = set(their_state) - set(ours_state) - {"_get_lr_called_within_step"}
        assert not missing, missing
