"""Tensors print as PyTorch prints them: the same text for the same values, dtypes and
autograd state (checked against PyTorch's repr when torch is installed), print options,
and format specs on 0-d tensors."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg

RNG = np.random.default_rng(0)

VALUES = {
    "ints-as-floats": np.array([1.0, 2.0, -3.0]),
    "fractions": np.array([1.5, 2.0, 0.25]),
    "scalar": np.array(3.5),
    "int-scalar-float": np.array(2.0),
    "small": np.array([1e-5, 1.0]),
    "large": np.array([1e10, 1.0]),
    "wide-range": np.array([1000.5, 0.001]),
    "nan-inf": np.array([np.nan, np.inf, 1.0]),
    "nan-fraction": np.array([np.nan, 1.5]),
    "negative-zero": np.array([-0.0]),
    "zeros": np.zeros(3),
    "matrix": RNG.standard_normal((3, 4)),
    "cube": RNG.standard_normal((2, 3, 4)),
    "long-row": RNG.standard_normal(30),
    "summarised": np.arange(2000.0),
    "summarised-matrix": RNG.standard_normal((40, 40)),
    "empty": np.zeros(0),
    "empty-matrix": np.zeros((0, 3)),
    "ints": np.array([1, 22, -333]),
    "int-scalar": np.array(5),
    "int32": np.array([1, 2], dtype=np.int32),
    "uint8": np.array([1, 2], dtype=np.uint8),
    "bools": np.array([True, False]),
    "float16": np.array([1.5], dtype=np.float16),
    "float32": np.array([0.1, 2.0], dtype=np.float32),
    "big-ints": np.arange(2000),
}


@pytest.mark.parametrize("name", VALUES)
def test_repr_is_pytorchs(name):
    torch = pytest.importorskip("torch")
    array = VALUES[name]
    assert repr(tg.from_numpy(array.copy())) == repr(torch.from_numpy(array.copy()))


@pytest.mark.parametrize("requires_grad", [False, True])
def test_repr_of_a_leaf_and_of_a_result_is_pytorchs(requires_grad):
    torch = pytest.importorskip("torch")
    ours = tg.tensor([0.1, 2.0], requires_grad=requires_grad)
    theirs = torch.tensor([0.1, 2.0], requires_grad=requires_grad)
    assert repr(ours) == repr(theirs)
    assert repr(ours * 2) == repr(theirs * 2)
    assert repr((ours * 2).sum()) == repr((theirs * 2).sum())


def test_repr_with_default_dtype_float64_is_pytorchs():
    torch = pytest.importorskip("torch")
    tg.set_default_dtype(tg.float64)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for array in (np.array([1.5]), np.array([1.5], dtype=np.float32)):
            assert repr(tg.from_numpy(array)) == repr(torch.from_numpy(array))
    finally:
        torch.set_default_dtype(previous)


@pytest.mark.parametrize(
    "options",
    [{"precision": 2}, {"threshold": 5}, {"edgeitems": 1, "threshold": 3}, {"sci_mode": True},
     {"linewidth": 30}, {"profile": "short"}],
    ids=repr,
)  # fmt: skip
def test_print_options_are_pytorchs(options):
    torch = pytest.importorskip("torch")
    array = RNG.standard_normal((4, 12))
    try:
        tg.set_printoptions(**options)
        torch.set_printoptions(**options)
        assert repr(tg.from_numpy(array)) == repr(torch.from_numpy(array))
    finally:
        tg.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


def test_repr_without_torch_examples():
    assert repr(tg.tensor([1.0, 2.5], requires_grad=True)) == (
        "tensor([1.0000, 2.5000], requires_grad=True)"
    )
    assert repr(tg.tensor(3.5) * tg.tensor(1.0, requires_grad=True)) == (
        "tensor(3.5000, grad_fn=<MulBackward0>)"
    )
    assert repr(tg.tensor([1, 2], dtype=tg.int32)) == "tensor([1, 2], dtype=torch.int32)"
    assert str(tg.tensor([True])) == "tensor([True])"


def test_printoptions_restores_the_options_after_the_block():
    with tg.printoptions(precision=1):
        assert repr(tg.tensor([1.25])) == "tensor([1.2])"
    assert repr(tg.tensor([1.25])) == "tensor([1.2500])"


def test_a_0d_tensor_takes_a_format_spec_as_its_number():
    loss = tg.tensor(0.123456)
    assert f"{loss:.2f}" == "0.12" and format(tg.tensor(7), "03d") == "007"
    assert f"{loss}" == str(loss.item())  # PyTorch formats a 0-d tensor as its number
    assert f"{tg.tensor([1.0])}" == "tensor([1.])"


def test_a_format_spec_on_a_tensor_with_dimensions_is_a_type_error():
    with pytest.raises(TypeError, match="format"):
        f"{tg.tensor([1.0, 2.0]):.2f}"


def test_a_name_is_shown_after_the_autograd_state():
    t = tg.tensor([1.0])
    t.name = "w"
    assert repr(t) == "tensor([1.], name='w')"
