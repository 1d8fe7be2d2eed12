"""A trace as a Graphviz graph: ops with their results, inputs and parameters, gradients, the
chain rule on every edge, module clusters, and a size limit.

Each op is one box holding the tensor it computed (name, shape, value, gradient and its
norm); leaves and inputs have boxes of their own. An edge from an input to an op is labelled
"upstream × local = contribution": what backward sent that input. Boxes are coloured by the
mean |gradient| (red when it vanishes); NaN and inf are flagged. Ops sit in a cluster per
module; ``depth`` collapses every module at that depth into one box, and a graph over
``max_nodes`` is collapsed by module or summarised, so that drawing stays fast. The DOT text
is deterministic: node names come from the order of the trace, not from memory addresses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import formulas
from .format import mean_abs, nonfinite, norm, preview, shape_text
from .layout import Item, Scene, build_scene
from .records import INPUT, BackwardStep, TracedTensor
from .tables import local_derivative

if TYPE_CHECKING:
    from .tracing import Trace

# Fill colours by mean |grad|: vanishing gradients stand out in red.
COLOURS = (
    (1e-2, "#c9e7c4"),  # green: a healthy gradient
    (1e-4, "#fff2b3"),  # yellow
    (1e-6, "#fdd6a8"),  # orange
    (0.0, "#f6b6b6"),  # red: below 1e-6, or zero
)
NO_GRAD, DATA, BAD = "#ffffff", "#eeeeee", "#ff6666"
LEGEND = (
    "fill = mean |grad|: green ≥ 1e-2, yellow ≥ 1e-4, orange ≥ 1e-6, red below (vanishing); "
    "white: no gradient; grey: data"
)
EDGE_LEGEND = ". Edge label: upstream × local = contribution, the gradient backward sends along it"


def colour(grad: Any) -> str:
    """The fill colour for a gradient (see COLOURS)."""
    if grad is None:
        return NO_GRAD
    if nonfinite(grad):
        return BAD
    size = mean_abs(grad)
    return next(fill for limit, fill in COLOURS if size >= limit)


def draw_trace(
    trace: Trace,
    depth: int | None = None,
    show_chain_rule: bool = True,
    max_nodes: int = 1500,
    *,
    rankdir: str = "LR",
    max_elements: int = 4,
) -> Any:
    """Build the ``graphviz.Digraph`` of ``trace`` (see :meth:`Trace.draw`)."""
    import graphviz  # imported here: `import tinygrad_fr` must not pay for it

    scene = build_scene(trace, depth, max_nodes)
    steps = _last_steps(trace)
    note = (EDGE_LEGEND if show_chain_rule else "") + (f"\n{scene.note}" if scene.note else "")
    graph = graphviz.Digraph(
        name="tinygrad_fr",
        graph_attr={
            "rankdir": rankdir,
            "label": LEGEND + note,
            "labelloc": "b",
            "fontname": "Helvetica",
            "fontsize": "9",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "10", "shape": "box"},
        edge_attr={"fontname": "Helvetica", "fontsize": "8", "color": "#555555"},
    )
    labels = _Labels(max_elements, show_chain_rule, steps)
    _emit_clusters(graph, scene, labels, trace)
    for edge in scene.edges:
        label = ""
        if edge.op is not None and edge.tensor is not None:
            label = labels.edge(edge.tensor, edge.op, edge.position)
        graph.edge(edge.source, edge.target, **({"label": label} if label else {}), **edge.style)
    return graph


def _last_steps(trace: Trace) -> dict:
    backward = trace.last_pass
    return {step.op: step for step in backward.steps} if backward is not None else {}


def _emit_clusters(graph: Any, scene: Scene, labels: _Labels, trace: Trace) -> None:
    """Nodes inside nested ``cluster_`` subgraphs, one per module path, in order."""
    children: dict[str | None, list[str]] = {}
    for path in scene.clusters:
        children.setdefault(_parent(path, scene.clusters), []).append(path)
    members: dict[str | None, list[Item]] = {}
    for item in scene.items:
        members.setdefault(item.cluster, []).append(item)

    def fill(target: Any, path: str | None) -> None:
        for item in members.get(path, ()):
            target.node(item.key, labels.item(item), **_style(item))
        for child in children.get(path, ()):
            with target.subgraph(name=f"cluster_{scene.clusters[child]}") as sub:
                kind = trace.modules.get(child, "")
                title = (f"{child} ({kind})" if kind else child) if child else kind or "model"
                sub.attr(
                    label=title,
                    labelloc="t",
                    style="rounded",
                    color="#7f8fa6",
                    fontname="Helvetica",
                    fontsize="10",
                )
                fill(sub, child)

    fill(graph, None)


def _parent(path: str, clusters: dict) -> str | None:
    while path:
        path = path.rpartition(".")[0] if "." in path else ""
        if path in clusters:
            return path
    return None


def _style(item: Item) -> dict:
    tensor = item.tensor
    if item.kind == "more":
        return {"style": "dashed", "shape": "note"}
    if item.kind == "module":
        return {"style": "filled,bold", "fillcolor": colour(item.grad), "shape": "box3d"}
    if tensor is not None and tensor.kind == INPUT:
        return {"style": "filled", "fillcolor": DATA}
    style = {
        "style": "filled,rounded" if item.kind == "op" else "filled",
        "fillcolor": colour(tensor.grad if tensor is not None else None),
    }
    flagged = tensor is not None and (nonfinite(tensor.value) or nonfinite(tensor.grad))
    if flagged:
        style.update(color="#cc0000", penwidth="3")
    elif item.root:
        style.update(penwidth="2")
    return style


class _Labels:
    """The text of each node and edge."""

    def __init__(self, max_elements: int, show_chain_rule: bool, steps: dict) -> None:
        self.max_elements, self.show_chain_rule, self.steps = max_elements, show_chain_rule, steps

    def text(self, array: Any) -> str:
        return preview(array, self.max_elements)

    def tensor(self, tensor: TracedTensor) -> list[str]:
        lines = [f"{tensor.name} {shape_text(tensor.shape)}"]
        if tensor.value is not None:
            lines.append(f"value {self.text(tensor.value)}")
        if tensor.grad is not None:
            lines.append(f"grad {self.text(tensor.grad)}  |g| {preview(norm(tensor.grad))}")
        for what, array in (("value", tensor.value), ("grad", tensor.grad)):
            bad = nonfinite(array)
            if bad:
                lines.append(f"!! {bad} in {what}")
        return lines

    def item(self, item: Item) -> str:
        if item.kind in ("more", "module"):
            return item.text
        if item.kind == "tensor" and item.tensor is not None:
            return "\n".join(self.tensor(item.tensor))
        op = item.op
        if op is None:
            return item.key
        lines = [op.name]
        if self.show_chain_rule and op in self.steps:
            rule = formulas.rule_for(op.op)
            positions = [p for p, c in enumerate(self.steps[op].contributions) if c is not None]
            lines += list(dict.fromkeys(rule.formula(p) for p in positions))
        for output in op.outputs:
            lines += self.tensor(output)
        return "\n".join(lines)

    def edge(self, tensor: TracedTensor, op: Any, position: int) -> str:
        """``upstream × local = contribution`` for the gradient sent along this edge."""
        if not self.show_chain_rule:
            return ""
        step: BackwardStep | None = self.steps.get(op)
        if step is None or step.contributions[position] is None:
            return ""
        contribution = self.text(step.contributions[position])
        upstream = step.upstream[0] if len(step.upstream) == 1 else None
        local = local_derivative(op, step, position)
        if upstream is None or local is None:
            return contribution
        return f"{self.text(upstream)} × {self.text(local)} = {contribution}"
