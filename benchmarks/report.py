"""The printed table and the JSON file.

One row per workload and dtype: NumPy value, tinygrad_fr value (eager, then with the step
captured by tg.jit.capture where the workload is a training step), ratios and the target,
then torch and its ratio, then the largest difference of each result from NumPy's.
Notes (extrapolations, skipped cells and why) follow the table, keyed by workload id.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.harness import BASELINE, BASELINE_CAPTURED, CAPTURED, NUMPY, TINYGRAD, TORCH, Row

HEADER = (
    "id",
    "workload",
    "dtype",
    "unit",
    "numpy",
    "tinygrad_fr",
    "tg/np",
    "+capture",
    "cap/np",
    "target",
    "met",
    "torch",
    "torch/np",
    "max|diff| tg",
    "max|diff| cap",
    "max|diff| torch",
)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.0f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _cell(row: Row, impl: str) -> str:
    if impl in row.values:
        return _number(row.values[impl])
    if impl in row.errors:
        return "ERROR"
    return "skip" if impl in row.skipped else "-"


def _diff(row: Row, impl: str) -> str:
    if impl not in row.diffs:
        return "-"
    diff = row.diffs[impl]
    flag = "" if row.tolerance is None or diff <= row.tolerance else " MISMATCH"
    return f"{diff:.1e}{flag}"


def _met(row: Row) -> str:
    """'yes'/'no' for eager tinygrad_fr, then '/yes' or '/no' for the captured step if timed."""
    verdicts = [row.met(impl) for impl in (TINYGRAD, CAPTURED) if impl in row.values]
    if not verdicts or verdicts[0] is None:
        return "-"
    return "/".join("yes" if met else "no" for met in verdicts if met is not None)


def cells(row: Row) -> list[str]:
    """The printed cells of one row, in :data:`HEADER` order."""
    target = row.target.text(row.unit) if row.target else "-"
    return [
        row.id,
        row.name,
        row.dtype,
        row.unit,
        _cell(row, NUMPY),
        _cell(row, TINYGRAD),
        _ratio(row.ratio(TINYGRAD)),
        _cell(row, CAPTURED),
        _ratio(row.ratio(CAPTURED)),
        target,
        _met(row),
        _cell(row, TORCH),
        _ratio(row.ratio(TORCH)),
        _diff(row, TINYGRAD),
        _diff(row, CAPTURED),
        _diff(row, TORCH),
    ]


def format_table(rows: list[Row]) -> str:
    """The aligned table followed by its notes."""
    lines = [list(HEADER)] + [cells(row) for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    text = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    ]
    text.insert(1, "  ".join("-" * w for w in widths))
    notes = format_notes(rows)
    paired = format_paired(rows)
    legend = [
        "",
        "tg/np, torch/np: time (or memory) relative to the NumPy baseline, lower is better; "
        "target and met: the goal for tinygrad_fr (met: eager/captured step);",
        "max|diff|: largest difference of the trained weights (W1-W3) or gradients (W4-W5) "
        "from NumPy's, MISMATCH past the tolerance.",
    ]
    return "\n".join(text + legend + paired + (["", "notes:", *notes] if notes else []))


def format_paired(rows: list[Row]) -> list[str]:
    """With --baseline: this checkout's time over the baseline's, cell by cell (paired runs)."""
    pairs = ((TINYGRAD, BASELINE, "eager"), (CAPTURED, BASELINE_CAPTURED, "captured"))
    lines = []
    for row in rows:
        cells = []
        for mine, theirs, label in pairs:
            if mine in row.values and theirs in row.values and row.values[theirs]:
                ratio = row.values[mine] / row.values[theirs]
                cells.append(
                    f"{label} {_number(row.values[mine])} vs {_number(row.values[theirs])} "
                    f"{row.unit}: {ratio:.2f}x"
                )
        if cells:
            lines.append(f"  {row.id} {row.dtype}: " + "; ".join(cells))
    if not lines:
        return []
    return ["", "this checkout / baseline (same process, interleaved; < 1 is faster):", *lines]


def format_notes(rows: list[Row]) -> list[str]:
    """Each row's notes, skips and errors, tagged ``id dtype``; a line shared by every row of
    a workload is printed once, tagged with the id alone."""
    lines: dict[tuple[str, str], list[str]] = {}  # (id, text) -> dtypes, in first-seen order
    for row in rows:
        texts = row.notes + [f"{impl} skipped: {why}" for impl, why in row.skipped.items()]
        texts += [f"{impl} ERROR: {why}" for impl, why in row.errors.items()]
        for text in texts:
            lines.setdefault((row.id, text), []).append(row.dtype)
    out = []
    for (wid, text), dtypes in lines.items():
        every = set(dtypes) == {row.dtype for row in rows if row.id == wid}
        tag = wid if every or dtypes == ["-"] else f"{wid} {'/'.join(dtypes)}"
        out.append(f"  {tag}: {text}")
    return out


def to_json(rows: list[Row], meta: dict[str, Any]) -> dict[str, Any]:
    """Plain data: ``meta`` and one dict per row with its ratios, target verdict and checks."""
    out = []
    for row in rows:
        item = asdict(row)
        item["ratios"] = {impl: row.ratio(impl) for impl in (TINYGRAD, CAPTURED, TORCH)}
        item["target"] = (
            None
            if row.target is None
            else {
                **asdict(row.target),
                "text": row.target.text(row.unit),
                "met": row.met(),
                "met_captured": row.met(CAPTURED),
            }
        )
        item["checks_ok"] = row.checks_ok()
        out.append(item)
    return {"meta": meta, "results": out}


def write_json(path: str | Path, rows: list[Row], meta: dict[str, Any]) -> None:
    """Write :func:`to_json` to ``path``, creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(rows, meta), indent=2) + "\n")
