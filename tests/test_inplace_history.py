"""In-place ops on tensors that require grad: recorded, with the history rebased, as PyTorch.

Every scenario is a PyTorch idiom run on tinygrad_fr and, when installed, on PyTorch; the
gradients must agree. Then the refusals, with PyTorch's meaning, and the version checks.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg


def _leaf(lib, values):
    return lib.tensor(values, dtype=lib.float64, requires_grad=True)


def _loss_accumulated_in_a_loop(lib):
    w = _leaf(lib, [1.0, -2.0, 3.0])
    loss = lib.tensor(0.0, dtype=lib.float64)
    for k in range(1, 4):
        loss += (w * k).pow(2).sum()
    loss.backward()
    return [w.grad]


def _micrograd_sanity(lib):  # micrograd's own test_more_ops, in-place lines included
    a = _leaf(lib, [-4.0])
    b = _leaf(lib, [2.0])
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.sum().backward()
    return [g, a.grad, b.grad]


def _mul_by_a_tensor_that_needs_grad(lib):
    a, b = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0])
    x = a * 1
    x.mul_(b)  # needs the original x for b's gradient
    x.exp_()
    x.sum().backward()
    return [a.grad, b.grad]


def _item_assignment(lib):
    x, v = _leaf(lib, [1.0, 2.0, 3.0, 4.0]), _leaf(lib, [10.0, 20.0])
    y = x * 2
    y[1:3] = v * x[1:3]  # (v * y[1:3] is refused by both: Mul saved the slice it overwrites)
    y[0] = 5.0
    (y * y).sum().backward()
    return [x.grad, v.grad]


def _augmented_item_assignment(lib):
    x, w = _leaf(lib, [1.0, 2.0, 3.0]), _leaf(lib, [1.0, 1.0])
    y = x * 1
    y[1:] += w * 3
    y[0] *= 4
    (y**2).sum().backward()
    return [x.grad, w.grad]


def _in_place_on_views(lib):
    x = _leaf(lib, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y = x * 1
    v = y.view(2, 3)
    v.add_(1)
    row = v[0]
    row.mul_(10)
    t = y.view(3, 2).t() if hasattr(y, "t") else y.view(3, 2).T
    t[1, 0] = 7.0
    (y * x).sum().backward()
    return [x.grad, y]


def _view_used_after_its_base_changed(lib):
    x = _leaf(lib, [1.0, 2.0, 3.0])
    y = x * 1
    first = y[0]
    y.mul_(2)
    (first * 5).backward()  # the view's history follows its base, as in PyTorch
    return [x.grad]


def _zero_fill_copy(lib):
    x, s = _leaf(lib, [1.0, 2.0, 3.0]), _leaf(lib, [4.0, 5.0, 6.0])
    a, b, c = x * 1, x * 2, x * 3
    a.zero_()
    b.fill_(2.0)
    c.copy_(s * s)
    (a + b * x + c).sum().backward()
    return [x.grad, s.grad]


def _leaf_without_grad_becomes_part_of_the_graph(lib):
    w = _leaf(lib, [1.0, 2.0])
    z = lib.zeros(3, dtype=lib.float64)
    z[0:2] += w
    z[2] = w.sum()
    assert z.requires_grad and not z.is_leaf
    (z * z).sum().backward()
    return [w.grad]


def _retain_grad_follows_the_tensor(lib):
    a = _leaf(lib, [1.0, 2.0])
    x = a * 1
    x.retain_grad()
    x.mul_(3)
    (x * x).sum().backward()
    return [x.grad, a.grad]


SCENARIOS = {
    name.lstrip("_"): fn
    for name, fn in dict(globals()).items()
    if name.startswith("_") and callable(fn) and fn.__module__ == __name__ and name != "_leaf"
    and not name.startswith("__")
}  # fmt: skip


def _arrays(values):
    return [np.asarray(v.detach().numpy(), dtype=np.float64) for v in values]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_gradients_equal_pytorch(name):
    torch = pytest.importorskip("torch")
    for mine, theirs in zip(_arrays(SCENARIOS[name](tg)), _arrays(SCENARIOS[name](torch))):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)


def test_accumulating_a_loss_in_a_loop():
    (grad,) = _loss_accumulated_in_a_loop(tg)
    assert grad.tolist() == [28.0, -56.0, 84.0]  # d/dw of (1 + 4 + 9) * sum(w²)


def test_micrograd_sanity_values():
    g, a_grad, b_grad = _micrograd_sanity(tg)
    assert g.item() == pytest.approx(24.70408163265306, abs=1e-12)
    assert a_grad.item() == pytest.approx(138.83381924198252, abs=1e-12)
    assert b_grad.item() == pytest.approx(645.5772594752187, abs=1e-12)


def test_in_place_op_history_is_rebased_onto_the_new_node():
    a = _leaf(tg, [1.0, 2.0])
    x = a * 2
    old = x.grad_fn
    x.add_(1)
    assert x.grad_fn.name() == "AddBackward0" and x.grad_fn.next_functions[0][0] is old
    assert x.tolist() == [3.0, 5.0]


def test_views_share_the_write():
    x = _leaf(tg, [1.0, 2.0, 3.0])
    y = x * 1
    y[0:2].mul_(3)
    assert y.tolist() == [3.0, 6.0, 3.0] and y._base is None


def test_a_leaf_that_requires_grad_is_refused_as_in_pytorch():
    w = _leaf(tg, [1.0])
    with pytest.raises(RuntimeError, match="a leaf tensor that requires grad is being used in an"):
        w += 1
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w[0:1].mul_(2)  # a view of it: the write would reach the leaf
    with tg.no_grad():
        w -= 0.5
    assert w.tolist() == [0.5]


def test_a_saved_value_changed_in_place_is_still_caught():
    x = _leaf(tg, [1.0, 2.0])
    y = x * 1
    z = y * y  # saves y
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"MulBackward0: its input 0.*version 0 when saved, now"):
        z.sum().backward()


def test_an_output_saved_by_an_in_place_op_is_protected_too():
    x = _leaf(tg, [1.0, 2.0])
    y = x * 1
    y.exp_()  # ExpBackward keeps its output: y itself
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"ExpBackward0: its output.*version 1 when saved, now"):
        y.sum().backward()


def test_a_detached_tensor_written_in_place_does_not_touch_the_graph():
    x = _leaf(tg, [1.0, 2.0])
    w = _leaf(tg, [3.0, 4.0])
    d = x.detach()
    d.add_(w)  # as PyTorch: d joins the graph, x does not
    assert d.grad_fn is not None and x.tolist() == [4.0, 6.0] and x.grad_fn is None


@pytest.mark.parametrize(
    ("action", "error"),
    [
        (lambda y: y.add_(tg.ones(2, 2)), r"add_: the result has shape \(2, 2\)"),
        (lambda y: tg.from_numpy(np.array([1, 2])).add_(0.5), "can't be cast"),
    ],
    ids=["broadcast-grows", "float-into-int"],
)
def test_in_place_results_must_fit_the_tensor(action, error):
    y = _leaf(tg, [1.0, 2.0]) * 1
    with pytest.raises(RuntimeError, match=error):
        action(y)


def test_without_recording_in_place_ops_write_straight_into_the_array():
    x = tg.tensor([1.0, 2.0])
    array = x.numpy()
    x.mul_(3)
    x[0] = 9.0
    assert array.tolist() == [9.0, 6.0] and x.grad_fn is None


def test_hooks_registered_before_an_in_place_op_stay_with_the_old_value():
    seen = []
    a = _leaf(tg, [1.0, 2.0])
    x = a * 1
    x.register_hook(lambda g: seen.append(("before", g.tolist())))
    x.mul_(3)
    x.register_hook(lambda g: seen.append(("after", g.tolist())))
    (x * x).sum().backward()
    assert seen == [("after", [6.0, 12.0]), ("before", [18.0, 36.0])]
