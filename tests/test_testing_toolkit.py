"""The public testing toolkit: ``gradcheck``/``gradgradcheck`` accept correct gradients and
pinpoint wrong ones; the Hypothesis strategies draw what they promise.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import find, given
from hypothesis import strategies as st

import tinygrad_fr as tg
from tinygrad_fr.testing import GradcheckError, gradcheck, gradgradcheck
from tinygrad_fr.testing import strategies as tst


def _leaf(values):
    return tg.Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


class WrongByFactor(tg.Function):
    """y = 2x with a backward that says 3."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 3


class WrongSecondInput(tg.Function):
    """y = a * b with the gradient of b wrong (grad instead of grad * a)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        _, b = ctx.saved_tensors
        return grad * b, grad


class WrongSecondOrder(tg.Function):
    """y = x**3 whose backward is right but not differentiable correctly (detached x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x.detach()


CORRECT = {
    "exp-sum": (lambda x: (x * x.exp()).sum(), lambda: (_leaf([0.5, -1.0, 2.0]),)),
    "matmul": (lambda a, b: a @ b, lambda: (_leaf([[1.0, 2.0], [3.0, -1.0]]), _leaf([0.5, 2.0]))),
    "broadcast": (lambda a, b: a * b + a / b, lambda: (_leaf([[1.0], [2.0]]), _leaf([0.5, 3.0]))),
    "softmax": (lambda x: x.softmax(0), lambda: (_leaf([0.1, -0.4, 1.2]),)),
    "two-outputs": (lambda x: (x.tanh(), x.sigmoid()), lambda: (_leaf([0.3, -0.7]),)),
    "non-tensor-arg": (lambda x, k: x**k, lambda: (_leaf([1.5, 2.0]), 3)),
    "constant-tensor": (lambda x, c: x * c, lambda: (_leaf([1.5, 2.0]), tg.Tensor([2.0, 3.0]))),
}


@pytest.mark.parametrize("name", CORRECT)
def test_gradcheck_passes_on_correct_gradients(name):
    fn, inputs = CORRECT[name]
    assert gradcheck(fn, inputs()) is True


@pytest.mark.parametrize("name", CORRECT)
def test_gradgradcheck_passes_on_correct_gradients(name):
    fn, inputs = CORRECT[name]
    assert gradgradcheck(fn, inputs()) is True


def test_gradcheck_accepts_a_single_tensor_and_float32_inputs():
    x = tg.Tensor([0.5, 1.5], requires_grad=True)
    assert gradcheck(lambda t: t.exp(), x)
    assert x.dtype == np.float32  # the caller's tensor is left alone


def test_gradcheck_failure_names_the_input_the_worst_index_and_both_values():
    x = _leaf([1.0, 2.0, 3.0])
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongByFactor.apply, x)
    message = str(info.value)
    assert "input 0" in message and "output 0" in message
    assert re.search(r"\b3\.0\b", message), message  # analytic value
    assert re.search(r"\b(2\.0|1\.99999)", message), message  # numeric value
    assert "index (" in message


def test_gradcheck_failure_names_the_wrong_input_among_several():
    a, b = _leaf([1.0, 2.0]), _leaf([1.0, 5.0])
    with pytest.raises(GradcheckError, match=r"input 1 at index \(1,\) is .*1\.0.* but .*2\.0"):
        gradcheck(WrongSecondInput.apply, (a, b))


def test_gradcheck_returns_false_without_raising_when_asked():
    x = _leaf([1.0, 2.0])
    assert gradcheck(WrongByFactor.apply, x, raise_exception=False) is False


def test_gradcheck_failure_is_a_runtime_error():
    assert issubclass(GradcheckError, RuntimeError)


def test_gradcheck_tolerances_decide():
    # With a loose enough tolerance, the factor-1.5 error is accepted.
    x = _leaf([1.0])
    assert gradcheck(WrongByFactor.apply, x, atol=2.0, rtol=0.0)


def test_gradcheck_without_inputs_requiring_grad_raises():
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda t: t * 2, tg.Tensor([1.0]))


def test_gradgradcheck_catches_a_wrong_second_order_gradient():
    x = _leaf([1.0, -2.0])
    assert gradcheck(WrongSecondOrder.apply, x)  # first order is right
    with pytest.raises(GradcheckError, match=r"gradgradcheck .*input 0"):
        gradgradcheck(WrongSecondOrder.apply, x)


