"""Tensor methods and their ``tg.name`` function forms (element-wise, reductions, shapes,
indexing, joins), factories, the seeded random generator and numerical stability.

Construction, attributes and operators are in ``test_tensor_api.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg

F32, F64 = np.dtype(np.float32), np.dtype(np.float64)


# -- methods and their function forms -------------------------------------------------------

X = np.array([[0.5, -1.5, 2.0], [3.0, 0.25, -0.75]])
POSITIVE = np.abs(X) + 0.1

UNARY = {
    "exp": (np.exp, X),
    "log": (np.log, POSITIVE),
    "sqrt": (np.sqrt, POSITIVE),
    "abs": (np.abs, X),
    "tanh": (np.tanh, X),
    "sigmoid": (lambda a: 1 / (1 + np.exp(-a)), X),
    "relu": (lambda a: np.maximum(a, 0), X),
}


@pytest.mark.parametrize("name", UNARY)
def test_unary_method_and_function_match_numpy(name):
    reference, data = UNARY[name]
    t = tg.Tensor(data)
    np.testing.assert_allclose(getattr(t, name)().numpy(), reference(data), rtol=1e-12)
    np.testing.assert_allclose(getattr(tg, name)(t).numpy(), reference(data), rtol=1e-12)


REDUCTIONS = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min}


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dim", [None, (0, 1), (1,), (-2,)], ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
def test_reduction_over_dims_matches_numpy(name, dim, keepdim):
    reference = REDUCTIONS[name]
    t = tg.Tensor(X)
    expected = reference(X, axis=dim, keepdims=keepdim)
    for out in (getattr(t, name)(dim, keepdim), getattr(tg, name)(t, dim=dim, keepdim=keepdim)):
        assert out.shape == np.shape(expected)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_sum_and_mean_over_one_int_dim_match_numpy(name, dim, keepdim):
    out = getattr(tg.Tensor(X), name)(dim=dim, keepdim=keepdim)
    np.testing.assert_allclose(out.numpy(), REDUCTIONS[name](X, axis=dim, keepdims=keepdim))


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_accepts_numpy_aliases_axis_and_keepdims(name):
    t = tg.Tensor(X)
    expected = REDUCTIONS[name](X, axis=(0, 1), keepdims=True)
    np.testing.assert_allclose(getattr(t, name)(axis=(0, 1), keepdims=True).numpy(), expected)
    np.testing.assert_allclose(getattr(tg, name)(t, axis=(0, 1), keepdims=True).numpy(), expected)


@pytest.mark.parametrize(("name", "arg"), [("max", np.argmax), ("min", np.argmin)])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_and_min_along_an_int_dim_return_values_and_indices(name, arg, dim, keepdim):
    t = tg.Tensor(X)
    values, indices = getattr(t, name)(dim=dim, keepdim=keepdim)
    assert getattr(t, name)(dim, keepdim).values.shape == values.shape
    np.testing.assert_array_equal(values.numpy(), REDUCTIONS[name](X, axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(indices.numpy(), arg(X, axis=dim, keepdims=keepdim))
    assert indices.dtype == np.int64


def test_max_along_a_dim_result_has_named_fields():
    result = tg.max(tg.Tensor(X), dim=1)
    assert result.values.tolist() == [2.0, 3.0]
    assert result.indices.tolist() == [2, 0]


def test_max_with_axis_alias_int_returns_values_and_indices():
    values, indices = tg.Tensor(X).max(axis=0)
    assert values.tolist() == [3.0, 0.25, 2.0]
    assert indices.tolist() == [1, 1, 0]


def test_max_of_two_tensors_is_elementwise():
    a, b = tg.Tensor([1.0, 5.0]), tg.Tensor([3.0, 2.0])
    assert a.max(b).tolist() == [3.0, 5.0]
    assert a.min(b).tolist() == [1.0, 2.0]


@pytest.mark.parametrize("dim", [None, 0, 1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_argmax_and_argmin_match_numpy(dim, keepdim):
    t = tg.Tensor(X)
    np.testing.assert_array_equal(
        t.argmax(dim, keepdim).numpy(), np.argmax(X, axis=dim, keepdims=keepdim)
    )
    np.testing.assert_array_equal(
        t.argmin(dim, keepdim).numpy(), np.argmin(X, axis=dim, keepdims=keepdim)
    )


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)], ids=str)
@pytest.mark.parametrize("correction", [0, 1])
def test_var_and_std_match_numpy(dim, correction):
    t = tg.Tensor(X)
    np.testing.assert_allclose(
        t.var(dim, correction=correction).numpy(), np.var(X, axis=dim, ddof=correction)
    )
    np.testing.assert_allclose(
        t.std(dim, correction=correction).numpy(), np.std(X, axis=dim, ddof=correction)
    )


SHAPE_OPS = {
    "reshape": (lambda m, t: m.reshape(t, (3, 2)), lambda a: a.reshape(3, 2)),
    "reshape-1": (lambda m, t: m.reshape(t, (-1,)), lambda a: a.reshape(-1)),
    "transpose": (lambda m, t: m.transpose(t, 0, 1), lambda a: a.T),
    "permute": (lambda m, t: m.permute(t, (1, 0)), lambda a: a.T),
    "flatten": (lambda m, t: m.flatten(t), lambda a: a.reshape(-1)),
    "unsqueeze": (lambda m, t: m.unsqueeze(t, 1), lambda a: a[:, None]),
    "unsqueeze-neg": (lambda m, t: m.unsqueeze(t, -1), lambda a: a[..., None]),
    "squeeze": (lambda m, t: m.squeeze(m.unsqueeze(t, 0)), lambda a: a),
    "squeeze-dim": (lambda m, t: m.squeeze(m.unsqueeze(t, 2), 2), lambda a: a),
    "softmax": (
        lambda m, t: m.softmax(t, 1),
        lambda a: np.exp(a) / np.exp(a).sum(1, keepdims=True),
    ),
    "log_softmax": (
        lambda m, t: m.log_softmax(t, 0),
        lambda a: a - np.log(np.exp(a).sum(0, keepdims=True)),
    ),
    "clamp": (lambda m, t: m.clamp(t, -1.0, 1.0), lambda a: np.clip(a, -1.0, 1.0)),
    "clamp-min": (lambda m, t: m.clamp(t, min=0.3), lambda a: np.clip(a, 0.3, None)),
    "clamp-max": (lambda m, t: m.clamp(t, max=0.3), lambda a: np.clip(a, None, 0.3)),
}


class _Methods:
    """Calls ``tg.Tensor`` methods with the signature of the ``tg`` functions."""

    def __getattr__(self, name):
        return lambda t, *args, **kwargs: getattr(t, name)(*args, **kwargs)


@pytest.mark.parametrize("name", SHAPE_OPS)
@pytest.mark.parametrize("form", ["method", "function"])
def test_shape_and_along_dim_ops_match_numpy(name, form):
    op, reference = SHAPE_OPS[name]
    out = op(tg if form == "function" else _Methods(), tg.Tensor(X))
    expected = reference(X)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)


def test_squeeze_of_a_dim_that_is_not_one_keeps_the_shape():
    assert tg.zeros(1, 2, 1).squeeze(1).shape == (1, 2, 1)


def test_flatten_with_start_dim_merges_the_rest():
    assert tg.zeros(2, 3, 4).flatten(1).shape == (2, 12)


def test_permute_accepts_separate_ints_and_negative_dims():
    assert tg.zeros(2, 3, 4).permute(2, 0, -2).shape == (4, 2, 3)


@pytest.mark.parametrize(
    "index",
    [
        1,
        -1,
        (0, 2),
        slice(None, None, -1),
        (Ellipsis, None, slice(1, None)),
        ([1, 0, 1],),
        (np.array([0, 1]), np.array([2, 0])),
        (slice(None), [0, 0, 2]),
        np.array([[True, False, True], [False, True, False]]),
    ],
    ids=["int", "neg", "pair", "reverse", "ellipsis-none", "list", "arrays", "mixed", "mask"],
)
def test_getitem_matches_numpy(index):
    out = tg.Tensor(X)[index]
    np.testing.assert_array_equal(out.numpy(), X[index])


def test_getitem_accepts_integer_and_bool_tensors():
    t = tg.Tensor(X)
    idx = tg.Tensor(np.array([1, 0]), dtype=tg.int64)
    np.testing.assert_array_equal(t[idx].numpy(), X[[1, 0]])
    np.testing.assert_array_equal(t[t > 0].numpy(), X[X > 0])


def test_stack_and_cat_join_tensors():
    a, b = tg.Tensor([[1.0, 2.0]]), tg.Tensor([[3.0, 4.0]])
    assert tg.cat([a, b]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert tg.cat([a, b], dim=1).tolist() == [[1.0, 2.0, 3.0, 4.0]]
    assert tg.stack([a, b]).shape == (2, 1, 2)
    assert tg.stack([a, b], dim=-1).shape == (1, 2, 2)


def test_where_picks_input_where_condition_else_other():
    x = tg.Tensor([-1.0, 2.0, -3.0])
    assert tg.where(x > 0, x, 0.0).tolist() == [0.0, 2.0, 0.0]
    assert tg.where(x > 0, 1.0, x).tolist() == [-1.0, 1.0, -3.0]
    assert tg.where(np.array([True, False, True]), x, tg.zeros(3)).tolist() == [-1.0, 0.0, -3.0]


def test_maximum_and_minimum_are_elementwise_with_broadcasting():
    a, b = tg.Tensor([[1.0], [4.0]]), tg.Tensor([2.0, 3.0])
    assert tg.maximum(a, b).tolist() == [[2.0, 3.0], [4.0, 4.0]]
    assert tg.minimum(a, b).tolist() == [[1.0, 1.0], [2.0, 3.0]]


FUNCTION_FORMS = [
    "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "sum", "mean", "max", "min",
    "reshape", "transpose", "permute", "flatten", "squeeze", "unsqueeze", "softmax",
    "log_softmax", "clamp", "stack", "cat", "where", "maximum", "minimum", "zeros", "ones",
    "full", "eye", "arange", "rand", "randn", "zeros_like", "ones_like", "grad", "no_grad",
    "enable_grad", "detect_anomaly", "manual_seed", "set_default_dtype", "Function", "Tensor",
]  # fmt: skip


@pytest.mark.parametrize("name", FUNCTION_FORMS)
def test_public_name_is_exported(name):
    assert callable(getattr(tg, name))
    assert name in tg.__all__


# -- factories -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "shape", "fill"),
    [
        (lambda: tg.zeros(2, 3), (2, 3), 0.0),
        (lambda: tg.zeros((2, 3)), (2, 3), 0.0),
        (lambda: tg.ones([4]), (4,), 1.0),
        (lambda: tg.ones(), (), 1.0),
        (lambda: tg.full((2, 2), 7.5), (2, 2), 7.5),
        (lambda: tg.zeros_like(tg.ones(3, 1)), (3, 1), 0.0),
        (lambda: tg.ones_like(tg.zeros(2)), (2,), 1.0),
    ],
    ids=["zeros", "zeros-tuple", "ones-list", "ones-0d", "full", "zeros_like", "ones_like"],
)
def test_constant_factory_gives_shape_and_value(make, shape, fill):
    t = make()
    assert t.shape == shape
    assert np.all(t.numpy() == fill)


def test_like_factories_keep_dtype():
    assert tg.zeros_like(tg.Tensor(np.ones(2))).dtype == F64
    assert tg.ones_like(tg.arange(3)).dtype == np.int64


def test_factory_requires_grad_makes_a_leaf():
    t = tg.zeros(2, requires_grad=True)
    assert t.requires_grad and t.is_leaf


def test_eye_is_identity():
    np.testing.assert_array_equal(tg.eye(3).numpy(), np.eye(3))
    np.testing.assert_array_equal(tg.eye(2, 3).numpy(), np.eye(2, 3))


@pytest.mark.parametrize(
    ("args", "values", "dtype"),
    [
        ((5,), [0, 1, 2, 3, 4], np.int64),
        ((1, 7, 2), [1, 3, 5], np.int64),
        ((3.0,), [0.0, 1.0, 2.0], F32),
        ((0, 1, 0.25), [0.0, 0.25, 0.5, 0.75], F32),
    ],
    ids=["end", "start-end-step", "float-end", "float-step"],
)
def test_arange_gives_int64_for_ints_and_default_float_otherwise(args, values, dtype):
    t = tg.arange(*args)
    assert t.dtype == dtype
    assert t.tolist() == values


@pytest.mark.parametrize("make", [tg.rand, tg.randn])
def test_random_factories_give_shape_and_default_dtype(make):
    t = make(3, 4)
    assert t.shape == (3, 4) and t.dtype == F32
    assert make((2,), dtype=tg.float64).dtype == F64


def test_rand_is_in_unit_interval():
    values = tg.rand(1000).numpy()
    assert values.min() >= 0.0 and values.max() < 1.0


# -- manual_seed ---------------------------------------------------------------------------

RANDOM_DRAWS = {
    "rand": lambda: tg.rand(5).numpy(),
    "randn": lambda: tg.randn(2, 3).numpy(),
    "rand_like": lambda: tg.rand_like(tg.zeros(4)).numpy(),
    "randn_like": lambda: tg.randn_like(tg.zeros(4)).numpy(),
    "linear-init": lambda: tg.nn.Linear(3, 2).weight.numpy().copy(),
    "dropout": lambda: tg.nn.functional.dropout(tg.ones(20), p=0.5).numpy(),
    "dataloader-shuffle": lambda: np.concatenate(
        [
            batch.numpy()
            for (batch,) in tg.data.DataLoader(
                tg.data.TensorDataset(np.arange(10.0)), batch_size=3, shuffle=True
            )
        ]
    ),
}


@pytest.mark.parametrize("name", RANDOM_DRAWS)
def test_manual_seed_makes_random_choices_repeatable(name):
    draw = RANDOM_DRAWS[name]
    tg.manual_seed(123)
    first = draw()
    tg.manual_seed(123)
    np.testing.assert_array_equal(draw(), first)


@pytest.mark.parametrize("name", RANDOM_DRAWS)
def test_different_seeds_give_different_random_choices(name):
    draw = RANDOM_DRAWS[name]
    tg.manual_seed(1)
    first = draw()
    tg.manual_seed(2)
    assert not np.array_equal(draw(), first)


# -- numerical stability -------------------------------------------------------------------

LARGE = [-5000.0, -1000.0, -1.0, 0.0, 1.0, 1000.0, 5000.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", ["sigmoid", "softmax", "log_softmax", "tanh"])
def test_saturating_ops_are_finite_with_finite_gradients_for_huge_inputs(name, dtype):
    x = tg.Tensor(np.array(LARGE, dtype=dtype), requires_grad=True)
    out = getattr(x, name)()
    weights = tg.Tensor(np.arange(len(LARGE), dtype=dtype))
    (out * weights).sum().backward()
    assert np.isfinite(out.numpy()).all()
    assert np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_sigmoid_saturates_to_zero_and_one(dtype):
    out = tg.Tensor(np.array([-1000.0, 0.0, 1000.0], dtype=dtype)).sigmoid().numpy()
    assert 0.0 <= out[0] < 1e-30
    assert out[1] == 0.5
    assert out[2] == 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_log_softmax_of_huge_logits_is_exact(dtype):
    out = tg.Tensor(np.array([1000.0, 0.0], dtype=dtype)).log_softmax(0)
    np.testing.assert_allclose(out.numpy(), [0.0, -1000.0], atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_softmax_of_huge_logits_is_one_hot(dtype):
    out = tg.Tensor(np.array([[1000.0, 0.0, -1000.0]], dtype=dtype)).softmax(1)
    np.testing.assert_allclose(out.numpy(), [[1.0, 0.0, 0.0]])
    assert out.dtype == dtype
