"""Helpers shared by the labs: their command line (fast mode, seed, progress bars), the digit
images (MNIST or offline 8x8 digits) and optional matplotlib figures.

Not a lab itself: each ``labN_*`` module imports it.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import tinygrad_fr.datasets as datasets
from tinygrad_fr.cli.parser import Parser

FAST_ENV_VAR = "TINYGRAD_FR_FAST"
"""Setting it to 1 has the same effect as ``--fast`` on every lab."""

EXIT_MISSING_DEPENDENCY = 2
"""Exit status of a lab that needs scikit-learn's digits when neither MNIST nor it is there."""

PLOT_HINT = 'matplotlib is not installed: pip install "tinygrad_fr[plot]" to save the figure.'


def grad_of(tensor: Any) -> Any:
    """``tensor.grad``, which a backward has just filled (an error names the tensor if not)."""
    if tensor.grad is None:
        raise RuntimeError(f"no gradient reached the tensor of shape {tuple(tensor.shape)}")
    return tensor.grad


def lab_parser(doc: str | None, prog: str | None = None) -> argparse.ArgumentParser:
    """A lab's command line: described by the first line of its docstring, with one-line
    errors (exit status 2)."""
    return Parser(prog=prog, description=(doc or "").splitlines()[0])


def add_common_arguments(parser: argparse.ArgumentParser, seed: int = 0) -> None:
    """Add ``--fast``, ``--seed`` (default ``seed``) and ``--no-progress`` to a lab's command
    line."""
    parser.add_argument(
        "--fast",
        action="store_true",
        help=f"fewer epochs/samples so the lab runs in seconds (same as {FAST_ENV_VAR}=1)",
    )
    parser.add_argument(
        "--seed", type=int, default=seed, help=f"tg.manual_seed value (default {seed})"
    )
    parser.add_argument(
        "--no-progress", dest="progress", action="store_false", default=None,
        help="no progress bars (shown on a terminal when tqdm is installed)",
    )  # fmt: skip


def add_mnist_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--mnist-path`` to a lab's command line."""
    parser.add_argument(
        "--mnist-path",
        default=None,
        help="folder with the four MNIST IDX files or an mnist.npz (default: the cache folder)",
    )


def is_fast(flag: bool) -> bool:
    """True if ``--fast`` was given or the environment variable asks for fast mode."""
    return flag or os.environ.get(FAST_ENV_VAR, "").strip().lower() in ("1", "true", "yes")


@dataclass
class Digits:
    """Digit images as float64 rows in [0, 1] with int64 labels, and where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    side: int  # images are side x side pixels: 28 for MNIST, 8 for the offline digits
    source: str

    @property
    def n_inputs(self) -> int:
        """Number of pixels per image: the size of the network's input layer."""
        return self.side * self.side


def _fallback_message(mnist_path: str | None) -> str:
    folder = Path(mnist_path) if mnist_path else datasets.mnist_dir()
    call = (
        f"d.load_mnist({str(folder)!r}, download=True)"
        if mnist_path
        else ("d.load_mnist(download=True)")
    )
    return (
        "MNIST not found, using scikit-learn's offline 8x8 digits instead — to use MNIST run: "
        f'python -c "import tinygrad_fr.datasets as d; {call}" '
        f"(or put the four MNIST IDX files, or mnist.npz, in {folder})"
    )


def load_course_digits(
    mnist_path: str | None = None,
    *,
    max_train: int | None = None,
    max_test: int | None = None,
) -> Digits:
    """MNIST if it is on disk, else scikit-learn's 8x8 digits (saying so), else exit with 2.

    ``max_train`` and ``max_test`` keep only the first samples (fast mode). Never downloads.
    """
    if datasets.mnist_available(mnist_path):
        x_train, y_train, x_test, y_test = datasets.load_mnist(mnist_path)
        side, source = 28, "MNIST"
    else:
        print(_fallback_message(mnist_path))
        try:
            x_train, y_train, x_test, y_test = datasets.load_digits()
        except ImportError:
            print(
                "scikit-learn is not installed either, so there are no digits to learn from. "
                'Install it with: pip install scikit-learn (or pip install "tinygrad_fr[digits]"), '
                "or download MNIST as above.",
                file=sys.stderr,
            )
            raise SystemExit(EXIT_MISSING_DEPENDENCY) from None
        side, source = 8, "scikit-learn digits 8x8"
    return Digits(
        x_train[:max_train].astype(np.float64),
        y_train[:max_train],
        x_test[:max_test].astype(np.float64),
        y_test[:max_test],
        side,
        source,
    )


def pyplot() -> Any:
    """matplotlib.pyplot on the file-only Agg backend, or None if matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")  # write PNG files; never open a window
    import matplotlib.pyplot as plt

    return plt
