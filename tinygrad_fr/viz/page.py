"""The step-through page: one self-contained HTML file that replays the backward pass.

One step per backward node: the node is highlighted on the graph, with its local derivative's
formula, the numbers multiplied on each of its edges (upstream × local = contribution) and the
gradients accumulated so far. Everything is inline (style, script, the data as JSON): the page
opens from a file in any browser, offline, and asks for nothing over the network. In Jupyter
and Colab it shows inside an ``iframe`` (:func:`inline_page`).
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from .draw import colour
from .format import preview, shape_text
from .layout import Item, Scene, build_scene, positions
from .records import INPUT, TracedTensor, accumulate
from .tables import WORDS as TABLE_WORDS
from .tables import local_derivative

if TYPE_CHECKING:
    from .tracing import Trace

WORDS = {
    "en": {
        "previous": "◀ previous", "next": "next ▶", "first": "« first", "last": "last »",
        "step": "Step", "output": "output", "formula": "local derivative",
        "upstream": "gradient arriving", "sends": "sends to", "so_far": "Gradients so far",
        "tensor": "tensor", "grad": "gradient", "none": "(no backward was recorded)",
        "keys": "Keys: ← → step, Home/End first/last.", "title": "Backward, step by step",
    },
    "fr": {
        "previous": "◀ précédent", "next": "suivant ▶", "first": "« début", "last": "fin »",
        "step": "Étape", "output": "sortie", "formula": "dérivée locale",
        "upstream": "gradient reçu", "sends": "envoie à", "so_far": "Gradients accumulés",
        "tensor": "tenseur", "grad": "gradient", "none": "(aucune rétropropagation enregistrée)",
        "keys": "Touches : ← → pour avancer, Début/Fin.", "title": "La rétropropagation pas à pas",
    },
}  # fmt: skip
CHAR_WIDTH, LINE_HEIGHT = 6.7, 14.0  # the page's monospace font, 11 px


def page(
    trace: Trace,
    lang: str = "en",
    title: str | None = None,
    max_nodes: int = 300,
    max_steps: int = 2000,
) -> str:
    """The page as one HTML string (see the module docstring)."""
    if lang not in WORDS:
        raise ValueError(f"to_html: lang must be 'en' or 'fr', got {lang!r}")
    data = page_data(trace, lang, max_nodes, max_steps)
    data["title"] = title or WORDS[lang]["title"]
    # "<" escaped so that no text inside the JSON can close the <script> element.
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    template = _asset("page.html")
    return (
        template.replace("@@LANG@@", lang)
        .replace("@@TITLE@@", html.escape(data["title"]))
        .replace("@@STYLE@@", _asset("page.css"))
        .replace("@@DATA@@", payload)
        .replace("@@SCRIPT@@", _asset("page.js"))
    )


def inline_page(trace: Trace, height: int = 640) -> str:
    """The page inside an ``iframe`` (its own document, so several can share a notebook)."""
    document = html.escape(page(trace), quote=True)
    return (
        f'<iframe srcdoc="{document}" style="width: 100%; height: {height}px; border: 1px '
        'solid #ccc;" sandbox="allow-scripts"></iframe>'
    )


def _asset(name: str) -> str:
    return (
        resources.files(__package__).joinpath("assets").joinpath(name).read_text(encoding="utf-8")
    )


def page_data(trace: Trace, lang: str, max_nodes: int, max_steps: int) -> dict[str, Any]:
    """Everything the page's script draws and steps through, as JSON-ready values."""
    scene = build_scene(trace, None, max_nodes)
    nodes, edge_index = _nodes_and_edges(scene)
    backward = trace.last_pass
    steps: list[dict] = []
    initial: dict[str, list[str]] = {}
    if backward is not None:
        running: dict[TracedTensor, np.ndarray] = {}
        for root, seed in zip(backward.roots, backward.seeds):
            running[root] = accumulate(running.get(root), seed)
            initial[_tid(root)] = _grad_view(running[root])
        for number, step in enumerate(backward.steps[:max_steps], 1):
            steps.append(_step(scene, edge_index, step, number, running, lang))
    note = scene.note
    if backward is not None and len(backward.steps) > max_steps:
        note += f" Showing the first {max_steps} of {len(backward.steps)} steps."
    return {
        "lang": lang,
        "words": WORDS[lang],
        "nodes": nodes,
        "edges": list(edge_index.values()),
        "steps": steps,
        "initial": initial,
        "note": note.strip(),
        "legend": "green ≥ 1e-2 > yellow ≥ 1e-4 > orange ≥ 1e-6 > red: mean |grad|",
    }


