"""Progress bars for the long loops of the labs and the command line, when tqdm is installed.

Bars go to stderr and are on when stderr is a terminal; ``TINYGRAD_FR_PROGRESS=0`` (or the
``--no-progress`` option) turns them off, ``TINYGRAD_FR_PROGRESS=1`` on even in a pipe.
Without tqdm (``pip install "tinygrad_fr[progress]"``) loops run as they are.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")
ENV_VAR = "TINYGRAD_FR_PROGRESS"


def enabled(flag: bool | None = None) -> bool:
    """Whether bars are shown: ``flag`` if given, else the environment variable, else
    whether stderr is a terminal."""
    if flag is not None:
        return flag
    setting = os.environ.get(ENV_VAR, "").strip().lower()
    if setting in ("0", "false", "no", "off"):
        return False
    if setting in ("1", "true", "yes", "on"):
        return True
    return sys.stderr.isatty()


def progress(
    iterable: Iterable[T], *, total: int | None = None, desc: str = "", show: bool | None = None
) -> Iterable[T]:
    """``iterable`` wrapped in a tqdm bar (cleared when done) when bars are on and tqdm is
    installed, else ``iterable`` itself."""
    if not enabled(show):
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    bar: Iterable[T] = tqdm(
        iterable, total=total, desc=desc, leave=False, file=sys.stderr, dynamic_ncols=True
    )
    return bar
