"""Guards: what a generated step assumed, checked before each call it runs.

A guard is a list of checks, each a Python condition that is true when an assumption no longer
holds ("``x``'s shape is not (10, 784)", "``model._modules['0']`` is not this Linear"). They
are compiled into one straight-line function, ``guard(*args)``, which returns False at the
first failed check. The checks are cheap identity tests where they can be; a few have an exact
second form (dtypes compared by value, a parameter's array that was replaced by one of the
same shape): :func:`Guard.explain` runs those, says which assumption failed, and refreshes the
cheap form when the exact one still holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autograd import grad_mode
from ..autograd.grad_mode import state
from .codegen import Namer, compile_function, identifier, literal_text


@dataclass
class Check:
    """One assumption. ``fail`` is true when it does not hold; ``exact`` (optional) is the
    precise test run only when ``fail`` fires; ``heal`` the statement that refreshes the
    cheap test when ``exact`` passes."""

    fail: str
    why: str
    exact: str = ""
    heal: str = ""


def modes_ok(grad_enabled: bool) -> bool:
    """This thread runs in the recorded grad mode, without anomaly checks or observers."""
    return state.grad_enabled is grad_enabled and not state.anomaly_enabled and not state.observers


class Guard:
    """The checks of one generated step, and the two functions compiled from them."""

    def __init__(self) -> None:
        self.checks: list[Check] = []
        self.prologue: list[str] = []  # statements every check may rely on (unpacking args)
        self.namespace: dict[str, Any] = {
            "special_threads": grad_mode.special_threads,
            "modes_ok": modes_ok,
        }
        self.namer = Namer(("args", "np", *self.namespace))
        self._names: dict[int, str] = {}
        self.function: Callable[..., bool] = _never
        self.explainer: Callable[..., str | None] = _never
        self.source = ""

    def name(self, obj: Any, hint: str) -> str:
        """The guard's name for ``obj`` (one per object)."""
        known = self._names.get(id(obj))
        if known is not None and self.namespace[known] is obj:
            return known
        name = self.namer.new(hint)
        self.namespace[name] = obj
        self._names[id(obj)] = name
        return name

    def value(self, obj: Any, hint: str) -> str:
        """``obj`` as a literal when it has one, else by name."""
        literal = literal_text(obj)
        return literal if literal is not None else self.name(obj, hint)

    def add(self, fail: str, why: str, exact: str = "", heal: str = "") -> None:
        self.checks.append(Check(fail, why, exact, heal))

    def local(self, statement: str) -> None:
        """A statement run before the checks that follow it (``x, y = args``)."""
        self.checks.append(Check("", "", heal=statement))

    def compile(self, label: str) -> None:
        """Build ``guard(*args) -> bool`` and ``explain(*args) -> str | None``."""
        fast = ["def guard(*args):"]
        slow = ["def explain(*args):"]
        healed = sorted({c.heal.split("=")[0].strip() for c in self.checks if c.fail and c.heal})
        if healed:
            slow.append(f"    global {', '.join(healed)}")
        for check in self.checks:
            if not check.fail:
                fast.append(f"    {check.heal}")
                slow.append(f"    {check.heal}")
                continue
            fast.append(f"    if {check.fail}: return False")
            slow.append(f"    if {check.fail}:")
            if check.exact:
                slow.append(f"        if {check.exact}: return {check.why!r}")
                slow.append(f"        {check.heal or 'pass'}")
            else:
                slow.append(f"        return {check.why!r}")
        fast.append("    return True")
        slow.append("    return None")
        self.source = "\n".join(fast) + "\n"
        self.function = compile_function(self.source, "guard", self.namespace, f"<guard {label}>")
        self.explainer = compile_function(
            "\n".join(slow) + "\n", "explain", self.namespace, f"<guard explain {label}>"
        )
        self.namespace["guard"] = self.function

    def explain(self, args: tuple) -> str | None:
        """Why the step's assumptions fail for these arguments (None: they hold, after the
        exact checks refreshed the cheap ones)."""
        try:
            return self.explainer(*args)
        except Exception as error:  # a check on an object of another kind than recorded
            return f"a check could not run ({type(error).__name__}: {error})"

    @property
    def text(self) -> str:
        """One line per assumption, for messages and the docs."""
        return "\n".join(check.why for check in self.checks if check.fail)


def _never(*args: Any) -> Any:
    return False


# -- the checks of common objects -------------------------------------------------------------


def check_dtype(guard: Guard, expression: str, dtype: np.dtype, what: str) -> None:
    """``expression`` (an array's ``.dtype``) is ``dtype``: by identity, exactly by value."""
    name = guard.name(dtype, f"dtype_{dtype.name}")
    guard.add(
        f"{expression} is not {name}",
        f"{what} is no longer {dtype}",
        exact=f"{expression} != {name}",
    )


def check_number(guard: Guard, expression: str, value: Any, what: str) -> None:
    """``expression`` still equals ``value`` (of the same type; NaN equals NaN)."""
    kind = guard.name(type(value), f"type_{type(value).__name__}")
    if isinstance(value, float) and value != value:
        fail = f"type({expression}) is not {kind} or {expression} == {expression}"
    elif value is None:
        fail = f"{expression} is not None"
    elif isinstance(value, bool):
        fail = f"{expression} is not {value!r}"
    elif type(value) is int:  # 1 and 1.0 and True are equal, but not the same constant
        # The same int object is the cheap test; another one of equal value and type heals it.
        literal = guard.value(value, "number")
        recorded = guard.namer.new(f"{identifier(expression)}_int")
        guard.namespace[recorded] = value
        guard.add(
            f"{expression} is not {recorded}",
            f"{what} changed (it was {value!r} when the step was captured)",
            exact=f"{expression} != {literal} or type({expression}) is not {kind}",
            heal=f"{recorded} = {expression}",
        )
        return
    else:
        fail = f"{expression} != {guard.value(value, 'number')}"
    guard.add(fail, f"{what} changed (it was {value!r} when the step was captured)")
