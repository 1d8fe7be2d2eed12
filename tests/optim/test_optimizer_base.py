"""The Optimizer base: parameter groups, errors, zero_grad, skipped parameters, dtypes."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import optim

ALL = [
    (optim.SGD, {"lr": 0.1}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (optim.Adam, {}),
    (optim.Adam, {"amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    (optim.AdamW, {}),
    (optim.RMSprop, {"centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    (optim.Adagrad, {"lr_decay": 0.1, "weight_decay": 0.1}),
]
IDS = [f"{cls.__name__}-{options}" for cls, options in ALL]


def param(*values: float, dtype: Any = tg.float64) -> tg.Tensor:
    return tg.Tensor(list(values), requires_grad=True, dtype=dtype)


# -- parameter groups -------------------------------------------------------------------------


def test_params_can_be_a_generator() -> None:
    params = [param(1.0), param(2.0)]
    optimizer = optim.SGD((p for p in params), lr=0.1)
    assert optimizer.param_groups[0]["params"] == params


def test_per_group_options_override_defaults() -> None:
    a, b = param(1.0), param(1.0)
    optimizer = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.0)
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.5]
    a.grad, b.grad = tg.Tensor([1.0], dtype=tg.float64), tg.Tensor([1.0], dtype=tg.float64)
    optimizer.step()
    assert a._data.tolist() == [0.9] and b._data.tolist() == [0.5]


def test_named_parameters_keep_their_names() -> None:
    optimizer = optim.Adam([("weight", param(1.0)), ("bias", param(2.0))])
    assert optimizer.param_groups[0]["param_names"] == ["weight", "bias"]
    assert len(optimizer.param_groups[0]["params"]) == 2


def test_add_param_group_optimizes_the_new_parameters() -> None:
    a, b = param(1.0), param(1.0)
    optimizer = optim.SGD([a], lr=0.1)
    optimizer.add_param_group({"params": b, "lr": 1.0})
    b.grad = tg.Tensor([1.0], dtype=tg.float64)
    optimizer.step()
    assert b._data.tolist() == [0.0] and optimizer.param_groups[1]["momentum"] == 0


def test_parameters_without_gradient_are_skipped() -> None:
    a, b = param(1.0), param(1.0)
    optimizer = optim.Adam([a, b], lr=0.1)
    a.grad = tg.Tensor([1.0], dtype=tg.float64)
    optimizer.step()
    assert b._data.tolist() == [1.0] and b not in optimizer.state
    assert a._data.tolist() != [1.0] and optimizer.state[a]["step"] == 1


def test_closure_is_evaluated_with_grad_and_its_value_returned() -> None:
    w = param(3.0)
    optimizer = optim.SGD([w], lr=0.25)

    def closure() -> tg.Tensor:
        optimizer.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with tg.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 9.0 and w._data.tolist() == [1.5]


def test_step_invalidates_graphs_that_saved_the_old_values() -> None:
    w = param(1.0, 2.0)
    optimizer = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    stale = (w * w).sum()
    optimizer.step()
    with pytest.raises(RuntimeError):
        stale.backward()


def test_repr_lists_the_groups_and_options() -> None:
    text = repr(optim.SGD([param(1.0)], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text


# -- errors -----------------------------------------------------------------------------------

BAD_OPTIONS = [
    (optim.SGD, {"lr": -0.1}, "lr=-0.1"),
    (optim.SGD, {"lr": float("nan")}, "lr=nan"),
    (optim.SGD, {"lr": 0.1, "momentum": -0.5}, "momentum=-0.5"),
    (optim.SGD, {"lr": 0.1, "weight_decay": -1}, "weight_decay=-1"),
    (optim.SGD, {"lr": 0.1, "nesterov": True}, "nesterov=True needs momentum > 0"),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}, "dampening"),
    (optim.Adam, {"lr": -1e-3}, "lr=-0.001"),
    (optim.Adam, {"betas": (1.0, 0.999)}, "betas[0]=1.0"),
    (optim.Adam, {"betas": (0.9, -0.1)}, "betas[1]=-0.1"),
    (optim.Adam, {"betas": (0.9,)}, "betas must be a pair"),
    (optim.Adam, {"eps": -1e-8}, "eps=-1e-08"),
    (optim.AdamW, {"weight_decay": -0.01}, "weight_decay=-0.01"),
    (optim.RMSprop, {"alpha": -0.5}, "alpha=-0.5"),
    (optim.RMSprop, {"momentum": -0.5}, "momentum=-0.5"),
    (optim.Adagrad, {"lr_decay": -1.0}, "lr_decay=-1.0"),
    (optim.Adagrad, {"initial_accumulator_value": -1.0}, "initial_accumulator_value=-1.0"),
    (optim.Adagrad, {"eps": -1.0}, "eps=-1.0"),
]


@pytest.mark.parametrize(("cls", "options", "message"), BAD_OPTIONS)
def test_bad_hyper_parameter_is_refused_with_its_value(
    cls: Any, options: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=f"{cls.__name__}: .*{re.escape(message)}"):
        cls([param(1.0)], **options)


def test_bad_hyper_parameter_in_a_group_is_refused() -> None:
    with pytest.raises(ValueError, match=r"Adam: invalid lr=-1"):
        optim.Adam([{"params": [param(1.0)], "lr": -1}])


def test_non_numeric_learning_rate_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="lr must be a number, got str"):
        optim.SGD([param(1.0)], lr="0.1")


def test_empty_parameter_list_is_refused() -> None:
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)


def test_a_single_tensor_is_refused() -> None:
    with pytest.raises(TypeError, match=r"single Tensor; pass \[tensor\]"):
        optim.SGD(param(1.0), lr=0.1)


def test_parameter_given_twice_in_a_group_is_refused() -> None:
    w = param(1.0)
    with pytest.raises(ValueError, match=r"parameter 1 of group 0 .* given twice"):
        optim.Adam([w, w])


def test_parameter_given_twice_across_groups_is_refused() -> None:
    w = param(1.0)
    optimizer = optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="already parameter 0 of group 0"):
        optimizer.add_param_group({"params": [w]})


def test_non_tensor_parameter_is_refused() -> None:
    with pytest.raises(TypeError, match="parameter 1 is a ndarray"):
        optim.SGD([param(1.0), np.zeros(2)], lr=0.1)


def test_non_leaf_parameter_is_refused() -> None:
    with pytest.raises(ValueError, match="not a leaf"):
        optim.SGD([param(1.0) * 2], lr=0.1)


def test_a_set_of_parameters_is_refused() -> None:
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD({param(1.0)}, lr=0.1)


def test_group_without_params_is_refused() -> None:
    optimizer = optim.SGD([param(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="no 'params' entry"):
        optimizer.add_param_group({"lr": 0.1})


# -- zero_grad --------------------------------------------------------------------------------


def test_zero_grad_sets_gradients_to_none_by_default() -> None:
    w = param(1.0, 2.0)
    (w * w).sum().backward()
    optim.SGD([w], lr=0.1).zero_grad()
    assert w.grad is None


def test_zero_grad_without_set_to_none_zeroes_the_array_in_place() -> None:
    w, unused = param(1.0, 2.0), param(1.0)
    (w * w).sum().backward()
    grad_array = w.grad._data
    optim.SGD([w, unused], lr=0.1).zero_grad(set_to_none=False)
    assert w.grad._data is grad_array and grad_array.tolist() == [0.0, 0.0]
    assert unused.grad is None


def test_gradients_accumulate_again_after_zeroing_in_place() -> None:
    w = param(1.0, 2.0)
    optimizer = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    optimizer.zero_grad(set_to_none=False)
    (w * 3).sum().backward()
    assert w.grad._data.tolist() == [3.0, 3.0]


def test_zero_grad_drops_the_history_of_a_create_graph_gradient() -> None:
    w = param(1.0, 2.0)
    (w * w * w).sum().backward(create_graph=True)
    optim.SGD([w], lr=0.1).zero_grad(set_to_none=False)
    assert w.grad.grad_fn is None and w.grad._data.tolist() == [0.0, 0.0]


# -- dtypes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("cls", "options"), ALL, ids=IDS)
def test_float32_parameters_and_state_stay_float32(cls: Any, options: dict) -> None:
    w = param(1.0, -2.0, dtype=tg.float32)
    optimizer = cls([w], **options)
    optimizer.param_groups[0]["lr"] = np.float64(0.01)  # a NumPy scalar must not promote
    for _ in range(3):
        w.grad = tg.Tensor([0.5, -0.25], dtype=tg.float32)
        optimizer.step()
    assert w.dtype == np.float32
    for value in optimizer.state[w].values():
        assert not isinstance(value, np.ndarray) or value.dtype == np.float32


@pytest.mark.parametrize(("cls", "options"), ALL, ids=IDS)
def test_step_updates_the_array_in_place(cls: Any, options: dict) -> None:
    w = param(1.0, -2.0)
    array = w._data
    optimizer = cls([w], **options)
    w.grad = tg.Tensor([0.5, -0.25], dtype=tg.float64)
    optimizer.step()
    assert w._data is array and array.tolist() != [1.0, -2.0]
