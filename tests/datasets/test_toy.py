"""The course's toy tables: values and order as printed in files 001, 002 and 004."""

from __future__ import annotations

import numpy as np

from tinygrad_fr.datasets import gender, gender_names, gender_unseen, nand, xor


def test_gender_matches_lab0_table():
    x, y = gender()
    np.testing.assert_array_equal(x, [[-2, -1], [25, 6], [17, 4], [-15, -6]])
    np.testing.assert_array_equal(y, [1, 0, 0, 1])
    assert x.dtype == y.dtype == np.float64
    assert x.shape == (4, 2) and y.shape == (4,)


def test_gender_names_follow_rows():
    assert gender_names() == ("Alice", "Bob", "Charlie", "Diana")


def test_gender_unseen_are_emily_and_frank():
    people = gender_unseen()
    assert list(people) == ["Emily", "Frank"]
    np.testing.assert_array_equal(people["Emily"], [-7, -3])
    np.testing.assert_array_equal(people["Frank"], [20, 2])


def test_xor_in_course_order():
    x, y = xor()
    np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [[0], [1], [1], [0]])
    assert x.dtype == y.dtype == np.float64


def test_nand_in_course_order_and_is_nand():
    x, y = nand()
    np.testing.assert_array_equal(x, [[1, 1], [1, 0], [0, 1], [0, 0]])
    np.testing.assert_array_equal(y, 1 - x[:, 0] * x[:, 1])
    assert y.shape == (4,)


def test_each_call_returns_fresh_arrays():
    x, _ = gender()
    x[0, 0] = 99.0
    assert gender()[0][0, 0] == -2.0
