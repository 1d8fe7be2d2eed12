"""The functional API (``import tinygrad_fr.nn.functional as F``), as torch.nn.functional.

Layers and activations here; the loss functions live in :mod:`.functional_loss` and are
re-exported. The modules of :mod:`tinygrad_fr.nn` are thin wrappers over these functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.elementwise import Dropout
from ..ops.linalg import Linear as LinearOp
from ..tensor import Tensor
from .functional_loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "dropout",
    "l1_loss", "leaky_relu", "linear", "log_softmax", "mse_loss", "nll_loss", "relu", "sigmoid",
    "softmax", "tanh",
]  # fmt: skip


def as_tensor(value: Any, op: str) -> Tensor:
    """``value`` as a Tensor: Tensors pass unchanged, arrays and numbers are wrapped."""
    if isinstance(value, Tensor):
        return value
    try:
        return Tensor(value)
    except TypeError:
        raise TypeError(
            f"{op}: expected a Tensor (or a NumPy array), got {type(value).__name__}"
        ) from None


def linear(input: Any, weight: Any, bias: Any = None) -> Tensor:
    """y = x Wᵀ + b with W of shape (out_features, in_features), on (..., in_features) inputs.

    >>> import tinygrad_fr as tg
    >>> F = tg.nn.functional
    >>> F.linear(tg.ones(2, 3), tg.ones(4, 3), tg.zeros(4)).shape
    (2, 4)
    """
    x, weight = as_tensor(input, "linear"), as_tensor(weight, "linear")
    if weight.ndim != 2:
        raise ValueError(
            f"linear: weight must be 2-D (out_features, in_features), got shape {weight.shape}"
        )
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input has shape {x.shape} but weight has shape {weight.shape}; the "
            f"input's last dimension must be in_features={weight.shape[1]}"
        )
    if bias is not None:
        bias = as_tensor(bias, "linear")
        if bias.shape != (weight.shape[0],):
            raise ValueError(
                f"linear: bias has shape {bias.shape} but weight has shape {weight.shape}; "
                f"the bias must have shape ({weight.shape[0]},)"
            )
    return LinearOp.apply(x, weight, bias)


def sigmoid(input: Tensor) -> Tensor:
    """Element-wise 1 / (1 + e**-x)."""
    return as_tensor(input, "sigmoid").sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Element-wise hyperbolic tangent."""
    return as_tensor(input, "tanh").tanh()


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """Element-wise max(x, 0) (``inplace`` is accepted for PyTorch code; the result is new)."""
    return as_tensor(input, "relu").relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """Element-wise x if x > 0 else negative_slope * x (``inplace`` accepted, result new)."""
    return as_tensor(input, "leaky_relu").leaky_relu(negative_slope)


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (None means the last dimension), computed stably."""
    x = as_tensor(input, "softmax")
    if dtype is not None:
        x = x.to(dtype)
    return x.softmax(-1 if dim is None else dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """log(softmax(x)) along ``dim`` (None means the last dimension), computed stably."""
    x = as_tensor(input, "log_softmax")
    if dtype is not None:
        x = x.to(dtype)
    return x.log_softmax(-1 if dim is None else dim)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p) (training only).

    The mask is drawn from ``tg.rng.generator()``, so ``tg.manual_seed`` makes it repeatable.
    ``inplace`` is accepted for PyTorch code; the result is always a new tensor.

    >>> import tinygrad_fr as tg
    >>> F = tg.nn.functional
    >>> F.dropout(tg.ones(4), p=0.5, training=False)
    tensor([1., 1., 1., 1.])
    """
    check_probability(p, "dropout")
    x = as_tensor(input, "dropout")
    if not training or p == 0:
        return x
    return Dropout.apply(x, float(p))


def check_probability(p: Any, op: str) -> None:
    """Raise a ValueError unless ``p`` is a number in [0, 1]."""
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)):
        raise TypeError(f"{op}: p must be a number in [0, 1], got {type(p).__name__}")
    if not 0 <= p <= 1:
        raise ValueError(f"{op}: probability p must be between 0 and 1, got {p}")
