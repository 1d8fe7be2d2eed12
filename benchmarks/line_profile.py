"""Where a captured step spends its time: the generated code, timed line by line.

The generated source (``step.code``) is compiled again with a clock read after every
statement, in the same namespace, and run on the same arguments; the clock's own cost,
measured on empty statements, is subtracted. The guard and the call around the generated
function are timed too, so the lines add up to the whole captured call.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def _instrument(source: str, name: str) -> tuple[str, list[str]]:
    """The source with ``_t.append(clock())`` after each statement of the function body."""
    lines = source.splitlines()
    out: list[str] = []
    labels: list[str] = []
    inside = False
    for line in lines:
        if line.startswith(f"def {name}("):
            inside = True
            out.append(line)
            out.append("    _t = _times; _c = _clock; _t.append(_c())")
            continue
        stripped = line.strip()
        if not inside or not stripped or stripped.startswith(("#", '"""')):
            out.append(line)
            continue
        if stripped.startswith("return "):
            out.append(f"    _result = {stripped[len('return ') :]}")
            out.append("    _t.append(_c())")
            out.append("    return _result")
            labels.append(stripped)
            continue
        out.append(line)
        out.append("    _t.append(_c())")
        labels.append(stripped.split("  #")[0])
    return "\n".join(out) + "\n", labels


def profile_step(step: Any, calls: list[tuple], repeats: int = 5) -> list[tuple[str, float]]:
    """Median time per call (seconds) of each generated line, the guard and the wrapper.

    ``step`` is a captured function already generated; ``calls`` the argument tuples of the
    calls to time (e.g. one epoch's batches). Runs the instrumented code ``repeats`` times
    over ``calls``; the parameters train as they would.
    """
    variant = step._current
    source = variant.source
    name = source.split("def ", 1)[1].split("(", 1)[0]
    instrumented, labels = _instrument(source, name)
    namespace = variant.run.__globals__
    times: list[float] = []
    namespace.update(_times=times, _clock=time.perf_counter)
    code = compile(instrumented, "<profiled step>", "exec")
    scope: dict[str, Any] = dict(namespace)
    exec(code, scope)
    run = scope[name]
    scope["_times"] = times
    overhead = _clock_cost()
    per_line: list[list[float]] = [[] for _ in labels]
    guard = variant.guard.function
    guard_times: list[float] = []
    for _ in range(repeats):
        for args in calls:
            start = time.perf_counter()
            guard(*args)
            guard_times.append(time.perf_counter() - start)
            times.clear()
            run(*args)
            for index in range(len(labels)):
                per_line[index].append(times[index + 1] - times[index] - overhead)
    rows = [("guard (all checks)", statistics.median(guard_times))]
    rows += [
        (label, max(0.0, statistics.median(values))) for label, values in zip(labels, per_line)
    ]
    return rows


def _clock_cost() -> float:
    clock = time.perf_counter
    samples = []
    for _ in range(2000):
        start = clock()
        samples.append(clock() - start)
    return statistics.median(samples)


def format_profile(rows: list[tuple[str, float]], total: float | None = None) -> str:
    """One line per statement: microseconds per call and share of the total."""
    whole = total if total is not None else sum(seconds for _, seconds in rows)
    lines = []
    for label, seconds in rows:
        share = 100 * seconds / whole if whole else 0.0
        lines.append(f"{seconds * 1e6:8.2f} us {share:5.1f}%  {label[:100]}")
    lines.append(f"{sum(s for _, s in rows) * 1e6:8.2f} us total (lines + guard)")
    return "\n".join(lines)


def group_shares(rows: list[tuple[str, float]], kinds: dict[str, Callable[[str], bool]]) -> dict:
    """Seconds per kind of line (kinds: name -> test on the line's text)."""
    shares = {kind: 0.0 for kind in kinds}
    shares["other"] = 0.0
    for label, seconds in rows:
        for kind, test in kinds.items():
            if test(label):
                shares[kind] += seconds
                break
        else:
            shares["other"] += seconds
    return shares
