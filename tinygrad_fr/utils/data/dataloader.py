"""DataLoader: iterate over a dataset in (shuffled) mini-batches of Tensors, as PyTorch's.

A TensorDataset (or a Subset of one, as random_split makes) is batched with one fancy index
per batch; any other dataset is read sample by sample and batched by ``collate_fn``. Samples
are loaded in this process: ``num_workers``, ``pin_memory`` and the other worker options are
accepted and change nothing (the batches are the same). Shuffling draws from ``generator``
or the library's generator, so ``tg.manual_seed`` repeats it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from ... import rng
from ...tensor import Tensor
from .collate import default_collate, default_convert
from .dataset import tensor_arrays


class DataLoader:
    """Iterate over a dataset in mini-batches of Tensors.

    Args:
        dataset: a Dataset (or anything with ``__getitem__`` and ``__len__``).
        batch_size: samples per batch; None yields the samples one by one, arrays converted
            to Tensors (PyTorch's ``default_convert``).
        shuffle: visit the samples in a new random order each epoch.
        sampler: an iterable of sample indices to visit instead (no shuffle then).
        batch_sampler: an iterable of lists of indices, one per batch (instead of
            batch_size, shuffle, sampler and drop_last).
        num_workers: accepted; samples are always loaded in this process.
        collate_fn: makes a batch from a list of samples (default: :func:`default_collate`).
        pin_memory: accepted; there is no GPU memory to pin.
        drop_last: skip the last batch if it is smaller than ``batch_size``.
        generator: a ``tg.Generator`` to draw the shuffling from.
        seed: shuffle with a generator of its own seeded with this (a tinygrad_fr extra).

    Batches mirror the samples: a dataset of ``(x, y)`` tuples yields ``[X, Y]`` lists of
    stacked Tensors, as in PyTorch. ``len(loader)`` is the number of batches.

    >>> import numpy as np, tinygrad_fr as tg
    >>> dataset = tg.utils.data.TensorDataset(np.arange(5.0))
    >>> loader = tg.utils.data.DataLoader(dataset, batch_size=2)
    >>> len(loader), [batch.tolist() for (batch,) in loader]
    (3, [[0.0, 1.0], [2.0, 3.0], [4.0]])
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], Any] | None = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        seed: int | None = None,
    ) -> None:
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                f"DataLoader: the dataset must define __getitem__ and __len__, got a "
                f"{type(dataset).__name__}; wrap arrays with tg.data.TensorDataset(x, y)"
            )
        _check_workers(num_workers, prefetch_factor, persistent_workers, timeout)
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler, and drop_last"
                )
            batch_size = None
        elif batch_size is not None:
            _check_batch_size(batch_size)
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"DataLoader: seed must be None or an int >= 0, got {seed!r}")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.drop_last = bool(drop_last)
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.seed = seed
        self.generator = generator
        if generator is not None:
            rng.generator(generator)  # checks its type now rather than at the first epoch
        self._own_generator = None if seed is None else np.random.default_rng(seed)

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        count = len(self.sampler) if self.sampler is not None else len(self.dataset)  # type: ignore[arg-type]
        size = self.batch_size or 1
        return count // size if self.drop_last else -(-count // size)

    def __iter__(self) -> Iterator[Any]:
        batches = list(self._index_batches())
        if self.batch_size is None and self.batch_sampler is None:
            return (default_convert(self.dataset[int(i)]) for (i,) in map(_indices, batches))
        return self._batches(batches)

    def _index_batches(self) -> Iterator[Any]:
        """The indices of each batch of this epoch (the permutation drawn now)."""
        if self.batch_sampler is not None:
            yield from self.batch_sampler
            return
        count = len(self.dataset)
        if self.sampler is not None:
            order: Any = np.fromiter(self.sampler, dtype=np.int64)
        elif self.shuffle:
            generator = self._own_generator or rng.generator(self.generator)
            order = generator.permutation(count)
        else:
            order = None
        total = count if order is None else len(order)
        size = self.batch_size or 1
        stop = total - total % size if self.drop_last else total
        for start in range(0, stop, size):
            end = min(start + size, total)
            yield slice(start, end) if order is None else order[start:end]

    def _batches(self, batches: list[Any]) -> Iterator[Any]:
        found = tensor_arrays(self.dataset) if self.collate_fn is None else None
        if found is None:
            collate = self.collate_fn or default_collate
            for indices in batches:
                yield collate([self.dataset[int(i)] for i in _indices(indices)])
            return
        arrays, positions = found
        for indices in batches:
            if positions is not None:
                indices = positions[indices]
            elif not isinstance(indices, slice):
                indices = np.asarray(indices, dtype=np.int64)
            rows = [array[indices] for array in arrays]
            if isinstance(indices, slice):  # a slice is a view: batches must not alias the data
                rows = [row.copy() for row in rows]
            yield [Tensor._make(row, False, None) for row in rows]


def _indices(batch: Any) -> Any:
    return range(batch.start, batch.stop) if isinstance(batch, slice) else batch


def _check_batch_size(batch_size: Any) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(
            f"DataLoader: batch_size must be a positive int, got {type(batch_size).__name__}"
        )
    if batch_size < 1:
        raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size}")


def _check_workers(
    num_workers: Any, prefetch_factor: Any, persistent_workers: bool, timeout: float
) -> None:
    """PyTorch's checks of the worker options (which otherwise change nothing here)."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError(
            "DataLoader: num_workers option should be non-negative; use num_workers=0 to "
            "disable multiprocessing."
        )
    if timeout < 0:
        raise ValueError("DataLoader: timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "DataLoader: prefetch_factor option could only be specified in multiprocessing. "
            "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
        )
    if num_workers == 0 and persistent_workers:
        raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
