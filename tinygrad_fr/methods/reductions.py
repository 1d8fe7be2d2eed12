"""Reductions and scans: sum, mean, prod, extrema and their indices, variance, norms,
log-sum-exp, softmax, running sums and products, any/all.

Every reduction takes PyTorch's ``dim`` and ``keepdim`` and NumPy's ``axis``/``keepdims``;
integer and bool inputs sum (and multiply) into int64, as in PyTorch.
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..autograd import function
from ..ops.elementwise import Cast
from ..ops.nondiff import ArgExtremum, Truth
from ..ops.reduce import (
    Amax,
    Amin,
    ExtremumAlong,
    LogSoftmax,
    LogSumExp,
    Mean,
    Norm,
    Prod,
    Softmax,
    Sum,
)  # fmt: skip
from ..ops.scan import Cumprod, Cumsum
from ..ops.unary import SqrtOfSpread
from .dims import normalize_dim, normalize_dims, reduction_args
from .pointwise import floating, maximum, minimum

if TYPE_CHECKING:
    from ..tensor import Tensor

# What max(dim) and min(dim) return, as torch.return_types.max does.
MaxResult = namedtuple("max", ["values", "indices"])  # type: ignore[name-match]
MinResult = namedtuple("min", ["values", "indices"])  # type: ignore[name-match]
_INT64 = np.dtype(np.int64)


def _in_dtype(input: Tensor, dtype: Any, op: str) -> Tensor:
    """``input`` converted to ``dtype`` if given, else integers and bools to int64."""
    if dtype is not None:
        target = dtypes.resolve(dtype, op)
    elif input._data.dtype.kind in "biu" and input._data.dtype != _INT64:
        target = _INT64
    else:
        return input
    return input if input._data.dtype == target else Cast.apply(input, target)


def sum(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
    axis: Any = None, keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """Sum over ``dim`` (an int, a tuple, or None for all); NumPy's axis/keepdims work too."""
    dim, keepdim = reduction_args("sum", dim, keepdim, axis, keepdims)
    input = _in_dtype(input, dtype, "sum")
    return Sum.apply(input, normalize_dims(dim, input._data.ndim, "sum"), keepdim)


