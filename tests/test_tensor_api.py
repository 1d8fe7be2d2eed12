"""The Tensor's public surface: construction and dtypes, attributes, operators (reflected
forms, comparisons) and dtype promotion.

Methods and factories are in ``test_tensor_methods.py``; gradient semantics in
``test_autograd_semantics.py``; error messages in ``test_errors.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_fr as tg
from tinygrad_fr.testing import strategies as tst

F32, F64 = np.dtype(np.float32), np.dtype(np.float64)


# -- construction and dtypes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "dtype", "shape"),
    [
        (2.5, F32, ()),
        (True, F32, ()),
        ([1.0, 2.0], F32, (2,)),
        ([[1, 2], [3, 4]], F32, (2, 2)),
        ((1, 2, 3), F32, (3,)),
        ([True, False], F32, (2,)),
        ([], F32, (0,)),
        (np.array([1.0, 2.0], dtype=np.float64), F64, (2,)),
        (np.array([1.0], dtype=np.float32), F32, (1,)),
        (np.array([1.0], dtype=np.float16), np.dtype(np.float16), (1,)),
        (np.arange(6).reshape(2, 3), F32, (2, 3)),
        (np.array([1, 2], dtype=np.uint8), F32, (2,)),
        (np.array([True, False]), F32, (2,)),
        (np.array(5), F32, ()),
        (np.float64(2.0), F64, ()),
    ],
    ids=[
        "float", "bool", "list", "nested-int-list", "tuple", "bool-list", "empty-list",
        "float64-array", "float32-array", "float16-array", "int-array", "uint8-array",
        "bool-array", "0d-int-array", "numpy-float64-scalar",
    ],
)  # fmt: skip
def test_constructor_gives_documented_dtype_and_shape(data, dtype, shape):
    t = tg.Tensor(data)
    assert t.dtype == dtype
    assert t.shape == shape
    np.testing.assert_array_equal(t.numpy(), np.asarray(data, dtype=dtype))


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        (3, np.int64), (2.5, F32), (True, np.bool_), ([1, 2], np.int64), ([1, 2.5], F32),
        ([True, False], np.bool_), ([True, 2], np.int64), ([], F32),
        (np.array([1, 2], dtype=np.int32), np.int32), (np.array([1.0]), F64),
        (np.float64(2.0), F64), (tg.tensor([1, 2], dtype=tg.int32), np.int32),
    ],
    ids=[
        "int", "float", "bool", "int-list", "mixed-list", "bool-list", "bool-and-int", "empty",
        "int32-array", "float64-array", "numpy-scalar", "int32-tensor",
    ],
)  # fmt: skip
def test_tensor_function_infers_the_dtype_as_torch_tensor(data, dtype):
    assert tg.tensor(data).dtype == dtype


def test_constructor_with_int_arguments_gives_a_tensor_of_that_size():
    assert tg.Tensor(2, 3).shape == (2, 3) and tg.Tensor(2, 3).dtype == F32
    assert tg.Tensor(3).shape == (3,)
    assert tg.Tensor(tg.Size([2, 1])).shape == (2, 1)
    assert tg.Tensor().shape == (0,)


def test_constructor_keeps_the_dtype_of_a_tensor():
    assert tg.Tensor(tg.tensor([1, 2])).dtype == np.int64


def test_constructor_from_tensor_copies_values_into_a_new_leaf():
    source = tg.Tensor([1.0, 2.0], requires_grad=True) * 2
    t = tg.Tensor(source)
    assert t.is_leaf and not t.requires_grad
    assert t.tolist() == [2.0, 4.0]


def test_constructor_copies_numpy_data():
    array = np.array([1.0, 2.0])
    t = tg.Tensor(array)
    array[0] = 99.0
    assert t.tolist() == [1.0, 2.0]


def test_constructor_dtype_argument_converts():
    assert tg.Tensor([1, 2], dtype=tg.float64).dtype == F64
    assert tg.Tensor([1.5, 2.5], dtype=tg.int64).dtype == np.int64
    assert tg.Tensor(np.ones(2), dtype=tg.float32).dtype == F32


def test_constructor_requires_grad_makes_a_leaf_that_requires_grad():
    t = tg.Tensor([1.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: tg.Tensor([1.0, 2.0]),
        lambda: tg.Tensor(3),
        lambda: tg.zeros(2),
        lambda: tg.ones(2, 2),
        lambda: tg.full((2,), 1.5),
        lambda: tg.eye(2),
        lambda: tg.arange(0.0, 1.0, 0.5),
        lambda: tg.rand(2),
        lambda: tg.randn(2),
        lambda: tg.linspace(0, 1, 3),
    ],
    ids=["list", "int", "zeros", "ones", "full", "eye", "arange", "rand", "randn", "linspace"],
)
def test_set_default_dtype_changes_float_results(make):
    assert make().dtype == F32
    tg.set_default_dtype(tg.float64)
    assert make().dtype == F64


def test_set_default_dtype_keeps_floating_numpy_dtype():
    tg.set_default_dtype(tg.float64)
    assert tg.Tensor(np.ones(2, dtype=np.float32)).dtype == F32


def test_set_default_dtype_refuses_integer_dtype():
    with pytest.raises(TypeError, match="floating"):
        tg.set_default_dtype(tg.int64)


# -- attributes ----------------------------------------------------------------------------


def test_shape_ndim_dtype_len():
    t = tg.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4)
    assert t.ndim == 3
    assert t.dtype == F32
    assert len(t) == 2


def test_len_of_0d_tensor_raises_type_error():
    with pytest.raises(TypeError):
        len(tg.Tensor(1.0))


def test_data_is_a_tensor_sharing_memory_without_history():
    t = tg.Tensor([1.0, 2.0], requires_grad=True)
    data = t.data
    assert isinstance(data, tg.Tensor) and not data.requires_grad and data.is_leaf
    assert np.shares_memory(data.numpy(), t.numpy())


def test_data_is_assignable_from_an_array_or_a_tensor():
    t = tg.Tensor([1.0, 2.0], requires_grad=True)
    t.data = np.array([5.0, 6.0], dtype=np.float32)
    assert t.tolist() == [5.0, 6.0]
    t.data = tg.tensor([7.0, 8.0])
    assert t.tolist() == [7.0, 8.0]
    assert t.requires_grad and t.is_leaf


def test_numpy_shares_memory_with_the_tensor():
    t = tg.Tensor([1.0, 2.0])
    t.numpy()[0] = 7.0
    assert t.tolist() == [7.0, 2.0]


def test_grad_is_assignable_to_a_tensor_or_none():
    t = tg.Tensor([1.0, 2.0], requires_grad=True)
    t.grad = tg.Tensor([3.0, 4.0])
    assert t.grad.tolist() == [3.0, 4.0]
    t.grad = None
    assert t.grad is None


def test_grad_fn_is_none_for_leaves_and_named_for_results():
    x = tg.Tensor([1.0], requires_grad=True)
    assert x.grad_fn is None
    assert (x * 2).grad_fn.name() == "MulBackward0"
    assert (x + 2).grad_fn.name() == "AddBackward0"
    assert x.exp().grad_fn.name() == "ExpBackward0"


def test_result_of_op_is_not_a_leaf():
    x = tg.Tensor([1.0], requires_grad=True)
    y = x * 2
    assert not y.is_leaf and y.requires_grad


def test_result_of_op_on_tensors_without_grad_is_a_leaf_without_grad():
    y = tg.Tensor([1.0]) * 2
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None


def test_t_transposes_a_matrix():
    t = tg.Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.T.shape == (3, 2)
    np.testing.assert_array_equal(t.T.numpy(), t.numpy().T)


def test_item_returns_a_python_number():
    value = tg.Tensor([[2.5]]).item()
    assert value == 2.5 and isinstance(value, float)


def test_tolist_returns_nested_python_lists():
    assert tg.Tensor([[1, 2], [3, 4]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_detach_shares_data_and_leaves_the_graph():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.numpy(), y.numpy())


def test_requires_grad_underscore_sets_the_flag_and_returns_self():
    t = tg.zeros(2)
    assert t.requires_grad_() is t
    assert t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad


@pytest.mark.parametrize(
    ("make", "pieces"),
    [
        (lambda: tg.Tensor([1.0, 2.0]), ["tensor([1., 2.])"]),
        (lambda: tg.Tensor([1.0], requires_grad=True), ["requires_grad=True"]),
        (lambda: tg.Tensor([1.0], requires_grad=True) * 2, ["grad_fn=<MulBackward0>"]),
        (lambda: tg.Tensor(np.ones(1)), ["dtype=torch.float64"]),
        (lambda: tg.Tensor([1.0]) > 0, ["tensor([True])"]),
    ],
    ids=["values", "requires_grad", "grad_fn", "dtype", "bool"],
)
def test_repr_shows_values_and_autograd_state(make, pieces):
    text = repr(make())
    for piece in pieces:
        assert piece in text


# -- operators -----------------------------------------------------------------------------

BINARY_OPERATORS = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "pow": (lambda a, b: a**b, np.power),
}


@pytest.mark.parametrize("name", BINARY_OPERATORS)
@given(shapes=tst.mutually_broadcastable_shapes(), data=st.data())
def test_binary_operator_broadcasts_like_numpy(name, shapes, data):
    op, reference = BINARY_OPERATORS[name]
    left = data.draw(tst.tensors(shape=shapes[0], elements=tst.elements(0.5, 2.0)))
    right = data.draw(
        tst.tensors(shape=shapes[1], elements=tst.elements(-2.0, 2.0, exclude_zero_band=0.25))
    )
    out = op(left, right)
    assert isinstance(out, tg.Tensor)
    np.testing.assert_allclose(out.numpy(), reference(left.numpy(), right.numpy()), rtol=1e-12)


@pytest.mark.parametrize("name", BINARY_OPERATORS)
@pytest.mark.parametrize("other", [3, 2.0, np.array([2.0, 3.0])], ids=["int", "float", "ndarray"])
def test_binary_operator_accepts_number_or_ndarray_on_either_side(name, other):
    op, reference = BINARY_OPERATORS[name]
    t = tg.Tensor(np.array([1.5, 2.5]))
    forward, reflected = op(t, other), op(other, t)
    assert isinstance(forward, tg.Tensor) and isinstance(reflected, tg.Tensor)
    np.testing.assert_allclose(forward.numpy(), reference(t.numpy(), other))
    np.testing.assert_allclose(reflected.numpy(), reference(other, t.numpy()))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (lambda t: 1 - t, [0.0, -1.0]),
        (lambda t: 2.0**t, [2.0, 4.0]),
        (lambda t: 6 / t, [6.0, 3.0]),
        (lambda t: 3 * t, [3.0, 6.0]),
        (lambda t: 1 + t, [2.0, 3.0]),
        (lambda t: -t, [-1.0, -2.0]),
    ],
    ids=["rsub", "rpow", "rtruediv", "rmul", "radd", "neg"],
)
def test_reflected_and_unary_operators_compute_the_right_values(expression, expected):
    assert expression(tg.Tensor([1.0, 2.0])).tolist() == expected


def test_reflected_operator_records_the_graph():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    (2.0**x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.log(2.0) * 2.0 ** np.array([1.0, 2.0]))


def test_ndarray_on_the_left_gives_a_tensor():
    out = np.ones(2) + tg.Tensor([1.0, 2.0])
    assert isinstance(out, tg.Tensor)
    assert out.tolist() == [2.0, 3.0]


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)), ((5, 2, 3), (3, 4))],
)
def test_matmul_operator_follows_numpy_rules(a_shape, b_shape):
    a, b = np.random.default_rng(0).standard_normal(a_shape), np.ones(b_shape)
    out = tg.Tensor(a) @ tg.Tensor(b)
    np.testing.assert_allclose(out.numpy(), a @ b)
    np.testing.assert_allclose((a @ tg.Tensor(b)).numpy(), a @ b)
    np.testing.assert_allclose(tg.matmul(tg.Tensor(a), tg.Tensor(b)).numpy(), a @ b)


COMPARISONS = {
    "lt": (lambda a, b: a < b, np.less),
    "le": (lambda a, b: a <= b, np.less_equal),
    "gt": (lambda a, b: a > b, np.greater),
    "ge": (lambda a, b: a >= b, np.greater_equal),
    "eq": (lambda a, b: a == b, np.equal),
    "ne": (lambda a, b: a != b, np.not_equal),
}


@pytest.mark.parametrize("name", COMPARISONS)
@pytest.mark.parametrize(
    "other",
    [2.0, np.array([[1.0], [3.0]]), "tensor"],
    ids=["number", "ndarray-broadcast", "tensor"],
)
def test_comparison_returns_a_bool_tensor_without_grad(name, other):
    op, reference = COMPARISONS[name]
    x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    other = tg.Tensor([3.0, 2.0, 1.0]) if isinstance(other, str) else other
    out = op(x, other)
    expected = reference(x.numpy(), other.numpy() if isinstance(other, tg.Tensor) else other)
    assert isinstance(out, tg.Tensor)
    assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None
    np.testing.assert_array_equal(out.numpy(), expected)


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparison_with_ndarray_on_the_left_gives_a_tensor(name):
    op, reference = COMPARISONS[name]
    a = np.array([1.0, 2.0, 3.0])
    out = op(a, tg.Tensor([3.0, 2.0, 1.0]))
    assert isinstance(out, tg.Tensor)
    np.testing.assert_array_equal(out.numpy(), reference(a, [3.0, 2.0, 1.0]))


# -- dtype promotion -----------------------------------------------------------------------

PROMOTING_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "matmul": lambda a, b: a @ b,
    "maximum": tg.maximum,
    "minimum": tg.minimum,
    "where": lambda a, b: tg.where(a > 1.5, a, b),
    "cat": lambda a, b: tg.cat([a, b]),
    "stack": lambda a, b: tg.stack([a, b]),
}


@pytest.mark.parametrize("name", PROMOTING_OPS)
@pytest.mark.parametrize("order", ["f32-f64", "f64-f32"])
def test_mixed_float_dtypes_promote_and_gradients_keep_each_input_dtype(name, order):
    first, second = (np.float32, np.float64) if order == "f32-f64" else (np.float64, np.float32)
    a = tg.Tensor(np.array([[1.0, 2.0], [3.0, 0.5]], dtype=first), requires_grad=True)
    b = tg.Tensor(np.array([[2.0, 1.0], [0.5, 3.0]], dtype=second), requires_grad=True)
    out = PROMOTING_OPS[name](a, b)
    assert out.dtype == F64
    out.sum().backward()
    assert a.grad.dtype == first and b.grad.dtype == second


def test_python_number_keeps_float32():
    assert (tg.Tensor([1.0]) * 0.5).dtype == F32
    assert (2.5 + tg.Tensor([1.0])).dtype == F32


def test_float64_ndarray_promotes_float32_tensor():
    assert (tg.Tensor([1.0]) + np.ones(1)).dtype == F64


def test_0d_float64_tensor_does_not_promote_a_float32_tensor_as_in_pytorch():
    scalar = tg.Tensor(np.float64(2.0))
    assert (tg.Tensor([1.0]) * scalar).dtype == F32
