"""Post-training int8 quantization, for boards with integer accelerators (Coral's Edge TPU)
or slow float units: ``tg.quantization.quantize_static(model, calibration_data)``.

The quantized model runs its int8 arithmetic in NumPy, and ``tg.onnx.export`` writes it as a
QDQ ONNX file (QuantizeLinear/DequantizeLinear around float Gemm), which ONNX Runtime and
TensorRT run with integer kernels and onnx2tf turns into an int8 TensorFlow Lite model.
"""

from __future__ import annotations

from .layers import LinearQuantization, QuantizedLinear, QuantizedLinearOp
from .scheme import dequantize, quantize
from .static import quantize_static

__all__ = [
    "LinearQuantization", "QuantizedLinear", "QuantizedLinearOp", "dequantize", "quantize",
    "quantize_static",
]  # fmt: skip
