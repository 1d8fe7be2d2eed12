"""Each op's generated NumPy code (its template, or the generic fallback) matches the op itself.

Driven by the op table (``tests/op_table.py``): for every row, the op and a weighted sum's
backward run eagerly and through a captured step (two recordings, then the generated code);
outputs and input gradients must be bit-identical, in float64 and float32.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import CASES, Case

import tinygrad_fr as tg
from tinygrad_fr.jit import templates
from tinygrad_fr.jit.templates import generic
from tinygrad_fr.ops import PRIMITIVES

REFUSED = {"index_put": "setitem"}  # item assignment is an in-place change: refused


def _fn(case: Case) -> Any:
    if case.name == "dropout":  # seeded outside the step: the replay draws as eager does
        return lambda lib, x: lib.nn.functional.dropout(x, 0.5)
    return case.fn


def _run(step: Any, arrays: tuple, dtype: Any, seed: bool) -> tuple:
    tensors = [tg.Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    if seed:
        tg.manual_seed(3)
    out = step(*tensors)
    grads = [None if t.grad is None else t.grad.numpy().copy() for t in tensors]
    return np.array(out.numpy(), copy=True), grads


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_generated_code_is_bit_identical_to_the_op(case: Case, dtype: Any, data: Any) -> None:
    arrays, options = data.draw(case.inputs())
    fn = _fn(case)
    seed = case.name == "dropout"
    probe = fn(tg, *[tg.Tensor(a.astype(dtype)) for a in arrays], **options)
    weights = tg.Tensor(np.linspace(-1.0, 1.5, probe.numpy().size).reshape(probe.shape))
    backward = case.differentiable and probe.dtype.kind == "f"

    def step(*tensors: tg.Tensor) -> tg.Tensor:
        out = fn(tg, *tensors, **options)
        if backward:
            (out * weights.to(out.dtype)).sum().backward()
        return out

    captured = tg.jit.capture(step)
    if case.name in REFUSED:
        with pytest.raises(tg.jit.CaptureError, match=REFUSED[case.name]):
            captured(*[tg.Tensor(a.astype(dtype), requires_grad=True) for a in arrays])
        return
    for _ in range(3):
        out, grads = _run(captured, arrays, dtype, seed)
    reference_out, reference_grads = _run(step, arrays, dtype, seed)
    assert captured.replays == 1, captured.reasons
    assert _same(out, reference_out), (out, reference_out)
    for mine, theirs in zip(grads, reference_grads):
        assert _same(mine, theirs), (mine, theirs)


def test_every_primitive_has_a_template_or_runs_generically() -> None:
    """New ops need no template (the fallback calls their own forward and backward); the
    primitives the course uses most have one, so that step.code reads as NumPy."""
    course = {"Linear", "Sigmoid", "Tanh", "ReLU", "MSELoss", "Add", "Sub", "Mul", "Pow", "Sum"}
    course |= {"Mean", "MatMul", "Reshape", "Permute", "LogSoftmax", "NLLLoss", "Dropout"}
    templated = {op.__name__ for op in templates.FORWARD}
    assert course <= templated
    for op in PRIMITIVES:
        if op in templates.FORWARD and op._differentiable:
            assert op in templates.BACKWARD, f"{op.__name__} has a forward template only"
    assert callable(generic.forward) and callable(generic.backward)
