"""A trace as an ASCII tree, for a terminal on a board: no Graphviz, no browser.

The output is the root; below each tensor come the inputs of the op that computed it. A
tensor reached a second time is printed once more with "(see above)", not expanded again.
The walk is iterative, so deep graphs print as well as shallow ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .format import nonfinite, preview, shape_text
from .records import INTERMEDIATE, TracedTensor

if TYPE_CHECKING:
    from .tracing import Trace


def describe(tensor: TracedTensor) -> str:
    """One line: name, shape, value, gradient, what made it, and NaN/inf flags."""
    text = f"{tensor.name} {shape_text(tensor.shape)}"
    if tensor.value is not None:
        text += f" = {preview(tensor.value, 4)}"
    if tensor.grad is not None:
        text += f"  grad {preview(tensor.grad, 4)}"
    op = tensor.producer
    if op is not None:
        text += f"  <- {op.name}" + (f" [{op.module}]" if op.module else "")
    elif tensor.kind != INTERMEDIATE:
        text += f"  ({tensor.kind})"
    for what, array in (("value", tensor.value), ("grad", tensor.grad)):
        if nonfinite(array):
            text += f"  !! {nonfinite(array)} in {what}"
    return text


def text_tree(trace: Trace, max_lines: int = 200) -> str:
    """The tree of ``trace`` from its output(s), at most ``max_lines`` lines."""
    roots = list(trace.last_pass.roots) if trace.last_pass is not None else _sinks(trace)
    lines: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[TracedTensor, str, str]] = [(root, "", "") for root in reversed(roots)]
    while stack:
        tensor, lead, rest = stack.pop()
        if len(lines) == max_lines:
            lines.append(f"... (more lines; to_text(max_lines={2 * max_lines}) shows more)")
            break
        again = tensor.number in seen and tensor.producer is not None
        lines.append(lead + describe(tensor) + ("  (see above)" if again else ""))
        if again:
            continue
        seen.add(tensor.number)
        inputs = [t for t in (tensor.producer.inputs if tensor.producer else ()) if t is not None]
        for position in range(len(inputs) - 1, -1, -1):
            last = position == len(inputs) - 1
            stack.append(
                (
                    inputs[position],
                    rest + ("`-- " if last else "|-- "),
                    rest + ("    " if last else "|   "),
                )
            )
    return "\n".join(lines)


def _sinks(trace: Trace) -> list[TracedTensor]:
    used = {t.number for op in trace.ops for t in op.inputs if t is not None}
    outputs = [out for op in trace.ops for out in op.outputs if out.number not in used]
    return outputs[::-1][:4]
