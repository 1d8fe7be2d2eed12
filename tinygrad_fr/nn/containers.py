"""Containers of modules: Sequential (a pipeline) and ModuleList (a list that registers).

Both number their entries '0', '1', ... so that parameters are named ``0.weight``; a
Sequential built from an OrderedDict keeps the given names instead.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from .module import Module, add_indent


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
