"""Optional cross-check: every row of the op table agrees with PyTorch in float64 to 1e-9.

Forward values and the gradient of a random projection of the output, for each input.
Skipped when torch is not installed (it is never a dependency).
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
