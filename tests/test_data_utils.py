"""tg.utils.data (PyTorch's path, the same objects as tg.data): Subset, ConcatDataset,
random_split, and the DataLoader options PyTorch scripts pass."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr.utils.data import (
    ConcatDataset,
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

X = np.arange(20, dtype=np.float32).reshape(10, 2)
Y = np.arange(10) % 3


class Pairs(Dataset):
    """A generic dataset (read sample by sample) with the same samples as TensorDataset(X, Y)."""

    def __len__(self) -> int:
        return 10

    def __getitem__(self, index: int):
        return X[index], Y[index]


def _values(loader) -> list:
    return [[t.tolist() for t in batch] for batch in loader]


def test_both_paths_are_one_implementation():
    assert tg.utils.data.DataLoader is tg.data.DataLoader
    assert tg.utils.data.random_split is tg.data.random_split
    import tinygrad_fr.utils.data as torch_style

    assert torch_style.TensorDataset is tg.data.TensorDataset


def test_batches_are_lists_as_in_pytorch():
    batch = next(iter(DataLoader(TensorDataset(X, Y), batch_size=4)))
    assert isinstance(batch, list) and len(batch) == 2
    assert isinstance(next(iter(DataLoader(Pairs(), batch_size=4))), list)


def test_subset_and_concat():
    dataset = TensorDataset(X, Y)
    part = Subset(dataset, [7, 2, 2])
    assert len(part) == 3 and part[0][1].item() == Y[7]
    both = ConcatDataset([part, dataset])
    assert len(both) == 13 and both[3][1].item() == Y[0] and both[-1][1].item() == Y[9]
    assert len(part + dataset) == 13
    with pytest.raises(ValueError, match="should not exceed"):
        both[-14]


@pytest.mark.parametrize(
    ("lengths", "expected"),
    [([7, 3], [7, 3]), ([0.7, 0.3], [7, 3]), ([0.33, 0.33, 0.34], [4, 3, 3]), ([0.5, 0.5], [5, 5])],
)
def test_random_split_lengths_and_fractions(lengths, expected):
    parts = random_split(TensorDataset(X, Y), lengths)
    assert [len(p) for p in parts] == expected
    seen = sorted(i for p in parts for i in p.indices)
    assert seen == list(range(10))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_random_split_fraction_lengths_match_pytorch():
    torch = pytest.importorskip("torch")
    for lengths in ([0.8, 0.2], [0.33, 0.33, 0.34], [0.1] * 10, [0.25, 0.25, 0.5]):
        for size in (10, 7, 101):
            ours = [len(p) for p in random_split(range(size), lengths)]
            theirs = [len(p) for p in torch.utils.data.random_split(range(size), lengths)]
            assert ours == theirs


def test_random_split_is_repeatable_with_a_generator_and_warns_on_empty_parts():
    first = random_split(range(10), [5, 5], generator=tg.Generator().manual_seed(1))
    again = random_split(range(10), [5, 5], generator=tg.Generator().manual_seed(1))
    assert first[0].indices == again[0].indices
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [0.9, 0.1])
    with pytest.raises(ValueError, match="summing to the dataset's length 10"):
        random_split(range(10), [5, 4])


def test_loader_over_a_split_uses_the_fast_path_with_the_same_batches():
    train, _ = random_split(TensorDataset(X, Y), [6, 4], generator=tg.Generator().manual_seed(0))
    fast = _values(DataLoader(train, batch_size=4))
    slow = _values(DataLoader(train, batch_size=4, collate_fn=default_collate))
    assert fast == slow
    assert fast[0][1] == [int(Y[i]) for i in train.indices[:4]]


def test_generator_makes_shuffling_repeatable_whatever_else_draws():
    def epoch():
        loader = DataLoader(
            TensorDataset(X), batch_size=3, shuffle=True, generator=tg.Generator().manual_seed(5)
        )
        tg.rand(3)  # the library's generator moves; the loader's does not depend on it
        return _values(loader)

    assert epoch() == epoch()


def test_worker_options_are_accepted_and_change_nothing():
    plain = _values(DataLoader(TensorDataset(X, Y), batch_size=4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        busy = DataLoader(
            TensorDataset(X, Y), batch_size=4, num_workers=4, pin_memory=True, timeout=5,
            worker_init_fn=lambda worker: None, persistent_workers=True, prefetch_factor=2,
        )  # fmt: skip
    assert _values(busy) == plain


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"num_workers": -1}, "num_workers option should be non-negative"),
        ({"prefetch_factor": 2}, "prefetch_factor option could only be specified"),
        ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
        ({"sampler": [0, 1], "shuffle": True}, "mutually exclusive with shuffle"),
        ({"batch_sampler": [[0, 1]], "batch_size": 2}, "mutually exclusive"),
    ],
)
def test_option_errors_are_pytorchs(options, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(TensorDataset(X), **options)


def test_collate_fn_receives_the_list_of_samples():
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return len(samples)

    assert list(DataLoader(TensorDataset(X), batch_size=4, collate_fn=collate)) == [4, 4, 2]
    assert seen == [4, 4, 2]


def test_sampler_and_batch_sampler_choose_the_indices():
    loader = DataLoader(TensorDataset(X, Y), batch_size=2, sampler=[9, 0, 5])
    assert [b[1].tolist() for b in loader] == [[Y[9], Y[0]], [Y[5]]] and len(loader) == 2
    loader = DataLoader(Pairs(), batch_sampler=[[1, 2, 3], [0]])
    assert [b[1].tolist() for b in loader] == [list(Y[1:4]), [Y[0]]] and len(loader) == 2


def test_batch_size_none_yields_single_samples_converted():
    samples = list(DataLoader(Pairs(), batch_size=None))
    assert len(samples) == 10
    x, y = samples[3]
    assert isinstance(x, tg.Tensor) and x.tolist() == X[3].tolist() and y == Y[3]


def test_python_floats_collate_to_float64_as_in_pytorch():
    batch = default_collate([(1.0, 2), (3.0, 4)])
    assert batch[0].dtype == np.float64 and batch[1].dtype == np.int64


def test_default_collate_agrees_with_pytorch_on_structure():
    torch = pytest.importorskip("torch")
    samples = [{"x": np.ones(2, np.float32), "y": (1, 2.5, True)} for _ in range(3)]
    ours = default_collate(samples)
    theirs = torch.utils.data.default_collate(samples)
    assert type(ours["y"]) is type(theirs["y"])
    for mine, reference in zip(ours["y"], theirs["y"], strict=True):
        assert mine.tolist() == reference.tolist()
        assert str(mine.dtype) == str(reference.dtype).removeprefix("torch.")


def test_generator_object():
    g = tg.Generator().manual_seed(3)
    assert (
        g.initial_seed() == 3 and str(g.device) == "cpu"
    )  # a tg.device, as torch.Generator().device
    state = g.get_state()
    a = g.numpy.random()
    g.set_state(state)
    assert g.numpy.random() == a
    assert isinstance(g.seed(), int)
    with pytest.raises(RuntimeError, match="CPU"):
        tg.Generator("cuda")
    with pytest.raises(TypeError, match=r"tg\.Generator"):
        DataLoader(TensorDataset(X), shuffle=True, generator=3)
