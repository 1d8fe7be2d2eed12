"""What a trace keeps: the tensors it saw, the ops that made them, and each backward pass.

Plain data, shared by the recorder (:mod:`.tracing`), the reader of a live graph (:mod:`.live`)
and every view of a trace (drawing, page, tables, text). Values and gradients are private
copies, so they stay what they were when the trace saw them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# What a tensor is to the trace.
PARAMETER = "parameter"  # a parameter of the traced model
LEAF = "leaf"  # a leaf that requires grad, not a parameter
INPUT = "input"  # data: a tensor that does not require grad
EXTERNAL = "external"  # computed before the trace began
INTERMEDIATE = "intermediate"  # computed by a traced op


@dataclass(eq=False)
class TracedTensor:
    """One tensor seen by a trace.

    Attributes:
        name: its name: the tensor's own ``name``, a parameter name (``0.weight``), a module
            output (``1.out``), ``L`` for the output of a backward, else the op and a number.
        shape: its shape.
        module: the module path of the op that computed it (or that owns the parameter).
        value: its value when it was computed (None if the graph did not keep it).
        grad: the gradient the trace saw flow into it (None until backward).
        kind: parameter, leaf, input, external or intermediate.
        number: order of first sight (a stable identifier in drawings).
        producer: the op that computed it, if traced.
        output_nr: which output of ``producer`` it is.
    """

    name: str
    shape: tuple[int, ...]
    module: str | None
    value: np.ndarray | None
    grad: np.ndarray | None = None
    kind: str = INTERMEDIATE
    number: int = 0
    producer: TracedOp | None = None
    output_nr: int = 0
    dtype: Any = np.float64
    auto_named: bool = True

    @property
    def size(self) -> int:
        """Number of elements."""
        return int(np.prod(self.shape, dtype=np.int64))

    def __repr__(self) -> str:
        return f"<TracedTensor {self.name} {self.shape}>"


@dataclass(eq=False)
class TracedOp:
    """One op applied inside a trace.

    Attributes:
        name: the op class's name (``Sigmoid``, ``Linear``...).
        op: the op class.
        inputs: per argument, the traced tensor, or None for a constant.
        constants: the non-tensor arguments by position (numbers, axes, options).
        outputs: the tensors it returned.
        module: the path of the innermost module that ran it (None outside any).
        node: its graph node (None when nothing was recorded, e.g. under no_grad).
        number: order in the trace.
        saved: what its backward used, kept when backward ran (to replay it later).
    """

    name: str
    op: type
    inputs: list[TracedTensor | None]
    constants: dict[int, Any]
    outputs: list[TracedTensor]
    module: str | None
    node: Any
    number: int
    saved: tuple | None = None

    def __repr__(self) -> str:
        return f"<TracedOp {self.name} #{self.number}>"


@dataclass(eq=False)
class BackwardStep:
    """One node run by backward.

    Attributes:
        op: the op whose backward ran.
        upstream: per output, the gradient that arrived (dL/d(output)).
        raw: per input, what the op's backward returned (in the output's shape).
        contributions: per input, the gradient sent to it, in its shape (None for inputs
            that receive none).
    """

    op: TracedOp
    upstream: list[np.ndarray | None]
    raw: list[np.ndarray | None]
    contributions: list[np.ndarray | None]


@dataclass(eq=False)
class BackwardPass:
    """One ``backward`` (or ``tg.grad``) call: its outputs and the nodes it ran, in order."""

    roots: list[TracedTensor]
    seeds: list[np.ndarray]
    steps: list[BackwardStep] = field(default_factory=list)


def accumulate(total: np.ndarray | None, value: np.ndarray) -> np.ndarray:
    """``total + value``, where a missing total counts as zero (a new array either way)."""
    return np.array(value, copy=True) if total is None else total + value


def copy_array(value: Any) -> np.ndarray:
    """A private copy of an array (or of a Tensor's data)."""
    data = getattr(value, "_data", value)
    return np.array(data, copy=True)
