"""LayerNorm and BatchNorm1d: values, gradients, running statistics, modes and state dicts.

The PyTorch comparisons run float64 twins from the same weights, step by step.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg
import tinygrad_fr.nn.functional as F  # noqa: N812
from tinygrad_fr import nn

RNG = np.random.default_rng(7)


def test_layer_norm_normalises_the_last_dimensions():
    x = RNG.normal(size=(4, 3, 5)) * 3 + 1
    out = F.layer_norm(tg.Tensor(x), (3, 5)).numpy()
    centered = x - x.mean(axis=(1, 2), keepdims=True)
    expected = centered / np.sqrt((centered**2).mean(axis=(1, 2), keepdims=True) + 1e-5)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_layer_norm_of_constant_rows_has_finite_gradients():
    x = tg.ones(2, 4, dtype=tg.float64, requires_grad=True)
    nn.LayerNorm(4).double()(x).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_layer_norm_refuses_a_shape_that_does_not_end_the_input():
    with pytest.raises(RuntimeError, match=r"normalized_shape \(4,\) must be the last"):
        F.layer_norm(tg.ones(2, 3), (4,))


def test_layer_norm_parameters_and_repr():
    layer = nn.LayerNorm([3, 4])
    assert [(name, p.shape) for name, p in layer.named_parameters()] == [
        ("weight", (3, 4)),
        ("bias", (3, 4)),
    ]
    assert repr(layer) == "LayerNorm((3, 4), eps=1e-05, elementwise_affine=True, bias=True)"
    bare = nn.LayerNorm(4, elementwise_affine=False)
    assert list(bare.parameters()) == []
    assert repr(bare) == "LayerNorm((4,), eps=1e-05, elementwise_affine=False, bias=False)"


def test_batch_norm_state_dict_has_pytorchs_names_and_dtypes():
    state = nn.BatchNorm1d(3).state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert state["num_batches_tracked"].dtype == np.int64
    assert state["num_batches_tracked"].shape == ()
    assert list(nn.BatchNorm1d(3, affine=False, track_running_stats=False).state_dict()) == []


def test_batch_norm_training_updates_running_stats_and_eval_uses_them():
    layer = nn.BatchNorm1d(2).double()
    x = RNG.normal(size=(8, 2)) * 2 + 3
    out = layer(tg.Tensor(x)).numpy()
    np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(layer.running_mean.numpy(), 0.1 * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.numpy(), 0.9 + 0.1 * x.var(0, ddof=1))
    assert layer.num_batches_tracked.item() == 1
    layer.eval()
    mean, var = layer.running_mean.numpy(), layer.running_var.numpy()
    out = layer(tg.Tensor(x)).numpy()
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-12)
    assert layer.num_batches_tracked.item() == 1


def test_batch_norm_momentum_none_is_a_cumulative_average():
    layer = nn.BatchNorm1d(1, momentum=None).double()
    batches = [RNG.normal(size=(4, 1)) + k for k in range(3)]
    for batch in batches:
        layer(tg.Tensor(batch))
    expected = np.mean([batch.mean() for batch in batches])
    np.testing.assert_allclose(layer.running_mean.numpy(), [expected], rtol=1e-12)


def test_batch_norm_without_running_stats_always_uses_the_batch():
    layer = nn.BatchNorm1d(2, track_running_stats=False).double().eval()
    x = RNG.normal(size=(5, 2))
    np.testing.assert_allclose(
        layer(tg.Tensor(x)).numpy(), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-12
    )


def test_batch_norm_three_dimensional_inputs_normalise_over_batch_and_length():
    layer = nn.BatchNorm1d(3).double()
    x = RNG.normal(size=(4, 3, 5))
    mean = x.mean(axis=(0, 2), keepdims=True)
    expected = (x - mean) / np.sqrt(x.var(axis=(0, 2), keepdims=True) + 1e-5)
    np.testing.assert_allclose(layer(tg.Tensor(x)).numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("shape", "message"),
    [((3,), r"expected 2D or 3D input \(got 1D input\)"), ((1, 3), "more than 1 value")],
)
def test_batch_norm_errors_are_pytorchs(shape, message):
    with pytest.raises(ValueError, match=message):
        nn.BatchNorm1d(3)(tg.ones(*shape))


def test_batch_norm_one_sample_is_fine_in_eval_mode():
    assert nn.BatchNorm1d(3).eval()(tg.ones(1, 3)).shape == (1, 3)


def test_batch_norm_repr_is_pytorchs():
    assert repr(nn.BatchNorm1d(3)) == (
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    )


def test_batch_norm_double_converts_the_running_stats_but_not_the_count():
    layer = nn.BatchNorm1d(2).double()
    assert layer.running_mean.dtype == np.float64
    assert layer.num_batches_tracked.dtype == np.int64


def test_batch_norm_state_dict_round_trips():
    layer = nn.BatchNorm1d(2)
    layer(tg.Tensor(RNG.normal(size=(6, 2)).astype(np.float32)))
    fresh = nn.BatchNorm1d(2)
    fresh.load_state_dict(layer.state_dict())
    np.testing.assert_array_equal(fresh.running_var.numpy(), layer.running_var.numpy())
    assert fresh.num_batches_tracked.item() == 1


# -- against PyTorch ----------------------------------------------------------------------------


def _copy_into(torch, reference, model):
    with torch.no_grad():
        for (_, theirs), (_, mine) in zip(
            reference.state_dict().items(), model.state_dict().items(), strict=True
        ):
            theirs.copy_(torch.from_numpy(mine.numpy().copy()))


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batch_norm_training_steps_agree_with_torch(momentum, shape):
    torch = pytest.importorskip("torch")
    model = nn.Sequential(nn.BatchNorm1d(3, momentum=momentum), nn.Tanh()).double()
    reference = torch.nn.Sequential(
        torch.nn.BatchNorm1d(3, momentum=momentum), torch.nn.Tanh()
    ).double()
    with tg.no_grad():
        model[0].weight.copy_(tg.Tensor(RNG.normal(size=3)))
    _copy_into(torch, reference, model)
    for step in range(3):
        x = RNG.normal(size=shape) * (step + 1)
        mine = tg.Tensor(x, requires_grad=True)
        theirs = torch.tensor(x, requires_grad=True)
        model(mine).pow(3).sum().backward()
        reference(theirs).pow(3).sum().backward()
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-10)
    for (name, value), (_, expected) in zip(
        model.state_dict().items(), reference.state_dict().items(), strict=True
    ):
        np.testing.assert_allclose(value.numpy(), expected.numpy(), rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(
        model[0].weight.grad.numpy(), reference[0].weight.grad.numpy(), rtol=1e-10
    )
    model.eval(), reference.eval()
    x = RNG.normal(size=shape)
    np.testing.assert_allclose(
        model(tg.Tensor(x)).numpy(), reference(torch.tensor(x)).detach().numpy(), rtol=1e-12
    )


def test_layer_norm_values_and_second_derivatives_agree_with_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(3, 4, 5))
    weight, bias = RNG.normal(size=(4, 5)), RNG.normal(size=(4, 5))

    def run(lib, tensor):
        inputs = [tensor(a, requires_grad=True) for a in (x, weight, bias)]
        out = lib.nn.functional.layer_norm(inputs[0], (4, 5), inputs[1], inputs[2], 1e-3)
        first = lib.autograd.grad((out * out * out).sum(), inputs, create_graph=True)
        second = lib.autograd.grad(sum((g * g).sum() for g in first), inputs)
        return [t.detach().numpy() for t in (out, *first, *second)]

    ours = run(tg, lambda a, requires_grad: tg.Tensor(a, requires_grad=requires_grad))
    theirs = run(torch, lambda a, requires_grad: torch.tensor(a, requires_grad=requires_grad))
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-9, atol=1e-12)
