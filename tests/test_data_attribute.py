"""``.data`` as in PyTorch: a tensor sharing memory, without history, whose in-place methods
update the tensor unrecorded; and why such writes still never change a gradient."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg


def test_data_is_a_leaf_without_history_sharing_memory():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    for tensor in (x, y):
        data = tensor.data
        assert isinstance(data, tg.Tensor)
        assert not data.requires_grad and data.is_leaf and data.grad_fn is None
        assert np.shares_memory(data.numpy(), tensor.numpy())


def test_sgd_update_through_data_needs_no_no_grad():
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    p.data -= 0.1 * p.grad
    assert p.tolist() == pytest.approx([0.8, 1.6])
    assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_data_methods_of_initialisation_code():
    w = tg.zeros(1000, requires_grad=True)
    w.data.normal_(0, 0.02)
    assert abs(float(w.detach().std()) - 0.02) < 0.003
    b = tg.ones(3, requires_grad=True)
    b.data.fill_(0)
    assert b.tolist() == [0.0, 0.0, 0.0]
    p = tg.ones(2, requires_grad=True)
    p.data.zero_()
    assert p.tolist() == [0.0, 0.0]
    p.data.copy_(tg.tensor([3.0, 4.0]))
    assert p.tolist() == [3.0, 4.0]
    p.data.uniform_(-1, 1)
    assert bool(((p >= -1) & (p < 1)).all())


def test_data_writes_show_in_the_tensor_and_item_assignment_works():
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    p.data[0] = 5.0
    assert p.tolist() == [5.0, 2.0]


def test_grad_data_zero_clears_the_gradient():
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    (p * 3).sum().backward()
    p.grad.data.zero_()
    assert p.grad.tolist() == [0.0, 0.0]


def test_assigning_an_array_or_a_tensor_to_data_replaces_the_values():
    p = tg.zeros(2, requires_grad=True)
    p.data = np.array([1.0, 2.0], dtype=np.float32)
    assert p.tolist() == [1.0, 2.0]
    source = tg.tensor([[3.0], [4.0]])
    p.data = source
    assert p.shape == (2, 1) and p.requires_grad
    source[0, 0] = 9.0
    assert p.tolist() == [[9.0], [4.0]]  # shares the memory, as in PyTorch


def test_numpy_gives_the_array():
    p = tg.tensor([1.0, 2.0])
    assert isinstance(p.data.numpy(), np.ndarray)
    assert np.shares_memory(p.data.numpy(), p.numpy())


# -- raw writes never change a gradient -----------------------------------------------------


def test_a_write_through_data_after_the_graph_saved_the_values_refuses_backward():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    x = tg.tensor([3.0, 4.0], requires_grad=True)
    loss = (w * x).sum()  # Mul saved w for the gradient of x
    w.data.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_a_write_through_data_after_backward_is_free():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    x = tg.tensor([3.0, 4.0], requires_grad=True)
    (w * x).sum().backward()
    w.data.add_(1.0)
    (w * x).sum().backward()
    assert x.grad.tolist() == [1.0 + 2.0, 2.0 + 3.0]


def test_numpy_of_data_is_read_only_while_a_graph_needs_the_values():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    x = tg.tensor([3.0, 4.0], requires_grad=True)
    loss = (w * x).sum()
    array = w.data.numpy()
    with pytest.raises(ValueError, match="read-only"):
        array[0] = 0.0
    loss.backward()
    assert x.grad.tolist() == [1.0, 2.0]
    array[0] = 0.0  # the graph is released: writable again
    assert w.tolist() == [0.0, 2.0]


def test_manual_sgd_through_data_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x_values, y_values = rng.standard_normal((8, 3)), rng.standard_normal((8, 1))
    w_values = rng.standard_normal((3, 1))
    results = []
    for lib in (tg, torch):
        x, y = lib.tensor(x_values), lib.tensor(y_values)
        w = lib.tensor(w_values, requires_grad=True)
        for _ in range(5):
            loss = (x.mm(w) - y).pow(2).sum()
            loss.backward()
            w.data -= 0.01 * w.grad.data
            w.grad.data.zero_()
        results.append(w.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_assigning_an_array_to_data_copies_it():
    # PyTorch's .data takes only Tensors; an array is copied (tg.from_numpy shares one).
    p = tg.zeros(2, requires_grad=True)
    array = np.array([1.0, 2.0], dtype=np.float32)
    p.data = array
    array[0] = 9.0
    assert p.tolist() == [1.0, 2.0]
    p.data = tg.from_numpy(array)
    array[1] = 7.0
    assert p.tolist() == [9.0, 7.0]
