"""Backward hooks on tensors, graph nodes and modules: values, order, call counts, removal.

Each scenario runs the same code on tinygrad_fr and, when installed, on PyTorch: the hooks
must see the same gradients, the same number of times, in the same order.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn


def _values(items):
    return [None if g is None else np.asarray(g.detach().numpy(), dtype=np.float64) for g in items]


def _tensor_hooks(lib):
    """Hooks on a leaf and on a non-leaf, one replacing the gradient, with retain_grad."""
    seen = []
    a = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    h = a * 2
    h.register_hook(lambda g: seen.append(("h", g.detach().numpy().copy())))
    h.retain_grad()
    h.register_hook(lambda g: g * 10)  # replaces: later hooks and retain_grad see 10x
    a.register_hook(lambda g: seen.append(("a", g.detach().numpy().copy())))
    (h * h).sum().backward()
    return seen, h.grad.numpy(), a.grad.numpy()


def _node_hooks(lib):
    seen = []
    a = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([3.0, 4.0], dtype=lib.float64, requires_grad=True)
    y = a * b
    y.grad_fn.register_prehook(lambda go: seen.append(("pre", _values(go))))
    y.grad_fn.register_hook(lambda gi, go: seen.append(("post", _values(gi), _values(go))))
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0, gi[1]))  # replaces a's gradient
    (y * y).sum().backward()
    return seen, a.grad.numpy(), b.grad.numpy()


def _module_hooks(lib):
    seen = []
    lib.manual_seed(0)
    layer = lib.nn.Linear(2, 1).double()
    with lib.no_grad():
        layer.weight.copy_(lib.tensor([[0.5, -1.0]], dtype=lib.float64))
        layer.bias.fill_(0.25)
    layer.register_forward_pre_hook(lambda m, args: seen.append(("pre", len(args))))
    layer.register_forward_hook(lambda m, args, out: seen.append(("fwd", tuple(out.shape))))
    layer.register_full_backward_pre_hook(lambda m, go: seen.append(("bpre", _values(go))))
    layer.register_full_backward_hook(lambda m, gi, go: seen.append(("bwd", _values(gi))))
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
    (layer(x) ** 2).sum().backward()
    data = lib.tensor([[1.0, 2.0]], dtype=lib.float64)  # an input without gradient
    layer(data).sum().backward()
    return seen, x.grad.numpy()


SCENARIOS = {"tensor": _tensor_hooks, "node": _node_hooks, "module": _module_hooks}


def _same(mine, theirs):
    if isinstance(mine, np.ndarray) or isinstance(theirs, np.ndarray):
        return np.allclose(np.asarray(mine, np.float64), np.asarray(theirs, np.float64), 1e-12)
    if isinstance(mine, (list, tuple)):
        return len(mine) == len(theirs) and all(_same(a, b) for a, b in zip(mine, theirs))
    return mine == theirs


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_hooks_see_what_pytorch_hooks_see(name):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():  # PyTorch warns when no module input needs a gradient
        warnings.simplefilter("ignore")
        theirs = SCENARIOS[name](torch)
    assert _same(SCENARIOS[name](tg), theirs)


def test_tensor_hooks_values_and_order():
    seen, h_grad, a_grad = _tensor_hooks(tg)
    assert [name for name, _ in seen] == ["h", "a"]
    assert seen[0][1].tolist() == [4.0, 8.0]  # dL/dh = 2h, before the replacing hook
    assert h_grad.tolist() == [40.0, 80.0]  # retain_grad runs after every tensor hook
    assert a_grad.tolist() == [80.0, 160.0] and seen[1][1].tolist() == [80.0, 160.0]


def test_node_hooks_see_grad_outputs_then_grad_inputs_and_may_replace_them():
    seen, a_grad, b_grad = _node_hooks(tg)
    assert seen[0][0] == "pre" and seen[0][1][0].tolist() == [6.0, 16.0]
    assert seen[1][0] == "post" and [g.tolist() for g in seen[1][1]] == [[18.0, 64.0], [6.0, 32.0]]
    assert a_grad.tolist() == [0.0, 0.0] and b_grad.tolist() == [6.0, 32.0]


def test_module_hooks_order_and_gradients():
    seen, x_grad = _module_hooks(tg)
    kinds = [entry[0] for entry in seen]
    assert kinds == ["pre", "fwd", "bpre", "bwd", "pre", "fwd", "bpre", "bwd"]
    assert seen[3][1][0].shape == (2, 2)  # grad_input: the gradient of x
    assert seen[7][1] == [None]  # the input needs no gradient: grad_input holds None
    assert np.allclose(x_grad, 2 * np.array([[-1.25], [-2.25]]) * np.array([[0.5, -1.0]]))


def test_a_leaf_hook_fires_once_with_the_summed_gradient():
    calls = []
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    a.register_hook(lambda g: calls.append(g.numpy().copy()))
    (a * a + a).sum().backward()  # three uses of a: one call with 2a + 1
    assert len(calls) == 1 and calls[0].tolist() == [3.0, 5.0]


def test_removed_hooks_are_not_called_and_handles_are_context_managers():
    calls = []
    a = tg.tensor([1.0], requires_grad=True)
    handle = a.register_hook(lambda g: calls.append(1))
    handle.remove()
    handle.remove()  # harmless
    with a.register_hook(lambda g: calls.append(2)):
        (a * 2).sum().backward()
    (a * 2).sum().backward()
    assert calls == [2]


def test_hooks_apply_in_tg_grad_on_leaves_and_non_leaves():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    a.register_hook(lambda g: g * 100)
    h = a * 2
    h.register_hook(lambda g: g * 10)
    (dh,) = tg.grad((h * h).sum(), h, retain_graph=True)
    (da,) = tg.grad((a * 3).sum(), a)
    assert dh.tolist() == [40.0, 80.0] and da.tolist() == [300.0, 300.0]


def test_post_accumulate_grad_hook_sees_the_accumulated_grad_once_per_backward():
    seen = []
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    a.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.numpy().copy()))
    (a * a).sum().backward()
    (a * 3).sum().backward()
    tg.grad((a * 5).sum(), a)  # tg.grad does not accumulate: no call
    assert [g.tolist() for g in seen] == [[2.0, 4.0], [5.0, 7.0]]


def test_hooks_under_create_graph_receive_differentiable_gradients():
    seen = []
    b = tg.tensor([1.0, 2.0], requires_grad=True)
    b.register_hook(lambda g: seen.append(g.grad_fn is not None))
    (b**3).sum().backward(create_graph=True)
    assert seen == [True]


def test_a_hook_changing_the_shape_is_an_error():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    h = a * 2
    h.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match=r"changed the shape of a gradient from \(2,\) to \(\)"):
        h.sum().backward()


@pytest.mark.parametrize(
    ("register", "message"),
    [
        (lambda t: t.register_hook(lambda g: g), "doesn't require gradient"),
        (lambda t: (t * 1).register_post_accumulate_grad_hook(lambda x: None), "non-leaf"),
    ],
    ids=["no-grad", "post-accumulate-non-leaf"],
)
def test_registering_where_pytorch_refuses_raises(register, message):
    t = tg.tensor([1.0], requires_grad=message == "non-leaf")
    with pytest.raises(RuntimeError, match=message):
        register(t)


def test_forward_hooks_may_replace_inputs_and_outputs_and_take_kwargs():
    layer = nn.Linear(2, 1)
    handle = layer.register_forward_hook(lambda m, args, out: out * 0)
    assert layer(tg.ones(1, 2)).tolist() == [[0.0]]
    handle.remove()
    layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    assert layer(tg.ones(1, 2)).tolist() == [[layer.bias.item()]]

    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    scale = Scale()
    triple = lambda m, args, kwargs: (args, {"factor": 3.0})  # noqa: E731
    scale.register_forward_pre_hook(triple, with_kwargs=True)
    seen = []
    scale.register_forward_hook(lambda m, a, k, out: seen.append(k), with_kwargs=True)
    assert scale(tg.ones(2)).tolist() == [3.0, 3.0] and seen == [{"factor": 3.0}]


def test_prepend_puts_a_hook_first():
    order = []
    layer = nn.Identity()
    layer.register_forward_hook(lambda m, a, o: order.append("second"))
    layer.register_forward_hook(lambda m, a, o: order.append("first"), prepend=True)
    layer(tg.ones(1))
    assert order == ["first", "second"]


def test_a_full_backward_hook_may_replace_grad_input():
    layer = nn.Identity()
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 5,))
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    layer(x).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


def test_no_hook_objects_exist_until_a_hook_is_registered():
    x = tg.tensor([1.0], requires_grad=True)
    y = (x * 2).sigmoid()
    assert x._hooks is None and y.grad_fn._hooks is None
    assert not nn.Linear(1, 1)._has_hooks


def test_code_on_tensors_inside_backward_runs_with_grad_mode_equal_to_create_graph():
    # PyTorch runs backward with grad mode = create_graph; hooks and custom Functions see it.
    class Double(tg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            seen.append(("function", tg.is_grad_enabled()))
            return grad * 2

    seen: list = []
    for create_graph in (False, True):
        seen.clear()
        x = tg.tensor([1.0, 2.0], requires_grad=True)
        y = Double.apply(x * 3)
        y.register_hook(lambda g: seen.append(("tensor", tg.is_grad_enabled())))
        y.grad_fn.register_hook(lambda gi, go: seen.append(("node", tg.is_grad_enabled())))
        x.register_hook(lambda g: seen.append(("leaf", tg.is_grad_enabled())))
        x.register_post_accumulate_grad_hook(lambda t: seen.append(("acc", tg.is_grad_enabled())))
        y.sum().backward(create_graph=create_graph)
        assert seen == [
            ("tensor", create_graph), ("function", create_graph), ("node", create_graph),
            ("leaf", create_graph), ("acc", create_graph),
        ]  # fmt: skip
        assert tg.is_grad_enabled()
    with tg.no_grad():
        x = tg.tensor([1.0], requires_grad=True)
    with tg.enable_grad():
        y = (x * x).sum()
    with tg.no_grad():
        (gx,) = tg.grad(y, x, create_graph=True)
        assert not tg.is_grad_enabled()
    assert gx.requires_grad  # create_graph records even when called under no_grad
