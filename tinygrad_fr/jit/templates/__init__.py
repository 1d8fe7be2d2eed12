"""NumPy statement templates for each primitive, forward and backward, keyed by op class.

A template writes the same NumPy calls as the op's own ``forward``/``backward`` (so results
are bit-identical), one statement per call, with the maths in a comment and ``out=`` where the
result can go into an array allocated once. An op without a template (a new op, or a case a
template does not cover) runs through :mod:`.generic`, which calls the op's own ``forward``
and ``backward``: it keeps working, only less readable and a little slower.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..codegen import Emitter, Value

# A backward template receives ``grad_for(position, hint)``, which makes the value that will
# hold the gradient of argument ``position`` (its shape, dtype and escape known in advance).
GradFor = Callable[[int, str], Value]
Forward = Callable[[Emitter, "OpCall"], Value]
Backward = Callable[[Emitter, "OpCall", Value, GradFor], tuple]

FORWARD: dict[type, Forward] = {}
BACKWARD: dict[type, Backward] = {}


class NotCoveredError(Exception):
    """Raised by a forward template for a case it does not cover: the op runs generically."""


@dataclass
class OpCall:
    """One recorded op as its templates see it.

    Attributes:
        op: the op class.
        args: one Value per argument (tensors, and constants for the other arguments).
        out: the output, made by the caller (shape, dtype and whether it escapes are known).
        needs: per argument, whether backward computes its gradient.
        recorded: whether the op was recorded in the graph (its backward may run).
        saved: what the forward template keeps for the backward one.
        number: the op's position in the step, for names.
    """

    op: type
    args: list[Value]
    out: Value
    needs: tuple[bool, ...]
    recorded: bool
    number: int
    saved: dict[str, Any] = field(default_factory=dict)

    def arg(self, index: int) -> Value:
        return self.args[index]

    def const(self, index: int) -> Any:
        """The value of a constant argument (axes, a reduction name, a Python number)."""
        value = self.args[index]
        if not value.is_const:
            raise NotCoveredError(f"argument {index} of {self.op.__name__} is not a constant")
        return value.const


def template(op: type, backward: bool = False) -> Callable[[Any], Any]:
    """Register the decorated function as the forward (or backward) template of ``op``."""

    def register(function: Any) -> Any:
        (BACKWARD if backward else FORWARD)[op] = function
        return function

    return register


def load() -> None:
    """Import the template modules (each registers its templates)."""
    from . import elementwise, linalg, loss, movement, reduce  # noqa: F401
