"""In-place methods (``add_``, ``x += y``, ``x[i] = v``, ``zero_``, ``normal_``...), as
PyTorch's.

Each is an out-of-place op written back into the tensor by
:func:`tinygrad_fr.autograd.inplace.apply_in_place`, which also rebases the history when the
op is recorded; when nothing is recorded, NumPy writes straight into the array. The random
fills draw from the library generator (``tg.manual_seed``), or from ``generator=``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import rng
from ..autograd import function
from ..autograd.grad_mode import state
from ..autograd.inplace import apply_in_place
from ..ops.elementwise import Where
from ..ops.movement import GetItem, IndexPut
from . import arithmetic, indexing, pointwise
from . import shape as shapes
from .indexing import normalize_index, split_index

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


def div_(input: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """In place: input /= other (rounded as ``div``'s ``rounding_mode`` says)."""
    if rounding_mode is not None:
        return apply_in_place(
            input, "div_", lambda t: arithmetic.div(t, other, rounding_mode=rounding_mode), other
        )
    return apply_in_place(
        input, "div_", lambda t: t / other, other,
        lambda a: np.divide(a, _array(other), out=a, casting="same_kind"),
    )  # fmt: skip


def floor_divide_(input: Tensor, other: Any) -> Tensor:
    """In place: input //= other."""
    return apply_in_place(input, "floor_divide_", lambda t: t // other, other)


def remainder_(input: Tensor, other: Any) -> Tensor:
    """In place: input %= other."""
    return apply_in_place(input, "remainder_", lambda t: t % other, other)


def bitwise_and_(input: Tensor, other: Any) -> Tensor:
    """In place: input &= other."""
    return apply_in_place(input, "bitwise_and_", lambda t: t & other, other)


def bitwise_or_(input: Tensor, other: Any) -> Tensor:
    """In place: input |= other."""
    return apply_in_place(input, "bitwise_or_", lambda t: t | other, other)


def bitwise_xor_(input: Tensor, other: Any) -> Tensor:
    """In place: input ^= other."""
    return apply_in_place(input, "bitwise_xor_", lambda t: t ^ other, other)


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
sin_ = _unary("sin_", pointwise.sin)
cos_ = _unary("cos_", pointwise.cos)
tan_ = _unary("tan_", pointwise.tan)
square_ = _unary("square_", pointwise.square)
reciprocal_ = _unary("reciprocal_", pointwise.reciprocal)
rsqrt_ = _unary("rsqrt_", pointwise.rsqrt)
log1p_ = _unary("log1p_", pointwise.log1p)
expm1_ = _unary("expm1_", pointwise.expm1)
sign_ = _unary("sign_", pointwise.sign)
floor_ = _unary("floor_", pointwise.floor)
ceil_ = _unary("ceil_", pointwise.ceil)
trunc_ = _unary("trunc_", pointwise.trunc)
frac_ = _unary("frac_", pointwise.frac)


def round_(input: Tensor, *, decimals: int = 0) -> Tensor:
    """In place: round to ``decimals`` decimals."""
    return apply_in_place(input, "round_", lambda t: pointwise.round(t, decimals=decimals))


def clamp_(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """In place: clamp to [min, max] (every element max when min > max, as in PyTorch)."""
    low, high = _array(min), _array(max)

    def direct(a: np.ndarray) -> None:
        if low is not None:
            np.maximum(a, low, out=a, casting="same_kind")
        if high is not None:
            np.minimum(a, high, out=a, casting="same_kind")

    return apply_in_place(input, "clamp_", lambda t: pointwise.clamp(t, min, max), None, direct)


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


def masked_fill_(input: Tensor, mask: Any, value: Any) -> Tensor:
    """In place: ``value`` where ``mask`` holds."""
    return apply_in_place(
        input, "masked_fill_", lambda t: indexing.masked_fill(t, mask, value), value
    )


def setitem(input: Tensor, index: Any, value: Any) -> None:
    """``input[index] = value``, recorded (gradients reach ``value``) when needed; indices
    mixing ints and arrays follow PyTorch's rule, as in ``getitem``."""
    index = normalize_index(index, "setitem")
    array = _array(value)
    leading = 0  # PyTorch drops the value's leading 1s first: x[0] = tensor([1.0]) works
    while isinstance(array, np.ndarray) and leading < array.ndim and array.shape[leading] == 1:
        leading += 1
    if leading:
        array = array.reshape(array.shape[leading:])
        if isinstance(value, function.Tensor):
            value = value.reshape(array.shape)
    steps = split_index(index, input._data.ndim)

    def write(a: np.ndarray) -> None:
        if steps is None:
            a[index] = array
        else:
            a[steps[0]][steps[1]] = array  # the ints select a view, written through

    def compute(t: Tensor) -> Tensor:
        if steps is None:
            return IndexPut.apply(t, index, value)
        inner = IndexPut.apply(GetItem.apply(t, steps[0]), steps[1], value)
        return IndexPut.apply(t, steps[0], inner)

    try:
        apply_in_place(input, "setitem", compute, value, write)
    except IndexError as error:
        raise IndexError(f"setitem: {error} (tensor shape {input._data.shape})") from None


# -- random fills ---------------------------------------------------------------------------


def _fill_with(input: Tensor, op: str, draw: Any, generator: Any) -> Tensor:
    """Write values drawn by ``draw(numpy_generator, shape)`` (gradient 0 for input)."""
    if input._data.dtype.kind != "f" and op != "random_":
        raise NotImplementedError(
            f"{op}: not implemented for dtype {input._data.dtype}; fill a floating tensor"
        )
    values = np.asarray(draw(rng.generator(generator), input._data.shape))
    values = values.astype(input._data.dtype, copy=False)
    return apply_in_place(
        input, op, lambda t: _replace(t, values), None, lambda a: np.copyto(a, values)
    )


def normal_(input: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """In place: values from the normal distribution N(mean, std²)."""
    return _fill_with(input, "normal_", lambda g, shape: g.normal(mean, std, shape), generator)


def uniform_(input: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    """In place: values uniform in [a, b) (PyTorch's ``from`` and ``to``)."""
    return _fill_with(input, "uniform_", lambda g, shape: g.uniform(a, b, shape), generator)


def random_(
    input: Tensor, low: int = 0, high: int | None = None, *, generator: Any = None
) -> Tensor:
    """In place: integers uniform in [low, high); ``random_(n)`` is [0, n); with no bound,
    [0, 2**mantissa] for floats and [0, max] for integers, as in PyTorch."""
    if high is None:
        low, high = (0, low) if low else (0, _random_bound(input._data.dtype))
    return _fill_with(input, "random_", lambda g, shape: g.integers(low, high, shape), generator)


def _random_bound(dtype: np.dtype) -> int:
    if dtype.kind == "f":
        return 2 ** (np.finfo(dtype).nmant + 1) + 1
    return 2 if dtype.kind == "b" else int(np.iinfo(dtype).max)


def bernoulli_(input: Tensor, p: float = 0.5, *, generator: Any = None) -> Tensor:
    """In place: 1 with probability ``p``, else 0."""
    return _fill_with(input, "bernoulli_", lambda g, shape: g.random(shape) < p, generator)


def exponential_(input: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """In place: values from the exponential distribution of rate ``lambd``."""
    draw = lambda g, shape: g.exponential(1.0 / lambd, shape)  # noqa: E731
    return _fill_with(input, "exponential_", draw, generator)


# -- shape changes in place -----------------------------------------------------------------


def _reshaped_in_place(input: Tensor, op: str, result: Tensor) -> Tensor:
    """Make ``input`` the view ``result`` (same memory, new shape), history included."""
    if state.grad_enabled and input._requires_grad and input._grad_fn is None:
        raise RuntimeError(
            f"{op}: a leaf tensor that requires grad is being used in an in-place operation; "
            "do it under `with tg.no_grad():` or use the out-of-place form"
        )
    input._data = result._data
    if result._grad_fn is not None:
        input._grad_fn, input._output_nr = result._grad_fn, 0
    return input


def unsqueeze_(input: Tensor, dim: int) -> Tensor:
    """In place: insert a dimension of size 1 at ``dim``."""
    return _reshaped_in_place(input, "unsqueeze_", shapes.unsqueeze(input, dim))


def squeeze_(input: Tensor, dim: Any = None) -> Tensor:
    """In place: remove dimensions of size 1."""
    return _reshaped_in_place(input, "squeeze_", shapes.squeeze(input, dim))


def t_(input: Tensor) -> Tensor:
    """In place: transpose a matrix."""
    return _reshaped_in_place(input, "t_", shapes.t(input))
