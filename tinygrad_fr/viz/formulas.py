"""The local derivative of each op, in the course's notation, and how it meets the upstream
gradient.

One table keyed by op class. Each entry says what kind of product the chain rule makes at that
op (element-wise, a reduction, a matrix product), the formula of each input's local derivative,
and, for the course's ops, how to compute it from the values the trace recorded. Ops without an
entry get a generic one: contribution / upstream where the op is element-wise, else the words
"∂out/∂input".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd.broadcast import sum_to_shape
from ..ops import elementwise as ew
from ..ops import linalg, loss, movement, reduce

ELEMENTWISE = "elementwise"  # contribution = sum_to_shape(upstream * local)
REDUCE = "reduce"  # contribution = upstream spread back over the reduced axes, * local
LINEAR = "linear"  # x @ Wᵀ + b: local is the other operand, the product is a matrix product
MATMUL = "matmul"  # a @ b: the same, for matmul
MOVES = "moves"  # elements moved, copied or picked: local 1, no product to show
JACOBIAN = "jacobian"  # a full Jacobian (softmax): only its formula is shown

# Values given to a ``local`` function: the op's inputs (None where unknown) and its output.
LocalFn = Callable[[list, Any], Any]


@dataclass(frozen=True)
class Rule:
    """How the chain rule goes through one op.

    Attributes:
        kind: one of the kinds above.
        formulas: per input position, the local derivative as text (language neutral maths).
        french: per input position, the French text where it has words (else ``formulas``).
        local: per input position, a function of the recorded values giving the local
            derivative, or None to get it from the op's own backward.
    """

    kind: str
    formulas: tuple[str, ...]
    french: tuple[str, ...] = ()
    local: tuple[LocalFn | None, ...] = field(default=())

    def formula(self, position: int, lang: str = "en") -> str:
        """The text of input ``position``'s local derivative, in ``lang`` ("en" or "fr")."""
        texts = self.french if lang == "fr" and self.french else self.formulas
        if not texts:
            return "∂out/∂input"
        return texts[min(position, len(texts) - 1)]


def _value(values: list, position: int) -> Any:
    value = values[position] if position < len(values) else None
    return None if value is None else np.asarray(value)


def _needs(*positions: int) -> Callable[[LocalFn], LocalFn]:
    """Wrap a local function so it returns None when a value it reads is unknown."""

    def wrap(function: LocalFn) -> LocalFn:
        def local(values: list, out: Any) -> Any:
            if any(_value(values, p) is None for p in positions):
                return None
            return function(values, out)

        return local

    return wrap


def _of_output(function: Callable[[np.ndarray], Any]) -> LocalFn:
    def local(values: list, out: Any) -> Any:
        return None if out is None else function(np.asarray(out))

    return local


def _ones(values: list, out: Any) -> Any:
    return 1.0


def _minus_ones(values: list, out: Any) -> Any:
    return -1.0


@_needs(0, 1)
def _pow_base(values: list, out: Any) -> Any:
    x, y = _value(values, 0), _value(values, 1)
    return y * x ** (y - 1)


@_needs(0)
def _pow_exponent(values: list, out: Any) -> Any:
    x = _value(values, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, np.asarray(out) * np.log(np.where(x == 0, 1.0, x)))


@_needs(0, 1)
def _mse_input(values: list, out: Any) -> Any:
    x, target = _value(values, 0), _value(values, 1)
    reduction = values[2] if len(values) > 2 else "mean"
    scale = 2.0 / x.size if reduction == "mean" else 2.0
    return (x - target) * scale


def _mse_target(values: list, out: Any) -> Any:
    local = _mse_input(values, out)
    return None if local is None else -local


def _of_input(function: Callable[..., Any], *positions: int) -> LocalFn:
    @_needs(*positions)
    def local(values: list, out: Any) -> Any:
        return function(*(_value(values, p) for p in positions))

    return local


