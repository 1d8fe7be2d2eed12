"""``tg.viz.watch(model)``: gradient and update statistics per parameter, step after step.

A post-accumulate hook on each parameter counts the backward passes that reach it; every
``log_freq``-th one records the gradient's mean and max |value|, norm, fraction of zeros and
count of NaN/inf. With ``log="parameters"`` or ``"all"`` it also keeps a copy of the values
and, at the next pass (after the optimizer stepped), the ratio ‖update‖ / ‖values‖: healthy
training keeps it near 1e-3, and a ratio outside [1e-4, 1e-2] is flagged. The other passes
cost one counter increment per parameter.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from typing import Any

import numpy as np

KEYS = (
    "step", "name", "grad_mean_abs", "grad_max_abs", "grad_norm", "zero_fraction",
    "nonfinite", "update_ratio",
)  # fmt: skip
RATIO_RANGE = (1e-4, 1e-2)
LOGS = ("gradients", "parameters", "all")


class Watch:
    """The statistics of one watched model (see :func:`watch`).

    Attributes:
        history: one dict per parameter and logged step, with the keys of ``KEYS``.
    """

    def __init__(self, model: Any, log: str = "gradients", log_freq: int = 1) -> None:
        if log not in LOGS:
            raise ValueError(f"watch: log must be one of {', '.join(LOGS)}, got {log!r}")
        if not isinstance(log_freq, int) or isinstance(log_freq, bool) or log_freq < 1:
            raise ValueError(f"watch: log_freq must be an int >= 1, got {log_freq!r}")
        self.log, self.log_freq = log, log_freq
        self._records: list[dict] = []
        self._counts: dict[str, int] = {}
        self._pending: dict[str, tuple[dict, np.ndarray, Any]] = {}
        self._handles = [
            parameter.register_post_accumulate_grad_hook(self._hook(name))
            for name, parameter in model.named_parameters()
            if parameter.requires_grad
        ]
        if not self._handles:
            raise ValueError("watch: the model has no parameter that requires grad")

    def _hook(self, name: str) -> Callable[[Any], None]:
        def hook(parameter: Any) -> None:
            count = self._counts.get(name, 0)
            self._counts[name] = count + 1
            if name in self._pending:
                self._finish(name, parameter._data)
            if count % self.log_freq:
                return
            record = dict.fromkeys(KEYS)
            record["step"], record["name"] = count, name
            if self.log != "parameters" and parameter.grad is not None:
                record.update(gradient_statistics(parameter.grad._data))
            if self.log != "gradients":
                self._pending[name] = (record, parameter._data.copy(), parameter)
            self._records.append(record)

        return hook

    def _finish(self, name: str, data: np.ndarray) -> None:
        record, before, _ = self._pending.pop(name)
        scale = float(np.linalg.norm(before.reshape(-1)))
        change = float(np.linalg.norm((data - before).reshape(-1)))
        record["update_ratio"] = change / scale if scale else (0.0 if not change else np.inf)

    @property
    def history(self) -> list[dict]:
        """Every record so far. A step whose update is not measured yet gets it now if the
        optimizer has changed the values since (else its ``update_ratio`` stays None)."""
        for name, (_, before, parameter) in list(self._pending.items()):
            if not np.array_equal(before, parameter._data):
                self._finish(name, parameter._data)
        return self._records

    def flagged(self) -> list[dict]:
        """The records whose update ratio is outside [1e-4, 1e-2] or whose gradient holds
        NaN or inf."""
        low, high = RATIO_RANGE
        return [
            r for r in self.history
            if (r["update_ratio"] is not None and not low <= r["update_ratio"] <= high)
            or (r["nonfinite"] or 0) > 0
        ]  # fmt: skip

    def summary(self) -> str:
        """One line per parameter: its last record, with flags."""
        last: dict[str, dict] = {}
        for record in self.history:
            last[record["name"]] = record
        lines = []
        for name, r in last.items():
            parts = [f"{name}: step {r['step']}"]
            if r["grad_norm"] is not None:
                parts.append(f"|grad| {r['grad_norm']:.3g} (max {r['grad_max_abs']:.3g}, "
                             f"zeros {r['zero_fraction']:.0%})")  # fmt: skip
            if r["nonfinite"]:
                parts.append(f"!! {r['nonfinite']} NaN/inf")
            ratio = r["update_ratio"]
            if ratio is not None:
                flag = (
                    "" if RATIO_RANGE[0] <= ratio <= RATIO_RANGE[1] else "  !! outside [1e-4, 1e-2]"
                )
                parts.append(f"update/data {ratio:.3g}{flag}")
            lines.append(", ".join(parts))
        return "\n".join(lines)

    def to_csv(self, path: str | os.PathLike[str]) -> str:
        """Write the history as CSV (one row per record, the columns of ``KEYS``)."""
        path = os.fspath(path)
        with open(path, "w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=KEYS)
            writer.writeheader()
            writer.writerows({k: ("" if v is None else v) for k, v in r.items()}
                             for r in self.history)  # fmt: skip
        return path

    def plot(self, path: str | os.PathLike[str]) -> str:
        """Plot gradient norms (and update ratios, when logged) per step to ``path`` (PNG,
        SVG or PDF by extension); needs matplotlib."""
        from .history import pyplot

        plt = pyplot("Watch.plot")
        records = self.history
        ratios = any(r["update_ratio"] is not None for r in records)
        figure, axes = plt.subplots(2 if ratios else 1, 1, figsize=(8, 6 if ratios else 3.5),
                                    squeeze=False)  # fmt: skip
        names = list(dict.fromkeys(r["name"] for r in records))
        for name in names:
            mine = [r for r in records if r["name"] == name]
            points = [(r["step"], r["grad_norm"]) for r in mine if r["grad_norm"]]
            if points:
                axes[0][0].plot(*zip(*points), label=name)
            if ratios:
                points = [(r["step"], r["update_ratio"]) for r in mine if r["update_ratio"]]
                if points:
                    axes[1][0].plot(*zip(*points), label=name)
        axes[0][0].set(yscale="log", ylabel="‖grad‖", title="gradient norm per parameter")
        if ratios:
            axes[1][0].axhspan(*RATIO_RANGE, color="#c9e7c4", alpha=0.5)
            axes[1][0].set(yscale="log", ylabel="‖update‖ / ‖data‖", xlabel="step")
        else:
            axes[0][0].set(xlabel="step")
        axes[0][0].legend(fontsize=7)
        figure.tight_layout()
        figure.savefig(os.fspath(path))
        plt.close(figure)
        return os.fspath(path)

    def remove(self) -> None:
        """Stop watching: remove every hook (the history stays)."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


