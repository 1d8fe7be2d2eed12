"""The engine's one extension point: observers that see what a thread computes.

Tools built on top of the engine (``tinygrad_fr.jit`` capture, ``tinygrad_fr.viz`` traces,
``tinygrad_fr.onnx`` export) subclass :class:`Observer` and install it with
:func:`observe`. While installed, on that thread only, the observer is told of

- every op applied, recorded in the graph or not (:meth:`Observer.op`);
- every in-place write of an op's result into an existing tensor (:meth:`Observer.write`);
- every value that leaves the graph as a Python object or an array (:meth:`Observer.read`);
- every ``backward``/``tg.grad`` call, which it may wrap (:meth:`Observer.backward`);
- every library call whose effect is not made of ops, such as an optimizer's update,
  which it may wrap too (:meth:`Observer.call`, for methods marked :func:`observable`).

With no observer installed none of this costs anything but one flag test per op.

>>> import tinygrad_fr as tg
>>> from tinygrad_fr.autograd.observer import Observer, observe
>>> class OpNames(Observer):
...     def __init__(self):
...         self.names = []
...     def op(self, event):
...         self.names.append(event.op.__name__)
>>> names = OpNames()
>>> with observe(names):
...     y = (tg.Tensor([1.0, 2.0]) * 3).exp()
>>> names.names
['Mul', 'Exp']
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, TypeVar

from .grad_mode import set_mode, special_threads, state

F = TypeVar("F", bound=Callable[..., Any])


class OpEvent(NamedTuple):
    """One applied op.

    Attributes:
        op: the op class (a ``Primitive`` or a user ``Function``).
        args: the arguments as given to ``apply`` (Tensors and constants).
        outputs: the result Tensors.
        node: the graph node recorded for it, or None when nothing was recorded.

    Ops run inside a custom Function's forward are not reported: the Function is one op.
    """

    op: type
    args: tuple
    outputs: tuple
    node: Any


class BackwardCall(NamedTuple):
    """One ``backward`` or ``tg.grad`` call.

    Attributes:
        outputs: the tensors differentiated.
        grads: the gradient each output starts with (arrays, or Tensors under create_graph).
        inputs: the tensors whose gradient ``tg.grad`` returns (None for ``backward``).
        retain_graph: whether saved values survive the walk.
        create_graph: whether the walk itself is recorded.
    """

    outputs: tuple
    grads: tuple
    inputs: tuple | None
    retain_graph: bool
    create_graph: bool


class Observer:
    """Base class of observers: every method does nothing (or just runs) by default."""

    def op(self, event: OpEvent) -> None:
        """An op was applied."""

    def write(self, tensor: Any, result: Any, op: str) -> None:
        """In-place op ``op``: ``tensor``'s memory now holds ``result``'s value (and, if it was
        recorded, its history)."""

    def read(self, tensor: Any, what: str) -> None:
        """``tensor``'s value leaves the graph through ``what`` (``"item()"``...)."""

    def backward(self, run: Callable[[], Any], call: BackwardCall) -> Any:
        """Around a backward walk: return ``run()`` (or do something else instead)."""
        return run()

    def call(
        self, run: Callable[[], Any], method: Callable[..., Any], owner: Any, args: tuple,
        kwargs: dict,
    ) -> Any:  # fmt: skip
        """Around a call of a method marked :func:`observable`: return ``run()``."""
        return run()


@contextlib.contextmanager
def observe(observer: Observer) -> Iterator[Observer]:
    """Install ``observer`` on this thread for the ``with`` block (observers nest)."""
    previous = state.observers
    set_mode("observers", (*previous, observer))
    try:
        yield observer
    finally:
        set_mode("observers", previous)


def notify_op(op: type, args: tuple, outputs: tuple, node: Any) -> None:
    """Tell the installed observers that an op was applied."""
    event = OpEvent(op, args, outputs, node)
    for observer in state.observers:
        observer.op(event)


def notify_write(tensor: Any, result: Any, op: str) -> None:
    """Tell the installed observers of an in-place write."""
    for observer in state.observers:
        observer.write(tensor, result, op)


def notify_read(tensor: Any, what: str) -> None:
    """Tell the installed observers that a value leaves the graph."""
    for observer in state.observers:
        observer.read(tensor, what)


def run_observed(run: Callable[[], Any], wrap: Callable[[Observer, Callable[[], Any]], Any]) -> Any:
    """``run()`` wrapped by every installed observer, the first installed outermost."""
    for observer in reversed(state.observers):
        run = functools.partial(wrap, observer, run)
    return run()


def observable(method: F) -> F:
    """Mark a library method whose effect is not made of ops (an optimizer's update, a
    gradient reset): observers see each call as one event, through :meth:`Observer.call`."""

    @functools.wraps(method)
    def wrapper(owner: Any, *args: Any, **kwargs: Any) -> Any:
        if not (special_threads and state.observers):  # (see engine._run)
            return method(owner, *args, **kwargs)
        run = functools.partial(method, owner, *args, **kwargs)
        return run_observed(
            run, lambda observer, inner: observer.call(inner, method, owner, args, kwargs)
        )

    return wrapper  # type: ignore[return-value]
