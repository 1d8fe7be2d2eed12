"""Converting user data (numbers, nested lists, arrays, Tensors) to ndarrays.

Python scalars, lists and integer or boolean data become the default float dtype (float32
unless :func:`tinygrad_fr.set_default_dtype` changes it); floating NumPy data keeps its dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .autograd import function

_PYTHON_SCALARS = (bool, int, float)


def to_array(data: Any, dtype: Any = None, op: str = "Tensor") -> np.ndarray:
    """A new ndarray from user data, with tinygrad_fr's dtype rules (see above)."""
    if isinstance(data, function.Tensor):
        array = data._data
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    elif isinstance(data, _PYTHON_SCALARS) or isinstance(data, (list, tuple)):
        try:
            array = np.array(data)
        except ValueError as error:
            raise ValueError(
                f"{op}: cannot build a tensor from ragged nested lists ({error}); every row "
                "must have the same length"
            ) from None
        if array.dtype.kind in "biuf":
            return array.astype(dtypes.get_default_dtype() if dtype is None else dtype)
    else:
        raise TypeError(
            f"{op}: cannot build a tensor from {type(data).__name__}; pass a number, a "
            "(nested) list of numbers, a NumPy array or a Tensor"
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{op}: cannot build a tensor from data of NumPy dtype {array.dtype} (kind "
            f"{array.dtype.kind!r}); only numbers and booleans are supported"
        )
    if dtype is not None:
        return array.astype(dtype)  # always a copy
    if array.dtype.kind != "f":
        return array.astype(dtypes.get_default_dtype())
    return array.copy()
