"""Label encodings: integer class labels to one-hot rows.

The MNIST course code writes ``np.eye(10)[labels]``; :func:`one_hot` does the same with checks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike


def one_hot(labels: np.ndarray, num_classes: int, dtype: DTypeLike = np.float32) -> np.ndarray:
    """Return an array of shape ``labels.shape + (num_classes,)`` with a 1 at each label.

    >>> one_hot(np.array([2, 0]), 3)
    array([[0., 0., 1.],
           [1., 0., 0.]], dtype=float32)
    """
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"one_hot: labels have dtype {labels.dtype}, not an integer type. "
            "Fix: pass class indices, e.g. labels.astype(np.int64)."
        )
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"one_hot: labels range over [{labels.min()}, {labels.max()}], outside "
            f"[0, {num_classes - 1}] for num_classes={num_classes}. Fix: raise num_classes "
            "or map the labels to 0..num_classes-1."
        )
    return np.eye(num_classes, dtype=dtype)[labels]
