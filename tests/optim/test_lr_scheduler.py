"""Learning-rate schedulers without PyTorch: closed forms, state dicts, errors."""

from __future__ import annotations

import math
from typing import Any

import pytest

import tinygrad_fr as tg
from tinygrad_fr import optim
from tinygrad_fr.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, StepLR


def make_optimizer(lr: float = 1.0) -> optim.SGD:
    return optim.SGD([tg.Tensor([0.0], requires_grad=True)], lr=lr)


def schedule(scheduler: Any, epochs: int) -> list[float]:
    """The learning rate used at each epoch 0 .. epochs-1."""
    lrs = []
    for _ in range(epochs):
        lrs.append(scheduler.get_last_lr()[0])
        scheduler.optimizer.step()
        scheduler.step()
    return lrs


def test_step_lr_multiplies_by_gamma_every_step_size_epochs() -> None:
    lrs = schedule(StepLR(make_optimizer(), step_size=3, gamma=0.5), 10)
    expected = [0.5 ** (epoch // 3) for epoch in range(10)]
    assert lrs == pytest.approx(expected, abs=1e-15)


def test_exponential_lr_multiplies_by_gamma_every_epoch() -> None:
    lrs = schedule(ExponentialLR(make_optimizer(2.0), gamma=0.9), 10)
    assert lrs == pytest.approx([2.0 * 0.9**epoch for epoch in range(10)], rel=1e-12)


def test_cosine_annealing_follows_the_closed_form_over_a_half_period() -> None:
    lrs = schedule(CosineAnnealingLR(make_optimizer(), T_max=8, eta_min=0.1), 9)
    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * e / 8)) / 2 for e in range(9)]
    assert lrs == pytest.approx(expected, abs=1e-12)


def test_cosine_annealing_climbs_back_after_t_max() -> None:
    lrs = schedule(CosineAnnealingLR(make_optimizer(), T_max=4), 17)
    assert lrs[4] == pytest.approx(0.0, abs=1e-12) and lrs[8] == pytest.approx(1.0)
    assert lrs[16] == pytest.approx(1.0)


def test_scheduler_writes_the_lr_of_every_group() -> None:
    optimizer = optim.SGD(
        [{"params": [tg.Tensor([0.0], requires_grad=True)]},
         {"params": [tg.Tensor([0.0], requires_grad=True)], "lr": 0.4}],
        lr=0.2,
    )  # fmt: skip
    scheduler = ExponentialLR(optimizer, gamma=0.5)
    scheduler.step()
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.2]
    assert [g["initial_lr"] for g in optimizer.param_groups] == [0.2, 0.4]
    assert scheduler.base_lrs == [0.2, 0.4] and scheduler.last_epoch == 1


def test_get_last_lr_is_a_copy() -> None:
    scheduler = StepLR(make_optimizer(), step_size=1)
    scheduler.get_last_lr().append(3.0)
    assert scheduler.get_last_lr() == [1.0]


@pytest.mark.parametrize(
    "make",
    [lambda o: StepLR(o, 2, 0.5), lambda o: ExponentialLR(o, 0.8),
     lambda o: CosineAnnealingLR(o, T_max=5, eta_min=0.05)],
    ids=["StepLR", "ExponentialLR", "CosineAnnealingLR"],
)  # fmt: skip
def test_state_dict_resumes_the_schedule(make: Any) -> None:
    optimizer = make_optimizer()
    scheduler = make(optimizer)
    schedule(scheduler, 4)
    saved_scheduler, saved_optimizer = scheduler.state_dict(), optimizer.state_dict()
    assert "optimizer" not in saved_scheduler and saved_scheduler["last_epoch"] == 4
    later = schedule(scheduler, 8)
    optimizer2 = make_optimizer()
    scheduler2 = make(optimizer2)
    optimizer2.load_state_dict(saved_optimizer)
    scheduler2.load_state_dict(saved_scheduler)
    assert schedule(scheduler2, 8) == later


def test_scheduler_needs_an_optimizer() -> None:
    with pytest.raises(TypeError, match="StepLR: expected a tinygrad_fr optimizer, got list"):
        StepLR([], step_size=1)


@pytest.mark.parametrize("step_size", [0, -1, 1.5])
def test_step_lr_refuses_a_bad_step_size(step_size: Any) -> None:
    with pytest.raises(ValueError, match=f"step_size must be a positive int, got {step_size}"):
        StepLR(make_optimizer(), step_size=step_size)


def test_cosine_annealing_refuses_a_non_positive_period() -> None:
    with pytest.raises(ValueError, match="T_max must be a positive int, got 0"):
        CosineAnnealingLR(make_optimizer(), T_max=0)


def test_resuming_without_initial_lr_is_refused() -> None:
    with pytest.raises(KeyError, match="no 'initial_lr'"):
        StepLR(make_optimizer(), step_size=2, last_epoch=3)


def test_loading_something_else_is_refused() -> None:
    with pytest.raises(ValueError, match=r"scheduler.state_dict"):
        StepLR(make_optimizer(), step_size=2).load_state_dict({"lr": 1})


def test_step_with_an_epoch_warns_and_uses_the_closed_form() -> None:
    scheduler = StepLR(make_optimizer(), step_size=2, gamma=0.5)
    with pytest.warns(UserWarning, match="deprecated"):
        scheduler.step(5)
    assert scheduler.get_last_lr() == [0.25] and scheduler.last_epoch == 5
