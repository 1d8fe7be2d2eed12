"""In-place methods (``add_``, ``x += y``, ``x[i] = v``, ``zero_``...), as PyTorch's.

Each is an out-of-place op written back into the tensor by
:func:`tinygrad_fr.autograd.inplace.apply_in_place`, which also rebases the history when the
op is recorded; when nothing is recorded, NumPy writes straight into the array.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import function
from ..autograd.inplace import apply_in_place
from ..ops.elementwise import Where
from ..ops.movement import IndexPut
from . import arithmetic, pointwise
from .indexing import normalize_index

if TYPE_CHECKING:
    from ..tensor import Tensor


def _array(value: Any) -> Any:
    return value._data if isinstance(value, function.Tensor) else value


def add_(input: Tensor, other: Any, *, alpha: float = 1) -> Tensor:
    """In place: input += alpha * other."""
    value = other if alpha == 1 else other * alpha
    return apply_in_place(
        input, "add_", lambda t: t + value, value,
        lambda a: np.add(a, _array(value), out=a, casting="same_kind"),
    )  # fmt: skip


def sub_(input: Tensor, other: Any, *, alpha: float = 1) -> Tensor:
    """In place: input -= alpha * other."""
    value = other if alpha == 1 else other * alpha
    return apply_in_place(
        input, "sub_", lambda t: t - value, value,
        lambda a: np.subtract(a, _array(value), out=a, casting="same_kind"),
    )  # fmt: skip


def mul_(input: Tensor, other: Any) -> Tensor:
    """In place: input *= other."""
    return apply_in_place(
        input, "mul_", lambda t: t * other, other,
        lambda a: np.multiply(a, _array(other), out=a, casting="same_kind"),
    )  # fmt: skip


def div_(input: Tensor, other: Any) -> Tensor:
    """In place: input /= other."""
    return apply_in_place(
        input, "div_", lambda t: t / other, other,
        lambda a: np.divide(a, _array(other), out=a, casting="same_kind"),
    )  # fmt: skip


def pow_(input: Tensor, exponent: Any) -> Tensor:
    """In place: input **= exponent."""
    return apply_in_place(input, "pow_", lambda t: t**exponent, exponent)


def _unary(name: str, method: Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    """The in-place form ``name`` of an element-wise method."""

    def in_place(input: Tensor) -> Tensor:
        return apply_in_place(input, name, method)

    in_place.__name__ = in_place.__qualname__ = name
    in_place.__doc__ = f"In place: {method.__doc__}"
    return in_place


neg_ = _unary("neg_", arithmetic.neg)
exp_ = _unary("exp_", pointwise.exp)
log_ = _unary("log_", pointwise.log)
sqrt_ = _unary("sqrt_", pointwise.sqrt)
abs_ = _unary("abs_", pointwise.abs)
tanh_ = _unary("tanh_", pointwise.tanh)
sigmoid_ = _unary("sigmoid_", pointwise.sigmoid)
relu_ = _unary("relu_", pointwise.relu)


def clamp_(input: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    """In place: clamp to [min, max]."""
    return apply_in_place(
        input, "clamp_", lambda t: pointwise.clamp(t, min, max), None,
        lambda a: np.clip(a, min, max, out=a),
    )  # fmt: skip


def _replace(input: Tensor, value: Any) -> Tensor:
    """``value`` broadcast over input, with a zero gradient for input (where with no hits)."""
    return Where.apply(np.zeros(input._data.shape, dtype=bool), input, value)


def fill_(input: Tensor, value: Any) -> Tensor:
    """In place: fill with ``value`` (a number or a one-element tensor)."""
    return apply_in_place(
        input, "fill_", lambda t: _replace(t, value), value,
        lambda a: a.fill(_array(value)),
    )  # fmt: skip


def zero_(input: Tensor) -> Tensor:
    """In place: fill with zeros."""
    return apply_in_place(input, "zero_", lambda t: _replace(t, 0.0), None, lambda a: a.fill(0))


def copy_(input: Tensor, src: Any) -> Tensor:
    """In place: copy ``src`` (broadcast to this shape) into the tensor."""
    return apply_in_place(
        input, "copy_", lambda t: _replace(t, src), src,
        lambda a: np.copyto(a, _array(src), casting="same_kind"),
    )  # fmt: skip


def setitem(input: Tensor, index: Any, value: Any) -> None:
    """``input[index] = value``, recorded (gradients reach ``value``) when needed."""
    index = normalize_index(index, "setitem")
    array = _array(value)

    def write(a: np.ndarray) -> None:
        a[index] = array

    apply_in_place(input, "setitem", lambda t: IndexPut.apply(t, index, value), value, write)
