"""``tg.viz.watch(model)``: gradient and update statistics per parameter, step after step.

A post-accumulate hook on each parameter counts the backward passes that reach it; every
``log_freq``-th one records the gradient's mean and max |value|, norm, fraction of zeros and
count of NaN/inf. With ``log="parameters"`` or ``"all"`` it also keeps a copy of the values
and, at the next pass (after the optimizer stepped), the ratio ‖update‖ / ‖values‖: healthy
training keeps it near 1e-3, and a ratio outside [1e-4, 1e-2] is flagged. The other passes
cost one counter decrement per parameter, and the statistics of logged steps are computed
for many steps at once, outside the step that logged them.
"""

from __future__ import annotations

import csv
import math
import os
from typing import Any

import numpy as np

KEYS = (
    "step", "name", "grad_mean_abs", "grad_max_abs", "grad_norm", "zero_fraction",
    "nonfinite", "update_ratio",
)  # fmt: skip
RATIO_RANGE = (1e-4, 1e-2)
BLOCK_BYTES = 4 * 2**20  # per parameter: gradient copies kept before their statistics
BLOCK_ROWS = 64
DIRECT_SIZE = 4096  # gradients this large get their statistics at once, without a copy
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
        self._trackers = [
            _Tracker(name, self) for name, p in model.named_parameters() if p.requires_grad
        ]
        parameters = dict(model.named_parameters())
        self._handles = [
            parameters[t.name].register_post_accumulate_grad_hook(t) for t in self._trackers
        ]
        if not self._handles:
            raise ValueError("watch: the model has no parameter that requires grad")

    def _work(self, tracker: _Tracker, parameter: Any) -> int:
        """Measure the pending update, log this step if it is due; returns how many of the
        next calls have nothing to do."""
        if tracker.pending is not None:
            tracker.finish(parameter._data)
        phase = tracker.step % self.log_freq
        if phase:
            return self.log_freq - 1 - phase
        record = {
            "step": tracker.step,
            "name": tracker.name,
            "grad_mean_abs": None,
            "grad_max_abs": None,
            "grad_norm": None,
            "zero_fraction": None,
            "nonfinite": None,
            "update_ratio": None,
        }
        grad = parameter._grad
        if self.log != "parameters" and grad is not None:
            tracker.summarise(record, grad._data)
        self._records.append(record)
        if self.log == "gradients":
            return self.log_freq - 1
        tracker.snapshot(record, parameter)
        return 0  # the next call measures the update

    @property
    def history(self) -> list[dict]:
        """Every record so far. A step whose update is not measured yet gets it now if the
        optimizer has changed the values since (else its ``update_ratio`` stays None)."""
        for tracker in self._trackers:
            if tracker.pending is not None and tracker.values is not None:
                parameter = tracker.pending[1]
                if not np.array_equal(tracker.values, parameter._data):
                    tracker.finish(parameter._data)
            if tracker.copies is not None:
                tracker.copies.flush()
        return self._records

    def flagged(self) -> list[dict]:
        """The records whose update ratio is outside [1e-4, 1e-2] or whose gradient holds
        NaN or inf."""
        low, high = RATIO_RANGE
        return [
            r
            for r in self.history
            if (r["update_ratio"] is not None and not low <= r["update_ratio"] <= high)
            or (r["nonfinite"] or 0) > 0
        ]

    def summary(self) -> str:
        """One line per parameter: its last record, with flags."""
        last: dict[str, dict] = {}
        for record in self.history:
            last[record["name"]] = record
        lines = []
        for name, r in last.items():
            parts = [f"{name}: step {r['step']}"]
            if r["grad_norm"] is not None:
                parts.append(
                    f"|grad| {r['grad_norm']:.3g} (max {r['grad_max_abs']:.3g}, "
                    f"zeros {r['zero_fraction']:.0%})"
                )
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
            writer.writerows(
                {k: ("" if v is None else v) for k, v in r.items()} for r in self.history
            )
        return path

    def plot(self, path: str | os.PathLike[str]) -> str:
        """Plot gradient norms (and update ratios, when logged) per step to ``path`` (PNG,
        SVG or PDF by extension); needs matplotlib."""
        from .history import pyplot

        plt = pyplot("Watch.plot")
        records = self.history
        ratios = any(r["update_ratio"] is not None for r in records)
        figure, axes = plt.subplots(
            2 if ratios else 1, 1, figsize=(8, 6 if ratios else 3.5), squeeze=False
        )
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


