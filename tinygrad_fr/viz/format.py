"""How numbers and arrays are written in drawings, tables, trees and the step-through page.

One place, so that a value reads the same everywhere: 4 significant digits, small arrays in
full, larger ones as a summary; NaN and inf always said out loud.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def number(value: Any, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits (``-0.9526``, ``0.02147``, ``1e-08``)."""
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def preview(array: Any, max_elements: int = 6, digits: int = 4) -> str:
    """A short text for an array: the number for one element, the elements for a few,
    else shape, mean and norm."""
    if array is None:
        return "-"
    array = np.asarray(array)
    if array.dtype.kind == "b":
        array = array.astype(np.int8)
    if array.size == 0:
        return "[]"
    if array.size == 1:
        return number(array.reshape(-1)[0], digits)
    if array.size <= max_elements:
        return _nested(array, digits)
    if array.dtype.kind not in "fiu":
        return f"{array.dtype} {tuple(array.shape)}"
    with np.errstate(all="ignore"):
        return (
            f"{tuple(array.shape)} mean {number(array.mean(), digits)}, "
            f"norm {number(np.linalg.norm(array.reshape(-1)), digits)}"
        )


def _nested(array: np.ndarray, digits: int) -> str:
    if array.ndim == 0:
        return number(array, digits)
    return "[" + ", ".join(_nested(row, digits) for row in array) + "]"


def norm(array: Any) -> float:
    """The Euclidean norm of all elements (NaN if any is NaN)."""
    array = np.asarray(array, dtype=np.float64)
    with np.errstate(all="ignore"):
        return float(np.sqrt(np.sum(array * array)))


def mean_abs(array: Any) -> float:
    """The mean of |x| over all elements (0 for an empty array)."""
    array = np.asarray(array, dtype=np.float64)
    if array.size == 0:
        return 0.0
    with np.errstate(all="ignore"):
        return float(np.mean(np.abs(array)))


def nonfinite(array: Any) -> str:
    """``"NaN"``, ``"inf"``, ``"NaN, inf"`` or ``""``: what non-finite values ``array`` holds."""
    if array is None:
        return ""
    array = np.asarray(array)
    if array.dtype.kind not in "fc":
        return ""
    found = []
    if np.isnan(array).any():
        found.append("NaN")
    if np.isinf(array).any():
        found.append("inf")
    return ", ".join(found)


def shape_text(shape: tuple[int, ...]) -> str:
    """``(2, 3)``, ``(2,)`` or ``()``."""
    return str(tuple(int(size) for size in shape))


def element_label(name: str, index: tuple[int, ...], size: int) -> str:
    """The name of one element: the tensor's name when it has one element, else
    ``name[i, j]``."""
    if size == 1:
        return name
    return f"{name}[{', '.join(str(i) for i in index)}]"
