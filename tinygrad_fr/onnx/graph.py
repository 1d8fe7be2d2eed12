"""The ONNX graph under construction: value names, initializers and nodes.

Tensors are mapped to ONNX value names by identity: graph inputs, op outputs, and constants
(parameters become initializers named by their state-dict key). Converters call
:meth:`Graph.node` with Tensors or names and get fresh names for intermediate values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor
from .errors import OnnxExportError
from .shapes import Dim, SymbolicShapes
from .trace import OpRecord

Value = Tensor | str


class Graph:
    """Nodes and initializers of one export, built op by op.

    Args:
        onnx: the ``onnx`` module.
        opset: the opset version the nodes must follow.
        shapes: the symbolic shape of every traced tensor.
        names: preset value names (graph inputs and outputs, parameters), by tensor id.
        produced: ids of the tensors that traced ops computed (all others are constants).
        inputs_by_id: tensors that are graph inputs (never stored as initializers).
    """

    def __init__(
        self, onnx: Any, opset: int, shapes: SymbolicShapes, names: dict[int, str],
        produced: set[int], inputs_by_id: set[int],
    ) -> None:  # fmt: skip
        self.onnx = onnx
        self.opset = opset
        self.shapes = shapes
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.record: OpRecord | None = None
        self._names = dict(names)
        self._produced = produced
        self._inputs = inputs_by_id
        self._stored: set[int] = set()
        self._derived: dict[tuple[int, str], str] = {}
        self._taken: set[str] = set(names.values())
        self._alive: list[Any] = []  # constants named by id must outlive the export
        self._param_ids: set[int] = set()
        self.params: list[tuple[str, Tensor]] = []  # parameters written as graph inputs

    def params_as_inputs(self, ids: set[int]) -> None:
        """Write the tensors of ``ids`` (the parameters) as graph inputs, not initializers."""
        self._param_ids = ids

    # -- values ---------------------------------------------------------------------------

    def name(self, value: Value) -> str:
        """The ONNX name of a Tensor (a constant becomes an initializer) or a given name."""
        if isinstance(value, str):
            return value
        key = id(value)
        if key in self._produced or key in self._inputs:
            if key not in self._names:
                raise OnnxExportError(
                    f"ONNX export: {self._where()} reads a tensor before any op computed it"
                )
            return self._names[key]
        if key not in self._stored:
            name = self._names.get(key) or self.fresh("constant")
            self._names[key] = name
            self._stored.add(key)
            self._alive.append(value)
            if key in self._param_ids:
                self.params.append((name, value))
            else:
                self.initializers.append(self.onnx.numpy_helper.from_array(value._data, name))
        return self._names[key]

    def constant(self, array: Any, hint: str = "constant", scoped: bool = True) -> str:
        """A new initializer holding ``array`` (named in the current module's scope)."""
        name = self.fresh(hint, scoped)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), name))
        return name

    def alias(self, tensor: Tensor, value: Value) -> None:
        """From now on, ``tensor`` is ``value`` (an in-place op wrote into it)."""
        self._names[id(tensor)] = self.name(value)
        self._produced.add(id(tensor))

    def derived(self, tensor: Tensor, array: Any, suffix: str) -> str:
        """An initializer computed from the constant ``tensor`` (its transpose, its int8
        copy...), named after it; ``tensor`` itself is stored only if something reads it."""
        key = (id(tensor), suffix)
        if key not in self._derived:
            base = self._names.get(id(tensor), "").lstrip("/") or "constant"
            self._derived[key] = self.constant(array, f"{base}_{suffix}", scoped=False)
        return self._derived[key]

    def operand(self, value: Any, dtype: np.dtype) -> str:
        """``value`` (a Tensor, an array or a Python number) as a value of ``dtype``."""
        if isinstance(value, Tensor):
            if value.dtype == dtype:
                return self.name(value)
            return self.node("Cast", [value], to=self.onnx_type(dtype))[0]
        return self.constant(np.asarray(value, dtype=dtype))

    def dims(self, tensor: Tensor) -> tuple[Dim, ...]:
        """The symbolic shape of a traced tensor."""
        return self.shapes.dims(tensor)

    def is_constant(self, tensor: Tensor) -> bool:
        """True for a tensor stored in the file: no traced op computed it, no input carries it."""
        key = id(tensor)
        return key not in self._produced and key not in self._inputs and key not in self._param_ids

    def onnx_type(self, dtype: np.dtype) -> int:
        """The ONNX element type of a NumPy dtype."""
        return int(self.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))

    # -- nodes ----------------------------------------------------------------------------

    def node(
        self, op_type: str, inputs: Sequence[Value | None],
        outputs: Sequence[Value | None] | None = None,
        **attributes: Any,
    ) -> list[str]:  # fmt: skip
        """Add a node; ``None`` inputs are omitted optional inputs, ``None`` (or missing)
        outputs get fresh names. Returns the output names."""
        prefix = self.fresh(op_type)
        names = [self._output_name(out, prefix) for out in (outputs or [None])]
        names_in = ["" if value is None else self.name(value) for value in inputs]
        self.nodes.append(
            self.onnx.helper.make_node(op_type, names_in, names, name=prefix, **attributes)
        )
        return names

    def fresh(self, hint: str, scoped: bool = True) -> str:
        """A value name not used yet, derived from the current module path and ``hint``."""
        base = self._scope() + hint if scoped else hint
        name, count = base, 0
        while name in self._taken:
            count += 1
            name = f"{base}_{count}"
        self._taken.add(name)
        return name

    def _output_name(self, out: Value | None, prefix: str) -> str:
        if isinstance(out, str):
            return out
        if out is None:
            return self.fresh(prefix.rsplit("/", 1)[-1] + "_output")
        key = id(out)
        if key not in self._names:
            self._names[key] = self.fresh(prefix.rsplit("/", 1)[-1] + "_output")
        return self._names[key]

    def _scope(self) -> str:
        path = self.record.module_path if self.record is not None else ""
        return "/" + path.replace(".", "/") + "/" if path else "/"

    def _where(self) -> str:
        record = self.record
        if record is None:
            return "the graph"
        return f"{record.op.__name__} in module {record.module_path or '(top)'!r}"
