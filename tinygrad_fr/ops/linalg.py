"""Matrix product, with NumPy's ``matmul`` rules (1-D operands, batch broadcasting)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Primitive
from .dispatch import matmul_2d


class MatMul(Primitive):
    """out = a @ b;  da = grad @ bᵀ, db = aᵀ @ grad  (over the last two axes)"""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        needs_a, needs_b = ctx.next_edges or (None, None)
        ctx.vectors = a.ndim == 1, b.ndim == 1
        ctx.save_for_backward(
            a if needs_b is not None else None, b if needs_a is not None else None
        )
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.next_edges
        # A 1-D operand is a row (a) or a column (b) vector whose extra axis matmul dropped.
        a_vector, b_vector = ctx.vectors
        a2 = a.reshape((1,) + a.shape) if a_vector and a is not None else a
        b2 = b.reshape(b.shape + (1,)) if b_vector and b is not None else b
        if a_vector and b_vector:
            grad2 = grad.reshape((1, 1))
        elif a_vector:
            grad2 = grad.reshape(grad.shape[:-1] + (1,) + grad.shape[-1:])
        elif b_vector:
            grad2 = grad.reshape(grad.shape + (1,))
        else:
            grad2 = grad
        grad_a = grad_b = None
        if needs_a is not None:
            grad_a = grad2 @ b2.swapaxes(-1, -2)
            if a_vector:
                grad_a = grad_a.reshape(grad_a.shape[:-2] + grad_a.shape[-1:])
        if needs_b is not None:
            grad_b = a2.swapaxes(-1, -2) @ grad2
            if b_vector:
                grad_b = grad_b.reshape(grad_b.shape[:-1])
        return grad_a, grad_b


class Linear(Primitive):
    """out = x @ wᵀ + b  (w is (out, in) as in PyTorch);  dx = grad @ w, dw = gradᵀ @ x, db = grad

    One op instead of three (matmul, transpose, add): the layer that small networks run most.
    """

    @staticmethod
    def forward(ctx: Any, x: Any, weight: Any, bias: Any) -> Any:
        needs_x, needs_weight, _ = ctx.next_edges or (None, None, None)
        ctx.save_for_backward(
            x if needs_weight is not None else None, weight if needs_x is not None else None
        )
        out = x @ weight.T
        if bias is None:
            return out
        if bias.dtype == out.dtype:
            out += bias
            return out
        return out + bias

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, weight = ctx.saved_tensors
        needs_x, needs_weight, needs_bias = ctx.next_edges
        grad_x = grad @ weight if needs_x is not None else None
        grad_weight = grad_bias = None
        # Every leading axis is a batch axis (a batch of rows is 2-D already: no view made).
        rows = grad if grad.ndim == 2 else grad.reshape((-1, grad.shape[-1]))
        if needs_weight is not None:
            if x.ndim == 1:
                grad_weight = grad.reshape((-1, 1)) * x.reshape((1, -1))
            else:
                x_rows = x if x.ndim == 2 else x.reshape((-1, x.shape[-1]))
                grad_weight = matmul_2d(rows.T, x_rows)
        if needs_bias is not None:
            if grad.ndim == 1:
                grad_bias = grad
            elif rows.shape[0] == 1:  # one sample: its row is the sum, no reduction to run
                grad_bias = rows.reshape(-1)
            else:
                grad_bias = rows.sum(axis=0)
        return grad_x, grad_weight, grad_bias


PRIMITIVES = (MatMul, Linear)
