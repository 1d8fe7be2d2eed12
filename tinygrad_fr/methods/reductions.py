"""Reductions: sum, mean, extrema and their indices, variance, softmax, any/all."""

from __future__ import annotations

import builtins
import math
from collections import namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import function
from ..ops.nondiff import ArgExtremum, Truth
from ..ops.reduce import Amax, Amin, ExtremumAlong, LogSoftmax, Mean, Softmax, Sum
from .dims import normalize_dim, normalize_dims, reduction_args
from .pointwise import maximum, minimum

if TYPE_CHECKING:
    from ..tensor import Tensor

# What max(dim) and min(dim) return, as torch.return_types.max does.
MaxResult = namedtuple("max", ["values", "indices"])  # type: ignore[name-match]
MinResult = namedtuple("min", ["values", "indices"])  # type: ignore[name-match]


def sum(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """Sum over ``dim`` (an int, a tuple, or None for all); NumPy's axis/keepdims work too."""
    dim, keepdim = reduction_args("sum", dim, keepdim, axis, keepdims)
    return Sum.apply(input, normalize_dims(dim, input._data.ndim, "sum"), keepdim)


def mean(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """Mean over ``dim`` (an int, a tuple, or None for all)."""
    dim, keepdim = reduction_args("mean", dim, keepdim, axis, keepdims)
    return Mean.apply(input, normalize_dims(dim, input._data.ndim, "mean"), keepdim)


def amax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Maximum over ``dim``; tied maxima share the gradient evenly."""
    _check_not_empty(input, "amax")
    return Amax.apply(input, normalize_dims(dim, input._data.ndim, "amax"), keepdim)


def amin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Minimum over ``dim``; tied minima share the gradient evenly."""
    _check_not_empty(input, "amin")
    return Amin.apply(input, normalize_dims(dim, input._data.ndim, "amin"), keepdim)


def max(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
    keepdims: bool | None = None,
) -> Any:  # fmt: skip
    """Maximum: of all elements (dim None), over a tuple of dims, or along one dim.

    As in PyTorch, ``max(dim=int)`` returns ``(values, indices)`` and ``max(tensor)`` is
    the element-wise maximum.
    """
    if isinstance(dim, function.Tensor):
        return maximum(input, dim)
    return _extremum(input, "max", dim, keepdim, axis, keepdims)


def min(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
    keepdims: bool | None = None,
) -> Any:  # fmt: skip
    """Minimum: of all elements (dim None), over a tuple of dims, or along one dim.

    As in PyTorch, ``min(dim=int)`` returns ``(values, indices)`` and ``min(tensor)`` is
    the element-wise minimum.
    """
    if isinstance(dim, function.Tensor):
        return minimum(input, dim)
    return _extremum(input, "min", dim, keepdim, axis, keepdims)


def _extremum(input: Tensor, op: str, dim: Any, keepdim: bool, axis: Any, keepdims: Any) -> Any:
    """max or min: (values, indices) along one int dim, else the values over ``dim``."""
    dim, keepdim = reduction_args(op, dim, keepdim, axis, keepdims)
    if not isinstance(dim, (int, np.integer)):
        return amax(input, dim, keepdim) if op == "max" else amin(input, dim, keepdim)
    result, pick = (MaxResult, np.argmax) if op == "max" else (MinResult, np.argmin)
    _check_not_empty(input, op)
    if input._data.ndim == 0:
        normalize_dim(dim, 0, op)
        return result(input.clone(), ArgExtremum.apply(input, pick, None, False))
    axis = normalize_dim(dim, input._data.ndim, op)
    values = ExtremumAlong.apply(input, axis, keepdim, pick)
    return result(values, ArgExtremum.apply(input, pick, axis, keepdim))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the maximum (of the flattened tensor when dim is None)."""
    return _arg_extremum(input, np.argmax, dim, keepdim, "argmax")


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the minimum (of the flattened tensor when dim is None)."""
    return _arg_extremum(input, np.argmin, dim, keepdim, "argmin")


def _arg_extremum(input: Tensor, pick: Any, dim: Any, keepdim: bool, op: str) -> Tensor:
    _check_not_empty(input, op)
    axis = None if dim is None else normalize_dim(dim, input._data.ndim, op)
    return ArgExtremum.apply(input, pick, axis, keepdim)


def var(input: Tensor, dim: Any = None, keepdim: bool = False, *, correction: int = 1) -> Tensor:
    """Variance over ``dim`` with Bessel's correction by default (as PyTorch)."""
    axes = normalize_dims(dim, input._data.ndim, "var")
    shape = input._data.shape
    count = math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)
    centered = input - mean(input, axes, keepdim=True)
    return sum(centered * centered, axes, keepdim) / builtins.max(count - correction, 0)


def std(input: Tensor, dim: Any = None, keepdim: bool = False, *, correction: int = 1) -> Tensor:
    """Standard deviation over ``dim`` (square root of :func:`var`)."""
    return var(input, dim, keepdim, correction=correction).sqrt()


def _check_not_empty(input: Tensor, op: str) -> None:
    if input._data.size == 0:
        raise ValueError(f"{op}: the tensor is empty (shape {input._data.shape}); no extremum")


def softmax(input: Tensor, dim: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, stable for large |x|."""
    return _along_one_dim(input, Softmax, dim, "softmax")


def log_softmax(input: Tensor, dim: int = -1) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably (no log of 0)."""
    return _along_one_dim(input, LogSoftmax, dim, "log_softmax")


def _along_one_dim(input: Tensor, op_class: Any, dim: int, op: str) -> Tensor:
    if input._data.ndim == 0:
        normalize_dim(dim, 0, op)
        return op_class.apply(input.reshape(1), 0).reshape(())
    return op_class.apply(input, normalize_dim(dim, input._data.ndim, op))


def any(input: Tensor) -> Tensor:
    """True if any element is non-zero (a bool tensor)."""
    return Truth.apply(input, np.any)


def all(input: Tensor) -> Tensor:
    """True if every element is non-zero (a bool tensor)."""
    return Truth.apply(input, np.all)
