"""Entry point of ``python benchmarks/run.py``: same as ``python -m benchmarks``."""

import sys
from pathlib import Path

# Run as a script, Python puts benchmarks/ itself on sys.path; the repository root is needed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
