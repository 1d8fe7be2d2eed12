"""Switches of the autograd engine: gradient recording and anomaly detection, per thread.

As in PyTorch, grad mode belongs to the thread that sets it: a ``tg.no_grad()`` block in an
evaluation thread never stops another thread's training, and ``backward`` changes only its
own thread's mode while it runs. Anomaly detection is per thread too (PyTorch's is
process-wide): the thread that turns it on is the one whose ops are checked. Each switch is a
context manager that also works as a function decorator.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class ThreadState(threading.local):
    """The engine's per-thread state; class attributes are every new thread's defaults."""

    grad_enabled = True
    anomaly_enabled = False
    observers: tuple = ()  # see tinygrad_fr.autograd.observer
    # True when anomaly checks or observers are on: ops then take apply's slower path.
    watched = False
    forward_depth = 0  # > 0 while a custom Function's forward runs

    def __init__(self) -> None:
        self.saved_modes: list[tuple[str, Any]] = []

    def refresh(self) -> None:
        """Recompute ``watched`` after a change of anomaly mode or observers."""
        self.watched = self.anomaly_enabled or bool(self.observers)


state = ThreadState()


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward (on this thread)."""
    return state.grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside :class:`detect_anomaly` (on this thread)."""
    return state.anomaly_enabled


def _set(name: str, value: Any) -> None:
    setattr(state, name, value)
    if name == "anomaly_enabled":
        state.refresh()


class _Switch:
    """Context manager and decorator that sets one per-thread flag and restores it on exit.

    The previous value is kept on the thread's own stack, so one switch object may be
    shared by several threads; a decorated function enters a fresh switch at each call.
    """

    _name = ""
    _value: Any = True

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if args and callable(args[0]):  # used bare, as @tg.no_grad: decorate at once
            return object.__new__(cls)(args[0])
        return object.__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> None:
        state.saved_modes.append((self._name, getattr(state, self._name)))
        _set(self._name, self._value)

    def __exit__(self, *exc_info: object) -> None:
        name, previous = state.saved_modes.pop()
        _set(name, previous)

    def __call__(self, function: F) -> F:
        name, value = self._name, self._value

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _Setting(name, value):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _Setting(_Switch):
    """A switch to any flag and value (what a decorated function enters)."""

    def __new__(cls, name: str, value: Any) -> Any:
        return object.__new__(cls)

    def __init__(self, name: str, value: Any) -> None:
        self._name, self._value = name, value


class no_grad(_Switch):  # noqa: N801 - PyTorch's name
    """Disable graph recording: results get no ``grad_fn`` and keep nothing alive.

    >>> import tinygrad_fr as tg
    >>> w = tg.Tensor([1.0], requires_grad=True)
    >>> with tg.no_grad():
    ...     y = w * 2
    >>> y.requires_grad, y.grad_fn
    (False, None)
    """

    _name = "grad_enabled"
    _value = False


class inference_mode(_Switch):  # noqa: N801 - PyTorch's name
    """Same as :class:`no_grad` (PyTorch's inference mode also skips version counters);
    ``inference_mode(False)`` leaves grad mode as it is."""

    _name = "grad_enabled"
    _value = False

    def __init__(self, mode: Any = True) -> None:
        self._enabled = mode is not False

    def __enter__(self) -> None:
        self._value = False if self._enabled else state.grad_enabled
        super().__enter__()

    def __call__(self, function: F) -> F:
        return super().__call__(function) if self._enabled else function


class enable_grad(_Switch):  # noqa: N801 - PyTorch's name
    """Re-enable graph recording, for example inside a :class:`no_grad` block."""

    _name = "grad_enabled"
    _value = True


class set_grad_enabled(_Switch):  # noqa: N801 - PyTorch's name
    """Set graph recording on or off, at once (as a call) and until the block ends (as a
    context manager): ``tg.set_grad_enabled(False)`` or ``with tg.set_grad_enabled(train):``.
    """

    _name = "grad_enabled"

    def __new__(cls, mode: bool) -> Any:
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        self._value = bool(mode)
        self._previous = state.grad_enabled
        state.grad_enabled = self._value  # as in PyTorch, calling it already sets the mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc_info: object) -> None:
        state.grad_enabled = self._previous

    def __call__(self, function: F) -> F:
        state.grad_enabled = self._previous  # used as a decorator: only the calls switch
        return super().__call__(function)


class detect_anomaly(_Switch):  # noqa: N801 - PyTorch's name
    """Raise as soon as an op produces NaN or inf, in forward or in backward (this thread).

    The error names the op; for backward it also shows where that op was called in forward.
    Slower: every result is scanned. Use it to find where a NaN loss comes from.

    >>> import tinygrad_fr as tg
    >>> with tg.detect_anomaly():
    ...     tg.Tensor([-1.0]).log()
    Traceback (most recent call last):
    ...
    FloatingPointError: log produced nan in its output (shape (1,)) from finite inputs...
    """

    _name = "anomaly_enabled"
    _value = True


def set_detect_anomaly(mode: bool) -> None:
    """Turn anomaly detection on or off for this thread (``torch.autograd.set_detect_anomaly``)."""
    _set("anomaly_enabled", bool(mode))
