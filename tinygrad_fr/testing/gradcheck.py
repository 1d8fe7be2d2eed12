"""Check analytic gradients against central finite differences, in float64.

``gradcheck`` compares the full Jacobian of a function computed by backward (one
vector-Jacobian product per output element) with the one from central differences (two
forward calls per input element). ``gradgradcheck`` does the same for the gradient itself,
which checks second-order derivatives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..autograd import engine, grad_mode
from ..tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised when an analytic gradient disagrees with finite differences."""


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central finite differences.

    Inputs that require grad are copied to float64 and differentiated; others are passed as
    they are. On failure the error (or ``False`` when ``raise_exception`` is False) names the
    input, the output, the worst index and both values.

    >>> import tinygrad_fr as tg
    >>> x = tg.Tensor([0.5, 2.0], dtype=tg.float64, requires_grad=True)
    >>> tg.testing.gradcheck(lambda t: (t * t.exp()).sum(), x)
    True
    """
    args = _float64_inputs(inputs)
    checked = [i for i, arg in enumerate(args) if isinstance(arg, Tensor) and arg.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad; nothing to check")
    outputs = _outputs(fn, args)
    for out_index, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        analytic = _analytic_jacobian(fn, args, checked, out_index, out)
        numeric = _numeric_jacobian(fn, args, checked, out_index, eps)
        for position, input_index in enumerate(checked):
            failure = _compare(analytic[position], numeric[position], atol, rtol)
            if failure is not None:
                message = _describe_failure(
                    "gradcheck", input_index, out_index, args[input_index].shape, out.shape,
                    failure, atol, rtol,
                )  # fmt: skip
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check second-order gradients: gradcheck of the gradient of ``fn`` (built with create_graph).

    ``grad_outputs`` (random when None, from a fixed seed) are differentiated too, as in
    PyTorch, which also checks that backward is linear in them.

    >>> import tinygrad_fr as tg
    >>> x = tg.Tensor([0.5, -1.0], dtype=tg.float64, requires_grad=True)
    >>> tg.testing.gradgradcheck(lambda t: t.tanh(), x)
    True
    """
    args = _float64_inputs(inputs)
    checked = [i for i, arg in enumerate(args) if isinstance(arg, Tensor) and arg.requires_grad]
    if not checked:
        raise ValueError("gradgradcheck: no input requires grad; nothing to check")
    outputs = _outputs(fn, args)
    differentiable = [i for i, out in enumerate(outputs) if out.requires_grad]
    if grad_outputs is None:
        generator = np.random.default_rng(0)
        grad_outputs = [
            Tensor(generator.standard_normal(outputs[i].shape), requires_grad=True)
            for i in differentiable
        ]
    else:
        given = [grad_outputs] if isinstance(grad_outputs, Tensor) else list(grad_outputs)
        grad_outputs = [Tensor(np.asarray(g, dtype=np.float64), requires_grad=True) for g in given]
    count = len(args)

    def first_gradients(*values: Any) -> tuple:
        with grad_mode.enable_grad():  # also when gradcheck evaluates it under no_grad
            outs = _outputs(fn, values[:count])
            grads = engine.grad(
                [outs[i] for i in differentiable],
                [values[i] for i in checked],
                list(values[count:]),
                create_graph=True,
                allow_unused=True,
            )
        return tuple(
            g if g is not None else Tensor(np.zeros(values[checked[k]].shape))
            for k, g in enumerate(grads)
        )

    try:
        return gradcheck(
            first_gradients, tuple(args) + tuple(grad_outputs), eps, atol, rtol, raise_exception
        )
    except GradcheckError as error:
        raise GradcheckError(f"gradgradcheck (second order): {error}") from None


def _float64_inputs(inputs: Any) -> list:
    items = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    converted = []
    for item in items:
        if isinstance(item, Tensor):
            copy = Tensor(item._data.astype(np.float64))
            copy.requires_grad = item.requires_grad
            converted.append(copy)
        else:
            converted.append(item)
    return converted


def _outputs(fn: Callable[..., Any], args: Sequence[Any]) -> list:
    result = fn(*args)
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    for index, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(
                f"gradcheck: output {index} of fn is {type(out).__name__}, not a Tensor"
            )
    return outputs


def _analytic_jacobian(
    fn: Callable[..., Any], args: list, checked: list, out_index: int, out: Tensor
) -> list[np.ndarray]:
    """d(out)/d(input) for each checked input, shaped (out.size, input.size)."""
    jacobians = [np.zeros((out._data.size, args[i]._data.size)) for i in checked]
    for row in range(out._data.size):
        seed = np.zeros(out._data.size)
        seed[row] = 1.0
        fresh = _outputs(fn, args)[out_index]
        grads = engine.grad(
            fresh, [args[i] for i in checked], Tensor(seed.reshape(out.shape)), allow_unused=True
        )
        for position, g in enumerate(grads):
            if g is not None:
                jacobians[position][row] = g._data.reshape(-1)
    return jacobians


def _numeric_jacobian(
    fn: Callable[..., Any], args: list, checked: list, out_index: int, eps: float
) -> list[np.ndarray]:
    """Central differences (f(x + eps) - f(x - eps)) / 2 eps, column by column."""
    jacobians = []
    with grad_mode.no_grad():
        for input_index in checked:
            tensor = args[input_index]
            base = tensor._data
            columns = []
            for column in range(base.size):
                shifted = base.copy()
                shifted.flat[column] += eps
                tensor._data = shifted
                plus = _outputs(fn, args)[out_index]._data.astype(np.float64).reshape(-1)
                shifted = base.copy()
                shifted.flat[column] -= eps
                tensor._data = shifted
                minus = _outputs(fn, args)[out_index]._data.astype(np.float64).reshape(-1)
                columns.append((plus - minus) / (2 * eps))
            tensor._data = base
            size = _outputs(fn, args)[out_index]._data.size
            jacobians.append(np.stack(columns, axis=1) if columns else np.zeros((size, 0)))
    return jacobians


def _compare(analytic: np.ndarray, numeric: np.ndarray, atol: float, rtol: float) -> Any:
    """None if close everywhere, else (flat output index, flat input index, a, n)."""
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    excess = np.where(np.isnan(analytic) != np.isnan(numeric), np.inf, excess)
    if analytic.size == 0 or not (excess > 0).any():
        return None
    row, column = np.unravel_index(np.nanargmax(excess), excess.shape)
    return row, column, analytic[row, column], numeric[row, column]


def _describe_failure(
    check: str, input_index: int, out_index: int, in_shape: tuple, out_shape: tuple,
    failure: tuple, atol: float, rtol: float,
) -> str:  # fmt: skip
    row, column, analytic, numeric = failure
    in_position = np.unravel_index(column, in_shape) if in_shape else ()
    out_position = np.unravel_index(row, out_shape) if out_shape else ()
    return (
        f"{check}: the gradient of output {out_index} at index {tuple(map(int, out_position))} "
        f"with respect to input {input_index} at index {tuple(map(int, in_position))} is "
        f"{float(analytic)!r} by backward but {float(numeric)!r} by finite differences (worst "
        "mismatch; "
        f"tolerance atol={atol}, rtol={rtol})"
    )
