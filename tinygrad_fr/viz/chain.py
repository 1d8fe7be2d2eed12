"""The chain rule from the output to one element of a tensor, one factor per neuron.

As in the course's lab: dL/dw1 = dL/dypred × dypred/dh1 × dh1/dw1. The values where the
product is cut are the outputs of activations (a Linear with its activation is one neuron),
the output and the element asked for. Each factor is the derivative of one such value with
respect to the next, through the ops between them, computed by replaying the recorded nodes'
backward (:mod:`.replay`); where several paths lead to the element, the line is their sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .format import element_label, number
from .formulas import ACTIVATIONS
from .records import BackwardPass, TracedOp, TracedTensor
from .replay import walk

MAX_TERMS = 64  # paths kept for display; the sum always covers every path
SHOWN_TERMS = 4


@dataclass(frozen=True)
class Factor:
    """One factor d(numerator)/d(denominator) and its value."""

    numerator: str
    denominator: str
    value: float

    def text(self) -> str:
        """``dypred/dh1``."""
        return f"d{self.numerator}/d{self.denominator}"


@dataclass
class ChainRule:
    """The chain rule line of an explanation.

    Attributes:
        output: the name of the output (``L``).
        wrt: the name of the element (``w1``).
        terms: one list of factors per path from the output to the element (at most 64).
        paths: the number of paths in all.
        value: the sum over every path of the product of its factors.
        traced: the gradient backward gave this element, for comparison.
    """

    output: str
    wrt: str
    terms: list[list[Factor]] = field(default_factory=list)
    paths: int = 0
    value: float = 0.0
    traced: float | None = None
    digits: int = 4

    def text(self) -> str:
        """``dL/dw1 = dL/dypred × dypred/dh1 × dh1/dw1 = -0.9526 × 0.2494 × -0.09035 = 0.02147``."""
        left = f"d{self.output}/d{self.wrt}"
        if not self.terms:
            return f"{left} = 0  (no path from {self.wrt} to {self.output})"
        if len(self.terms) == 1 and len(self.terms[0]) == 1:  # one factor: nothing to chain
            return f"{left} = {number(self.value, self.digits)}"
        shown = self.terms[:SHOWN_TERMS]
        symbols = " + ".join(" × ".join(f.text() for f in term) for term in shown)
        several = len(shown) > 1
        numbers = " + ".join(
            ("(" if several else "")
            + " × ".join(number(f.value, self.digits) for f in term)
            + (")" if several else "")
            for term in shown
        )
        more = f" + … ({self.paths} paths in all)" if self.paths > len(shown) else ""
        return f"{left} = {symbols}{more} = {numbers}{more} = {number(self.value, self.digits)}"


def element_index(tensor: TracedTensor, index: Any) -> tuple[int, ...]:
    """``index`` as a tuple of ints inside ``tensor`` (an int is a flat index)."""
    if index is None:
        if tensor.size != 1:
            raise ValueError(
                f"explain: {tensor.name} has shape {tensor.shape}; pass index= to pick one "
                "element for the chain rule (a tuple, or an int for a flat index)"
            )
        return (0,) * len(tensor.shape)
    if isinstance(index, (int, np.integer)) and len(tensor.shape) != 1:
        if not 0 <= int(index) < tensor.size:
            raise IndexError(
                f"explain: flat index {index} is outside {tensor.name} ({tensor.size} elements)"
            )
        return tuple(int(i) for i in np.unravel_index(int(index), tensor.shape))
    element = tuple(int(i) for i in np.atleast_1d(index))
    if len(element) != len(tensor.shape) or any(
        not 0 <= i < size for i, size in zip(element, tensor.shape)
    ):
        raise IndexError(
            f"explain: index {index!r} does not pick one element of {tensor.name}, whose "
            f"shape is {tensor.shape}"
        )
    return element


def chain_rule(
    ops: list[TracedOp],
    backward: BackwardPass,
    target: TracedTensor,
    element: tuple,
    names: dict[str, str],
    digits: int,
) -> ChainRule:
    """The chain rule from ``backward``'s output to ``target[element]``."""
    root = backward.roots[0]
    if root.size != 1:
        raise ValueError(
            f"explain: the chain rule starts from a scalar output, but {root.name} has shape "
            f"{root.shape}; call backward on a scalar loss"
        )

    def label(tensor: TracedTensor, index: tuple) -> str:
        text = element_label(tensor.name, index, tensor.size)
        return names.get(text, text)

    rule = ChainRule(label(root, (0,) * len(root.shape)), label(target, element), digits=digits)
    if target.grad is not None:
        rule.traced = float(np.asarray(target.grad)[element])
    cone = _downstream(ops, target)
    outputs = {out for op in cone for out in op.outputs}
    if root is not target and root not in outputs:
        return rule
    cuts = {root, target} | {out for op in cone if op.op in ACTIVATIONS for out in op.outputs}
    order = sorted(cone, key=lambda op: op.number, reverse=True)
    goal = (target, element)
    memo: dict[tuple, tuple[list, int, float]] = {}

    def expand(tensor: TracedTensor, index: tuple) -> tuple[list, int, float]:
        """(terms, number of paths, derivative) from ``tensor[index]`` to the goal."""
        key = (tensor, index)
        if key == goal:
            return [[]], 1, 1.0
        if key in memo:
            return memo[key]
        seed = np.zeros(tensor.shape, dtype=np.float64)
        seed[index] = 1.0
        grads = walk(order, {tensor: seed.astype(tensor.dtype)}, cuts)
        terms: list = []
        paths, total = 0, 0.0
        for cut in sorted(cuts, key=lambda t: t.number):
            if cut is tensor or cut not in grads or (cut is not target and cut not in outputs):
                continue
            grad = np.asarray(grads[cut], dtype=np.float64)
            for position in np.argwhere(grad != 0):
                child = tuple(int(i) for i in position)
                below, count, derivative = expand(cut, child)
                if not count:
                    continue
                factor = Factor(label(tensor, index), label(cut, child), float(grad[child]))
                terms += [[factor, *term] for term in below[: MAX_TERMS - len(terms)]]
                paths += count
                total += factor.value * derivative
        memo[key] = (terms, paths, total)
        return memo[key]

    rule.terms, rule.paths, rule.value = expand(root, (0,) * len(root.shape))
    return rule


def _downstream(ops: list[TracedOp], start: TracedTensor) -> list[TracedOp]:
    """The recorded ops whose result depends on ``start``."""
    reached = {start}
    cone = []
    for op in sorted(ops, key=lambda op: op.number):
        if op.node is not None and any(t in reached for t in op.inputs if t is not None):
            cone.append(op)
            reached.update(op.outputs)
    return cone
