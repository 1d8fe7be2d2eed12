"""``tg.Function``: custom differentiable ops with PyTorch's API (ctx, apply, saved tensors,
several outputs, non-tensor arguments, non-differentiable outputs, double backward).
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr.testing import gradcheck, gradgradcheck


def _leaf(values):
    return tg.Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


class Cube(tg.Function):
    """y = x**3, backward written with differentiable ops (so it can be differentiated)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


class SavedExp(tg.Function):
    """y = exp(x), saving its output."""

    @staticmethod
    def forward(ctx, x):
        out = x.exp()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class ScaleShift(tg.Function):
    """y = x * scale + shift, with Python numbers and a flag as extra arguments."""

    @staticmethod
    def forward(ctx, x, scale, shift, negate=False):
        ctx.scale = -scale if negate else scale
        return x * ctx.scale + shift

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.scale, None, None, None


class MulAdd(tg.Function):
    """(a * b, a + b): two inputs, two outputs."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b, a + b

    @staticmethod
    def backward(ctx, grad_product, grad_sum):
        a, b = ctx.saved_tensors
        return grad_product * b + grad_sum, grad_product * a + grad_sum


class SortWithIndices(tg.Function):
    """Sorted values (differentiable) and the permutation (marked non-differentiable)."""

    @staticmethod
    def forward(ctx, x):
        order = np.argsort(x.numpy())
        ctx.order = order
        indices = tg.Tensor(order, dtype=tg.int64)
        ctx.mark_non_differentiable(indices)
        return tg.Tensor(x.numpy()[order]), indices

    @staticmethod
    def backward(ctx, grad, grad_indices):
        result = np.zeros(grad.shape)
        result[ctx.order] = grad.numpy()
        return tg.Tensor(result)


class NeedsRecorder(tg.Function):
    seen: tuple = ()

    @staticmethod
    def forward(ctx, a, b, k):
        NeedsRecorder.seen = ctx.needs_input_grad
        return a * b * k

    @staticmethod
    def backward(ctx, grad):
        NeedsRecorder.seen_in_backward = ctx.needs_input_grad
        return grad, grad, None


class WrongByFactor(tg.Function):
    """y = 2x with a backward that says 3: a deliberately wrong gradient."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 3


def test_apply_computes_forward_and_records_a_named_node():
    x = _leaf([2.0, -1.0])
    y = Cube.apply(x)
    assert y.tolist() == [8.0, -1.0]
    assert y.requires_grad and not y.is_leaf
    assert y.grad_fn.name() == "CubeBackward0"


def test_backward_uses_saved_tensors():
    x = _leaf([2.0, -1.0])
    Cube.apply(x).sum().backward()
    assert x.grad.tolist() == [12.0, 3.0]


def test_forward_runs_without_recording():
    recorded = []

    class Probe(tg.Function):
        @staticmethod
        def forward(ctx, x):
            inner = x * 2
            recorded.append((inner.requires_grad, inner.grad_fn))
            return inner

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    Probe.apply(_leaf([1.0]))
    assert recorded == [(False, None)]


def test_apply_under_no_grad_records_nothing():
    with tg.no_grad():
        y = Cube.apply(_leaf([2.0]))
    assert y.grad_fn is None and not y.requires_grad


def test_apply_on_inputs_without_grad_records_nothing():
    y = Cube.apply(tg.Tensor([2.0]))
    assert y.grad_fn is None and not y.requires_grad
    assert y.tolist() == [8.0]


def test_non_tensor_arguments_are_passed_through_and_get_no_gradient():
    x = _leaf([1.0, 2.0])
    y = ScaleShift.apply(x, 3.0, 1.0, True)
    assert y.tolist() == [-2.0, -5.0]
    y.sum().backward()
    assert x.grad.tolist() == [-3.0, -3.0]


def test_needs_input_grad_tells_which_arguments_need_a_gradient():
    a, b = _leaf([1.0]), tg.Tensor([2.0])
    NeedsRecorder.apply(a, b, 3.0).sum().backward()
    assert NeedsRecorder.seen == (True, False, False)
    assert NeedsRecorder.seen_in_backward == (True, False, False)


def test_multiple_outputs_share_one_node():
    a, b = _leaf([1.0, 2.0]), _leaf([3.0, 4.0])
    product, total = MulAdd.apply(a, b)
    assert product.tolist() == [3.0, 8.0] and total.tolist() == [4.0, 6.0]
    assert product.grad_fn is total.grad_fn


