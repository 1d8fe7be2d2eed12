"""What a picture of a trace shows: which boxes, which edges, which module clusters.

Shared by the Graphviz drawing and the step-through page. Ops and leaves become items; with
``depth``, every module at that depth becomes one item holding its ops and parameters; a graph
with more items than ``max_nodes`` is collapsed by module (the deepest depth that fits) or,
without modules, summarised: the items nearest the output are kept and the rest folded into
one. Everything is linear in the size of the trace. :func:`positions` places items in layers
for the page (Graphviz places them itself).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .format import norm, preview, shape_text
from .records import TracedOp, TracedTensor

if TYPE_CHECKING:
    from .tracing import Trace


@dataclass(eq=False)
class Item:
    """One box: an op (with its result), a leaf tensor, a collapsed module, or the rest."""

    key: str
    kind: str  # "op", "tensor", "module" or "more"
    op: TracedOp | None = None
    tensor: TracedTensor | None = None  # an op's first output, or the leaf itself
    cluster: str | None = None  # the module path of the cluster around it
    text: str = ""  # the label of a module or "more" item
    grad: Any = None  # a module's output gradient (for its colour)
    root: bool = False
    ops: list[TracedOp] = field(default_factory=list)


@dataclass(eq=False)
class SceneEdge:
    """An edge: the tensor ``tensor`` goes from ``source`` into input ``position`` of ``op``
    (``op`` is None when either end is collapsed or summarised)."""

    source: str
    target: str
    tensor: TracedTensor | None
    op: TracedOp | None
    position: int
    style: dict = field(default_factory=dict)


@dataclass
class Scene:
    """Items, edges, clusters (module path -> number) and a note saying what was collapsed."""

    items: list[Item]
    edges: list[SceneEdge]
    clusters: dict[str, int]
    note: str = ""
    of_op: dict[TracedOp, Item] = field(default_factory=dict)
    of_leaf: dict[TracedTensor, Item] = field(default_factory=dict)
    total: int = 0

    def key_of(self, tensor: TracedTensor) -> str:
        """The key of the item showing ``tensor`` ("more" when it is summarised away)."""
        item = self.of_op.get(tensor.producer) if tensor.producer else self.of_leaf.get(tensor)
        return item.key if item is not None else "more"


def _depth(path: str) -> int:
    return len(path.split(".")) if path else 0


def _collapsed(path: str | None, depth: int | None) -> str | None:
    """The module whose box holds something in module ``path`` at this depth, if any."""
    if path is None or depth is None or _depth(path) < depth:
        return None
    return ".".join(path.split(".")[:depth]) if depth else ""


class _Keys:
    """Which item each op and each leaf goes to, at one depth."""

    def __init__(self, trace: Trace, depth: int | None) -> None:
        self.op: dict[TracedOp, str] = {}
        self.leaf: dict[TracedTensor, str] = {}
        self.paths: dict[str, str] = {}  # box key -> module path
        self._by_path: dict[str, str] = {}
        for op in trace.ops:
            box = _collapsed(op.module, depth)
            self.op[op] = f"op{op.number}" if box is None else self._box(box)
            for tensor in op.inputs:
                if tensor is not None and tensor.producer is None and tensor not in self.leaf:
                    owner = _collapsed(tensor.module, depth)
                    self.leaf[tensor] = f"t{tensor.number}" if owner is None else self._box(owner)
        self.count = len(set(self.op.values()) | set(self.leaf.values()))

    def _box(self, path: str) -> str:
        key = self._by_path.get(path)
        if key is None:
            key = self._by_path[path] = f"m{len(self.paths)}"
            self.paths[key] = path
        return key

    def of(self, tensor: TracedTensor) -> str:
        return self.op[tensor.producer] if tensor.producer is not None else self.leaf[tensor]


def build_scene(trace: Trace, depth: int | None, max_nodes: int) -> Scene:
    """The items and edges to draw (see the module docstring)."""
    keys = _Keys(trace, depth)
    note = ""
    total = keys.count
    if keys.count > max_nodes and trace.modules:
        deepest = max(_depth(path) for path in trace.modules)
        start = deepest if depth is None else min(depth, deepest)
        for level in range(start, -1, -1):
            keys = _Keys(trace, level)
            if keys.count <= max_nodes:
                break
        if level == 0 and deepest > 0:  # one box for the whole model says little: keep its
            level, keys = 1, _Keys(trace, 1)  # top modules, summarised below if too many
        note = f"{total} boxes: modules collapsed at depth {level} (max_nodes={max_nodes})"
    roots = set(trace.last_pass.roots) if trace.last_pass is not None else set()
    kept = None
    if keys.count > max_nodes:
        kept = _nearest_to_output(trace, keys, roots, max_nodes - 1)
        advice = "draw(depth=...) to choose" if trace.modules else "trace(model) to collapse"
        note = (
            f"{note + '; ' if note else ''}{keys.count} boxes: showing the {len(kept)} nearest "
            f"the output (max_nodes={max_nodes}); {advice} by module"
        )
    return _assemble(trace, keys, kept, roots, note, total)


def _nearest_to_output(trace: Trace, keys: _Keys, roots: set, budget: int) -> set[str]:
    """Up to ``budget`` item keys, breadth first from the output back to the inputs."""
    inputs: dict[str, list[str]] = {}
    consumed: set[str] = set()
    for op in trace.ops:
        target = keys.op[op]
        for tensor in op.inputs:
            if tensor is not None:
                source = keys.of(tensor)
                inputs.setdefault(target, []).append(source)
                consumed.add(source)
    starts = [keys.of(root) for root in roots if root.producer is not None or root in keys.leaf]
    if not starts:
        starts = [key for key in dict.fromkeys(keys.op.values()) if key not in consumed][::-1]
    kept: dict[str, None] = {}
    queue = deque(starts)
    while queue and len(kept) < budget:
        key = queue.popleft()
        if key in kept:
            continue
        kept[key] = None
        queue.extend(reversed(inputs.get(key, ())))
    return set(kept)


def _assemble(
    trace: Trace, keys: _Keys, kept: set[str] | None, roots: set, note: str, total: int
) -> Scene:
    items: dict[str, Item] = {}
    boxes: dict[str, list[TracedOp]] = {}
    hidden: Counter = Counter()
    for op in trace.ops:
        key = keys.op[op]
        if kept is not None and key not in kept:
            hidden[op.name] += 1
            continue
        if key in keys.paths:
            boxes.setdefault(key, []).append(op)
            items.setdefault(key, Item(key, "module"))
        else:
            items[key] = Item(key, "op", op, op.outputs[0] if op.outputs else None, op.module)
        for tensor in op.inputs:
            if tensor is not None and tensor.producer is None:
                leaf_key = keys.leaf[tensor]
                if (kept is None or leaf_key in kept) and leaf_key not in items:
                    items[leaf_key] = Item(leaf_key, "tensor", tensor=tensor, cluster=tensor.module)
    for key, ops in boxes.items():
        _fill_box(trace, items[key], ops, keys.paths[key])
    edges = _edges(trace, keys, items)
    if hidden:
        counts = ", ".join(f"{name} × {n}" for name, n in hidden.most_common(6))
        items["more"] = Item("more", "more", text=f"… {sum(hidden.values())} more ops\n{counts}")
        edges += _edges_from_hidden(trace, keys, items)
    for item in items.values():
        item.root = item.tensor in roots or any(
            out in roots for op in item.ops for out in op.outputs
        )
    clusters = _clusters(trace, items.values())
    scene = Scene(list(items.values()), edges, clusters, note, total=total)
    scene.of_op = {op: items[keys.op[op]] for op in trace.ops if keys.op[op] in items}
    scene.of_leaf = {t: items[key] for t, key in keys.leaf.items() if key in items}
    return scene


def _fill_box(trace: Trace, item: Item, ops: list[TracedOp], path: str) -> None:
    last = max(ops, key=lambda op: op.number)
    out = last.outputs[0] if last.outputs else None
    item.ops, item.tensor, item.grad = ops, None, out.grad if out is not None else None
    item.cluster = _parent_path(path)
    parameters = {
        t
        for op in ops
        for t in op.inputs
        if t is not None and t.producer is None and t.kind == "parameter"
    }
    kind = trace.modules.get(path, "")
    lines = [
        f"{path or 'model'} ({kind})" if kind else path or "model",
        f"{len(ops)} ops, {len(parameters)} parameters",
    ]
    if out is not None:
        lines.append(f"out {out.name} {shape_text(out.shape)}")
        if out.grad is not None:
            lines.append(f"|grad| {preview(norm(out.grad))}")
    item.text = "\n".join(lines)


def _parent_path(path: str) -> str | None:
    if not path:
        return None
    return path.rpartition(".")[0] if "." in path else ""


def _edges(trace: Trace, keys: _Keys, items: dict[str, Item]) -> list[SceneEdge]:
    edges: list[SceneEdge] = []
    seen: set[tuple] = set()
    for op in trace.ops:
        target = keys.op[op]
        if target not in items:
            continue
        detailed = items[target].kind == "op"
        for position, tensor in enumerate(op.inputs):
            if tensor is None:
                continue
            source = keys.of(tensor)
            if source == target or source not in items:
                continue
            both = detailed and items[source].kind in ("op", "tensor")
            mark = (source, target, tensor.number if both else None)
            if mark in seen:
                continue
            seen.add(mark)
            style = {"color": "#aaaaaa"} if tensor.kind == "input" else {}
            edges.append(SceneEdge(source, target, tensor, op if both else None, position, style))
    return edges


def _edges_from_hidden(trace: Trace, keys: _Keys, items: dict[str, Item]) -> list[SceneEdge]:
    targets = []
    for op in trace.ops:
        target = keys.op[op]
        if target in items and any(t is not None and keys.of(t) not in items for t in op.inputs):
            targets.append(target)
    return [
        SceneEdge("more", target, None, None, 0, {"style": "dashed"})
        for target in dict.fromkeys(targets)
    ]


def _clusters(trace: Trace, items: Any) -> dict[str, int]:
    """The module paths that get a cluster (those holding an item, and their parents),
    numbered in the model's order."""
    paths: set[str] = set()
    for item in items:
        path = item.cluster
        while path is not None:
            paths.add(path)
            path = _parent_path(path)
    order = {path: number for number, path in enumerate(trace.modules)}
    ordered = sorted(paths, key=lambda p: (order.get(p, len(order)), p))
    return {path: number for number, path in enumerate(ordered)}


