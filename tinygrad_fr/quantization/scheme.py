"""The int8 scheme: how scales and zero points are chosen, and quantize/dequantize on arrays.

Weights: symmetric int8 in [-127, 127], zero point 0, one scale per output channel (or one
per tensor). Activations: asymmetric int8 in [-128, 127] from the calibrated [min, max]
(widened to hold 0, so that zero padding and ReLU's 0 stay exact). Bias: int32 with the
scale input_scale * weight_scale, zero point 0. This is TensorFlow Lite's int8 scheme, which
the Edge TPU takes, and ONNX Runtime's QDQ default with int8 activations.

With ``power_of_two`` every scale is rounded up to a power of two: then dequantized values,
their products and their sums (below 2**24) are exact in float32, so a runtime that computes
QDQ graphs in float (ONNX Runtime without optimisations, TensorRT's fallbacks) and one with
integer kernels give bit for bit the same int8 results, and requantization is a bit shift.
"""

from __future__ import annotations

import math

import numpy as np

INT8_MIN, INT8_MAX = -128, 127
WEIGHT_MAX = 127  # symmetric weights: -127..127, so that -w is representable too


def round_scale(scale: float, power_of_two: bool) -> float:
    """``scale`` (positive) as a float32 value, rounded up to a power of two if asked."""
    if power_of_two:
        return float(2.0 ** math.ceil(math.log2(scale)))
    return float(np.float32(scale))


def activation_params(low: float, high: float, power_of_two: bool) -> tuple[float, int]:
    """(scale, zero point) mapping [min(low, 0), max(high, 0)] onto int8 [-128, 127]."""
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    span = high - low
    if not math.isfinite(span):
        raise ValueError(
            f"quantize_static: an activation reached {low}..{high} during calibration; the "
            "calibration data (or the model) produce inf or NaN"
        )
    scale = round_scale(span / (INT8_MAX - INT8_MIN) if span > 0 else 1.0, power_of_two)
    zero_point = int(np.clip(round(INT8_MIN - low / scale), INT8_MIN, INT8_MAX))
    return scale, zero_point


def weight_params(weight: np.ndarray, per_channel: bool, power_of_two: bool) -> np.ndarray:
    """The weight scale(s): max |w| / 127 per output channel (row), or for the whole tensor
    (a 0-d array); a channel of zeros gets scale 1."""
    magnitude = np.abs(weight).max(axis=1) if per_channel else np.abs(weight).max()
    scales = np.where(magnitude > 0, magnitude / WEIGHT_MAX, 1.0)
    rounded = [round_scale(float(s), power_of_two) for s in np.atleast_1d(scales)]
    return np.array(rounded if per_channel else rounded[0], dtype=np.float32)


def quantize(x: np.ndarray, scale: float | np.ndarray, zero_point: int | np.ndarray) -> np.ndarray:
    """q = saturate(round(x / scale) + zero_point) as int8 (ONNX QuantizeLinear: ties to even)."""
    q = np.rint(x / np.asarray(scale, dtype=np.float32))
    return np.clip(q + zero_point, INT8_MIN, INT8_MAX).astype(np.int8)


def quantize_weight(weight: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """int8 weights: round(w / scale) in [-127, 127], with one scale per row or one in all."""
    per_row = scales.reshape(-1, 1) if scales.ndim else scales
    return np.clip(np.rint(weight / per_row), -WEIGHT_MAX, WEIGHT_MAX).astype(np.int8)


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """x = (q - zero_point) * scale, in float32 (ONNX DequantizeLinear)."""
    return (q.astype(np.int32) - zero_point).astype(np.float32) * np.float32(scale)
