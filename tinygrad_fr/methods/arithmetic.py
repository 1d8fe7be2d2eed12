"""Arithmetic, comparisons and bitwise logic: ``+ - * / // % ** @``, unary ``-`` and ``~``,
``& | ^``, ``< <= > >= == !=``, with PyTorch's type promotion.

The operator methods return ``NotImplemented`` for operands they do not know, so that Python
tries the other operand; the named methods (``add``, ``mul``...) are PyTorch's. A float tensor
with a Python number or a tensor of its own dtype goes straight to the op (the common case);
anything else takes :func:`promoted`, which casts the operands to PyTorch's result dtype.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..arrays import to_array
from ..autograd import function
from ..ops.elementwise import Abs, Add, Cast, Div, Mul, Neg, Pow, Sub
from ..ops.linalg import MatMul
from ..ops.nondiff import Bitwise, Compare
from ..ops.rounding import FloorDivide, Fmod, Remainder, RoundedDivide

if TYPE_CHECKING:
    from ..tensor import Tensor


def operand(input: Tensor, other: Any) -> Any:
    """``other`` as an op argument: Tensors, arrays and Python numbers pass (NumPy numbers
    become Python numbers, as PyTorch treats them), lists become arrays; else NotImplemented."""
    kind = type(other)
    if kind is float or kind is int or isinstance(other, function.Tensor):
        return other  # the common cases first: a Python number or a Tensor, used as is
    if isinstance(other, (np.bool_, np.integer, np.floating)):
        return other.item()
    if isinstance(other, np.ndarray):
        return other if other.dtype.kind in "biuf" else NotImplemented
    if isinstance(other, (bool, list, tuple)):
        return other if kind is bool else to_array(other, op="operand", infer=True)
    return NotImplemented


def promoted(
    op: Any, input: Tensor, other: Any, reflected: bool, floating: bool, *options: Any
) -> Any:
    """Apply ``op`` to ``input`` and ``other`` cast to their PyTorch result dtype (the float
    default if ``floating`` and that is not floating, as for ``/``), then ``options``."""
    other = operand(input, other)
    if other is NotImplemented:
        return NotImplemented
    target = dtypes.result_type(input, other)
    if floating and target.kind != "f":
        target = dtypes.get_default_dtype()
    first, second = cast(input, target), cast(other, target)
    return op.apply(second, first, *options) if reflected else op.apply(first, second, *options)


def cast(value: Any, dtype: np.dtype) -> Any:
    """``value`` in ``dtype``: a Tensor through Cast (differentiable between floats), an array
    converted; a Python number stays one (NumPy keeps the array's dtype for it)."""
    if isinstance(value, function.Tensor):
        if value._data.dtype == dtype:
            return value
        if dtype.kind != "f" or value._data.dtype.kind != "f":
            return Cast.apply(value.detach() if value._requires_grad else value, dtype)
        return Cast.apply(value, dtype)
    if isinstance(value, np.ndarray):
        return value if value.dtype == dtype else value.astype(dtype)
    if dtype.kind in "iu" and isinstance(value, bool):
        return int(value)
    return value


def _binary(op: Any, reflected: bool = False, floating: bool = False) -> Callable[..., Any]:
    """The operator method applying ``op`` (``x + y``, or ``y + x`` when reflected)."""

    def method(input: Tensor, other: Any) -> Tensor:
        kind = type(other)
        if kind is float or kind is int:
            if input._data.dtype.kind == "f":
                return op.apply(other, input) if reflected else op.apply(input, other)
        elif isinstance(other, function.Tensor):
            dtype = input._data.dtype
            if other._data.dtype is dtype and dtype.kind == "f":
                return op.apply(other, input) if reflected else op.apply(input, other)
        return promoted(op, input, other, reflected, floating)

    method.__doc__ = f"{op.__doc__.split(';')[0].strip()}" if op.__doc__ else None
    return method


__add__, __radd__ = _binary(Add), _binary(Add, reflected=True)
__sub__, __rsub__ = _binary(Sub), _binary(Sub, reflected=True)
__mul__, __rmul__ = _binary(Mul), _binary(Mul, reflected=True)
__truediv__ = _binary(Div, floating=True)
__rtruediv__ = _binary(Div, reflected=True, floating=True)
__floordiv__, __rfloordiv__ = _binary(FloorDivide), _binary(FloorDivide, reflected=True)
__mod__, __rmod__ = _binary(Remainder), _binary(Remainder, reflected=True)
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
    if input._data.dtype.kind == "b":
        raise TypeError(
            "neg: negation, the `-` operator, on a bool tensor is not supported; use the "
            "`~` operator or logical_not() instead"
        )
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


def div(input: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """input / other; ``rounding_mode`` "trunc" or "floor" rounds the quotient (gradient 0)."""
    if rounding_mode is None:
        return input / other
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(
            f"div: expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"{rounding_mode!r}"
        )
    return _check(promoted(RoundedDivide, input, other, False, False, rounding_mode))


def true_divide(input: Tensor, other: Any) -> Tensor:
    """input / other (always a floating result)."""
    return input / other


def floor_divide(input: Tensor, other: Any) -> Tensor:
    """input // other: the quotient rounded down (no gradient, as in PyTorch)."""
    return _check(promoted(FloorDivide, input, other, False, False))


def remainder(input: Tensor, other: Any) -> Tensor:
    """input % other, with the sign of ``other`` (Python's ``%``)."""
    return _check(promoted(Remainder, input, other, False, False))


def fmod(input: Tensor, other: Any) -> Tensor:
    """The remainder of input / other with the sign of ``input`` (C's fmod)."""
    return _check(promoted(Fmod, input, other, False, False))


def pow(input: Tensor, exponent: Any) -> Tensor:
    """input ** exponent."""
    return input**exponent


def matmul(input: Tensor, other: Any) -> Tensor:
    """Matrix product with NumPy's rules (1-D operands, broadcast batch dimensions)."""
    return _check(input @ other)


def neg(input: Tensor) -> Tensor:
    """-input."""
    return __neg__(input)


def _check(result: Any) -> Any:
    if result is NotImplemented:
        raise TypeError("expected a Tensor, a number, a list or an array as the other operand")
    return result


def _matmul(a: Any, b: Any) -> Tensor:
    shape_a, shape_b = np.shape(_data_of(a)), np.shape(_data_of(b))
    if not shape_a or not shape_b:
        raise RuntimeError(
            f"matmul: both operands need at least one dimension, got shapes {shape_a} and "
            f"{shape_b}; use * for a product with a scalar"
        )
    inner_b = shape_b[0] if len(shape_b) == 1 else shape_b[-2]
    if shape_a[-1] != inner_b:
        raise RuntimeError(
            f"matmul: cannot multiply {shape_a} by {shape_b}: inner dimensions "
            f"{shape_a[-1]} and {inner_b} differ"
        )
    return MatMul.apply(a, b)


def _data_of(value: Any) -> Any:
    return value._data if isinstance(value, function.Tensor) else value


# -- comparisons and bitwise logic (not differentiable) ------------------------------------


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


def _bitwise(ufunc: Any, reflected: bool = False) -> Callable[[Tensor, Any], Tensor]:
    """``& | ^`` on bool or integer tensors: logical for bools, bitwise for integers."""

    def method(input: Tensor, other: Any) -> Tensor:
        if input._data.dtype.kind == "f" or _is_float(other):
            raise TypeError(
                f"{ufunc.__name__}: only bool and integer tensors are supported, got "
                f"{input._data.dtype}; compare first (x > 0) to get a bool tensor"
            )
        return promoted(Bitwise, input, other, reflected, False, ufunc)

    method.__doc__ = f"Element-wise {ufunc.__name__} of bool or integer tensors."
    return method


def _is_float(value: Any) -> bool:
    return isinstance(value, float) or getattr(value, "dtype", np.dtype(bool)).kind == "f"


__and__, __rand__ = _bitwise(np.bitwise_and), _bitwise(np.bitwise_and, reflected=True)
__or__, __ror__ = _bitwise(np.bitwise_or), _bitwise(np.bitwise_or, reflected=True)
__xor__, __rxor__ = _bitwise(np.bitwise_xor), _bitwise(np.bitwise_xor, reflected=True)
bitwise_and, bitwise_or, bitwise_xor = __and__, __or__, __xor__


def __invert__(input: Tensor) -> Tensor:
    """~input: logical not of a bool tensor, bitwise not of an integer one."""
    if input._data.dtype.kind == "f":
        raise TypeError(
            f"bitwise_not: only bool and integer tensors are supported, got "
            f"{input._data.dtype}; use logical_not() for a float tensor"
        )
    return Bitwise.apply(input, None, np.invert)


bitwise_not = __invert__


def logical_not(input: Tensor) -> Tensor:
    """True where input is zero (a bool tensor)."""
    return Bitwise.apply(input, None, np.logical_not)


def logical_and(input: Tensor, other: Any) -> Tensor:
    """True where both are non-zero (a bool tensor)."""
    return Bitwise.apply(input, operand(input, other), np.logical_and)


def logical_or(input: Tensor, other: Any) -> Tensor:
    """True where either is non-zero (a bool tensor)."""
    return Bitwise.apply(input, operand(input, other), np.logical_or)


def logical_xor(input: Tensor, other: Any) -> Tensor:
    """True where exactly one is non-zero (a bool tensor)."""
    return Bitwise.apply(input, operand(input, other), np.logical_xor)