def gradient_statistics(grad: np.ndarray) -> dict[str, Any]:
    """Mean and max |grad|, norm, fraction of zeros and number of non-finite values."""
    flat = np.asarray(grad).reshape(-1)
    if flat.size == 0:
        return {"grad_mean_abs": 0.0, "grad_max_abs": 0.0, "grad_norm": 0.0,
                "zero_fraction": 1.0, "nonfinite": 0}  # fmt: skip
    finite = np.isfinite(flat) if flat.dtype.kind == "f" else np.ones(flat.shape, bool)
    bad = int(flat.size - np.count_nonzero(finite))
    values = np.abs(flat if not bad else flat[finite]).astype(np.float64, copy=False)
    return {
        "grad_mean_abs": float(values.mean()) if values.size else float("nan"),
        "grad_max_abs": float(values.max()) if values.size else float("nan"),
        "grad_norm": float(np.sqrt(np.dot(values, values))),
        "zero_fraction": float(1 - np.count_nonzero(flat) / flat.size),
        "nonfinite": bad,
    }


def watch(model: Any, log: str = "gradients", log_freq: int = 1) -> Watch:
    """Record gradient statistics (and, with ``log="parameters"`` or ``"all"``, the update
    ratio) of every parameter of ``model`` at every ``log_freq``-th backward.

    >>> import tinygrad_fr as tg
    >>> model = tg.nn.Linear(3, 1)
    >>> watcher = tg.viz.watch(model, log="all")
    >>> optimizer = tg.optim.SGD(model.parameters(), lr=0.001)
    >>> for _ in range(2):
    ...     optimizer.zero_grad()
    ...     model(tg.ones(3)).sum().backward()
    ...     optimizer.step()
    >>> [(r["step"], r["name"], r["grad_norm"]) for r in watcher.history]
    [(0, 'weight', 1.7320508...), (0, 'bias', 1.0), (1, 'weight', 1.7320508...), (1, 'bias', 1.0)]
    >>> watcher.remove()
    """
    return Watch(model, log, log_freq)
