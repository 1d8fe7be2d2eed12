"""Function forms of the Tensor operations (``tg.exp(x)`` is ``x.exp()``), joining tensors
(``cat``, ``stack``), ``where``, comparisons of whole tensors (``allclose``, ``equal``).

Each function form is the method's own code: the first argument may also be a number, a list
or an array, converted as ``tg.tensor`` does. Every one takes PyTorch's ``out=``: the result
is written into that tensor (resized if its shape differs), which is then returned.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .arrays import tensor_of
from .autograd import function
from .autograd.grad_mode import state
from .autograd.inplace import write_array
from .methods import arithmetic, conversion, indexing, linalg, pointwise, reductions, shape
from .tensor import Tensor


def write_out(out: Any, result: Any, op: str) -> Any:
    """Write ``result`` (a tensor, or a tuple of them) into ``out`` as PyTorch's ``out=``."""
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{op}: out= must be a tuple of {len(result)} tensors")
        written = [write_out(target, value, op) for target, value in zip(out, result)]
        return type(result)(*written) if hasattr(result, "_fields") else tuple(written)
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}: out= must be a Tensor, got {type(out).__name__}")
    if state.grad_enabled and (result._requires_grad or out._requires_grad):
        raise RuntimeError(
            f"{op}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad; call it under "
            "tg.no_grad() or drop out="
        )
    if not np.can_cast(result._data.dtype, out._data.dtype, "same_kind"):
        raise RuntimeError(
            f"{op}: result type {result._data.dtype} can't be cast to the desired output "
            f"type {out._data.dtype}"
        )
    if out._data.shape != result._data.shape:
        if out._data.size:
            warnings.warn(
                f"{op}: an output with one or more elements was resized since it had shape "
                f"{out._data.shape}, which does not match the required output shape "
                f"{result._data.shape}",
                stacklevel=3,
            )
        out._replace_memory(result._data.astype(out._data.dtype))  # as after .data = ...
        return out
    write_array(out, op, lambda array: np.copyto(array, result._data, casting="same_kind"))
    return out


