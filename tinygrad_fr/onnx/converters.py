"""The op mapping: each tinygrad_fr primitive with the ONNX nodes that compute it.

``CONVERTERS`` is keyed by op class; an op class missing from it (a primitive added later, a
user ``Function``) makes the export raise :class:`UnsupportedOperatorError`. Each converter
reads one :class:`~tinygrad_fr.onnx.trace.OpRecord` and adds nodes to the
:class:`~tinygrad_fr.onnx.graph.Graph`; shapes that follow the batch size are written with
ONNX's ``0`` (copy) and ``-1`` (infer) so that no batch size is baked in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops import elementwise as ew
from ..ops import linalg, movement, nondiff, reduce
from .errors import OnnxExportError, UnsupportedOperatorError
from .graph import Graph
from .trace import InPlaceWrite, OpRecord

Converter = Callable[[Graph, OpRecord], None]


def _elementwise(op_type: str) -> Converter:
    """Binary ops with NumPy broadcasting, which ONNX shares: operands cast to the result."""

    def convert(g: Graph, record: OpRecord) -> None:
        (out,) = record.outputs
        x, y = (g.operand(arg, out.dtype) for arg in record.args)
        g.node(op_type, [x, y], [out])

    return convert


def _unary(op_type: str) -> Converter:
    def convert(g: Graph, record: OpRecord) -> None:
        g.node(op_type, [record.args[0]], list(record.outputs))

    return convert


def _pow(g: Graph, record: OpRecord) -> None:
    (out,) = record.outputs
    x, y = record.args
    g.node("Pow", [g.operand(x, out.dtype), g.operand(y, out.dtype)], [out])


def _leaky_relu(g: Graph, record: OpRecord) -> None:
    x, slope = record.args
    g.node("LeakyRelu", [x], list(record.outputs), alpha=float(slope))


def _clamp(g: Graph, record: OpRecord) -> None:
    x, low, high = record.args
    bounds = [
        None if b is None else g.constant(np.asarray(b, x.dtype), "bound") for b in (low, high)
    ]
    g.node("Clip", [x, *bounds], list(record.outputs))


def _where(g: Graph, record: OpRecord) -> None:
    (out,) = record.outputs
    condition, x, y = record.args
    operands = [g.operand(condition, np.dtype(bool)), g.operand(x, out.dtype)]
    g.node("Where", [*operands, g.operand(y, out.dtype)], [out])


def _cast(g: Graph, record: OpRecord) -> None:
    (out,) = record.outputs
    g.node("Cast", [record.args[0]], [out], to=g.onnx_type(out.dtype))


_COMPARISONS = {
    np.less: "Less", np.less_equal: "LessOrEqual", np.greater: "Greater",
    np.greater_equal: "GreaterOrEqual", np.equal: "Equal",
}  # fmt: skip


def _compare(g: Graph, record: OpRecord) -> None:
    x, y, compare = record.args
    (out,) = record.outputs
    dtype = np.result_type(*(a._data if hasattr(a, "_data") else a for a in (x, y)))
    operands = [g.operand(x, dtype), g.operand(y, dtype)]
    if compare is np.not_equal:
        g.node("Not", [g.node("Equal", operands)[0]], [out])
    elif compare in _COMPARISONS:
        g.node(_COMPARISONS[compare], operands, [out])
    else:
        raise _unsupported_variant(g, f"comparison {getattr(compare, '__name__', compare)}")


def _linear(g: Graph, record: OpRecord) -> None:
    """x Wᵀ + b: Gemm on 2-D inputs (any batch), MatMul with Wᵀ then Add otherwise."""
    x, weight, bias = record.args
    (out,) = record.outputs
    if x.ndim == 2:
        g.node("Gemm", [x, weight, bias], [out], transB=1)
        return
    product = g.node("MatMul", [x, transposed(g, weight)], None if bias is not None else [out])
    if bias is not None:
        g.node("Add", [product[0], bias], [out])


def transposed(g: Graph, weight: Any) -> str:
    """Wᵀ: a transposed initializer when W is a stored constant, a Transpose node otherwise."""
    if g.is_constant(weight):
        return g.derived(weight, weight._data.T.copy(), "transposed")
    return g.node("Transpose", [weight], perm=[1, 0])[0]


def _reshape(g: Graph, record: OpRecord) -> None:
    x, _ = record.args
    (out,) = record.outputs
    g.node("Reshape", [x, g.constant(reshape_target(g, x, out), "shape")], [out])


def reshape_target(g: Graph, x: Any, out: Any) -> np.ndarray:
    """The Reshape target for ``out``: static sizes, 0 where a dynamic dimension stays at the
    same position, -1 for (at most) one other dynamic dimension."""
    in_dims, out_dims = g.dims(x), g.dims(out)
    target: list[int] = []
    inferred = 0
    for axis, size in enumerate(out_dims):
        if isinstance(size, int):
            if size == 0:
                raise OnnxExportError(
                    f"ONNX export: {g._where()} reshapes to a size-0 dimension ({out.shape}), "
                    "which ONNX Reshape reads as 'copy the input dimension'"
                )
            target.append(size)
        elif axis < len(in_dims) and in_dims[axis] == size:
            target.append(0)
        else:
            target.append(-1)
            inferred += 1
    if inferred > 1:
        raise OnnxExportError(
            f"ONNX export: {g._where()} reshapes {in_dims} to {out_dims}: more than one "
            "dimension follows the batch size at a new position, which a Reshape target cannot "
            "say; keep the batch dimension first, or export with static shapes (dynamic_axes={})"
        )
    return np.array(target, dtype=np.int64)


def _permute(g: Graph, record: OpRecord) -> None:
    x, axes = record.args
    g.node("Transpose", [x], list(record.outputs), perm=[int(a) for a in axes])


def _expand(g: Graph, record: OpRecord) -> None:
    x, _ = record.args
    (out,) = record.outputs
    in_dims, out_dims = g.dims(x), g.dims(out)
    lead = len(out_dims) - len(in_dims)
    target = []
    for axis, size in enumerate(out_dims):
        if isinstance(size, int):
            target.append(size)
        elif axis >= lead and in_dims[axis - lead] == size:
            target.append(1)  # Expand broadcasts both ways: 1 keeps the input's dimension
        else:
            raise OnnxExportError(
                f"ONNX export: {g._where()} broadcasts {in_dims} to {out_dims}, along a "
                "dimension that follows the batch size; broadcast with an operator (x * ones) "
                "instead, or export with static shapes (dynamic_axes={})"
            )
    g.node("Expand", [x, g.constant(np.array(target, dtype=np.int64), "shape")], [out])


_END = np.iinfo(np.int64).max  # "to the end" for ONNX Slice, which clamps it


def _getitem(g: Graph, record: OpRecord) -> None:
    """Basic indexing (ints, slices, None, ...): Slice, then Squeeze the int axes, then
    Unsqueeze the new ones. Python's slice rules are Slice's (negative, clamped, steps)."""
    x, index = record.args
    (out,) = record.outputs
    items = list(index) if isinstance(index, tuple) else [index]
    if not movement.is_basic_index(tuple(items)):
        raise _unsupported_variant(
            g, "GetItem with an index array (x[mask], x[[0, 2]])",
            "index with ints and slices only, or multiply by a mask instead",
        )  # fmt: skip
    if Ellipsis in items:
        at = items.index(Ellipsis)
        fill = x.ndim - sum(item is not None for item in items if item is not Ellipsis)
        items[at : at + 1] = [slice(None)] * fill
    starts, ends, axes, steps, squeezed, inserted = [], [], [], [], [], []
    axis = position = 0
    for item in items:
        if item is None:
            inserted.append(position)
            position += 1
            continue
        if isinstance(item, slice):
            if item != slice(None):
                step = 1 if item.step is None else int(item.step)
                default_start, default_end = (0, _END) if step > 0 else (-1, -_END)
                starts.append(default_start if item.start is None else int(item.start))
                ends.append(default_end if item.stop is None else int(item.stop))
                axes.append(axis)
                steps.append(step)
            position += 1
        else:  # an int: a one-wide slice, squeezed below
            start = int(item)
            starts.append(start)
            ends.append(_END if start == -1 else start + 1)
            axes.append(axis)
            steps.append(1)
            squeezed.append(axis)
        axis += 1
    steps_to_run: list[tuple[str, list[Any]]] = []
    if axes:
        bounds = [g.constant(np.array(v, dtype=np.int64), name)
                  for v, name in ((starts, "starts"), (ends, "ends"), (axes, "axes"),
                                  (steps, "steps"))]  # fmt: skip
        steps_to_run.append(("Slice", bounds))
    for op_type, chosen in (("Squeeze", squeezed), ("Unsqueeze", inserted)):
        if chosen:
            steps_to_run.append((op_type, [g.constant(np.array(chosen, np.int64), "axes")]))
    if not steps_to_run:  # x[:] or x[...]: the same values
        steps_to_run.append(("Identity", []))
    value: Any = x
    for number, (op_type, extra) in enumerate(steps_to_run, start=1):
        last = number == len(steps_to_run)
        value = g.node(op_type, [value, *extra], [out] if last else None)[0]


def _cat(g: Graph, record: OpRecord) -> None:
    axis, *tensors = record.args
    g.node("Concat", tensors, list(record.outputs), axis=int(axis))


def _reduction(op_type: str, axes_as_input_from: int) -> Converter:
    """ReduceSum takes its axes as an input from opset 13, the others from opset 18."""

    def convert(g: Graph, record: OpRecord) -> None:
        x, axes, keepdims = record.args
        inputs: list[Any] = [x]
        attributes: dict[str, Any] = {"keepdims": int(bool(keepdims))}
        if axes is not None:
            if g.opset >= axes_as_input_from:
                inputs.append(g.constant(np.array(axes, dtype=np.int64), "axes"))
            else:
                attributes["axes"] = [int(a) for a in axes]
        g.node(op_type, inputs, list(record.outputs), **attributes)

    return convert


def _extremum_along(g: Graph, record: OpRecord) -> None:
    x, axis, keepdims, pick = record.args
    op_type = "ReduceMax" if pick is np.argmax else "ReduceMin"
    along = OpRecord(record.op, (x, (int(axis),), keepdims), record.outputs, record.module_path)
    _reduction(op_type, 18)(g, along)


def _arg_extremum(g: Graph, record: OpRecord) -> None:
    x, pick, axis, keepdims = record.args
    op_type = "ArgMax" if pick is np.argmax else "ArgMin"
    (out,) = record.outputs
    if axis is None:  # over all elements: of the flattened tensor, as NumPy does
        flat = g.node("Reshape", [x, g.constant(np.array([-1], dtype=np.int64), "shape")])[0]
        if keepdims:
            index = g.node(op_type, [flat], axis=0, keepdims=1)[0]
            shape = np.ones(x.ndim, dtype=np.int64)
            g.node("Reshape", [index, g.constant(shape, "shape")], [out])
        else:
            g.node(op_type, [flat], [out], axis=0, keepdims=0)
        return
    g.node(op_type, [x], [out], axis=int(axis), keepdims=int(bool(keepdims)))


def _along_axis(op_type: str) -> Converter:
    """Softmax and LogSoftmax: one axis from opset 13 on (before, a flattening to 2-D)."""

    def convert(g: Graph, record: OpRecord) -> None:
        x, axis = record.args
        g.node(op_type, [x], list(record.outputs), axis=int(axis))

    return convert


def _dropout(g: Graph, record: OpRecord) -> None:
    raise _unsupported_variant(
        g, "Dropout in training mode (a random mask)",
        "export() switches the model to eval mode; a direct F.dropout(x, training=True) call "
        "stays random: pass training=self.training",
    )  # fmt: skip


def _in_place(g: Graph, record: OpRecord) -> None:
    tensor, result = record.args
    g.alias(tensor, result)


def _unsupported_variant(g: Graph, what: str, fix: str = "") -> OnnxExportError:
    record = g.record
    op = record.op.__name__ if record else what
    path = record.module_path if record else ""
    message = f"ONNX export: {what} has no ONNX mapping (called in module {path or '(top)'!r})"
    return UnsupportedOperatorError(message + (f"; {fix}" if fix else ""), op, path)


CONVERTERS: dict[type, Converter] = {
    ew.Add: _elementwise("Add"),
    ew.Sub: _elementwise("Sub"),
    ew.Mul: _elementwise("Mul"),
    ew.Div: _elementwise("Div"),
    ew.Pow: _pow,
    ew.Maximum: _elementwise("Max"),
    ew.Minimum: _elementwise("Min"),
    ew.Neg: _unary("Neg"),
    ew.Exp: _unary("Exp"),
    ew.Log: _unary("Log"),
    ew.Sqrt: _unary("Sqrt"),
    ew.Abs: _unary("Abs"),
    ew.Tanh: _unary("Tanh"),
    ew.Sigmoid: _unary("Sigmoid"),
    ew.ReLU: _unary("Relu"),
    ew.Clone: _unary("Identity"),
    nondiff.Alias: _unary("Identity"),
    ew.LeakyReLU: _leaky_relu,
    ew.Clamp: _clamp,
    ew.Where: _where,
    ew.Cast: _cast,
    ew.Dropout: _dropout,
    nondiff.Compare: _compare,
    nondiff.ArgExtremum: _arg_extremum,
    linalg.MatMul: _elementwise("MatMul"),
    linalg.Linear: _linear,
    movement.Reshape: _reshape,
    movement.Permute: _permute,
    movement.Expand: _expand,
    movement.Cat: _cat,
    movement.GetItem: _getitem,
    reduce.Sum: _reduction("ReduceSum", 13),
    reduce.Mean: _reduction("ReduceMean", 18),
    reduce.Amax: _reduction("ReduceMax", 18),
    reduce.Amin: _reduction("ReduceMin", 18),
    reduce.ExtremumAlong: _extremum_along,
    reduce.Softmax: _along_axis("Softmax"),
    reduce.LogSoftmax: _along_axis("LogSoftmax"),
    InPlaceWrite: _in_place,
}
