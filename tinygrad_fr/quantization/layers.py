"""The int8 Linear layer: integer matmul with int32 accumulation, then requantization.

:class:`QuantizedLinear` keeps float inputs and outputs, so that it drops into a model in
place of ``nn.Linear``; inside, it quantizes its input, multiplies int8 by int8 into int32,
adds the int32 bias, and requantizes to int8 (or, for a layer whose result is the model's
output, dequantizes the int32 sums directly, which keeps logits free of int8 ties).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autograd.function import NonDifferentiable
from ..nn.module import Module
from ..tensor import Tensor
from . import scheme


@dataclass(frozen=True, eq=False)
class LinearQuantization:
    """The integers and scales of one quantized Linear layer.

    Attributes:
        input_scale, input_zero_point: how the input is quantized (int8, asymmetric).
        weight: int8 (out_features, in_features), symmetric.
        weight_scale: float32 (out_features,) per channel, or a 0-d array per tensor.
        bias: int32 (out_features,) at scale input_scale * weight_scale, or None.
        output_scale, output_zero_point: the int8 output, or None for a float output.
    """

    input_scale: float
    input_zero_point: int
    weight: np.ndarray
    weight_scale: np.ndarray
    bias: np.ndarray | None
    output_scale: float | None
    output_zero_point: int | None

    @property
    def bias_scale(self) -> np.ndarray:
        """The scale of the int32 bias and of the accumulator: input_scale * weight_scale."""
        return (np.float32(self.input_scale) * self.weight_scale).astype(np.float32)

    @property
    def per_channel(self) -> bool:
        """True with one weight scale per output channel."""
        return self.weight_scale.ndim == 1


class QuantizedLinearOp(NonDifferentiable):
    """out = requantize(int32(q(x) - zx) @ int32(Wq)ᵀ + bq), dequantized to float32"""

    @staticmethod
    def forward(ctx: Any, x: Any, q: LinearQuantization) -> Any:
        codes = scheme.quantize(x.astype(np.float32), q.input_scale, q.input_zero_point)
        accumulator = np.matmul(
            codes.astype(np.int32) - np.int32(q.input_zero_point), q.weight.T.astype(np.int32)
        )
        if q.bias is not None:
            accumulator += q.bias
        if q.output_scale is None:
            # int32 sums as float32: exact below 2**24 (power-of-two scales keep it exact)
            return accumulator.astype(np.float32) * q.bias_scale
        multiplier = q.bias_scale.astype(np.float64) / q.output_scale
        codes_out = np.clip(
            np.rint(accumulator * multiplier) + q.output_zero_point, scheme.INT8_MIN,
            scheme.INT8_MAX,
        ).astype(np.int8)  # fmt: skip
        return scheme.dequantize(codes_out, q.output_scale, q.output_zero_point or 0)


class QuantizedLinear(Module):
    """An int8 ``nn.Linear`` (inference only), made by :func:`quantize_static`.

    Args:
        in_features, out_features: the sizes of the float layer it replaces.
        quantization: its integers and scales.
    """

    def __init__(self, in_features: int, out_features: int, quantization: LinearQuantization):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.quantization = quantization

    def forward(self, input: Tensor) -> Tensor:
        """Apply the int8 layer to (..., in_features) inputs."""
        if not input.shape or input.shape[-1] != self.in_features:
            raise ValueError(
                f"QuantizedLinear: input has shape {input.shape} but this layer expects "
                f"in_features={self.in_features} in its last dimension"
            )
        return QuantizedLinearOp.apply(input, self.quantization)

    def extra_repr(self) -> str:
        q = self.quantization
        output = "int8" if q.output_scale is not None else "float"
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"per_channel={q.per_channel}, output={output}"
        )
