"""Module.state_dict and load_state_dict: keys, round trips, every error, and copies."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn


class TwoLayers(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(3, 1)

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        return self.fc2(self.act(self.fc1(x)))


def test_state_dict_keys_values_and_order():
    model = TwoLayers()
    state = model.state_dict()
    assert isinstance(state, OrderedDict)
    assert list(state) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert all(not value.requires_grad for value in state.values())
    assert np.array_equal(state["fc1.weight"].numpy(), model.fc1.weight.numpy())


def test_state_dict_round_trip_copies_values():
    source, target = TwoLayers(), TwoLayers()
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = tg.Tensor(np.random.default_rng(0).normal(size=(5, 2)))
    assert np.array_equal(source(x).numpy(), target(x).numpy())
    assert target.fc1.weight.numpy() is not source.fc1.weight.numpy()


def test_load_state_dict_keeps_parameter_objects_and_dtype():
    model = TwoLayers()
    weight = model.fc1.weight
    state = {k: v.numpy().astype(np.float64) for k, v in TwoLayers().state_dict().items()}
    model.load_state_dict(state)
    assert model.fc1.weight is weight and weight.dtype == np.float32
    assert np.allclose(weight.numpy(), state["fc1.weight"])


def test_load_state_dict_accepts_arrays_and_tensors():
    model = nn.Linear(2, 1)
    model.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": tg.Tensor([3.0])})
    assert model(tg.Tensor([1.0, 1.0])).tolist() == [6.0]


def test_load_state_dict_missing_key_names_key_and_shape():
    model = TwoLayers()
    state = model.state_dict()
    del state["fc2.bias"]
    with pytest.raises(RuntimeError, match=r"missing key 'fc2\.bias'.*shape \(1,\)"):
        model.load_state_dict(state)


def test_load_state_dict_unexpected_key_names_key_and_shape():
    model = TwoLayers()
    state = model.state_dict()
    state["fc3.weight"] = np.zeros((4, 3))
    with pytest.raises(RuntimeError, match=r"unexpected key 'fc3\.weight' \(shape \(4, 3\)\)"):
        model.load_state_dict(state)


def test_load_state_dict_wrong_shape_names_key_and_both_shapes():
    model = TwoLayers()
    state = model.state_dict()
    state["fc1.weight"] = np.zeros((3, 5))
    with pytest.raises(
        RuntimeError, match=r"'fc1\.weight'.*state_dict has shape \(3, 5\).*shape \(3, 2\)"
    ):
        model.load_state_dict(state)


def test_load_state_dict_wrong_shape_fails_even_when_not_strict():
    model = TwoLayers()
    state = model.state_dict()
    state["fc1.bias"] = np.zeros(7)
    with pytest.raises(RuntimeError, match=r"size mismatch for 'fc1\.bias'"):
        model.load_state_dict(state, strict=False)


def test_load_state_dict_lists_every_problem_and_copies_nothing():
    model = TwoLayers()
    before = model.fc1.weight.numpy().copy()
    state = {k: np.zeros(v.shape) for k, v in model.state_dict().items()}
    del state["fc2.bias"]
    state["extra"] = np.zeros(1)
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(state)
    assert "fc2.bias" in str(error.value) and "extra" in str(error.value)
    assert np.array_equal(model.fc1.weight.numpy(), before)


def test_load_state_dict_not_strict_reports_missing_and_unexpected():
    model = TwoLayers()
    state = model.state_dict()
    del state["fc2.bias"]
    state["extra"] = tg.zeros(1)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["fc2.bias"] and result.unexpected_keys == ["extra"]


def test_load_state_dict_refuses_non_numeric_values():
    model = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="'weight'"):
        model.load_state_dict({"weight": "abc", "bias": np.zeros(1)})


def test_load_state_dict_refuses_a_non_mapping():
    with pytest.raises(TypeError, match="dict"):
        nn.Linear(1, 1).load_state_dict([1, 2])


def test_load_state_dict_works_after_a_forward_that_saved_the_weights():
    model = TwoLayers()
    out = model(tg.ones(1, 2)).sum()  # the graph holds the weights
    model.load_state_dict(TwoLayers().state_dict())
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        out.backward()


def test_deepcopy_gives_an_independent_model():
    model = TwoLayers()
    clone = copy.deepcopy(model)
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in model.named_parameters()]
    with tg.no_grad():
        clone.fc1.weight.add_(1.0)
    assert not np.array_equal(clone.fc1.weight.numpy(), model.fc1.weight.numpy())
