"""Functions that create tensors: from data, constants, ranges, identity and random values.

Sizes are given as PyTorch does, ``zeros(2, 3)`` or ``zeros((2, 3))``. Floating results take
the default dtype unless ``dtype`` says otherwise. Every factory takes PyTorch's ``device=``
(the CPU only), ``requires_grad=`` and ``out=``; the random ones also take ``generator=``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes, rng
from .arrays import to_array
from .autograd.storage import storage_of
from .devices import check
from .functions import write_out
from .tensor import Tensor, check_flag


def _shape(size: tuple, op: str = "size") -> tuple[int, ...]:
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        size = tuple(size[0])
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"{op}: sizes must be ints, got {size}")
        if n < 0:
            raise RuntimeError(f"{op}: trying to create tensor with negative dimension {n}")
    return tuple(int(n) for n in size)


def _new(
    array: np.ndarray, requires_grad: bool, device: Any = None, out: Any = None, op: str = ""
) -> Tensor:
    check(device, op)
    tensor = Tensor._make(array, False, None)
    if requires_grad is not False:
        tensor.requires_grad = check_flag(requires_grad, op)
    return tensor if out is None else write_out(out, tensor, op)


def _float(dtype: Any, op: str = "dtype") -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype, op)


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:  # fmt: skip
    """A new tensor (a copy) of ``data``, with ``torch.tensor``'s dtype rules: Python ints give
    int64, bools bool, floats the default float dtype; arrays and tensors keep theirs.

    >>> import tinygrad_fr as tg
    >>> tg.tensor([1, 2]), tg.tensor([1.0, 2.0]), tg.tensor([True])
    (tensor([1, 2]), tensor([1., 2.]), tensor([True]))
    """
    return _new(to_array(data, dtype, "tensor", infer=True), requires_grad, device, op="tensor")


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing its memory when it already is a tensor or an ndarray of
    the wanted dtype (as ``torch.as_tensor``), else a converted copy."""
    check(device, "as_tensor")
    target = None if dtype is None else dtypes.resolve(dtype, "as_tensor")
    if isinstance(data, Tensor) and (target is None or data._data.dtype == target):
        return data
    if isinstance(data, np.ndarray) and (target is None or data.dtype == target):
        return from_numpy(data)
    return tensor(data, dtype=target)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory (no copy), with its dtype, as torch.from_numpy.

    Writes to ``array`` show in the tensor and the reverse. An op that saves these values
    for backward saves its own copy, so later writes never change a gradient.

    >>> import numpy as np, tinygrad_fr as tg
    >>> a = np.array([1.0, 2.0])
    >>> t = tg.from_numpy(a); a[0] = 5.0; t
    tensor([5., 2.], dtype=torch.float64)
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


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          out: Any = None, layout: Any = None) -> Tensor:  # fmt: skip
    """A tensor of zeros."""
    array = np.zeros(_shape(size, "zeros"), _float(dtype, "zeros"))
    return _new(array, requires_grad, device, out, "zeros")


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         out: Any = None, layout: Any = None) -> Tensor:  # fmt: skip
    """A tensor of ones."""
    array = np.ones(_shape(size, "ones"), _float(dtype, "ones"))
    return _new(array, requires_grad, device, out, "ones")


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          out: Any = None, layout: Any = None, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """A tensor to be filled (of zeros, so that results never depend on stale memory)."""
    array = np.zeros(_shape(size, "empty"), _float(dtype, "empty"))
    return _new(array, requires_grad, device, out, "empty")


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False, out: Any = None) -> Tensor:  # fmt: skip
    """A tensor of ``size`` filled with ``fill_value``.

    As in PyTorch, the dtype follows the value when not given: int64 for an int, bool for a
    bool, the default float dtype for a float.
    """
    shape = _shape((size,) if isinstance(size, (int, np.integer)) else tuple(size), "full")
    value = getattr(fill_value, "_data", fill_value)
    target = dtypes.scalar_dtype(value) if dtype is None else dtypes.resolve(dtype, "full")
    return _new(np.full(shape, value, target), requires_grad, device, out, "full")


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False, out: Any = None) -> Tensor:  # fmt: skip
    """The n x m identity matrix (square when m is None)."""
    return _new(np.eye(n, m, dtype=_float(dtype, "eye")), requires_grad, device, out, "eye")


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False, out: Any = None) -> Tensor:  # fmt: skip
    """Values from start (0 if only one bound) up to end, excluded, by step.

    As in PyTorch, integer bounds give an int64 tensor and float bounds the default dtype.
    """
    if end is None:
        start, end = 0, start
    start, end, step = (getattr(v, "_data", v) for v in (start, end, step))
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        target = np.dtype(np.int64) if integral else dtypes.get_default_dtype()
    else:
        target = dtypes.resolve(dtype, "arange")
    values = np.arange(start, end, step, dtype=np.float64 if target.kind == "f" else None)
    return _new(values.astype(target), requires_grad, device, out, "arange")


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, out: Any = None) -> Tensor:  # fmt: skip
    """``steps`` evenly spaced values from start to end, both included, computed as PyTorch
    does (from the start for the first half, from the end for the second; an integer dtype
    truncates towards zero)."""
    target = _float(dtype, "linspace")
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    start, end = (getattr(v, "_data", v) for v in (start, end))
    if target.kind == "f":  # computed in the dtype itself, as PyTorch's kernel
        low, high = np.asarray(start, target), np.asarray(end, target)
    else:  # the bounds become integers first, the step is a float64
        low, high = (np.asarray(np.trunc(v), np.float64) for v in (start, end))
    if steps == 1:
        return _new(np.asarray([start]).astype(target), requires_grad, device, out, "linspace")
    step = (high - low) / low.dtype.type(steps - 1)
    # PyTorch's compiled kernel fuses start + step * i into one rounding (an FMA): the wider
    # long double (exact products for these sizes) reproduces it where plain floats would not
    index = np.arange(steps, dtype=np.longdouble)
    wide_step = np.longdouble(step)
    values = np.where(
        index < steps // 2,
        np.longdouble(low) + wide_step * index,
        np.longdouble(high) - wide_step * (steps - index - 1),
    )
    if target.kind != "f":
        values = np.trunc(values.astype(np.float64))
    return _new(values.astype(target), requires_grad, device, out, "linspace")


