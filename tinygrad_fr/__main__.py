"""``python -m tinygrad_fr``: the command line (see :mod:`tinygrad_fr.cli`); without a command,
the demo."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
