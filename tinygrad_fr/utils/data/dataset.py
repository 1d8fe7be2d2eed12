"""Datasets, as torch.utils.data: Dataset, TensorDataset, Subset, ConcatDataset, random_split.

A TensorDataset keeps its arrays, so that the DataLoader batches it (and Subsets of it) with
one fancy index per batch, without a Python loop over samples.
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import dtypes, rng
from ...tensor import Tensor


class Dataset:
    """A collection of samples: subclasses define ``__getitem__(index)`` and ``__len__()``.

    ``a + b`` is their :class:`ConcatDataset`.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__()")

    def __add__(self, other: Any) -> ConcatDataset:
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples made of the rows of several arrays (inputs, labels...) of the same length.

    Arrays and Tensors are kept as they are (integer labels stay integers); lists become
    arrays (floats in the default dtype). Item ``i`` is the tuple of the ``i``-th rows.

    >>> import numpy as np, tinygrad_fr as tg
    >>> dataset = tg.utils.data.TensorDataset(np.zeros((3, 2)), np.array([0, 1, 2]))
    >>> len(dataset), dataset[1][1]
    (3, tensor(1))
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one array, e.g. TensorDataset(x, y)")
        self._arrays = tuple(_as_array(array, position) for position, array in enumerate(tensors))
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


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (what random_split returns).

    >>> import numpy as np, tinygrad_fr as tg
    >>> part = tg.utils.data.Subset(tg.utils.data.TensorDataset(tg.arange(5.0)), [4, 0])
    >>> len(part), part[0]
    (2, (tensor(4.),))
    """

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """The samples of several datasets one after the other.

    >>> import numpy as np, tinygrad_fr as tg
    >>> data = tg.utils.data
    >>> both = data.TensorDataset(tg.zeros(2)) + data.TensorDataset(tg.ones(3))
    >>> len(both), both[2]
    (5, (tensor(1.),))
    """

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError(
                    f"ConcatDataset: absolute value of index {index} should not exceed the "
                    f"dataset length {len(self)}"
                )
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def random_split(
    dataset: Any, lengths: Sequence[int | float], generator: Any = None
) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random Subsets of the given lengths, or of the
    given fractions of its length (floored, the remainder spread one by one from the first,
    as PyTorch does). The permutation is drawn from ``generator`` (a tg.Generator) or from
    the library's generator.

    >>> import numpy as np, tinygrad_fr as tg
    >>> dataset = tg.utils.data.TensorDataset(np.arange(10.0))
    >>> train, test = tg.utils.data.random_split(dataset, [0.75, 0.25])
    >>> len(train), len(test)
    (8, 2)
    """
    total = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = []
        for position, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ValueError(f"random_split: fraction at index {position} is not in [0, 1]")
            counts.append(math.floor(total * fraction))
        for position in range(total - sum(counts)):
            counts[position % len(counts)] += 1
        for position, count in enumerate(counts):
            if count == 0:
                warnings.warn(
                    f"Length of split at index {position} is 0. This might result in an "
                    "empty dataset.",
                    UserWarning,
                    stacklevel=2,
                )
        lengths = counts
    if sum(lengths) != total or any(n < 0 or int(n) != n for n in lengths):
        raise ValueError(
            f"random_split: the lengths {lengths} must be non-negative ints summing to the "
            f"dataset's length {total} (or fractions summing to 1)"
        )
    order = rng.generator(generator).permutation(total).tolist()
    ends = itertools.accumulate(int(n) for n in lengths)
    return [Subset(dataset, order[end - int(n) : end]) for end, n in zip(ends, lengths)]


def tensor_arrays(dataset: Any) -> tuple[tuple[np.ndarray, ...], np.ndarray | None] | None:
    """The arrays behind a TensorDataset (or Subsets of one) and the indices into them (None:
    all, in order), so that a batch is one fancy index; None for other datasets."""
    indices = None
    while isinstance(dataset, Subset):
        step = np.asarray(dataset.indices, dtype=np.int64)
        indices = step if indices is None else step[indices]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:  # a subclass may change __getitem__
        return None
    return dataset._arrays, indices
