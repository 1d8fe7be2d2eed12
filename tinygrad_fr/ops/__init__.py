"""The differentiable primitives, grouped by kind; composite ops live on Tensor."""

from __future__ import annotations

from . import (
    activation,
    elementwise,
    linalg,
    loss,
    movement,
    nondiff,
    reduce,
    rounding,
    scan,
    unary,
)  # fmt: skip

# Every built-in primitive; the op table test requires a row for each.
PRIMITIVES = (
    elementwise.PRIMITIVES + unary.PRIMITIVES + rounding.PRIMITIVES + reduce.PRIMITIVES
    + scan.PRIMITIVES + movement.PRIMITIVES + linalg.PRIMITIVES + loss.PRIMITIVES
    + nondiff.PRIMITIVES + activation.PRIMITIVES
)  # fmt: skip
