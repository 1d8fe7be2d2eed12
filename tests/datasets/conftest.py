"""Tiny MNIST-shaped data written as IDX files or npz, for the loader and download tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tinygrad_fr.datasets import DATA_ENV_VAR, MNIST_FILES, write_idx

N_TRAIN, N_TEST = 20, 5


@pytest.fixture(autouse=True)
def isolated_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the cache at an empty folder, so no test reads or writes a real download."""
    cache = tmp_path / "cache"
    monkeypatch.setenv(DATA_ENV_VAR, str(cache))
    return cache


@pytest.fixture
def tiny_mnist() -> dict[str, np.ndarray]:
    """Raw arrays as MNIST stores them: uint8 (N, 28, 28) images and uint8 (N,) labels."""
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, N_TRAIN, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, N_TEST, dtype=np.uint8),
    }


@pytest.fixture
def write_mnist(tiny_mnist: dict[str, np.ndarray]) -> Callable[..., Path]:
    """Return a function writing the tiny arrays as the four IDX files into a folder."""

    def write(directory: Path, *, gz: bool = True, skip: tuple[str, ...] = ()) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for key, name in MNIST_FILES.items():
            if key not in skip:
                write_idx(directory / (f"{name}.gz" if gz else name), tiny_mnist[key])
        return directory

    return write
