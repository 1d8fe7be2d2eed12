"""``tg.onnx.load(path)``: run an ONNX file with NumPy alone, for boards without ONNX Runtime.

The file is parsed with the ``onnx`` package; its nodes then run one after the other with the
NumPy functions of :mod:`.numpy_ops`. A file with an op type that has none is refused when it
is loaded, with the names of the missing ops. The interface follows ONNX Runtime's
``InferenceSession``: ``runner.run(None, {name: array})`` returns the list of outputs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import UnsupportedOperatorError, require_onnx
from .numpy_ops import OPS


@dataclass(frozen=True)
class NodeArg:
    """A graph input or output: its name, shape (a str for a symbolic dimension, None for an
    unknown one) and NumPy dtype, as ONNX Runtime's ``get_inputs()`` lists them."""

    name: str
    shape: tuple[int | str | None, ...]
    dtype: np.dtype


@dataclass(frozen=True)
class _Node:
    op_type: str
    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attributes: dict


def load(path: Any) -> Runner:
    """Load an ONNX file (a path, bytes, or a binary file object) as a NumPy :class:`Runner`.

    Raises:
        UnsupportedOperatorError: the file uses op types the runner does not implement (all
            are named).
        ImportError: the ``onnx`` package is missing.
    """
    onnx = require_onnx("tg.onnx.load")
    if isinstance(path, bytes):
        proto = onnx.load_from_string(path)
    elif hasattr(path, "read"):
        proto = onnx.load_from_string(path.read())
    else:
        proto = onnx.load(os.fspath(path))
    return Runner(proto)


class Runner:
    """A NumPy interpreter of one ONNX model (see :func:`load`).

    >>> import os, tempfile
    >>> import numpy as np
    >>> import tinygrad_fr as tg
    >>> path = os.path.join(tempfile.mkdtemp(), "tanh.onnx")
    >>> tg.onnx.export(tg.nn.Sequential(tg.nn.Linear(3, 2), tg.nn.Tanh()), tg.ones(1, 3), path)
    >>> runner = tg.onnx.load(path)
    >>> [(arg.name, arg.shape) for arg in runner.get_inputs()]
    [('input', ('batch', 3))]
    >>> runner.run(None, {"input": np.ones((4, 3), np.float32)})[0].shape
    (4, 2)
    """

    def __init__(self, proto: Any) -> None:
        onnx = require_onnx("tg.onnx.load")
        self.opset = next(
            (entry.version for entry in proto.opset_import if entry.domain in ("", "ai.onnx")),
            1,
        )
        graph = proto.graph
        to_array = onnx.numpy_helper.to_array
        self._constants = {init.name: to_array(init) for init in graph.initializer}
        self._inputs = [
            _arg(onnx, info) for info in graph.input if info.name not in self._constants
        ]
        self._outputs = [_arg(onnx, info) for info in graph.output]
        self._nodes = [_node(onnx, node) for node in graph.node]
        unknown = sorted(
            {f"{n.op_type}" for n in self._nodes if n.op_type not in OPS}
            | {f"{node.domain}.{node.op_type}" for node in graph.node
               if node.domain not in ("", "ai.onnx")}
        )  # fmt: skip
        if unknown:
            raise UnsupportedOperatorError(
                f"tg.onnx.load: the NumPy runner has no implementation of {', '.join(unknown)}; "
                f"it runs {', '.join(sorted(OPS))}. Run this file with ONNX Runtime, or export "
                "it with tinygrad_fr (whose ops the runner all knows)",
                unknown[0],
            )

    def get_inputs(self) -> list[NodeArg]:
        """The graph's inputs (initializers excluded), in order."""
        return list(self._inputs)

    def get_outputs(self) -> list[NodeArg]:
        """The graph's outputs, in order."""
        return list(self._outputs)

    def __call__(self, *inputs: Any) -> Any:
        """Run on positional inputs (arrays or Tensors); one output, or a tuple of them."""
        if len(inputs) != len(self._inputs):
            raise TypeError(
                f"Runner: the model takes {len(self._inputs)} input(s) "
                f"{[arg.name for arg in self._inputs]}, got {len(inputs)}"
            )
        results = self.run(None, {arg.name: x for arg, x in zip(self._inputs, inputs)})
        return results[0] if len(results) == 1 else tuple(results)

    def run(self, output_names: list[str] | None, input_feed: dict[str, Any]) -> list[np.ndarray]:
        """The outputs named (all of them for None), from ``{input name: array}``."""
        values = dict(self._constants)
        for arg in self._inputs:
            if arg.name not in input_feed:
                raise ValueError(
                    f"Runner.run: input {arg.name!r} is missing; the model's inputs are "
                    f"{[a.name for a in self._inputs]}"
                )
            values[arg.name] = _checked(arg, input_feed[arg.name])
        extra = set(input_feed) - {arg.name for arg in self._inputs}
        if extra:
            raise ValueError(
                f"Runner.run: {sorted(extra)} are not inputs of the model; its inputs are "
                f"{[a.name for a in self._inputs]}"
            )
        for node in self._nodes:
            arguments = [values[name] if name else None for name in node.inputs]
            try:
                results = OPS[node.op_type](arguments, node.attributes, self.opset)
            except Exception as error:
                raise RuntimeError(
                    f"Runner: node {node.name or node.op_type!r} ({node.op_type}) failed on "
                    f"inputs of shapes {[getattr(a, 'shape', None) for a in arguments]}: {error}"
                ) from error
            values.update(zip(node.outputs, results))
        wanted = [arg.name for arg in self._outputs] if output_names is None else output_names
        missing = [name for name in wanted if name not in values]
        if missing:
            raise ValueError(f"Runner.run: {missing} are not values of the model")
        return [np.asarray(values[name]) for name in wanted]


def _arg(onnx: Any, info: Any) -> NodeArg:
    tensor_type = info.type.tensor_type
    shape: tuple[int | str | None, ...] = tuple(
        dim.dim_value if dim.HasField("dim_value") else (dim.dim_param or None)
        for dim in tensor_type.shape.dim
    )
    return NodeArg(
        info.name, shape, np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tensor_type.elem_type))
    )


def _node(onnx: Any, node: Any) -> _Node:
    attributes = {attr.name: onnx.helper.get_attribute_value(attr) for attr in node.attribute}
    return _Node(node.op_type, node.name, tuple(node.input), tuple(node.output), attributes)


def _checked(arg: NodeArg, value: Any) -> np.ndarray:
    """``value`` as an array of the input's dtype, with the rank and static sizes it declares."""
    array = (
        value.numpy() if hasattr(value, "numpy") and not isinstance(value, np.ndarray) else value
    )
    array = np.asarray(array)
    if array.dtype != arg.dtype:
        if not np.can_cast(array.dtype, arg.dtype, "same_kind"):
            raise TypeError(
                f"Runner.run: input {arg.name!r} must be {arg.dtype}, got {array.dtype}"
            )
        array = array.astype(arg.dtype)
    if array.ndim != len(arg.shape) or any(
        isinstance(size, int) and size != got for size, got in zip(arg.shape, array.shape)
    ):
        raise ValueError(
            f"Runner.run: input {arg.name!r} has shape {array.shape} but the model expects "
            f"{arg.shape} (strings are dimensions of any size)"
        )
    return array
