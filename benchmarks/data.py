"""Synthetic MNIST-shaped data and shared initial weights.

Everything is drawn from a seeded NumPy generator, offline, so every implementation of a
workload trains on the same samples from the same starting weights.
"""

from __future__ import annotations

import itertools

import numpy as np

SEED = 0
N_PIXELS = 784
N_CLASSES = 10


def mnist_like(n: int, dtype: np.dtype, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Return ``n`` images of 784 pixels in [0, 1] and their one-hot labels, both C-contiguous.

    Each class has a fixed sparse "ink" prototype (about 19% of pixels, as in MNIST); a sample
    is its class prototype with 10% of the pixels dropped, so the task is learnable.
    """
    rng = np.random.default_rng(seed)
    prototypes = (rng.random((N_CLASSES, N_PIXELS)) < 0.19) * rng.uniform(
        0.5, 1.0, (N_CLASSES, N_PIXELS)
    )
    labels = rng.integers(0, N_CLASSES, n)
    images = prototypes[labels] * (rng.random((n, N_PIXELS)) >= 0.1)
    one_hot = np.eye(N_CLASSES)[labels]
    return np.ascontiguousarray(images, dtype=dtype), np.ascontiguousarray(one_hot, dtype=dtype)


def init_mlp(
    sizes: tuple[int, ...], dtype: np.dtype, seed: int = SEED
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return ``[(W, b), ...]`` with ``W`` of shape (out, in) as in ``nn.Linear``.

    Values follow PyTorch's default Linear init, U(-1/sqrt(in), 1/sqrt(in)).
    """
    rng = np.random.default_rng(seed + 1)
    params = []
    for n_in, n_out in itertools.pairwise(sizes):
        bound = 1.0 / np.sqrt(n_in)
        weight = rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype)
        bias = rng.uniform(-bound, bound, n_out).astype(dtype)
        params.append((weight, bias))
    return params
