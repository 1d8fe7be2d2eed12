"""Fused loss primitives: mean squared error and negative log-likelihood.

Fused because losses end every training step: one node instead of three or four. Backward
recomputes what it needs from the inputs (never from a saved intermediate), so that these
losses stay differentiable twice.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Primitive
from .dispatch import is_tensor
from .movement import index_add


def _reduce(losses: np.ndarray, reduction: str, total: float) -> np.ndarray:
    if reduction == "mean":
        if total == 0:  # every target ignored: PyTorch's answer is nan, without a warning
            return np.full((), np.nan, dtype=losses.dtype)
        return losses.sum() / total
    if reduction == "sum":
        return losses.sum()
    return losses


class MSELoss(Primitive):
    """out = reduce((x - t)**2);  dx = grad * 2 * (x - t) / n, dt = -dx  (n: 1 unless 'mean')"""

    @staticmethod
    def forward(ctx: Any, x: Any, target: Any, reduction: str) -> Any:
        ctx.save_for_backward(x, target)
        ctx.scale = 2.0 / x.size if reduction == "mean" else 2.0
        diff = x - target
        if reduction == "none":
            return diff * diff
        loss = np.vdot(diff, diff) if diff.dtype.kind == "f" else (diff * diff).sum()
        return loss / x.size if reduction == "mean" else loss

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, target = ctx.saved_tensors
        needs_x, needs_target, _ = ctx.next_edges
        grad_x = x - target
        if is_tensor(grad_x) or is_tensor(grad) or grad_x.ndim == 0:  # recorded ops, scalars
            grad_x = grad_x * (grad * ctx.scale)
        else:
            grad_x *= grad * ctx.scale  # a fresh array: scaled in place
        return (grad_x if needs_x is not None else None), (
            -grad_x if needs_target is not None else None
        )


class NLLLoss(Primitive):
    """out = reduce(-w[t_i] * logp[i, t_i]);  dlogp = -w[t_i] * grad at [i, t_i] (/ sum w if mean)

    ``logp`` is (N, C) or (C,); ``target`` holds class indices; entries equal to
    ``ignore_index`` contribute nothing, as in PyTorch.
    """

    @staticmethod
    def forward(
        ctx: Any, logp: Any, target: Any, weight: Any, ignore_index: int, reduction: str
    ) -> Any:
        batched = logp.ndim == 2
        rows = np.arange(logp.shape[0]) if batched else None
        kept = target != ignore_index
        classes = np.where(kept, target, 0)
        index = (rows, classes) if batched else (classes,)
        factor = kept.astype(logp.dtype) if weight is None else weight[classes] * kept
        total = factor.sum() if reduction == "mean" else 1.0
        ctx.index, ctx.shape, ctx.reduction = index, logp.shape, reduction
        scale = -factor / total if reduction == "mean" and total else -factor
        ctx.save_for_backward(scale)
        losses = -logp[index] * factor
        return _reduce(losses, reduction, total)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (factor,) = ctx.saved_tensors
        return index_add(ctx.shape, ctx.index, factor * grad)


PRIMITIVES = (MSELoss, NLLLoss)
