"""Higher-level differentiation, as torch.autograd.functional: vjp, jvp, jacobian, hessian,
vhp and hvp of a function of Tensors.

Each calls the function on fresh leaves (or, with ``create_graph``, on views of the inputs,
so that the result can be differentiated again) and is built on :func:`~.engine.grad`,
with PyTorch's argument checks and return structures. ``jvp`` and ``hvp`` use PyTorch's
double-backward trick (a backward is linear in its incoming gradient, so differentiating it
with respect to that gradient gives the forward product).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..functions import stack
from . import function
from .engine import grad
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _as_tuple(value: Any, what: str, caller: str) -> tuple[bool, tuple]:
    """(whether ``value`` was a tuple, ``value`` as a tuple of Tensors)."""
    is_tuple = isinstance(value, (tuple, list))
    values = tuple(value) if is_tuple else (value,)
    for index, item in enumerate(values):
        if not isinstance(item, function.Tensor):
            where = f" the value at index {index}" if is_tuple else ""
            raise TypeError(
                f"{caller}: the {what} must be either a Tensor or a tuple of Tensors but"
                f"{where or ' it'} has type {type(item).__name__}"
            )
    return is_tuple, values


def _tuple_postprocess(result: Any, was_tuple: bool | tuple[bool, bool]) -> Any:
    """Undo :func:`_as_tuple`: unwrap one level (or two, for jacobian and hessian)."""
    if isinstance(was_tuple, tuple):
        outer, inner = was_tuple
        if not inner:
            result = tuple(row[0] for row in result)
        return result if outer else result[0]
    return result if was_tuple else result[0]


def _grad_preprocess(values: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """Inputs to differentiate against: views keeping the history under create_graph, else
    fresh leaves (requiring grad when ``need_graph``)."""
    prepared = []
    for value in values:
        if create_graph and value.requires_grad:
            prepared.append(value.reshape(value.shape))  # PyTorch's view_as: still connected
        else:
            prepared.append(value.detach().requires_grad_(need_graph))
    return tuple(prepared)


def _grad_postprocess(values: Any, create_graph: bool) -> Any:
    """Detach the results unless the caller wants to differentiate them again."""
    if isinstance(values[0], function.Tensor) or values[0] is None:
        if create_graph:
            return values
        return tuple(v.detach() if v is not None else None for v in values)
    return tuple(_grad_postprocess(v, create_graph) for v in values)


def _validate_v(v: tuple, other: tuple, other_is_tuple: bool) -> None:
    if len(other) != len(v):
        raise RuntimeError(
            f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}"
            if other_is_tuple
            else "The given v should contain a single Tensor."
        )
    for index, (vector, reference) in enumerate(zip(v, other, strict=True)):
        if vector.shape != reference.shape:
            prefix = f"Entry {index} in v" if other_is_tuple else "v"
            raise RuntimeError(
                f"{prefix} has invalid size: should be {reference.shape} but got {vector.shape}"
            )


def _check_requires_grad(values: tuple, what: str, strict: bool) -> None:
    if not strict:
        return
    for index, value in enumerate(values):
        if value is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {index}. "
                "This is not allowed in strict mode."
            )
        if not value.requires_grad:
            if what == "hessian":
                raise RuntimeError(
                    f"The hessian of the user-provided function with respect to input {index} "
                    "is independent of the input. This is not allowed in strict mode."
                )
            if what == "jacobian":
                raise RuntimeError(
                    "While computing the hessian, found that the jacobian of the user-provided "
                    f"function with respect to input {index} is independent of the input. This "
                    "is not allowed in strict mode."
                )
            raise RuntimeError(
                f"{what.capitalize()} {index} of the user-provided function does not require "
                "gradients. The outputs must be computed in a differentiable manner from the "
                "input when running in strict mode."
            )


def _autograd_grad(
    outputs: tuple,
    inputs: tuple,
    grad_outputs: tuple | None = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
) -> tuple:
    """grad() of the outputs that require grad (None for every input when none does)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept = [
        (out, start)
        for out, start in zip(outputs, grad_outputs, strict=True)
        if out is not None and out.requires_grad
    ]
    if not kept:
        return (None,) * len(inputs)
    outs, starts = zip(*kept, strict=True)
    return grad(
        list(outs), list(inputs), list(starts), retain_graph=retain_graph,
        create_graph=create_graph, allow_unused=True,
    )  # fmt: skip


