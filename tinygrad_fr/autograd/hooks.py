"""Backward hooks with PyTorch's names, order and semantics, and the handles that remove them.

A node keeps a :class:`NodeHooks` only once a hook is registered on it (or on one of its
output tensors); a leaf tensor keeps its hooks in a :class:`LeafHooks`. The backward walk
calls them in PyTorch's order: for each node, the tensor hooks of its outputs, then the
``retain_grad`` copies, then the node's pre-hooks, its backward, and its post-hooks; for
each leaf, its tensor hooks, the accumulation into ``.grad``, then its post-accumulate hooks.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import Any

_ids = itertools.count()


class RemovableHandle:
    """Returned by every ``register_*hook``: ``handle.remove()`` unregisters the hook.

    Also a context manager: the hook is removed when the ``with`` block ends.
    """

    def __init__(self, registry: dict) -> None:
        self.id = next(_ids)
        self._registry = weakref.ref(registry)

    def remove(self) -> None:
        """Unregister the hook (doing it twice is harmless)."""
        registry = self._registry()
        if registry is not None:
            registry.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


class _HookDict(dict):
    """A dict that weak references can point to (plain dicts cannot be weakly referenced)."""

    __slots__ = ("__weakref__",)


def add_hook(registry: dict, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
    """Register ``hook`` in ``registry`` (an ordered dict id -> hook) and return its handle."""
    if not callable(hook):
        raise TypeError(f"register_hook: the hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(registry)
    registry[handle.id] = hook
    if prepend:
        items = list(registry.items())
        registry.clear()
        registry.update([items[-1], *items[:-1]])
    return handle


def new_registry() -> dict:
    """An empty ordered registry of hooks."""
    return _HookDict()


class NodeHooks:
    """The hooks of one graph node and of the non-leaf tensors it produced."""

    __slots__ = ("post", "pre", "retained", "tensor_pre")

    def __init__(self) -> None:
        self.tensor_pre: dict[int, dict] = {}  # output index -> hooks fn(grad)
        self.retained: dict[int, weakref.ref] = {}  # output index -> tensor keeping its .grad
        self.pre = new_registry()  # fn(grad_outputs) -> new grad_outputs or None
        self.post = new_registry()  # fn(grad_inputs, grad_outputs) -> new grad_inputs or None

    def for_output(self, output_nr: int) -> dict:
        """The tensor-hook registry of output ``output_nr`` (created on first use)."""
        registry = self.tensor_pre.get(output_nr)
        if registry is None:
            registry = self.tensor_pre[output_nr] = new_registry()
        return registry


class LeafHooks:
    """The hooks of one leaf tensor."""

    __slots__ = ("post_accumulate", "pre")

    def __init__(self) -> None:
        self.pre = new_registry()  # fn(grad) -> new grad or None, before accumulation
        self.post_accumulate = new_registry()  # fn(tensor), after .grad was updated


def call_grad_hooks(registry: dict, grad: Any) -> Any:
    """Run tensor hooks in order, each seeing the previous one's result."""
    for hook in tuple(registry.values()):
        result = hook(grad)
        if result is not None:
            grad = result
    return grad
