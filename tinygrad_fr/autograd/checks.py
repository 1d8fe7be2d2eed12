"""Errors of ops and the checks of anomaly mode, in words that name the op and the shapes.

:func:`forward_error` rephrases NumPy's errors; :func:`check_forward` and
:func:`check_backward` raise as soon as an op or a node produces NaN or inf under
``tg.detect_anomaly()``, the backward one showing where the op was called in forward.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def forward_error(cls: type, arrays: list, error: ValueError) -> RuntimeError:
    """NumPy's error rephrased to name the op and the shapes of its inputs, as a RuntimeError
    (PyTorch's class for shape mismatches)."""
    ufunc = next((a for a in arrays if isinstance(a, np.ufunc)), None)
    name = ufunc.__name__ if ufunc is not None else cls.__name__.lower()
    shapes = [tuple(a.shape) for a in arrays if isinstance(a, np.ndarray)]
    if "broadcast" in str(error):
        listed = " and ".join(str(shape) for shape in shapes)
        return RuntimeError(
            f"{name}: cannot broadcast shapes {listed}: compared from the right, each pair "
            "of dimensions must be equal or one of them 1. Reshape or unsqueeze an operand."
        )
    return RuntimeError(f"{name}: {error} (input shapes {', '.join(map(str, shapes))})")


def check_forward(cls: type, out: np.ndarray, arrays: list) -> None:
    """Under detect_anomaly: raise if the op's output holds NaN or inf."""
    if out.dtype.kind != "f" or np.isfinite(out).all():
        return
    bad = "nan" if np.isnan(out).any() else "inf"
    inputs_finite = all(
        not isinstance(a, np.ndarray) or a.dtype.kind != "f" or np.isfinite(a).all() for a in arrays
    )
    origin = "from finite inputs" if inputs_finite else "(its inputs already held NaN or inf)"
    raise FloatingPointError(
        f"{cls.__name__.lower()} produced {bad} in its output (shape {out.shape}) {origin}. "
        "Check the values reaching this op (log of a non-positive number, division by zero, "
        "overflowing exp...)."
    )


def check_backward(node: Any, grads: tuple) -> None:
    """Under detect_anomaly: raise if a node's backward produced NaN or inf."""
    for position, g in enumerate(grads):
        data = getattr(g, "_data", g)  # a Tensor under create_graph, else an array
        if data is None or np.isfinite(data).all():
            continue
        bad = "nan" if np.isnan(data).any() else "inf"
        trace = "".join(node._forward_trace or ()) or "  (not recorded)\n"
        raise FloatingPointError(
            f"{node.name()} returned {bad} in its gradient for input {position} (shape "
            f"{tuple(data.shape)}). The op was called in forward here:\n{trace}"
        )
