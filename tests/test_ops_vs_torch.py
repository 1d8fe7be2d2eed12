"""Optional cross-check: every row of the op table agrees with PyTorch in float64 to 1e-9.

Forward values, the gradient of a random projection of the output for each input, and the
second derivatives (the gradient of a random projection of those gradients). Skipped
when torch is not installed (it is never a dependency).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import CASES, Case

import tinygrad_fr as tg

torch = pytest.importorskip("torch")


def _torch_value(value):
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        return torch.as_tensor(value)
    if isinstance(value, tuple):
        return tuple(_torch_value(v) for v in value)
    return value


@pytest.mark.parametrize("case", [c for c in CASES if c.with_torch], ids=lambda case: case.name)
@settings(max_examples=15)
@given(data=st.data())
def test_agrees_with_torch(case: Case, data: st.DataObject):
    arrays, options = data.draw(case.inputs(), label="inputs")
    ours = [tg.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = case.fn(tg, *ours, **options)
    torch_fn = case.torch_fn or case.fn
    expected = torch_fn(torch, *theirs, **{k: _torch_value(v) for k, v in options.items()})
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-9, atol=1e-9)
    if not case.differentiable:
        return

    projection = np.random.default_rng(0).standard_normal(out.shape)
    (out * projection).sum().backward()
    (expected * torch.as_tensor(projection)).sum().backward()
    for mine, reference in zip(ours, theirs):
        reference_grad = None if reference.grad is None else reference.grad.numpy()
        if reference_grad is None:
            assert mine.grad is None or not mine.grad.numpy().any()
        else:
            np.testing.assert_allclose(mine.grad.numpy(), reference_grad, rtol=1e-9, atol=1e-9)


def _second_order(lib, inputs, out, projection):
    """d/d(inputs) of sum(p2 * d(sum(p1 * out))/d(inputs)), as arrays (zeros where unused)."""
    grad = lib.autograd.grad if lib is torch else tg.grad
    first = grad((out * projection).sum(), inputs, create_graph=True, allow_unused=True)
    rng = np.random.default_rng(1)
    terms = [
        (g * lib.as_tensor(rng.standard_normal(tuple(g.shape)))).sum()
        for g in first
        if g is not None and g.requires_grad
    ]
    if not terms:
        return [np.zeros(tuple(x.shape)) for x in inputs]
    second = grad(sum(terms), inputs, allow_unused=True)
    return [
        np.zeros(tuple(x.shape))
        if g is None
        else (g.detach().numpy(force=True) if lib is torch else g.numpy())
        for g, x in zip(second, inputs)
    ]


SECOND_ORDER = [c for c in CASES if c.with_torch and c.differentiable and c.second_order]


@pytest.mark.parametrize("case", SECOND_ORDER, ids=lambda case: case.name)
@settings(max_examples=8)
@given(data=st.data())
def test_second_order_agrees_with_torch(case: Case, data: st.DataObject):
    arrays, options = data.draw(case.inputs(), label="inputs")
    ours = [tg.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = case.fn(tg, *ours, **options)
    torch_fn = case.torch_fn or case.fn
    expected = torch_fn(torch, *theirs, **{k: _torch_value(v) for k, v in options.items()})
    projection = np.random.default_rng(0).standard_normal(out.shape)
    mine = _second_order(tg, ours, out, tg.as_tensor(projection))
    reference = _second_order(torch, theirs, expected, torch.as_tensor(projection))
    for got, want in zip(mine, reference):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
