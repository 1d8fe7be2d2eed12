"""Bookkeeping that keeps saved values honest: version counters and write locks.

A :class:`Storage` is shared by a tensor and its views (same memory). Its ``version`` counts
in-place changes made through tensor methods; graph nodes remember the version of what they
saved and backward refuses to run if it moved. Memory the user can reach (arrays handed out
by ``.data``, ``.numpy()``, ``from_numpy``) is saved as a private copy; an array handed out
while a live node already holds its memory is made read-only until that node is released.
Either way, no raw NumPy write can silently change a gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Storage:
    """Autograd state of one block of memory, shared by a tensor and its views.

    The defaults are class attributes: a storage is made for every saved output, so making
    one must cost no more than an object (an instance dict appears on the first change).
    """

    version = 0  # in-place changes made through tensor methods
    rebases = 0  # recorded in-place ops: views taken before one have a stale history
    writing = False  # an in-place op is computing the values it will write here
    holds = 0  # live graph nodes that saved this memory for backward
    exposed: list[np.ndarray] | None = None  # arrays the user holds
    locked: list[np.ndarray] | None = None  # arrays made read-only here

    def release(self) -> None:
        """A graph node no longer needs this memory."""
        self.holds -= 1
        if self.holds == 0 and self.locked is not None:
            # A view can only become writeable again after its base, so bases go first.
            for array in sorted(self.locked, key=lambda a: a.base is not None):
                array.flags.writeable = True
            self.locked = None

    def expose(self, array: np.ndarray) -> None:
        """The user now holds ``array``; lock it at once if a graph node needs it."""
        if self.exposed is None:
            self.exposed = [array]
        elif not any(known is array for known in self.exposed):
            self.exposed.append(array)
        if self.holds:
            self.lock()

    def lock(self) -> None:
        """Make the user's arrays of this memory read-only (until the last holder releases)."""
        assert self.exposed is not None
        for array in self.exposed:
            if array.flags.writeable:
                array.flags.writeable = False
                if self.locked is None:
                    self.locked = []
                self.locked.append(array)


class HeldStorages(list):
    """The storages whose memory a node keeps for backward; given back by :meth:`release`
    after backward, or when the node is dropped."""

    __slots__ = ()

    def release(self) -> None:
        """Give back every storage (once)."""
        for storage in self:
            storage.release()
        self.clear()

    def __del__(self) -> None:
        # A graph dropped without backward still has to give back what it held.
        if self:
            self.release()


def storage_of(tensor: Any) -> Storage:
    """The tensor's storage, created on first use (most tensors never need one). The nodes
    that saved the tensor before (the one that made it, if it saved its output, and those
    in ``tensor._savers``) are told, so that they track the new storage."""
    storage = tensor._storage
    if storage is None:
        storage = tensor._storage = Storage()
        node = tensor._grad_fn
        if node is not None and node._saved_versions:
            node._attach_storage(storage, tensor._data)
        savers = tensor._savers
        if savers is not None:
            tensor._savers = None
            for node in savers:
                node._attach_storage(storage, tensor._data)
    return storage


def describe(tensor_name: str | None, array: Any) -> str:
    """A short human description of a saved value for error messages."""
    label = f"'{tensor_name}' " if tensor_name else ""
    shape = getattr(array, "shape", ())
    dtype = getattr(array, "dtype", type(array).__name__)
    return f"tensor {label}of shape {tuple(shape)} and dtype {dtype}"
