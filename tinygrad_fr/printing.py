"""Printing tensors as PyTorch does: ``tensor([1.0000, 2.5000], requires_grad=True)``.

The rules are PyTorch's: one format for all elements (integers as ``1.``, fixed point with 4
decimals, or scientific notation when the values span more than three orders of magnitude or
leave [1e-4, 1e8]), elements right-aligned to one width, lines of at most 80 characters, and
big tensors summarised by their first and last 3 items per dimension. The dtype is shown
unless it is the default float dtype, int64 or bool, with PyTorch's name (``torch.float64``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from . import dtypes

_FIELDS = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")


class PrintOptions:
    """What :func:`set_printoptions` changes (a plain class: a dataclass would cost a
    millisecond of ``import tinygrad_fr``)."""

    __slots__ = _FIELDS

    def __init__(
        self,
        precision: int = 4,
        threshold: float = 1000,
        edgeitems: int = 3,
        linewidth: int = 80,
        sci_mode: bool | None = None,
    ) -> None:
        self.precision = precision
        self.threshold = threshold
        self.edgeitems = edgeitems
        self.linewidth = linewidth
        self.sci_mode = sci_mode

    def as_dict(self) -> dict[str, Any]:
        """The options as keyword arguments for :func:`set_printoptions`."""
        return {name: getattr(self, name) for name in _FIELDS}


OPTIONS = PrintOptions()
_PROFILES = {
    "default": PrintOptions(),
    "short": PrintOptions(precision=2, edgeitems=2),
    "full": PrintOptions(threshold=math.inf),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print, as ``torch.set_printoptions`` (``profile`` is "default",
    "short" or "full"; ``sci_mode`` None chooses by the values).

    >>> import tinygrad_fr as tg
    >>> tg.set_printoptions(precision=2); tg.tensor([1.12345])
    tensor([1.12])
    >>> tg.set_printoptions(profile="default"); tg.tensor([1.12345])
    tensor([1.1235])
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {list(_PROFILES)}")
        for name in _FIELDS:
            setattr(OPTIONS, name, getattr(_PROFILES[profile], name))
    for name, value in (
        ("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):  # fmt: skip
        if value is not None:
            setattr(OPTIONS, name, value)
    OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for :func:`set_printoptions`."""
    return OPTIONS.as_dict()


@contextmanager
def printoptions(**options: Any) -> Iterator[None]:
    """Change the print options inside a ``with`` block only."""
    saved = get_printoptions()
    set_printoptions(**options)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _Formatter:
    """One format for every element of a tensor, chosen from its finite non-zero values."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        precision = OPTIONS.precision
        if not self.floating:
            for value in values.reshape(-1).tolist():
                self.width = max(self.width, len(str(value)))
            return
        finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        low, high = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        self.sci_mode = (
            high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
            if OPTIONS.sci_mode is None
            else OPTIONS.sci_mode
        )
        items = finite.tolist()
        if self.sci_mode:
            self.width = max(len(f"{value:.{precision}e}") for value in items)
        elif self.int_mode:
            self.width = max(len(f"{value:.0f}") + 1 for value in items)
        else:
            self.width = max(len(f"{value:.{precision}f}") for value in items)

    def format(self, value: Any) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{OPTIONS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{OPTIONS.precision}f}"
        return " " * (self.width - len(text)) + text


def _summarized(values: np.ndarray) -> np.ndarray:
    """The elements that will be printed (the edges of each long dimension)."""
    edge = OPTIONS.edgeitems
    if values.ndim == 0:
        return values
    if values.shape[0] > 2 * edge:
        values = np.concatenate([values[:edge], values[-edge:]])
    if values.ndim == 1:
        return values
    return np.stack([_summarized(row) for row in values])


def _body(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if values.ndim == 0:
        return formatter.format(values.item())
    edge = OPTIONS.edgeitems
    cut = summarize and values.shape[0] > 2 * edge
    if values.ndim == 1:
        per_line = max(1, (OPTIONS.linewidth - indent) // (formatter.width + 2))
        items = values.tolist()
        if cut:
            data = [formatter.format(v) for v in items[:edge]] + [" ..."]
            data += [formatter.format(v) for v in items[-edge:]]
        else:
            data = [formatter.format(v) for v in items]
        lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(edge)) + [-1] + list(range(len(values) - edge, len(values)))
    slices = [
        "..." if row == -1 else _body(values[row], indent + 1, summarize, formatter)
        for row in (rows if cut else range(len(values)))
    ]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _default_dtype(dtype: np.dtype) -> bool:
    return dtype == dtypes.get_default_dtype() or dtype.kind == "b" or dtype == np.int64


def tensor_repr(tensor: Any, prefix: str = "tensor(") -> str:
    """The repr of a tensor, as PyTorch prints it."""
    values = tensor._data
    indent = len(prefix)
    suffixes = []
    if values.size == 0:
        body = "[]"
        if values.ndim != 1:
            suffixes.append(f"size={values.shape}")
        if values.dtype != dtypes.get_default_dtype():
            suffixes.append(f"dtype={dtypes.torch_name(values.dtype)}")
    else:
        summarize = values.size > OPTIONS.threshold
        formatter = _Formatter(_summarized(values) if summarize else values)
        body = _body(values, indent, summarize, formatter)
        if not _default_dtype(values.dtype):
            suffixes.append(f"dtype={dtypes.torch_name(values.dtype)}")
    if tensor._grad_fn is not None:
        suffixes.append(f"grad_fn=<{tensor._grad_fn.name()}>")
    elif tensor._requires_grad:
        suffixes.append("requires_grad=True")
    if tensor.name:
        suffixes.append(f"name={tensor.name!r}")
    return _add_suffixes(prefix + body, suffixes, indent)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > OPTIONS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"
