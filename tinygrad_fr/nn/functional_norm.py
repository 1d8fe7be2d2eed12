"""Normalisation functions of the functional API: layer_norm and batch_norm.

Written from differentiable ops (mean, subtraction, square root), so they are differentiable
twice. batch_norm updates the running statistics in place, with Tensor ops under no_grad, as
PyTorch does: ``running = (1 - momentum) * running + momentum * batch statistic``, the
variance's with Bessel's correction.
"""

from __future__ import annotations

import math
from typing import Any

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor


def _tensor(value: Any, op: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(value).__name__}")
    return value


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the last dimensions (those of ``normalized_shape``) to mean 0 and
    variance 1 (biased), then scale by ``weight`` and shift by ``bias``.

    >>> import tinygrad_fr as tg
    >>> tg.nn.functional.layer_norm(tg.Tensor([[1.0, 3.0]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    x = _tensor(input, "layer_norm")
    shape = normalized_shape_of(normalized_shape, "layer_norm")
    if x.shape[x.ndim - len(shape) :] != shape or len(shape) > x.ndim:
        raise RuntimeError(
            f"layer_norm: normalized_shape {shape} must be the last dimensions of the input, "
            f"but the input has shape {x.shape}"
        )
    dims = tuple(range(x.ndim - len(shape), x.ndim))
    centered = x - x.mean(dims, keepdim=True)
    variance = (centered * centered).mean(dims, keepdim=True)
    out = centered / (variance + eps).sqrt()
    if weight is not None:
        out = out * weight
    return out if bias is None else out + bias


def normalized_shape_of(value: Any, op: str) -> tuple[int, ...]:
    """``normalized_shape`` (an int or a sequence of ints) as a tuple."""
    shape = (value,) if isinstance(value, int) else tuple(value)
    if not all(isinstance(n, int) and n > 0 for n in shape):
        raise TypeError(f"{op}: normalized_shape must be positive ints, got {value!r}")
    return shape


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dimension 1) of an (N, C) or (N, C, L) input.

    In training (or without running statistics) with the batch's mean and biased variance,
    updating ``running_mean`` and ``running_var`` in place when given; otherwise with them.

    >>> import tinygrad_fr as tg
    >>> mean, var = tg.zeros(2), tg.ones(2)
    >>> tg.nn.functional.batch_norm(tg.Tensor([[0.0, 1.0], [2.0, 5.0]]), mean, var, training=True)
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]])
    >>> mean
    tensor([0.1000, 0.3000])
    """
    x = _tensor(input, "batch_norm")
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an (N, C, ...) input, got shape {x.shape}")
    dims = (0, *range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)  # channel statistics broadcast over x
    if training or running_mean is None or running_var is None:
        count = math.prod(x.shape[d] for d in dims)
        if training and count <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got input "
                f"of shape {x.shape}; use a batch of at least 2 samples (or model.eval())"
            )
        mean = x.mean(dims, keepdim=True)
        centered = x - mean
        squares = (centered * centered).sum(dims, keepdim=True)
        variance = squares / count
        if training:
            _update_running(running_mean, mean, momentum)
            _update_running(running_var, squares / max(count - 1, 1), momentum)
    else:
        centered = x - running_mean.reshape(shape)
        variance = running_var.reshape(shape)
    out = centered / (variance + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    return out if bias is None else out + bias.reshape(shape)


def _update_running(running: Tensor | None, statistic: Tensor, momentum: float) -> None:
    """running = (1 - momentum) running + momentum statistic, in place (not recorded)."""
    if running is None:
        return
    with no_grad():
        running.mul_(1 - momentum).add_(statistic.detach().reshape(running.shape) * momentum)
