"""Containers: Sequential (a pipeline), ModuleList and ModuleDict (collections of modules that
register them), ParameterList and ParameterDict (the same for parameters).

Lists number their entries '0', '1', ... so that parameters are named ``0.weight``; a
Sequential built from an OrderedDict and the dicts keep the given names instead.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor
from .module import Module, add_indent
from .parameter import Parameter


def _check_module(module: Any, op: str, position: Any) -> Module:
    if not isinstance(module, Module):
        raise TypeError(
            f"{op}: entry {position} is a {type(module).__name__}, not a Module; wrap "
            "functions in a Module subclass"
        )
    return module


def _index(container: Module, index: Any, op: str) -> int:
    """A position in the container from an int (negative counts from the end)."""
    size = len(container._modules)
    if not -size <= index < size:
        raise IndexError(f"{op}: index {index} is out of range for {size} modules")
    return index % size


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(Linear(2, 3), Tanh())``.

    >>> import tinygrad_fr as tg
    >>> tg.nn.Sequential(tg.nn.Linear(2, 3), tg.nn.Tanh())
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): Tanh()
    )
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, _check_module(module, "Sequential", repr(name)))
        else:
            for position, module in enumerate(args):
                self.add_module(str(position), _check_module(module, "Sequential", position))

    def forward(self, input: Any) -> Any:
        """Feed ``input`` through every module in order."""
        out = input
        for module in self._modules.values():
            out = module(out)
        return out

    def __getitem__(self, index: Any) -> Any:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[_index(self, index, "Sequential")][1]

    def __setitem__(self, index: int, module: Module) -> None:
        name = list(self._modules)[_index(self, index, "Sequential")]
        self._modules[name] = _check_module(module, "Sequential", index)

    def __delitem__(self, index: Any) -> None:
        names = list(self._modules)
        if isinstance(index, slice):
            targets = names[index]
        else:
            targets = [names[_index(self, index, "Sequential")]]
        for name in targets:
            del self._modules[name]
        # Renumber, as PyTorch does, so that indices stay 0..len-1.
        self.__dict__["_modules"] = dict(
            (str(i), module) for i, module in enumerate(self._modules.values())
        )

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end; return self."""
        self.add_module(str(len(self)), _check_module(module, "Sequential.append", len(self)))
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Append every module of ``modules``; return self."""
        for module in modules:
            self.append(module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered (a plain list would hide them).

    >>> import tinygrad_fr as tg
    >>> layers = tg.nn.ModuleList([tg.nn.Linear(2, 2) for _ in range(3)])
    >>> len(list(layers.parameters()))
    6
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return ModuleList(list(self._modules.values())[index])
        return list(self._modules.values())[_index(self, index, "ModuleList")]

    def __setitem__(self, index: int, module: Module) -> None:
        position = _index(self, index, "ModuleList")
        self._modules[str(position)] = _check_module(module, "ModuleList", index)

    def __delitem__(self, index: Any) -> None:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[_index(self, index, "ModuleList")]
        self.__dict__["_modules"] = {str(i): module for i, module in enumerate(modules)}

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; return self."""
        self.add_module(str(len(self)), _check_module(module, "ModuleList.append", len(self)))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append every module of ``modules``; return self."""
        if isinstance(modules, Module) and not isinstance(modules, (ModuleList, Sequential)):
            raise TypeError("ModuleList.extend: expected an iterable of Modules, got one Module")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``."""
        modules = list(self._modules.values())
        modules.insert(index, _check_module(module, "ModuleList.insert", index))
        self.__dict__["_modules"] = {str(i): m for i, m in enumerate(modules)}

    def __repr__(self) -> str:
        # As PyTorch: runs of identical modules collapse to "(0-2): 3 x Linear(...)".
        reprs = [repr(module) for module in self]
        if not reprs:
            return self._get_name() + "()"
        lines = []
        start = 0
        for end in range(1, len(reprs) + 1):
            if end == len(reprs) or reprs[end] != reprs[start]:
                count = end - start
                label = f"({start})" if count == 1 else f"({start}-{end - 1}): {count} x"
                separator = ": " if count == 1 else " "
                lines.append(add_indent(label + separator + reprs[start], 2))
                start = end
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules whose parameters are registered, in insertion order.

    >>> import tinygrad_fr as tg
    >>> heads = tg.nn.ModuleDict({"mean": tg.nn.Linear(4, 1), "scale": tg.nn.Linear(4, 1)})
    >>> list(heads), [name for name, _ in heads.named_parameters()][:2]
    (['mean', 'scale'], ['mean.weight', 'mean.bias'])
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check_module(module, "ModuleDict", repr(key)))

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        """The names, in insertion order."""
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        """The (name, module) pairs, in insertion order."""
        return self._modules.items()

    def values(self) -> Iterable[Module]:
        """The modules, in insertion order."""
        return self._modules.values()

    def pop(self, key: str) -> Module:
        """Remove the module called ``key`` and return it."""
        return self._modules.pop(key)

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) the modules of a mapping or of (name, module) pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for position, pair in enumerate(pairs):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(
                    f"ModuleDict.update: entry {position} should be a (name, module) pair, got "
                    f"{type(pair).__name__}"
                )
            self[pair[0]] = pair[1]


