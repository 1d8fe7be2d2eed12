"""The table of ops that drives the property tests (and the optional PyTorch cross-check).

Each row names the primitives it exercises, draws inputs with the public strategies, and
gives the op as ``fn(lib, *inputs, **options)`` where ``lib`` is ``tinygrad_fr`` (or torch):
most rows read the same in both libraries. Adding a primitive means adding a row here;
``test_every_primitive_has_a_row`` fails otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_fr.ops import activation, elementwise, linalg, loss, movement, nondiff, reduce
from tinygrad_fr.testing import strategies as tst

SMALL = {"max_dims": 3, "max_side": 3}


@dataclass(frozen=True)
class Case:
    """One row: an op, the primitives it covers, how to draw its inputs."""

    name: str
    covers: tuple[type, ...]
    fn: Callable[..., Any]
    inputs: Callable[[], st.SearchStrategy[tuple[tuple[np.ndarray, ...], dict]]]
    reference: Callable[..., Any] | None = None  # NumPy forward, same signature without lib
    second_order: bool = True
    eps: float = 1e-6
    atol: float = 1e-5
    torch_fn: Callable[..., Any] | None = None  # when torch spells it differently
    keeps_dtype: bool = True  # float32 in, float32 out
    with_torch: bool = True  # False: not comparable with PyTorch (its own random draws)
    differentiable: bool = True  # False: only forward values are checked


def values(low: float = -3.0, high: float = 3.0, band: float = 0.0) -> st.SearchStrategy[float]:
    """Floats for smooth ops, optionally away from (-band, band). No subnormals: PyTorch's
    kernels may treat them as zeros (cumprod of [5e-324, 0] has gradient [0, 0] there)."""
    return tst.elements(low, high, exclude_zero_band=band, allow_subnormal=False)


def grid(offset: float = 1 / 16) -> st.SearchStrategy[float]:
    """Values k/8 + offset: never 0 or ±1, never closer than 1/8 unless equal (for kinks).

    Two grids with different offsets never share a value (no ties between two inputs).
    """
    return st.integers(-24, 23).map(lambda k: k / 8 + offset)


def arrays(shape: Any, elements: st.SearchStrategy[float], unique: bool = False) -> Any:
    return hnp.arrays(np.float64, shape, elements=elements, unique=unique)


def unary(elements: st.SearchStrategy[float] | None = None, unique: bool = False, **shape: Any):
    def draw() -> Any:
        shape_strategy = tst.shapes(**{**SMALL, **shape})
        return arrays(shape_strategy, (values() if elements is None else elements), unique).map(
            lambda a: ((a,), {})
        )

    return draw


def binary(
    first: st.SearchStrategy[float] | None = None, second: st.SearchStrategy[float] | None = None
):
    def draw() -> Any:
        return tst.mutually_broadcastable_shapes(2, **SMALL).flatmap(
            lambda shapes: st.tuples(
                arrays(shapes[0], (values() if first is None else first)),
                arrays(shapes[1], (values() if second is None else second)),
            ).map(lambda pair: (pair, {}))
        )

    return draw


def with_dims(elements: st.SearchStrategy[float] | None = None, unique: bool = False, **kw: Any):
    """An array and a valid ``dim`` (None, an int or a tuple) plus ``keepdim``."""

    def draw() -> Any:
        return tst.shapes(**SMALL).flatmap(
            lambda shape: st.tuples(
                arrays(shape, (values() if elements is None else elements), unique),
                tst.dims(shape, **kw),
                st.booleans(),
            ).map(lambda t: ((t[0],), {"dim": t[1], "keepdim": t[2]}))
        )

    return draw


def with_one_dim(elements: st.SearchStrategy[float] | None = None, unique: bool = False):
    def draw() -> Any:
        return tst.shapes(min_dims=1, **SMALL).flatmap(
            lambda shape: st.tuples(
                arrays(shape, (values() if elements is None else elements), unique),
                tst.dims(shape, allow_none=False, allow_tuple=False),
            ).map(lambda t: ((t[0],), {"dim": t[1]}))
        )

    return draw


def matmul_inputs() -> Any:
    return hnp.mutually_broadcastable_shapes(
        signature=np.matmul.signature, max_dims=2, max_side=3
    ).flatmap(
        lambda shapes: st.tuples(
            arrays(shapes.input_shapes[0], values()), arrays(shapes.input_shapes[1], values())
        ).map(lambda pair: (pair, {}))
    )


def linear_inputs() -> Any:
    sizes = st.tuples(st.integers(1, 3), st.integers(1, 3), st.sampled_from([(), (2,), (1, 3)]))
    return sizes.flatmap(
        lambda s: st.tuples(
            arrays(s[2] + (s[0],), values()),
            arrays((s[1], s[0]), values()),
            arrays((s[1],), values()),
        ).map(lambda t: (t, {}))
    )


def reshape_inputs() -> Any:
    def split(shape: tuple) -> Any:
        size = int(np.prod(shape))
        return st.sampled_from([(size,), (1, size), (size, 1), (-1,)])

    return tst.shapes(**SMALL).flatmap(
        lambda shape: st.tuples(arrays(shape, values()), split(shape)).map(
            lambda t: ((t[0],), {"shape": t[1]})
        )
    )


def permute_inputs() -> Any:
    return tst.shapes(min_dims=1, **SMALL).flatmap(
        lambda shape: st.tuples(arrays(shape, values()), st.permutations(range(len(shape)))).map(
            lambda t: ((t[0],), {"dims": tuple(t[1])})
        )
    )


def expand_inputs() -> Any:
    return (
        tst.mutually_broadcastable_shapes(2, **SMALL)
        .map(lambda shapes: (shapes[0], np.broadcast_shapes(*shapes)))
        .flatmap(lambda s: arrays(s[0], values()).map(lambda a: ((a,), {"shape": s[1]})))
    )


def getitem_inputs() -> Any:
    """Basic slices, an int, and advanced indices with repeats (which must accumulate)."""

    def index_for(shape: tuple) -> Any:
        n = shape[0]
        return st.one_of(
            st.integers(-n, n - 1),
            st.tuples(st.integers(0, n - 1), st.integers(1, n)).map(
                lambda t: slice(min(t), max(t) + 1)
            ),
            st.lists(st.integers(-n, n - 1), min_size=1, max_size=5).map(np.array),
            st.just((Ellipsis, None)),
        )

    return tst.shapes(min_dims=1, **SMALL).flatmap(
        lambda shape: st.tuples(arrays(shape, values()), index_for(shape)).map(
            lambda t: ((t[0],), {"index": t[1]})
        )
    )


def index_put_inputs() -> Any:
    """x, a value of the shape x[index] has, and a slice, an int or unique indices."""

    def index_for(shape: tuple) -> Any:
        n = shape[0]
        return st.one_of(
            st.integers(-n, n - 1),
            st.tuples(st.integers(0, n - 1), st.integers(1, n)).map(
                lambda t: slice(min(t), max(t) + 1)
            ),
            st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True).map(np.array),
        )

    def with_value(x: np.ndarray, index: Any) -> Any:
        return arrays(x[index].shape, values()).map(lambda v: ((x, v), {"index": index}))

    return tst.shapes(min_dims=1, **SMALL).flatmap(
        lambda shape: st.tuples(arrays(shape, values()), index_for(shape)).flatmap(
            lambda t: with_value(*t)
        )
    )


def _index_put(lib: Any, x: Any, value: Any, index: Any) -> Any:
    out = x * 1.0  # a non-leaf: item assignment is recorded and rebases its history
    out[index] = value
    return out


def _index_put_numpy(x: np.ndarray, value: np.ndarray, index: Any) -> np.ndarray:
    out = x.copy()
    out[index] = value
    return out


def cat_inputs() -> Any:
    return st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)).flatmap(
        lambda n: st.tuples(arrays((n[0], 2), values()), arrays((n[1], 2), values())).map(
            lambda pair: (pair, {})
        )
    )


def same_shape() -> Any:
    return tst.shapes(**SMALL).flatmap(
        lambda shape: st.tuples(arrays(shape, values()), arrays(shape, values())).map(
            lambda pair: (pair, {})
        )
    )


def nll_inputs() -> Any:
    return st.tuples(st.integers(1, 4), st.integers(2, 4)).flatmap(
        lambda nc: st.tuples(
            arrays((nc[0], nc[1]), values()),
            hnp.arrays(np.int64, (nc[0],), elements=st.integers(0, nc[1] - 1)),
            st.sampled_from(["mean", "sum", "none"]),
        ).map(lambda t: ((t[0],), {"target": t[1], "reduction": t[2]}))
    )


def mse_inputs() -> Any:
    return tst.shapes(**SMALL).flatmap(
        lambda shape: st.tuples(
            arrays(shape, values()),
            arrays(shape, values()),
            st.sampled_from(["mean", "sum", "none"]),
        ).map(lambda t: ((t[0], t[1]), {"reduction": t[2]}))
    )


def _nll(lib: Any, logp: Any, target: np.ndarray, reduction: str) -> Any:
    from tinygrad_fr.ops.loss import NLLLoss

    return NLLLoss.apply(logp.log_softmax(1), target, None, -100, reduction)


def _mse(lib: Any, x: Any, t: Any, reduction: str) -> Any:
    from tinygrad_fr.ops.loss import MSELoss

    return MSELoss.apply(x, t, reduction)


def _index_add(lib: Any, x: Any, index: Any) -> Any:
    from tinygrad_fr.ops.movement import IndexAdd

    return IndexAdd.apply(x, index, (4,) + x.shape[1:])


def _linear(lib: Any, x: Any, w: Any, b: Any) -> Any:
    from tinygrad_fr.ops.linalg import Linear

    return Linear.apply(x, w, b)


def _torch(name: str) -> Callable[..., Any]:
    """Torch spellings of the rows that use tinygrad_fr internals directly."""

    def nll(torch: Any, logp: Any, target: Any, reduction: str) -> Any:
        target = torch.as_tensor(target)
        return torch.nn.functional.nll_loss(logp.log_softmax(1), target, reduction=reduction)

    def mse(torch: Any, x: Any, t: Any, reduction: str) -> Any:
        return torch.nn.functional.mse_loss(x, t, reduction=reduction)

    def index_add(torch: Any, x: Any, index: Any) -> Any:
        out = torch.zeros((4,) + tuple(x.shape[1:]), dtype=x.dtype)
        return out.index_add(0, torch.as_tensor(index), x)

    def linear(torch: Any, x: Any, w: Any, b: Any) -> Any:
        return torch.nn.functional.linear(x, w, b)

    return {"nll": nll, "mse": mse, "index_add": index_add, "linear": linear}[name]


def _erf(x: np.ndarray) -> np.ndarray:
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def _softplus(x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    return np.where(x * beta > threshold, x, np.log1p(np.exp(x * beta)) / beta)


def _gelu_tanh(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def _normal_cdf(lib: Any, x: Any) -> Any:
    if lib.__name__ == "torch":
        return lib.special.ndtr(x)
    return activation.NormalCDF.apply(x)


def index_add_inputs() -> Any:
    return st.integers(1, 5).flatmap(
        lambda n: st.tuples(
            arrays((n, 2), values()), hnp.arrays(np.int64, (n,), elements=st.integers(0, 3))
        ).map(lambda t: ((t[0],), {"index": t[1]}))
    )


CASES: list[Case] = [
    Case("add", (elementwise.Add,), lambda lib, x, y: x + y, binary(), np.add),
    Case("sub", (elementwise.Sub,), lambda lib, x, y: x - y, binary(), np.subtract),
    Case("rsub", (elementwise.Sub,), lambda lib, x: 1.5 - x, unary(), lambda x: 1.5 - x),
    Case("mul", (elementwise.Mul,), lambda lib, x, y: x * y, binary(), np.multiply),
    Case(
        "div",
        (elementwise.Div,),
        lambda lib, x, y: x / y,
        binary(second=values(band=0.5)),
        np.divide,
    ),
    Case(
        "rdiv",
        (elementwise.Div,),
        lambda lib, x: 2.0 / x,
        unary(values(band=0.5)),
        lambda x: 2.0 / x,
    ),
    Case(
        "pow",
        (elementwise.Pow,),
        lambda lib, x, y: x**y,
        # y == 0 exactly: PyTorch's (and our) dx is masked there, so its second derivative
        # in y is 0, not finite differences' 1/x (test_pow_edge_cases pins those values)
        binary(values(0.5, 3.0), values(-2.0, 2.0, band=0.05)),
        np.power,
    ),
    Case("pow_scalar", (elementwise.Pow,), lambda lib, x: x**3, unary(), lambda x: x**3),
    Case("square", (elementwise.Pow,), lambda lib, x: x**2, unary(), np.square),
    Case("rpow", (elementwise.Pow,), lambda lib, x: 2.0**x, unary(), lambda x: 2.0**x),
    Case("neg", (elementwise.Neg,), lambda lib, x: -x, unary(), np.negative),
    Case("exp", (elementwise.Exp,), lambda lib, x: x.exp(), unary(), np.exp),
    Case("log", (elementwise.Log,), lambda lib, x: x.log(), unary(values(0.1, 5.0)), np.log),
    Case("sqrt", (elementwise.Sqrt,), lambda lib, x: x.sqrt(), unary(values(0.1, 5.0)), np.sqrt),
    Case("abs", (elementwise.Abs,), lambda lib, x: x.abs(), unary(grid()), np.abs),
    Case("tanh", (elementwise.Tanh,), lambda lib, x: x.tanh(), unary(), np.tanh),
    Case(
        "sigmoid",
        (elementwise.Sigmoid,),
        lambda lib, x: x.sigmoid(),
        unary(values(-8.0, 8.0)),
        lambda x: 1 / (1 + np.exp(-x)),
    ),
    Case(
        "relu",
        (elementwise.ReLU,),
        lambda lib, x: x.relu(),
        unary(grid()),
        lambda x: np.maximum(x, 0),
    ),
    Case(
        "leaky_relu",
        (elementwise.LeakyReLU,),
        lambda lib, x: x.leaky_relu(0.1),
        unary(grid()),
        lambda x: np.where(x > 0, x, 0.1 * x),
        torch_fn=lambda torch, x: torch.nn.functional.leaky_relu(x, 0.1),
    ),
    Case(
        "softplus",
        (activation.Softplus,),
        lambda lib, x: lib.nn.functional.softplus(x),
        unary(values(-5.0, 5.0)),
        _softplus,
    ),
    Case(
        "softplus_threshold",
        (activation.Softplus,),
        lambda lib, x: lib.nn.functional.softplus(x, beta=2.0, threshold=3.0),
        unary(grid()),
        lambda x: _softplus(x, 2.0, 3.0),
    ),
    Case(
        "logsigmoid",
        (activation.Softplus, elementwise.Neg),
        lambda lib, x: lib.nn.functional.logsigmoid(x),
        unary(values(-5.0, 5.0)),
        lambda x: -np.log1p(np.exp(-x)),
    ),
    Case(
        "gelu",
        (activation.GELU, activation.NormalCDF),
        lambda lib, x: lib.nn.functional.gelu(x),
        unary(values(-4.0, 4.0)),
        lambda x: x * 0.5 * (1 + _erf(x / math.sqrt(2))),
    ),
    Case(
        "gelu_tanh",
        (activation.GELU,),
        lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"),
        unary(values(-4.0, 4.0)),
        _gelu_tanh,
    ),
    Case(
        "normal_cdf",
        (activation.NormalCDF,),
        _normal_cdf,
        unary(values(-4.0, 4.0)),
        lambda x: 0.5 * (1 + _erf(x / math.sqrt(2))),
    ),
    Case(
        "silu",
        (activation.SiLU,),
        lambda lib, x: lib.nn.functional.silu(x),
        unary(values(-5.0, 5.0)),
        lambda x: x / (1 + np.exp(-x)),
    ),
    Case(
        "elu",
        (activation.ELU,),
        lambda lib, x: lib.nn.functional.elu(x, alpha=0.5),
        unary(grid()),
        lambda x: np.where(x > 0, x, 0.5 * np.expm1(np.minimum(x, 0))),
    ),
    Case(
        "mish",
        (activation.Mish, activation.Softplus),
        lambda lib, x: lib.nn.functional.mish(x),
        unary(values(-5.0, 5.0)),
        lambda x: x * np.tanh(np.log1p(np.exp(x))),
    ),
    Case(
        "clamp",
        (elementwise.Clamp,),
        lambda lib, x: x.clamp(-1.0, 1.0),
        unary(grid()),
        lambda x: np.clip(x, -1, 1),
    ),
    Case(
        "clamp_min",
        (elementwise.Clamp,),
        lambda lib, x: x.clamp(min=0.5),
        unary(grid()),
        lambda x: np.maximum(x, 0.5),
    ),
    Case(
        "maximum",
        (elementwise.Maximum,),
        lambda lib, x, y: lib.maximum(x, y),
        binary(grid(), grid(1 / 32)),
        np.maximum,
    ),
    Case(
        "minimum",
        (elementwise.Minimum,),
        lambda lib, x, y: lib.minimum(x, y),
        binary(grid(), grid(1 / 32)),
        np.minimum,
    ),
    Case(
        "maximum_tie",
        (elementwise.Maximum,),
        lambda lib, x: lib.maximum(x, x * 1.0),
        unary(),
        lambda x: x,
        second_order=False,
    ),
    Case(
        "where",
        (elementwise.Where,),
        lambda lib, x, y: lib.where(x > 0, x * 2, y),
        binary(grid(), grid()),
        lambda x, y: np.where(x > 0, x * 2, y),
    ),
    Case(
        "cast",
        (elementwise.Cast,),
        lambda lib, x: x.float().double() * 1.0,
        unary(),
        lambda x: x.astype(np.float32).astype(np.float64),
        eps=1e-2,
        atol=1e-4,
        keeps_dtype=False,
    ),
    Case(
        "sum",
        (reduce.Sum,),
        lambda lib, x, dim, keepdim: x.sum(dim=dim, keepdim=keepdim),
        with_dims(),
        lambda x, dim, keepdim: np.sum(x, axis=dim, keepdims=keepdim),
    ),
    Case(
        "mean",
        (reduce.Mean,),
        lambda lib, x, dim, keepdim: x.mean(dim=dim, keepdim=keepdim),
        with_dims(),
        lambda x, dim, keepdim: np.mean(x, axis=dim, keepdims=keepdim),
    ),
    Case(
        "amax",
        (reduce.Amax,),
        lambda lib, x, dim, keepdim: x.amax(dim=dim, keepdim=keepdim),
        with_dims(grid(), unique=True),
        lambda x, dim, keepdim: np.max(x, axis=dim, keepdims=keepdim),
    ),
    Case(
        "amin",
        (reduce.Amin,),
        lambda lib, x, dim, keepdim: x.amin(dim=dim, keepdim=keepdim),
        with_dims(grid(), unique=True),
        lambda x, dim, keepdim: np.min(x, axis=dim, keepdims=keepdim),
    ),
    Case("max_all", (reduce.Amax,), lambda lib, x: x.max(), unary(grid(), unique=True), np.max),
    Case(
        "max_dim",
        (reduce.ExtremumAlong,),
        lambda lib, x, dim: x.max(dim=dim).values,
        with_one_dim(grid(), unique=True),
        lambda x, dim: np.max(x, axis=dim),
    ),
    Case(
        "min_dim",
        (reduce.ExtremumAlong,),
        lambda lib, x, dim: x.min(dim=dim).values,
        with_one_dim(grid(), unique=True),
        lambda x, dim: np.min(x, axis=dim),
    ),
    Case(
        "softmax",
        (reduce.Softmax,),
        lambda lib, x, dim: x.softmax(dim),
        with_one_dim(),
        lambda x, dim: np.exp(x) / np.exp(x).sum(axis=dim, keepdims=True),
    ),
    Case(
        "log_softmax",
        (reduce.LogSoftmax,),
        lambda lib, x, dim: x.log_softmax(dim),
        with_one_dim(),
        lambda x, dim: x - np.log(np.exp(x).sum(axis=dim, keepdims=True)),
    ),
    Case(
        "reshape",
        (movement.Reshape,),
        lambda lib, x, shape: x.reshape(shape),
        reshape_inputs,
        lambda x, shape: x.reshape(shape),
    ),
    Case(
        "permute",
        (movement.Permute,),
        lambda lib, x, dims: x.permute(dims),
        permute_inputs,
        lambda x, dims: np.transpose(x, dims),
    ),
    Case(
        "transpose",
        (movement.Permute,),
        lambda lib, x: x.transpose(0, -1),
        unary(min_dims=1),
        lambda x: np.swapaxes(x, 0, -1),
    ),
    Case(
        "expand",
        (movement.Expand,),
        lambda lib, x, shape: x.expand(shape) * 1.0,
        expand_inputs,
        lambda x, shape: np.broadcast_to(x, shape),
    ),
    Case(
        "getitem",
        (movement.GetItem, movement.IndexAdd),
        lambda lib, x, index: x[index],
        getitem_inputs,
        lambda x, index: x[index],
    ),
    Case(
        "index_add",
        (movement.IndexAdd, movement.GetItem),
        _index_add,
        index_add_inputs,
        torch_fn=_torch("index_add"),
    ),
    Case(
        "index_put",
        (movement.IndexPut, movement.GetItem),
        _index_put,
        index_put_inputs,
        _index_put_numpy,
    ),
    Case(
        "cat",
        (movement.Cat,),
        lambda lib, x, y: lib.cat([x, y], 0),
        cat_inputs,
        lambda x, y: np.concatenate([x, y], 0),
    ),
    Case(
        "stack",
        (movement.Cat, movement.Reshape),
        lambda lib, x, y: lib.stack([x, y], -1),
        same_shape,
        lambda x, y: np.stack([x, y], -1),
    ),
    Case("matmul", (linalg.MatMul,), lambda lib, a, b: a @ b, matmul_inputs, np.matmul),
    Case(
        "linear",
        (linalg.Linear,),
        _linear,
        linear_inputs,
        lambda x, w, b: x @ w.T + b,
        torch_fn=_torch("linear"),
    ),
    Case("mse_loss", (loss.MSELoss,), _mse, mse_inputs, torch_fn=_torch("mse")),
    Case("nll_loss", (loss.NLLLoss, reduce.LogSoftmax), _nll, nll_inputs, torch_fn=_torch("nll")),
    Case(
        "var",
        (reduce.Mean, reduce.Sum),
        lambda lib, x: x.var(0),
        unary(min_dims=1, min_side=2),
        lambda x: np.var(x, axis=0, ddof=1),
    ),
    Case("clone", (elementwise.Clone,), lambda lib, x: x.clone(), unary(), lambda x: x.copy()),
    Case(
        "less",
        (nondiff.Compare,),
        lambda lib, x, y: x < y,
        binary(grid(), grid(1 / 32)),
        np.less,
        keeps_dtype=False,
        differentiable=False,
    ),
    Case(
        "argmax",
        (nondiff.ArgExtremum,),
        lambda lib, x, dim: x.argmax(dim),
        with_one_dim(grid(), unique=True),
        lambda x, dim: np.argmax(x, axis=dim),
        keeps_dtype=False,
        differentiable=False,
    ),
    Case(
        "any",
        (nondiff.Truth,),
        lambda lib, x: (x > 0).any(),
        unary(grid()),
        lambda x: np.any(x > 0),
        keeps_dtype=False,
        differentiable=False,
    ),
    Case(
        "detach",
        (nondiff.Alias,),
        lambda lib, x: x.detach(),
        unary(),
        lambda x: x,
        differentiable=False,
    ),
    Case(
        "dropout",
        (elementwise.Dropout,),
        # Seeded on each call: finite differences must see one function, one mask.
        lambda lib, x: (lib.manual_seed(0), lib.nn.functional.dropout(x, 0.5))[1],
        unary(),
        with_torch=False,
    ),
]

# The rows of the ops added for PyTorch's scripts (trigonometry, rounding, scans, norms...)
# are in op_table_math.py, which uses the helpers above.
from op_table_math import MATH_CASES  # noqa: E402

CASES += MATH_CASES
