"""Rows of the op table for the ops PyTorch scripts need beyond the course's: trigonometry,
other logarithms and exponentials, rounding and remainders, products, scans, norms, matrix
products by name, and the shape and indexing ops built from the primitives.

``op_table.py`` appends these rows to its ``CASES``; the helpers are its own.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import SMALL, Case, arrays, binary, grid, unary, values, with_dims

from tinygrad_fr.ops import elementwise, linalg, movement, nondiff, reduce, rounding, scan
from tinygrad_fr.ops import unary as un
from tinygrad_fr.testing import strategies as tst

_erf = np.vectorize(math.erf)


def divisors() -> st.SearchStrategy[float]:
    """Divisors that never make an odd multiple of 1/16 (the grid) an integer quotient."""
    return st.sampled_from([3.0, -3.0, 1.75, -1.75])


def signed_grid() -> st.SearchStrategy[float]:
    """Grid values whose magnitudes differ (never x and -x): no ties of |x|."""
    return st.integers(0, 23).map(lambda k: (k / 8 + 1 / 16) * (-1) ** k)


def quotient_inputs() -> Any:
    return tst.mutually_broadcastable_shapes(2, **SMALL).flatmap(
        lambda shapes: st.tuples(arrays(shapes[0], grid()), arrays(shapes[1], divisors())).map(
            lambda pair: (pair, {})
        )
    )


def with_int_dim(elements: Any = None, with_zero: bool = False) -> Any:
    """An array, and None or one int dim, with keepdim; optionally one element set to 0."""

    def draw() -> Any:
        return tst.shapes(min_dims=1, **SMALL).flatmap(
            lambda shape: st.tuples(
                arrays(shape, values() if elements is None else elements),
                tst.dims(shape, allow_tuple=False),
                st.booleans(),
            ).map(
                lambda t: ((_zeroed(t[0]) if with_zero else t[0],), {"dim": t[1], "keepdim": t[2]})
            )
        )

    return draw


def _zeroed(x: np.ndarray) -> np.ndarray:
    x = x.copy()
    x.reshape(-1)[x.size // 2] = 0.0
    return x


def with_scan_dim(elements: Any = None, with_zero: bool = False) -> Any:
    def draw() -> Any:
        return tst.shapes(min_dims=1, **SMALL).flatmap(
            lambda shape: st.tuples(
                arrays(shape, values() if elements is None else elements),
                tst.dims(shape, allow_none=False, allow_tuple=False),
            ).map(lambda t: ((_zeroed(t[0]) if with_zero else t[0],), {"dim": t[1]}))
        )

    return draw


def with_given_dims() -> Any:
    """An array of at least one dimension, an int or a tuple of dims (not None), keepdim."""

    def draw() -> Any:
        return tst.shapes(min_dims=1, **SMALL).flatmap(
            lambda shape: st.tuples(
                arrays(shape, values()), tst.dims(shape, allow_none=False), st.booleans()
            ).map(lambda t: ((t[0],), {"dim": t[1], "keepdim": t[2]}))
        )

    return draw


def matrices(*shapes: tuple[int, ...]) -> Any:
    def draw() -> Any:
        return st.tuples(*(arrays(shape, values()) for shape in shapes)).map(lambda t: (t, {}))

    return draw


def index_inputs() -> Any:
    """x of shape (3, 4) and a 1-D index (repeats allowed) for index_select along dim 1."""
    return st.tuples(
        arrays((3, 4), values()), hnp.arrays(np.int64, (5,), elements=st.integers(0, 3))
    ).map(lambda t: ((t[0],), {"index": t[1]}))


def gather_inputs() -> Any:
    return st.tuples(
        arrays((3, 4), values()), hnp.arrays(np.int64, (3, 2), elements=st.integers(0, 3))
    ).map(lambda t: ((t[0],), {"index": t[1]}))


def _index_select(lib: Any, x: Any, index: np.ndarray) -> Any:
    return x.index_select(1, lib.as_tensor(index))


def _gather(lib: Any, x: Any, index: np.ndarray) -> Any:
    return x.gather(1, lib.as_tensor(index))


def _split_sum(lib: Any, x: Any) -> Any:
    first, second = x.split([1, 2], dim=0)
    return first * 2 + second.sum(0, keepdim=True)


def _chunk_cat(lib: Any, x: Any) -> Any:
    return lib.cat([piece * (k + 1) for k, piece in enumerate(x.chunk(2, dim=1))], dim=1)


MATH_CASES: list[Case] = [
    # -- trigonometric and hyperbolic functions --------------------------------------------
    Case("sin", (un.Sin,), lambda lib, x: x.sin(), unary(), np.sin),
    Case("cos", (un.Cos,), lambda lib, x: x.cos(), unary(), np.cos),
    Case("tan", (un.Tan,), lambda lib, x: x.tan(), unary(values(-1.2, 1.2)), np.tan),
    Case("asin", (un.Asin,), lambda lib, x: x.asin(), unary(values(-0.9, 0.9)), np.arcsin),
    Case("acos", (un.Acos,), lambda lib, x: x.acos(), unary(values(-0.9, 0.9)), np.arccos),
    Case("atan", (un.Atan,), lambda lib, x: x.atan(), unary(), np.arctan),
    Case(
        "atan2",
        (un.Atan2,),
        lambda lib, y, x: lib.atan2(y, x),
        binary(values(band=0.3), values(band=0.3)),
        np.arctan2,
    ),
    Case("sinh", (un.Sinh,), lambda lib, x: x.sinh(), unary(), np.sinh),
    Case("cosh", (un.Cosh,), lambda lib, x: x.cosh(), unary(), np.cosh),
    Case("asinh", (un.Asinh,), lambda lib, x: x.asinh(), unary(), np.arcsinh),
    Case("acosh", (un.Acosh,), lambda lib, x: x.acosh(), unary(values(1.2, 4.0)), np.arccosh),
    Case("atanh", (un.Atanh,), lambda lib, x: x.atanh(), unary(values(-0.9, 0.9)), np.arctanh),
    # -- logarithms, exponentials, reciprocals, erf ---------------------------------------
    Case("log1p", (un.Log1p,), lambda lib, x: x.log1p(), unary(values(-0.8, 3.0)), np.log1p),
    Case("expm1", (un.Expm1,), lambda lib, x: x.expm1(), unary(), np.expm1),
    Case("log2", (un.Log2,), lambda lib, x: x.log2(), unary(values(0.1, 5.0)), np.log2),
    Case("log10", (un.Log10,), lambda lib, x: x.log10(), unary(values(0.1, 5.0)), np.log10),
    Case("exp2", (un.Exp2,), lambda lib, x: x.exp2(), unary(), np.exp2),
    Case(
        "rsqrt",
        (un.Rsqrt,),
        lambda lib, x: x.rsqrt(),
        unary(values(0.2, 5.0)),
        lambda x: 1 / np.sqrt(x),
    ),
    Case(
        "reciprocal",
        (un.Reciprocal,),
        lambda lib, x: x.reciprocal(),
        unary(values(band=0.5)),
        np.reciprocal,
    ),
    Case("erf", (un.Erf,), lambda lib, x: x.erf(), unary(), _erf),
    Case("square_method", (elementwise.Pow,), lambda lib, x: x.square(), unary(), np.square),
    # -- rounding (gradient 0) and remainders ----------------------------------------------
    Case("sign", (rounding.Sign,), lambda lib, x: x.sign(), unary(grid()), np.sign),
    Case("floor", (rounding.Floor,), lambda lib, x: x.floor(), unary(grid()), np.floor),
    Case("ceil", (rounding.Ceil,), lambda lib, x: x.ceil(), unary(grid()), np.ceil),
    Case(
        "round",
        (rounding.Round,),
        lambda lib, x: x.round(),
        unary(grid(1 / 8 + 1 / 16)),
        np.round,
    ),
    Case(
        "round_decimals",
        (rounding.Round,),
        lambda lib, x: x.round(decimals=1),
        unary(grid(1 / 32)),
        lambda x: np.round(x, 1),
    ),
    Case("trunc", (rounding.Trunc,), lambda lib, x: x.trunc(), unary(grid()), np.trunc),
    Case(
        "frac",
        (rounding.Trunc,),
        lambda lib, x: x.frac(),
        unary(grid()),
        lambda x: x - np.trunc(x),
    ),
    Case(
        "div_trunc",
        (rounding.RoundedDivide,),
        lambda lib, x, y: lib.div(x, y, rounding_mode="trunc"),
        quotient_inputs,
        lambda x, y: np.trunc(x / y),
    ),
    Case(
        "div_floor",
        (rounding.RoundedDivide,),
        lambda lib, x, y: lib.div(x, y, rounding_mode="floor"),
        quotient_inputs,
        np.floor_divide,
    ),
    Case(
        "floor_divide",
        (rounding.FloorDivide,),
        lambda lib, x, y: x // y,
        quotient_inputs,
        np.floor_divide,
        second_order=False,
        differentiable=False,
    ),
    Case("remainder", (rounding.Remainder,), lambda lib, x, y: x % y, quotient_inputs, np.mod),
    Case(
        "rremainder",
        (rounding.Remainder,),
        lambda lib, y: 5.0625 % y,
        unary(divisors()),
        lambda y: np.mod(5.0625, y),
        # PyTorch has no derivative for a number % tensor: compare with tensor % tensor
        torch_fn=lambda torch, y: torch.remainder(torch.tensor(5.0625, dtype=y.dtype), y),
    ),
    Case(
        "fmod",
        (rounding.Fmod,),
        lambda lib, x, y: lib.fmod(x, y),
        quotient_inputs,
        np.fmod,
    ),
    # -- products, scans, norms, log-sum-exp ----------------------------------------------
    Case(
        "prod",
        (reduce.Prod,),
        lambda lib, x, dim, keepdim: x.prod(dim, keepdim) if dim is not None else x.prod(),
        with_int_dim(values(0.5, 1.5)),
        lambda x, dim, keepdim: np.prod(x, axis=dim, keepdims=keepdim and dim is not None),
    ),
    Case(
        "prod_with_zero",
        (reduce.Prod, scan.Cumprod),
        lambda lib, x, dim, keepdim: x.prod(dim, keepdim) if dim is not None else x.prod(),
        with_int_dim(with_zero=True),
        lambda x, dim, keepdim: np.prod(x, axis=dim, keepdims=keepdim and dim is not None),
    ),
    Case(
        "cumsum",
        (scan.Cumsum,),
        lambda lib, x, dim: x.cumsum(dim),
        with_scan_dim(),
        lambda x, dim: np.cumsum(x, axis=dim),
    ),
    Case(
        "cumprod",
        (scan.Cumprod,),
        lambda lib, x, dim: x.cumprod(dim),
        with_scan_dim(values(band=0.1)),
        lambda x, dim: np.cumprod(x, axis=dim),
    ),
    Case(
        "cumprod_with_zero",
        (scan.Cumprod,),
        lambda lib, x, dim: x.cumprod(dim),
        with_scan_dim(with_zero=True),
        lambda x, dim: np.cumprod(x, axis=dim),
    ),
    Case(
        "logsumexp",
        (reduce.LogSumExp,),
        lambda lib, x, dim, keepdim: x.logsumexp(dim, keepdim),
        with_given_dims(),
        lambda x, dim, keepdim: np.log(np.exp(x).sum(axis=dim, keepdims=keepdim)),
    ),
    Case(
        "norm",
        (un.SqrtOfSpread, reduce.Sum),
        lambda lib, x, dim, keepdim: x.norm(dim=dim, keepdim=keepdim),
        with_dims(values(band=0.1)),
        lambda x, dim, keepdim: np.sqrt((x * x).sum(axis=dim, keepdims=keepdim)),
        # torch.norm refuses 'fro' over three dims (a matrix norm); vector_norm is the same sum
        torch_fn=lambda torch, x, dim, keepdim: torch.linalg.vector_norm(x, 2, dim, keepdim),
    ),
    Case(
        "norm_p3",
        (reduce.Norm,),
        lambda lib, x, dim, keepdim: x.norm(3, dim, keepdim),
        with_dims(values(band=0.1)),
        lambda x, dim, keepdim: (np.abs(x) ** 3).sum(axis=dim, keepdims=keepdim) ** (1 / 3),
    ),
    Case(
        "norm_p1_5",
        (reduce.Norm,),
        lambda lib, x, dim, keepdim: x.norm(1.5, dim, keepdim),
        with_dims(values(band=0.1)),
        lambda x, dim, keepdim: (np.abs(x) ** 1.5).sum(axis=dim, keepdims=keepdim) ** (1 / 1.5),
    ),
    Case(
        "norm_p0_5",
        (reduce.Norm,),
        lambda lib, x, dim, keepdim: x.norm(0.5, dim, keepdim),
        with_dims(values(band=0.1)),
        lambda x, dim, keepdim: np.sqrt(np.abs(x)).sum(axis=dim, keepdims=keepdim) ** 2,
    ),
    Case(
        "norm_inf",
        (reduce.Amax,),
        lambda lib, x: x.norm(float("inf"), dim=-1),
        unary(signed_grid(), unique=True, min_dims=1),
        lambda x: np.abs(x).max(axis=-1),
    ),
    Case(
        "norm_p1",
        (reduce.Sum,),
        lambda lib, x: x.norm(1, dim=0),
        unary(grid(), min_dims=1),
        lambda x: np.abs(x).sum(axis=0),
    ),
    Case(
        "std",
        (un.SqrtOfSpread,),
        lambda lib, x: x.std(0),
        unary(grid(), unique=True, min_dims=1, min_side=2),
        lambda x: np.std(x, axis=0, ddof=1),
    ),
    Case(
        "var_correction",
        (reduce.Mean, reduce.Sum),
        lambda lib, x, dim, keepdim: x.var(dim, keepdim=keepdim, correction=0),
        with_dims(),
        lambda x, dim, keepdim: np.var(x, axis=dim, keepdims=keepdim),
    ),
    # -- matrix products by name -----------------------------------------------------------
    Case("mm", (linalg.MatMul,), lambda lib, a, b: a.mm(b), matrices((2, 3), (3, 4)), np.matmul),
    Case(
        "bmm",
        (linalg.MatMul,),
        lambda lib, a, b: lib.bmm(a, b),
        matrices((2, 2, 3), (2, 3, 2)),
        np.matmul,
    ),
    Case("mv", (linalg.MatMul,), lambda lib, a, v: a.mv(v), matrices((2, 3), (3,)), np.matmul),
    Case("dot", (linalg.MatMul,), lambda lib, a, b: a.dot(b), matrices((3,), (3,)), np.dot),
    Case(
        "outer",
        (movement.Reshape,),
        lambda lib, a, b: lib.outer(a, b),
        matrices((2,), (3,)),
        np.outer,
    ),
    # -- shapes and indexing built from the primitives -------------------------------------
    Case("t", (movement.Permute,), lambda lib, x: x.t(), matrices((2, 3)), lambda x: x.T),
    Case(
        "repeat",
        (movement.Expand, movement.Reshape),
        lambda lib, x: x.repeat(2, 1, 3),
        unary(max_dims=2),
        lambda x: np.tile(x, (2, 1, 3)),
    ),
    Case(
        "flip",
        (movement.GetItem,),
        lambda lib, x: x.flip(0),
        unary(min_dims=1),
        lambda x: np.flip(x, 0),
    ),
    Case(
        "split",
        (movement.GetItem,),
        _split_sum,
        matrices((3, 2)),
        lambda x: x[:1] * 2 + x[1:].sum(0, keepdims=True),
    ),
    Case(
        "chunk",
        (movement.GetItem, movement.Cat),
        _chunk_cat,
        matrices((2, 4)),
        lambda x: np.concatenate([x[:, :2], x[:, 2:] * 2], axis=1),
    ),
    Case(
        "index_select",
        (movement.GetItem, movement.IndexAdd),
        _index_select,
        index_inputs,
        lambda x, index: x[:, index],
    ),
    Case(
        "gather",
        (movement.GetItem, movement.IndexAdd),
        _gather,
        gather_inputs,
        lambda x, index: np.take_along_axis(x, index, axis=1),
    ),
    Case(
        "masked_fill",
        (elementwise.Where,),
        lambda lib, x, y: x.masked_fill(y > 0, 0.5) * y,
        binary(values(), grid()),
        lambda x, y: np.where(y > 0, 0.5, x) * y,
    ),
    Case(
        "mixed_index",
        (movement.GetItem,),
        lambda lib, x: x[0, :, [0, 1, 1]],
        matrices((2, 3, 4)),
        lambda x: x[0][:, [0, 1, 1]],
    ),
    # -- not differentiable ----------------------------------------------------------------
    Case(
        "bitwise_and",
        (nondiff.Bitwise,),
        lambda lib, x, y: (x > 0) & (y > 0),
        binary(grid(), grid()),
        lambda x, y: (x > 0) & (y > 0),
        keeps_dtype=False,
        differentiable=False,
    ),
    Case(
        "nonzero",
        (nondiff.NonZero,),
        lambda lib, x: (x > 0).nonzero(),
        unary(grid()),
        lambda x: np.argwhere(x > 0),
        keeps_dtype=False,
        differentiable=False,
    ),
]
