"""``plot_grad_flow``: mean and max |grad| per layer on a log scale, to spot vanishing or
exploding gradients at a glance.

The forum's version crashes on a parameter without a gradient; here such a parameter gets a
"no grad" mark instead, a zero gradient a "0" mark and a NaN/inf one a "NaN/inf" mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .history import pyplot


def plot_grad_flow(named_parameters: Iterable[tuple[str, Any]], ax: Any = None) -> Any:
    """Bars of max and mean |grad| per parameter (log scale) on ``ax`` (a new figure's
    axes if None); returns the matplotlib Axes. Needs matplotlib.

    Args:
        named_parameters: ``model.named_parameters()`` or any (name, tensor) pairs.
        ax: the matplotlib Axes to draw on.
    """
    plt = pyplot("plot_grad_flow")
    names, means, maxima, marks = [], [], [], []
    for name, parameter in named_parameters:
        if not getattr(parameter, "requires_grad", True):
            continue
        mean, maximum, mark = _bar(getattr(parameter, "grad", None))
        names.append(name)
        means.append(mean)
        maxima.append(maximum)
        marks.append(mark)
    own = ax is None
    if own:
        _, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(names) + 2), 3.5))
    positions = np.arange(len(names))
    ax.bar(
        positions, np.nan_to_num(maxima, nan=0.0), alpha=0.4, color="#1f77b4", label="max |grad|"
    )
    ax.bar(
        positions, np.nan_to_num(means, nan=0.0), alpha=0.9, color="#ff7f0e", label="mean |grad|"
    )
    ax.set_yscale("log")
    finite = [v for v in maxima + means if np.isfinite(v) and v > 0]
    low = min(finite) / 10 if finite else 1e-8
    high = max(finite) * 10 if finite else 1.0
    ax.set_ylim(low, high)
    for position, mark in zip(positions, marks):
        if mark:
            ax.text(
                position,
                low * 1.5,
                mark,
                rotation=90,
                ha="center",
                va="bottom",
                color="#cc0000",
                fontsize=8,
            )
    ax.set_xticks(positions)
    ax.set_xticklabels(names, rotation=45, ha="right", fontsize=8)
    ax.set(ylabel="|grad|", title="gradient flow")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    if own:
        ax.figure.tight_layout()
    return ax


def _bar(grad: Any) -> tuple[float, float, str]:
    """(mean |grad|, max |grad|, mark): NaN heights and a mark where there is no bar."""
    if grad is None:
        return np.nan, np.nan, "no grad"
    values = np.abs(np.asarray(getattr(grad, "_data", grad), dtype=np.float64))
    if not np.isfinite(values).all():
        return np.nan, np.nan, "NaN/inf"
    if not values.any():
        return np.nan, np.nan, "0"
    return float(values.mean()), float(values.max()), ""
