"""Converting user data (numbers, nested lists, arrays, Tensors) to ndarrays, with PyTorch's
dtype rules.

``tg.tensor(data)`` infers the dtype as ``torch.tensor`` does: Python ints give int64, bools
bool, floats the default float dtype; arrays and Tensors keep theirs. ``tg.Tensor(data)`` is
``torch.Tensor``: the default float dtype, except that floating arrays and Tensors keep theirs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .autograd import function

_PYTHON_SCALARS = (bool, int, float)


def to_array(data: Any, dtype: Any = None, op: str = "Tensor", infer: bool = False) -> np.ndarray:
    """A new ndarray from user data: with ``dtype`` if given, else inferred as ``tg.tensor``
    does (``infer``) or as ``tg.Tensor`` does (see above)."""
    target = None if dtype is None else dtypes.resolve(dtype, op)
    if isinstance(data, function.Tensor):
        array = data._data
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    elif isinstance(data, _PYTHON_SCALARS) or isinstance(data, (list, tuple)):
        array = _from_python(data, op)
        if target is None:
            target = dtypes.infer(array) if infer else dtypes.get_default_dtype()
        return array.astype(target)
    else:
        raise TypeError(
            f"{op}: cannot build a tensor from {type(data).__name__}; pass a number, a "
            "(nested) list of numbers, a NumPy array or a Tensor"
        )
    _check_kind(array, op)
    if target is not None:
        return array.astype(target)  # always a copy
    if array.dtype.kind != "f" and not infer and not isinstance(data, function.Tensor):
        return array.astype(dtypes.get_default_dtype())
    return array.copy()


def _from_python(data: Any, op: str) -> np.ndarray:
    try:
        array = np.array(data)
    except ValueError as error:
        raise ValueError(
            f"{op}: cannot build a tensor from ragged nested lists ({error}); every row "
            "must have the same length"
        ) from None
    _check_kind(array, op)
    return array


def _check_kind(array: np.ndarray, op: str) -> None:
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{op}: cannot build a tensor from data of NumPy dtype {array.dtype} (kind "
            f"{array.dtype.kind!r}); only numbers and booleans are supported"
        )


def tensor_of(data: Any, op: str = "tensor") -> Any:
    """``data`` as a Tensor: Tensors pass unchanged, anything else is converted with
    ``tg.tensor``'s dtype rules (ints give int64, floats the default float dtype)."""
    tensor_cls = function.Tensor
    if isinstance(data, tensor_cls):
        return data
    return tensor_cls._make(to_array(data, op=op, infer=True), False, None)