def test_multiple_outputs_each_send_their_gradient():
    a, b = _leaf([1.0, 2.0]), _leaf([3.0, 4.0])
    product, total = MulAdd.apply(a, b)
    (product.sum() + 10 * total.sum()).backward()
    assert a.grad.tolist() == [13.0, 14.0] and b.grad.tolist() == [11.0, 12.0]


def test_unused_output_gets_a_zero_gradient():
    a, b = _leaf([1.0, 2.0]), _leaf([3.0, 4.0])
    _, total = MulAdd.apply(a, b)
    total.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [1.0, 1.0]


def test_mark_non_differentiable_output_does_not_require_grad():
    x = _leaf([3.0, 1.0, 2.0])
    values, indices = SortWithIndices.apply(x)
    assert values.tolist() == [1.0, 2.0, 3.0] and indices.tolist() == [1, 2, 0]
    assert values.requires_grad
    assert not indices.requires_grad and indices.grad_fn is None


def test_mark_non_differentiable_output_does_not_block_backward():
    x = _leaf([3.0, 1.0, 2.0])
    values, _ = SortWithIndices.apply(x)
    (values * tg.Tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [3.0, 1.0, 2.0]


def test_function_output_can_feed_built_in_ops_and_itself():
    x = _leaf([2.0])
    Cube.apply(Cube.apply(x) * 2).sum().backward()
    # d/dx (2x^3)^3 = 3 (2x^3)^2 * 6x^2 = 72 x^8
    assert x.grad.item() == 72 * 2.0**8


def test_retain_graph_allows_a_second_backward_through_a_function():
    x = _leaf([1.0, 2.0])
    z = SavedExp.apply(x).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]))


def test_second_backward_through_a_released_function_says_to_retain_graph():
    x = _leaf([1.0, 2.0])
    z = SavedExp.apply(x).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        z.backward()


@pytest.mark.parametrize(
    ("function", "second"),
    [(Cube, lambda x: 6 * x), (SavedExp, np.exp)],
    ids=["saved-input", "saved-output"],
)
def test_double_backward_through_a_custom_function(function, second):
    points = np.array([2.0, -1.0, 0.5])
    x = _leaf(points)
    (g,) = tg.grad(function.apply(x).sum(), x, create_graph=True)
    assert g.requires_grad
    (gg,) = tg.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), second(points), rtol=1e-12)


def test_third_derivative_through_a_custom_function():
    x = _leaf(1.5)
    (d1,) = tg.grad(Cube.apply(x), x, create_graph=True)
    (d2,) = tg.grad(d1, x, create_graph=True)
    (d3,) = tg.grad(d2, x)
    assert d3.item() == 6.0


@pytest.mark.parametrize(
    ("function", "inputs"),
    [
        (Cube.apply, lambda: (_leaf([0.5, -1.5, 2.0]),)),
        (SavedExp.apply, lambda: (_leaf([0.5, -1.5, 2.0]),)),
        (lambda a, b: MulAdd.apply(a, b), lambda: (_leaf([0.5, 2.0]), _leaf([-1.0, 3.0]))),
        (lambda x: ScaleShift.apply(x, 2.5, 1.0), lambda: (_leaf([0.5, 2.0]),)),
    ],
    ids=["cube", "saved-exp", "mul-add", "scale-shift"],
)
def test_correct_custom_functions_pass_gradcheck_and_gradgradcheck(function, inputs):
    assert gradcheck(function, inputs())
    assert gradgradcheck(function, inputs())


def test_gradcheck_catches_a_custom_backward_off_by_a_factor():
    assert not gradcheck(WrongByFactor.apply, (_leaf([1.0, 2.0]),), raise_exception=False)


def test_float32_inputs_get_float32_gradients():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    Cube.apply(x).sum().backward()
    assert x.grad.dtype == np.float32


class InfGradient(tg.Function):
    """y = 2x whose backward divides by zero."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad / 0.0


class InfForward(tg.Function):
    """y = x / 0."""

    @staticmethod
    def forward(ctx, x):
        return x / 0.0

    @staticmethod
    def backward(ctx, grad):
        return grad


def test_detect_anomaly_catches_inf_in_a_custom_forward():
    with tg.detect_anomaly(), pytest.raises(FloatingPointError, match=r"(div|InfForward)"):
        InfForward.apply(_leaf([1.0]))


def test_detect_anomaly_catches_inf_in_a_custom_backward():
    y = InfGradient.apply(_leaf([1.0])).sum()
    with tg.detect_anomaly(), pytest.raises(FloatingPointError, match=r"(div|InfGradient)"):
        y.backward()
