"""The smooth activations (softplus, GELU, SiLU, ELU, Mish, logsigmoid) and erf.

Values and first gradients of small inputs are in the op table; here: erf against math.erf on
both of its paths, large inputs, extreme values, in-place forms, reprs, and (when torch is
installed) second derivatives against PyTorch in float64.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_fr as tg
import tinygrad_fr.nn.functional as F  # noqa: N812
from tinygrad_fr import nn
from tinygrad_fr.ops.activation import erf

ACTIVATIONS = {
    "softplus": lambda f, x: f.softplus(x),
    "softplus_beta": lambda f, x: f.softplus(x, beta=2.0, threshold=3.0),
    "gelu": lambda f, x: f.gelu(x),
    "gelu_tanh": lambda f, x: f.gelu(x, approximate="tanh"),
    "silu": lambda f, x: f.silu(x),
    "elu": lambda f, x: f.elu(x, alpha=0.7),
    "mish": lambda f, x: f.mish(x),
    "logsigmoid": lambda f, x: f.logsigmoid(x),
}


def _inputs(size: int = 600) -> np.ndarray:
    # Large enough for erf's vectorised path; spans every branch (|x| < 1, < 6, beyond).
    return np.random.default_rng(0).uniform(-8, 8, size)


@pytest.mark.parametrize(
    "values",
    [
        np.linspace(-7, 7, 100_001),  # the Chebyshev path
        np.linspace(-7, 7, 101),  # the math.erf path (small arrays)
        np.geomspace(1e-300, 1.0, 1000) * np.array([[1.0], [-1.0]]),
    ],
    ids=["large", "small", "tiny-values"],
)
def test_erf_is_within_3_ulps_of_math_erf(values):
    expected = np.vectorize(math.erf)(values)
    error = np.abs(erf(values) - expected) / np.spacing(np.abs(expected))
    assert error.max() <= 3


def test_erf_special_values_on_both_paths():
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 6.0, -6.0, 7.5, -7.5])
    for values in (special, np.tile(special, 40)):
        out = erf(values)[: special.size]
        np.testing.assert_array_equal(out, [math.erf(v) for v in special])
        assert np.signbit(out[1])


def test_erf_keeps_float32_and_promotes_integers():
    assert erf(np.zeros(3, np.float32)).dtype == np.float32
    assert erf(np.zeros(300, np.float32)).dtype == np.float32
    assert erf(np.arange(3)).dtype == np.float64
    assert erf(np.array(0.5)).shape == ()


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_extreme_inputs_give_finite_values_and_gradients(name):
    x = tg.Tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], requires_grad=True)
    out = ACTIVATIONS[name](F, x)
    out.sum().backward()
    assert np.isfinite(out.numpy()).all()
    assert np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_float32_stays_float32_on_large_inputs(name):
    x = tg.Tensor(_inputs().astype(np.float32), requires_grad=True)
    out = ACTIVATIONS[name](F, x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


def test_softplus_is_linear_past_the_threshold():
    x = tg.Tensor([30.0, 1.0])
    np.testing.assert_allclose(F.softplus(x).numpy(), [30.0, math.log1p(math.e)])


def test_gelu_refuses_an_unknown_approximation():
    with pytest.raises(RuntimeError, match="none or tanh"):
        F.gelu(tg.ones(2), approximate="erf")


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "silu", "elu", "mish"])
def test_inplace_writes_into_the_input_and_keeps_the_gradient(name):
    base = tg.Tensor([-1.5, 0.5, 2.0], requires_grad=True)
    x = base * 1.0
    expected = getattr(F, name)(base * 1.0)
    out = getattr(F, name)(x, inplace=True)
    assert out is x
    np.testing.assert_allclose(x.numpy(), expected.numpy())
    out.sum().backward()
    reference = tg.Tensor(base.numpy(), requires_grad=True)
    getattr(F, name)(reference).sum().backward()
    np.testing.assert_allclose(base.grad.numpy(), reference.grad.numpy())


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    with pytest.raises(RuntimeError, match="leaf"):
        nn.ReLU(inplace=True)(tg.ones(2, requires_grad=True))


@pytest.mark.parametrize(
    ("module", "text"),
    [
        (nn.GELU(), "GELU(approximate='none')"),
        (nn.GELU("tanh"), "GELU(approximate='tanh')"),
        (nn.SiLU(), "SiLU()"),
        (nn.SiLU(True), "SiLU(inplace=True)"),
        (nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)"),
        (nn.Softplus(2, 10), "Softplus(beta=2, threshold=10)"),
        (nn.ELU(), "ELU(alpha=1.0)"),
        (nn.ELU(0.5, True), "ELU(alpha=0.5, inplace=True)"),
        (nn.Mish(), "Mish()"),
        (nn.LogSigmoid(), "LogSigmoid()"),
        (nn.ReLU(True), "ReLU(inplace=True)"),
    ],
)
def test_module_reprs_are_pytorchs(module, text):
    assert repr(module) == text


def test_modules_compute_their_functions():
    x = tg.Tensor(_inputs(50))
    pairs = [
        (nn.GELU("tanh"), F.gelu(x, approximate="tanh")),
        (nn.SiLU(), F.silu(x)),
        (nn.Softplus(2.0, 5.0), F.softplus(x, 2.0, 5.0)),
        (nn.ELU(0.3), F.elu(x, 0.3)),
        (nn.Mish(), F.mish(x)),
        (nn.LogSigmoid(), F.logsigmoid(x)),
    ]
    for module, expected in pairs:
        np.testing.assert_array_equal(module(x).numpy(), expected.numpy())


# -- against PyTorch --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_values_and_first_and_second_derivatives_agree_with_torch(name):
    torch = pytest.importorskip("torch")
    values = _inputs()
    rng = np.random.default_rng(1)
    v, w = rng.standard_normal(values.shape), rng.standard_normal(values.shape)
    fn = ACTIVATIONS[name]

    x = tg.Tensor(values, requires_grad=True)
    out = fn(F, x)
    (first,) = tg.grad((out * tg.Tensor(v)).sum(), x, create_graph=True)
    (second,) = tg.grad((first * tg.Tensor(w)).sum(), x)

    tx = torch.tensor(values, requires_grad=True)
    tout = fn(torch.nn.functional, tx)
    (tfirst,) = torch.autograd.grad((tout * torch.tensor(v)).sum(), tx, create_graph=True)
    (tsecond,) = torch.autograd.grad((tfirst * torch.tensor(w)).sum(), tx)

    for mine, theirs in ((out, tout), (first, tfirst), (second, tsecond)):
        np.testing.assert_allclose(mine.numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_float32_values_agree_with_torch(name):
    torch = pytest.importorskip("torch")
    values = _inputs().astype(np.float32)
    x = tg.Tensor(values, requires_grad=True)
    ACTIVATIONS[name](F, x).sum().backward()
    tx = torch.tensor(values, requires_grad=True)
    tout = ACTIVATIONS[name](torch.nn.functional, tx)
    tout.sum().backward()
    out = ACTIVATIONS[name](F, tg.Tensor(values))
    # Tails where tanh rounds to ±1 in one library and not the other differ by ~1e-6.
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-5)
