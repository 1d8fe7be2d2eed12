"""Function forms of the Tensor operations (``tg.exp(x)`` is ``x.exp()``), and ``cat``,
``stack``, ``where``.

Each function form is the method's own code: the first argument may also be a number, a list
or an array, converted to a Tensor first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .methods import arithmetic, pointwise, reductions, shape
from .methods.indexing import where
from .methods.shape import cat, stack
from .tensor import Tensor


def _function_form(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` callable as ``tg.name(input, ...)`` with any array-like ``input``."""

    @functools.wraps(method)
    def function_form(input: Any, *args: Any, **kwargs: Any) -> Any:
        return method(input if isinstance(input, Tensor) else Tensor(input), *args, **kwargs)

    return function_form


exp = _function_form(pointwise.exp)
log = _function_form(pointwise.log)
sqrt = _function_form(pointwise.sqrt)
abs = _function_form(pointwise.abs)
tanh = _function_form(pointwise.tanh)
sigmoid = _function_form(pointwise.sigmoid)
relu = _function_form(pointwise.relu)
clamp = _function_form(pointwise.clamp)
maximum = _function_form(pointwise.maximum)
minimum = _function_form(pointwise.minimum)
matmul = _function_form(arithmetic.matmul)
sum = _function_form(reductions.sum)
mean = _function_form(reductions.mean)
max = _function_form(reductions.max)
min = _function_form(reductions.min)
softmax = _function_form(reductions.softmax)
log_softmax = _function_form(reductions.log_softmax)
reshape = _function_form(shape.reshape)
transpose = _function_form(shape.transpose)
permute = _function_form(shape.permute)
flatten = _function_form(shape.flatten)
squeeze = _function_form(shape.squeeze)
unsqueeze = _function_form(shape.unsqueeze)

__all__ = [
    "abs", "cat", "clamp", "exp", "flatten", "log", "log_softmax", "matmul", "max", "maximum",
    "mean", "min", "minimum", "permute", "relu", "reshape", "sigmoid", "softmax", "sqrt",
    "squeeze", "stack", "sum", "tanh", "transpose", "unsqueeze", "where",
]  # fmt: skip