def rand(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False, out: Any = None) -> Tensor:  # fmt: skip
    """Uniform random values in [0, 1), from the seeded library generator."""
    values = rng.generator(generator).random(_shape(size, "rand"))
    return _new(values.astype(_float(dtype, "rand")), requires_grad, device, out, "rand")


def randn(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False, out: Any = None) -> Tensor:  # fmt: skip
    """Standard normal random values, from the seeded library generator."""
    values = rng.generator(generator).standard_normal(_shape(size, "randn"))
    return _new(values.astype(_float(dtype, "randn")), requires_grad, device, out, "randn")


def randint(*args: Any, size: Any = None, generator: Any = None, dtype: Any = None,
            device: Any = None, requires_grad: bool = False,
            out: Any = None) -> Tensor:  # fmt: skip
    """Random integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``
    (int64 unless ``dtype`` says otherwise)."""
    if size is not None:
        args = args + (size,)
    if len(args) == 2:
        low, high, shape = 0, args[0], args[1]
    elif len(args) == 3:
        low, high, shape = args
    else:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low} and high={high}")
    target = np.dtype(np.int64) if dtype is None else dtypes.resolve(dtype, "randint")
    values = rng.generator(generator).integers(low, high, _shape((shape,), "randint"))
    return _new(values.astype(target), requires_grad, device, out, "randint")


