"""Optional oracle: the public functions agree with PyTorch (values, gradients, dtypes).

Float64 values and gradients to 1e-9; factories' shapes and dtypes; max/min with indices;
comparisons; dtype promotion. Skipped when torch is not installed (never a dependency).
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
M = RNG.standard_normal((3, 4))  # no ties, no zeros: every op is smooth here
N = RNG.standard_normal((3, 4))
V = RNG.standard_normal(4)
C = RNG.standard_normal((2, 3, 4))
P = np.abs(M) + 0.5


def _dtype_name(dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _run(lib, fn, arrays):
    if lib is tg:
        inputs = [tg.Tensor(a, requires_grad=True) for a in arrays]
    else:
        inputs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = fn(lib, *inputs)
    return inputs, out


def _values(out):
    return out.detach().numpy() if isinstance(out, torch.Tensor) else out.numpy()


FUNCTIONS = {
    "exp": (lambda lib, x: lib.exp(x), [M]),
    "log": (lambda lib, x: lib.log(x), [P]),
    "sqrt": (lambda lib, x: lib.sqrt(x), [P]),
    "abs": (lambda lib, x: lib.abs(x), [M]),
    "tanh": (lambda lib, x: lib.tanh(x), [M]),
    "sigmoid": (lambda lib, x: lib.sigmoid(x), [M]),
    "relu": (lambda lib, x: lib.relu(x), [M]),
    "sum-all": (lambda lib, x: lib.sum(x), [M]),
    "sum-tuple-keepdim": (lambda lib, x: lib.sum(x, dim=(0, 2), keepdim=True), [C]),
    "sum-negative": (lambda lib, x: lib.sum(x, -1), [C]),
    "mean-tuple": (lambda lib, x: lib.mean(x, dim=(1, 2)), [C]),
    "mean-keepdim": (lambda lib, x: lib.mean(x, 1, keepdim=True), [M]),
    "max-all": (lambda lib, x: lib.max(x), [M]),
    "min-all": (lambda lib, x: lib.min(x), [M]),
    "max-dim-values": (lambda lib, x: lib.max(x, 1).values, [M]),
    "min-dim-keepdim": (lambda lib, x: lib.min(x, 0, keepdim=True).values, [M]),
    "amax-tuple": (lambda lib, x: x.amax(dim=(0, 2)), [C]),
    "amin-keepdim": (lambda lib, x: x.amin(dim=1, keepdim=True), [C]),
    "var-all": (lambda lib, x: x.var(), [M]),
    "var-tuple-keepdim": (lambda lib, x: x.var(dim=(0, 2), keepdim=True), [C]),
    "var-correction0": (lambda lib, x: x.var(1, correction=0), [M]),
    "std-dim": (lambda lib, x: x.std(0), [M]),
    "std-tuple": (lambda lib, x: x.std(dim=(1, 2), keepdim=True), [C]),
    "reshape": (lambda lib, x: lib.reshape(x, (4, -1)), [M]),
    "transpose": (lambda lib, x: lib.transpose(x, 0, 2), [C]),
    "permute": (lambda lib, x: lib.permute(x, (2, 0, 1)), [C]),
    "flatten": (lambda lib, x: lib.flatten(x, 1), [C]),
    "squeeze": (lambda lib, x: lib.squeeze(lib.unsqueeze(x, 1), 1), [M]),
    "unsqueeze": (lambda lib, x: lib.unsqueeze(x, -1), [M]),
    "softmax": (lambda lib, x: lib.softmax(x, 1), [M]),
    "softmax-dim0": (lambda lib, x: lib.softmax(x, 0), [C]),
    "log_softmax": (lambda lib, x: lib.log_softmax(x, 1), [M]),
    "clamp": (lambda lib, x: lib.clamp(x, -0.5, 0.5), [M]),
    "clamp-min": (lambda lib, x: lib.clamp(x, min=0.1), [M]),
    "stack": (lambda lib, a, b: lib.stack([a, b], 1), [M, N]),
    "cat": (lambda lib, a, b: lib.cat([a, b], dim=-1), [M, N]),
    "where": (lambda lib, a, b: lib.where(a > b, a, b * 2), [M, N]),
    "where-broadcast": (lambda lib, a, b: lib.where(a > 0, a, b), [M, V]),
    "maximum": (lambda lib, a, b: lib.maximum(a, b), [M, N]),
    "minimum-broadcast": (lambda lib, a, b: lib.minimum(a, b), [M, V]),
    "matmul": (lambda lib, a, b: lib.matmul(a, b), [M, N.T.copy()]),
    "matmul-batch-vector": (lambda lib, a, b: a @ b, [C, V]),
    "getitem-repeated": (lambda lib, x: x[[0, 0, 2], 1:], [M]),
    "pow-broadcast": (lambda lib, a, b: a**b, [P, V]),
    "rsub-rpow": (lambda lib, x: 1 - 2.0**x, [M]),
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_values_and_gradients_agree_with_torch(name):
    fn, arrays = FUNCTIONS[name]
    ours_in, ours = _run(tg, fn, arrays)
    theirs_in, theirs = _run(torch, fn, arrays)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(_values(ours), _values(theirs), rtol=1e-9, atol=1e-9)
    weights = RNG.standard_normal(ours.shape)
    (ours * tg.Tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for mine, reference in zip(ours_in, theirs_in, strict=True):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("name", "dim"), [("max", 0), ("max", -1), ("min", 1), ("min", 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_along_dim_return_torch_values_and_indices(name, dim, keepdim):
    ours = getattr(tg.Tensor(M), name)(dim, keepdim)
    theirs = getattr(torch.tensor(M), name)(dim, keepdim)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    assert _dtype_name(ours.indices.dtype) == _dtype_name(theirs.indices.dtype)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize(("dim", "keepdim"), [(None, False), (0, False), (1, True), (-1, False)])
def test_argmax_argmin_agree_with_torch(name, dim, keepdim):
    ours = getattr(tg.Tensor(C), name)(dim=dim, keepdim=keepdim)
    theirs = getattr(torch.tensor(C), name)(dim=dim, keepdim=keepdim)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)


COMPARISONS = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
}
ROUNDED = np.round(M)  # integers: some equal pairs


@pytest.mark.parametrize("name", COMPARISONS)
@pytest.mark.parametrize("other", ["tensor", "broadcast", "scalar"])
def test_comparisons_agree_with_torch(name, other):
    compare = COMPARISONS[name]
    right = {"tensor": np.round(N), "broadcast": np.round(V), "scalar": 0.0}[other]
    ours = compare(tg.Tensor(ROUNDED), tg.Tensor(right) if other != "scalar" else right)
    theirs = compare(torch.tensor(ROUNDED), torch.tensor(right) if other != "scalar" else right)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype) == "bool"


FACTORIES = {
    "zeros": lambda lib: lib.zeros(2, 3),
    "zeros-tuple": lambda lib: lib.zeros((2, 3)),
    "ones-dtype": lambda lib: lib.ones(4, dtype=lib.float64),
    "full-float": lambda lib: lib.full((2, 2), 1.5),
    "eye": lambda lib: lib.eye(3),
    "eye-rect": lambda lib: lib.eye(2, 4),
    "arange-int": lambda lib: lib.arange(5),
    "arange-int-step": lambda lib: lib.arange(1, 8, 3),
    "arange-negative-step": lambda lib: lib.arange(5, 0, -2),
    "arange-float-end": lambda lib: lib.arange(4.0),
    "arange-float-step": lambda lib: lib.arange(0, 1, 0.1),
    "arange-float-start": lambda lib: lib.arange(0.5, 3),
    "linspace": lambda lib: lib.linspace(0, 1, 5),
    "zeros_like-int": lambda lib: lib.zeros_like(lib.arange(3)),
    "ones_like-float": lambda lib: lib.ones_like(lib.zeros(2, 2)),
    "zeros-0d": lambda lib: lib.zeros(()),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_factory_shape_dtype_and_values_agree_with_torch(name):
    ours, theirs = FACTORIES[name](tg), FACTORIES[name](torch)
    assert ours.shape == tuple(theirs.shape)
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_full_with_an_integer_fill_value_has_torch_dtype():
    assert _dtype_name(tg.full((2,), 3).dtype) == _dtype_name(torch.full((2,), 3).dtype)


@pytest.mark.parametrize("name", ["rand", "randn"])
def test_random_factory_shape_and_dtype_agree_with_torch(name):
    ours, theirs = getattr(tg, name)(2, 3), getattr(torch, name)(2, 3)
    assert ours.shape == tuple(theirs.shape)
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)


PROMOTING = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    # Not matmul: torch refuses mixed dtypes there, tinygrad_fr promotes (test_tensor_api.py).
    "maximum": lambda a, b: (tg if isinstance(a, tg.Tensor) else torch).maximum(a, b),
    "cat": lambda a, b: (tg if isinstance(a, tg.Tensor) else torch).cat([a, b]),
    "stack": lambda a, b: (tg if isinstance(a, tg.Tensor) else torch).stack([a, b]),
}


@pytest.mark.parametrize("name", PROMOTING)
@pytest.mark.parametrize(
    ("left", "right"), [("float32", "float64"), ("float64", "float32"), ("float32", "float32")]
)
def test_dtype_promotion_and_gradient_dtypes_agree_with_torch(name, left, right):
    op = PROMOTING[name]
    a, b = P.astype(left), (N**2 + 0.5).astype(right)
    ours = [tg.Tensor(a, requires_grad=True), tg.Tensor(b, requires_grad=True)]
    theirs = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    out_ours, out_theirs = op(*ours), op(*theirs)
    assert _dtype_name(out_ours.dtype) == _dtype_name(out_theirs.dtype)
    out_ours.sum().backward()
    out_theirs.sum().backward()
    for mine, reference in zip(ours, theirs, strict=True):
        assert _dtype_name(mine.grad.dtype) == _dtype_name(reference.grad.dtype)


@pytest.mark.parametrize("scalar", [2, 2.5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_python_scalars_keep_the_tensor_dtype_as_torch(scalar, dtype):
    ours = tg.Tensor(P.astype(dtype)) * scalar
    theirs = torch.tensor(P.astype(dtype)) * scalar
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype) == dtype
