"""Where downloaded data sets live on disk.

The root is ``~/.cache/tinygrad_fr``, or the folder named by the environment variable
``TINYGRAD_FR_DATA``; each data set has a sub-folder (``mnist/``).
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV_VAR = "TINYGRAD_FR_DATA"
"""Environment variable that replaces the default data root ``~/.cache/tinygrad_fr``."""


def data_home() -> Path:
    """Return the data root: ``$TINYGRAD_FR_DATA`` if set and non-empty, else the default.

    The default is ``~/.cache/tinygrad_fr``. The variable is read at each call, so setting it
    later in a program takes effect.
    """
    override = os.environ.get(DATA_ENV_VAR)
    if override:
        return Path(override).expanduser()
    return Path.home() / ".cache" / "tinygrad_fr"


def dataset_dir(name: str) -> Path:
    """Return ``data_home() / name``, the cache folder of one data set (not created)."""
    return data_home() / name
