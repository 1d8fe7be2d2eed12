"""Module hooks, as PyTorch's: forward pre-hooks, forward hooks, full backward (pre-)hooks.

A module with no hook is called straight (``Module.__call__`` tests one flag). With backward
hooks, the module's tensor inputs and outputs go through two identity ops whose nodes see
the gradients: the outputs' node receives ``grad_output`` (and runs the backward pre-hooks),
the inputs' node receives ``grad_input`` and calls ``hook(module, grad_input, grad_output)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..autograd.function import Function
from ..autograd.hooks import RemovableHandle, add_hook, new_registry
from ..tensor import Tensor

if TYPE_CHECKING:
    from .module import Module


def register(
    module: Module, kind: str, hook: Callable[..., Any], prepend: bool = False
) -> RemovableHandle:
    """Add ``hook`` to the module's registry ``kind`` (``_forward_hooks``...)."""
    registry = module.__dict__.get(kind)
    if registry is None:
        registry = new_registry()
        object.__setattr__(module, kind, registry)
    object.__setattr__(module, "_has_hooks", True)
    return add_hook(registry, hook, prepend)


def with_kwargs_pre_hook(hook: Callable[..., Any]) -> Callable[..., Any]:
    """A ``hook(module, args)`` in the form ``hook(module, args, kwargs) -> (args, kwargs)``."""

    def adapted(module: Module, args: tuple, kwargs: dict) -> Any:
        result = hook(module, args)
        if result is None:
            return None
        return (result if isinstance(result, tuple) else (result,)), kwargs

    return adapted


def with_kwargs_hook(hook: Callable[..., Any]) -> Callable[..., Any]:
    """A ``hook(module, args, output)`` in the form ``hook(module, args, kwargs, output)``."""

    def adapted(module: Module, args: tuple, kwargs: dict, output: Any) -> Any:
        return hook(module, args, output)

    return adapted


def call_with_hooks(module: Module, args: tuple, kwargs: dict) -> Any:
    """``module(*args, **kwargs)`` running the module's hooks around ``forward``."""
    for hook in tuple(module._forward_pre_hooks.values()):
        result = hook(module, args, kwargs)
        if result is not None:
            args, kwargs = result
    backward_hooks = module._backward_hooks or module._backward_pre_hooks
    call = _BackwardCall(module) if backward_hooks else None
    if call is not None:
        args = call.wrap_inputs(args)
    output = module.forward(*args, **kwargs)
    for hook in tuple(module._forward_hooks.values()):
        result = hook(module, args, kwargs, output)
        if result is not None:
            output = result
    if call is not None:
        output = call.wrap_outputs(output)
    return output


class _BackwardCall:
    """The gradients of one call of a module with backward hooks."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.n_inputs = 0
        self.inputs_need_grad = False
        self.grad_output: tuple = ()

    def wrap_inputs(self, args: tuple) -> tuple:
        positions = [i for i, arg in enumerate(args) if isinstance(arg, Tensor)]
        self.n_inputs = len(positions)
        self.inputs_need_grad = any(args[i]._requires_grad for i in positions)
        if not self.inputs_need_grad:
            return args
        wrapped = _InputsHook.apply(self, *(args[i] for i in positions))
        wrapped = wrapped if isinstance(wrapped, tuple) else (wrapped,)
        new_args = list(args)
        for position, tensor in zip(positions, wrapped):
            new_args[position] = tensor
        return tuple(new_args)

    def wrap_outputs(self, output: Any) -> Any:
        single = isinstance(output, Tensor)
        outputs = (output,) if single else output
        if not isinstance(outputs, tuple) or not all(isinstance(o, Tensor) for o in outputs):
            return output  # not tensors: nothing to hook (as PyTorch)
        if not any(o._requires_grad for o in outputs):
            return output
        wrapped = _OutputsHook.apply(self, *outputs)
        return wrapped if single else tuple(wrapped) if isinstance(wrapped, tuple) else (wrapped,)

    def got_grad_output(self, grads: tuple) -> tuple:
        """The outputs' gradients arrived: backward pre-hooks, then (if no input needs a
        gradient) the backward hooks, which then see ``grad_input`` as Nones."""
        module = self.module
        for hook in tuple(module._backward_pre_hooks.values()):
            result = hook(module, grads)
            if result is not None:
                grads = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        self.grad_output = grads
        if not self.inputs_need_grad:
            for hook in tuple(module._backward_hooks.values()):
                hook(module, (None,) * self.n_inputs, grads)
        return grads

    def got_grad_input(self, grads: tuple) -> tuple:
        """The inputs' gradients are computed: backward hooks may replace them."""
        module = self.module
        for hook in tuple(module._backward_hooks.values()):
            result = hook(module, grads, self.grad_output)
            if result is not None:
                grads = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        return grads


class _OutputsHook(Function):
    """Identity on a module's outputs; its backward hands grad_output to the call."""

    @staticmethod
    def forward(ctx: Any, call: _BackwardCall, *outputs: Tensor) -> Any:
        ctx.call = call
        ctx.set_materialize_grads(False)
        ctx.mark_non_differentiable(*(o for o in outputs if not o._requires_grad))
        return outputs if len(outputs) > 1 else outputs[0]

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return (None, *ctx.call.got_grad_output(grads))


class _InputsHook(Function):
    """Identity on a module's tensor inputs; its backward runs the full backward hooks."""

    @staticmethod
    def forward(ctx: Any, call: _BackwardCall, *inputs: Tensor) -> Any:
        ctx.call = call
        ctx.set_materialize_grads(False)
        ctx.mark_non_differentiable(*(x for x in inputs if not x._requires_grad))
        return inputs if len(inputs) > 1 else inputs[0]

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return (None, *ctx.call.got_grad_input(grads))
