"""Which dimensions depend on the batch size: two traces of one model, compared.

The model is traced at the batch size given and again with every dynamic input axis one
larger. A dimension equal in both traces is static; one that changed is symbolic, named after
the input axis it follows (``"batch"``) or ``dim_N``. Export then writes shapes and reshape
targets that hold for any batch size, instead of baking the traced one in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..tensor import Tensor
from .errors import OnnxExportError
from .trace import Trace

Dim = int | str


class SymbolicShapes:
    """The shape of every tensor of a trace, with symbolic names for dynamic dimensions."""

    def __init__(self, first: Trace, second: Trace | None, symbols: dict[tuple[int, int], str]):
        self._dims: dict[int, tuple[Dim, ...]] = {}
        self._symbols = dict(symbols)
        if second is None:
            return
        _check_same_ops(first, second)
        for tensor, twin in _pairs(first, second):
            if id(tensor) in self._dims:
                continue
            if tensor.ndim != twin.ndim:
                raise OnnxExportError(
                    f"ONNX export: a tensor has {tensor.ndim} dimensions at one batch size and "
                    f"{twin.ndim} at another ({tensor.shape} vs {twin.shape}); export with "
                    "static shapes (dynamic_axes={})"
                )
            self._dims[id(tensor)] = tuple(
                size if size == other else self._symbol(size, other)
                for size, other in zip(tensor.shape, twin.shape)
            )

    def dims(self, tensor: Tensor) -> tuple[Dim, ...]:
        """``tensor``'s shape, a string for each dimension that follows the batch size."""
        return self._dims.get(id(tensor), tensor.shape)

    def is_dynamic(self, tensor: Tensor) -> bool:
        """True if some dimension of ``tensor`` follows the batch size."""
        return any(isinstance(d, str) for d in self.dims(tensor))

    def _symbol(self, size: int, other: int) -> str:
        key = (size, other)
        if key not in self._symbols:
            self._symbols[key] = f"dim_{len(self._symbols)}"
        return self._symbols[key]


def _pairs(first: Trace, second: Trace) -> Iterator[tuple[Tensor, Any]]:
    """Each tensor of the first trace with the tensor at the same place in the second."""
    yield from zip(first.inputs, second.inputs)
    for record, twin in zip(first.records, second.records):
        for value, other in zip(record.args + record.outputs, twin.args + twin.outputs):
            if isinstance(value, Tensor):
                yield value, other
    yield from zip(first.outputs, second.outputs)


def _check_same_ops(first: Trace, second: Trace) -> None:
    ops = [record.op for record in first.records]
    others = [record.op for record in second.records]
    if ops != others or len(first.outputs) != len(second.outputs):
        at = next(
            (i for i, (a, b) in enumerate(zip(ops, others)) if a is not b),
            min(len(ops), len(others)),
        )
        raise OnnxExportError(
            "ONNX export: the model runs different ops at two batch sizes (from op "
            f"{at}: {_name(ops, at)} vs {_name(others, at)}), so its graph depends on the data; "
            "an ONNX graph is fixed. Make forward run the same ops for any batch, or export "
            "with static shapes (dynamic_axes={})"
        )
    produced = {id(out) for record in first.records for out in record.outputs}
    produced.update(id(tensor) for tensor in first.inputs)
    for record, twin in zip(first.records, second.records):
        for value, other in zip(record.args, twin.args):
            if (
                isinstance(value, Tensor)
                and id(value) not in produced
                and value.shape != getattr(other, "shape", None)
            ):
                raise OnnxExportError(
                    f"ONNX export: {record.op.__name__} in module "
                    f"{record.module_path or '(top)'!r} "
                    f"uses a tensor made inside forward whose shape {value.shape} depends on the "
                    "batch size; it would be stored with the traced size. Compute it from the "
                    "input instead, or export with static shapes (dynamic_axes={})"
                )


def _name(ops: list, index: int) -> str:
    return ops[index].__name__ if index < len(ops) else "end of forward"