def _fill_in_zeros(
    grads: tuple, refs: tuple, strict: bool, create_graph: bool, stage: str
) -> tuple:
    """Zeros for the gradients that are None (an input that does not affect the output)."""
    filled = []
    for index, (value, reference) in enumerate(zip(grads, refs, strict=True)):
        if value is None:
            if strict:
                raise RuntimeError(_STRICT_MESSAGES[stage].format(index))
            value = function.Tensor._make(np.zeros_like(reference._data), False, None)
        elif strict and create_graph and not value.requires_grad:
            raise RuntimeError(_STRICT_CREATE_GRAPH_MESSAGES[stage].format(index))
        filled.append(value)
    return tuple(filled)


_STRICT_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {}. This is "
    "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. "
    "This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {}. "
    "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
    "{} in the grad_jacobian. This is not allowed in strict mode as it prevents from using "
    "the double backward trick to replace forward mode AD.",
}
_STRICT_CREATE_GRAPH_MESSAGES = {
    "back": "The jacobian of the user-provided function is independent of input {}. This is "
    "not allowed in strict mode when create_graph=True.",
    "back_trick": "The gradient with respect to the input is independent of entry {} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. "
    "This is not allowed in strict mode when create_graph=True.",
    "double_back": "The jacobian of the user-provided function is independent of input {}. "
    "This is not allowed in strict mode when create_graph=True.",
    "double_back_trick": "The hessian of the user-provided function is independent of input "
    "{}. This is not allowed in strict mode when create_graph=True.",
}


def _zeros_requiring_grad(values: tuple) -> tuple:
    return tuple(function.Tensor._make(np.zeros_like(v._data), True, None) for v in values)


def _prepared_v(v: Any, caller: str, create_graph: bool, against: tuple, is_tuple: bool) -> Any:
    if v is None:
        return None
    _, vs = _as_tuple(v, "v", caller)
    vs = _grad_preprocess(vs, create_graph=create_graph, need_graph=False)
    _validate_v(vs, against, is_tuple)
    return vs


def _needs_single_element(values: tuple, which: str) -> None:
    if len(values) != 1 or values[0].numel() != 1:
        raise RuntimeError(
            f"The vector v can only be None if the {which} is a single Tensor with a single "
            "element."
        )


def _scalar_output(func: Callable[..., Any], inputs: tuple, strict: bool, caller: str) -> tuple:
    outputs = func(*inputs)
    is_tuple, outs = _as_tuple(outputs, "outputs of the user-provided function", caller)
    _check_requires_grad(outs, "outputs", strict)
    if is_tuple:
        raise RuntimeError(f"The function given to {caller} should return a single Tensor")
    if outs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {caller} should contain a single element"
        )
    return outs