RULES: dict[type, Rule] = {
    ew.Add: Rule(ELEMENTWISE, ("∂(x + y)/∂x = 1", "∂(x + y)/∂y = 1"), (), (_ones, _ones)),
    ew.Sub: Rule(ELEMENTWISE, ("∂(x − y)/∂x = 1", "∂(x − y)/∂y = −1"), (), (_ones, _minus_ones)),
    ew.Mul: Rule(
        ELEMENTWISE, ("∂(x·y)/∂x = y", "∂(x·y)/∂y = x"), (),
        (_of_input(lambda y: y, 1), _of_input(lambda x: x, 0)),
    ),
    ew.Div: Rule(
        ELEMENTWISE, ("∂(x/y)/∂x = 1/y", "∂(x/y)/∂y = −x/y²"), (),
        (_of_input(lambda y: 1.0 / y, 1), _of_input(lambda x, y: -x / (y * y), 0, 1)),
    ),
    ew.Pow: Rule(
        ELEMENTWISE, ("∂(xⁿ)/∂x = n·xⁿ⁻¹", "∂(aʸ)/∂y = aʸ·ln a"), (), (_pow_base, _pow_exponent)
    ),
    ew.Neg: Rule(ELEMENTWISE, ("∂(−x)/∂x = −1",), (), (_minus_ones,)),
    ew.Exp: Rule(ELEMENTWISE, ("exp'(x) = exp(x)",), (), (_of_output(lambda y: y),)),
    ew.Log: Rule(ELEMENTWISE, ("ln'(x) = 1/x",), (), (_of_input(lambda x: 1.0 / x, 0),)),
    ew.Sqrt: Rule(ELEMENTWISE, ("√'(x) = 1/(2√x)",), (), (_of_output(lambda y: 0.5 / y),)),
    ew.Abs: Rule(ELEMENTWISE, ("|x|' = sign(x)",), (), (_of_input(np.sign, 0),)),
    ew.Tanh: Rule(
        ELEMENTWISE, ("tanh'(z) = 1 − tanh(z)²",), (), (_of_output(lambda y: 1 - y * y),)
    ),
    ew.Sigmoid: Rule(
        ELEMENTWISE, ("σ'(z) = σ(z)(1 − σ(z))",), (), (_of_output(lambda y: y * (1 - y)),)
    ),
    ew.ReLU: Rule(
        ELEMENTWISE, ("relu'(z) = 1 if z > 0, else 0",), ("relu'(z) = 1 si z > 0, sinon 0",),
        (_of_input(lambda x: (x > 0).astype(x.dtype), 0),),
    ),
    ew.LeakyReLU: Rule(
        ELEMENTWISE, ("1 if z > 0, else the slope",), ("1 si z > 0, sinon la pente",)
    ),
    ew.Clamp: Rule(
        ELEMENTWISE, ("1 where low ≤ x ≤ high, else 0",), ("1 là où bas ≤ x ≤ haut, sinon 0",)
    ),
    ew.Maximum: Rule(
        ELEMENTWISE, ("1 where x is the larger (½ on ties)", "1 where y is the larger"),
        ("1 là où x est le plus grand (½ si égalité)", "1 là où y est le plus grand"),
    ),
    ew.Minimum: Rule(
        ELEMENTWISE, ("1 where x is the smaller (½ on ties)", "1 where y is the smaller"),
        ("1 là où x est le plus petit (½ si égalité)", "1 là où y est le plus petit"),
    ),
    ew.Where: Rule(
        ELEMENTWISE, ("-", "1 where the condition holds", "1 where it does not"),
        ("-", "1 là où la condition est vraie", "1 là où elle est fausse"),
    ),
    ew.Dropout: Rule(ELEMENTWISE, ("mask / (1 − p)",), ("masque / (1 − p)",)),
    ew.Clone: Rule(ELEMENTWISE, ("1",), (), (_ones,)),
    ew.Cast: Rule(ELEMENTWISE, ("1",), (), (_ones,)),
    reduce.Sum: Rule(REDUCE, ("∂(Σ x)/∂xᵢ = 1",)),
    reduce.Mean: Rule(REDUCE, ("∂(mean x)/∂xᵢ = 1/n",)),
    reduce.Amax: Rule(REDUCE, ("1 at the maximum (shared on ties)",), ("1 au maximum",)),
    reduce.Amin: Rule(REDUCE, ("1 at the minimum (shared on ties)",), ("1 au minimum",)),
    reduce.ExtremumAlong: Rule(MOVES, ("1 at the element picked",), ("1 à l'élément choisi",)),
    reduce.Softmax: Rule(JACOBIAN, ("∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ)",)),
    reduce.LogSoftmax: Rule(JACOBIAN, ("∂(log sᵢ)/∂xⱼ = δᵢⱼ − sⱼ",)),
    linalg.MatMul: Rule(
        MATMUL, ("∂(a·b)/∂a = b (the other operand)", "∂(a·b)/∂b = a (the other operand)"),
        ("∂(a·b)/∂a = b (l'autre opérande)", "∂(a·b)/∂b = a (l'autre opérande)"),
    ),
    linalg.Linear: Rule(
        LINEAR, ("∂(x·Wᵀ + b)/∂x = W", "∂(x·Wᵀ + b)/∂W = x", "∂(x·Wᵀ + b)/∂b = 1")
    ),
    loss.MSELoss: Rule(
        ELEMENTWISE, ("∂L/∂x = 2(x − t)/n", "∂L/∂t = −2(x − t)/n"), (), (_mse_input, _mse_target)
    ),
    loss.NLLLoss: Rule(
        MOVES, ("∂L/∂logp = −wₜ/n at the target class",),
        ("∂L/∂logp = −wₜ/n à la classe cible",),
    ),
}  # fmt: skip
for _op in movement.PRIMITIVES:
    RULES[_op] = Rule(MOVES, ("1 (elements moved)",), ("1 (éléments déplacés)",))