def randperm(n: int, *, generator: Any = None, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, out: Any = None) -> Tensor:  # fmt: skip
    """A random permutation of 0 .. n-1 (int64 unless ``dtype`` says otherwise)."""
    target = np.dtype(np.int64) if dtype is None else dtypes.resolve(dtype, "randperm")
    values = rng.generator(generator).permutation(int(n))
    return _new(values.astype(target), requires_grad, device, out, "randperm")


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False,
           out: Any = None) -> Tensor:  # fmt: skip
    """Normal random values: element-wise N(mean, std²) for tensor arguments, or of ``size``
    for numbers."""
    means, stds = (np.asarray(getattr(v, "_data", v)) for v in (mean, std))
    shape = np.broadcast_shapes(means.shape, stds.shape) if size is None else _shape((size,))
    values = rng.generator(generator).normal(means, stds, shape)
    kinds = [a.dtype for a in (means, stds) if a.ndim and a.dtype.kind == "f"]
    target = kinds[0] if dtype is None and kinds else _float(dtype, "normal")
    return _new(values.astype(target), requires_grad, device, out, "normal")


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None, out: Any = None) -> Tensor:
    """1 with the probability in each element of ``input`` (or ``p``), else 0."""
    probabilities = input._data if p is None else np.full(input._data.shape, p)
    draws = rng.generator(generator).random(input._data.shape) < probabilities
    return _new(draws.astype(input._data.dtype), False, None, out, "bernoulli")


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None, out: Any = None) -> Tensor:  # fmt: skip
    """Indices drawn from each row of ``input`` (non-negative weights), as int64."""
    weights = np.asarray(input._data, dtype=np.float64)
    rows = weights.reshape(-1, weights.shape[-1]) if weights.ndim else weights.reshape(1, 1)
    if not replacement and num_samples > rows.shape[-1]:
        raise RuntimeError(
            "multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    source = rng.generator(generator)
    picks = [
        source.choice(rows.shape[-1], num_samples, replace=replacement, p=row / row.sum())
        for row in rows
    ]
    shape = weights.shape[:-1] + (num_samples,)
    return _new(np.asarray(picks, dtype=np.int64).reshape(shape), False, None, out, "multinomial")


def _like(input: Any, dtype: Any) -> tuple[tuple, np.dtype]:
    array = input._data if isinstance(input, Tensor) else to_array(input, infer=True)
    return array.shape, (array.dtype if dtype is None else dtypes.resolve(dtype, "like"))


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Zeros with the shape (and dtype, unless given) of ``input``."""
    shape, target = _like(input, dtype)
    return _new(np.zeros(shape, target), requires_grad, device, op="zeros_like")


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Ones with the shape (and dtype, unless given) of ``input``."""
    shape, target = _like(input, dtype)
    return _new(np.ones(shape, target), requires_grad, device, op="ones_like")


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:  # fmt: skip
    """A tensor to be filled with the shape (and dtype) of ``input`` (zeros)."""
    shape, target = _like(input, dtype)
    return _new(np.zeros(shape, target), requires_grad, device, op="empty_like")


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``fill_value`` everywhere, with the shape (and dtype, unless given) of ``input``."""
    shape, target = _like(input, dtype)
    return _new(np.full(shape, fill_value, target), requires_grad, device, op="full_like")


def rand_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Uniform random values in [0, 1) with the shape of ``input``."""
    shape, target = _like(input, dtype)
    return rand(*shape, dtype=target, device=device, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Standard normal random values with the shape of ``input``."""
    shape, target = _like(input, dtype)
    return randn(*shape, dtype=target, device=device, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int, high: int | None = None, *, dtype: Any = None,
                 device: Any = None) -> Tensor:  # fmt: skip
    """Random integers in [low, high) with the shape (and dtype) of ``input``."""
    shape, target = _like(input, dtype)
    if high is None:
        low, high = 0, low
    return randint(low, high, shape, dtype=target, device=device)
