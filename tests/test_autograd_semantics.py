"""How gradients flow: broadcasting undone, accumulation, retained gradients, retain_graph,
release of saved values, and higher-order gradients.

Grad modes and deep graphs are in ``test_grad_modes.py``; mutation of saved arrays in
``test_inplace_safety.py``; custom ops in ``test_function.py``.
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_fr as tg
from tinygrad_fr.testing import strategies as tst


def _leaf(values, dtype=np.float64):
    return tg.Tensor(np.asarray(values, dtype=dtype), requires_grad=True)


# -- broadcasting --------------------------------------------------------------------------

BROADCASTING_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": tg.maximum,
    "minimum": tg.minimum,
    "where": lambda a, b: tg.where(a > 1.0, a, b),
}


@pytest.mark.parametrize("name", BROADCASTING_OPS)
@given(shapes=tst.mutually_broadcastable_shapes(), data=st.data())
def test_gradient_through_broadcasting_has_each_input_shape_and_sums_the_copies(name, shapes, data):
    op = BROADCASTING_OPS[name]
    a = data.draw(tst.tensors(shape=shapes[0], elements=tst.elements(0.5, 2.0)))
    b = data.draw(tst.tensors(shape=shapes[1], elements=tst.elements(0.5, 2.0)))
    a.requires_grad_()
    b.requires_grad_()
    op(a, b).sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    # The broadcast copies of each element are summed: compare with the gradient computed
    # on inputs broadcast explicitly by NumPy, then summed back by hand.
    full = np.broadcast_shapes(a.shape, b.shape)
    a_full = _leaf(np.broadcast_to(a.numpy(), full))
    b_full = _leaf(np.broadcast_to(b.numpy(), full))
    op(a_full, b_full).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), _sum_to(a_full.grad.numpy(), a.shape))
    np.testing.assert_allclose(b.grad.numpy(), _sum_to(b_full.grad.numpy(), b.shape))


def _sum_to(array, shape):
    lead = array.ndim - len(shape)
    array = array.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, size in enumerate(shape) if size == 1 and array.shape[i] != 1)
    return array.sum(axis=axes, keepdims=True).reshape(shape)


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((), (2, 3)), ((3,), (4, 2, 3)), ((4, 1, 3), (1, 5, 1)), ((1,), (2, 2)), ((1, 1), ())],
    ids=["0d", "leading", "size-one", "one-element", "0d-other-side"],
)
def test_broadcast_gradient_shape_for_0d_and_size_one_axes(a_shape, b_shape):
    a = _leaf(np.ones(a_shape))
    b = _leaf(np.full(b_shape, 2.0))
    (a * b).sum().backward()
    assert a.grad.shape == a_shape and b.grad.shape == b_shape
    copies = np.prod(np.broadcast_shapes(a_shape, b_shape)) / np.prod(a_shape)
    np.testing.assert_allclose(a.grad.numpy(), np.full(a_shape, 2.0 * copies))


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((2, 1, 3, 4), (5, 4, 2)), ((4,), (5, 4, 2)), ((3, 4), (4,)), ((4,), (4,))],
    ids=["batch", "vector-batch", "matrix-vector", "dot"],
)
def test_matmul_gradient_has_each_input_shape(a_shape, b_shape):
    rng = np.random.default_rng(0)
    a, b = _leaf(rng.standard_normal(a_shape)), _leaf(rng.standard_normal(b_shape))
    (a @ b).sum().backward()
    assert a.grad.shape == a_shape and b.grad.shape == b_shape


def test_repeated_advanced_indices_accumulate_in_the_gradient():
    x = _leaf([1.0, 2.0, 3.0])
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_repeated_index_pairs_accumulate_in_the_gradient():
    x = _leaf(np.zeros((2, 2)))
    x[[0, 0, 1], [1, 1, 0]].sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0], [1.0, 0.0]]


def test_max_along_dim_sends_the_gradient_to_the_returned_index_only():
    x = _leaf([[1.0, 5.0, 2.0], [7.0, 2.0, 3.0]])
    values, _ = x.max(dim=1)
    values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]


def test_max_of_all_elements_shares_the_gradient_between_ties():
    x = _leaf([[1.0, 7.0], [7.0, 2.0]])
    x.max().backward()
    assert x.grad.tolist() == [[0.0, 0.5], [0.5, 0.0]]


def test_maximum_shares_the_gradient_on_ties():
    a, b = _leaf([1.0, 2.0]), _leaf([1.0, 3.0])
    tg.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 0.0] and b.grad.tolist() == [0.5, 1.0]


def test_clamp_gradient_flows_inside_the_closed_interval():
    x = _leaf([-2.0, -1.0, 0.0, 1.0, 2.0])
    x.clamp(-1.0, 1.0).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]


# -- accumulation and retained gradients ---------------------------------------------------


def test_gradients_accumulate_into_leaves_across_backward_calls():
    x = _leaf([1.0, 2.0])
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]


def test_gradient_of_a_tensor_used_twice_is_the_sum():
    x = _leaf(3.0)
    y = x * 2
    (y * y + y).backward()
    assert x.grad.item() == 2 * (2 * 6.0 + 1)


def test_non_leaf_keeps_no_gradient_by_default():
    x = _leaf([1.0, 2.0])
    y = x * 2
    (y * y).sum().backward()
    assert y.grad is None


def test_retain_grad_keeps_the_gradient_of_a_non_leaf():
    x = _leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward()
    assert y.grad.tolist() == [4.0, 8.0]


def test_leaf_grad_is_a_private_copy_for_each_leaf():
    a, b = _leaf([1.0, 1.0]), _leaf([1.0, 1.0])
    ((a + b) * 2).sum().backward()
    a.grad.numpy()[0] = 100.0
    assert b.grad.tolist() == [2.0, 2.0]


def test_create_graph_gives_each_leaf_its_own_grad():
    a, b = _leaf([1.0, 1.0]), _leaf([1.0, 1.0])
    ((a + b) * 2).sum().backward(create_graph=True)
    assert a.grad is not b.grad
    with tg.no_grad():
        a.grad.add_(1.0)
    assert b.grad.tolist() == [2.0, 2.0]


def test_create_graph_grad_can_be_zeroed_in_place():
    x = _leaf(2.0)
    (x + 1).backward(create_graph=True)
    with tg.no_grad():
        x.grad.zero_()
    assert x.grad.item() == 0.0


def test_backward_on_a_leaf_with_a_gradient_fills_its_grad():
    x = _leaf([1.0, 2.0])
    x.backward(tg.Tensor([3.0, 4.0]))
    assert x.grad.tolist() == [3.0, 4.0]


def test_backward_accepts_gradient_as_list_or_ndarray():
    x = _leaf([1.0, 2.0])
    (x * 2).backward([1.0, 0.5])
    (x * 2).backward(np.array([1.0, 0.5]))
    assert x.grad.tolist() == [4.0, 2.0]


def test_gradient_of_float32_leaf_stays_float32_with_a_float64_seed():
    x = _leaf([1.0, 2.0], dtype=np.float32)
    (x * 2).backward(tg.Tensor(np.ones(2, dtype=np.float64)))
    assert x.grad.dtype == np.float32


def test_tg_grad_returns_gradients_without_touching_dot_grad():
    x = _leaf([1.0, 2.0])
    (g,) = tg.grad((x * x).sum(), x)
    assert g.tolist() == [2.0, 4.0]
    assert x.grad is None


def test_tg_grad_result_can_be_updated_in_place():
    x = _leaf(2.0)
    (g,) = tg.grad(x + 1, x)
    g.add_(1.0)
    assert g.item() == 2.0
    (again,) = tg.grad(x + 1, x)
    assert again.item() == 1.0


def test_tg_grad_with_respect_to_an_intermediate_tensor():
    x = _leaf([1.0, 2.0])
    y = x * 3
    gx, gy = tg.grad((y * y).sum(), [x, y])
    assert gy.tolist() == [6.0, 12.0] and gx.tolist() == [18.0, 36.0]


def test_tg_grad_uses_grad_outputs_for_a_non_scalar_output():
    x = _leaf([1.0, 2.0])
    (g,) = tg.grad(x * 3, x, grad_outputs=tg.Tensor([1.0, 2.0]))
    assert g.tolist() == [3.0, 6.0]


def test_tg_grad_allow_unused_gives_none():
    x, unused = _leaf([1.0]), _leaf([1.0])
    gx, gu = tg.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None


def test_tg_backward_of_several_outputs_sums_their_gradients():
    x = _leaf([1.0, 2.0])
    tg.backward([(x * 2).sum(), (x * x).sum()])
    assert x.grad.tolist() == [4.0, 6.0]


# -- retain_graph --------------------------------------------------------------------------


def test_second_backward_through_a_released_graph_says_to_retain_graph():
    x = _leaf([1.0, 2.0])
    z = (x * x).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        z.backward()


def test_second_tg_grad_through_a_released_graph_says_to_retain_graph():
    x = _leaf([1.0, 2.0])
    z = (x.exp() * x).sum()
    tg.grad(z, x)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        tg.grad(z, x)


def test_retain_graph_allows_a_second_backward_that_accumulates():
    x = _leaf([1.0, 2.0])
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_retain_graph_accumulates_retained_non_leaf_gradients():
    x = _leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    z.backward()
    assert y.grad.tolist() == [8.0, 16.0]


def test_backward_releases_what_the_graph_saved_while_the_output_is_alive():
    # As in PyTorch: keeping the loss (e.g. in a list for logging) must not keep the
    # activations alive once backward has run.
    x = _leaf(np.ones(1000))
    y = x.exp()
    saved = weakref.ref(y.numpy())
    z = y.sum()
    del y
    z.backward()
    gc.collect()
    assert saved() is None


def test_dropping_the_output_after_backward_frees_what_the_graph_saved():
    x = _leaf(np.ones(1000))
    y = x.exp()
    saved = weakref.ref(y.numpy())
    z = y.sum()
    del y
    z.backward()
    del z
    gc.collect()
    assert saved() is None


# -- higher order --------------------------------------------------------------------------


def test_third_derivative_of_x_to_the_fourth():
    x = _leaf(2.0)
    (d1,) = tg.grad(x**4, x, create_graph=True)
    (d2,) = tg.grad(d1, x, create_graph=True)
    (d3,) = tg.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (32.0, 48.0, 48.0)


def test_backward_with_create_graph_gives_a_differentiable_grad():
    x = _leaf(3.0)
    (x**3).backward(create_graph=True)
    first = x.grad
    assert first.requires_grad and first.grad_fn is not None
    x.grad = None
    first.backward()
    assert x.grad.item() == 18.0


def test_hessian_vector_product_matches_closed_form():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    point = np.array([0.5, -0.3])
    x = _leaf(point)
    f = 0.5 * (x @ (tg.Tensor(a) @ x)) + x.exp().sum()
    (g,) = tg.grad(f, x, create_graph=True)
    v = np.array([1.0, 2.0])
    (hv,) = tg.grad((g * tg.Tensor(v)).sum(), x)
    np.testing.assert_allclose(hv.numpy(), (a + np.diag(np.exp(point))) @ v, rtol=1e-12)


POINTS = np.array([-2.0, -0.3, 0.0, 0.7, 1.5])


@pytest.mark.parametrize(
    ("name", "second"),
    [
        ("sigmoid", lambda s: s * (1 - s) * (1 - 2 * s)),
        ("tanh", lambda t: -2 * t * (1 - t * t)),
        ("exp", lambda e: e),
    ],
    ids=["sigmoid", "tanh", "exp"],
)
def test_second_derivative_of_elementwise_op_matches_closed_form(name, second):
    x = _leaf(POINTS)
    y = getattr(x, name)()
    (g,) = tg.grad(y.sum(), x, create_graph=True)
    (gg,) = tg.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), second(y.numpy()), rtol=1e-10, atol=1e-14)


def test_hessian_of_softmax_component_matches_closed_form():
    x = _leaf(POINTS)
    k = 2
    s = x.softmax(0)
    (g,) = tg.grad(s[k], x, create_graph=True)
    hessian = np.stack([tg.grad(g[i], x, retain_graph=True)[0].numpy() for i in range(5)])
    p = s.numpy()
    eye = np.eye(5)
    expected = p[k] * (np.outer(eye[k] - p, eye[k] - p) - (eye * p[:, None] - np.outer(p, p)))
    np.testing.assert_allclose(hessian, expected, rtol=1e-10, atol=1e-14)


def test_gradient_without_create_graph_is_not_differentiable():
    x = _leaf(2.0)
    (g,) = tg.grad(x**2, x)
    assert not g.requires_grad and g.grad_fn is None
