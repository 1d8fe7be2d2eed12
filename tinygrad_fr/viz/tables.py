"""The backward pass as a table: each node's local derivative, with the numbers.

One row per node, in the order backward ran them: the op, the formula of its local derivative
(the course's notation), the gradient arriving at its output (upstream) and, per input that
receives a gradient, the local derivative and the contribution sent (upstream × local). It
prints as text, renders as Markdown and, in a notebook, as an HTML table; with an element
to explain, it ends with the chain rule line from the output to that element.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import formulas, replay
from .chain import ChainRule, chain_rule, element_index
from .format import preview
from .records import BackwardStep, TracedOp

if TYPE_CHECKING:
    from .tracing import Trace

WORDS = {
    "en": {
        "step": "step", "op": "op", "formula": "local derivative", "upstream": "upstream",
        "input": "input", "local": "value", "contribution": "contribution",
        "chain": "chain rule", "title": "backward of {root}: {n} nodes, in the order they ran",
        "traced": "backward gave", "colon": ": ",
    },
    "fr": {
        "step": "étape", "op": "op", "formula": "dérivée locale", "upstream": "gradient reçu",
        "input": "entrée", "local": "valeur", "contribution": "contribution",
        "chain": "règle de la chaîne",
        "title": "rétropropagation de {root} : {n} nœuds, dans l'ordre où ils ont été calculés",
        "traced": "backward donne", "colon": " : ",
    },
}  # fmt: skip


@dataclass
class Edge:
    """What one input of a node receives.

    Attributes:
        input: the input's name.
        formula: its local derivative, as text.
        local: the local derivative (element-wise for element-wise ops, the other operand for
            matmul and Linear), or None where there is no such array (movements, softmax).
        contribution: the gradient sent to the input, in its shape.
        expected: upstream ⊗ local combined by the op's rule (None where no local), which
            equals ``contribution``.
    """

    input: str
    formula: str
    local: np.ndarray | None
    contribution: np.ndarray
    expected: np.ndarray | None = None


@dataclass
class Row:
    """One backward node: its op, formula, upstream gradient and edges."""

    step: int
    op: str
    output: str
    module: str | None
    formula: str
    upstream: Any
    edges: list[Edge] = field(default_factory=list)


class ExplainTable:
    """Rows in backward order and, when an element was asked for, the chain rule line."""

    def __init__(
        self, rows: list[Row], chain: ChainRule | None, lang: str, root: str, digits: int = 4
    ) -> None:
        self.rows, self.chain, self.lang, self.root, self.digits = rows, chain, lang, root, digits

    def _cells(self) -> list[list[str]]:
        """The table as text cells: one line per edge (a node without edges has one)."""
        lines = []
        for row in self.rows:
            op = row.op + (f" [{row.module}]" if row.module else "")
            first = [str(row.step), op, self._text(row.upstream)]
            for k, edge in enumerate(row.edges or [None]):
                head = first if k == 0 else ["", "", ""]
                if edge is None:
                    lines.append(head + ["", row.formula, "", ""])
                    continue
                local, contribution = self._text(edge.local), self._text(edge.contribution)
                lines.append(head + [edge.input, edge.formula, local, contribution])
        return lines

    def _text(self, value: Any) -> str:
        if isinstance(value, tuple):
            return "; ".join(self._text(v) for v in value)
        return preview(value, 4, self.digits) if value is not None else "-"

    def _header(self) -> list[str]:
        words = WORDS[self.lang]
        keys = ("step", "op", "upstream", "input", "formula", "local", "contribution")
        return [words[key] for key in keys]

    def title(self) -> str:
        """The first line: what the table shows."""
        return WORDS[self.lang]["title"].format(root=self.root, n=len(self.rows))

    def chain_line(self) -> str:
        """``chain rule: dL/dw1 = ...``, with what backward gave for comparison (or "")."""
        if self.chain is None:
            return ""
        words = WORDS[self.lang]
        line = f"{words['chain']}{words['colon']}{self.chain.text()}"
        if self.chain.traced is not None:
            line += f"  ({words['traced']} {self.chain.traced:.{self.digits + 2}g})"
        return line

    def __str__(self) -> str:
        cells = [self._header(), *self._cells()]
        widths = [max(len(line[i]) for line in cells) for i in range(len(cells[0]))]
        text = [self.title()]
        for number, line in enumerate(cells):
            text.append("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())
            if number == 0:
                text.append("  ".join("-" * w for w in widths))
        if self.chain is not None:
            text += ["", self.chain_line()]
        return "\n".join(text)

    def to_markdown(self) -> str:
        """The table in Markdown (a pipe table, then the chain rule line)."""
        header = self._header()
        lines = [self.title(), "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for line in self._cells():
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |")
        if self.chain is not None:
            lines += ["", self.chain_line()]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h, quote=False)}</th>" for h in self._header())
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c, quote=False)}</td>" for c in line) + "</tr>"
            for line in self._cells()
        )
        chain = f"<p><b>{html.escape(self.chain_line(), quote=False)}</b></p>" if self.chain else ""
        return (
            f"<div class='tinygrad-fr-explain'><p>{html.escape(self.title(), quote=False)}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{chain}</div>"
        )

    def __repr__(self) -> str:
        return str(self)


def explain_trace(
    trace: Trace, wrt: Any, index: Any, lang: str, names: dict[str, str], digits: int
) -> ExplainTable:
    """The table of ``trace``'s last backward pass (see :meth:`Trace.explain`)."""
    if lang not in WORDS:
        raise ValueError(f"explain: lang must be 'en' or 'fr', got {lang!r}")
    backward = trace.last_pass
    if backward is None or not backward.steps:
        raise RuntimeError(
            "explain: the trace recorded no backward; call loss.backward() inside the "
            "`with tg.viz.trace() as tr:` block"
        )
    rows = [_row(number, step, lang, names) for number, step in enumerate(backward.steps, 1)]
    chain = None
    if wrt is not None:
        target = trace.tensor(wrt)
        element = element_index(target, index)
        chain = chain_rule(trace.ops, backward, target, element, names, digits)
    root = ", ".join(r.name for r in backward.roots)
    return ExplainTable(rows, chain, lang, root, digits)


