"""ONNX export and a NumPy-only runner: the way out of tinygrad_fr to a board.

``tg.onnx.export(model, args, path)`` writes a model as ``torch.onnx.export`` does (batch
dimension dynamic by default, opsets 13 to 21); ``tg.onnx.load(path)`` runs such a file with
NumPy alone, where ONNX Runtime is missing. Both need the ``onnx`` package
(``pip install "tinygrad_fr[onnx]"``), imported only when a file is written or read.
"""

from __future__ import annotations

from .errors import OnnxExportError, UnsupportedOperatorError
from .export import SUPPORTED_OPSETS, build_model, export
from .runner import Runner, load

__all__ = [
    "SUPPORTED_OPSETS", "OnnxExportError", "Runner", "UnsupportedOperatorError", "build_model",
    "export", "load",
]  # fmt: skip
