"""Ops without a gradient: comparisons, arg-max/min, any/all, and the alias behind detach.

They still go through an op so that every tensor a computation produces comes from a
recorded step (see :mod:`tinygrad_fr.jit`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import NonDifferentiable


class Compare(NonDifferentiable):
    """out = compare(x, y) as booleans (``compare`` is np.less, np.equal...)"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, compare: Any) -> Any:
        return compare(x, y)


class ArgExtremum(NonDifferentiable):
    """out = index of the max (or min) along ``axis``, as int64"""

    @staticmethod
    def forward(ctx: Any, x: Any, pick: Any, axis: int | None, keepdims: bool) -> Any:
        return np.asarray(pick(x, axis=axis, keepdims=keepdims), dtype=np.int64)


class Truth(NonDifferentiable):
    """out = reduce(x) with ``reduce`` np.any or np.all"""

    @staticmethod
    def forward(ctx: Any, x: Any, reduce: Any) -> Any:
        return reduce(x)


class Alias(NonDifferentiable):
    """out = x itself (same memory): the tensor that ``detach`` returns"""

    _is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x


PRIMITIVES = (Compare, ArgExtremum, Truth, Alias)
