"""Dtype conversions and copies: ``to``, ``float``, ``double``, ``long``, ``clone``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..ops.elementwise import Cast, Clone

if TYPE_CHECKING:
    from ..tensor import Tensor


def to(input: Tensor, dtype: Any) -> Tensor:
    """Convert to ``dtype`` (differentiable between floating dtypes)."""
    target = np.dtype(dtype)
    if target == input._data.dtype:
        return input
    if target.kind != "f":  # integers and booleans carry no gradient, as in PyTorch
        return Cast.apply(input.detach(), target)
    return Cast.apply(input, target)


def float(input: Tensor) -> Tensor:
    """Convert to float32."""
    return to(input, np.float32)


def double(input: Tensor) -> Tensor:
    """Convert to float64."""
    return to(input, np.float64)


def long(input: Tensor) -> Tensor:
    """Convert to int64 (not differentiable)."""
    return to(input, np.int64)


def clone(input: Tensor) -> Tensor:
    """A copy of the data that stays in the graph (gradient flows back unchanged)."""
    return Clone.apply(input)


def contiguous(input: Tensor) -> Tensor:
    """The tensor itself: tinygrad_fr has no strides to make contiguous."""
    return input