# Ops after which a value is a neuron's output: the chain rule line has one factor per neuron.
ACTIVATIONS: tuple[type, ...] = (
    ew.Sigmoid, ew.Tanh, ew.ReLU, ew.LeakyReLU, reduce.Softmax, reduce.LogSoftmax,
)  # fmt: skip

GENERIC = Rule(JACOBIAN, ())


def rule_for(op: type) -> Rule:
    """The rule of ``op``; a generic one for ops without an entry (user Functions...)."""
    return RULES.get(op, GENERIC)


def other_operand(rule: Rule, position: int, values: list) -> Any:
    """For a matrix product, the operand that multiplies the upstream gradient of input
    ``position``: W for x, x for W, 1 for the bias (Linear); b for a, a for b (matmul)."""
    if rule.kind == LINEAR:
        if position == 2:
            return np.asarray(1.0)
        return _value(values, 1 - position)
    return _value(values, 1 - position)


def expected_contribution(
    rule: Rule, position: int, upstream: Any, local: Any, input_shape: tuple, op_args: dict
) -> Any:
    """Upstream ⊗ local, combined as the op's kind says, in the input's shape: what the
    contribution must equal (None when the kind has no such product)."""
    if local is None or upstream is None:
        return None
    upstream, local = np.asarray(upstream), np.asarray(local)
    if rule.kind == ELEMENTWISE:
        return sum_to_shape(upstream * local, input_shape)
    if rule.kind == REDUCE:
        spread = _spread(upstream, input_shape, op_args)
        return None if spread is None else spread * local
    if rule.kind == LINEAR:
        return _linear_product(position, upstream, local, input_shape)
    if rule.kind == MATMUL:
        return _matmul_product(position, upstream, local, input_shape)
    return None


def _spread(upstream: np.ndarray, input_shape: tuple, op_args: dict) -> Any:
    """A reduction's upstream gradient, repeated over the axes it reduced."""
    axes, keepdims = op_args.get("axes"), op_args.get("keepdims", False)
    if not keepdims and axes is not None:
        kept = tuple(1 if axis in axes else size for axis, size in enumerate(input_shape))
        upstream = upstream.reshape(kept)
    try:
        return np.broadcast_to(upstream, input_shape)
    except ValueError:
        return None


def _linear_product(position: int, upstream: np.ndarray, local: np.ndarray, shape: tuple) -> Any:
    rows = upstream.reshape((-1, upstream.shape[-1])) if upstream.ndim else upstream.reshape(1, 1)
    if position == 0:  # x: upstream @ W
        return (upstream @ local).reshape(shape)
    if position == 1:  # W: upstreamᵀ @ x over every batch row
        return (rows.T @ local.reshape((-1, local.shape[-1]))).reshape(shape)
    return rows.sum(axis=0).reshape(shape) * local  # b


def _matmul_product(position: int, upstream: np.ndarray, local: np.ndarray, shape: tuple) -> Any:
    """a @ b with NumPy's rules for 1-D operands: upstream @ bᵀ for a, aᵀ @ upstream for b."""
    a_shape, b_shape = (shape, local.shape) if position == 0 else (local.shape, shape)
    a_vector, b_vector = len(a_shape) == 1, len(b_shape) == 1
    grad = upstream
    if a_vector and b_vector:
        grad = grad.reshape((1, 1))
    elif a_vector:
        grad = grad.reshape(grad.shape[:-1] + (1,) + grad.shape[-1:])
    elif b_vector:
        grad = grad.reshape(grad.shape + (1,))
    if position == 0:
        b = local.reshape(local.shape + (1,)) if b_vector else local
        result = grad @ b.swapaxes(-1, -2)
        if a_vector:
            result = result.reshape(result.shape[:-2] + result.shape[-1:])
    else:
        a = local.reshape((1,) + local.shape) if a_vector else local
        result = a.swapaxes(-1, -2) @ grad
        if b_vector:
            result = result.reshape(result.shape[:-1])
    return sum_to_shape(result, shape)
