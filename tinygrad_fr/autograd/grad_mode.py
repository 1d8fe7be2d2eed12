"""Switches of the autograd engine: gradient recording and anomaly detection.

Each switch is a context manager that also works as a function decorator, as in PyTorch.
The state is process-wide (not per thread): tinygrad_fr runs its graph on one thread.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# Read by Function.apply on every op, so kept as plain module globals.
grad_enabled = True
anomaly_enabled = False
capturing = False  # inside tinygrad_fr.jit.capture's recording: reading values is refused


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside :class:`detect_anomaly`."""
    return anomaly_enabled


class _Switch:
    """Context manager and decorator that sets a global flag and restores it on exit."""

    _name = ""
    _value = True

    def __new__(cls, function: Callable[..., Any] | None = None) -> Any:
        if function is not None:  # used bare, as @tg.no_grad: decorate at once
            return object.__new__(cls)(function)
        return object.__new__(cls)

    def __init__(self, function: Callable[..., Any] | None = None) -> None:
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(globals()[self._name])
        globals()[self._name] = self._value

    def __exit__(self, *exc_info: object) -> None:
        globals()[self._name] = self._previous.pop()

    def __call__(self, function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


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


class enable_grad(_Switch):  # noqa: N801 - PyTorch's name
    """Re-enable graph recording, for example inside a :class:`no_grad` block."""

    _name = "grad_enabled"
    _value = True


class set_grad_enabled(_Switch):  # noqa: N801 - PyTorch's name
    """Set graph recording on or off: ``with tg.set_grad_enabled(training): ...``."""

    _name = "grad_enabled"

    def __new__(cls, mode: bool) -> Any:
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._value = bool(mode)

    def __call__(self, function: F) -> F:
        mode = self._value

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_anomaly_check(_Switch):  # noqa: N801
    """Internal: run one op without re-entering the anomaly check."""

    _name = "anomaly_enabled"
    _value = False


class detect_anomaly(_Switch):  # noqa: N801 - PyTorch's name
    """Raise as soon as an op produces NaN or inf, in forward or in backward.

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
