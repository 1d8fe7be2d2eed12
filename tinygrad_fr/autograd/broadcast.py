"""Undoing broadcasting: the one place where a gradient is reduced to its input's shape.

An op's backward returns gradients in the shape of the op's output; the engine calls
:func:`sum_to_shape` when an input was smaller and got broadcast. Works on arrays and Tensors.
"""

from __future__ import annotations

from typing import Any


def sum_to_shape(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` over the axes broadcasting added or stretched, so it has ``shape``.

    >>> import numpy as np
    >>> sum_to_shape(np.ones((2, 3, 4)), (3, 1)).tolist()
    [[8.0], [8.0], [8.0]]
    """
    grad_shape = grad.shape
    extra = len(grad_shape) - len(shape)
    if extra < 0:
        raise ValueError(f"cannot reduce a gradient of shape {grad_shape} to shape {shape}")
    axes = tuple(range(extra)) + tuple(
        extra + axis
        for axis, size in enumerate(shape)
        if size == 1 and grad_shape[extra + axis] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if grad.shape != shape:
        grad = grad.reshape(shape)
    return grad