class _Tracker:
    """One watched parameter: the hook backward calls, its count of steps, and what its
    logged steps still need (an update to measure, gradients to summarise)."""

    __slots__ = (
        "copies",
        "name",
        "pending",
        "scale",
        "scratch",
        "skip",
        "step",
        "values",
        "watch",
    )

    def __init__(self, name: str, watch: Watch) -> None:
        self.name, self.watch = name, watch
        self.skip, self.step = 0, -1  # calls left to skip, and the count of calls so far
        self.pending: tuple[dict, Any] | None = None  # a record waiting for its update ratio
        self.values: np.ndarray | None = None  # the parameter's values at that step
        self.scale = 0.0  # and their norm
        self.copies: _Copies | None = None
        self.scratch: np.ndarray | None = None

    def __call__(self, parameter: Any) -> None:
        self.step += 1
        if self.skip:  # most steps: one decrement, nothing else
            self.skip -= 1
            return
        self.skip = self.watch._work(self, parameter)

    def summarise(self, record: dict, grad: np.ndarray) -> None:
        """Fill ``record`` with ``grad``'s statistics, now (large) or later (small)."""
        if grad.size >= DIRECT_SIZE:
            record.update(gradient_statistics(grad, self._scratch(grad)))
            return
        # A small gradient: copied into memory already there, its statistics computed later
        # with those of other steps (a few NumPy calls would cost more than the work).
        copies = self.copies
        if copies is None or not copies.fits(grad):
            if copies is not None:
                copies.flush()
            copies = self.copies = _Copies(grad)
        copies.add(record, grad)

    def snapshot(self, record: dict, parameter: Any) -> None:
        """Keep the values (and their norm) to measure the update at the next step."""
        data = parameter._data
        before = self.values
        if before is None or before.shape != data.shape or before.dtype != data.dtype:
            before = self.values = np.empty_like(data)
        np.copyto(before, data)
        self.scale = math.sqrt(squared_norm(data, self._scratch(data)))
        self.pending = (record, parameter)

    def finish(self, data: np.ndarray) -> None:
        """The update ratio of the pending step, now that the values are ``data``."""
        if self.pending is None or self.values is None:
            return
        record = self.pending[0]
        change = np.subtract(data, self.values, out=self._scratch(data))
        moved, scale = math.sqrt(squared_norm(change, change)), self.scale
        record["update_ratio"] = moved / scale if scale else (0.0 if not moved else math.inf)
        self.pending = None

    def _scratch(self, like: np.ndarray) -> np.ndarray:
        scratch = self.scratch
        if scratch is None or scratch.shape != like.shape or scratch.dtype != like.dtype:
            scratch = self.scratch = np.empty_like(like)
        return scratch


class _Copies:
    """The gradients of one parameter at logged steps, copied into one block allocated once;
    their statistics are computed together, a row per step, when the block is full or read."""

    def __init__(self, grad: np.ndarray) -> None:
        size = max(grad.size, 1)
        rows = max(1, min(BLOCK_ROWS, BLOCK_BYTES // (size * grad.itemsize)))
        self.block = np.empty((rows, grad.size), dtype=grad.dtype)
        self.shape = grad.shape
        self.records: list[dict] = []

    def fits(self, grad: np.ndarray) -> bool:
        return grad.shape == self.shape and grad.dtype == self.block.dtype

    def add(self, record: dict, grad: np.ndarray) -> None:
        self.block[len(self.records)] = grad.reshape(-1)
        self.records.append(record)
        if len(self.records) == len(self.block):
            self.flush()

    def flush(self) -> None:
        count = len(self.records)
        if not count:
            return
        rows = self.block[:count]
        if rows.dtype.kind != "f":
            rows = rows.astype(np.float64)
        size = rows.shape[1]
        squares = np.einsum("ij,ij->i", rows, rows)
        nonzero = np.count_nonzero(rows, axis=1)  # rows are small (see DIRECT_SIZE)
        absolute = np.abs(rows, out=rows)  # the block is ours: no new memory
        sums, maxima = absolute.sum(axis=1), absolute.max(axis=1, initial=0.0)
        for k, record in enumerate(self.records):
            if not size or math.isfinite(squares[k]):
                record.update(
                    grad_mean_abs=float(sums[k]) / size if size else 0.0,
                    grad_max_abs=float(maxima[k]),
                    grad_norm=math.sqrt(float(squares[k])),
                    zero_fraction=1.0 - int(nonzero[k]) / size if size else 1.0,
                    nonfinite=0,
                )
            else:
                record.update(gradient_statistics(rows[k]))
        self.records.clear()


def squared_norm(array: np.ndarray, scratch: np.ndarray | None = None) -> float:
    """The sum of squares, squared into ``scratch`` (or new memory) then summed. Not BLAS's
    dot: it may wake BLAS threads, which inside a training step can take milliseconds on a
    busy machine."""
    return float(np.add.reduce(np.multiply(array, array, out=scratch), axis=None))


def gradient_statistics(grad: np.ndarray, scratch: np.ndarray | None = None) -> dict[str, Any]:
    """Mean and max |grad|, norm, fraction of zeros and number of non-finite values.

    Five quick ufunc passes (the statistics run inside a training step): |grad| into
    ``scratch`` (an array of the gradient's size and dtype: new memory costs page faults),
    its sum, max and min, then its squares summed in place. Zeros are counted only when the
    min is 0, NaN and inf only when the sum is not finite.
    """
    flat = np.asarray(grad).reshape(-1)
    count = flat.size
    if count == 0:
        return {
            "grad_mean_abs": 0.0,
            "grad_max_abs": 0.0,
            "grad_norm": 0.0,
            "zero_fraction": 1.0,
            "nonfinite": 0,
        }
    if flat.dtype.kind != "f":
        flat = flat.astype(np.float64)
    fits = scratch is not None and scratch.size == count and scratch.dtype == flat.dtype
    absolute = np.abs(flat, out=scratch.reshape(-1) if fits else None)  # type: ignore[union-attr]
    bad, total = 0, float(np.add.reduce(absolute))
    if not math.isfinite(total):
        finite = np.isfinite(absolute)
        bad = count - int(np.count_nonzero(finite))
        if bad:
            absolute = absolute[finite]
            total = float(np.add.reduce(absolute))
    size = absolute.size
    if not size:
        return {
            "grad_mean_abs": math.nan,
            "grad_max_abs": math.nan,
            "grad_norm": math.nan,
            "zero_fraction": 0.0,
            "nonfinite": bad,
        }
    largest, smallest = float(np.maximum.reduce(absolute)), float(np.minimum.reduce(absolute))
    zeros = size - int(np.count_nonzero(absolute)) if smallest == 0 else 0
    squares = np.multiply(absolute, absolute, out=absolute)  # |grad| is ours to overwrite
    return {
        "grad_mean_abs": total / size,
        "grad_max_abs": largest,
        "grad_norm": math.sqrt(float(np.add.reduce(squares))),
        "zero_fraction": zeros / count,
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
