"""Datasets and the DataLoader that cuts them into (shuffled) mini-batches, as torch.utils.data.

``tg.utils.data`` (PyTorch's path) and ``tg.data`` are the same objects. Datasets are in
:mod:`.dataset`, the loader in :mod:`.dataloader`, the batching of samples in :mod:`.collate`.
"""

from __future__ import annotations

from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split

__all__ = [
    "ConcatDataset", "DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate",
    "default_convert", "random_split",
]  # fmt: skip
