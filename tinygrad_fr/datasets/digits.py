"""Offline handwritten digits: scikit-learn's 1,797 8x8 images, shipped inside its package.

A stand-in for MNIST when it is not on disk, with the same return type as ``load_mnist``.
scikit-learn is optional: ``pip install scikit-learn`` or ``pip install "tinygrad_fr[digits]"``.
"""

from __future__ import annotations

import numpy as np

from .labels import one_hot as encode_one_hot
from .splits import Splits, train_test_split

DIGITS_MAX = 16
"""Largest pixel value of the 8x8 digits (4x4 blocks of 0/1 pixels, summed)."""


def load_digits(
    *,
    test_size: float | int = 0.2,
    shuffle: bool = True,
    seed: int = 0,
    normalize: bool = True,
    flatten: bool = True,
    one_hot: bool = False,
) -> Splits:
    """Load scikit-learn's 8x8 digits split into train and test, shaped like :func:`load_mnist`.

    Args:
        test_size: fraction or number of the 1,797 samples kept for testing.
        shuffle: shuffle before splitting, with a generator seeded by ``seed``.
        seed: seed of the shuffle, so the split is the same on every run.
        normalize: images as float32 in [0, 1]; otherwise uint8 in 0-16.
        flatten: images as (N, 64) rows; otherwise (N, 8, 8).
        one_hot: labels as float32 (N, 10) one-hot rows; otherwise int64 (N,) digits.

    Raises:
        ImportError: if scikit-learn is not installed; the message says what to install.

    >>> x_train, y_train, x_test, y_test = load_digits()  # doctest: +SKIP
    >>> x_train.shape, x_test.shape  # doctest: +SKIP
    ((1438, 64), (359, 64))
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as exc:
        raise ImportError(
            "load_digits: needs scikit-learn, which is not installed. Fix: pip install "
            'scikit-learn (or pip install "tinygrad_fr[digits]"), or use load_mnist().'
        ) from exc
    bunch = sklearn_load_digits()
    images = np.asarray(bunch.images)
    labels = np.asarray(bunch.target, dtype=np.int64)
    if flatten:
        images = images.reshape(len(images), -1)
    images = (images / DIGITS_MAX).astype(np.float32) if normalize else images.astype(np.uint8)
    if one_hot:
        labels = encode_one_hot(labels, 10)
    return train_test_split(images, labels, test_size=test_size, shuffle=shuffle, seed=seed)
