"""nn.init: gains, fans, distributions (bounds, mean, std), in-place writes, reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.nn import init


@pytest.mark.parametrize(
    ("nonlinearity", "param", "gain"),
    [
        ("linear", None, 1.0),
        ("sigmoid", None, 1.0),
        ("conv2d", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / (1 + 0.2**2))),
        ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain(nonlinearity: str, param: float | None, gain: float):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain)


def test_calculate_gain_unknown_nonlinearity():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


@pytest.mark.parametrize(
    ("shape", "fans"), [((5, 3), (3, 5)), ((8, 4, 3, 3), (36, 72)), ((2, 7, 5), (35, 10))]
)
def test_fans_as_pytorch(shape: tuple, fans: tuple):
    assert init._calculate_fan_in_and_fan_out(tg.zeros(*shape)) == fans


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match=r"fewer than 2 dimensions \(shape \(4,\)\)"):
        init.xavier_uniform_(tg.zeros(4))


def test_init_writes_in_place_and_returns_the_tensor():
    layer = nn.Linear(3, 2)
    weight = layer.weight
    assert init.ones_(weight) is weight
    assert layer.weight is weight and weight.numpy().tolist() == [[1.0] * 3] * 2
    assert weight.requires_grad and weight.is_leaf


def test_constant_zeros_ones():
    t = tg.zeros(3)
    assert init.constant_(t, 2.5).tolist() == [2.5] * 3
    assert init.zeros_(t).tolist() == [0.0] * 3
    assert init.ones_(t).tolist() == [1.0] * 3


def test_init_keeps_the_dtype():
    t = tg.zeros(50, 40, dtype=tg.float64)
    assert init.kaiming_normal_(t).dtype == np.float64
    assert init.uniform_(tg.zeros(3)).dtype == np.float32


def test_uniform_bounds_and_moments():
    values = init.uniform_(tg.zeros(200, 100), -2.0, 3.0).numpy()
    assert values.min() >= -2.0 and values.max() <= 3.0
    assert values.mean() == pytest.approx(0.5, abs=0.05)
    assert values.std() == pytest.approx(5 / math.sqrt(12), rel=0.03)


def test_normal_moments():
    values = init.normal_(tg.zeros(200, 100), mean=1.0, std=0.5).numpy()
    assert values.mean() == pytest.approx(1.0, abs=0.02)
    assert values.std() == pytest.approx(0.5, rel=0.03)


def test_xavier_uniform_bound():
    values = init.xavier_uniform_(tg.zeros(300, 200), gain=2.0).numpy()
    bound = 2.0 * math.sqrt(6 / 500)
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.98 * bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)


def test_xavier_normal_std():
    values = init.xavier_normal_(tg.zeros(300, 200)).numpy()
    assert values.mean() == pytest.approx(0.0, abs=0.01)
    assert values.std() == pytest.approx(math.sqrt(2 / 500), rel=0.03)


@pytest.mark.parametrize(("mode", "fan"), [("fan_in", 200), ("fan_out", 300)])
def test_kaiming_uniform_bound(mode: str, fan: int):
    values = init.kaiming_uniform_(tg.zeros(300, 200), mode=mode, nonlinearity="relu").numpy()
    bound = math.sqrt(2) * math.sqrt(3 / fan)
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.98 * bound


def test_kaiming_normal_std():
    values = init.kaiming_normal_(tg.zeros(300, 200), nonlinearity="relu").numpy()
    assert values.std() == pytest.approx(math.sqrt(2 / 200), rel=0.03)


def test_kaiming_with_a_sqrt5_is_pytorch_linear_default():
    values = init.kaiming_uniform_(tg.zeros(300, 400), a=math.sqrt(5)).numpy()
    assert np.abs(values).max() <= 1 / math.sqrt(400)
    assert np.abs(values).max() > 0.98 / math.sqrt(400)


def test_kaiming_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        init.kaiming_uniform_(tg.zeros(2, 2), mode="fan_avg")


def test_init_is_reproducible_under_manual_seed():
    tg.manual_seed(11)
    first = init.normal_(tg.zeros(5)).numpy().copy()
    tg.manual_seed(11)
    assert np.array_equal(init.normal_(tg.zeros(5)).numpy(), first)


def test_init_works_on_a_parameter_while_grad_is_recorded():
    param = nn.Parameter(tg.zeros(3, 3))
    init.xavier_uniform_(param)
    assert param.numpy().any() and tg.is_grad_enabled()


def test_init_refuses_non_tensors():
    with pytest.raises(TypeError, match="expected a Tensor"):
        init.normal_(np.zeros(3))


def test_init_refuses_bad_ranges():
    with pytest.raises(ValueError, match="lower bound"):
        init.uniform_(tg.zeros(2), 1.0, 0.0)
    with pytest.raises(ValueError, match="std must be non-negative"):
        init.normal_(tg.zeros(2), std=-1.0)
