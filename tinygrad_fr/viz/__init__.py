"""Seeing backprop: traces of a computation, graph drawings, a step-through page, tables of the
chain rule with numbers, and gradient-flow diagnostics.

``trace`` records (:mod:`.tracing`); a trace draws itself (:mod:`.draw`, :mod:`.render`), steps
through its backward in a page (:mod:`.page`), explains it as a table (:mod:`.tables`,
:mod:`.chain`) or an ASCII tree (:mod:`.text`). ``draw_graph`` draws a live graph
(:mod:`.graph`); ``watch``, ``plot_grad_flow`` and ``History`` follow training
(:mod:`.diagnostics`, :mod:`.grad_flow`, :mod:`.history`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..tensor import Tensor
from .diagnostics import Watch, watch
from .grad_flow import plot_grad_flow
from .graph import draw_graph, save_graph
from .history import History
from .tables import ExplainTable
from .tracing import Trace, trace


def explain(
    root: Tensor | Sequence[Tensor],
    wrt: Any = None,
    index: Any = None,
    lang: str = "en",
    *,
    names: dict[str, str] | None = None,
    digits: int = 4,
) -> ExplainTable:
    """The backward of a live graph as a table (see :meth:`Trace.explain`).

    The graph must still hold its saved values: call it before ``backward()``, or after
    ``backward(retain_graph=True)``; otherwise use ``with tg.viz.trace() as tr:`` and
    ``tr.explain()``. Nothing of the graph or of ``.grad`` changes.

    >>> import tinygrad_fr as tg
    >>> w = tg.Tensor([0.5, 2.0], requires_grad=True); w.name = "w"
    >>> h = (w * 3.0).tanh()
    >>> print(tg.viz.explain((h * h).sum(), wrt=w, index=0).chain.text())
    dL/dw[0] = dL/dtanh_1[0] × dtanh_1[0]/dw[0] = 1.81 × 0.5421 = 0.9814
    """
    from .live import trace_graph

    return trace_graph(root).explain(wrt, index, lang, names=names, digits=digits)


__all__ = [
    "ExplainTable", "History", "Trace", "Watch", "draw_graph", "explain", "plot_grad_flow",
    "save_graph", "trace", "watch",
]  # fmt: skip
