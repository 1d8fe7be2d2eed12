"""The errors of ONNX export and of the NumPy runner, and the import of the optional ``onnx``.

``onnx`` is imported only when a file is written or read, so that ``tg.onnx`` itself loads
without it; its absence is reported with the command that installs it.
"""

from __future__ import annotations

import importlib
from typing import Any

INSTALL_HINT = 'pip install "tinygrad_fr[onnx]" (or: pip install onnx onnxruntime)'


class OnnxExportError(RuntimeError):
    """The model cannot be written as ONNX as it is (the message says why and what to do)."""


class UnsupportedOperatorError(OnnxExportError):
    """An op has no ONNX mapping (export) or no NumPy implementation (runner).

    Attributes:
        op: the op's name (a tinygrad_fr op class name when exporting, an ONNX op type when
            running a file).
        module_path: where the op was called (``"0"``, ``"encoder.fc1"``; ``""`` for the
            model's own forward), or None for the runner.
    """

    def __init__(self, message: str, op: str, module_path: str | None = None) -> None:
        super().__init__(message)
        self.op = op
        self.module_path = module_path


def require_onnx(who: str) -> Any:
    """The ``onnx`` module, or an ImportError saying how to install it."""
    try:
        return importlib.import_module("onnx")
    except ImportError as error:
        raise ImportError(
            f"{who}: needs the onnx package, which is not installed. Fix: {INSTALL_HINT}"
        ) from error
