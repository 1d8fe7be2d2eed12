"""default_collate: stack a list of samples into one batch, as PyTorch's default_collate
(and default_convert, for unbatched loading: arrays become Tensors).

Tensors and arrays are stacked along a new first axis (keeping their dtype); Python ints
become int64, floats float64 and bools bool (PyTorch's choices); strings stay a list;
tuples and lists become lists of batched fields (a namedtuple stays one), dicts dicts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tensor import Tensor


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of samples into one batch, mirroring their structure.

    >>> import tinygrad_fr as tg
    >>> tg.utils.data.default_collate([(tg.zeros(2), 1), (tg.ones(2), 0)])
    [tensor([[0., 0.],
            [1., 1.]]), tensor([1, 0])]
    """
    samples = batch
    first = samples[0]
    if isinstance(first, (Tensor, np.ndarray, np.generic)):
        arrays = [s._data if isinstance(s, Tensor) else np.asarray(s) for s in samples]
        shapes = {array.shape for array in arrays}
        if len(shapes) != 1:
            raise ValueError(
                f"DataLoader: cannot stack samples of different shapes {sorted(shapes)} into a "
                "batch; make every sample the same shape (pad or resize them)"
            )
        return Tensor._make(np.stack(arrays), False, None)
    if isinstance(first, bool):
        return Tensor._make(np.array(samples, dtype=np.bool_), False, None)
    if isinstance(first, int):
        return Tensor._make(np.array(samples, dtype=np.int64), False, None)
    if isinstance(first, float):
        return Tensor._make(np.array(samples, dtype=np.float64), False, None)
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, dict):
        return {key: default_collate([sample[key] for sample in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if len({len(sample) for sample in samples}) != 1:
            raise ValueError(
                "DataLoader: samples have different numbers of fields; every sample must have "
                "the same structure"
            )
        fields = [default_collate(list(field)) for field in zip(*samples, strict=True)]
        if hasattr(first, "_fields"):  # a namedtuple
            return type(first)(*fields)
        return fields  # a list for tuples too, as PyTorch
    raise TypeError(
        f"DataLoader: cannot batch samples of type {type(first).__name__}; a dataset should "
        "return Tensors, arrays, numbers, or tuples/lists/dicts of them"
    )


def default_convert(data: Any) -> Any:
    """``data`` with its NumPy arrays (at any depth of tuples, lists, dicts) as Tensors."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return Tensor._make(data, False, None)
    if isinstance(data, dict):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, (tuple, list)):
        return type(data)(default_convert(value) for value in data)
    return data
