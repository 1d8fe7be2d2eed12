"""Arithmetic and comparisons: ``+ - * / ** @``, unary minus, ``< <= > >= == !=``.

The operator methods return ``NotImplemented`` for operands they do not know, so that Python
tries the other operand; the named methods (``add``, ``mul``...) are PyTorch's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..arrays import to_array
from ..autograd import function
from ..ops.elementwise import Abs, Add, Div, Mul, Neg, Pow, Sub
from ..ops.linalg import MatMul
from ..ops.nondiff import Compare

if TYPE_CHECKING:
    from ..tensor import Tensor


def operand(input: Tensor, other: Any) -> Any:
    """``other`` as an op argument: Tensors and Python numbers pass, arrays get a float dtype."""
    kind = type(other)
    if kind is float or kind is int or isinstance(other, function.Tensor):
        return other  # the common cases first: a Python number or a Tensor, used as is
    if isinstance(other, (np.ndarray, np.generic)):
        array = np.asarray(other)
        if array.dtype.kind == "f":
            return array
        if array.dtype.kind in "biu":
            return array.astype(input._data.dtype)
    elif isinstance(other, (bool, list, tuple)):
        return to_array(other, input._data.dtype)
    return NotImplemented


def _binary(op: Any, reflected: bool = False) -> Callable[[Tensor, Any], Tensor]:
    """The operator method applying ``op`` (``x + y``, or ``y + x`` when reflected)."""

    def method(input: Tensor, other: Any) -> Tensor:
        kind = type(other)
        if kind is not float and kind is not int and not isinstance(other, function.Tensor):
            other = operand(input, other)  # arrays, lists, bools: converted (the rare case)
            if other is NotImplemented:
                return NotImplemented
        return op.apply(other, input) if reflected else op.apply(input, other)

    method.__doc__ = f"{op.__doc__.split(';')[0].strip()}" if op.__doc__ else None
    return method


__add__, __radd__ = _binary(Add), _binary(Add, reflected=True)
__sub__, __rsub__ = _binary(Sub), _binary(Sub, reflected=True)
__mul__, __rmul__ = _binary(Mul), _binary(Mul, reflected=True)
__truediv__, __rtruediv__ = _binary(Div), _binary(Div, reflected=True)
__pow__, __rpow__ = _binary(Pow), _binary(Pow, reflected=True)


def __matmul__(input: Tensor, other: Any) -> Tensor:
    """input @ other."""
    other = operand(input, other)
    return NotImplemented if other is NotImplemented else _matmul(input, other)


def __rmatmul__(input: Tensor, other: Any) -> Tensor:
    """other @ input."""
    other = operand(input, other)
    return NotImplemented if other is NotImplemented else _matmul(other, input)


def __neg__(input: Tensor) -> Tensor:
    """-input."""
    return Neg.apply(input)


def __pos__(input: Tensor) -> Tensor:
    """+input (the tensor itself)."""
    return input


def __abs__(input: Tensor) -> Tensor:
    """abs(input)."""
    return Abs.apply(input)


def add(input: Tensor, other: Any, *, alpha: float = 1) -> Tensor:
    """input + alpha * other."""
    return input + (other if alpha == 1 else other * alpha)


def sub(input: Tensor, other: Any, *, alpha: float = 1) -> Tensor:
    """input - alpha * other."""
    return input - (other if alpha == 1 else other * alpha)


def mul(input: Tensor, other: Any) -> Tensor:
    """input * other."""
    return input * other


def div(input: Tensor, other: Any) -> Tensor:
    """input / other."""
    return input / other


def pow(input: Tensor, exponent: Any) -> Tensor:
    """input ** exponent."""
    return input**exponent


def matmul(input: Tensor, other: Any) -> Tensor:
    """Matrix product with NumPy's rules (1-D operands, broadcast batch dimensions)."""
    return input @ other


def neg(input: Tensor) -> Tensor:
    """-input."""
    return Neg.apply(input)


def _matmul(a: Any, b: Any) -> Tensor:
    shape_a, shape_b = np.shape(_data_of(a)), np.shape(_data_of(b))
    if not shape_a or not shape_b:
        raise ValueError(
            f"matmul: both operands need at least one dimension, got shapes {shape_a} and "
            f"{shape_b}; use * for a product with a scalar"
        )
    inner_b = shape_b[0] if len(shape_b) == 1 else shape_b[-2]
    if shape_a[-1] != inner_b:
        raise ValueError(
            f"matmul: cannot multiply {shape_a} by {shape_b}: inner dimensions "
            f"{shape_a[-1]} and {inner_b} differ"
        )
    return MatMul.apply(a, b)


def _data_of(value: Any) -> Any:
    return value._data if isinstance(value, function.Tensor) else value


# -- comparisons (not differentiable) -------------------------------------------------------


def _comparison(compare: Any) -> Callable[[Tensor, Any], Tensor]:
    def method(input: Tensor, other: Any) -> Tensor:
        other = operand(input, other)
        if other is NotImplemented:
            return NotImplemented
        return Compare.apply(input, other, compare)

    method.__doc__ = f"Element-wise {compare.__name__} (a bool tensor, not differentiable)."
    return method


__lt__, __le__ = _comparison(np.less), _comparison(np.less_equal)
__gt__, __ge__ = _comparison(np.greater), _comparison(np.greater_equal)
__eq__, __ne__ = _comparison(np.equal), _comparison(np.not_equal)
lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__
