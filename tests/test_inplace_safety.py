"""Changing in place an array that backward still needs never gives a silently wrong gradient.

Every path a user can take to write into saved memory (tensor methods, raw NumPy writes
through ``.data``/``.numpy()``, views, ``detach()``, an optimizer's ``_mutable_data()``) must
either be refused at the write or make backward raise an error that names what changed.
Once backward has released the graph, the memory is writeable again.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg

X0 = np.array([1.0, 2.0, 3.0])


def _leaf():
    x = tg.Tensor(X0.copy(), requires_grad=True)
    x.name = "x"
    return x


# Each target: (make the tensor that will be saved, the op that saves it, expected dz/dx).
TARGETS = {
    "leaf-input": (lambda x: x, lambda t: (t * t).sum(), 2 * X0),
    "non-leaf-input": (lambda x: x * 2.0, lambda t: (t * t).sum(), 8 * X0),
    "output": (lambda x: x.exp(), lambda t: t.sum(), np.exp(X0)),
    "sigmoid-output": (
        lambda x: x.sigmoid(),
        lambda t: t.sum(),
        np.exp(-X0) / (1 + np.exp(-X0)) ** 2,
    ),
    "matmul-input": (lambda x: x * 1.0, lambda t: t @ t, 2 * X0),
    # Saved twice before any storage exists: as the sigmoid's output and as mul's input.
    "output-saved-again": (
        lambda x: x.sigmoid(),
        lambda t: (t * t).sum(),
        2 * np.exp(-X0) / (1 + np.exp(-X0)) ** 3,
    ),
    # Saved by more nodes than wait for a storage (the later ones make it at once).
    "non-leaf-saved-by-many": (
        lambda x: x * 2.0,
        lambda t: sum(((t * t).sum() for _ in range(6)), tg.zeros(())),
        48 * X0,
    ),
}


def _no_grad(write):
    def run(handle):
        with tg.no_grad():
            write(handle)

    return run


def _set(handle, index=0, value=50.0):
    handle[index] = value


def _iadd(handle):
    handle += 1.0


def _raw_iadd(handle):
    array = handle.data
    array += 1.0


# Each mutation: (take a handle on the target before the saving op, write through it after).
MUTATIONS = {
    "add_": (lambda t: t, _no_grad(lambda t: t.add_(1.0))),
    "iadd": (lambda t: t, _no_grad(_iadd)),
    "mul_": (lambda t: t, _no_grad(lambda t: t.mul_(2.0))),
    "setitem": (lambda t: t, _no_grad(_set)),
    "zero_": (lambda t: t, _no_grad(lambda t: t.zero_())),
    "copy_": (lambda t: t, _no_grad(lambda t: t.copy_(tg.ones(3)))),
    "data-setitem": (lambda t: t, lambda t: _set(t.data)),
    "numpy-setitem": (lambda t: t, lambda t: _set(t.numpy())),
    "asarray-setitem": (lambda t: t, lambda t: _set(np.asarray(t))),
    "data-iadd": (lambda t: t, _raw_iadd),
    "numpy-taken-before": (lambda t: t.numpy(), _set),
    "numpy-view-taken-before": (lambda t: t.numpy()[0:2], _set),
    "slice-view-add_": (lambda t: t, _no_grad(lambda t: t[0:2].add_(1.0))),
    "slice-view-taken-before-add_": (lambda t: t[0:2].detach(), _no_grad(lambda v: v.add_(1))),
    "slice-view-numpy": (lambda t: t, lambda t: _set(t[0:2].numpy())),
    "reshape-view-add_": (lambda t: t, _no_grad(lambda t: t.reshape(3).add_(1.0))),
    "detach-add_": (lambda t: t, lambda t: t.detach().add_(1.0)),
    "detach-setitem": (lambda t: t, lambda t: _set(t.detach())),
    "detach-numpy": (lambda t: t, lambda t: _set(t.detach().numpy())),
    "detach-taken-before": (lambda t: t.detach(), lambda d: d.add_(1.0)),
    "mutable-data": (lambda t: t, lambda t: _set(t._mutable_data())),
}


def _cases():
    for target in TARGETS:
        for mutation in MUTATIONS:
            yield pytest.param(target, mutation, id=f"{target}-{mutation}")


def _gradient_or_error(target: str, mutation: str):
    """Run the scenario: 'write' or 'backward' if refused there, else the gradient."""
    make, saving_op, _ = TARGETS[target]
    take, write = MUTATIONS[mutation]
    x = _leaf()
    saved = make(x)
    handle = take(saved)
    z = saving_op(saved)
    try:
        write(handle)
    except (ValueError, RuntimeError):
        return "write", None
    try:
        z.backward()
    except RuntimeError as error:
        return "backward", str(error)
    return "gradient", x.grad.numpy()


@pytest.mark.parametrize(("target", "mutation"), list(_cases()))
def test_in_place_change_of_saved_memory_never_gives_a_wrong_gradient(target, mutation):
    outcome, detail = _gradient_or_error(target, mutation)
    if outcome == "backward":
        assert "in-place" in detail
    elif outcome == "gradient":
        np.testing.assert_allclose(detail, TARGETS[target][2], rtol=1e-12)


# -- other arrays backward needs -----------------------------------------------------------


def test_changing_an_ndarray_operand_after_the_op_never_gives_a_wrong_gradient():
    w = _leaf()
    array = np.ones(3)
    z = (w * array).sum()
    array[0] = 100.0
    _backward_raises_or_gives(z, w, np.ones(3))


def test_changing_a_where_condition_after_the_op_never_gives_a_wrong_gradient():
    x = _leaf()
    mask = x > 1.5
    z = tg.where(mask, x, 0.0).sum()
    try:
        mask.numpy()[1] = False
    except ValueError:
        return
    _backward_raises_or_gives(z, x, np.array([0.0, 1.0, 1.0]))


def test_changing_an_index_tensor_after_getitem_never_gives_a_wrong_gradient():
    x = _leaf()
    index = tg.Tensor(np.array([0, 1]), dtype=tg.int64)
    z = x[index].sum()
    try:
        index.numpy()[0] = 2
    except ValueError:
        return
    _backward_raises_or_gives(z, x, np.array([1.0, 1.0, 0.0]))


def test_changing_an_index_ndarray_after_getitem_never_gives_a_wrong_gradient():
    x = _leaf()
    index = np.array([0, 1])
    z = x[index].sum()
    index[0] = 2
    _backward_raises_or_gives(z, x, np.array([1.0, 1.0, 0.0]))


def _backward_raises_or_gives(z, x, expected):
    try:
        z.backward()
    except RuntimeError as error:
        assert "in-place" in str(error)
        return
    np.testing.assert_allclose(x.grad.numpy(), expected)


class _Square(tg.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x


class _ScaleBy(tg.Function):
    """x * k where k is saved but is not an argument."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(k)
        return x * k

    @staticmethod
    def backward(ctx, grad):
        (k,) = ctx.saved_tensors
        return grad * k, None


