"""Normalisation layers: LayerNorm and BatchNorm1d, with PyTorch's parameters and buffers.

BatchNorm1d keeps ``running_mean``, ``running_var`` and ``num_batches_tracked`` as buffers
(so they are in ``state_dict()`` under PyTorch's names), updated in training mode and used
in evaluation mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from . import init
from .functional_norm import batch_norm, layer_norm, normalized_shape_of
from .module import Module, check_device
from .parameter import Parameter


def _dtype(dtype: Any) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def _buffer(array: np.ndarray) -> Tensor:
    return Tensor._make(array, False, None)


class LayerNorm(Module):
    """Normalise over the last dimensions to mean 0 and variance 1, then scale and shift.

    ``weight`` (ones) and ``bias`` (zeros) have shape ``normalized_shape``.

    >>> import tinygrad_fr as tg
    >>> tg.nn.LayerNorm(2)(tg.Tensor([[1.0, 3.0], [0.0, 0.0]]))
    tensor([[-1.0000,  1.0000],
            [ 0.0000,  0.0000]], grad_fn=<AddBackward0>)
    """

    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        check_device(device, "LayerNorm")
        self.normalized_shape = normalized_shape_of(normalized_shape, "LayerNorm")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, _dtype(dtype)))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, _dtype(dtype)))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """Weight back to ones, bias to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        """Normalise ``input`` over its last ``len(normalized_shape)`` dimensions."""
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine="
            f"{self.elementwise_affine}, bias={self.bias is not None}"
        )


class BatchNorm1d(Module):
    """Normalise each channel of an (N, C) or (N, C, L) input over the batch, then scale and
    shift (``affine``); keeps running statistics (``track_running_stats``) for evaluation.

    ``momentum=None`` averages all batches seen so far (a cumulative moving average).

    >>> import tinygrad_fr as tg
    >>> layer = tg.nn.BatchNorm1d(2)
    >>> layer(tg.Tensor([[0.0, 1.0], [2.0, 5.0]])).shape, layer.running_mean
    ((2, 2), tensor([0.1000, 0.3000]))
    >>> list(layer.state_dict())
    ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        check_device(device, "BatchNorm1d")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = _dtype(dtype)
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype))
            if bias:
                self.bias = Parameter(np.zeros(num_features, dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", _buffer(np.zeros(num_features, dtype)))
            self.register_buffer("running_var", _buffer(np.ones(num_features, dtype)))
            self.register_buffer("num_batches_tracked", _buffer(np.array(0, np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean back to zeros, variance to ones, batch count to 0."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1.0)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset the running statistics, the weight to ones and the bias to zeros."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        """Normalise ``input`` (N, C) or (N, C, L) channel by channel."""
        if not isinstance(input, Tensor) or input.ndim not in (2, 3):
            got = f"{input.ndim}D input" if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(f"BatchNorm1d: expected 2D or 3D input (got {got})")
        if input.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d: input has {input.shape[1]} channels (shape {input.shape}) but "
                f"the layer has num_features={self.num_features}"
            )
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # the average of every batch so far
                momentum = 1.0 / int(self.num_batches_tracked.item())
        use_batch = self.training or not self.track_running_stats
        return batch_norm(
            input, self.running_mean, self.running_var, self.weight, self.bias, use_batch,
            momentum, self.eps,
        )  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine="
            f"{self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )
