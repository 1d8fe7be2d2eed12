"""The math methods of Tensor: operators, element-wise functions, reductions, shapes.

Each method checks and normalises its arguments (PyTorch names, NumPy aliases), then applies
one op from :mod:`tinygrad_fr.ops`. Composite methods (``transpose``, ``var``...) are built
from those ops and need no backward of their own.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from .ops.elementwise import (
    Abs,
    Add,
    Clamp,
    Div,
    Exp,
    LeakyReLU,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    ReLU,
    Sigmoid,
    Sqrt,
    Sub,
    Tanh,
)  # fmt: skip
from .ops.linalg import MatMul
from .ops.nondiff import ArgExtremum, Compare, Truth
from .ops.reduce import Amax, Amin, ExtremumAlong, LogSoftmax, Mean, Softmax, Sum

if TYPE_CHECKING:
    from .tensor import Tensor

# What max(dim) and min(dim) return, as torch.return_types.max does.
MaxResult = namedtuple("max", ["values", "indices"])  # type: ignore[name-match]
MinResult = namedtuple("min", ["values", "indices"])  # type: ignore[name-match]


def _operand(tensor: Any, other: Any) -> Any:
    """``other`` as an op argument: Tensors and Python numbers pass, arrays get a float dtype."""
    kind = type(other)
    if kind is float or kind is int or isinstance(other, TensorMath):
        return other  # the common cases first: a Python number or a Tensor, used as is
    if isinstance(other, (np.ndarray, np.generic)):
        array = np.asarray(other)
        if array.dtype.kind == "f":
            return array
        if array.dtype.kind in "biu":
            return array.astype(tensor._data.dtype)
    elif isinstance(other, (bool, list, tuple)):
        from .tensor import to_array

        return to_array(other, tensor._data.dtype)
    return NotImplemented


def normalize_dims(dims: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """``dims`` (None, an int or a sequence) as a sorted tuple of non-negative axes."""
    if dims is None:
        return None
    if isinstance(dims, (int, np.integer)):
        items: tuple = (dims,)
    elif isinstance(dims, (tuple, list)):
        items = tuple(dims)
    else:
        raise TypeError(
            f"{op}: dim must be an int, got {type(dims).__name__} {dims!r} (a tuple of ints, "
            "or None for every dim, also work)"
        )
    axes = []
    for dim in items:
        axes.append(normalize_dim(dim, ndim, op))
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: dim {dims} names the same axis twice")
    return tuple(sorted(axes))


def normalize_dim(dim: Any, ndim: int, op: str, extra: int = 0) -> int:
    """One axis as a non-negative int; ``extra`` allows one past the end (for unsqueeze)."""
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    size = max(ndim + extra, 1)
    if not -size <= dim < size:
        raise IndexError(
            f"{op}: dim {dim} is out of range for a tensor with {ndim} dimensions; use a "
            f"dim between {-size} and {size - 1}"
        )
    return int(dim) % size


def _reduction_args(
    op: str, dim: Any, keepdim: bool, axis: Any, keepdims: bool | None
) -> tuple[Any, bool]:
    """Merge PyTorch's (dim, keepdim) with NumPy's aliases (axis, keepdims)."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give dim or its NumPy alias axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, bool(keepdim)


class TensorMath:
    """Mixin holding the math methods of :class:`tinygrad_fr.Tensor`."""

    __slots__ = ()
    _data: np.ndarray
    _requires_grad: bool
    if TYPE_CHECKING:  # provided by Tensor

        @classmethod
        def _make(cls, data: np.ndarray, requires_grad: bool, grad_fn: Any) -> Tensor: ...

        def detach(self) -> Tensor: ...

        def clone(self) -> Tensor: ...

        def reshape(self, *shape: Any) -> Tensor: ...

    # -- arithmetic operators ---------------------------------------------------------------

    def __add__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else Add.apply(self, other)

    def __radd__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else Add.apply(other, self)

    def __sub__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else Sub.apply(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else Sub.apply(other, self)

    def __mul__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else Mul.apply(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else Mul.apply(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else Div.apply(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else Div.apply(other, self)

    def __pow__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else Pow.apply(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else Pow.apply(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else _matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        other = _operand(self, other)
        return NotImplemented if other is NotImplemented else _matmul(other, self)

    def __neg__(self) -> Tensor:
        return Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self  # type: ignore[return-value]

    def __abs__(self) -> Tensor:
        return Abs.apply(self)

    def add(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self + alpha * other."""
        return self + (other if alpha == 1.0 else other * alpha)

    def sub(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self - alpha * other."""
        return self - (other if alpha == 1.0 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        """self * other."""
        return self * other

    def div(self, other: Any) -> Tensor:
        """self / other."""
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        """self ** exponent."""
        return self**exponent

    def matmul(self, other: Any) -> Tensor:
        """Matrix product with NumPy's rules (1-D operands, broadcast batch dimensions)."""
        return self @ other

    def neg(self) -> Tensor:
        """-self."""
        return Neg.apply(self)

    # -- comparisons (not differentiable) ---------------------------------------------------

    def _compare(self, other: Any, compare: Any) -> Any:
        other = _operand(self, other)
        if other is NotImplemented:
            return NotImplemented
        return Compare.apply(self, other, compare)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def eq(self, other: Any) -> Tensor:
        """Element-wise self == other (a bool tensor)."""
        return self == other

    def any(self) -> Tensor:
        """True if any element is non-zero (a bool tensor)."""
        return Truth.apply(self, np.any)

    def all(self) -> Tensor:
        """True if every element is non-zero (a bool tensor)."""
        return Truth.apply(self, np.all)

    # -- element-wise functions -------------------------------------------------------------

    def exp(self) -> Tensor:
        """Element-wise e**x."""
        return Exp.apply(self)

    def log(self) -> Tensor:
        """Element-wise natural logarithm."""
        return Log.apply(self)

    def sqrt(self) -> Tensor:
        """Element-wise square root."""
        return Sqrt.apply(self)

    def abs(self) -> Tensor:
        """Element-wise absolute value (gradient 0 at 0)."""
        return Abs.apply(self)

    def square(self) -> Tensor:
        """Element-wise x**2."""
        return Pow.apply(self, 2)

    def tanh(self) -> Tensor:
        """Element-wise hyperbolic tangent."""
        return Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        """Element-wise 1 / (1 + e**-x), finite for any x."""
        return Sigmoid.apply(self)

    def relu(self) -> Tensor:
        """Element-wise max(x, 0)."""
        return ReLU.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """Element-wise x if x > 0 else negative_slope * x."""
        return LeakyReLU.apply(self, negative_slope)

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Limit values to [min, max]; the gradient flows where min <= x <= max."""
        if min is None and max is None:
            raise ValueError("clamp: give at least one of min and max")
        if min is not None and max is not None and min > max:
            raise ValueError(f"clamp: min ({min}) is greater than max ({max})")
        return Clamp.apply(self, min, max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        """Element-wise maximum of self and other (ties share the gradient)."""
        return Maximum.apply(self, _operand(self, other))

    def minimum(self, other: Any) -> Tensor:
        """Element-wise minimum of self and other (ties share the gradient)."""
        return Minimum.apply(self, _operand(self, other))

    # -- reductions -------------------------------------------------------------------------

    def sum(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Sum over ``dim`` (an int, a tuple, or None for all); NumPy's axis/keepdims work too."""
        dim, keepdim = _reduction_args("sum", dim, keepdim, axis, keepdims)
        return Sum.apply(self, normalize_dims(dim, self._data.ndim, "sum"), keepdim)

    def mean(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Mean over ``dim`` (an int, a tuple, or None for all)."""
        dim, keepdim = _reduction_args("mean", dim, keepdim, axis, keepdims)
        return Mean.apply(self, normalize_dims(dim, self._data.ndim, "mean"), keepdim)

    def amax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Maximum over ``dim``; tied maxima share the gradient evenly."""
        self._check_not_empty("amax")
        return Amax.apply(self, normalize_dims(dim, self._data.ndim, "amax"), keepdim)

    def amin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Minimum over ``dim``; tied minima share the gradient evenly."""
        self._check_not_empty("amin")
        return Amin.apply(self, normalize_dims(dim, self._data.ndim, "amin"), keepdim)

    def max(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Any:
        """Maximum: of all elements (dim None), over a tuple of dims, or along one dim.

        As in PyTorch, ``max(dim=int)`` returns ``(values, indices)`` and ``max(tensor)`` is
        the element-wise maximum.
        """
        if isinstance(dim, TensorMath):
            return self.maximum(dim)
        return self._extremum("max", dim, keepdim, axis, keepdims)

    def min(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        axis: Any = None,
        keepdims: bool | None = None,
    ) -> Any:
        """Minimum: of all elements (dim None), over a tuple of dims, or along one dim.

        As in PyTorch, ``min(dim=int)`` returns ``(values, indices)`` and ``min(tensor)`` is
        the element-wise minimum.
        """
        if isinstance(dim, TensorMath):
            return self.minimum(dim)
        return self._extremum("min", dim, keepdim, axis, keepdims)

    def _extremum(self, op: str, dim: Any, keepdim: bool, axis: Any, keepdims: Any) -> Any:
        """max or min: (values, indices) along one int dim, else the values over ``dim``."""
        dim, keepdim = _reduction_args(op, dim, keepdim, axis, keepdims)
        if isinstance(dim, (int, np.integer)):
            result, pick = (MaxResult, np.argmax) if op == "max" else (MinResult, np.argmin)
            return result(*self._extremum_along(int(dim), keepdim, pick, op))
        return self.amax(dim, keepdim) if op == "max" else self.amin(dim, keepdim)

    def _extremum_along(self, dim: int, keepdim: bool, pick: Any, op: str) -> tuple:
        """(values, indices) along one dim; the gradient goes to the returned index only."""
        self._check_not_empty(op)
        if self._data.ndim == 0:
            normalize_dim(dim, 0, op)
            return self.clone(), ArgExtremum.apply(self, pick, None, False)
        axis = normalize_dim(dim, self._data.ndim, op)
        values = ExtremumAlong.apply(self, axis, keepdim, pick)
        return values, ArgExtremum.apply(self, pick, axis, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the maximum (of the flattened tensor when dim is None)."""
        return self._arg_extremum(np.argmax, dim, keepdim, "argmax")

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the minimum (of the flattened tensor when dim is None)."""
        return self._arg_extremum(np.argmin, dim, keepdim, "argmin")

    def _arg_extremum(self, pick: Any, dim: Any, keepdim: bool, op: str) -> Tensor:
        self._check_not_empty(op)
        axis = None if dim is None else normalize_dim(dim, self._data.ndim, op)
        return ArgExtremum.apply(self, pick, axis, keepdim)

    def var(self, dim: Any = None, keepdim: bool = False, *, correction: int = 1) -> Tensor:
        """Variance over ``dim`` with Bessel's correction by default (as PyTorch)."""
        axes = normalize_dims(dim, self._data.ndim, "var")
        shape = self._data.shape
        count = math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)
        centered = self - self.mean(axes, keepdim=True)
        return (centered * centered).sum(axes, keepdim) / max(count - correction, 0)

    def std(self, dim: Any = None, keepdim: bool = False, *, correction: int = 1) -> Tensor:
        """Standard deviation over ``dim`` (square root of :meth:`var`)."""
        return self.var(dim, keepdim, correction=correction).sqrt()

    def _check_not_empty(self, op: str) -> None:
        if self._data.size == 0:
            raise ValueError(f"{op}: the tensor is empty (shape {self._data.shape}); no extremum")

    def softmax(self, dim: int = -1) -> Tensor:
        """exp(x) / sum(exp(x)) along ``dim``, stable for large |x|."""
        return self._along_one_dim(Softmax, dim, "softmax")

    def log_softmax(self, dim: int = -1) -> Tensor:
        """log(softmax(x)) along ``dim``, computed stably (no log of 0)."""
        return self._along_one_dim(LogSoftmax, dim, "log_softmax")

    def _along_one_dim(self, op_class: Any, dim: int, op: str) -> Tensor:
        if self._data.ndim == 0:
            normalize_dim(dim, 0, op)
            return op_class.apply(self.reshape(1), 0).reshape(())
        return op_class.apply(self, normalize_dim(dim, self._data.ndim, op))


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
    return value._data if isinstance(value, TensorMath) else value
