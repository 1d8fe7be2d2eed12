"""load_digits: scikit-learn's 8x8 digits shaped like load_mnist, and the message without it."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tinygrad_fr.datasets import Splits, load_digits


def test_missing_sklearn_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install scikit-learn.*tinygrad_fr\[digits\]"):
        load_digits()


def test_default_split_shapes_and_range():
    pytest.importorskip("sklearn")
    splits = load_digits()
    assert isinstance(splits, Splits)
    assert splits.x_train.shape == (1438, 64) and splits.x_test.shape == (359, 64)
    assert splits.x_train.dtype == np.float32 and splits.y_train.dtype == np.int64
    everything = np.concatenate([splits.x_train, splits.x_test])
    assert everything.min() == 0.0 and everything.max() == 1.0
    assert set(np.unique(splits.y_train)) == set(range(10))


def test_raw_images_one_hot_labels():
    pytest.importorskip("sklearn")
    splits = load_digits(normalize=False, flatten=False, one_hot=True, test_size=100)
    assert splits.x_train.shape == (1697, 8, 8) and splits.x_train.dtype == np.uint8
    assert splits.x_train.max() == 16
    assert splits.y_test.shape == (100, 10)
    np.testing.assert_array_equal(splits.y_test.sum(axis=1), 1)


def test_split_is_reproducible_and_seeded():
    pytest.importorskip("sklearn")
    first, again, other = load_digits(seed=1), load_digits(seed=1), load_digits(seed=2)
    np.testing.assert_array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.x_test, other.x_test)
