"""tg.data: Dataset, TensorDataset and DataLoader (batches, shuffling, dtypes, errors)."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr.data import DataLoader, Dataset, TensorDataset

X = np.arange(20, dtype=np.float32).reshape(10, 2)
Y = np.arange(10, dtype=np.int64) % 3


class Squares(Dataset):
    """A map-style dataset read sample by sample: (x, x², label)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __getitem__(self, index: int) -> tuple[np.ndarray, float, int]:
        return np.array([index, index + 0.5], dtype=np.float32), float(index**2), index % 2

    def __len__(self) -> int:
        return self.n


def epoch(loader: DataLoader) -> list[list[Any]]:
    """Every batch of one epoch as lists."""
    return [[field.tolist() for field in batch] for batch in loader]


# -- TensorDataset ----------------------------------------------------------------------------


def test_tensor_dataset_items_are_tuples_of_rows() -> None:
    dataset = TensorDataset(X, tg.Tensor(Y, dtype=tg.int64))
    x, y = dataset[3]
    assert len(dataset) == 10
    assert x.tolist() == [6.0, 7.0] and y.item() == 0 and y.dtype == np.int64


def test_tensor_dataset_accepts_lists() -> None:
    dataset = TensorDataset([[1.0, 2.0], [3.0, 4.0]], [0, 1])
    assert dataset[1][0].dtype == tg.get_default_dtype() and dataset[1][1].dtype == np.int64


def test_tensor_dataset_refuses_arrays_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="array 0: 10, array 1: 9"):
        TensorDataset(X, Y[:9])


def test_tensor_dataset_refuses_no_arrays_and_scalars() -> None:
    with pytest.raises(ValueError, match="at least one array"):
        TensorDataset()
    with pytest.raises(ValueError, match="argument 1 is a scalar"):
        TensorDataset(X, np.array(1.0))
    with pytest.raises(TypeError, match="argument 0 is a dict"):
        TensorDataset({"x": X})


def test_dataset_base_class_is_abstract() -> None:
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())


