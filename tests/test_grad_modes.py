"""Grad modes (``no_grad``, ``enable_grad``, as context managers and decorators), anomaly
detection, and graphs deep enough to break a recursive engine.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import weakref

import numpy as np
import pytest

import tinygrad_fr as tg


def _leaf(values, dtype=np.float64):
    return tg.Tensor(np.asarray(values, dtype=dtype), requires_grad=True)


# -- grad modes ----------------------------------------------------------------------------


def test_no_grad_records_nothing():
    x = _leaf([1.0, 2.0])
    with tg.no_grad():
        y = x * 2
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_no_grad_result_holds_no_reference_to_its_inputs():
    x = _leaf(np.ones(10))
    with tg.no_grad():
        y = (x * 2).exp()
    ref = weakref.ref(x)
    del x
    gc.collect()
    assert ref() is None
    assert y.shape == (10,)


def test_no_grad_frees_intermediate_arrays():
    x = _leaf(np.ones(10))
    with tg.no_grad():
        a = x * 2
        out = a.exp()
    ref = weakref.ref(a.numpy())
    del a
    gc.collect()
    assert ref() is None
    assert out.shape == (10,)


def test_graph_keeps_the_intermediate_arrays_backward_needs():
    # The counterpart of the no_grad test: with recording, exp keeps its output alive.
    x = _leaf(np.ones(10))
    a = x.exp()
    out = a.sum()
    ref = weakref.ref(a.numpy())
    del a
    gc.collect()
    assert ref() is not None
    out.backward()
    assert x.grad.shape == (10,)


def test_no_grad_as_decorator():
    @tg.no_grad()
    def double(t):
        return t * 2

    assert not double(_leaf([1.0])).requires_grad


def test_no_grad_as_decorator_without_parentheses():
    @tg.no_grad
    def double(t):
        return t * 2

    assert not double(_leaf([1.0])).requires_grad


def test_enable_grad_inside_no_grad_records():
    x = _leaf([1.0])
    with tg.no_grad():
        with tg.enable_grad():
            y = x * 2
    assert y.requires_grad


def test_enable_grad_as_decorator_records_inside_no_grad():
    @tg.enable_grad()
    def double(t):
        return t * 2

    with tg.no_grad():
        assert double(_leaf([1.0])).requires_grad


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError), tg.no_grad():
        raise ValueError("boom")
    assert tg.is_grad_enabled()


def test_no_grad_decorated_function_restores_grad_mode():
    @tg.no_grad()
    def check():
        return tg.is_grad_enabled()

    assert check() is False
    assert tg.is_grad_enabled()


# -- detect_anomaly ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "op"),
    [
        (lambda x: (x - 2.0).log(), "log"),
        (lambda x: x / 0.0, "div"),
        (lambda x: (x * 1000.0).exp(), "exp"),
        (lambda x: (x - 2.0).sqrt(), "sqrt"),
    ],
    ids=["log", "div", "exp", "sqrt"],
)
def test_detect_anomaly_names_the_forward_op_that_produced_nan_or_inf(make, op):
    x = _leaf([1.0, 2.0])
    with tg.detect_anomaly(), pytest.raises(FloatingPointError, match=op):
        make(x)


def test_detect_anomaly_names_the_backward_op_that_produced_nan_or_inf():
    x = _leaf([0.0, 1.0])
    y = x.sqrt().sum()
    with tg.detect_anomaly(), pytest.raises(FloatingPointError, match="SqrtBackward0"):
        y.backward()


def test_detect_anomaly_as_decorator():
    @tg.detect_anomaly()
    def bad():
        return tg.Tensor([-1.0]).log()

    with pytest.raises(FloatingPointError, match="log"):
        bad()
    assert not tg.is_anomaly_enabled()


def test_detect_anomaly_lets_finite_computations_pass():
    x = _leaf([1.0, 2.0])
    with tg.detect_anomaly():
        x.log().sum().backward()
    assert x.grad.tolist() == [1.0, 0.5]


# -- deep graphs ---------------------------------------------------------------------------


def test_backward_through_100k_ops_needs_no_recursion():
    x = _leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    assert x.grad.item() == 1.0


def test_dropping_a_one_million_op_graph_does_not_crash():
    # Built directly from graph nodes (as many Python objects as real ops, much faster than
    # a million Tensor ops); the subprocess turns a segfault into a test failure.
    script = textwrap.dedent(
        """
        import tinygrad_fr as tg
        from tinygrad_fr.ops.elementwise import Neg

        x = tg.Tensor(1.0, requires_grad=True)
        nodes = [object.__new__(Neg) for _ in range(1_000_000)]
        for node, parent in zip(nodes, [x] + nodes[:-1]):
            node.next_edges = (parent,)
        y = tg.Tensor._make(x.numpy(), True, nodes[-1])
        del nodes, node, parent
        del y
        print("dropped")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "dropped"
