"""Hypothesis strategies for property tests of code written with tinygrad_fr.

Built on ``hypothesis.extra.numpy``: shapes (0-d included), mutually broadcastable shapes,
valid ``dim`` arguments, and Tensors.

>>> from hypothesis import given
>>> import tinygrad_fr as tg
>>> from tinygrad_fr.testing import strategies as tst
>>> @given(tst.tensors(shape=tst.shapes(), requires_grad=True))
... def test_square_gradient(x):
...     assert tg.testing.gradcheck(lambda t: (t * t).sum(), x)
>>> test_square_gradient()
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..tensor import Tensor

__all__ = [
    "dims", "elements", "mutually_broadcastable_shapes", "shapes", "tensors", "valid_dims",
]  # fmt: skip


def shapes(
    min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes, from 0-d scalars (by default) up to ``max_dims`` dimensions."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def mutually_broadcastable_shapes(
    num_shapes: int = 2,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of ``num_shapes`` shapes that broadcast together (size-1 and missing axes)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims,
        min_side=min_side, max_side=max_side,
    ).map(lambda shapes: shapes.input_shapes)  # fmt: skip


def elements(
    low: float = -10.0,
    high: float = 10.0,
    *,
    exclude_zero_band: float = 0.0,
    allow_subnormal: bool | None = None,
) -> st.SearchStrategy[float]:
    """Finite floats in [low, high], optionally keeping away from (-band, band), and without
    subnormal numbers if ``allow_subnormal`` is False (to compare with a library whose CPU
    kernels may flush them to zero; None: whenever the range holds some, as Hypothesis)."""
    values = st.floats(
        low, high, allow_nan=False, allow_infinity=False, allow_subnormal=allow_subnormal
    )
    if exclude_zero_band > 0:
        values = values.filter(lambda v: abs(v) >= exclude_zero_band)
    return values


def tensors(
    shape: Any = None,
    dtype: Any = np.float64,
    elements: st.SearchStrategy[Any] | None = None,
    requires_grad: bool = False,
) -> st.SearchStrategy[Tensor]:
    """Tensors of ``shape`` (a tuple or a strategy; any small shape when None).

    Elements default to finite floats in [-10, 10]; float64 by default, for gradient checks.
    """
    if shape is None:
        shape = shapes()
    if elements is None:
        elements = st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False, width=64)
    arrays = hnp.arrays(dtype=np.dtype(dtype), shape=shape, elements=elements)
    return arrays.map(lambda array: Tensor(array, requires_grad=requires_grad, dtype=array.dtype))


def dims(
    ndim: int | tuple[int, ...],
    *,
    allow_none: bool = True,
    allow_tuple: bool = True,
    allow_negative: bool = True,
) -> st.SearchStrategy[Any]:
    """Valid ``dim`` arguments for a tensor with ``ndim`` dimensions (or of that shape).

    Draws None (all dims), one int (negative ones too), or a tuple of distinct dims.
    """
    count = len(ndim) if isinstance(ndim, tuple) else int(ndim)
    options: list[st.SearchStrategy[Any]] = []
    if allow_none:
        options.append(st.none())
    if count > 0:
        low = -count if allow_negative else 0
        single = st.integers(low, count - 1)
        options.append(single)
        if allow_tuple:
            options.append(
                st.lists(single, min_size=1, max_size=count, unique_by=lambda d: d % count).map(
                    tuple
                )
            )
    if not options:
        raise ValueError("dims: a 0-d tensor has no dim to draw and allow_none is False")
    return st.one_of(options)


valid_dims = dims  # the name the issue uses for it
