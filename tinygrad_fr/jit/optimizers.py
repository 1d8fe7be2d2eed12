"""Library calls inside a step: ``zero_grad``, ``optimizer.step()``, schedulers, the rest.

``zero_grad`` becomes ``p._grad = None`` per parameter. Plain SGD (no momentum, no weight
decay: the course's optimizer) becomes its update written out, ``p -= lr * grad``, with
``lr`` read from the parameter group at each call, so a changed learning rate or a scheduler
takes effect at once. Every other call (Adam, SGD with momentum, a scheduler's step, an
optimizer of your own) is made as is: the generated code calls the method, which reads its
options and state as it always does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..nn.module import Module
from ..optim.optimizer import Optimizer
from ..optim.sgd import SGD
from ..tensor import reset_grads
from .codegen import BASE_NAMESPACE

if TYPE_CHECKING:
    from .program import Builder

BASE_NAMESPACE["reset_grads"] = reset_grads


def same_method(method: Any, attribute: Any) -> bool:
    """``method`` (as observers see it: undecorated) is the library's ``attribute``."""
    return method is attribute or method is getattr(attribute, "__wrapped__", None)


def emit_call(builder: Builder, method: Any, owner: Any, args: tuple, kwargs: dict) -> None:
    """The statements of one library call made by the step."""
    if same_method(method, Optimizer.zero_grad) or same_method(method, Module.zero_grad):
        set_to_none = _argument(args, kwargs, "set_to_none", True)
        if isinstance(owner, Module):
            params = list(owner.parameters())
            _watch_parameter_lists(builder, owner)
        else:
            params = [p for group in owner.param_groups for p in group["params"]]
        label = "optimizer" if isinstance(owner, Optimizer) else "model"
        if set_to_none is True:
            _zero_grad(builder, params, f"{label}.zero_grad()")
            return
    elif same_method(method, Optimizer.step) and isinstance(owner, SGD) and not args and not kwargs:
        if _plain_sgd(builder, owner):
            return
    _generic_call(builder, method, owner, args, kwargs)


def _argument(args: tuple, kwargs: dict, name: str, default: Any) -> Any:
    return args[0] if args else kwargs.get(name, default)


def _zero_grad(builder: Builder, params: list, title: str) -> None:
    """``p._grad = None`` for each parameter (left out, later, where a backward of the step
    gives the parameter a new gradient before anything reads it)."""
    e = builder.e
    e.comment(f"{title}: every .grad starts again from None (replaced below by backward)")
    for param in params:
        if builder.grad_state(param) is not None:
            e.emit(f"{builder.tensor_ref(param)}._grad = None", pure=False)
            builder.cleared[id(param)] = e.lines[-1]
        builder.set_grad_state(param, None)


def _watch_parameter_lists(builder: Builder, model: Module) -> None:
    """``model.zero_grad()`` resets the parameters it had: none may be added later."""
    for name, module in model.named_modules():
        ref = builder.guard.name(module, "module")
        size = len(module._parameters)
        what = f"module {name or type(model).__name__}"
        builder.guard.add(f"len({ref}._parameters) != {size}", f"{what} has other parameters")


def _plain_sgd(builder: Builder, optimizer: SGD) -> bool:
    """SGD without momentum, weight decay or maximize, written out; False: not this case."""
    cls = type(optimizer)
    if (
        cls._update is not SGD._update
        or cls.step is not Optimizer.step
        or cls.zero_grad is not Optimizer.zero_grad
    ):
        return False
    for group in optimizer.param_groups:
        if group["momentum"] != 0 or group["weight_decay"] != 0 or group["maximize"]:
            return False
        for param in group["params"]:
            if builder.grad_state(param) == "unknown":
                return False
    e = builder.e
    watch = builder.watch_optimizer(optimizer)
    e.comment("optimizer.step(): SGD, w <- w - lr * ∂L/∂w (lr read at each call)")
    for number, group in enumerate(optimizer.param_groups):
        group_ref = watch.group(number)
        lr = e.new("lr" if number == 0 else f"lr_group{number}", owned=False)
        text = f'{lr} = float({group_ref}["lr"])'
        e.emit(text, (), (lr,), "read at each call: a new lr takes effect at once", pure=False)
        for param in group["params"]:
            grad = builder.grad_value(param)
            if grad is None:
                continue  # no gradient: SGD leaves it alone
            data = builder.param_for_update(param)
            step = e.new(f"step_{data}", grad.shape, grad.dtype)
            e.emit(f"{step} = np.multiply({lr}, {grad}{e.out(step)})", (lr, grad), (step,))
            maths = f"{builder.display(param)} <- {builder.display(param)} - lr * ∂L/∂w"
            e.emit(f"{data} -= {step}", (data, step), (data,), maths, pure=False)
    return True


def _generic_call(builder: Builder, method: Any, owner: Any, args: tuple, kwargs: dict) -> None:
    """``method(owner, *args, **kwargs)``, as the step made it."""
    e = builder.e
    function = e.ref(method, f"{type(owner).__name__}_{method.__name__}")
    target = e.ref(owner, type(owner).__name__.lower())
    parts = [target] + [str(builder.argument(arg)) for arg in args]
    parts += [f"{key}={builder.argument(value)}" for key, value in kwargs.items()]
    e.comment(f"{type(owner).__name__}.{method.__name__}(): called as is")
    e.emit(f"{function}({', '.join(parts)})", pure=False)
    builder.after_call(method)
