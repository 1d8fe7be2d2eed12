"""``tinygrad-fr lab``: list the course labs shipped in the package, or run one of them."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from .. import labs


def names() -> list[str]:
    """The labs' module names, in order (``lab1_neurone``...)."""
    found = [info.name for info in pkgutil.iter_modules(labs.__path__)]
    return sorted(name for name in found if name.startswith("lab") and name[3:4].isdigit())


def find(name: str) -> str | None:
    """The lab called ``name``: its module name, its number (``3``) or its topic
    (``genre_sgd``); None if there is no such lab."""
    for module in names():
        number, _, topic = module[3:].partition("_")
        if name in (module, number, topic, f"lab{number}"):
            return module
    return None


def load(module: str) -> ModuleType:
    """The lab's module."""
    return importlib.import_module(f"{labs.__name__}.{module}")


def listing() -> str:
    """One line per lab: number, name, and what it does."""
    lines = [
        "The course labs (run one with: tinygrad-fr lab NUMBER [options], --help for its options):"
    ]
    for module in names():
        summary = (load(module).__doc__ or "").strip().splitlines()[0]
        lines.append(f"  {module[3]}  {module:<20} {summary}")
    return "\n".join(lines)


def run(name: str, argv: list[str]) -> int:
    """Run lab ``name`` with its own arguments; returns the exit status."""
    module = find(name)
    if module is None:  # the caller checked the name already: this is a programming error
        raise ValueError(f"no lab named {name!r}")
    try:
        status = load(module).main(argv, prog=f"tinygrad-fr lab {module[3]}")
    except SystemExit as stop:
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return status if isinstance(status, int) else 0
