"""Ops without a gradient: comparisons, arg-max/min, any/all, bitwise logic, nonzero, and the
alias behind detach.

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
    """out = reduce(x) over ``axes`` with ``reduce`` np.any or np.all (np.count_nonzero)"""

    @staticmethod
    def forward(ctx: Any, x: Any, reduce: Any, axes: Any = None, keepdims: bool = False) -> Any:
        if reduce is np.count_nonzero:
            return np.asarray(reduce(x, axis=axes, keepdims=keepdims), dtype=np.int64)
        return reduce(x, axis=axes, keepdims=keepdims)


class Bitwise(NonDifferentiable):
    """out = ufunc(x, y) (or ufunc(x) when y is None): and, or, xor, not of bools or integers"""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, ufunc: Any) -> Any:
        return ufunc(x) if y is None else ufunc(x, y)


class NonZero(NonDifferentiable):
    """out = the indices of the non-zero elements, one row each, as int64"""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return np.argwhere(x).astype(np.int64)


class Alias(NonDifferentiable):
    """out = x itself (same memory): the tensor that ``detach`` returns"""

    _is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x


PRIMITIVES = (Compare, ArgExtremum, Truth, Bitwise, NonZero, Alias)