def positions(scene: Scene, sizes: dict[str, tuple[float, float]]) -> dict:
    """Item key -> (x, y) of its top-left corner, for boxes of the given (width, height):
    layers from the inputs (left) to the output (right), each layer ordered by the mean row
    of its inputs, for the page's own drawing (Graphviz places boxes itself)."""
    inputs: dict[str, list[str]] = {}
    consumers: dict[str, list[str]] = {}
    for edge in scene.edges:
        inputs.setdefault(edge.target, []).append(edge.source)
        consumers.setdefault(edge.source, []).append(edge.target)
    layer: dict[str, int] = {}
    pending = [item.key for item in scene.items]
    for key in pending:  # the trace's order: an op's inputs that are ops come before it
        layer[key] = 1 + max((layer.get(s, 0) for s in inputs.get(key, ())), default=-1)
    for key in pending:  # leaves sit just before their first consumer
        if key not in inputs and key in consumers:
            layer[key] = max(0, min(layer[c] for c in consumers[key]) - 1)
    columns: dict[int, list[str]] = {}
    for key in pending:
        columns.setdefault(layer[key], []).append(key)
    rows: dict[str, float] = {}
    places: dict[str, tuple[float, float]] = {}
    x = 20.0
    for column in sorted(columns):
        keys = columns[column]

        def mean_row(key: str, keys: list = keys) -> float:
            sources = [rows[s] for s in inputs.get(key, ()) if s in rows]
            return sum(sources) / len(sources) if sources else float(keys.index(key))

        y = 20.0
        for row, key in enumerate(sorted(keys, key=mean_row)):
            rows[key] = float(row)
            places[key] = (x, y)
            y += sizes[key][1] + 28.0
        x += max(sizes[key][0] for key in keys) + 70.0
    return places