@pytest.mark.parametrize("mutation", ["add_", "numpy-setitem", "detach-add_", "mutable-data"])
def test_in_place_change_of_a_custom_function_saved_input_is_caught(mutation):
    _, write = MUTATIONS[mutation]
    x = _leaf()
    z = _Square.apply(x).sum()
    try:
        write(x)
    except (ValueError, RuntimeError):
        return
    with pytest.raises(RuntimeError, match="in-place"):
        z.backward()


def test_in_place_change_of_a_custom_function_saved_constant_is_caught():
    x = _leaf()
    k = tg.Tensor([2.0, 2.0, 2.0])
    z = _ScaleBy.apply(x, k).sum()
    try:
        k.numpy()[0] = 100.0
    except ValueError:
        return
    _backward_raises_or_gives(z, x, np.full(3, 2.0))


# -- the errors ----------------------------------------------------------------------------


def test_in_place_error_names_the_op_the_input_and_the_named_tensor():
    x = _leaf()
    z = (x * x).sum()
    with tg.no_grad():
        x.add_(1.0)
    with pytest.raises(RuntimeError) as info:
        z.backward()
    message = str(info.value)
    for piece in ("MulBackward0", "input 0", "'x'", "(3,)", "in-place", "clone()"):
        assert piece in message


def test_in_place_error_names_a_modified_output():
    y = _leaf().exp()
    z = y.sum()
    with tg.no_grad():
        y.mul_(2.0)
    with pytest.raises(RuntimeError, match=r"ExpBackward0: its output.*\(3,\)"):
        z.backward()


