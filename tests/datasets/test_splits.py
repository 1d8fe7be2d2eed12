"""one_hot and train_test_split: values, determinism and error messages."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_fr.datasets import Splits, one_hot, train_test_split


def test_one_hot_matches_eye_indexing():
    labels = np.array([3, 0, 9, 3])
    out = one_hot(labels, 10)
    np.testing.assert_array_equal(out, np.eye(10)[labels])
    assert out.dtype == np.float32


def test_one_hot_dtype_argument():
    assert one_hot(np.array([1]), 2, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize(
    ("labels", "match"),
    [(np.array([0, 10]), "outside"), (np.array([-1]), "outside"), (np.array([0.5]), "dtype")],
)
def test_one_hot_rejects_bad_labels(labels, match):
    with pytest.raises(ValueError, match=f"one_hot: .*{match}"):
        one_hot(labels, 10)


def test_split_sizes_and_partition():
    x, y = np.arange(50).reshape(25, 2), np.arange(25)
    s = train_test_split(x, y, test_size=0.2)
    assert isinstance(s, Splits)
    assert len(s.x_train) == len(s.y_train) == 20 and len(s.x_test) == len(s.y_test) == 5
    np.testing.assert_array_equal(np.sort(np.concatenate([s.y_train, s.y_test])), y)
    np.testing.assert_array_equal(s.x_train[:, 0], 2 * s.y_train)


def test_split_is_deterministic_per_seed():
    x = np.arange(100)
    first, again = train_test_split(x, x, seed=3), train_test_split(x, x, seed=3)
    np.testing.assert_array_equal(first.x_test, again.x_test)
    assert not np.array_equal(first.x_test, train_test_split(x, x, seed=4).x_test)


def test_split_without_shuffle_keeps_order():
    s = train_test_split(np.arange(10), np.arange(10), test_size=3, shuffle=False)
    np.testing.assert_array_equal(s.x_test, [7, 8, 9])


@pytest.mark.parametrize(("n_y", "test_size"), [(9, 0.2), (10, 0.0), (10, 1.5), (10, 10), (10, 0)])
def test_split_errors_name_the_function(n_y, test_size):
    with pytest.raises(ValueError, match="train_test_split: "):
        train_test_split(np.arange(10), np.arange(n_y), test_size=test_size)
