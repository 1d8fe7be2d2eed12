"""The library's random number generator: one seed makes every random choice repeatable.

Initialisation, dropout, ``rand``/``randn``, ``normal_``... and DataLoader shuffling all draw
from :func:`generator`; :func:`manual_seed` reseeds it. :class:`Generator` is PyTorch's
object around it (``tg.Generator().manual_seed(0)`` gives an independent stream), backed by
NumPy's PCG64: the same seed gives other numbers than PyTorch's generator.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import numpy as np


class Generator:
    """A stream of random numbers, as ``torch.Generator`` (CPU only).

    >>> import tinygrad_fr as tg
    >>> g = tg.Generator().manual_seed(0)
    >>> bool((tg.rand(2, generator=g) == tg.rand(2, generator=tg.Generator().manual_seed(0))).all())
    True
    """

    def __init__(self, device: Any = "cpu") -> None:
        from .devices import check

        check(device, "Generator")
        self._seed = secrets.randbits(63)
        self.numpy = np.random.default_rng(self._seed)

    @property
    def device(self) -> Any:
        """The CPU."""
        from .devices import CPU

        return CPU

    def manual_seed(self, seed: int) -> Generator:
        """Reseed this generator; returns it."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"manual_seed: the seed must be an int, got {seed!r}")
        self._seed = int(seed) % 2**64  # PyTorch accepts negative seeds too
        self.numpy = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        self.manual_seed(secrets.randbits(63))
        return self._seed

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> Any:
        """The state as a uint8 tensor, to give back to :meth:`set_state`."""
        from .tensor import Tensor

        encoded = json.dumps(self.numpy.bit_generator.state).encode()
        return Tensor._make(np.frombuffer(encoded, dtype=np.uint8).copy(), False, None)

    def set_state(self, state: Any) -> Generator:
        """Restore a state from :meth:`get_state`."""
        array = np.asarray(getattr(state, "_data", state), dtype=np.uint8)
        self.numpy.bit_generator.state = json.loads(array.tobytes().decode())
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed every random choice tinygrad_fr makes (as torch.manual_seed does); returns the
    default generator.

    >>> import tinygrad_fr as tg
    >>> _ = tg.manual_seed(0); a = tg.rand(2)
    >>> _ = tg.manual_seed(0); bool((a == tg.rand(2)).all())
    True
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state (a uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(state: Any) -> None:
    """Restore the default generator's state from :func:`get_rng_state`."""
    default_generator.set_state(state)


def generator(source: Generator | np.random.Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind ``source`` (a tg.Generator, a NumPy Generator, or None for
    the default generator): every random function of the library draws from it."""
    if source is None:
        return default_generator.numpy
    if isinstance(source, Generator):
        return source.numpy
    if isinstance(source, np.random.Generator):
        return source
    raise TypeError(
        f"generator must be a tg.Generator (or a NumPy Generator), got {type(source).__name__}"
    )