def _tid(tensor: TracedTensor) -> str:
    return f"t{tensor.number}"


def _grad_view(grad: np.ndarray) -> list[str]:
    return [preview(grad, 4), colour(grad)]


def _nodes_and_edges(scene: Scene) -> tuple[list[dict], dict]:
    sizes = {}
    texts = {}
    for item in scene.items:
        lines, tensors = _lines(item)
        texts[item.key] = (lines, tensors)
        final = [f"grad {preview(t.grad, 4)}" for t in _shown(item) if t.grad is not None]
        longest = max([len(line) for line in lines + final] + [24])
        sizes[item.key] = (longest * CHAR_WIDTH + 16, (len(lines) + 1) * LINE_HEIGHT + 10)
    places = positions(scene, sizes)
    nodes = []
    for item in scene.items:
        lines, tensors = texts[item.key]
        x, y = places[item.key]
        width, height = sizes[item.key]
        fill = "#eeeeee" if item.tensor is not None and item.tensor.kind == INPUT else "#ffffff"
        nodes.append(
            {
                "key": item.key,
                "kind": item.kind,
                "lines": lines,
                "tensors": tensors,
                "x": round(x, 1),
                "y": round(y, 1),
                "w": round(width, 1),
                "h": round(height, 1),
                "fill": fill,
                "root": item.root,
            }
        )
    edges: dict[tuple, dict] = {}
    for edge in scene.edges:
        key = (edge.source, edge.target, edge.tensor.number if edge.tensor is not None else -1)
        edges.setdefault(key, {"source": edge.source, "target": edge.target, "index": len(edges)})
    return nodes, edges


def _shown(item: Item) -> list[TracedTensor]:
    if item.kind == "tensor" and item.tensor is not None:
        return [item.tensor]
    return item.op.outputs[:1] if item.kind == "op" and item.op is not None else []


def _lines(item: Item) -> tuple[list[str], list[str]]:
    """The fixed lines of a box, and the tensors whose gradient its last line shows."""
    if item.kind in ("more", "module"):
        return item.text.split("\n"), []
    if item.kind == "tensor" and item.tensor is not None:
        return _tensor_lines(item.tensor), [_tid(item.tensor)]
    op = item.op
    if op is None:
        return [item.key], []
    lines = [op.name + (f"  [{op.module}]" if op.module else "")]
    for output in op.outputs[:1]:
        lines += _tensor_lines(output)
    return lines, [_tid(out) for out in op.outputs[:1]]


def _tensor_lines(tensor: TracedTensor) -> list[str]:
    lines = [f"{tensor.name} {shape_text(tensor.shape)}"]
    if tensor.value is not None:
        lines.append(f"value {preview(tensor.value, 4)}")
    return lines


def _step(scene: Scene, edge_index: dict, step: Any, number: int, running: dict, lang: str) -> dict:
    from . import formulas

    op = step.op
    rule = formulas.rule_for(op.op)
    item = scene.of_op.get(op)
    node = item.key if item is not None else "more"
    upstream = step.upstream[0] if len(step.upstream) == 1 else None
    edges, grads = [], {}
    for position, (tensor, contribution) in enumerate(zip(op.inputs, step.contributions)):
        if tensor is None or contribution is None:
            continue
        local = local_derivative(op, step, position)
        running[tensor] = accumulate(running.get(tensor), contribution)
        grads[_tid(tensor)] = _grad_view(running[tensor])
        source = scene.key_of(tensor)
        found = edge_index.get((source, node, tensor.number))
        edges.append(
            {
                "input": tensor.name,
                "formula": rule.formula(position, lang),
                "upstream": preview(upstream, 4) if upstream is not None else "",
                "local": preview(local, 4) if local is not None else "",
                "contribution": preview(contribution, 4),
                "edge": found["index"] if found is not None else -1,
                "source": source,
            }
        )
    formula = "; ".join(dict.fromkeys(e["formula"] for e in edges)) or rule.formula(0, lang)
    return {
        "number": number,
        "node": node,
        "op": op.name,
        "module": op.module or "",
        "output": ", ".join(t.name for t in op.outputs),
        "formula": formula,
        "upstream": "; ".join(preview(g, 4) for g in step.upstream if g is not None),
        "edges": edges,
        "grads": grads,
        "words": {"upstream": TABLE_WORDS[lang]["upstream"]},
    }
