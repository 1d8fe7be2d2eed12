"""PyTorch's legacy tensor types: ``tg.LongTensor([1, 2])``, ``tg.FloatTensor(2, 3)``,
``isinstance(x, tg.FloatTensor)``, ``x.type()`` and ``tg.set_default_tensor_type``.

Each type is a constructor for a dtype, not a class of its own: every tensor is a
:class:`~tinygrad_fr.Tensor`, and ``isinstance`` looks at its dtype, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .devices import check
from .tensor import Tensor


class _TensorType(type):
    """The metaclass behind ``tg.FloatTensor``...: calling it builds a tensor of its dtype."""

    _tensor_dtype: Any

    def __call__(cls, *data: Any, device: Any = None) -> Tensor:  # type: ignore[override]
        check(device, cls.__name__)
        return Tensor(*data, dtype=cls._tensor_dtype)

    def __instancecheck__(cls, value: Any) -> bool:
        return isinstance(value, Tensor) and value._data.dtype == cls._tensor_dtype

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _tensor_type(name: str, dtype: Any) -> Any:
    return _TensorType(name, (), {"_tensor_dtype": np.dtype(dtype), "__doc__": f"{dtype}"})


FloatTensor = _tensor_type("FloatTensor", np.float32)
DoubleTensor = _tensor_type("DoubleTensor", np.float64)
HalfTensor = _tensor_type("HalfTensor", np.float16)
ByteTensor = _tensor_type("ByteTensor", np.uint8)
CharTensor = _tensor_type("CharTensor", np.int8)
ShortTensor = _tensor_type("ShortTensor", np.int16)
IntTensor = _tensor_type("IntTensor", np.int32)
LongTensor = _tensor_type("LongTensor", np.int64)
BoolTensor = _tensor_type("BoolTensor", np.bool_)

TYPES = (
    FloatTensor, DoubleTensor, HalfTensor, ByteTensor, CharTensor, ShortTensor, IntTensor,
    LongTensor, BoolTensor,
)  # fmt: skip
_BY_NAME = {f"torch.{kind.__name__}": kind for kind in TYPES}
_BY_DTYPE = {kind._tensor_dtype: kind for kind in TYPES}


def type_name(dtype: np.dtype) -> str:
    """``x.type()``: the name of the tensor type of ``dtype`` (``'torch.FloatTensor'``)."""
    kind = _BY_DTYPE.get(dtype)
    return f"torch.{kind.__name__}" if kind is not None else f"torch.{dtype}"


def from_name(name: Any, op: str) -> Any:
    """A tensor type given as its name (``'torch.DoubleTensor'``) or itself."""
    if isinstance(name, str):
        if name.startswith("torch.cuda."):
            check("cuda", op)
        kind = _BY_NAME.get(name)
        if kind is None:
            raise TypeError(f"{op}: invalid type {name!r}; use e.g. 'torch.FloatTensor'")
        return kind
    return name


def set_default_tensor_type(kind: Any) -> None:
    """Set the default float dtype from a tensor type (deprecated in PyTorch, common in older
    course code): ``tg.set_default_tensor_type(tg.DoubleTensor)`` or its name.

    >>> import tinygrad_fr as tg
    >>> tg.set_default_tensor_type("torch.DoubleTensor"); tg.tensor([1.5]).dtype
    dtype('float64')
    >>> tg.set_default_tensor_type(tg.FloatTensor)
    """
    kind = from_name(kind, "set_default_tensor_type")
    dtype = getattr(kind, "_tensor_dtype", None)
    if dtype is None or dtype.kind != "f":
        raise TypeError(
            f"set_default_tensor_type: only floating point types are supported as the default "
            f"type, got {kind!r}"
        )
    dtypes.set_default_dtype(dtype)
