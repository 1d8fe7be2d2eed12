"""``tg.onnx.export``: trace a model and write it as an ONNX file, as ``torch.onnx.export``.

The model runs in eval mode, once at the batch size given and once more at another (unless
``dynamic_axes={}``): comparing the two tells which dimensions follow the batch size (see
:mod:`.shapes`). Each traced op becomes ONNX nodes through the table of :mod:`.converters`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import __version__
from ..serialization.atomic import atomic_write
from ..tensor import Tensor
from . import converters, quantized
from .errors import OnnxExportError, UnsupportedOperatorError, require_onnx
from .graph import Graph
from .shapes import SymbolicShapes
from .trace import InPlaceWrite, Trace, trace

# The minimum IR version of each opset (older runtimes refuse a newer IR than they know).
IR_VERSIONS = {13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10}
SUPPORTED_OPSETS = tuple(IR_VERSIONS)
# Every op class with a mapping: the float primitives, then the quantized ops.
CONVERTERS: dict[type, converters.Converter] = {**converters.CONVERTERS, **quantized.CONVERTERS}


def export(
    model: Callable[..., Any],
    args: Any,
    f: Any,
    *,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    opset_version: int = 13,
    dynamic_axes: Mapping[str, Any] | None = None,
    export_params: bool = True,
) -> None:
    """Trace ``model(*args)`` and write it to ``f`` as an ONNX model.

    Args:
        model: a Module (run in eval mode for the export) or a function of Tensors.
        args: the example input: a Tensor, or a tuple of Tensors (NumPy arrays are accepted).
        f: a path, or a binary file object.
        input_names: names of the graph inputs (default ``input``, or ``input_0``...).
        output_names: names of the graph outputs (default ``output``, or ``output_0``...).
        opset_version: the ONNX opset, 13 to 21 (13 for TensorRT on JetPack 4.6).
        dynamic_axes: ``{name: [axis, ...]}`` or ``{name: {axis: "symbol"}}`` for inputs and
            outputs. Default: axis 0 of every input with 2 or more dimensions is ``batch``;
            ``{}`` exports static shapes only.
        export_params: store the parameters in the file (False: they become graph inputs).

    Raises:
        UnsupportedOperatorError: an op has no ONNX mapping; the message names it and the
            module path where it was called.
        OnnxExportError: the model cannot be written as it is (the message says why).
        ImportError: the ``onnx`` package is missing (``pip install "tinygrad_fr[onnx]"``).

    >>> import os, tempfile
    >>> import tinygrad_fr as tg
    >>> model = tg.nn.Sequential(tg.nn.Linear(4, 3), tg.nn.ReLU(), tg.nn.Linear(3, 2))
    >>> path = os.path.join(tempfile.mkdtemp(), "model.onnx")
    >>> tg.onnx.export(model, tg.randn(1, 4), path)
    >>> tg.onnx.load(path)(tg.randn(5, 4).numpy()).shape
    (5, 2)
    """
    proto = build_model(
        model, args, input_names=input_names, output_names=output_names,
        opset_version=opset_version, dynamic_axes=dynamic_axes, export_params=export_params,
    )  # fmt: skip
    data = proto.SerializeToString()
    if hasattr(f, "write"):
        f.write(data)
    else:
        atomic_write(f, lambda file: file.write(data), who="tg.onnx.export")


def build_model(
    model: Callable[..., Any], args: Any, *, input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None, opset_version: int = 13,
    dynamic_axes: Mapping[str, Any] | None = None, export_params: bool = True,
) -> Any:  # fmt: skip
    """The ``onnx.ModelProto`` that :func:`export` writes (same arguments, no file)."""
    onnx = require_onnx("tg.onnx.export")
    if opset_version not in IR_VERSIONS:
        raise ValueError(
            f"tg.onnx.export: opset_version={opset_version!r} is not supported; use one of "
            f"{SUPPORTED_OPSETS[0]}..{SUPPORTED_OPSETS[-1]} (13 for TensorRT on JetPack 4.6)"
        )
    inputs = _as_inputs(args)
    in_names = _names(input_names, len(inputs), "input", "input_names")
    axes = _dynamic_axes(dynamic_axes, in_names, inputs, output_names)
    first, second, symbols = _traces(model, inputs, in_names, axes)
    out_names = _names(output_names, len(first.outputs), "output", "output_names")
    shapes = SymbolicShapes(first, second, symbols)
    graph = _convert(onnx, model, first, shapes, in_names, out_names, opset_version, export_params)
    value_info = onnx.helper.make_tensor_value_info

    def info(name: str, tensor: Tensor, given: Mapping[int, str]) -> Any:
        dims = [given.get(axis, size) for axis, size in enumerate(shapes.dims(tensor))]
        return value_info(name, graph.onnx_type(tensor.dtype), dims)

    graph_inputs = [
        info(name, tensor, axes.get(name, {})) for name, tensor in zip(in_names, inputs)
    ] + [value_info(name, graph.onnx_type(t.dtype), list(t.shape)) for name, t in graph.params]
    graph_outputs = [
        info(name, tensor, axes.get(name, {})) for name, tensor in zip(out_names, first.outputs)
    ]
    nodes, initializers = _prune(graph.nodes, graph.initializers, out_names)
    name = type(model).__name__ if hasattr(model, "forward") else "model"
    proto = onnx.helper.make_model(
        onnx.helper.make_graph(nodes, name, graph_inputs, graph_outputs, initializers),
        opset_imports=[onnx.helper.make_opsetid("", opset_version)],
        producer_name="tinygrad_fr",
        producer_version=__version__,
    )
    proto.ir_version = IR_VERSIONS[opset_version]
    return proto


def _as_inputs(args: Any) -> tuple[Tensor, ...]:
    items = args if isinstance(args, (tuple, list)) else (args,)
    inputs = []
    for position, item in enumerate(items):
        if isinstance(item, np.ndarray):
            item = Tensor(item)
        if not isinstance(item, Tensor):
            raise TypeError(
                f"tg.onnx.export: args must be a Tensor or a tuple of Tensors, but item "
                f"{position} is a {type(item).__name__}"
            )
        inputs.append(item)
    if not inputs:
        raise ValueError("tg.onnx.export: args is empty; give the example input(s) of forward")
    return tuple(inputs)


def _names(given: Sequence[str] | None, count: int, stem: str, what: str) -> list[str]:
    if given is None:
        return [stem] if count == 1 else [f"{stem}_{i}" for i in range(count)]
    names = list(given)
    if len(names) != count or len(set(names)) != count:
        raise ValueError(
            f"tg.onnx.export: {what} has {len(names)} names {names} but the model has {count} "
            f"{stem}s; give one distinct name per {stem}"
        )
    return names


def _dynamic_axes(
    given: Mapping[str, Any] | None, in_names: list[str], inputs: tuple[Tensor, ...],
    output_names: Sequence[str] | None,
) -> dict[str, dict[int, str]]:  # fmt: skip
    """``{value name: {axis: symbol}}``; by default axis 0 of each input of 2+ dimensions."""
    if given is None:
        return {name: {0: "batch"} for name, t in zip(in_names, inputs) if t.ndim >= 2}
    known = set(in_names) | set(output_names or ())
    axes: dict[str, dict[int, str]] = {}
    for name, spec in given.items():
        if name not in known and output_names is not None:
            raise ValueError(
                f"tg.onnx.export: dynamic_axes names {name!r}, which is neither an input "
                f"({in_names}) nor an output ({list(output_names)})"
            )
        pairs = spec.items() if isinstance(spec, Mapping) else ((a, None) for a in spec)
        axes[name] = {
            int(axis): symbol or ("batch" if int(axis) == 0 else f"{name}_dim{axis}")
            for axis, symbol in pairs
        }
    return axes


def _traces(
    model: Callable[..., Any], inputs: tuple[Tensor, ...], in_names: list[str],
    axes: dict[str, dict[int, str]],
) -> tuple[Trace, Trace | None, dict[tuple[int, int], str]]:  # fmt: skip
    """The trace at the given sizes and, if some input axis is dynamic, one with every
    dynamic size one larger; and each (size, larger size) pair with its symbol."""
    sizes: dict[str, int] = {}
    for name, tensor in zip(in_names, inputs):
        for axis, symbol in axes.get(name, {}).items():
            if not -tensor.ndim <= axis < tensor.ndim:
                raise ValueError(
                    f"tg.onnx.export: dynamic_axes gives axis {axis} of input {name!r}, which "
                    f"has shape {tensor.shape}"
                )
            size = tensor.shape[axis]
            if sizes.setdefault(symbol, size) != size or size == 0:
                raise ValueError(
                    f"tg.onnx.export: dynamic axis {symbol!r} has sizes {sizes[symbol]} and "
                    f"{size} in the example inputs; axes that share a name must share a size "
                    "(and not be empty)"
                )
    with _eval_mode(model):
        first = trace(model, inputs)
        if not sizes:
            return first, None, {}
        grown = tuple(_grow(tensor, axes.get(name, {})) for name, tensor in zip(in_names, inputs))
        try:
            second = trace(model, grown)
        except Exception as error:  # the model's own error, at another batch size
            raise OnnxExportError(
                f"tg.onnx.export: the model fails on inputs of shapes "
                f"{[t.shape for t in grown]} ({type(error).__name__}: {error}), so its graph "
                "cannot follow the batch size; export with static shapes (dynamic_axes={})"
            ) from error
    return first, second, {(size, size + 1): symbol for symbol, size in sizes.items()}


def _grow(tensor: Tensor, axes: dict[int, str]) -> Tensor:
    data = tensor._data
    for axis in axes:
        size = data.shape[axis]
        data = np.take(data, np.arange(size + 1) % size, axis=axis)
    return Tensor._make(data, False, None) if axes else tensor


class _eval_mode:  # noqa: N801 - used as a context manager, like no_grad
    """Switch a Module (and its sub-modules) to eval mode, and back to its modes after."""

    def __init__(self, model: Any) -> None:
        self.modules = list(model.modules()) if hasattr(model, "modules") else []
        self.modes = [module.training for module in self.modules]

    def __enter__(self) -> None:
        for module in self.modules:
            module.training = False

    def __exit__(self, *exc_info: object) -> None:
        for module, mode in zip(self.modules, self.modes):
            module.training = mode


def _convert(
    onnx: Any, model: Any, first: Trace, shapes: SymbolicShapes, in_names: list[str],
    out_names: list[str], opset: int, export_params: bool,
) -> Graph:  # fmt: skip
    produced = {id(out) for record in first.records for out in record.outputs}
    input_ids = {id(tensor) for tensor in first.inputs}
    names = {id(tensor): name for tensor, name in zip(first.inputs, in_names)}
    parameters = _parameter_names(model)
    for key, name in parameters.items():
        names.setdefault(key, name)
    written = {id(r.args[0]) for r in first.records if r.op is InPlaceWrite}
    pending = []  # outputs that no op computed here (an input, a constant, a repeat...)
    for tensor, name in zip(first.outputs, out_names):
        if id(tensor) in produced and id(tensor) not in names and id(tensor) not in written:
            names[id(tensor)] = name
        else:
            pending.append((tensor, name))
    graph = Graph(onnx, opset, shapes, names, produced, input_ids)
    if not export_params:
        graph.params_as_inputs(set(parameters))
    modules = dict(model.named_modules()) if hasattr(model, "named_modules") else {}
    for record in first.records:
        converter = CONVERTERS.get(record.op)
        if converter is None:
            raise _unsupported(record, modules)
        graph.record = record
        converter(graph, record)
    graph.record = None
    for tensor, name in pending:
        graph.node("Identity", [tensor], [name])
    return graph


def _parameter_names(model: Any) -> dict[int, str]:
    names: dict[int, str] = {}
    for method in ("named_parameters", "named_buffers"):
        for name, tensor in getattr(model, method, lambda: ())():
            names.setdefault(id(tensor), name)
    return names


def _unsupported(record: Any, modules: dict[str, Any]) -> UnsupportedOperatorError:
    op = record.op
    path = record.module_path
    module = modules.get(path)
    where = f"module {path!r} ({type(module).__name__})" if path else "the model's own forward"
    supported = ", ".join(sorted(cls.__name__ for cls in CONVERTERS))
    custom = (
        "a custom tg.Function is one opaque op to the exporter: write its forward with "
        "tinygrad_fr operations in a Module instead"
        if not getattr(op, "_on_arrays", False)
        else "compute it with supported ops, or add a converter for it to "
        "tinygrad_fr.onnx.converters.CONVERTERS"
    )
    return UnsupportedOperatorError(
        f"ONNX export: op {op.__name__} ({op.__module__}.{op.__qualname__}) has no ONNX "
        f"mapping; it was called in {where}. Supported ops: {supported}. Fix: {custom}",
        op.__name__,
        path,
    )


def _prune(nodes: list[Any], initializers: list[Any], outputs: list[str]) -> tuple[list, list]:
    """Only the nodes and initializers the outputs need (``max(dim)`` also makes indices...)."""
    needed = set(outputs)
    kept = []
    for node in reversed(nodes):
        if needed.intersection(node.output):
            kept.append(node)
            needed.update(node.input)
    return kept[::-1], [init for init in initializers if init.name in needed]
