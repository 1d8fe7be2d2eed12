"""``tg.data``: the datasets and DataLoader of :mod:`tinygrad_fr.utils.data`, by a shorter name.

>>> import tinygrad_fr as tg
>>> tg.data.DataLoader is tg.utils.data.DataLoader
True
"""

from __future__ import annotations

from .utils.data import (
    ConcatDataset,
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    default_convert,
    random_split,
)  # fmt: skip

__all__ = [
    "ConcatDataset", "DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate",
    "default_convert", "random_split",
]  # fmt: skip
