"""Functions that create tensors: constants, ranges, identity and random values.

Sizes are given as PyTorch does, ``zeros(2, 3)`` or ``zeros((2, 3))``. Floating results take
the default dtype unless ``dtype`` says otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes, rng
from .arrays import to_array
from .autograd.storage import storage_of
from .tensor import Tensor


def _shape(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        size = tuple(size[0])
    if any(not isinstance(n, (int, np.integer)) or n < 0 for n in size):
        raise ValueError(f"size must be non-negative integers, got {size}")
    return tuple(int(n) for n in size)


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    tensor = Tensor._make(array, False, None)
    if requires_grad:
        tensor.requires_grad = True
    return tensor


def _float(dtype: Any) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Build a tensor from data (same as ``Tensor(data, requires_grad, dtype)``)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory (no copy), with its dtype, as torch.from_numpy.

    Writes to ``array`` show in the tensor and the reverse. An op that saves these values
    for backward saves its own copy, so later writes never change a gradient.

    >>> import numpy as np, tinygrad_fr as tg
    >>> a = np.array([1.0, 2.0])
    >>> t = tg.from_numpy(a); a[0] = 5.0; t
    Tensor([5., 2.], dtype=float64)
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a NumPy array, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"from_numpy: cannot share an array of dtype {array.dtype}; only numbers and "
            "booleans are supported"
        )
    tensor = Tensor._make(array, False, None)
    storage_of(tensor).expose(array)
    return tensor


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros."""
    return _new(np.zeros(_shape(size), _float(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return _new(np.ones(_shape(size), _float(dtype)), requires_grad)


def full(size: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``.

    As in PyTorch, the dtype follows the value when not given: int64 for an int, bool for a
    bool, the default float dtype for a float.
    """
    shape = _shape((size,) if isinstance(size, (int, np.integer)) else tuple(size))
    if dtype is None and isinstance(fill_value, (bool, np.bool_)):
        dtype = np.bool_
    elif dtype is None and isinstance(fill_value, (int, np.integer)):
        dtype = np.int64
    return _new(np.full(shape, fill_value, _float(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (square when m is None)."""
    return _new(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def arange(
    start: float, end: float | None = None, step: float = 1, dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:  # fmt: skip
    """Values from start (0 if only one bound) up to end, excluded, by step.

    As in PyTorch, integer bounds give an int64 tensor and float bounds the default dtype.
    """
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must not be zero")
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if integral else dtypes.get_default_dtype()
    return _new(np.arange(start, end, step).astype(dtype), requires_grad)


def linspace(
    start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from start to end, both included."""
    return _new(np.linspace(start, end, steps, dtype=_float(dtype)), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform random values in [0, 1), from the seeded library generator."""
    values = rng.generator().random(_shape(size))
    return _new(values.astype(_float(dtype)), requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random values, from the seeded library generator."""
    values = rng.generator().standard_normal(_shape(size))
    return _new(values.astype(_float(dtype)), requires_grad)


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``input``."""
    array = to_array(input) if not isinstance(input, Tensor) else input._data
    return _new(np.zeros(array.shape, dtype or array.dtype), requires_grad)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``input``."""
    array = to_array(input) if not isinstance(input, Tensor) else input._data
    return _new(np.ones(array.shape, dtype or array.dtype), requires_grad)


def full_like(
    input: Tensor,
    fill_value: float,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``fill_value`` everywhere, with the shape (and dtype, unless given) of ``input``."""
    array = to_array(input) if not isinstance(input, Tensor) else input._data
    return _new(np.full(array.shape, fill_value, dtype or array.dtype), requires_grad)


def rand_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform random values in [0, 1) with the shape of ``input``."""
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random values with the shape of ``input``."""
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)
