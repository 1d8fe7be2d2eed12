"""ONNX operators in NumPy: what :class:`~tinygrad_fr.onnx.runner.Runner` computes with.

Each function takes the node's input arrays (None for an omitted optional input), its
attributes and the model's opset, and returns its outputs. ``OPS`` lists every supported op
type; the runner refuses a file with any other (see :data:`OPS`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Arrays = list[Any]
Op = Callable[[Arrays, dict, int], Arrays]


def _unary(function: Callable[[np.ndarray], np.ndarray]) -> Op:
    def run(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
        return [np.asarray(function(inputs[0]), dtype=inputs[0].dtype)]

    return run


def _binary(function: Callable[[Any, Any], Any]) -> Op:
    def run(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
        return [np.asarray(function(inputs[0], inputs[1]))]

    return run


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # Split by sign so that exp never overflows (and NumPy never warns).
    negative = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + negative), negative / (1 + negative))


def _gemm(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    a, b = inputs[0], inputs[1]
    c = inputs[2] if len(inputs) > 2 else None
    a = a.T if attributes.get("transA", 0) else a
    b = b.T if attributes.get("transB", 0) else b
    out = np.matmul(a, b)
    alpha, beta = attributes.get("alpha", 1.0), attributes.get("beta", 1.0)
    if alpha != 1.0:
        out = out * np.asarray(alpha, out.dtype)
    if c is not None:
        out = out + (c if beta == 1.0 else c * np.asarray(beta, c.dtype))
    return [out]


def _along_axis(log: bool) -> Op:
    """Softmax/LogSoftmax: one axis (default -1) from opset 13; before, the input is read as
    2-D, flattened from ``axis`` (default 1) on, as those opsets define it."""

    def run(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
        x = inputs[0]
        if opset >= 13:
            axis = attributes.get("axis", -1)
            shaped = x
        else:
            axis = attributes.get("axis", 1) % max(x.ndim, 1)
            shaped = x.reshape(int(np.prod(x.shape[:axis])), -1)
            axis = 1
        shifted = shaped - shaped.max(axis=axis, keepdims=True)
        exps = np.exp(shifted)
        total = exps.sum(axis=axis, keepdims=True)
        out = shifted - np.log(total) if log else exps / total
        return [out.reshape(x.shape)]

    return run


def _reduce(function: Callable[..., np.ndarray], axes_input_from: int) -> Op:
    """Reduce ops take their axes as an input from opset 13 (ReduceSum) or 18 (the others)."""

    def run(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
        x = inputs[0]
        if opset >= axes_input_from:
            given = inputs[1] if len(inputs) > 1 else None
            axes = None if given is None or given.size == 0 else tuple(int(a) for a in given)
            if axes is None and attributes.get("noop_with_empty_axes", 0):
                return [x]
        else:
            listed = attributes.get("axes")
            axes = None if listed is None else tuple(int(a) for a in listed)
        keepdims = bool(attributes.get("keepdims", 1))
        return [np.asarray(function(x, axis=axes, keepdims=keepdims), dtype=x.dtype)]

    return run


def _arg(function: Callable[..., np.ndarray]) -> Op:
    def run(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
        x, axis = inputs[0], attributes.get("axis", 0)
        if attributes.get("select_last_index", 0):
            flipped = np.flip(x, axis=axis)
            index = x.shape[axis] - 1 - function(flipped, axis=axis)
        else:
            index = function(x, axis=axis)
        if attributes.get("keepdims", 1):
            index = np.expand_dims(index, axis)
        return [np.asarray(index, dtype=np.int64)]

    return run


def _reshape(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    x, shape = inputs[0], [int(s) for s in inputs[1]]
    if not attributes.get("allowzero", 0):
        shape = [x.shape[i] if s == 0 else s for i, s in enumerate(shape)]
    return [x.reshape(shape)]


def _flatten(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    x = inputs[0]
    axis = attributes.get("axis", 1) % (x.ndim + 1) if x.ndim else 0
    return [x.reshape(int(np.prod(x.shape[:axis])), -1)]


def _transpose(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    perm = attributes.get("perm")
    return [np.transpose(inputs[0], None if perm is None else [int(p) for p in perm])]


def _axes(inputs: Arrays, attributes: dict, opset: int) -> list[int] | None:
    """Squeeze/Unsqueeze axes: an input from opset 13, an attribute before."""
    given = inputs[1] if opset >= 13 and len(inputs) > 1 else attributes.get("axes")
    return None if given is None else [int(a) for a in np.atleast_1d(given)]


def _squeeze(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    axes = _axes(inputs, attributes, opset)
    return [np.squeeze(inputs[0], axis=None if axes is None else tuple(axes))]


def _unsqueeze(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    axes = _axes(inputs, attributes, opset) or []
    rank = inputs[0].ndim + len(axes)
    return [np.expand_dims(inputs[0], tuple(sorted(a % rank for a in axes)))]


def _slice(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    x, starts, ends = inputs[0], inputs[1], inputs[2]
    axes = inputs[3] if len(inputs) > 3 and inputs[3] is not None else range(len(starts))
    steps = inputs[4] if len(inputs) > 4 and inputs[4] is not None else [1] * len(starts)
    index = [slice(None)] * x.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps):
        index[int(axis)] = slice(int(start), int(end), int(step))
    return [x[tuple(index)]]


def _clip(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    x = inputs[0]
    if opset >= 11:
        low = inputs[1] if len(inputs) > 1 else None
        high = inputs[2] if len(inputs) > 2 else None
    else:
        low, high = attributes.get("min"), attributes.get("max")
    return [np.clip(x, low, high).astype(x.dtype)]


def _per_axis(value: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    """A per-axis scale or zero point shaped to broadcast along ``axis`` of ``x``."""
    if value.ndim == 0 or (value.size == 1 and x.ndim == 0):
        return value.reshape(())
    shape = [1] * x.ndim
    shape[axis % x.ndim] = value.size
    return value.reshape(shape)


_QUANTIZED_RANGES = {np.dtype(np.int8): (-128, 127), np.dtype(np.uint8): (0, 255)}


def _quantize_linear(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    x, scale = inputs[0], inputs[1]
    zero_point = inputs[2] if len(inputs) > 2 and inputs[2] is not None else np.uint8(0)
    axis = attributes.get("axis", 1)
    dtype = np.asarray(zero_point).dtype
    low, high = _QUANTIZED_RANGES[dtype]
    codes = np.rint(x / _per_axis(scale, x, axis)) + _per_axis(np.asarray(zero_point), x, axis)
    return [np.clip(codes, low, high).astype(dtype)]


def _dequantize_linear(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    x, scale = inputs[0], inputs[1]
    zero_point = inputs[2] if len(inputs) > 2 and inputs[2] is not None else np.zeros((), x.dtype)
    axis = attributes.get("axis", 1)
    shifted = x.astype(np.int32) - _per_axis(np.asarray(zero_point), x, axis).astype(np.int32)
    return [shifted.astype(scale.dtype) * _per_axis(scale, x, axis)]


def _cast(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    from onnx import helper

    return [inputs[0].astype(helper.tensor_dtype_to_np_dtype(attributes["to"]))]


def _constant(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    from onnx import numpy_helper

    if "value" in attributes:
        return [numpy_helper.to_array(attributes["value"])]
    for key, dtype in (("value_float", np.float32), ("value_int", np.int64)):
        if key in attributes:
            return [np.asarray(attributes[key], dtype=dtype)]
    for key, dtype in (("value_floats", np.float32), ("value_ints", np.int64)):
        if key in attributes:
            return [np.asarray(list(attributes[key]), dtype=dtype)]
    raise NotImplementedError("Constant: only value, value_float(s) and value_int(s) are read")


def _leaky_relu(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    x = inputs[0]
    alpha = np.asarray(attributes.get("alpha", 0.01), dtype=x.dtype)
    return [np.where(x > 0, x, x * alpha)]


def _concat(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    return [np.concatenate(inputs, axis=attributes["axis"])]


def _expand(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    x, shape = inputs[0], tuple(int(s) for s in inputs[1])
    return [x * np.ones(shape, dtype=x.dtype)]  # both ways, as ONNX Expand broadcasts


def _gather(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    return [np.take(inputs[0], inputs[1].astype(np.int64), axis=attributes.get("axis", 0))]


def _shape(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    shape = np.array(inputs[0].shape, dtype=np.int64)
    return [shape[attributes.get("start", 0) : attributes.get("end", None)]]


def _identity(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    return [inputs[0]]


def _where(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
    return [np.where(inputs[0], inputs[1], inputs[2])]


def _variadic(function: Callable[[Any, Any], Any]) -> Op:
    def run(inputs: Arrays, attributes: dict, opset: int) -> Arrays:
        out = inputs[0]
        for other in inputs[1:]:
            out = function(out, other)
        return [out]

    return run


OPS: dict[str, Op] = {
    "Abs": _unary(np.abs), "Add": _binary(np.add), "ArgMax": _arg(np.argmax),
    "ArgMin": _arg(np.argmin), "Cast": _cast, "Clip": _clip, "Concat": _concat,
    "Constant": _constant, "DequantizeLinear": _dequantize_linear, "Div": _binary(np.divide),
    "Dropout": _identity, "Equal": _binary(np.equal), "Exp": _unary(np.exp), "Expand": _expand,
    "Flatten": _flatten, "Gather": _gather, "Gemm": _gemm, "Greater": _binary(np.greater),
    "GreaterOrEqual": _binary(np.greater_equal), "Identity": _identity,
    "LeakyRelu": _leaky_relu, "Less": _binary(np.less), "LessOrEqual": _binary(np.less_equal),
    "Log": _unary(np.log), "LogSoftmax": _along_axis(log=True), "MatMul": _binary(np.matmul),
    "Max": _variadic(np.maximum), "Min": _variadic(np.minimum), "Mul": _binary(np.multiply),
    "Neg": _unary(np.negative), "Not": _unary(np.logical_not), "Pow": _binary(np.power),
    "QuantizeLinear": _quantize_linear, "ReduceMax": _reduce(np.max, 18),
    "ReduceMean": _reduce(np.mean, 18), "ReduceMin": _reduce(np.min, 18),
    "ReduceSum": _reduce(np.sum, 13), "Relu": _unary(lambda x: np.maximum(x, 0)),
    "Reshape": _reshape, "Shape": _shape, "Sigmoid": _unary(_sigmoid), "Slice": _slice,
    "Softmax": _along_axis(log=False), "Sqrt": _unary(np.sqrt), "Squeeze": _squeeze,
    "Sub": _binary(np.subtract), "Tanh": _unary(np.tanh), "Transpose": _transpose,
    "Unsqueeze": _unsqueeze, "Where": _where,
}  # fmt: skip