# -- batching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("batch_size", "drop_last", "sizes"),
    [(3, False, [3, 3, 3, 1]), (3, True, [3, 3, 3]), (5, True, [5, 5]), (10, False, [10]),
     (12, False, [10]), (12, True, []), (1, False, [1] * 10)],
)  # fmt: skip
def test_number_and_size_of_batches(batch_size: int, drop_last: bool, sizes: list[int]) -> None:
    loader = DataLoader(TensorDataset(X, Y), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == len(sizes)
    assert [len(x) for x, _ in loader] == sizes


def test_batches_follow_the_dataset_order_without_shuffle() -> None:
    batches = epoch(DataLoader(TensorDataset(X, Y), batch_size=4))
    assert batches[0] == [X[:4].tolist(), Y[:4].tolist()]
    assert batches[-1] == [X[8:].tolist(), Y[8:].tolist()]


def test_batches_keep_the_dtypes_integer_labels_stay_integer() -> None:
    x, y = next(iter(DataLoader(TensorDataset(X.astype(np.float64), Y), batch_size=4)))
    assert isinstance(x, tg.Tensor) and x.dtype == np.float64 and y.dtype == np.int64
    assert not x.requires_grad


def test_batches_are_copies_of_the_data() -> None:
    x, _ = next(iter(DataLoader(TensorDataset(X.copy(), Y), batch_size=4)))
    x[0] = 100.0
    assert X[0, 0] == 0.0
    dataset = TensorDataset(X.copy(), Y)
    x, _ = next(iter(DataLoader(dataset, batch_size=4)))
    x[0] = 100.0
    assert dataset[0][0].tolist() == [0.0, 1.0]


def test_generic_dataset_samples_are_stacked_field_by_field() -> None:
    batches = list(DataLoader(Squares(5), batch_size=2))
    x, square, label = batches[0]
    assert x.shape == (2, 2) and x.dtype == np.float32
    assert square.tolist() == [0.0, 1.0] and square.dtype == np.float64  # as PyTorch
    assert label.tolist() == [0, 1] and label.dtype == np.int64
    assert len(batches) == 3 and batches[-1][0].shape == (1, 2)


class Structured(Dataset):
    """Samples as dicts holding a namedtuple, a string and a bool."""

    Point = namedtuple("Point", ["x", "y"])

    def __getitem__(self, index: int) -> dict[str, Any]:
        point = self.Point(tg.Tensor([float(index)]), index)
        return {"point": point, "name": f"s{index}", "even": index % 2 == 0, "list": [index]}

    def __len__(self) -> int:
        return 3


def test_nested_samples_are_mirrored() -> None:
    batch = next(iter(DataLoader(Structured(), batch_size=3)))
    assert isinstance(batch["point"], Structured.Point)
    assert batch["point"].x.shape == (3, 1) and batch["point"].y.tolist() == [0, 1, 2]
    assert batch["name"] == ["s0", "s1", "s2"]
    assert batch["even"].tolist() == [True, False, True] and batch["even"].dtype == np.bool_
    assert isinstance(batch["list"], list) and batch["list"][0].tolist() == [0, 1, 2]


class Ragged(Dataset):
    def __getitem__(self, index: int) -> np.ndarray:
        return np.zeros(index + 1)

    def __len__(self) -> int:
        return 2


class Opaque(Dataset):
    def __getitem__(self, index: int) -> object:
        return object()

    def __len__(self) -> int:
        return 2


def test_samples_of_different_shapes_cannot_be_stacked() -> None:
    with pytest.raises(ValueError, match=r"different shapes \[\(1,\), \(2,\)\]"):
        next(iter(DataLoader(Ragged(), batch_size=2)))


def test_samples_of_unknown_type_cannot_be_batched() -> None:
    with pytest.raises(TypeError, match="cannot batch samples of type object"):
        next(iter(DataLoader(Opaque(), batch_size=2)))


# -- shuffling --------------------------------------------------------------------------------


def test_shuffle_visits_every_sample_once_per_epoch() -> None:
    loader = DataLoader(TensorDataset(X, np.arange(10)), batch_size=3, shuffle=True)
    seen = [i for _, index in loader for i in index.tolist()]
    assert sorted(seen) == list(range(10)) and seen != list(range(10))


def test_shuffle_keeps_inputs_and_labels_aligned() -> None:
    for x, y in DataLoader(TensorDataset(X, np.arange(10)), batch_size=4, shuffle=True):
        assert np.array_equal(x._data[:, 0], 2 * y._data)


def test_shuffle_is_reproducible_under_manual_seed() -> None:
    loader = DataLoader(TensorDataset(X, Y), batch_size=3, shuffle=True)
    tg.manual_seed(7)
    first = [epoch(loader), epoch(loader)]
    tg.manual_seed(7)
    again = [epoch(loader), epoch(loader)]
    assert first == again and first[0] != first[1]


def test_shuffle_with_a_seed_uses_its_own_generator() -> None:
    def run() -> list:
        loader = DataLoader(TensorDataset(X, Y), batch_size=3, shuffle=True, seed=3)
        tg.manual_seed(0)
        first = epoch(loader)
        tg.manual_seed(1)
        return [first, epoch(loader)]

    runs = run()
    assert runs == run() and runs[0] != runs[1]


def test_generic_dataset_shuffle_matches_tensor_dataset_order() -> None:
    tg.manual_seed(5)
    generic = [b[2].tolist() for b in DataLoader(Squares(9), batch_size=4, shuffle=True)]
    tg.manual_seed(5)
    labels = np.arange(9) % 2
    fast = [b[0].tolist() for b in DataLoader(TensorDataset(labels), batch_size=4, shuffle=True)]
    assert generic == fast


def test_permutation_is_drawn_when_the_epoch_starts() -> None:
    loader = DataLoader(TensorDataset(X, Y), batch_size=5, shuffle=True)
    tg.manual_seed(11)
    iterator = iter(loader)
    tg.manual_seed(99)  # does not affect the epoch already started
    started = [[f.tolist() for f in batch] for batch in iterator]
    tg.manual_seed(11)
    assert started == epoch(loader)


# -- arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [0, -2])
def test_non_positive_batch_size_is_refused(batch_size: int) -> None:
    with pytest.raises(ValueError, match=f"batch_size must be a positive int, got {batch_size}"):
        DataLoader(TensorDataset(X), batch_size=batch_size)


@pytest.mark.parametrize("batch_size", [2.0, True, "4"])
def test_non_integer_batch_size_is_refused(batch_size: Any) -> None:
    with pytest.raises(TypeError, match="batch_size must be a positive int"):
        DataLoader(TensorDataset(X), batch_size=batch_size)


def test_bad_seed_and_dataset_are_refused() -> None:
    with pytest.raises(ValueError, match="seed must be None or an int >= 0, got -1"):
        DataLoader(TensorDataset(X), seed=-1)
    with pytest.raises(TypeError, match=r"wrap arrays with tg.data.TensorDataset"):
        DataLoader(42)


def test_tg_data_is_this_module() -> None:
    assert tg.data.DataLoader is DataLoader and tg.data.TensorDataset is TensorDataset
