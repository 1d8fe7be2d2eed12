"""Dtypes as in PyTorch: what tg.tensor infers, how ops promote, which dtype each op returns,
conversions, the legacy tensor types. The promotion table is checked against PyTorch's own
when torch is installed.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tinygrad_fr as tg

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _tensor(name: str, zero_dim: bool) -> tg.Tensor:
    values = np.array(1 if zero_dim else [1, 0]).astype(name)
    return tg.from_numpy(values)


OPERANDS = [(name, zero_dim) for name in DTYPES for zero_dim in (False, True)]
NUMBERS = [True, 3, 2.5]


def _label(operand: object) -> str:
    if isinstance(operand, tuple):
        return f"{operand[0]}{'-0d' if operand[1] else ''}"
    return repr(operand)


def test_integers_and_booleans_cannot_require_grad():
    with pytest.raises(RuntimeError, match="only floating point"):
        tg.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="only floating point"):
        tg.tensor([True]).requires_grad_()


def test_integer_tensors_index_and_keep_their_dtype_through_indexing():
    labels = tg.tensor([2, 0, 1])
    logits = tg.tensor([[0.1, 0.2, 0.7], [0.8, 0.1, 0.1], [0.3, 0.4, 0.3]])
    assert logits[tg.arange(3), labels].tolist() == pytest.approx([0.7, 0.8, 0.4])
    assert labels[1:].dtype == np.int64


@pytest.mark.parametrize(
    ("compute", "dtype"),
    [
        (lambda: tg.tensor([1, 2]) // 2, np.int64),
        (lambda: tg.tensor([1, 2]) / 2, np.float32),
        (lambda: tg.tensor([1, 2]) / tg.tensor([2, 2]), np.float32),
        (lambda: tg.tensor([1, 2]) * 0.5, np.float32),
        (lambda: tg.tensor([1, 2]) % 2, np.int64),
        (lambda: tg.tensor([1, 2]) ** 2, np.int64),
        (lambda: tg.tensor([1, 2]) ** 0.5, np.float32),
        (lambda: tg.tensor([1, 2]) < 2, np.bool_),
        (lambda: tg.tensor([True, True]).sum(), np.int64),
        (lambda: tg.tensor([1, 2], dtype=tg.int32).sum(), np.int64),
        (lambda: tg.tensor([1, 2], dtype=tg.uint8).cumsum(0), np.int64),
        (lambda: tg.tensor([1, 2]).prod(), np.int64),
        (lambda: tg.tensor([1.0, 2.0]).sum(dtype=tg.float64), np.float64),
        (lambda: tg.tensor([1, 2]).sum(dtype=tg.float32), np.float32),
        (lambda: tg.tensor([1, 2]).exp(), np.float32),
        (lambda: tg.tensor([1, 2]).sin(), np.float32),
        (lambda: tg.tensor([1, 2]).abs(), np.int64),
        (lambda: tg.tensor([1, 2]).argmax(), np.int64),
        (lambda: tg.tensor([1, 2]).max(), np.int64),
        (lambda: tg.tensor([-1, 2]).sign(), np.int64),
        (lambda: tg.tensor([1, 2]).floor(), np.int64),
        (lambda: ~tg.tensor([True]), np.bool_),
        (lambda: tg.tensor([True]) & tg.tensor([False]), np.bool_),
        (lambda: tg.tensor([1.5]).long(), np.int64),
        (lambda: tg.tensor([1.5]).int(), np.int32),
        (lambda: tg.tensor([1.5]).half(), np.float16),
        (lambda: tg.tensor([0.5]).bool(), np.bool_),
        (lambda: tg.tensor([1]).double(), np.float64),
        (lambda: tg.tensor([1]).float(), np.float32),
        (lambda: tg.cat([tg.tensor([1]), tg.tensor([0.5])]), np.float32),
        (lambda: tg.where(tg.tensor([True]), tg.tensor([1]), 0.5), np.float32),
        (lambda: tg.full((2,), 7), np.int64),
        (lambda: tg.full((2,), True), np.bool_),
        (lambda: tg.arange(3), np.int64),
        (lambda: tg.arange(3.0), np.float32),
    ],
)
def test_op_result_dtypes_are_pytorchs(compute, dtype):
    assert compute().dtype == dtype


def test_mean_of_an_integer_tensor_asks_for_a_floating_dtype():
    with pytest.raises(RuntimeError, match=r"mean: .*floating point.*int64"):
        tg.tensor([1, 2]).mean()
    assert tg.tensor([1, 2]).mean(dtype=tg.float64).item() == 1.5


def test_the_default_dtype_is_the_float_of_python_floats_and_int_tensor_division():
    tg.set_default_dtype(tg.float64)
    assert tg.tensor([1.5]).dtype == np.float64
    assert (tg.tensor([1, 2]) / 2).dtype == np.float64
    assert (tg.tensor([1.0], dtype=tg.float32) * 0.5).dtype == np.float32


def test_legacy_tensor_types_build_tensors_and_check_dtypes():
    assert tg.LongTensor([1.7, 2.2]).tolist() == [1, 2]
    assert tg.FloatTensor(2, 3).shape == (2, 3) and tg.FloatTensor(2, 3).dtype == np.float32
    assert tg.DoubleTensor([1]).dtype == np.float64
    assert tg.BoolTensor([1, 0]).tolist() == [True, False]
    assert tg.IntTensor([1]).dtype == np.int32
    assert isinstance(tg.zeros(2), tg.FloatTensor) and not isinstance(tg.zeros(2), tg.LongTensor)
    assert tg.zeros(2).type() == "torch.FloatTensor"
    assert tg.zeros(2).type(tg.LongTensor).dtype == np.int64
    assert tg.zeros(2).type("torch.DoubleTensor").dtype == np.float64


def test_set_default_tensor_type_sets_the_default_float_dtype():
    tg.set_default_tensor_type(tg.DoubleTensor)
    assert tg.get_default_dtype() == np.float64 and tg.tensor([0.5]).dtype == np.float64
    with pytest.raises(TypeError, match="floating point"):
        tg.set_default_tensor_type(tg.LongTensor)


def test_to_accepts_pythons_float_and_int_as_dtypes():
    assert tg.tensor([1]).to(float).dtype == np.float32
    assert tg.tensor([1.5]).to(int).dtype == np.int64


def test_float_to_int_conversion_is_not_differentiable():
    x = tg.tensor([1.5], requires_grad=True)
    assert not x.long().requires_grad and x.double().requires_grad


# -- against PyTorch ----------------------------------------------------------------------


def _torch_dtype_name(dtype: object) -> str:
    return str(dtype).removeprefix("torch.")


@pytest.mark.parametrize(
    ("first", "second"),
    list(itertools.product(OPERANDS, OPERANDS + NUMBERS)),
    ids=lambda operand: _label(operand),
)
def test_promotion_of_every_pair_is_pytorchs(first, second):
    torch = pytest.importorskip("torch")
    left = _tensor(*first)
    right = _tensor(*second) if isinstance(second, tuple) else second
    torch_left = torch.from_numpy(left.numpy())
    torch_right = torch.from_numpy(right.numpy()) if isinstance(right, tg.Tensor) else right
    expected = torch.result_type(torch_left, torch_right)
    assert str(tg.result_type(left, right)) == _torch_dtype_name(expected)
    if "bool" in (str(left.dtype), str(getattr(right, "dtype", ""))):
        return  # bool - bool is refused by both libraries; + is or
    assert str((left + right).dtype) == _torch_dtype_name((torch_left + torch_right).dtype)


@pytest.mark.parametrize(
    "data",
    [[1, 2], [1.5, 2], [True, False], [[1, 2], [3, 4]], 3, 2.5, True, [], [True, 2]],
    ids=repr,
)
def test_tensor_infers_the_dtype_of_torch_tensor(data):
    torch = pytest.importorskip("torch")
    assert str(tg.tensor(data).dtype) == _torch_dtype_name(torch.tensor(data).dtype)


@pytest.mark.parametrize(
    ("op", "left", "right"),
    [
        ("truediv", [7, -7], [2, 2]),
        ("floordiv", [7, -7], [2, 2]),
        ("mod", [7, -7], [3, 3]),
        ("floordiv", [7.5, -7.5], [2.0, 2.0]),
        ("mod", [7.5, -7.5], [-2.0, 2.0]),
    ],
)
def test_integer_and_float_division_match_pytorch(op, left, right):
    torch = pytest.importorskip("torch")
    import operator

    ours = getattr(operator, op)(tg.tensor(left), tg.tensor(right))
    theirs = getattr(operator, op)(torch.tensor(left), torch.tensor(right))
    assert str(ours.dtype) == _torch_dtype_name(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
