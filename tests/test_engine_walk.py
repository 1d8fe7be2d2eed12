"""The backward walk and its extension point: order, several roots, ``inputs=``, modes, and
what an observer sees."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr import nn, optim
from tinygrad_fr.autograd import topological_order
from tinygrad_fr.autograd.observer import Observer, observe


def test_topological_order_puts_every_node_after_its_consumers():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a.exp()
    c = a + b
    order = topological_order([c.grad_fn])
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for parent in node.next_edges:
            if parent is not None and parent._is_node:
                assert position[parent] > position[node]
    assert [n.name() for n in order] == ["AddBackward0", "ExpBackward0", "MulBackward0"]


def test_a_root_that_another_root_depends_on_is_walked_once_all_its_gradients_arrived():
    x = tg.tensor(1.0, requires_grad=True)
    a = x * 2
    y = a * 3
    z = y * 4
    tg.backward([z, y])  # dz/dx + dy/dx = 24 + 6
    assert x.grad.item() == 30.0


def test_backward_with_inputs_accumulates_only_into_them():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    h = x * w
    (h * h).sum().backward(inputs=[w, h])
    assert x.grad is None
    assert w.grad.tolist() == [6.0, 32.0] and h.grad.tolist() == [6.0, 16.0]


def test_grad_accepts_only_inputs_and_materializes_unused_inputs():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    unused = tg.tensor([5.0], requires_grad=True)
    gx, gu = tg.grad((x * x).sum(), [x, unused], only_inputs=True, materialize_grads=True)
    assert gx.tolist() == [2.0, 4.0] and gu.tolist() == [0.0]


def test_a_node_that_saved_nothing_can_be_walked_twice_as_in_pytorch():
    x = tg.tensor([1.0], requires_grad=True)
    y = (x + 2).sum()
    y.backward()
    y.backward()  # AddBackward and SumBackward keep nothing to free
    assert x.grad.tolist() == [2.0]
    z = (x * x).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.backward()


def test_set_grad_enabled_works_as_a_call_and_inference_mode_as_no_grad():
    tg.set_grad_enabled(False)
    try:
        assert not tg.is_grad_enabled()
    finally:
        tg.set_grad_enabled(True)
    x = tg.tensor([1.0], requires_grad=True)
    with tg.inference_mode():
        assert not (x * 2).requires_grad
    with tg.inference_mode(False):
        assert (x * 2).requires_grad

    @tg.inference_mode()
    def infer(t):
        return t * 2

    assert not infer(x).requires_grad


class Recorder(Observer):
    def __init__(self):
        self.events = []

    def op(self, event):
        self.events.append(("op", event.op.__name__, event.node is not None))

    def write(self, tensor, result, op):
        self.events.append(("write", op))

    def read(self, tensor, what):
        self.events.append(("read", what))

    def backward(self, run, call):
        self.events.append(("backward", len(call.outputs), call.create_graph))
        return run()

    def call(self, run, method, owner, args, kwargs):
        self.events.append(("call", method.__name__))
        return run()


def test_an_observer_sees_ops_writes_reads_backward_and_library_calls():
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    recorder = Recorder()
    with observe(recorder):
        opt.zero_grad()
        loss = model(tg.ones(3, 2)).sum()
        loss.backward()
        opt.step()
        y = loss * 1
        y += 1
        y.item()
    kinds = [e[0] for e in recorder.events]
    first = [("call", "zero_grad"), ("op", "Linear", True), ("op", "Sum", True)]
    assert recorder.events[:3] == first
    assert ("backward", 1, False) in recorder.events and ("call", "step") in recorder.events
    assert ("write", "add_") in recorder.events and recorder.events[-1] == ("read", "item()")
    assert kinds.count("op") == 4  # Linear, Sum, Mul, and the Add that add_ writes


def test_observers_are_per_thread_and_cost_nothing_when_removed():
    import threading

    recorder = Recorder()
    seen_elsewhere = []
    with observe(recorder):
        thread = threading.Thread(target=lambda: seen_elsewhere.append((tg.ones(2) * 2).sum()))
        thread.start()
        thread.join()
    (tg.ones(2) * 2).sum()
    assert recorder.events == [] and seen_elsewhere
    assert not tg.autograd.grad_mode.state.watched


def test_ops_inside_a_custom_function_forward_are_one_op_for_observers():
    class Square(tg.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x

    recorder = Recorder()
    with observe(recorder):
        Square.apply(tg.tensor([3.0], requires_grad=True))
    assert recorder.events == [("op", "Square", True)]
    # The forward switched grad mode off and on again: later ops and backward are still seen.
    recorder = Recorder()
    with observe(recorder):
        (Square.apply(tg.tensor([3.0], requires_grad=True)) * 2).sum().backward()
    assert recorder.events == [
        ("op", "Square", True), ("op", "Mul", True), ("op", "Sum", True),
        ("backward", 1, False), ("op", "Mul", False), ("op", "Mul", False),  # Square.backward
    ]  # fmt: skip


def test_create_graph_walks_record_and_differentiate_again():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    (gx,) = tg.grad((x**3).sum(), x, create_graph=True)
    (ggx,) = tg.grad(gx.sum(), x)
    np.testing.assert_allclose(ggx.numpy(), 6 * x.numpy())