def vjp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), vᵀ J): the vector-Jacobian product at ``inputs``, shaped as the inputs.

    >>> import tinygrad_fr as tg
    >>> from tinygrad_fr.autograd.functional import vjp
    >>> vjp(lambda x: x**2, tg.Tensor([1.0, 2.0]), tg.Tensor([1.0, 1.0]))
    (tensor([1., 4.]), tensor([2., 4.]))
    """
    with enable_grad():
        inputs_tuple, ins = _as_tuple(inputs, "inputs", "vjp")
        ins = _grad_preprocess(ins, create_graph, need_graph=True)
        outputs_tuple, outs = _as_tuple(func(*ins), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outs, "outputs", strict)
        vs = _prepared_v(v, "vjp", create_graph, outs, outputs_tuple)
        if vs is None:
            _needs_single_element(outs, "user-provided function returns")
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = _autograd_grad(outs, ins, vs, create_graph=create_graph)
        product = _fill_in_zeros(grads, ins, strict, create_graph, "back")
    outs = _grad_postprocess(outs, create_graph)
    product = _grad_postprocess(product, create_graph)
    return _tuple_postprocess(outs, outputs_tuple), _tuple_postprocess(product, inputs_tuple)


def jvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), J v): the Jacobian-vector product at ``inputs``, shaped as the outputs.

    >>> import tinygrad_fr as tg
    >>> from tinygrad_fr.autograd.functional import jvp
    >>> jvp(lambda x: x**2, tg.Tensor([1.0, 2.0]), tg.Tensor([1.0, 0.5]))
    (tensor([1., 4.]), tensor([2., 2.]))
    """
    with enable_grad():
        inputs_tuple, ins = _as_tuple(inputs, "inputs", "jvp")
        ins = _grad_preprocess(ins, create_graph, need_graph=True)
        vs = _prepared_v(v, "jvp", create_graph, ins, inputs_tuple)
        if vs is None:
            _needs_single_element(ins, "input to the user-provided function")
        outputs_tuple, outs = _as_tuple(func(*ins), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outs, "outputs", strict)
        # Any finite values do: the backward is linear in them, they vanish when differentiated.
        starts = _zeros_requiring_grad(outs)
        grad_inputs = _autograd_grad(outs, ins, starts, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = _autograd_grad(grad_inputs, starts, vs, create_graph=create_graph)
        product = _fill_in_zeros(grads, outs, strict, create_graph, "back_trick")
    outs = _grad_postprocess(outs, create_graph)
    product = _grad_postprocess(product, create_graph)
    return _tuple_postprocess(outs, outputs_tuple), _tuple_postprocess(product, outputs_tuple)


def jacobian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``: for output i and input j, a Tensor of shape
    ``out_i.shape + in_j.shape``, nested as PyTorch (a Tensor, a tuple, or tuples of tuples).

    One backward pass per output element; ``vectorize`` is accepted and gives the same result.

    >>> import tinygrad_fr as tg
    >>> from tinygrad_fr.autograd.functional import jacobian
    >>> jacobian(lambda x: x**2, tg.Tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(
            f"jacobian: expected strategy to be either 'forward-mode' or 'reverse-mode', got "
            f"{strategy!r}"
        )
    with enable_grad():
        inputs_tuple, ins = _as_tuple(inputs, "inputs", "jacobian")
        ins = _grad_preprocess(ins, create_graph, need_graph=True)
        outputs = func(*ins)
        outputs_tuple, outs = _as_tuple(
            outputs, "outputs of the user-provided function", "jacobian"
        )
        _check_requires_grad(outs, "outputs", strict)
        rows = tuple(
            _jacobian_of(out, index, ins, create_graph, strict) for index, out in enumerate(outs)
        )
    rows = _grad_postprocess(rows, create_graph)
    return _tuple_postprocess(rows, (outputs_tuple, inputs_tuple))


def _jacobian_of(out: Any, index: int, ins: tuple, create_graph: bool, strict: bool) -> tuple:
    """The Jacobian of one output with respect to each input."""
    parts: list[list] = [[] for _ in ins]
    flat = out.reshape(-1)
    for element in range(out.numel()):
        row = _autograd_grad((flat[element],), ins, retain_graph=True, create_graph=create_graph)
        for position, (value, reference) in enumerate(zip(row, ins, strict=True)):
            if value is None:
                if strict:
                    raise RuntimeError(
                        f"Output {index} of the user-provided function is independent of input "
                        f"{position}. This is not allowed in strict mode."
                    )
                value = function.Tensor._make(np.zeros_like(reference._data), False, None)
            elif strict and create_graph and not value.requires_grad:
                raise RuntimeError(
                    "The jacobian of the user-provided function is independent of input "
                    f"{position}. This is not allowed in strict mode when create_graph=True."
                )
            parts[position].append(value)
    return tuple(
        _stack(values, reference).reshape(out.shape + reference.shape)
        for values, reference in zip(parts, ins, strict=True)
    )


def _stack(values: list, reference: Any) -> Any:
    if not values:  # an output with no element
        return function.Tensor._make(np.zeros((0,) + reference.shape, reference.dtype), False, None)
    return stack(values, 0)


def hessian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of the scalar function ``func`` at ``inputs``: for inputs i and j, a Tensor
    of shape ``in_i.shape + in_j.shape`` (a Tensor for one input, tuples of tuples otherwise).

    >>> import tinygrad_fr as tg
    >>> from tinygrad_fr.autograd.functional import hessian
    >>> hessian(lambda x: (x**3).sum(), tg.Tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    inputs_tuple, ins = _as_tuple(inputs, "inputs", "hessian")

    def single_output(*values: Any) -> Any:
        return _scalar_output(func, values, strict, "hessian")[0].reshape(())

    def gradient(*values: Any) -> Any:
        jac = jacobian(single_output, values, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(
        gradient, ins, create_graph=create_graph, strict=strict, vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )  # fmt: skip
    return _tuple_postprocess(result, (inputs_tuple, inputs_tuple))


def vhp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), vᵀ H): the vector-Hessian product of the scalar ``func`` at ``inputs``.

    >>> import tinygrad_fr as tg
    >>> from tinygrad_fr.autograd.functional import vhp
    >>> vhp(lambda x: (x**3).sum(), tg.Tensor([1.0, 2.0]), tg.Tensor([1.0, 1.0]))
    (tensor(9.), tensor([ 6., 12.]))
    """
    with enable_grad():
        inputs_tuple, ins = _as_tuple(inputs, "inputs", "vhp")
        ins = _grad_preprocess(ins, create_graph, need_graph=True)
        vs = _prepared_v(v, "vhp", create_graph, ins, inputs_tuple)
        if vs is None:
            _needs_single_element(ins, "input to the user-provided function")
        outs = _scalar_output(func, ins, strict, "vhp")
        jac = _autograd_grad(outs, ins, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = _autograd_grad(jac, ins, vs, create_graph=create_graph)
        product = _fill_in_zeros(grads, ins, strict, create_graph, "double_back")
    outs = _grad_postprocess(outs, create_graph)
    product = _grad_postprocess(product, create_graph)
    return _tuple_postprocess(outs, False), _tuple_postprocess(product, inputs_tuple)


def hvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), H v): the Hessian-vector product of the scalar ``func`` at ``inputs``
    (PyTorch's double-backward trick; equal to vhp for twice-differentiable functions).

    >>> import tinygrad_fr as tg
    >>> from tinygrad_fr.autograd.functional import hvp
    >>> hvp(lambda x: (x**3).sum(), tg.Tensor([1.0, 2.0]), tg.Tensor([1.0, 0.0]))
    (tensor(9.), tensor([6., 0.]))
    """
    with enable_grad():
        inputs_tuple, ins = _as_tuple(inputs, "inputs", "hvp")
        ins = _grad_preprocess(ins, create_graph, need_graph=True)
        vs = _prepared_v(v, "hvp", create_graph, ins, inputs_tuple)
        if vs is None:
            _needs_single_element(ins, "input to the user-provided function")
        outs = _scalar_output(func, ins, strict, "hvp")
        jac = _autograd_grad(outs, ins, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        starts = _zeros_requiring_grad(ins)
        double_back = _autograd_grad(jac, ins, starts, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = _autograd_grad(double_back, starts, vs, create_graph=create_graph)
        product = _fill_in_zeros(grads, ins, strict, create_graph, "double_back_trick")
    outs = _grad_postprocess(outs, create_graph)
    product = _grad_postprocess(product, create_graph)
    return _tuple_postprocess(outs, False), _tuple_postprocess(product, inputs_tuple)
