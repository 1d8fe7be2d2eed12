"""The functional API (``import tinygrad_fr.nn.functional as F``), as torch.nn.functional.

Layers and activations here; the loss functions live in :mod:`.functional_loss` and are
re-exported. The modules of :mod:`tinygrad_fr.nn` are thin wrappers over these functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.inplace import apply_in_place
from ..functions import where
from ..ops import activation
from ..ops.elementwise import Dropout
from ..ops.linalg import Linear as LinearOp
from ..tensor import Tensor
from .functional_loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .functional_norm import batch_norm, layer_norm

__all__ = [
    "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "dropout", "elu", "embedding", "gelu", "huber_loss", "l1_loss", "layer_norm", "leaky_relu",
    "linear", "log_softmax", "logsigmoid", "mish", "mse_loss", "nll_loss", "one_hot", "relu",
    "sigmoid", "silu", "smooth_l1_loss", "softmax", "softplus", "tanh",
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


def _activate(input: Any, op: str, compute: Callable[[Tensor], Tensor], inplace: bool) -> Tensor:
    """``compute(input)``, or written into ``input`` when ``inplace`` (as PyTorch's ``_``
    forms: the input tensor is returned, its history rebased)."""
    x = as_tensor(input, op)
    if inplace:
        return apply_in_place(x, op + "_", compute)
    return compute(x)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """Element-wise max(x, 0); ``inplace=True`` writes the result into ``input``."""
    return _activate(input, "relu", lambda x: x.relu(), inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """Element-wise x if x > 0 else negative_slope * x; ``inplace=True`` writes into ``input``."""
    return _activate(input, "leaky_relu", lambda x: x.leaky_relu(negative_slope), inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Element-wise log(1 + e**(beta x)) / beta, and x itself where beta x > threshold.

    >>> import tinygrad_fr as tg
    >>> tg.nn.functional.softplus(tg.Tensor([0.0, 1000.0]))
    tensor([6.9315e-01, 1.0000e+03])
    """
    x = as_tensor(input, "softplus")
    return activation.Softplus.apply(x, float(beta), float(threshold))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Element-wise x Φ(x), Φ the standard normal CDF; ``approximate='tanh'`` uses
    x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2 instead.

    >>> import tinygrad_fr as tg
    >>> tg.nn.functional.gelu(tg.Tensor([-1.0, 0.0, 1.0]))
    tensor([-0.1587,  0.0000,  0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(
            f"gelu: approximate argument must be either none or tanh, got {approximate!r}"
        )
    return activation.GELU.apply(as_tensor(input, "gelu"), approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """Element-wise x sigmoid(x) (also called swish)."""
    return _activate(input, "silu", activation.SiLU.apply, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Element-wise x if x > 0 else alpha (e**x - 1)."""
    return _activate(input, "elu", lambda x: activation.ELU.apply(x, float(alpha)), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Element-wise x tanh(softplus(x))."""
    return _activate(input, "mish", activation.Mish.apply, inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """Element-wise log(sigmoid(x)) = -softplus(-x), stable for any x."""
    x = as_tensor(input, "logsigmoid")
    return -activation.Softplus.apply(-x, 1.0, math.inf)


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


def _indices(value: Any, op: str) -> np.ndarray:
    """Integer indices (a Tensor, an array or a list) as an int64 array."""
    array = value._data if isinstance(value, Tensor) else np.asarray(value)
    if array.dtype.kind not in "iu":
        raise RuntimeError(
            f"{op}: expected integer indices (int64, PyTorch's Long), got dtype {array.dtype}; "
            "convert them with .long()"
        )
    return array.astype(np.int64, copy=False)


def embedding(
    input: Any,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """The rows of ``weight`` (num_embeddings, dim) picked by the integer ``input``: shape
    ``input.shape + (dim,)``. Row ``padding_idx`` receives no gradient; with ``max_norm``,
    the picked rows whose norm exceeds it are first rescaled in place (as PyTorch).

    ``sparse=True`` is accepted: the gradient is then an ordinary dense one.

    >>> import numpy as np, tinygrad_fr as tg
    >>> weight = tg.Tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    >>> tg.nn.functional.embedding(np.array([2, 0]), weight)
    tensor([[4., 5.],
            [0., 1.]])
    """
    indices = _indices(input, "embedding")
    weight = as_tensor(weight, "embedding")
    rows = weight.shape[0]
    if indices.size and (indices.min() < -rows or indices.max() >= rows):
        bad = indices[(indices < -rows) | (indices >= rows)].flat[0]
        raise IndexError(
            f"embedding: index {bad} is out of range for a weight of {rows} rows (shape "
            f"{weight.shape}); indices must be in 0..{rows - 1}"
        )
    if scale_grad_by_freq:
        raise NotImplementedError("embedding: scale_grad_by_freq=True is not supported")
    if max_norm is not None:
        _renormalize_rows(weight, np.unique(indices), max_norm, norm_type)
    out = weight[indices]
    if padding_idx is not None:
        padding = indices == padding_idx % rows
        if padding.any():  # the same values, but no gradient reaches the padding row
            out = where(padding[..., None], out.detach(), out)
    return out


def _renormalize_rows(weight: Tensor, rows: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale the given rows of ``weight`` in place to norm max_norm where it is exceeded."""
    array = weight._data[rows]
    norms = np.linalg.norm(array, ord=norm_type, axis=1)
    too_long = norms > max_norm
    if too_long.any():
        scale = (max_norm / (norms[too_long] + 1e-7)).astype(array.dtype)
        with no_grad():
            weight._mutable_data()[rows[too_long]] *= scale[:, None]


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """int64 one-hot vectors of integer class indices: shape ``tensor.shape + (num_classes,)``
    (num_classes=-1: one more than the largest index).

    >>> import numpy as np, tinygrad_fr as tg
    >>> tg.nn.functional.one_hot(np.array([0, 2]))
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    indices = _indices(tensor, "one_hot")
    if num_classes == -1:
        num_classes = int(indices.max()) + 1 if indices.size else 0
    if indices.size and (indices.min() < 0 or indices.max() >= num_classes):
        raise RuntimeError(
            f"one_hot: class values must be in 0..{num_classes - 1}, got values from "
            f"{indices.min()} to {indices.max()}"
        )
    out = np.zeros(indices.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, indices[..., None], 1, axis=-1)
    return Tensor._make(out, False, None)
