"""Module: the base class of layers and models, as in PyTorch.

A Module registers the Parameters, buffers and sub-Modules assigned to its attributes, in
assignment order, and walks them for ``parameters()``, ``state_dict()``, ``train()``, ``to()``
and its repr. Subclasses write ``__init__`` (calling ``super().__init__()``) and ``forward``.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.hooks import RemovableHandle
from ..autograd.observer import observable
from ..tensor import Tensor, reset_grads
from . import hooks
from .conversion import check_device, to_arguments
from .parameter import Parameter

# What load_state_dict returns, as torch.nn.modules.module._IncompatibleKeys does.
IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class of every layer and model.

    >>> import tinygrad_fr as tg
    >>> class TwoLayers(tg.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = tg.nn.Linear(2, 3)
    ...         self.fc2 = tg.nn.Linear(3, 1)
    ...     def forward(self, x):
    ...         return self.fc2(self.fc1(x).tanh())
    >>> [name for name, _ in TwoLayers().named_parameters()]
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    """

    training: bool
    # Hook registries, created by the first registration (class-level empties until then).
    _has_hooks = False
    _forward_pre_hooks: dict = {}  # noqa: RUF012 - never mutated: registering makes a new one
    _forward_hooks: dict = {}  # noqa: RUF012
    _backward_hooks: dict = {}  # noqa: RUF012
    _backward_pre_hooks: dict = {}  # noqa: RUF012

    def __init__(self) -> None:
        set_plain = object.__setattr__
        set_plain(self, "training", True)
        set_plain(self, "_parameters", {})
        set_plain(self, "_buffers", {})
        set_plain(self, "_non_persistent_buffers", set())
        set_plain(self, "_modules", {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; every subclass defines it."""
        raise NotImplementedError(
            f"{type(self).__name__}: forward() is not defined; subclasses of Module must "
            "define forward(self, ...) to be callable"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._has_hooks:
            return hooks.call_with_hooks(self, args, kwargs)
        try:
            return self.forward(*args, **kwargs)
        except AttributeError as error:
            refused = _not_a_tensor(self, args, error)
            if refused is None:
                raise
            raise refused from None

    # -- hooks ----------------------------------------------------------------------------

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before ``forward``; a non-None result replaces the
        positional arguments (a tuple, or one value). With ``with_kwargs``, the hook is
        ``hook(module, args, kwargs)`` and may return ``(args, kwargs)``."""
        adapted = hook if with_kwargs else hooks.with_kwargs_pre_hook(hook)
        return hooks.register(self, "_forward_pre_hooks", adapted, prepend)

    def register_forward_hook(
        self,
        hook: Callable[..., Any],
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after ``forward``; a non-None result replaces
        the output. With ``with_kwargs``: ``hook(module, args, kwargs, output)``."""
        adapted = hook if with_kwargs else hooks.with_kwargs_hook(hook)
        return hooks.register(self, "_forward_hooks", adapted, prepend)

    def register_full_backward_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` once the gradients with respect to
        the module's tensor inputs are computed; a non-None result replaces ``grad_input``.

        >>> import tinygrad_fr as tg
        >>> layer = tg.nn.Linear(2, 1)
        >>> seen = []
        >>> _ = layer.register_full_backward_hook(lambda m, gi, go: seen.append(go[0].shape))
        >>> layer(tg.ones(3, 2, requires_grad=True)).sum().backward(); seen
        [(3, 1)]
        """
        return hooks.register(self, "_backward_hooks", hook, prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs
        arrive; a non-None result replaces ``grad_output``."""
        return hooks.register(self, "_backward_pre_hooks", hook, prepend)

    # -- registration ---------------------------------------------------------------------

    def _registry(self, kind: str) -> dict:
        registry = self.__dict__.get(kind)
        if registry is None:
            raise AttributeError(
                f"{type(self).__name__}: cannot register a parameter, buffer or sub-module "
                "before Module.__init__() ran; call super().__init__() first in __init__"
            )
        return registry

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        modules = self.__dict__.get("_modules")
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, Parameter):
            self._forget(name, "_parameters")
            self._registry("_parameters")[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"{type(self).__name__}: cannot assign a {type(value).__name__} to "
                    f"parameter '{name}'; assign a tg.nn.Parameter (or None)"
                )
            params[name] = None
        elif isinstance(value, Module):
            self._forget(name, "_modules")
            self._registry("_modules")[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"{type(self).__name__}: cannot assign a {type(value).__name__} to "
                    f"sub-module '{name}'; assign a Module (or None)"
                )
            modules[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: cannot assign a {type(value).__name__} to "
                    f"buffer '{name}'; assign a Tensor (or None)"
                )
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Drop ``name`` from the plain attributes and the registries other than ``keep``.

        The ``keep`` registry is left alone so that re-assigning keeps the name's position.
        """
        self.__dict__.pop(name, None)
        for kind in ("_parameters", "_buffers", "_modules"):
            registry = self.__dict__.get(kind)
            if registry is not None and kind != keep:
                registry.pop(name, None)
        if keep != "_buffers" and "_non_persistent_buffers" in self.__dict__:
            self.__dict__["_non_persistent_buffers"].discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: read the registries through __dict__ so that
        # a half-built object (copy, pickle) never recurses here.
        for kind in ("_parameters", "_buffers", "_modules"):
            registry = self.__dict__.get(kind)
            if registry is not None and name in registry:
                return registry[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for kind in ("_parameters", "_buffers", "_modules"):
            registry = self.__dict__.get(kind)
            if registry is not None and name in registry:
                del registry[name]
                self.__dict__["_non_persistent_buffers"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        names = set(super().__dir__())
        for kind in ("_parameters", "_buffers", "_modules"):
            names.update(self.__dict__.get(kind, {}))
        return sorted(names)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or None, a declared but absent parameter) under ``name``."""
        _check_name(self, name, "register_parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter: '{name}' must be a tg.nn.Parameter or None, got "
                f"{type(param).__name__}; wrap it as tg.nn.Parameter(tensor)"
            )
        self._forget(name, "_parameters")
        self._registry("_parameters")[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a Tensor that is state, not a parameter (in state_dict if persistent)."""
        _check_name(self, name, "register_buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"register_buffer: '{name}' must be a Tensor or None, got {type(tensor).__name__}"
            )
        self._forget(name, "_buffers")
        self._registry("_buffers")[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` (or None) as a sub-module called ``name``."""
        _check_name(self, name, "add_module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(
                f"add_module: '{name}' must be a Module or None, got {type(module).__name__}"
            )
        self._forget(name, "_modules")
        self._registry("_modules")[name] = module

    register_module = add_module

    # -- walking the tree -------------------------------------------------------------------

    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """Yield (dotted name, module) for self and every sub-module, each once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                child_prefix = prefix + ("." if prefix else "") + name
                yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """Yield self and every sub-module, each once."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield (name, module) for the direct sub-modules, each once."""
        seen: set = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """Yield the direct sub-modules, each once."""
        for _, module in self.named_children():
            yield module

    def _named_members(
        self, kind: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        seen: set = set()
        for module_prefix, module in modules:
            for name, value in module.__dict__[kind].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Yield (dotted name, parameter) in registration order, a shared one only once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yield every parameter once (what an optimizer trains)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Yield (dotted name, buffer) in registration order."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Yield every buffer once."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target: str) -> Module:
        """The sub-module at dotted path ``target`` ('' is self)."""
        module = self
        for part in target.split(".") if target else []:
            child = module._modules.get(part)
            if child is None:
                raise AttributeError(
                    f"get_submodule: {type(module).__name__} has no sub-module '{part}' (in "
                    f"'{target}'); its sub-modules are {list(module._modules)}"
                )
            module = child
        return module

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first), then on self; return self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- modes and gradients ------------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on self and every sub-module."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode must be True or False, got {mode!r}")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (Dropout becomes the identity); same as ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (False freezes the module); return self."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    @observable
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter: to None (default), or to zeros."""
        reset_grads(self.parameters(), set_to_none)

    # -- dtype ----------------------------------------------------------------------------

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Convert floating parameters, buffers and gradients to a dtype, in place, with
        PyTorch's forms (``to(dtype)``, ``to(device[, dtype])``, ``to(tensor)``, keywords).

        The Parameter objects stay (an optimizer built before keeps working); the device
        must be the CPU: nothing moves."""
        dtype = to_arguments(args, kwargs)
        if dtype is None:
            return self
        with no_grad():
            for tensor in list(self.parameters()) + list(self.buffers()):
                if tensor._data.dtype.kind == "f" and tensor._data.dtype != dtype:
                    tensor.data = tensor._data.astype(dtype)
                    grad = tensor._grad
                    if grad is not None:
                        tensor._grad = Tensor._make(grad._data.astype(dtype), False, None)
        return self

    def cpu(self) -> Module:
        """Return self: the parameters already live on the CPU."""
        return self

    def cuda(self, device: Any = None) -> Module:
        """Raise: tinygrad_fr computes on the CPU only."""
        check_device("cuda" if device is None else f"cuda:{device}", "Module.cuda")
        return self

    def half(self) -> Module:
        """Convert floating parameters and buffers to float16."""
        return self.to(np.float16)

    def float(self) -> Module:
        """Convert floating parameters and buffers to float32."""
        return self.to(np.float32)

    def double(self) -> Module:
        """Convert floating parameters and buffers to float64."""
        return self.to(np.float64)

    # -- state_dict -----------------------------------------------------------------------

    def state_dict(
        self, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, as detached Tensors.

        The values share memory with the model, as in PyTorch: deep-copy the dict to keep a
        snapshot that later training steps do not change.
        """
        if destination is None:
            destination = OrderedDict()
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = buffer if keep_vars else buffer.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> Any:
        """Copy the values of ``state_dict`` into the existing parameters and buffers.

        Values may be Tensors or NumPy arrays; they are converted to each parameter's dtype.
        Nothing is copied unless every entry fits. A wrongly shaped entry is always an error;
        missing and unexpected keys are errors when ``strict``, else they are reported in the
        returned ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a dict of name -> Tensor, got "
                f"{type(state_dict).__name__}"
            )
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        problems = []
        values = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = _state_array(key, state_dict[key])
            if value.shape != target.shape:
                problems.append(
                    f"size mismatch for '{key}': the state_dict has shape {value.shape} but "
                    f"this model's tensor has shape {target.shape}"
                )
            values[key] = value
        if strict:
            problems += [
                f"missing key '{key}' (this model's tensor has shape {own[key].shape})"
                for key in missing
            ]
            problems += [
                f"unexpected key '{key}' (shape {np.shape(_state_array(key, state_dict[key]))})"
                " names no parameter or buffer of this model"
                for key in unexpected
            ]
        if problems:
            raise RuntimeError(
                f"load_state_dict: cannot load into {type(self).__name__}:\n  "
                + "\n  ".join(problems)
                + "\nLoad a state_dict saved from the same architecture (same layer sizes and "
                "names); strict=False skips missing and unexpected keys, never wrong shapes."
            )
        with no_grad():
            for key, value in values.items():
                np.copyto(own[key]._mutable_data(), value, casting="unsafe")
        return IncompatibleKeys(missing, unexpected)

    # -- repr -----------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text between the parentheses of the repr (the layer's settings)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + add_indent(repr(module), 2) for name, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


def add_indent(text: str, spaces: int) -> str:
    """Indent every line of ``text`` but the first by ``spaces`` (for nested reprs)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _check_name(module: Module, name: Any, op: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{op}: the name must be a str, got {type(name).__name__}")
    if not name or "." in name:
        raise KeyError(f"{op}: the name must be non-empty and contain no '.', got {name!r}")
    if name in module.__dict__ and not any(
        name in module.__dict__.get(kind, {}) for kind in ("_parameters", "_buffers", "_modules")
    ):
        raise KeyError(f"{op}: '{name}' is already a plain attribute of {type(module).__name__}")


def _state_array(key: str, value: Any) -> np.ndarray:
    """A state_dict value (Tensor, ndarray, number or list) as an ndarray."""
    if isinstance(value, Tensor):
        return value._data
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"load_state_dict: the value of '{key}' is a {type(value).__name__} (NumPy dtype "
            f"{array.dtype}); give a Tensor or a numeric NumPy array"
        )
    return array


def _not_a_tensor(module: Module, args: tuple, error: AttributeError) -> TypeError | None:
    """The error to raise when ``forward`` failed because an argument is a list or a tuple
    where a Tensor was expected (PyTorch refuses them too), else None."""
    for position, arg in enumerate(args):
        if arg is error.obj and isinstance(arg, (list, tuple)):
            return TypeError(
                f"{type(module).__name__}: argument {position} is a {type(arg).__name__}, but "
                f"this module expects a Tensor (it failed with: {error}); convert it first, "
                "e.g. tg.tensor(data) or tg.stack(tensors)"
            )
    return None
