"""User errors raise exceptions whose message names the op, the shapes and the problem."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_fr as tg

A = tg.zeros(2, 3)
B = tg.ones(4)


def test_matmul_inner_dimension_mismatch_message_is_exact():
    with pytest.raises(RuntimeError) as info:
        tg.zeros(2, 3) @ tg.zeros(4, 5)
    assert str(info.value) == (
        "matmul: cannot multiply (2, 3) by (4, 5): inner dimensions 3 and 4 differ"
    )


def test_matmul_of_a_0d_operand_names_the_shapes():
    with pytest.raises(RuntimeError, match=r"matmul: .*\(\).*\(3,\)"):
        tg.Tensor(2.0) @ tg.zeros(3)


# The broadcasting error of every element-wise binary op should say which op and which shapes.
BROADCASTING = {
    "add": ("add", lambda: A + B),
    "sub": ("sub", lambda: A - B),
    "mul": ("mul", lambda: A * B),
    "div": ("div", lambda: A / B),
    "pow": ("pow", lambda: A**B),
    "add-ndarray": ("add", lambda: A + np.ones(4)),
    "radd-ndarray": ("add", lambda: np.ones(4) + A),
    "maximum": ("maximum", lambda: tg.maximum(A, B)),
    "minimum": ("minimum", lambda: tg.minimum(A, B)),
    "where": ("where", lambda: tg.where(A > 0, A, B)),
    "lt": ("lt|less|<", lambda: A < B),
    "eq": ("eq|equal|==", lambda: A == B),
}


@pytest.mark.parametrize("case", BROADCASTING)
def test_broadcasting_error_names_the_op_and_both_shapes(case):
    op, compute = BROADCASTING[case]
    with pytest.raises(RuntimeError) as info:
        compute()
    message = str(info.value)
    assert re.search(rf"(^|\W)({op})(\W|$)", message), message
    assert re.search(r"\(2, ?3\)", message) and "(4,)" in message, message


def test_broadcasting_error_is_a_runtime_error_mentioning_both_shapes():
    # PyTorch's exception class for a shape mismatch, with both shapes in the message.
    with pytest.raises(RuntimeError, match=r"\(2,3\).*\(4,\)|\(2, 3\).*\(4,\)"):
        A + B


@pytest.mark.parametrize(
    ("compute", "pattern"),
    [
        (lambda: A.sum(dim=2), r"sum: dim 2 is out of range .* 2 dimensions"),
        (lambda: A.mean(dim=-3), r"mean: dim -3 is out of range"),
        (lambda: A.max(dim=5), r"max: dim 5 is out of range"),
        (lambda: A.min(dim=(0, 7)), r"min: dim 7 is out of range"),
        (lambda: A.softmax(2), r"softmax: dim 2 is out of range"),
        (lambda: A.log_softmax(-3), r"log_softmax: dim -3 is out of range"),
        (lambda: A.transpose(0, 2), r"transpose: dim 2 is out of range"),
        (lambda: A.unsqueeze(3), r"unsqueeze: dim 3 is out of range"),
        (lambda: A.squeeze(2), r"squeeze: dim 2 is out of range"),
        (lambda: A.flatten(3), r"flatten: dim 3 is out of range"),
        (lambda: A.argmax(2), r"argmax: dim 2 is out of range"),
        (lambda: tg.cat([A, A], dim=2), r"cat: dim 2 is out of range"),
        (lambda: tg.stack([A, A], dim=3), r"stack: dim 3 is out of range"),
        (lambda: A.permute(0, 2), r"permute: dim 2 is out of range"),
    ],
    ids=[
        "sum", "mean", "max", "min", "softmax", "log_softmax", "transpose", "unsqueeze",
        "squeeze", "flatten", "argmax", "cat", "stack", "permute",
    ],
)  # fmt: skip
def test_out_of_range_dim_names_the_op_and_the_dim(compute, pattern):
    with pytest.raises(IndexError, match=pattern):
        compute()


@pytest.mark.parametrize(
    ("compute", "pattern"),
    [
        (lambda: A.sum(dim=(0, 0)), r"sum: dim \(0, 0\) names the same axis twice"),
        (lambda: A.mean(dim=(1, -1)), r"mean: dim \(1, -1\) names the same axis twice"),
        (lambda: A.max(dim=(0, -2)), r"max: .*same axis twice"),
        (lambda: A.permute(0, 0), r"permute: \(0, 0\) is not a permutation .*\(2, 3\)"),
    ],
    ids=["sum", "mean", "max", "permute"],
)
def test_repeated_dim_names_the_op(compute, pattern):
    with pytest.raises(RuntimeError, match=pattern):
        compute()


@pytest.mark.parametrize(
    ("op", "compute"),
    [
        ("softmax", lambda: A.softmax(1.5)),
        ("transpose", lambda: A.transpose(0, 1.5)),
        ("unsqueeze", lambda: A.unsqueeze(1.5)),
        ("argmax", lambda: A.argmax(1.5)),
        ("cat", lambda: tg.cat([A, A], 0.5)),
        pytest.param("sum", lambda: A.sum(1.5)),
        pytest.param("mean", lambda: A.mean(1.5)),
        pytest.param("max", lambda: A.max(1.5)),
        pytest.param("min", lambda: A.min(1.5)),
        pytest.param("squeeze", lambda: A.squeeze(1.5)),
    ],
    ids=["softmax", "transpose", "unsqueeze", "argmax", "cat", "sum", "mean", "max", "min",
         "squeeze"],
)  # fmt: skip
def test_non_integer_dim_is_a_type_error_naming_the_op(op, compute):
    with pytest.raises(TypeError, match=rf"{op}: dim must be an int, got float"):
        compute()


@pytest.mark.parametrize(
    ("shape", "pattern"),
    [
        ((4, 2), r"reshape: cannot reshape \(2, 3\) to \(4, 2\)"),
        ((-1, 4), r"reshape: cannot reshape \(2, 3\) to \(-1, 4\)"),
        ((-1, -1), r"reshape: cannot reshape \(2, 3\) to \(-1, -1\)"),
    ],
)
def test_reshape_to_a_wrong_size_names_both_shapes(shape, pattern):
    with pytest.raises(RuntimeError, match=pattern):
        A.reshape(shape)


@pytest.mark.parametrize(
    ("index", "error", "pattern"),
    [
        (5, IndexError, r"getitem: .*5.*\(tensor shape \(2, 3\)\)"),
        ((0, 3), IndexError, r"getitem: .*3.*\(tensor shape \(2, 3\)\)"),
        ((0, 0, 0), IndexError, r"getitem: too many indices.*\(2, 3\)"),
        ([0, 9], IndexError, r"getitem: .*9.*\(tensor shape \(2, 3\)\)"),
        (tg.Tensor([0.0, 1.0]), IndexError, r"getitem: tensors used as indices must be long"),
    ],
    ids=["int", "second-axis", "too-many", "list", "float-tensor"],
)
def test_bad_index_names_getitem_and_the_shape(index, error, pattern):
    with pytest.raises(error, match=pattern):
        A[index]


def test_cat_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"cat: tensor 1 has shape \(3, 3\) .* \(2, 3\)"):
        tg.cat([A, tg.zeros(3, 3)], dim=1)


def test_cat_of_different_ndim_names_the_shapes():
    with pytest.raises(RuntimeError, match=r"cat: tensor 1 has shape \(3,\) .* \(2, 3\)"):
        tg.cat([A, tg.zeros(3)])


def test_stack_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"stack: tensor 1 has shape \(3, 3\) .* \(2, 3\)"):
        tg.stack([A, tg.zeros(3, 3)])


@pytest.mark.parametrize("values", [[], A], ids=["empty", "tensor"])
def test_cat_and_stack_need_a_non_empty_sequence(values):
    for op in (tg.cat, tg.stack):
        with pytest.raises(TypeError, match="non-empty list or tuple"):
            op(values)


# -- construction --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error", "pattern"),
    [
        ([[1.0, 2.0], [3.0]], ValueError, r"Tensor: .*ragged"),
        ([1.0, [2.0, 3.0]], ValueError, r"Tensor: .*ragged"),
        ("abc", TypeError, r"Tensor: cannot build a tensor from str"),
        (["a", "b"], TypeError, r"Tensor: .*dtype <U1"),
        ({"a": 1}, TypeError, r"Tensor: cannot build a tensor from dict"),
        ({1, 2}, TypeError, r"Tensor: cannot build a tensor from set"),
        (None, TypeError, r"Tensor: cannot build a tensor from NoneType"),
        (object(), TypeError, r"Tensor: cannot build a tensor from object"),
        ([1, None], TypeError, r"Tensor: .*dtype object"),
        (np.array(["x"]), TypeError, r"Tensor: .*dtype <U1"),
        (1 + 2j, TypeError, r"Tensor: cannot build a tensor from complex"),
        (np.array([1 + 2j]), TypeError, r"Tensor: .*complex128"),
    ],
    ids=[
        "ragged", "ragged-mixed", "str", "list-of-str", "dict", "set", "none", "object",
        "list-with-none", "ndarray-of-str", "complex", "complex-array",
    ],
)  # fmt: skip
def test_unsupported_data_raises_a_clear_error(data, error, pattern):
    with pytest.raises(error, match=pattern):
        tg.Tensor(data)


def test_requires_grad_on_an_integer_tensor_says_to_convert():
    with pytest.raises(RuntimeError, match=r"only floating point .* int64.*\.float\(\)"):
        tg.Tensor([1, 2], dtype=tg.int64, requires_grad=True)


def test_requires_grad_of_a_non_leaf_cannot_change():
    y = tg.zeros(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)


@pytest.mark.parametrize(
    ("value", "error", "pattern"),
    [
        (tg.zeros(3), RuntimeError, r"grad: assigned gradient has shape \(3,\) .* \(2,\)"),
        (np.zeros(2), TypeError, r"grad: assigned value must be a Tensor or None"),
    ],
    ids=["shape", "type"],
)
def test_assigning_a_bad_grad_raises(value, error, pattern):
    t = tg.zeros(2, requires_grad=True)
    with pytest.raises(error, match=pattern):
        t.grad = value


def test_item_of_several_elements_names_the_shape():
    with pytest.raises(RuntimeError, match=r"item: a Tensor with 6 elements .*\(2, 3\)"):
        A.item()


def test_clamp_without_bounds_raises():
    with pytest.raises(RuntimeError, match="clamp: at least one of 'min' or 'max'"):
        A.clamp()


def test_factory_with_a_negative_size_raises():
    with pytest.raises(RuntimeError, match=r"zeros: .*negative dimension -1"):
        tg.zeros(2, -1)


def test_arange_with_a_zero_step_raises():
    with pytest.raises(RuntimeError, match="arange: step must be nonzero"):
        tg.arange(0, 5, 0)


def test_manual_seed_accepts_a_negative_seed_as_pytorch():
    first = tg.rand(2, generator=tg.Generator().manual_seed(-1))
    assert bool((first == tg.rand(2, generator=tg.Generator().manual_seed(-1))).all())


def test_manual_seed_refuses_a_non_integer_seed():
    with pytest.raises(TypeError, match="manual_seed"):
        tg.manual_seed(1.5)


def test_operand_of_an_unsupported_type_is_a_type_error():
    with pytest.raises(TypeError):
        A + "text"


# -- backward ------------------------------------------------------------------------------


def test_backward_of_a_non_scalar_without_gradient_says_it_needs_one():
    y = tg.zeros(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\).*scalar output.*gradient"):
        y.backward()


def test_backward_when_nothing_requires_grad_says_so():
    with pytest.raises(RuntimeError, match=r"does not require grad.*requires_grad=True"):
        (tg.ones(2) * 2).sum().backward()


def test_backward_of_a_result_computed_under_no_grad_mentions_no_grad():
    x = tg.ones(2, requires_grad=True)
    with tg.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


@pytest.mark.parametrize(
    "gradient", [tg.ones(3), tg.ones(2, 1), np.ones(3)], ids=["tensor", "extra-dim", "ndarray"]
)
def test_backward_with_a_gradient_of_the_wrong_shape_raises(gradient):
    y = tg.zeros(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"gradient .* has shape .* output has shape \(2,\)"):
        y.backward(gradient)


def test_tg_grad_of_an_input_that_does_not_require_grad_says_so():
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad: input 0 does not require grad"):
        tg.grad((x * 2).sum(), tg.ones(2))


def test_tg_grad_of_an_unused_input_suggests_allow_unused():
    x, other = tg.ones(2, requires_grad=True), tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"input 1 .* allow_unused=True"):
        tg.grad((x * 2).sum(), [x, other])


def test_tg_grad_with_the_wrong_number_of_grad_outputs_raises():
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="got 2 gradients for 1 outputs"):
        tg.grad(x * 2, x, grad_outputs=[tg.ones(2), tg.ones(2)])


# -- custom Function mistakes --------------------------------------------------------------


def _op(forward, backward):
    return type(
        "Op", (tg.Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward)}
    )


@pytest.mark.parametrize(
    ("backward", "error", "pattern"),
    [
        (lambda ctx, g: tg.ones(3), RuntimeError, r"OpBackward0 .* shape \(3,\) .* \(2,\)"),
        (lambda ctx, g: (g, g), RuntimeError, r"Op.backward returned 2 gradients .* 1 arg"),
        (lambda ctx, g: g.numpy(), TypeError, r"Op.backward returned ndarray for argument 0"),
    ],
    ids=["wrong-shape", "wrong-count", "not-a-tensor"],
)
def test_custom_backward_mistakes_name_the_function(backward, error, pattern):
    x = tg.ones(2, requires_grad=True)
    y = _op(lambda ctx, t: t * 2, backward).apply(x).sum()
    with pytest.raises(error, match=pattern):
        y.backward()


def test_custom_forward_returning_an_ndarray_names_the_function():
    with pytest.raises(TypeError, match=r"Op.forward must return Tensors"):
        _op(lambda ctx, t: t.numpy() * 2, lambda ctx, g: g).apply(tg.ones(2, requires_grad=True))


def test_custom_save_for_backward_of_a_non_tensor_names_the_function():
    def forward(ctx, t):
        ctx.save_for_backward(3.0)
        return t * 2

    with pytest.raises(TypeError, match=r"Op: save_for_backward takes Tensors"):
        _op(forward, lambda ctx, g: g).apply(tg.ones(2, requires_grad=True))


def test_custom_function_without_backward_says_it_must_define_it():
    op = type("NoBackward", (tg.Function,), {"forward": staticmethod(lambda ctx, t: t * 2)})
    y = op.apply(tg.ones(2, requires_grad=True)).sum()
    with pytest.raises(NotImplementedError, match="NoBackward must define backward"):
        y.backward()


# requires_grad must be a bool everywhere, as in PyTorch: "no" or 1 are not read as true.
@pytest.mark.parametrize("value", ["no", 1, 0, None, np.bool_(True)], ids=repr)
@pytest.mark.parametrize(
    ("op", "make"),
    [
        ("tensor", lambda v: tg.tensor([1.0], requires_grad=v)),
        ("Tensor", lambda v: tg.Tensor([1.0], requires_grad=v)),
        ("zeros", lambda v: tg.zeros(2, requires_grad=v)),
        ("requires_grad_", lambda v: tg.ones(1).requires_grad_(v)),
        ("Parameter", lambda v: tg.nn.Parameter(tg.ones(1), requires_grad=v)),
    ],
    ids=lambda case: case if isinstance(case, str) else "",
)
def test_a_non_bool_requires_grad_is_a_type_error_naming_the_op(op, make, value):
    with pytest.raises(TypeError, match=rf"^{op}: requires_grad must be True or False, got"):
        make(value)


def test_setting_requires_grad_to_a_non_bool_is_a_type_error():
    t = tg.ones(1)
    with pytest.raises(TypeError, match="requires_grad must be True or False, got 'yes'"):
        t.requires_grad = "yes"
    assert t.requires_grad is False


@pytest.mark.parametrize(
    "module",
    [tg.nn.Linear(2, 1), tg.nn.Sigmoid(), tg.nn.Tanh(), tg.nn.Flatten(0)],
    ids=lambda m: type(m).__name__,
)
def test_a_list_given_to_a_module_is_refused_by_name(module):
    with pytest.raises(TypeError, match=rf"^{type(module).__name__}: argument 0 is a list"):
        module([1.0, 2.0])


def test_inside_sequential_the_layer_that_needs_a_tensor_is_named():
    with pytest.raises(TypeError, match=r"^Linear: argument 0 is a list.*tg\.tensor"):
        tg.nn.Sequential(tg.nn.Linear(2, 1), tg.nn.Sigmoid())([1.0, 2.0])


def test_an_attribute_error_of_a_module_that_takes_lists_is_left_alone():
    class Broken(tg.nn.Module):
        def forward(self, items):
            return items[0].missing  # the bug is here, not in the list

    with pytest.raises(AttributeError, match="missing"):
        Broken()([tg.ones(1)])
