"""``tg.cuda``: answers the questions scripts ask about CUDA (there is none here).

``is_available()`` is False and ``device_count()`` 0, so that scripts choose the CPU; seeding
calls do nothing, as in PyTorch without a GPU; anything that needs a GPU raises.
"""

from __future__ import annotations

from typing import Any, NoReturn


def is_available() -> bool:
    """False: tinygrad_fr computes on the CPU with NumPy."""
    return False


def device_count() -> int:
    """0: no GPU."""
    return 0


def manual_seed(seed: int) -> None:
    """Does nothing (no GPU to seed), as in PyTorch without CUDA."""


def manual_seed_all(seed: int) -> None:
    """Does nothing (no GPU to seed), as in PyTorch without CUDA."""


def empty_cache() -> None:
    """Does nothing (no GPU memory to release)."""


def is_initialized() -> bool:
    """False: there is no CUDA to initialise."""
    return False


def _unavailable(*args: Any, **kwargs: Any) -> NoReturn:
    raise RuntimeError(
        "tg.cuda: tinygrad_fr computes on the CPU with NumPy; there is no CUDA device. "
        "Check tg.cuda.is_available() and use the CPU."
    )


current_device = synchronize = get_device_name = set_device = _unavailable
