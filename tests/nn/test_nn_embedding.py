"""Embedding and F.embedding / F.one_hot: lookups, padding, max_norm, from_pretrained, errors."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg
import tinygrad_fr.nn.functional as F  # noqa: N812
from tinygrad_fr import nn

TABLE = np.arange(12.0).reshape(4, 3)


def test_lookup_has_the_indices_shape_plus_the_embedding_dim():
    weight = tg.Tensor(TABLE, requires_grad=True)
    indices = np.array([[3, 0], [3, 1]])
    out = F.embedding(indices, weight)
    np.testing.assert_array_equal(out.numpy(), TABLE[indices])
    out.sum().backward()
    np.testing.assert_array_equal(weight.grad.numpy()[:, 0], [1, 1, 0, 2])


def test_padding_row_gets_no_gradient_but_keeps_its_value():
    weight = tg.Tensor(TABLE, requires_grad=True)
    out = F.embedding(np.array([0, 1, 0]), weight, padding_idx=0)
    np.testing.assert_array_equal(out.numpy(), TABLE[[0, 1, 0]])
    out.sum().backward()
    np.testing.assert_array_equal(weight.grad.numpy()[:, 0], [0, 1, 0, 0])


def test_the_module_zeroes_its_padding_row_and_draws_the_rest_from_a_normal():
    tg.manual_seed(0)
    layer = nn.Embedding(1000, 4, padding_idx=-1)
    assert layer.padding_idx == 999
    weight = layer.weight.numpy()
    assert not weight[999].any()
    assert abs(weight[:999].std() - 1) < 0.05


def test_max_norm_rescales_the_looked_up_rows_in_place():
    layer = nn.Embedding.from_pretrained(tg.Tensor([[3.0, 4.0], [0.3, 0.4]]), max_norm=1.0)
    out = layer(np.array([0]))
    np.testing.assert_allclose(out.numpy(), [[0.6, 0.8]], rtol=1e-6)
    np.testing.assert_allclose(layer.weight.numpy()[1], [0.3, 0.4])


def test_from_pretrained_freezes_unless_asked():
    table = tg.Tensor(TABLE)
    assert not nn.Embedding.from_pretrained(table).weight.requires_grad
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda: nn.Embedding(5, 3), "Embedding(5, 3)"),
        (lambda: nn.Embedding(5, 3, padding_idx=0), "Embedding(5, 3, padding_idx=0)"),
        (lambda: nn.Embedding(5, 3, max_norm=1.0), "Embedding(5, 3, max_norm=1.0)"),
    ],
)
def test_repr_is_pytorchs(make, text):
    assert repr(make()) == text


def test_indices_out_of_range_raise_index_error():
    with pytest.raises(IndexError, match="index 4 is out of range for a weight of 4 rows"):
        F.embedding(np.array([4]), tg.Tensor(TABLE))


def test_float_indices_are_refused_as_in_pytorch():
    with pytest.raises(RuntimeError, match=r"integer indices .* \.long\(\)"):
        nn.Embedding(4, 3)(tg.Tensor([1.0]))


def test_one_hot_is_int64_and_infers_the_number_of_classes():
    out = F.one_hot(np.array([[0, 2], [1, 1]]))
    assert out.dtype == np.int64 and out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy()[0], [[1, 0, 0], [0, 0, 1]])
    assert F.one_hot(np.array([1]), num_classes=4).shape == (1, 4)
    with pytest.raises(RuntimeError, match=r"class values must be in 0\.\.1"):
        F.one_hot(np.array([2]), num_classes=2)


def test_embedding_training_agrees_with_torch():
    torch = pytest.importorskip("torch")
    indices = np.array([[1, 2, 0], [3, 3, 0]])
    layer = nn.Embedding.from_pretrained(tg.Tensor(TABLE), freeze=False, padding_idx=0)
    reference = torch.nn.Embedding.from_pretrained(torch.tensor(TABLE), freeze=False, padding_idx=0)
    (layer(indices) ** 2).sum().backward()
    (reference(torch.as_tensor(indices)) ** 2).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad.numpy(), reference.weight.grad.numpy())