def _as_parameter(value: Any, op: str) -> Any:
    """Tensors become Parameters (as PyTorch's ParameterList and ParameterDict do)."""
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    if not isinstance(value, Parameter):
        raise TypeError(f"{op}: expected a Parameter or a Tensor, got {type(value).__name__}")
    return value


def _parameter_lines(pairs: Iterable[tuple[str, Parameter]]) -> list[str]:
    return [
        f"    ({name}): Parameter containing: [{param.dtype} of size "
        f"{'x'.join(str(n) for n in param.shape)}]"
        for name, param in pairs
    ]


class ParameterList(Module):
    """A list of parameters, registered as '0', '1', ... (Tensors are wrapped as Parameters).

    >>> import tinygrad_fr as tg
    >>> weights = tg.nn.ParameterList([tg.nn.Parameter(tg.zeros(2)) for _ in range(3)])
    >>> len(weights), [name for name, _ in weights.named_parameters()]
    (3, ['0', '1', '2'])
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return ParameterList(list(self._parameters.values())[index])
        return self._parameters[str(_index_of(self, index, "ParameterList"))]

    def __setitem__(self, index: int, param: Any) -> None:
        position = _index_of(self, index, "ParameterList")
        self.register_parameter(str(position), _as_parameter(param, "ParameterList"))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` at the end; return self."""
        self.register_parameter(str(len(self)), _as_parameter(value, "ParameterList.append"))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Append every value of ``values``; return self."""
        if isinstance(values, Tensor):
            raise TypeError("ParameterList.extend: expected an iterable of Parameters, got one")
        for value in values:
            self.append(value)
        return self

    def __repr__(self) -> str:
        lines = _parameter_lines(self._parameters.items())
        return "ParameterList(" + ("\n" + "\n".join(lines) + "\n" if lines else "") + ")"


class ParameterDict(Module):
    """A dict of parameters, registered under their keys (Tensors are wrapped as Parameters).

    >>> import tinygrad_fr as tg
    >>> scales = tg.nn.ParameterDict({"a": tg.nn.Parameter(tg.ones(2))})
    >>> scales["b"] = tg.zeros(3)
    >>> [name for name, _ in scales.named_parameters()], scales["b"].requires_grad
    (['a', 'b'], True)
    """

    def __init__(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter(value, "ParameterDict"))

    def __delitem__(self, key: str) -> None:
        del self._parameters[key]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> Iterable[str]:
        """The names, in insertion order."""
        return self._parameters.keys()

    def items(self) -> Iterable[tuple[str, Parameter]]:
        """The (name, parameter) pairs, in insertion order."""
        return self._parameters.items()

    def values(self) -> Iterable[Parameter]:
        """The parameters, in insertion order."""
        return self._parameters.values()

    def get(self, key: str, default: Any = None) -> Any:
        """The parameter called ``key``, or ``default``."""
        return self._parameters.get(key, default)

    def pop(self, key: str) -> Parameter:
        """Remove the parameter called ``key`` and return it."""
        return self._parameters.pop(key)

    def clear(self) -> None:
        """Remove every parameter."""
        self._parameters.clear()

    def update(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Add (or replace) the parameters of a mapping or of (name, parameter) pairs."""
        pairs = parameters.items() if isinstance(parameters, Mapping) else parameters
        for key, value in pairs:
            self[key] = value

    def __repr__(self) -> str:
        lines = _parameter_lines(self._parameters.items())
        return "ParameterDict(" + ("\n" + "\n".join(lines) + "\n" if lines else "") + ")"


def _index_of(container: Module, index: Any, op: str) -> int:
    size = len(container._parameters)
    if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
        raise TypeError(f"{op}: indices must be integers or slices, got {type(index).__name__}")
    if not -size <= index < size:
        raise IndexError(f"{op}: index {index} is out of range for {size} parameters")
    return int(index) % size
