"""TensorDataset refuses data a Tensor cannot hold at once, naming the argument: ragged rows,
Python objects, text, dates and complex numbers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinygrad_fr as tg


@pytest.mark.parametrize(
    "data",
    [[[1.0, 2.0], [3.0]], [np.zeros(2), np.zeros(3)], ([1, 2], [3, 4, 5])],
    ids=["nested lists", "list of arrays", "tuple of lists"],
)
def test_ragged_rows_are_refused_naming_the_argument(data: Any) -> None:
    with pytest.raises(ValueError, match=r"TensorDataset: argument 1 is ragged: .*pad them"):
        tg.data.TensorDataset(np.zeros((2, 2)), data)


@pytest.mark.parametrize(
    ("data", "what"),
    [(np.array([np.zeros(2), np.zeros(3)], dtype=object), "ragged rows or Python objects"),
     (["cat", "dog"], "dtype <U3 (not numbers)"),
     (np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]"), "datetime64[D]"),
     (np.array([1 + 2j, 3j]), "complex128")],
    ids=["objects", "text", "dates", "complex"],
)  # fmt: skip
def test_data_that_is_not_numbers_is_a_type_error(data: Any, what: str) -> None:
    with pytest.raises(TypeError, match="TensorDataset: argument 0 has dtype") as info:
        tg.data.TensorDataset(data)
    assert what in str(info.value) and "np.unique" in str(info.value)


def test_regular_lists_still_become_arrays() -> None:
    dataset = tg.data.TensorDataset([[1.0, 2.0], [3.0, 4.0]], [0, 1], [True, False])
    x, y, flag = dataset[1]
    assert x.tolist() == [3.0, 4.0] and y.item() == 1 and flag.item() is False