def test_gradgradcheck_returns_false_without_raising_when_asked():
    x = _leaf([1.0, -2.0])
    assert gradgradcheck(WrongSecondOrder.apply, x, raise_exception=False) is False


def test_gradgradcheck_accepts_explicit_grad_outputs():
    x = _leaf([0.5, -1.0])
    assert gradgradcheck(lambda t: t.tanh(), x, grad_outputs=tg.Tensor([1.0, 2.0]))


# -- strategies ----------------------------------------------------------------------------


@given(shape=tst.shapes(min_dims=1, max_dims=4, min_side=2, max_side=3))
def test_shapes_respect_their_bounds(shape):
    assert isinstance(shape, tuple)
    assert 1 <= len(shape) <= 4
    assert all(2 <= side <= 3 for side in shape)


@given(shape=tst.shapes())
def test_shapes_default_to_small_shapes_including_0d(shape):
    assert len(shape) <= 3 and all(1 <= side <= 4 for side in shape)


@given(shapes=tst.mutually_broadcastable_shapes(num_shapes=3, max_dims=4))
def test_mutually_broadcastable_shapes_broadcast_together(shapes):
    assert len(shapes) == 3
    assert all(len(shape) <= 4 for shape in shapes)
    np.broadcast_shapes(*shapes)


@given(shapes=tst.mutually_broadcastable_shapes())
def test_mutually_broadcastable_shapes_work_with_tensor_ops(shapes):
    a, b = tg.zeros(shapes[0]), tg.ones(shapes[1])
    assert (a + b).shape == np.broadcast_shapes(*shapes)


@given(data=st.data())
def test_dims_are_valid_for_reductions(data):
    shape = data.draw(tst.shapes(), label="shape")
    dim = data.draw(tst.dims(len(shape)), label="dim")
    x = tg.Tensor(np.ones(shape))
    expected = np.sum(np.ones(shape), axis=dim)
    assert x.sum(dim).shape == np.shape(expected)


@given(data=st.data())
def test_dims_accept_a_shape(data):
    shape = data.draw(tst.shapes(min_dims=1), label="shape")
    dim = data.draw(tst.dims(shape, allow_none=False), label="dim")
    assert dim is not None
    tg.Tensor(np.ones(shape)).mean(dim)


@given(dim=tst.dims(3, allow_none=False, allow_tuple=False, allow_negative=False))
def test_dims_options_restrict_to_non_negative_ints(dim):
    assert isinstance(dim, int) and 0 <= dim < 3


@given(dim=tst.dims(3))
def test_dims_tuples_hold_distinct_axes(dim):
    if isinstance(dim, tuple):
        assert len({d % 3 for d in dim}) == len(dim)


def test_dims_of_a_0d_tensor_without_none_raises():
    with pytest.raises(ValueError, match="0-d"):
        tst.dims(0, allow_none=False)


@given(t=tst.tensors())
def test_tensors_default_to_float64_in_range_without_grad(t):
    assert isinstance(t, tg.Tensor)
    assert t.dtype == np.float64 and not t.requires_grad
    assert np.all(np.abs(t.numpy()) <= 10.0)


@given(t=tst.tensors(shape=(2, 3), dtype=np.float32, requires_grad=True))
def test_tensors_respect_shape_dtype_and_requires_grad(t):
    assert t.shape == (2, 3) and t.dtype == np.float32
    assert t.requires_grad and t.is_leaf


@given(t=tst.tensors(shape=tst.shapes(min_dims=2, max_dims=2)))
def test_tensors_accept_a_shape_strategy(t):
    assert t.ndim == 2


@given(t=tst.tensors(shape=(5,), elements=tst.elements(-1.0, 1.0, exclude_zero_band=0.25)))
def test_tensors_use_the_given_elements(t):
    values = np.abs(t.numpy())
    assert np.all(values >= 0.25) and np.all(values <= 1.0)


def test_tensors_respect_an_integer_dtype():
    # find() rather than @given: a failing @given would write a Hypothesis patch file.
    t = find(tst.tensors(shape=(3,), dtype=np.int64, elements=st.integers(0, 5)), lambda _: True)
    assert t.dtype == np.int64


@given(x=tst.tensors(shape=tst.shapes(), requires_grad=True))
def test_drawn_tensors_pass_gradcheck_of_a_smooth_function(x):
    assert gradcheck(lambda t: (t * t.tanh()).sum(), x)
