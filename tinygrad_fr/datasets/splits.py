"""The train/test container every loader returns, and a seeded train/test split.

``Splits`` unpacks like Keras's loaders: ``x_train, y_train, x_test, y_test = load_mnist()``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Splits(NamedTuple):
    """Train and test arrays of a data set: inputs ``x_*`` and targets ``y_*``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def train_test_split(
    x: np.ndarray,
    y: np.ndarray,
    *,
    test_size: float | int = 0.2,
    shuffle: bool = True,
    seed: int = 0,
) -> Splits:
    """Split ``x`` and ``y`` along their first axis into train and test parts.

    Args:
        x: inputs, one sample per row.
        y: targets, as many rows as ``x``.
        test_size: a fraction in (0, 1) of the samples, or a number of samples, for the test part.
        shuffle: permute the samples first with a generator seeded by ``seed``;
            otherwise the last samples are the test part.
        seed: seed of the permutation, so a split is the same on every run.

    >>> s = train_test_split(np.arange(10), np.arange(10), test_size=0.3, shuffle=False)
    >>> s.x_test
    array([7, 8, 9])
    """
    x, y = np.asarray(x), np.asarray(y)
    n = len(x)
    if len(y) != n:
        raise ValueError(
            f"train_test_split: x has {n} samples but y has {len(y)}. "
            "Fix: pass inputs and targets with the same first dimension."
        )
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(
                f"train_test_split: test_size={test_size} is not a fraction in (0, 1). "
                "Fix: pass e.g. test_size=0.2, or an integer number of samples."
            )
        n_test = round(n * test_size)
    else:
        n_test = int(test_size)
    if not 0 < n_test < n:
        raise ValueError(
            f"train_test_split: test_size={test_size} gives {n_test} test samples out of {n}; "
            "both parts must be non-empty. Fix: choose a test_size between them."
        )
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    train, test = order[: n - n_test], order[n - n_test :]
    return Splits(x[train], y[train], x[test], y[test])