def mean(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
    axis: Any = None, keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """Mean over ``dim`` (an int, a tuple, or None for all)."""
    dim, keepdim = reduction_args("mean", dim, keepdim, axis, keepdims)
    if dtype is not None:
        input = _in_dtype(input, dtype, "mean")
    _require_floating(input, "mean", "mean(dtype=tg.float32)")
    return Mean.apply(input, normalize_dims(dim, input._data.ndim, "mean"), keepdim)


def prod(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
    axis: Any = None, keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """Product over one ``dim`` (or all elements); zeros get their exact gradient."""
    dim, keepdim = reduction_args("prod", dim, keepdim, axis, keepdims)
    input = _in_dtype(input, dtype, "prod")
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod: dim must be an int (or None for all elements), got {dim!r}")
    return Prod.apply(input, normalize_dims(dim, input._data.ndim, "prod"), keepdim)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None, axis: Any = None) -> Tensor:
    """Running sum along ``dim``: out[i] = x[0] + ... + x[i]."""
    return _scan(Cumsum, _in_dtype(input, dtype, "cumsum"), dim, axis, "cumsum")


def cumprod(input: Tensor, dim: int, *, dtype: Any = None, axis: Any = None) -> Tensor:
    """Running product along ``dim``: out[i] = x[0] * ... * x[i]."""
    return _scan(Cumprod, _in_dtype(input, dtype, "cumprod"), dim, axis, "cumprod")


def _scan(op: Any, input: Tensor, dim: Any, axis: Any, name: str) -> Tensor:
    dim, _ = reduction_args(name, dim, False, axis, None)
    if input._data.ndim == 0:
        normalize_dim(dim, 0, name)
        return op.apply(input.reshape(1), 0).reshape(())
    return op.apply(input, normalize_dim(dim, input._data.ndim, name))


def logsumexp(
    input: Tensor, dim: Any, keepdim: bool = False, *, axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """log(sum(exp(x))) over ``dim``, computed without overflow."""
    dim, keepdim = reduction_args("logsumexp", dim, keepdim, axis, keepdims)
    input = floating(input)
    return LogSumExp.apply(input, normalize_dims(dim, input._data.ndim, "logsumexp"), keepdim)


def amax(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """Maximum over ``dim`` (all dims by default); tied maxima share the gradient evenly."""
    dim, keepdim = reduction_args("amax", dim, keepdim, axis, keepdims)
    _check_not_empty(input, "amax")
    return Amax.apply(input, _all_if_empty(dim, input, "amax"), keepdim)


def amin(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """Minimum over ``dim`` (all dims by default); tied minima share the gradient evenly."""
    dim, keepdim = reduction_args("amin", dim, keepdim, axis, keepdims)
    _check_not_empty(input, "amin")
    return Amin.apply(input, _all_if_empty(dim, input, "amin"), keepdim)


def _all_if_empty(dim: Any, input: Tensor, op: str) -> Any:
    """amax's dim=() means every dim, as in PyTorch."""
    if isinstance(dim, (tuple, list)) and not dim:
        dim = None
    return normalize_dims(dim, input._data.ndim, op)


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
    if input._data.size == 0:
        raise IndexError(f"{op}: expected reduction dim to be specified for an empty tensor")
    if dim is None or input._data.ndim == 0:
        if dim is not None:
            normalize_dim(dim, 0, op)
        index = ArgExtremum.apply(input, pick, None, False)
        return index.reshape((1,) * input._data.ndim) if keepdim else index
    return ArgExtremum.apply(input, pick, normalize_dim(dim, input._data.ndim, op), keepdim)


def var(
    input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
    correction: float | None = None, axis: Any = None, keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """Variance over ``dim``: sum((x - mean)²) / (n - correction), with Bessel's correction
    by default (``correction=1``, or the older ``unbiased=True``), as PyTorch."""
    if isinstance(dim, bool):  # var(unbiased), PyTorch's older overload
        dim, unbiased = None, dim
    dim, keepdim = reduction_args("var", dim, keepdim, axis, keepdims)
    _require_floating(input, "var", "x.float().var()")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    axes = normalize_dims(dim, input._data.ndim, "var")
    shape = input._data.shape
    count = math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)
    centered = input - mean(input, axes, keepdim=True)
    squares = sum(centered * centered, axes, keepdim)
    if count - correction > 0:
        return squares / (count - correction)
    warnings.warn(
        "var(): degrees of freedom is <= 0 (correction should be strictly less than the "
        "number of elements reduced); the result is nan or inf, as in PyTorch",
        stacklevel=2,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return squares / builtins.max(count - correction, 0)


def std(
    input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
    correction: float | None = None, axis: Any = None, keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """Standard deviation over ``dim`` (square root of :func:`var`, gradient 0 where it is
    0, as in PyTorch)."""
    spread = var(input, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)
    return SqrtOfSpread.apply(spread)


def norm(
    input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    """The p-norm over ``dim`` (all elements by default): ``p`` = 2 ("fro"), 1, inf, -inf,
    0 (the count of non-zeros) or any number; gradients as PyTorch's (0 at a zero norm)."""
    if dtype is not None:
        input = _in_dtype(input, dtype, "norm")
    _require_floating(input, "norm", "x.float().norm()")
    axes = normalize_dims(dim, input._data.ndim, "norm")
    if p == "fro" or p == 2:
        return SqrtOfSpread.apply(Sum.apply(input * input, axes, keepdim))
    if isinstance(p, str) or not isinstance(p, (int, float)):
        raise RuntimeError(f"norm: p={p!r} is not supported; use a number or 'fro'")
    if p == 1:
        return Sum.apply(input.abs(), axes, keepdim)
    if p == math.inf:
        return Amax.apply(input.abs(), axes, keepdim)
    if p == -math.inf:
        return Amin.apply(input.abs(), axes, keepdim)
    if p == 0:
        return Sum.apply((input != 0).to(input._data.dtype), axes, keepdim)
    return Norm.apply(input, float(p), axes, keepdim)


def _require_floating(input: Tensor, op: str, fix: str) -> None:
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: could not infer output dtype; the input dtype must be a floating point "
            f"dtype, got {input._data.dtype} (write {fix})"
        )


def _check_not_empty(input: Tensor, op: str) -> None:
    if input._data.size == 0:
        raise RuntimeError(
            f"{op}: the tensor is empty (shape {input._data.shape}); no extremum. Specify a "
            "dim whose size is not zero"
        )


def softmax(input: Tensor, dim: int = -1, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, stable for large |x|."""
    return _along_one_dim(_in_dtype(input, dtype, "softmax"), Softmax, dim, "softmax")


def log_softmax(input: Tensor, dim: int = -1, dtype: Any = None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably (no log of 0)."""
    return _along_one_dim(_in_dtype(input, dtype, "log_softmax"), LogSoftmax, dim, "log_softmax")


def _along_one_dim(input: Tensor, op_class: Any, dim: int, op: str) -> Tensor:
    if input._data.ndim == 0:
        normalize_dim(dim, 0, op)
        return op_class.apply(input.reshape(1), 0).reshape(())
    return op_class.apply(input, normalize_dim(dim, input._data.ndim, op))


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True if any element (over ``dim``, or all) is non-zero (a bool tensor)."""
    return Truth.apply(input, np.any, normalize_dims(dim, input._data.ndim, "any"), keepdim)


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True if every element (over ``dim``, or all) is non-zero (a bool tensor)."""
    return Truth.apply(input, np.all, normalize_dims(dim, input._data.ndim, "all"), keepdim)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """The number of non-zero elements (over ``dim``, or all), as int64."""
    axes = normalize_dims(dim, input._data.ndim, "count_nonzero")
    return Truth.apply(input, np.count_nonzero, axes, False)