def test_in_place_op_on_a_leaf_that_requires_grad_is_refused_while_recording():
    x = _leaf()
    with pytest.raises(RuntimeError, match=r"add_: a leaf tensor that requires grad .*no_grad"):
        x.add_(1.0)
    with pytest.raises(RuntimeError, match=r"mul_: a leaf tensor that requires grad"):
        x[0].mul_(2.0)  # a view of the leaf: the write would reach the leaf


def test_raw_write_into_saved_memory_is_refused_at_the_write():
    x = _leaf()
    _ = (x * x).sum()
    with pytest.raises(ValueError, match="read-only"):
        x.numpy()[0] = 5.0


# -- what stays allowed --------------------------------------------------------------------


def test_in_place_change_of_an_unsaved_input_is_allowed():
    x = _leaf()
    z = (x + 1.0).sum()
    with tg.no_grad():
        x.add_(1.0)
    z.backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_assigning_data_keeps_the_saved_values_and_the_gradient():
    x = _leaf()
    z = (x * x).sum()
    x.data = np.zeros(3)
    z.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * X0)


def test_arrays_are_writeable_again_after_backward():
    x = _leaf()
    array = x.numpy()
    (x * x).sum().backward()
    assert array.flags.writeable
    array[0] = 10.0
    assert x.tolist()[0] == 10.0


def test_in_place_updates_work_after_backward():
    x = _leaf()
    (x * x).sum().backward()
    with tg.no_grad():
        x.sub_(x.grad, alpha=0.5)
    x.data += 1.0
    np.testing.assert_allclose(x.numpy(), X0 - X0 + 1.0)


def test_optimizer_style_update_after_backward_works():
    x = _leaf()
    (x * x).sum().backward()
    x._mutable_data()[...] -= 0.5 * x.grad.numpy()
    np.testing.assert_allclose(x.numpy(), X0 - X0)


def test_memory_handed_out_before_the_op_is_saved_as_a_copy():
    x = _leaf()
    array = x.numpy()
    z = (x * x).sum()
    assert array.flags.writeable
    array[0] = 100.0  # the op saved its own copy: the gradient is that of the forward run
    z.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])


def test_retain_graph_keeps_memory_protected_until_the_last_backward():
    x = _leaf()
    z = (x * x).sum()
    array = x.numpy()  # handed out while the graph holds it: read-only
    z.backward(retain_graph=True)
    assert not array.flags.writeable
    z.backward()
    assert array.flags.writeable


def test_memory_stays_protected_while_another_graph_still_needs_it():
    x = _leaf()
    first, second = (x * x).sum(), (x * x * x).sum()
    array = x.numpy()
    first.backward()
    assert not array.flags.writeable
    second.backward()
    assert array.flags.writeable


def test_dropping_a_graph_without_backward_makes_memory_writeable():
    x = _leaf()
    z = (x * x).sum()
    array = x.numpy()
    assert not array.flags.writeable
    del z
    assert array.flags.writeable


def test_no_grad_computation_does_not_lock_memory():
    x = _leaf()
    array = x.numpy()
    with tg.no_grad():
        _ = x * x
    array[0] = 5.0
    assert x.tolist()[0] == 5.0


def test_a_non_leaf_saved_by_many_graphs_keeps_a_short_list_of_savers():
    x = _leaf()
    hidden = x * 2.0
    graphs = [(hidden * hidden).sum() for _ in range(50)]
    assert hidden._savers is None or len(hidden._savers) <= 4
    with tg.no_grad():
        hidden.add_(1.0)
    # The first graph waited for a storage, the last one had it at once: both refuse.
    for z in (graphs[0], graphs[-1]):
        with pytest.raises(RuntimeError, match="in-place"):
            z.backward(retain_graph=True)
