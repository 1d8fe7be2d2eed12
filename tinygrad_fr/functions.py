"""Function forms of the Tensor methods (``tg.exp(x)`` is ``x.exp()``) and multi-tensor ops.

Arguments that are not Tensors (numbers, lists, arrays) are converted first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .ops.elementwise import Where
from .ops.movement import Cat
from .tensor import Tensor
from .tensor_math import _operand, normalize_dim


def _tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def exp(input: Any) -> Tensor:
    """Element-wise e**x (see :meth:`Tensor.exp`)."""
    return _tensor(input).exp()


def log(input: Any) -> Tensor:
    """Element-wise natural logarithm."""
    return _tensor(input).log()


def sqrt(input: Any) -> Tensor:
    """Element-wise square root."""
    return _tensor(input).sqrt()


def abs(input: Any) -> Tensor:
    """Element-wise absolute value."""
    return _tensor(input).abs()


def tanh(input: Any) -> Tensor:
    """Element-wise hyperbolic tangent."""
    return _tensor(input).tanh()


def sigmoid(input: Any) -> Tensor:
    """Element-wise logistic function 1 / (1 + e**-x)."""
    return _tensor(input).sigmoid()


def relu(input: Any) -> Tensor:
    """Element-wise max(x, 0)."""
    return _tensor(input).relu()


def sum(input: Any, dim: Any = None, keepdim: bool = False, **aliases: Any) -> Tensor:
    """Sum over ``dim`` (see :meth:`Tensor.sum`)."""
    return _tensor(input).sum(dim, keepdim, **aliases)


def mean(input: Any, dim: Any = None, keepdim: bool = False, **aliases: Any) -> Tensor:
    """Mean over ``dim`` (see :meth:`Tensor.mean`)."""
    return _tensor(input).mean(dim, keepdim, **aliases)


def max(input: Any, dim: Any = None, keepdim: bool = False, **aliases: Any) -> Any:
    """Maximum (see :meth:`Tensor.max`: ``(values, indices)`` along one dim)."""
    return _tensor(input).max(dim, keepdim, **aliases)


def min(input: Any, dim: Any = None, keepdim: bool = False, **aliases: Any) -> Any:
    """Minimum (see :meth:`Tensor.min`: ``(values, indices)`` along one dim)."""
    return _tensor(input).min(dim, keepdim, **aliases)


def reshape(input: Any, shape: Sequence[int]) -> Tensor:
    """The same data with a new shape."""
    return _tensor(input).reshape(shape)


def transpose(input: Any, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions."""
    return _tensor(input).transpose(dim0, dim1)


def permute(input: Any, dims: Sequence[int]) -> Tensor:
    """Reorder the dimensions."""
    return _tensor(input).permute(dims)


def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions start_dim..end_dim into one."""
    return _tensor(input).flatten(start_dim, end_dim)


def squeeze(input: Any, dim: Any = None) -> Tensor:
    """Remove dimensions of size 1."""
    return _tensor(input).squeeze(dim)


def unsqueeze(input: Any, dim: int) -> Tensor:
    """Insert a dimension of size 1."""
    return _tensor(input).unsqueeze(dim)


def softmax(input: Any, dim: int = -1) -> Tensor:
    """Softmax along ``dim``, stable for large |x|."""
    return _tensor(input).softmax(dim)


def log_softmax(input: Any, dim: int = -1) -> Tensor:
    """Log-softmax along ``dim``, computed stably."""
    return _tensor(input).log_softmax(dim)


def clamp(input: Any, min: float | None = None, max: float | None = None) -> Tensor:
    """Limit values to [min, max]."""
    return _tensor(input).clamp(min, max)


def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product with NumPy's rules."""
    return _tensor(input) @ other


def maximum(input: Any, other: Any) -> Tensor:
    """Element-wise maximum of two tensors (ties share the gradient)."""
    return _tensor(input).maximum(other)


def minimum(input: Any, other: Any) -> Tensor:
    """Element-wise minimum of two tensors (ties share the gradient)."""
    return _tensor(input).minimum(other)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` holds, else ``other`` (numbers allowed for either).

    >>> import tinygrad_fr as tg
    >>> x = tg.Tensor([-1.0, 2.0])
    >>> tg.where(x > 0, x, 0.0)
    Tensor([0., 2.])
    """
    anchor = input if isinstance(input, Tensor) else other
    if not isinstance(anchor, Tensor):
        anchor = Tensor(input)
        input = anchor
    condition = condition._data if isinstance(condition, Tensor) else condition
    operands = (_operand(anchor, input), _operand(anchor, other))
    for position, operand in enumerate(operands):
        if operand is NotImplemented:
            value = (input, other)[position]
            raise TypeError(f"where: cannot use {type(value).__name__} as a tensor operand")
    return Where.apply(condition, *operands)


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension ``dim``."""
    items = _tensors("cat", tensors)
    ndim = items[0].ndim
    if ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    axis = normalize_dim(dim, ndim, "cat")
    first = items[0].shape
    for position, item in enumerate(items[1:], start=1):
        if item.ndim != ndim or item.shape[:axis] + item.shape[axis + 1 :] != (
            first[:axis] + first[axis + 1 :]
        ):
            raise ValueError(
                f"cat: tensor {position} has shape {item.shape} but tensor 0 has shape "
                f"{first}; all sizes except along dim {dim} must match"
            )
    return Cat.apply(axis, *items)


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join tensors of the same shape along a new dimension ``dim``."""
    items = _tensors("stack", tensors)
    shape = items[0].shape
    for position, item in enumerate(items[1:], start=1):
        if item.shape != shape:
            raise ValueError(
                f"stack: tensor {position} has shape {item.shape} but tensor 0 has shape "
                f"{shape}; stack needs equal shapes"
            )
    axis = normalize_dim(dim, len(shape), "stack", extra=1)
    return Cat.apply(axis, *(item.unsqueeze(axis) for item in items))


def _tensors(op: str, tensors: Sequence[Any]) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, Sequence) or not tensors:
        raise TypeError(f"{op}: expected a non-empty list or tuple of tensors")
    return [_tensor(item) for item in tensors]
