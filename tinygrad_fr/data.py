"""Datasets and the DataLoader that cuts them into (shuffled) mini-batches of Tensors.

A TensorDataset is batched by slicing its arrays with one fancy index per batch (no Python
loop over samples); any other Dataset is read sample by sample and the samples are stacked.
Shuffling draws from :func:`tinygrad_fr.rng.generator`, so ``tg.manual_seed`` repeats it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from . import dtypes, rng
from .tensor import Tensor


class Dataset:
    """A collection of samples: subclasses define ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__()")


class TensorDataset(Dataset):
    """Samples made of the rows of several arrays (inputs, labels...) of the same length.

    Arrays and Tensors are kept as they are (integer labels stay integers); lists become
    arrays (floats in the default dtype). Item ``i`` is the tuple of the ``i``-th rows.

    >>> import numpy as np, tinygrad_fr as tg
    >>> dataset = tg.data.TensorDataset(np.zeros((3, 2)), np.array([0, 1, 2]))
    >>> len(dataset), dataset[1][1]
    (3, tensor(1))
    """

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise ValueError("TensorDataset: give at least one array, e.g. TensorDataset(x, y)")
        self._arrays = tuple(_as_array(array, position) for position, array in enumerate(arrays))
        lengths = [array.shape[0] for array in self._arrays]
        if len(set(lengths)) != 1:
            described = ", ".join(f"array {i}: {n}" for i, n in enumerate(lengths))
            raise ValueError(
                f"TensorDataset: all arrays must have the same first dimension (one row per "
                f"sample), got lengths {described}"
            )

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        """The arrays as Tensors (sharing memory)."""
        return tuple(Tensor._make(array, False, None) for array in self._arrays)

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor._make(np.array(array[index]), False, None) for array in self._arrays)

    def __len__(self) -> int:
        return self._arrays[0].shape[0]


def _as_array(data: Any, position: int) -> np.ndarray:
    if isinstance(data, Tensor):
        array = data._data
    elif isinstance(data, np.ndarray):
        array = data
    elif isinstance(data, (list, tuple)):
        try:
            array = np.asarray(data)
        except ValueError as error:
            raise ValueError(
                f"TensorDataset: argument {position} is ragged: its rows do not all have the same "
                f"length ({error}); pad them to one length, or write a Dataset subclass for "
                "samples of different sizes"
            ) from None
        if array.dtype.kind == "f":
            array = array.astype(dtypes.get_default_dtype())
    else:
        raise TypeError(
            f"TensorDataset: argument {position} is a {type(data).__name__}; pass NumPy arrays, "
            "Tensors or lists"
        )
    if array.dtype.kind not in "biuf":
        what = "ragged rows or Python objects" if array.dtype.kind == "O" else "not numbers"
        raise TypeError(
            f"TensorDataset: argument {position} has dtype {array.dtype} ({what}); a "
            "TensorDataset holds numbers and booleans: pad ragged rows to one length, and "
            "encode text labels as integers (np.unique(labels, return_inverse=True))"
        )
    if array.ndim == 0:
        raise ValueError(
            f"TensorDataset: argument {position} is a scalar; each array needs a first "
            "dimension with one row per sample"
        )
    return array


class DataLoader:
    """Iterate over a dataset in mini-batches of Tensors.

    Args:
        dataset: a :class:`Dataset` (or anything with ``__getitem__`` and ``__len__``).
        batch_size: samples per batch.
        shuffle: visit the samples in a new random order each epoch.
        drop_last: skip the last batch if it is smaller than ``batch_size``.
        seed: shuffle with a generator of its own seeded with this; by default the library's
            generator, so that ``tg.manual_seed`` repeats the order.

    Batches mirror the samples: a dataset of ``(x, y)`` tuples yields ``(X, Y)`` tuples of
    stacked Tensors. ``len(loader)`` is the number of batches.

    >>> import numpy as np, tinygrad_fr as tg
    >>> loader = tg.data.DataLoader(tg.data.TensorDataset(np.arange(5.0)), batch_size=2)
    >>> len(loader), [batch.tolist() for (batch,) in loader]
    (3, [[0.0, 1.0], [2.0, 3.0], [4.0]])
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
    ) -> None:
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                f"DataLoader: the dataset must define __getitem__ and __len__, got a "
                f"{type(dataset).__name__}; wrap arrays with tg.data.TensorDataset(x, y)"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(
                f"DataLoader: batch_size must be a positive int, got {type(batch_size).__name__}"
            )
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size}")
        if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"DataLoader: seed must be None or an int >= 0, got {seed!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)

    def __len__(self) -> int:
        count = len(self.dataset)
        if self.drop_last:
            return count // self.batch_size
        return -(-count // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        count = len(self.dataset)
        order = None
        if self.shuffle:  # drawn now, at the start of the epoch
            generator = self._generator if self._generator is not None else rng.generator()
            order = generator.permutation(count)
        return self._batches(count, order)

    def _batches(self, count: int, order: np.ndarray | None) -> Iterator[Any]:
        size = self.batch_size
        stop = count - count % size if self.drop_last else count
        arrays = self.dataset._arrays if isinstance(self.dataset, TensorDataset) else None
        for start in range(0, stop, size):
            end = min(start + size, count)
            if arrays is not None:
                if order is None:
                    batch = [array[start:end].copy() for array in arrays]
                else:
                    index = order[start:end]
                    batch = [array[index] for array in arrays]
                yield tuple(Tensor._make(array, False, None) for array in batch)
            else:
                indices = range(start, end) if order is None else order[start:end].tolist()
                yield collate([self.dataset[i] for i in indices])


def collate(samples: list[Any]) -> Any:
    """Stack a list of samples into one batch, mirroring their structure.

    Tensors and arrays are stacked along a new first axis; Python ints become int64,
    floats the default dtype, bools bool; tuples, lists and dicts are collated field by field.
    """
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
        return Tensor._make(np.array(samples, dtype=dtypes.get_default_dtype()), False, None)
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, dict):
        return {key: collate([sample[key] for sample in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if len({len(sample) for sample in samples}) != 1:
            raise ValueError(
                "DataLoader: samples have different numbers of fields; every sample must have "
                "the same structure"
            )
        fields = [collate(list(field)) for field in zip(*samples, strict=True)]
        if hasattr(first, "_fields"):  # a namedtuple
            return type(first)(*fields)
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(
        f"DataLoader: cannot batch samples of type {type(first).__name__}; a dataset should "
        "return Tensors, arrays, numbers, or tuples/lists/dicts of them"
    )
