"""Every op: forward values against NumPy, gradients against float64 finite differences.

Driven by the table in ``op_table.py``; inputs come from the public Hypothesis strategies
(random shapes from 0-d up, broadcasting, valid dims).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import CASES, Case

import tinygrad_fr as tg
from tinygrad_fr.ops import PRIMITIVES
from tinygrad_fr.testing import gradcheck, gradgradcheck


def _draw(case: Case, data: st.DataObject) -> tuple[list[tg.Tensor], dict]:
    arrays, options = data.draw(case.inputs(), label="inputs")
    inputs = [tg.Tensor(array, requires_grad=True) for array in arrays]
    return inputs, options


def _fn(case: Case, options: dict):
    return lambda *inputs: case.fn(tg, *inputs, **options)


def test_every_primitive_has_a_row():
    covered = {primitive for case in CASES for primitive in case.covers}
    missing = [p.__name__ for p in PRIMITIVES if p not in covered]
    assert not missing, f"add a row to tests/op_table.py for: {missing}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@settings(max_examples=1)
@given(data=st.data())
def test_a_row_runs_the_primitive_it_covers_first(case: Case, data: st.DataObject):
    primitive = case.covers[0]
    calls = []
    original = primitive.forward

    def counting_forward(ctx, *args):
        calls.append(primitive)
        return original(ctx, *args)

    primitive.forward = staticmethod(counting_forward)
    try:
        inputs, options = _draw(case, data)
        case.fn(tg, *inputs, **options)
    finally:
        primitive.forward = staticmethod(original)
    assert calls, f"row {case.name!r} never runs {primitive.__name__}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@given(data=st.data())
def test_forward_matches_numpy(case: Case, data: st.DataObject):
    if case.reference is None:
        pytest.skip("no NumPy reference for this row")
    inputs, options = _draw(case, data)
    out = case.fn(tg, *inputs, **options)
    expected = case.reference(*(t.numpy() for t in inputs), **options)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


DIFFERENTIABLE = [case for case in CASES if case.differentiable]


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=lambda case: case.name)
@given(data=st.data())
def test_gradient_matches_finite_differences(case: Case, data: st.DataObject):
    inputs, options = _draw(case, data)
    assert gradcheck(_fn(case, options), inputs, eps=case.eps, atol=case.atol)


@pytest.mark.parametrize("case", [c for c in CASES if c.second_order], ids=lambda case: case.name)
@settings(max_examples=10)
@given(data=st.data())
def test_second_order_gradient_matches_finite_differences(case: Case, data: st.DataObject):
    inputs, options = _draw(case, data)
    assert gradgradcheck(_fn(case, options), inputs, eps=case.eps, atol=case.atol)


@pytest.mark.parametrize(
    "case", [c for c in DIFFERENTIABLE if c.keeps_dtype], ids=lambda case: case.name
)
@settings(max_examples=5)
@given(data=st.data())
def test_float32_stays_float32(case: Case, data: st.DataObject):
    arrays, options = data.draw(case.inputs(), label="inputs")
    inputs = [tg.Tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
    out = case.fn(tg, *inputs, **options)
    assert out.dtype == np.float32
    (out * 1.0).sum().backward()
    for tensor in inputs:
        assert tensor.grad is None or tensor.grad.dtype == np.float32
