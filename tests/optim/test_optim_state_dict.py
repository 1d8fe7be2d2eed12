"""Optimizer state dicts: PyTorch's format, snapshots, exact resumption, validation errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import optim

ALL = [
    (optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    (optim.Adam, {"lr": 0.05, "amsgrad": True}),
    (optim.AdamW, {"lr": 0.05}),
    (optim.RMSprop, {"centered": True, "momentum": 0.5}),
    (optim.Adagrad, {"lr_decay": 0.01, "initial_accumulator_value": 0.1}),
]
IDS = [cls.__name__ for cls, _ in ALL]


def make_params(dtype: Any = tg.float64) -> list[tg.Tensor]:
    return [
        tg.Tensor([1.0, -2.0, 0.5], requires_grad=True, dtype=dtype),
        tg.Tensor([[0.3, -0.7], [2.0, 1.0]], requires_grad=True, dtype=dtype),
    ]


def train(optimizer: Any, params: list[tg.Tensor], steps: int) -> None:
    """Steps on sum(p**4) / 4 (gradient p**3), computed without autograd."""
    for _ in range(steps):
        for p in params:
            p.grad = tg.Tensor(p._data**3)
        optimizer.step()


def test_state_dict_has_pytorch_format() -> None:
    a, b, c = make_params() + [tg.Tensor([1.0], requires_grad=True)]
    optimizer = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}])
    train(optimizer, [a, b, c], 2)
    state = optimizer.state_dict()
    assert set(state) == {"state", "param_groups"}
    assert [g["params"] for g in state["param_groups"]] == [[0, 1], [2]]
    assert state["param_groups"][1]["lr"] == 0.5
    assert sorted(state["state"]) == [0, 1, 2]
    assert state["state"][0]["step"] == 2
    assert isinstance(state["state"][1]["exp_avg"], tg.Tensor)
    assert state["state"][1]["exp_avg"].shape == (2, 2)


def test_state_dict_is_a_snapshot() -> None:
    params = make_params()
    optimizer = optim.SGD(params, lr=0.1, momentum=0.9)
    train(optimizer, params, 1)
    saved = optimizer.state_dict()
    before = saved["state"][0]["momentum_buffer"]._data.copy()
    train(optimizer, params, 3)
    optimizer.param_groups[0]["lr"] = 1.0
    assert np.array_equal(saved["state"][0]["momentum_buffer"]._data, before)
    assert saved["param_groups"][0]["lr"] == 0.1


@pytest.mark.parametrize(("cls", "options"), ALL, ids=IDS)
def test_resuming_from_a_state_dict_repeats_the_trajectory(cls: Any, options: dict) -> None:
    params = make_params()
    optimizer = cls(params, **options)
    train(optimizer, params, 5)
    saved = optimizer.state_dict()
    copies = [tg.Tensor(p._data, requires_grad=True) for p in params]
    resumed = cls(copies, lr=123.0) if cls is optim.SGD else cls(copies)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]
    train(optimizer, params, 5)
    train(resumed, copies, 5)
    for original, copy in zip(params, copies, strict=True):
        assert np.array_equal(original._data, copy._data)


@pytest.mark.parametrize(("cls", "options"), ALL, ids=IDS)
def test_loading_does_not_alias_the_state_dict(cls: Any, options: dict) -> None:
    params = make_params()
    optimizer = cls(params, **options)
    train(optimizer, params, 2)
    saved = optimizer.state_dict()
    frozen = {k: v._data.copy() for k, v in saved["state"][0].items() if isinstance(v, tg.Tensor)}
    optimizer.load_state_dict(saved)
    train(optimizer, params, 2)
    for key, array in frozen.items():
        assert np.array_equal(saved["state"][0][key]._data, array)


def test_loaded_float_state_takes_the_parameter_dtype() -> None:
    source = make_params(tg.float64)
    optimizer = optim.Adam(source)
    train(optimizer, source, 2)
    target = make_params(tg.float32)
    resumed = optim.Adam(target)
    resumed.load_state_dict(optimizer.state_dict())
    assert resumed.state[target[0]]["exp_avg"].dtype == np.float32
    train(resumed, target, 1)
    assert target[0].dtype == np.float32


def test_state_given_as_ndarrays_is_accepted() -> None:
    params = make_params()
    optimizer = optim.SGD(params, lr=0.1, momentum=0.9)
    train(optimizer, params, 2)
    saved = optimizer.state_dict()
    saved["state"] = {i: {"momentum_buffer": s["momentum_buffer"].numpy()}
                      for i, s in saved["state"].items()}  # fmt: skip
    optim.SGD(make_params(), lr=0.1, momentum=0.9).load_state_dict(saved)


def test_loading_a_different_number_of_groups_is_refused() -> None:
    a, b = make_params()
    saved = optim.SGD([a, b], lr=0.1).state_dict()
    two_groups = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    with pytest.raises(ValueError, match="has 1 parameter groups but this optimizer has 2"):
        two_groups.load_state_dict(saved)


def test_loading_a_different_number_of_parameters_is_refused() -> None:
    a, b = make_params()
    saved = optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="group 0 of the state dict has 2 parameters but"):
        optim.SGD([a], lr=0.1).load_state_dict(saved)


def test_loading_state_of_the_wrong_shape_is_refused() -> None:
    params = make_params()
    optimizer = optim.SGD(params, lr=0.1, momentum=0.9)
    train(optimizer, params, 1)
    saved = optimizer.state_dict()
    other = [params[1], params[0]]
    with pytest.raises(ValueError, match=r"'momentum_buffer' of parameter 0 has shape \(3,\)"):
        optim.SGD(other, lr=0.1, momentum=0.9).load_state_dict(saved)


def test_loading_something_else_is_refused() -> None:
    optimizer = optim.SGD(make_params(), lr=0.1)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        optimizer.load_state_dict({"weight": 1})


def test_loading_state_for_an_unknown_parameter_is_refused() -> None:
    optimizer = optim.SGD(make_params(), lr=0.1, momentum=0.9)
    saved = optimizer.state_dict()
    saved["state"][7] = {"momentum_buffer": np.zeros(3)}
    with pytest.raises(ValueError, match="state for parameter 7"):
        optimizer.load_state_dict(saved)


def test_loaded_hyper_parameters_are_checked() -> None:
    optimizer = optim.Adam(make_params())
    saved = optimizer.state_dict()
    saved["param_groups"][0]["betas"] = (1.5, 0.9)
    with pytest.raises(ValueError, match=r"betas\[0\]=1.5"):
        optimizer.load_state_dict(saved)
