"""Layers, containers and activations: shapes, values, errors, Dropout's randomness."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_fr as tg
import tinygrad_fr.nn.functional as F  # noqa: N812 - PyTorch's usual alias
from tinygrad_fr import nn
from tinygrad_fr.nn import functional as F2  # noqa: N812

# -- functional import paths ----------------------------------------------------------------


def test_functional_is_importable_both_ways():
    assert F is F2 is tg.nn.functional
    assert F.cross_entropy is tg.nn.functional.cross_entropy


# -- Linear --------------------------------------------------------------------------------


def test_linear_parameter_shapes_follow_pytorch_layout():
    layer = nn.Linear(3, 4)
    assert layer.weight.shape == (4, 3) and layer.bias.shape == (4,)
    assert layer.weight.dtype == np.float32
    assert (layer.in_features, layer.out_features) == (3, 4)


def test_linear_computes_x_w_transpose_plus_b():
    layer = nn.Linear(3, 2, dtype=tg.float64)
    x = np.random.default_rng(0).normal(size=(5, 3))
    expected = x @ layer.weight.numpy().T + layer.bias.numpy()
    assert np.allclose(layer(tg.Tensor(x)).numpy(), expected, rtol=0, atol=1e-12)


def test_linear_on_one_sample():
    layer = nn.Linear(3, 2, dtype=tg.float64)
    x = np.array([1.0, -2.0, 0.5])
    out = layer(tg.Tensor(x))
    assert out.shape == (2,)
    assert np.allclose(out.numpy(), layer.weight.numpy() @ x + layer.bias.numpy())


def test_linear_on_batched_leading_dimensions():
    layer = nn.Linear(3, 2)
    assert layer(tg.ones(4, 5, 3)).shape == (4, 5, 2)


def test_linear_without_bias():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    assert np.allclose(layer(tg.ones(3)).numpy(), layer.weight.numpy().sum(axis=1))


def test_linear_wrong_width_names_both_widths():
    layer = nn.Linear(3, 4)
    message = (
        r"Linear: input has 5 features \(shape \(2, 5\)\) but this layer expects in_features=3"
    )
    with pytest.raises(ValueError, match=message):
        layer(tg.ones(2, 5))


def test_linear_refuses_a_scalar_input():
    with pytest.raises(ValueError, match="in_features=3"):
        nn.Linear(3, 1)(tg.Tensor(1.0))


def test_linear_refuses_bad_sizes():
    with pytest.raises(ValueError, match="in_features must be a non-negative int"):
        nn.Linear(2.5, 3)


def test_linear_gradients_match_the_formulas():
    layer = nn.Linear(3, 2, dtype=tg.float64)
    x = tg.Tensor(np.random.default_rng(1).normal(size=(4, 3)), requires_grad=True)
    layer(x).sum().backward()
    ones = np.ones((4, 2))
    assert np.allclose(layer.weight.grad.numpy(), ones.T @ x.numpy())
    assert np.allclose(layer.bias.grad.numpy(), ones.sum(axis=0))
    assert np.allclose(x.grad.numpy(), ones @ layer.weight.numpy())


def test_linear_default_init_bounds():
    layer = nn.Linear(100, 50)
    bound = 1 / math.sqrt(100)
    assert np.abs(layer.weight.numpy()).max() <= bound
    assert np.abs(layer.bias.numpy()).max() <= bound
    # U(-b, b) has std b / sqrt(3).
    assert np.std(layer.weight.numpy()) == pytest.approx(bound / math.sqrt(3), rel=0.05)


def test_linear_init_is_reproducible_under_manual_seed():
    tg.manual_seed(7)
    first = nn.Linear(4, 3)
    tg.manual_seed(7)
    second = nn.Linear(4, 3)
    assert np.array_equal(first.weight.numpy(), second.weight.numpy())
    assert np.array_equal(first.bias.numpy(), second.bias.numpy())


def test_functional_linear_checks_shapes():
    with pytest.raises(ValueError, match=r"linear: input has shape \(2, 5\) but weight"):
        F.linear(tg.ones(2, 5), tg.ones(4, 3))
    with pytest.raises(ValueError, match="bias must have shape"):
        F.linear(tg.ones(2, 3), tg.ones(4, 3), tg.ones(3))


# -- Sequential and ModuleList --------------------------------------------------------------


def test_sequential_chains_modules():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    x = tg.ones(4, 2)
    assert np.array_equal(model(x).numpy(), model[2](model[1](model[0](x))).numpy())


def test_sequential_indexing_iteration_and_len():
    layers = [nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3
    assert list(model) == layers
    assert model[-1] is layers[2]
    with pytest.raises(IndexError, match="index 3 is out of range for 3 modules"):
        model[3]


def test_sequential_slice_is_a_sequential_sharing_modules():
    layers = [nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)]
    head = nn.Sequential(*layers)[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    assert head(tg.ones(1, 2)).shape == (1, 3)


def test_sequential_from_ordered_dict_keeps_names():
    model = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.Tanh())]))
    assert [name for name, _ in model.named_parameters()] == ["hidden.weight", "hidden.bias"]
    assert model.hidden is model[0]


def test_sequential_append_extend_set_and_delete():
    model = nn.Sequential(nn.Linear(2, 3))
    assert model.append(nn.Tanh()) is model
    model.extend([nn.Linear(3, 1)])
    assert len(model) == 3
    model[1] = nn.ReLU()
    assert isinstance(model[1], nn.ReLU)
    del model[0]
    assert [name for name, _ in model.named_children()] == ["0", "1"]
    assert isinstance(model[0], nn.ReLU)


def test_sequential_refuses_non_modules():
    with pytest.raises(TypeError, match="entry 1 is a function, not a Module"):
        nn.Sequential(nn.Linear(1, 1), lambda x: x)


def test_module_list_registers_parameters():
    layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
    layers.append(nn.Linear(2, 1))
    layers.extend([nn.Tanh()])
    assert len(layers) == 4
    assert len(list(layers.parameters())) == 6
    assert [name for name, _ in layers.named_parameters()][-1] == "2.bias"
    assert isinstance(layers[-1], nn.Tanh)
    assert isinstance(layers[1:], nn.ModuleList) and len(layers[1:]) == 3


def test_module_list_insert_and_delete_renumber():
    layers = nn.ModuleList([nn.Tanh(), nn.ReLU()])
    layers.insert(1, nn.Sigmoid())
    assert [type(m).__name__ for m in layers] == ["Tanh", "Sigmoid", "ReLU"]
    del layers[0]
    assert [name for name, _ in layers.named_children()] == ["0", "1"]


def test_module_list_inside_a_module():
    class Stack(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList(nn.Linear(2, 2) for _ in range(3))

        def forward(self, x: tg.Tensor) -> tg.Tensor:
            for layer in self.layers:
                x = layer(x).tanh()
            return x

    model = Stack()
    assert model(tg.ones(1, 2)).shape == (1, 2)
    assert [n for n, _ in model.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]


def test_module_list_repr_collapses_repeats_as_pytorch():
    layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Tanh()])
    assert repr(layers) == (
        "ModuleList(\n"
        "  (0-1): 2 x Linear(in_features=2, out_features=2, bias=True)\n"
        "  (2): Tanh()\n"
        ")"
    )
    assert repr(nn.ModuleList()) == "ModuleList()"


# -- Identity, Flatten ----------------------------------------------------------------------


def test_identity_returns_its_input():
    x = tg.ones(2)
    assert nn.Identity(54, unused="yes")(x) is x


def test_flatten_keeps_the_batch_dimension():
    assert nn.Flatten()(tg.ones(2, 3, 4)).shape == (2, 12)
    assert nn.Flatten(0)(tg.ones(2, 3, 4)).shape == (24,)
    assert nn.Flatten(1, 2)(tg.ones(2, 3, 4, 5)).shape == (2, 12, 5)


# -- Dropout ---------------------------------------------------------------------------------


def test_dropout_in_training_zeroes_and_scales():
    x = tg.ones(1000, 100)
    out = nn.Dropout(0.25)(x).numpy()
    kept = out != 0
    assert np.allclose(out[kept], 1 / 0.75)
    assert kept.mean() == pytest.approx(0.75, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.02)


def test_dropout_in_eval_is_the_identity():
    x = tg.ones(10)
    layer = nn.Dropout(0.5).eval()
    assert layer(x) is x


def test_dropout_is_reproducible_under_manual_seed():
    layer = nn.Dropout(0.5)
    tg.manual_seed(3)
    first = layer(tg.ones(50)).numpy()
    tg.manual_seed(3)
    second = layer(tg.ones(50)).numpy()
    third = layer(tg.ones(50)).numpy()
    assert np.array_equal(first, second) and not np.array_equal(second, third)


def test_dropout_gradient_uses_the_same_mask():
    x = tg.ones(200, requires_grad=True)
    out = nn.Dropout(0.5)(x)
    out.sum().backward()
    assert np.array_equal(x.grad.numpy(), out.numpy())


def test_dropout_extreme_probabilities():
    x = tg.ones(5)
    assert F.dropout(x, 0.0) is x
    assert not F.dropout(x, 1.0).numpy().any()
    assert F.dropout(tg.ones(3, dtype=tg.float64), 0.5).dtype == np.float64


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_refuses_p_outside_0_1(p: float):
    with pytest.raises(ValueError, match=f"between 0 and 1, got {p}"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(tg.ones(2), p)


# -- activations ---------------------------------------------------------------------------

X = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0], [1.0, 2.0, -1.0, 0.0, 4.0]])


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = np.exp(x - x.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize(
    ("module", "function", "expected"),
    [
        (nn.Sigmoid(), F.sigmoid, 1 / (1 + np.exp(-X))),
        (nn.Tanh(), F.tanh, np.tanh(X)),
        (nn.ReLU(), F.relu, np.maximum(X, 0)),
        (nn.LeakyReLU(), F.leaky_relu, np.where(X > 0, X, 0.01 * X)),
        (nn.Softmax(dim=1), lambda x: F.softmax(x, dim=1), _softmax(X, 1)),
        (nn.Softmax(dim=0), lambda x: F.softmax(x, dim=0), _softmax(X, 0)),
        (nn.LogSoftmax(dim=1), lambda x: F.log_softmax(x, dim=1), np.log(_softmax(X, 1))),
    ],
)
def test_activation_module_and_function_match_numpy(module, function, expected):
    x = tg.Tensor(X, dtype=tg.float64)
    assert np.allclose(module(x).numpy(), expected, rtol=1e-12, atol=1e-12)
    assert np.allclose(function(x).numpy(), expected, rtol=1e-12, atol=1e-12)


def test_leaky_relu_slope_argument():
    out = nn.LeakyReLU(0.2)(tg.Tensor([-1.0, 2.0]))
    assert np.allclose(out.numpy(), [-0.2, 2.0])


def test_softmax_without_dim_uses_the_last_dimension():
    x = tg.Tensor(X, dtype=tg.float64)
    assert np.allclose(nn.Softmax()(x).numpy(), _softmax(X, -1))
    assert np.allclose(F.log_softmax(x).numpy(), np.log(_softmax(X, -1)))


def test_softmax_dtype_argument_converts_first():
    assert F.softmax(tg.ones(3), dim=0, dtype=tg.float64).dtype == np.float64
