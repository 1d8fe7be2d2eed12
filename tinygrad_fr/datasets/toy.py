"""The small data sets of the course labs, as float64 NumPy arrays.

``gender`` is Lab 0's four people (file 001), ``xor`` the from-scratch network's XOR
(file 002) and ``nand`` the perceptron exercise's truth table (file 004), each in the course order.
"""

from __future__ import annotations

import numpy as np

WEIGHT_OFFSET_LB = 135
"""Lab 0 subtracts this from each weight in pounds (135 lb is the mean)."""
HEIGHT_OFFSET_IN = 66
"""Lab 0 subtracts this from each height in inches (66 in is the mean)."""

_GENDER_NAMES = ("Alice", "Bob", "Charlie", "Diana")


def gender() -> tuple[np.ndarray, np.ndarray]:
    """Return Lab 0's data: X (4, 2) as (weight - 135 lb, height - 66 in), y (4,) with 1 = female.

    Rows are Alice, Bob, Charlie, Diana (see :func:`gender_names`).

    >>> X, y = gender()
    >>> X[0], y[0]
    (array([-2., -1.]), np.float64(1.0))
    """
    x = np.array([[-2, -1], [25, 6], [17, 4], [-15, -6]], dtype=np.float64)
    y = np.array([1, 0, 0, 1], dtype=np.float64)
    return x, y


def gender_names() -> tuple[str, ...]:
    """Return the names of the rows of :func:`gender`: Alice, Bob, Charlie, Diana."""
    return _GENDER_NAMES


def gender_unseen() -> dict[str, np.ndarray]:
    """Return Lab 0's two people to predict: Emily [-7, -3] (128 lb, 63 in), Frank [20, 2].

    The course's trained network gives Emily 0.964 (female) and Frank 0.039 (male).
    """
    return {
        "Emily": np.array([-7, -3], dtype=np.float64),
        "Frank": np.array([20, 2], dtype=np.float64),
    }


def xor() -> tuple[np.ndarray, np.ndarray]:
    """Return XOR: X (4, 2) = [[0,0], [0,1], [1,0], [1,1]] and y (4, 1) = [0, 1, 1, 0].

    The course's from-scratch network takes one row vector per sample: ``X[:, None, :]``
    and ``y[:, None, :]`` give its (4, 1, 2) and (4, 1, 1) layout.
    """
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return x, y


def nand() -> tuple[np.ndarray, np.ndarray]:
    """Return NAND in the order of file 004: X (4, 2) and y (4,).

    X = [[1, 1], [1, 0], [0, 1], [0, 0]] and y = [0, 1, 1, 1]. One answer to the course's
    exercise is a perceptron with weights (-2, -2) and bias 3 (Nielsen's).
    """
    x = np.array([[1, 1], [1, 0], [0, 1], [0, 0]], dtype=np.float64)
    y = np.array([0, 1, 1, 1], dtype=np.float64)
    return x, y
