"""Indexing as PyTorch where it differs from NumPy (an int beside index arrays selects first),
for reading, for the gradient, and for item assignment; PyTorch's exception classes for bad
indices and shapes. Compared with PyTorch itself when it is installed."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg

X = np.arange(24.0).reshape(2, 3, 4)
INDICES = {
    "int-slice-list": (0, slice(None), [0, 1]),
    "list-slice-int": ([0, 1], slice(None), 0),
    "list-int-list": ([0, 1], 0, [0, 1]),
    "int-list-list": (0, [0, 1], [1, 2]),
    "int-ellipsis-list": (0, Ellipsis, [0, 1]),
    "slice-list-int": (slice(None), [0, 2], 1),
    "none-int-slice-list": (None, 0, slice(None), [0, 1]),
    "int-none-slice-list": (0, None, slice(None), [3, 0]),
    "int-mask": (1, np.array([True, False, True])),
    "mask-int": (np.array([True, False]), 2),
    "list-repeats": ([1, 1, 0],),
    "nested-list": ([[0, 1], [1, 0]],),
    "0d-tensor": (np.array(1),),
    "negative-int-list": (-1, slice(None), [-1, 0]),
    "plain": (1, slice(0, 2), 3),
}


def _index(key: str, lib: object) -> tuple:
    items = []
    for item in INDICES[key]:
        if isinstance(item, (list, np.ndarray)):
            item = lib.tensor(item)  # type: ignore[attr-defined]
        items.append(item)
    return tuple(items)


def test_int_beside_an_index_array_selects_first_as_in_pytorch():
    x = tg.tensor(X)
    assert x[0, :, [0, 1]].shape == (3, 2)  # NumPy gives (2, 3)
    assert x[0, :, [0, 1]].tolist() == X[0][:, [0, 1]].tolist()


def test_the_gradient_of_a_mixed_index_accumulates_repeats():
    x = tg.tensor(X, requires_grad=True)
    x[0, :, [1, 1]].sum().backward()
    expected = np.zeros_like(X)
    expected[0, :, 1] = 2.0
    assert x.grad.tolist() == expected.tolist()


def test_item_assignment_with_a_mixed_index_writes_pytorchs_elements():
    x = tg.tensor(X.copy())
    x[0, :, [0, 1]] = tg.tensor([[-1.0, -2.0]] * 3)
    expected = X.copy()
    expected[0][:, [0, 1]] = [[-1.0, -2.0]] * 3
    assert x.tolist() == expected.tolist()


def test_recorded_item_assignment_with_a_mixed_index_sends_gradients_to_both():
    x = tg.tensor(X, requires_grad=True)
    value = tg.ones(3, 2, requires_grad=True)
    y = x * 1.0
    y[0, :, [0, 1]] = value * 3
    y.sum().backward()
    assert value.grad.tolist() == [[3.0, 3.0]] * 3
    assert x.grad[0, :, :2].sum().item() == 0.0 and x.grad.sum().item() == 24 - 6


@pytest.mark.parametrize("key", INDICES)
def test_reading_matches_pytorch(key):
    torch = pytest.importorskip("torch")
    ours = tg.tensor(X, requires_grad=True)
    theirs = torch.tensor(X, requires_grad=True)
    got, want = ours[_index(key, tg)], theirs[_index(key, torch)]
    assert got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    projection = np.random.default_rng(0).standard_normal(got.shape)
    (got * tg.tensor(projection)).sum().backward()
    (want * torch.tensor(projection)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("key", [k for k in INDICES if k not in ("list-repeats", "nested-list")])
def test_item_assignment_matches_pytorch(key):
    torch = pytest.importorskip("torch")
    ours, theirs = tg.tensor(X.copy()), torch.tensor(X.copy())
    shape = tuple(theirs[_index(key, torch)].shape)
    value = np.random.default_rng(1).standard_normal(shape)
    ours[_index(key, tg)] = tg.tensor(value)
    theirs[_index(key, torch)] = torch.tensor(value)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize(
    ("compute", "error"),
    [
        (lambda lib: lib.zeros(2, 3)[5], IndexError),
        (lambda lib: lib.zeros(2, 3)[:, 7], IndexError),
        (lambda lib: lib.zeros(2, 3)[lib.tensor([0.5])], IndexError),
        (lambda lib: lib.zeros(2, 3)[[0, 5]], IndexError),
        (lambda lib: lib.zeros(2, 3) @ lib.zeros(4, 5), RuntimeError),
        (lambda lib: lib.zeros(2, 3) + lib.zeros(4, 5), RuntimeError),
        (lambda lib: lib.zeros(2, 3).mm(lib.zeros(2, 3)), RuntimeError),
        (lambda lib: lib.zeros(3).dot(lib.zeros(4)), RuntimeError),
        (lambda lib: lib.zeros(2, 3).reshape(4, 5), RuntimeError),
        (lambda lib: lib.zeros(2, 3).view(-1, -1), RuntimeError),
        (lambda lib: lib.zeros(2, 3).sum(dim=5), IndexError),
        (lambda lib: lib.zeros(2, 3).transpose(0, 5), IndexError),
        (lambda lib: lib.zeros(2, 3) + "a", TypeError),
        (lambda lib: lib.zeros(2).item(), RuntimeError),
        (lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(2, 4)]), RuntimeError),
        (lambda lib: lib.stack([lib.zeros(2, 3), lib.zeros(2, 4)]), RuntimeError),
        (lambda lib: lib.zeros(2, 3).permute(0, 0), RuntimeError),
        (lambda lib: lib.zeros(2, 3).expand(3, 3), RuntimeError),
        (lambda lib: lib.zeros(2, 3).flatten(1, 0), RuntimeError),
        (lambda lib: lib.zeros(2).clamp(), RuntimeError),
        (lambda lib: lib.zeros(0).max(), RuntimeError),
        (lambda lib: lib.zeros(0).argmax(), IndexError),
        (lambda lib: lib.tensor([[1, 2], [3]]), ValueError),
        (lambda lib: lib.zeros(-1), RuntimeError),
        (lambda lib: lib.arange(0, 1, 0), RuntimeError),
        (lambda lib: lib.tensor([1, 2], requires_grad=True), RuntimeError),
        (lambda lib: lib.zeros(2, 3, 4).t(), RuntimeError),
        (lambda lib: lib.zeros(4).split([1, 2]), RuntimeError),
        (lambda lib: lib.zeros(2).masked_fill(lib.zeros(2), 1.0), RuntimeError),
    ],
    ids=[
        "index-out-of-range", "second-dim-out-of-range", "float-index", "list-out-of-range",
        "matmul-shapes", "broadcast-shapes", "mm-shapes", "dot-sizes", "reshape-size",
        "two-minus-ones", "dim-out-of-range", "transpose-dim", "operand-type", "item",
        "cat-shapes", "stack-shapes", "permute-repeat", "expand-shape", "flatten-order",
        "clamp-no-bounds", "max-empty", "argmax-empty", "ragged", "negative-size",
        "zero-step", "int-requires-grad", "t-3d", "split-sizes", "float-mask",
    ],
)  # fmt: skip
def test_errors_have_pytorchs_exception_classes(compute, error):
    with pytest.raises(error):
        compute(tg)
    torch = pytest.importorskip("torch")
    with pytest.raises(error):
        compute(torch)


def test_an_empty_list_index_selects_nothing():
    assert tg.arange(6)[[]].shape == (0,) and tg.arange(6)[[]].dtype == tg.int64


def test_setitem_drops_the_values_leading_ones_as_pytorch():
    x = tg.zeros(3)
    x[0] = tg.tensor([1.0])  # the out[i] = model(x) pattern
    assert x.tolist() == [1.0, 0.0, 0.0]
    w = tg.ones(1, requires_grad=True)
    y = tg.zeros(3)
    y[1] = w * 2
    y.sum().backward()
    assert y.tolist() == [0.0, 2.0, 0.0] and w.grad.tolist() == [2.0]
    z = tg.zeros(2, 3)
    z[:] = tg.ones(1, 1, 3)
    assert z.tolist() == [[1.0] * 3] * 2


def test_promote_types_takes_the_dtype_names():
    assert tg.promote_types(tg.int32, tg.float32) == tg.float32
    assert tg.promote_types(tg.int64, tg.float16) == tg.float16