def _function_form(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` callable as ``tg.name(input, ..., out=None)`` with any array-like input."""

    @functools.wraps(method)
    def function_form(input: Any, *args: Any, out: Any = None, **kwargs: Any) -> Any:
        result = method(tensor_of(input, method.__name__), *args, **kwargs)
        return result if out is None else write_out(out, result, method.__name__)

    return function_form


def cat(tensors: Sequence[Any], dim: int = 0, *, out: Any = None, axis: Any = None) -> Tensor:
    """Join tensors along an existing dimension ``dim``."""
    result = shape.cat(tensors, dim if axis is None else axis)
    return result if out is None else write_out(out, result, "cat")


def stack(tensors: Sequence[Any], dim: int = 0, *, out: Any = None) -> Tensor:
    """Join tensors of the same shape along a new dimension ``dim``."""
    result = shape.stack(tensors, dim)
    return result if out is None else write_out(out, result, "stack")


def where(condition: Any, input: Any = None, other: Any = None, *, out: Any = None) -> Any:
    """``input`` where ``condition`` holds, else ``other`` (see :func:`indexing.where`)."""
    result = indexing.where(condition, input, other)
    return result if out is None else write_out(out, result, "where")


def allclose(
    input: Any, other: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> bool:
    """True if every |input - other| <= atol + rtol * |other| (PyTorch's tolerances)."""
    a, b = tensor_of(input)._data, tensor_of(other)._data
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(
    input: Any, other: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> Tensor:
    """Element-wise |input - other| <= atol + rtol * |other| (a bool tensor)."""
    a, b = tensor_of(input)._data, tensor_of(other)._data
    return Tensor._make(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan), False, None)


def equal(input: Any, other: Any) -> bool:
    """True if both have the same shape and the same elements."""
    a, b = tensor_of(input)._data, tensor_of(other)._data
    return a.shape == b.shape and bool(np.array_equal(a, b))


def is_tensor(value: Any) -> bool:
    """True for a tinygrad_fr Tensor (or a Parameter)."""
    return isinstance(value, function.Tensor)


def numel(input: Any) -> int:
    """The number of elements of a tensor."""
    return tensor_of(input).numel()


def is_floating_point(input: Tensor) -> bool:
    """True for floating dtypes."""
    return input._data.dtype.kind == "f"


# arithmetic and logic
add = _function_form(arithmetic.add)
sub = _function_form(arithmetic.sub)
subtract = _function_form(arithmetic.sub)
mul = _function_form(arithmetic.mul)
multiply = _function_form(arithmetic.mul)
div = _function_form(arithmetic.div)
divide = _function_form(arithmetic.div)
true_divide = _function_form(arithmetic.true_divide)
floor_divide = _function_form(arithmetic.floor_divide)
remainder = _function_form(arithmetic.remainder)
fmod = _function_form(arithmetic.fmod)
pow = _function_form(arithmetic.pow)
neg = _function_form(arithmetic.neg)
negative = _function_form(arithmetic.neg)
matmul = _function_form(arithmetic.matmul)
eq = _function_form(arithmetic.eq)
ne = _function_form(arithmetic.ne)
lt = _function_form(arithmetic.lt)
le = _function_form(arithmetic.le)
gt = _function_form(arithmetic.gt)
ge = _function_form(arithmetic.ge)
logical_not = _function_form(arithmetic.logical_not)
logical_and = _function_form(arithmetic.logical_and)
logical_or = _function_form(arithmetic.logical_or)
logical_xor = _function_form(arithmetic.logical_xor)
bitwise_not = _function_form(arithmetic.bitwise_not)
bitwise_and = _function_form(arithmetic.bitwise_and)
bitwise_or = _function_form(arithmetic.bitwise_or)
bitwise_xor = _function_form(arithmetic.bitwise_xor)

# element-wise functions
exp = _function_form(pointwise.exp)
log = _function_form(pointwise.log)
sqrt = _function_form(pointwise.sqrt)
abs = _function_form(pointwise.abs)
absolute = _function_form(pointwise.abs)
square = _function_form(pointwise.square)
tanh = _function_form(pointwise.tanh)
sigmoid = _function_form(pointwise.sigmoid)
relu = _function_form(pointwise.relu)
sin = _function_form(pointwise.sin)
cos = _function_form(pointwise.cos)
tan = _function_form(pointwise.tan)
asin = _function_form(pointwise.asin)
arcsin = _function_form(pointwise.asin)
acos = _function_form(pointwise.acos)
arccos = _function_form(pointwise.acos)
atan = _function_form(pointwise.atan)
arctan = _function_form(pointwise.atan)
atan2 = _function_form(pointwise.atan2)
arctan2 = _function_form(pointwise.atan2)
sinh = _function_form(pointwise.sinh)
cosh = _function_form(pointwise.cosh)
asinh = _function_form(pointwise.asinh)
arcsinh = _function_form(pointwise.asinh)
acosh = _function_form(pointwise.acosh)
arccosh = _function_form(pointwise.acosh)
atanh = _function_form(pointwise.atanh)
arctanh = _function_form(pointwise.atanh)
log1p = _function_form(pointwise.log1p)
expm1 = _function_form(pointwise.expm1)
log2 = _function_form(pointwise.log2)
log10 = _function_form(pointwise.log10)
exp2 = _function_form(pointwise.exp2)
rsqrt = _function_form(pointwise.rsqrt)
reciprocal = _function_form(pointwise.reciprocal)
erf = _function_form(pointwise.erf)
sign = _function_form(pointwise.sign)
sgn = _function_form(pointwise.sign)
floor = _function_form(pointwise.floor)
ceil = _function_form(pointwise.ceil)
round = _function_form(pointwise.round)
trunc = _function_form(pointwise.trunc)
fix = _function_form(pointwise.trunc)
frac = _function_form(pointwise.frac)
isnan = _function_form(pointwise.isnan)
isinf = _function_form(pointwise.isinf)
isfinite = _function_form(pointwise.isfinite)
clamp = _function_form(pointwise.clamp)
clip = _function_form(pointwise.clamp)
maximum = _function_form(pointwise.maximum)
minimum = _function_form(pointwise.minimum)

# reductions and scans
sum = _function_form(reductions.sum)
mean = _function_form(reductions.mean)
prod = _function_form(reductions.prod)
max = _function_form(reductions.max)
min = _function_form(reductions.min)
amax = _function_form(reductions.amax)
amin = _function_form(reductions.amin)
argmax = _function_form(reductions.argmax)
argmin = _function_form(reductions.argmin)
var = _function_form(reductions.var)
std = _function_form(reductions.std)
norm = _function_form(reductions.norm)
logsumexp = _function_form(reductions.logsumexp)
cumsum = _function_form(reductions.cumsum)
cumprod = _function_form(reductions.cumprod)
softmax = _function_form(reductions.softmax)
log_softmax = _function_form(reductions.log_softmax)
any = _function_form(reductions.any)
all = _function_form(reductions.all)
count_nonzero = _function_form(reductions.count_nonzero)

# matrix products
mm = _function_form(linalg.mm)
bmm = _function_form(linalg.bmm)
mv = _function_form(linalg.mv)
dot = _function_form(linalg.dot)
inner = _function_form(linalg.dot)
outer = _function_form(linalg.outer)
ger = _function_form(linalg.outer)

# shapes and indexing
reshape = _function_form(shape.reshape)
transpose = _function_form(shape.transpose)
swapaxes = _function_form(shape.transpose)
permute = _function_form(shape.permute)
flatten = _function_form(shape.flatten)
squeeze = _function_form(shape.squeeze)
unsqueeze = _function_form(shape.unsqueeze)
t = _function_form(shape.t)
flip = _function_form(shape.flip)
chunk = _function_form(shape.chunk)
split = _function_form(shape.split)
unbind = _function_form(shape.unbind)
narrow = _function_form(shape.narrow)
tril = _function_form(shape.tril)
triu = _function_form(shape.triu)
broadcast_to = _function_form(shape.broadcast_to)
index_select = _function_form(indexing.index_select)
gather = _function_form(indexing.gather)
masked_fill = _function_form(indexing.masked_fill)
masked_select = _function_form(indexing.masked_select)
nonzero = _function_form(indexing.nonzero)

# copies
clone = _function_form(conversion.clone)

__all__ = [
    "abs",
    "absolute",
    "acos",
    "acosh",
    "add",
    "all",
    "allclose",
    "amax",
    "amin",
    "any",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "argmax",
    "argmin",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "bmm",
    "broadcast_to",
    "cat",
    "ceil",
    "chunk",
    "clamp",
    "clip",
    "clone",
    "cos",
    "cosh",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "div",
    "divide",
    "dot",
    "eq",
    "equal",
    "erf",
    "exp",
    "exp2",
    "expm1",
    "fix",
    "flatten",
    "flip",
    "floor",
    "floor_divide",
    "fmod",
    "frac",
    "gather",
    "ge",
    "ger",
    "gt",
    "index_select",
    "inner",
    "is_floating_point",
    "is_tensor",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "le",
    "log",
    "log1p",
    "log2",
    "log10",
    "log_softmax",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logsumexp",
    "lt",
    "masked_fill",
    "masked_select",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mm",
    "mul",
    "multiply",
    "mv",
    "narrow",
    "ne",
    "neg",
    "negative",
    "nonzero",
    "norm",
    "numel",
    "outer",
    "permute",
    "pow",
    "prod",
    "reciprocal",
    "relu",
    "remainder",
    "reshape",
    "round",
    "rsqrt",
    "sgn",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softmax",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "sub",
    "subtract",
    "sum",
    "swapaxes",
    "t",
    "tan",
    "tanh",
    "transpose",
    "tril",
    "triu",
    "true_divide",
    "trunc",
    "unbind",
    "unsqueeze",
    "var",
    "where",
    "write_out",
]  # fmt: skip