def _row(number: int, step: BackwardStep, lang: str, names: dict[str, str]) -> Row:
    op = step.op
    rule = formulas.rule_for(op.op)
    edges = []
    for position, (tensor, contribution) in enumerate(zip(op.inputs, step.contributions)):
        if tensor is None or contribution is None:
            continue
        local = local_derivative(op, step, position)
        single = step.upstream[0] if len(step.upstream) == 1 else None
        expected = formulas.expected_contribution(
            rule, position, single, local, tensor.shape, reduce_options(op)
        )
        name = names.get(tensor.name, tensor.name)
        edges.append(Edge(name, rule.formula(position, lang), local, contribution, expected))
    texts = list(dict.fromkeys(edge.formula for edge in edges)) or [rule.formula(0, lang)]
    upstream: Any = step.upstream[0] if len(step.upstream) == 1 else tuple(step.upstream)
    output = ", ".join(names.get(t.name, t.name) for t in op.outputs)
    return Row(number, op.name, output, op.module, "; ".join(texts), upstream, edges)


def local_derivative(op: TracedOp, step: BackwardStep, position: int) -> np.ndarray | None:
    """The local derivative of ``op``'s output with respect to input ``position``."""
    rule = formulas.rule_for(op.op)
    values = [
        tensor.value if tensor is not None else op.constants.get(p)
        for p, tensor in enumerate(op.inputs)
    ]
    output = op.outputs[0].value if op.outputs else None
    if rule.kind == formulas.ELEMENTWISE:
        function = rule.local[position] if position < len(rule.local) else None
        local = function(values, output) if function is not None else None
        if local is None:
            local = replay.ones_vjp(op)[position]
        return None if local is None else np.asarray(local)
    if rule.kind == formulas.REDUCE:
        return replay.ones_vjp(op)[position]
    if rule.kind in (formulas.LINEAR, formulas.MATMUL):
        value = formulas.other_operand(rule, position, values)
        if value is None and op.saved is not None:
            other = 1 - position
            value = op.saved[other] if other < len(op.saved) else None
        return None if value is None else np.asarray(value)
    if rule is formulas.GENERIC:
        return _ratio(step, position)
    return None


def _ratio(step: BackwardStep, position: int) -> np.ndarray | None:
    """The generic local derivative: contribution / upstream, where the op is element-wise
    (NaN where the upstream is 0)."""
    upstream, raw = step.upstream[0] if len(step.upstream) == 1 else None, step.raw[position]
    if upstream is None or raw is None or raw.shape != upstream.shape:
        return None
    with np.errstate(all="ignore"):
        return np.where(upstream != 0, raw / np.where(upstream != 0, upstream, 1), np.nan)


def reduce_options(op: TracedOp) -> dict:
    """A reduction's axes and keepdims, from its arguments (or from its node)."""
    return {
        "axes": op.constants.get(1, getattr(op.node, "axes", None)),
        "keepdims": op.constants.get(2, getattr(op.node, "keepdims", False)),
    }
