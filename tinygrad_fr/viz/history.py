"""A training history: loss and metrics per epoch, as a table, CSV, or curves (matplotlib).

matplotlib is an optional extra (``pip install "tinygrad_fr[plot]"``); without it, plotting
raises an ImportError that says so and everything else works.

>>> import tinygrad_fr as tg
>>> history = tg.viz.History()
>>> for epoch in range(3):
...     history.log(loss=1.0 / (epoch + 1), accuracy=0.5 + 0.1 * epoch)
>>> history["loss"]
[1.0, 0.5, 0.3333333333333333]
>>> history.metrics
['loss', 'accuracy']
"""

from __future__ import annotations

import csv
import os
from typing import Any

PLOT_HINT = 'pip install "tinygrad_fr[plot]" (or pip install matplotlib)'


def pyplot(caller: str) -> Any:
    """matplotlib.pyplot on the file-only Agg backend, or an ImportError naming ``caller``."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            f"{caller} needs matplotlib, which is not installed: {PLOT_HINT}"
        ) from None
    matplotlib.use("Agg")  # write files; never open a window
    import matplotlib.pyplot as plt

    return plt


class History:
    """Metrics per epoch: ``log(loss=..., accuracy=...)`` once per epoch, then ``plot(path)``."""

    def __init__(self) -> None:
        self.rows: list[dict[str, float]] = []

    def log(self, epoch: int | None = None, **metrics: float) -> None:
        """Record the metrics of one epoch (numbered from 0 when ``epoch`` is not given)."""
        if not metrics:
            raise ValueError("History.log: give at least one metric, e.g. log(loss=0.25)")
        row: dict[str, float] = {"epoch": len(self.rows) if epoch is None else epoch}
        for name, value in metrics.items():
            row[name] = float(value.item() if hasattr(value, "item") else value)
        self.rows.append(row)

    @property
    def metrics(self) -> list[str]:
        """The names of the metrics logged, in order of first appearance."""
        names: dict[str, None] = {}
        for row in self.rows:
            names.update(dict.fromkeys(k for k in row if k != "epoch"))
        return list(names)

    def __getitem__(self, metric: str) -> list[float]:
        if metric not in self.metrics and metric != "epoch":
            raise KeyError(f"History: no metric {metric!r}; logged: {', '.join(self.metrics)}")
        return [row[metric] for row in self.rows if metric in row]

    def __len__(self) -> int:
        return len(self.rows)

    def to_csv(self, path: str | os.PathLike[str]) -> str:
        """Write one row per epoch."""
        path = os.fspath(path)
        with open(path, "w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=["epoch", *self.metrics])
            writer.writeheader()
            writer.writerows(self.rows)
        return path

    def plot(
        self, path: str | os.PathLike[str], title: str | None = None, log_scale: bool = False
    ) -> str:
        """Plot one curve per metric (one panel each) against the epoch, to ``path`` (PNG,
        SVG or PDF by extension). Returns the path."""
        if not self.rows:
            raise ValueError("History.plot: nothing logged yet; call history.log(loss=...) first")
        plt = pyplot("History.plot")
        metrics = self.metrics
        figure, axes = plt.subplots(
            1, len(metrics), figsize=(4.2 * len(metrics), 3.2), squeeze=False
        )
        for axis, metric in zip(axes[0], metrics):
            points = [(row["epoch"], row[metric]) for row in self.rows if metric in row]
            axis.plot(*zip(*points), marker="." if len(points) < 60 else None)
            axis.set(xlabel="epoch", ylabel=metric, title=metric)
            if log_scale and metric.endswith("loss"):
                axis.set_yscale("log")
            axis.grid(alpha=0.3)
        if title:
            figure.suptitle(title)
        figure.tight_layout()
        figure.savefig(os.fspath(path))
        plt.close(figure)
        return os.fspath(path)
