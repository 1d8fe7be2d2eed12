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
    """The engine's per-thread state. Change it through :func:`set_mode`, which keeps
    ``watched`` and the set of non-default threads up to date."""

    def __init__(self) -> None:
        # Every attribute is set here, once per thread: reading one that a thread never set
        # falls back to a much slower lookup.
        self.grad_enabled = True
        self.anomaly_enabled = False
        self.observers: tuple = ()  # see tinygrad_fr.autograd.observer
        self.watched = False  # anomaly checks or observers on: ops take apply's slower path
        self.saved_modes: list[tuple[str, Any]] = []
        self.ident = threading.get_ident()
        self.exit_guard = _ThreadExit(self.ident)  # freed with the thread's state


class _ThreadExit:
    """Removes a finished thread from ``special_threads`` (a thread may end in no_grad)."""

    __slots__ = ("ident",)

    def __init__(self, ident: int) -> None:
        self.ident = ident

    def __del__(self) -> None:
        special_threads.discard(self.ident)


state = ThreadState()
# The threads not in the default mode (grad on, nothing watched). While it is empty, an op
# needs no look at its thread's state: a thread adds itself before it leaves the default
# mode, so it never misses its own change (set.add and set.discard are atomic).
special_threads: set[int] = set()


def set_mode(name: str, value: Any) -> None:
    """Set one of this thread's modes: ``grad_enabled``, ``anomaly_enabled`` or ``observers``."""
    # Each access to a threading.local costs ~10 plain attribute reads: as few as possible.
    if name == "grad_enabled":
        state.grad_enabled = value
        special = not value or state.watched
    else:
        if name == "anomaly_enabled":
            state.anomaly_enabled = value
            watched = value or bool(state.observers)
        else:
            state.observers = value
            watched = state.anomaly_enabled or bool(value)
        state.watched = watched
        special = watched or not state.grad_enabled
    if special:
        special_threads.add(threading.get_ident())
    else:
        special_threads.discard(threading.get_ident())


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward (on this thread)."""
    return state.grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside :class:`detect_anomaly` (on this thread)."""
    return state.anomaly_enabled


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
        set_mode(self._name, self._value)

    def __exit__(self, *exc_info: object) -> None:
        name, previous = state.saved_modes.pop()
        set_mode(name, previous)

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


def recording(enabled: bool) -> _Switch:
    """A context manager setting this thread's grad mode to ``enabled`` for its block: what
    code on Tensors inside backward runs under (hooks, custom Functions' backward), as in
    PyTorch, where backward runs with grad mode equal to ``create_graph``."""
    return _Setting("grad_enabled", enabled)


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
        set_mode("grad_enabled", self._value)  # as in PyTorch, calling it sets the mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc_info: object) -> None:
        set_mode("grad_enabled", self._previous)

    def __call__(self, function: F) -> F:
        set_mode("grad_enabled", self._previous)  # used as a decorator: only calls switch
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
    set_mode("anomaly_enabled", bool(mode))
