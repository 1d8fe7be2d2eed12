"""The mapping of the int8 layers of :mod:`tinygrad_fr.quantization` to QDQ ONNX.

A :class:`~tinygrad_fr.quantization.QuantizedLinear` becomes the pattern that runtimes fuse
into integer kernels (ONNX Runtime's QGemm, TensorRT's int8 layers, onnx2tf's int8 ops)::

    x -> QuantizeLinear -> DequantizeLinear -> Gemm -> QuantizeLinear -> DequantizeLinear
               int8 W -> DequantizeLinear -----^   ^----- DequantizeLinear <- int32 bias

Run in float (no fusion), the same graph gives the NumPy layer's results (exactly, with
power-of-two scales); the last Q/DQ pair is left out for a layer with a float output.
Values are named in the layer's scope: ``/fc1/x_q``, ``/fc1/w_scale``...
"""

from __future__ import annotations

import numpy as np

from ..quantization.layers import LinearQuantization, QuantizedLinearOp
from .converters import Converter
from .graph import Graph
from .trace import OpRecord


def _quantized_linear(g: Graph, record: OpRecord) -> None:
    x, q = record.args
    (out,) = record.outputs
    scale = g.constant(np.float32(q.input_scale), "x_scale")
    zero_point = g.constant(np.int8(q.input_zero_point), "x_zero_point")
    codes = g.node(
        "QuantizeLinear", [g.operand(x, np.dtype(np.float32)), scale, zero_point], [g.fresh("x_q")]
    )  # fmt: skip
    x_float = g.node("DequantizeLinear", [codes[0], scale, zero_point], [g.fresh("x_dq")])[0]
    two_d = x.ndim == 2
    weight_float, bias_float = _weight_and_bias(g, q, two_d, scale)
    requantize = q.output_scale is not None
    result = [g.fresh("y")] if requantize else [out]
    if two_d:
        y = g.node("Gemm", [x_float, weight_float, bias_float], result, transB=1)[0]
    elif bias_float is None:
        y = g.node("MatMul", [x_float, weight_float], result)[0]
    else:
        product = g.node("MatMul", [x_float, weight_float], [g.fresh("xw")])[0]
        y = g.node("Add", [product, bias_float], result)[0]
    if requantize:
        out_scale = g.constant(np.float32(q.output_scale), "y_scale")
        out_zero_point = g.constant(np.int8(q.output_zero_point), "y_zero_point")
        y_codes = g.node("QuantizeLinear", [y, out_scale, out_zero_point], [g.fresh("y_q")])[0]
        g.node("DequantizeLinear", [y_codes, out_scale, out_zero_point], [out])


def _weight_and_bias(
    g: Graph, q: LinearQuantization, two_d: bool, input_scale: str
) -> tuple[str, str | None]:
    """The dequantized weight (W for Gemm, Wᵀ for MatMul) and bias."""
    # Gemm reads W as (out, in) with transB; MatMul needs Wᵀ, whose channels are axis 1.
    weight = q.weight if two_d else q.weight.T.copy()
    channel_axis = {"axis": 0 if two_d else 1} if q.per_channel else {}
    weight_scale = g.constant(q.weight_scale, "w_scale")
    # Symmetric weights: zero point 0, which DequantizeLinear assumes when it is left out.
    weight_float = g.node(
        "DequantizeLinear", [g.constant(weight, "w_q"), weight_scale], [g.fresh("w")],
        **channel_axis,
    )[0]  # fmt: skip
    if q.bias is None:
        return weight_float, None
    # The bias scale is x_scale * w_scale: computed, not stored (it would take as many bytes
    # as the int32 bias itself); runtimes fold it when they load the file.
    bias_scale = g.node("Mul", [input_scale, weight_scale], [g.fresh("b_scale")])
    bias_float = g.node(
        "DequantizeLinear", [g.constant(q.bias, "b_q"), bias_scale[0]], [g.fresh("b")],
        **({"axis": 0} if q.per_channel else {}),
    )[0]  # fmt: skip
    return weight_float, bias_float


CONVERTERS: dict[type, Converter] = {QuantizedLinearOp: _quantized_linear}
