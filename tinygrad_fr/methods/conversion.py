"""Dtype and device conversions and copies: ``to``, ``type``, ``float``... ``bool``, ``cpu``,
``clone``, and the ``new_*`` factories of an existing tensor.

Conversions between floating dtypes are differentiable; to an integer or bool dtype they are
not (as in PyTorch). The only device is the CPU: ``to("cpu")`` and ``cpu()`` return the tensor
itself, any other device raises.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import devices, dtypes
from ..arrays import to_array
from ..devices import check
from ..ops.elementwise import Cast, Clone

if TYPE_CHECKING:
    from ..tensor import Tensor


def to(input: Tensor, *args: Any, dtype: Any = None, device: Any = None,
       copy: builtins.bool = False, non_blocking: builtins.bool = False,
       memory_format: Any = None) -> Tensor:  # fmt: skip
    """Convert to a dtype and/or device: ``to(tg.float64)``, ``to("cpu")``,
    ``to(device, dtype)``, ``to(other_tensor)``; the tensor itself when nothing changes
    (unless ``copy=True``)."""
    from ..tensor import Tensor

    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg._data.dtype
        elif isinstance(arg, (str, devices.device)):
            device = arg
        elif arg is not None:
            dtype = arg
    check(device, "to")
    target = input._data.dtype if dtype is None else dtypes.resolve(dtype, "to")
    if target == input._data.dtype:
        return Clone.apply(input) if copy else input
    if target.kind != "f" or input._data.dtype.kind != "f":  # no gradient, as in PyTorch
        return Cast.apply(input.detach() if input._requires_grad else input, target)
    return Cast.apply(input, target)


def type(input: Tensor, dtype: Any = None, non_blocking: builtins.bool = False) -> Any:
    """The tensor type's name (``'torch.FloatTensor'``) with no argument; else convert to
    ``dtype`` (a dtype, a tensor type such as ``tg.LongTensor``, or its name)."""
    from ..tensor_types import from_name, type_name

    if dtype is None:
        return type_name(input._data.dtype)
    return to(input, from_name(dtype, "type"))


def type_as(input: Tensor, other: Tensor) -> Tensor:
    """Convert to the dtype of ``other``."""
    return to(input, other._data.dtype)


def float(input: Tensor) -> Tensor:
    """Convert to float32."""
    return to(input, np.float32)


def double(input: Tensor) -> Tensor:
    """Convert to float64."""
    return to(input, np.float64)


def half(input: Tensor) -> Tensor:
    """Convert to float16."""
    return to(input, np.float16)


def long(input: Tensor) -> Tensor:
    """Convert to int64, rounding towards zero (not differentiable)."""
    return to(input, np.int64)


def int(input: Tensor) -> Tensor:
    """Convert to int32, rounding towards zero (not differentiable)."""
    return to(input, np.int32)


def short(input: Tensor) -> Tensor:
    """Convert to int16 (not differentiable)."""
    return to(input, np.int16)


def byte(input: Tensor) -> Tensor:
    """Convert to uint8 (not differentiable)."""
    return to(input, np.uint8)


def bool(input: Tensor) -> Tensor:
    """Convert to bool: True where non-zero (not differentiable)."""
    return to(input, np.bool_)


def cpu(input: Tensor) -> Tensor:
    """The tensor itself: it already is on the CPU."""
    return input


def cuda(input: Tensor, device: Any = None, non_blocking: builtins.bool = False) -> Tensor:
    """Always raises: tinygrad_fr has no GPU."""
    check("cuda" if device is None else device, "cuda")
    return input


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy of the data that stays in the graph (gradient flows back unchanged)."""
    return Clone.apply(input)


def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:
    """The tensor itself if its elements are in row-major order, else a copy (in the graph)."""
    return input if input._data.flags.c_contiguous else Clone.apply(input)


def _new(input: Tensor, array: np.ndarray, requires_grad: builtins.bool, device: Any) -> Tensor:
    from ..tensor import Tensor

    check(device, "new")
    tensor = Tensor._make(array, False, None)
    if requires_grad:
        tensor.requires_grad = True
    return tensor


def _size(size: tuple) -> tuple:
    if len(size) == 1 and not isinstance(size[0], (builtins.int, np.integer)):
        return tuple(size[0])
    return size


def new_tensor(input: Tensor, data: Any, dtype: Any = None, device: Any = None,
               requires_grad: builtins.bool = False) -> Tensor:  # fmt: skip
    """A tensor of ``data`` with this tensor's dtype (unless ``dtype`` says otherwise)."""
    return _new(input, to_array(data, dtype or input._data.dtype), requires_grad, device)


def new_zeros(input: Tensor, *size: Any, dtype: Any = None, device: Any = None,
              requires_grad: builtins.bool = False) -> Tensor:  # fmt: skip
    """Zeros of ``size`` with this tensor's dtype (unless ``dtype`` says otherwise)."""
    target = input._data.dtype if dtype is None else dtypes.resolve(dtype, "new_zeros")
    return _new(input, np.zeros(_size(size), target), requires_grad, device)


def new_ones(input: Tensor, *size: Any, dtype: Any = None, device: Any = None,
             requires_grad: builtins.bool = False) -> Tensor:  # fmt: skip
    """Ones of ``size`` with this tensor's dtype (unless ``dtype`` says otherwise)."""
    target = input._data.dtype if dtype is None else dtypes.resolve(dtype, "new_ones")
    return _new(input, np.ones(_size(size), target), requires_grad, device)


def new_full(input: Tensor, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
             requires_grad: builtins.bool = False) -> Tensor:  # fmt: skip
    """``fill_value`` everywhere, with this tensor's dtype (unless ``dtype`` says otherwise)."""
    target = input._data.dtype if dtype is None else dtypes.resolve(dtype, "new_full")
    return _new(input, np.full(_size((size,)), fill_value, target), requires_grad, device)
