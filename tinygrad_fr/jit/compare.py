"""Two recordings of the same step, compared: the step must not depend on its data.

The first two calls are recorded. If they differ, the function does something with the data
outside tensor ops (a branch on a value read behind the library's back, a mask made with
NumPy, a random tensor made inside it), and a replay would be wrong: ``CaptureError``. Tensors
that are new objects in each call but hold equal values are constants of the step (made
inside it, ``tg.ones(3)``); the same object in both calls is read at each call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .recording import BackwardStep, CallStep, CaptureError, OpStep, Recording


class _Origins:
    """Where each tensor and array of a recording comes from."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.tensors: dict[int, tuple] = {}
        self.arrays: dict[int, tuple] = {}
        for position, arg in enumerate(recording.args):
            if isinstance(arg, Tensor):
                self._add(arg, ("input", position))
        for index, step in enumerate(recording.steps):
            if isinstance(step, OpStep):
                self._add(step.out, ("op", index))

    def _add(self, tensor: Tensor, origin: tuple) -> None:
        self.tensors[id(tensor)] = origin
        self.arrays.setdefault(id(tensor._data), origin)

    def of(self, value: Any) -> tuple:
        if isinstance(value, Tensor):
            known = self.tensors.get(id(value))
            if known is not None:
                return known
            leaf = self.recording.leaf_grads.get(id(value))
            if leaf is not None:
                return ("grad", leaf)
            return ("tensor", value)
        if isinstance(value, np.ndarray):
            known = self.arrays.get(id(value))
            return known if known is not None else ("array", value)
        return ("value", value)


def compare(first: Recording, second: Recording) -> set[int]:
    """Raise CaptureError unless both recordings did the same; return the ids of the tensors
    of ``second`` that are constants made inside the step."""
    if len(first.steps) != len(second.steps):
        raise CaptureError(
            f"capture: the function ran {len(first.steps)} steps on its first call and "
            f"{len(second.steps)} on its second: it branches on data. Run it without "
            "tg.jit.capture"
        )
    mine, theirs = _Origins(first), _Origins(second)
    constants: set[int] = set()
    for index, (a, b) in enumerate(zip(first.steps, second.steps)):
        problem = _difference(a, b, mine, theirs, constants)
        if problem:
            raise CaptureError(
                f"capture: step {index} differs between the first two calls ({problem}); the "
                "function computes something from the data outside tensor ops. Run it "
                "without tg.jit.capture"
            )
    problem = _same_result(first.result, second.result, mine, theirs, constants)
    if problem:
        raise CaptureError(
            f"capture: the returned values differ between the first two calls ({problem})"
        )
    return constants


def _difference(a: Any, b: Any, mine: _Origins, theirs: _Origins, constants: set) -> str:
    if type(a) is not type(b):
        return f"{type(a).__name__} then {type(b).__name__}"
    if isinstance(a, OpStep):
        return _op_difference(a, b, mine, theirs, constants)
    if isinstance(a, CallStep):
        same = a.method is b.method and a.owner is b.owner and _same_value(a.args, b.args)
        same = same and _same_value(tuple(a.kwargs.items()), tuple(b.kwargs.items()))
        return "" if same else f"call {a.method.__name__} changed"
    return _backward_difference(a, b, mine, theirs, constants)


def _op_difference(a: OpStep, b: OpStep, mine: _Origins, theirs: _Origins, constants: set) -> str:
    if a.op is not b.op:
        return f"op {a.op.__name__} then {b.op.__name__}"
    if len(a.args) != len(b.args) or (a.node is None) != (b.node is None):
        return f"{a.op.__name__} was called differently"
    for position, (x, y) in enumerate(zip(a.args, b.args)):
        if not _same_origin(mine.of(x), theirs.of(y), constants):
            return f"argument {position} of {a.op.__name__} changed"
    return ""


def _backward_difference(
    a: BackwardStep, b: BackwardStep, mine: _Origins, theirs: _Origins, constants: set
) -> str:
    roots = [mine.of(t) for t in a.roots], [theirs.of(t) for t in b.roots]
    if roots[0] != roots[1] or a.retain_graph != b.retain_graph:
        return "backward started from other tensors"
    for x, y in zip(a.grads, b.grads):
        if not _same_origin(mine.of(x), theirs.of(y), constants):
            return "backward started from another gradient"
    if len(a.nodes) != len(b.nodes):
        return "backward visited the graph differently"
    for x, y in zip(a.nodes, b.nodes):
        if x.step != y.step or len(x.edges) != len(y.edges):
            return "backward visited the graph differently"
        for edge_a, edge_b in zip(x.edges, y.edges):
            if not _same_edge(edge_a, edge_b, mine, theirs, constants):
                return "backward visited the graph differently"
    return ""


def _same_edge(a: Any, b: Any, mine: _Origins, theirs: _Origins, constants: set) -> bool:
    if a is None or b is None or a[0] != b[0]:
        return a is None and b is None
    if a[0] == "node":
        return bool(a[1] == b[1])
    return _same_origin(mine.of(a[1]), theirs.of(b[1]), constants)


def _same_origin(a: tuple, b: tuple, constants: set) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] in ("input", "op"):
        return bool(a[1] == b[1])
    if a[0] == "grad":
        return a[1] is b[1]
    if a[0] == "tensor":
        if a[1] is b[1]:
            return True  # a tensor that outlives the calls: read at each call
        if _same_value(a[1]._data, b[1]._data) and a[1].requires_grad == b[1].requires_grad:
            constants.add(id(b[1]))
            return True
        return False
    return _same_value(a[1], b[1])


def _same_result(a: Any, b: Any, mine: _Origins, theirs: _Origins, constants: set) -> str:
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return "" if _same_origin(mine.of(a), theirs.of(b), constants) else "a returned tensor"
    if isinstance(a, (tuple, list)) and type(a) is type(b) and len(a) == len(b):
        for x, y in zip(a, b):
            problem = _same_result(x, y, mine, theirs, constants)
            if problem:
                return problem
        return ""
    if isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b):
        for key in a:
            problem = _same_result(a[key], b[key], mine, theirs, constants)
            if problem:
                return problem
        return ""
    return "" if _same_value(a, b) else "the structure"


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return a is b
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
            and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )  # fmt: skip
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return (
            type(a) is type(b) and len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
        )
    if type(a) is not type(b):
        return False
    try:
        return bool(a is b or a == b)
    except (ValueError, TypeError):
        return False
