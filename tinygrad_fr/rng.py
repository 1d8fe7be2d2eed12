"""The library's random number generator: one seed makes every random choice repeatable.

Initialisation, dropout, ``rand``/``randn`` and DataLoader shuffling all draw from
:func:`generator`; :func:`manual_seed` resets it. A :class:`Generator` object is a separate
stream, for the functions that take ``generator=`` as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random choice tinygrad_fr makes (as torch.manual_seed does).

    >>> import tinygrad_fr as tg
    >>> _ = tg.manual_seed(0); a = tg.rand(2)
    >>> _ = tg.manual_seed(0); bool((a == tg.rand(2)).all())
    True
    """
    global _generator
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: the seed must be a non-negative int, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The generator every random function of the library draws from."""
    return _generator


class Generator:
    """A random number generator of its own, as torch.Generator (NumPy's PCG64 inside).

    Pass it where PyTorch takes ``generator=`` (DataLoader, random_split, nn.init): those draws
    then repeat with its seed, whatever else draws from the library's generator. The numbers
    differ from PyTorch's (another algorithm).

    >>> import tinygrad_fr as tg
    >>> g = tg.Generator().manual_seed(42)
    >>> g.initial_seed()
    42
    """

    def __init__(self, device: str = "cpu") -> None:
        if str(device) != "cpu":
            raise RuntimeError(
                f"Generator: device {device!r} is not available: tinygrad_fr computes on the "
                "CPU with NumPy"
            )
        self.device = "cpu"
        self.manual_seed(int(np.random.SeedSequence().entropy % 2**63))  # type: ignore[operator]

    def manual_seed(self, seed: int) -> Generator:
        """Restart from ``seed``; return self (so that ``Generator().manual_seed(0)`` works)."""
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"Generator.manual_seed: expected an int >= 0, got {seed!r}")
        self._seed = int(seed)
        self.numpy = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Restart from a fresh random seed, and return it."""
        self.manual_seed(int(np.random.SeedSequence().entropy % 2**63))  # type: ignore[operator]
        return self._seed

    def initial_seed(self) -> int:
        """The seed this generator last started from."""
        return self._seed

    def get_state(self) -> Any:
        """The state of the generator (restore it with :meth:`set_state`)."""
        return self.numpy.bit_generator.state

    def set_state(self, state: Any) -> Generator:
        """Restore a state from :meth:`get_state`; return self."""
        self.numpy.bit_generator.state = state
        return self


def numpy_generator(generator: Generator | np.random.Generator | None) -> np.random.Generator:
    """The NumPy generator to draw from: ``generator``'s, or the library's when None."""
    if generator is None:
        return _generator
    if isinstance(generator, Generator):
        return generator.numpy
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"generator must be a tg.Generator (or a NumPy Generator), got {type(generator).__name__}"
    )
