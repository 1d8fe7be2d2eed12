"""Values where PyTorch's answer is a choice (gradients at singular points, 0-d reductions,
rounding of integer ranges, clamp with min > max...), pinned to PyTorch's numbers, and
compared with PyTorch itself when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_fr as tg

INF, NAN = math.inf, math.nan


def _grads(fn, *values):
    inputs = [tg.tensor(v, dtype=tg.float64, requires_grad=True) for v in values]
    out = fn(*inputs)
    grads = tg.grad(out.sum(), inputs, allow_unused=True)
    return out.tolist(), [None if g is None else g.tolist() for g in grads]


# (name, fn, inputs, PyTorch's value, PyTorch's gradients), from PyTorch 2.13.
EDGE_CASES = [
    ("pow-zero-exponent", lambda x: x**0, [[0.0, 1.0]], [1.0, 1.0], [[0.0, 0.0]]),
    (
        "pow-at-zero", lambda x, y: x**y, [[0.0, 0.0, 0.0], [0.0, -1.0, 2.0]], [1.0, INF, 0.0],
        [[0.0, -INF, 0.0], [0.0, -INF, 0.0]],
    ),
    ("zero-to-x", lambda x: 0.0**x, [[-1.0, 0.0, 2.0]], [INF, 1.0, 0.0], [[-INF, 0.0, 0.0]]),
    ("negative-base", lambda x: (-5.5) ** x, [[2.0, 1.5]], [30.25, NAN], [[NAN, NAN]]),
    ("std-flat", lambda x: x.std(), [[1.0, 1.0, 1.0]], 0.0, [[0.0, 0.0, 0.0]]),
    ("var-flat", lambda x: x.var(), [[1.0, 1.0, 1.0]], 0.0, [[0.0, 0.0, 0.0]]),
    ("norm-at-zero", lambda x: x.norm(), [[0.0, 0.0]], 0.0, [[0.0, 0.0]]),
    ("norm-p3-at-zero", lambda x: x.norm(3), [[0.0, 0.0]], 0.0, [[0.0, 0.0]]),
    ("norm-p0.5-with-zero", lambda x: x.norm(0.5), [[0.0, 1.0]], 1.0, [[0.0, 1.0]]),
    ("norm-inf-tie", lambda x: x.norm(INF), [[1.0, -1.0, 0.5]], 1.0, [[0.5, -0.5, 0.0]]),
    ("clamp-min-above-max", lambda x: x.clamp(2, 1), [[0.0, 1.5, 3.0]], [1.0] * 3, [[0.0] * 3]),
    ("prod-one-zero", lambda x: x.prod(), [[0.0, 2.0, 3.0]], 0.0, [[6.0, 0.0, 0.0]]),
    ("prod-two-zeros", lambda x: x.prod(), [[0.0, 0.0, 3.0]], 0.0, [[0.0, 0.0, 0.0]]),
    ("cumprod-zero", lambda x: x.cumprod(0), [[2.0, 0.0, 3.0, 4.0]], [2.0, 0.0, 0.0, 0.0],
     [[1.0, 32.0, 0.0, 0.0]]),
    ("floor", lambda x: x.floor(), [[0.5]], [0.0], [[0.0]]),
    ("round-half-even", lambda x: x.round(), [[0.5, 1.5, 2.5]], [0.0, 2.0, 2.0], [[0.0] * 3]),
    ("frac", lambda x: x.frac(), [[-1.5, 2.25]], [-0.5, 0.25], [[1.0, 1.0]]),
    ("remainder", lambda x, y: x % y, [[5.0, -5.0], [2.0, 3.0]], [1.0, 1.0],
     [[1.0, 1.0], [-2.0, 2.0]]),
    ("div-trunc", lambda x, y: tg.div(x, y, rounding_mode="trunc"), [[5.0, -5.0], [2.0, 2.0]],
     [2.0, -2.0], [[0.0, 0.0], [0.0, 0.0]]),
    ("logsumexp-all-minus-inf", lambda x: x.logsumexp(0), [[-INF, -INF]], -INF, [[NAN, NAN]]),
]  # fmt: skip


def _same(got, want):
    np.testing.assert_array_equal(np.asarray(got, dtype=float), np.asarray(want, dtype=float))


@pytest.mark.parametrize("case", EDGE_CASES, ids=lambda case: case[0])
def test_edge_values_and_gradients_are_pytorchs(case):
    _, fn, inputs, value, grads = case
    with np.errstate(all="ignore"):
        got_value, got_grads = _grads(fn, *inputs)
    _same(got_value, value)
    for got, want in zip(got_grads, grads):
        _same(got, want)


@pytest.mark.parametrize("case", EDGE_CASES, ids=lambda case: case[0])
def test_edge_values_match_pytorch_itself(case):
    torch = pytest.importorskip("torch")
    _, fn, inputs, value, grads = case
    tensors = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in inputs]
    torch_fn = {"div-trunc": lambda x, y: torch.div(x, y, rounding_mode="trunc")}.get(case[0], fn)
    out = torch_fn(*tensors)
    _same(out.tolist(), value)
    for got, want in zip(torch.autograd.grad(out.sum(), tensors), grads):
        _same(got.tolist(), want)


REDUCTIONS = ["sum", "mean", "amax", "amin", "var", "std", "max", "min", "argmax", "argmin"]


@pytest.mark.parametrize("op", [*REDUCTIONS, "logsumexp", "prod", "cumsum", "softmax"])
@pytest.mark.parametrize("dim", [0, -1])
def test_a_0d_tensor_reduces_over_dim_0_or_minus_1(op, dim):
    x = tg.tensor(2.5, dtype=tg.float64, requires_grad=True)
    with (
        np.errstate(all="ignore"),
        pytest.warns(UserWarning) if op in ("var", "std") else _nothing(),
    ):
        out = getattr(x, op)(dim)
    value = out.values if op in ("max", "min") else out
    assert value.shape == ()
    expected = {"var": NAN, "std": NAN, "argmax": 0, "argmin": 0, "softmax": 1.0}.get(op, 2.5)
    _same(value.item(), expected)
    with pytest.raises(IndexError, match="out of range"):
        getattr(x, op)(1)


class _nothing:  # noqa: N801 - a context manager that does nothing
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize(
    ("start", "end", "steps"), [(-10, 10, 4), (0, 10, 7), (0, 1, 5), (3, -7, 6), (-1, 1, 2)]
)
def test_integer_linspace_truncates_as_pytorch(start, end, steps):
    expected = {
        (-10, 10, 4): [-10, -3, 3, 10], (0, 10, 7): [0, 1, 3, 5, 6, 8, 10],
        (0, 1, 5): [0, 0, 0, 0, 1], (3, -7, 6): [3, 1, -1, -3, -5, -7], (-1, 1, 2): [-1, 1],
    }  # fmt: skip
    assert tg.linspace(start, end, steps, dtype=tg.int64).tolist() == expected[start, end, steps]


@pytest.mark.parametrize("steps", [0, 1, 2, 5, 7, 11, 100, 257])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
def test_linspace_matches_pytorch_bit_for_bit(steps, dtype):
    torch = pytest.importorskip("torch")
    for start, end in ((0.0, 1.0), (-3.3, 7.1), (5.0, -2.5), (31.6, -49.7), (-10, 10)):
        ours = tg.linspace(start, end, steps, dtype=getattr(tg, dtype)).numpy()
        theirs = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
        if dtype == "float64":  # a rare double rounding of the emulated FMA: one ulp at most
            np.testing.assert_array_max_ulp(ours, theirs, 1)
        else:
            np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize(
    ("args", "dtype"),
    [((0, 1, 0.1), None), ((10,), None), ((1, 2.5, 0.5), None), ((-3, 3, 2), None),
     ((0, 1, 0.3), "float64"), ((5, 0, -1), None)],
)  # fmt: skip
def test_arange_matches_pytorch(args, dtype):
    torch = pytest.importorskip("torch")
    ours = tg.arange(*args, dtype=None if dtype is None else getattr(tg, dtype))
    theirs = torch.arange(*args, dtype=None if dtype is None else getattr(torch, dtype))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_floor_divide_has_no_derivative_as_in_pytorch():
    x = tg.tensor([5.0], requires_grad=True)
    q = x // 2
    assert q.requires_grad
    with pytest.raises(RuntimeError, match="derivative for floor_divide"):
        q.sum().backward()


def test_round_with_decimals():
    assert tg.tensor([1.2345, -2.5]).round(decimals=2).tolist() == pytest.approx([1.23, -2.5])
