"""Draw the graph of a computation with Graphviz: ops, values and gradients.

Leaves show their value and gradient, op nodes their name and output shape. Ops that keep
their output for backward (sigmoid, tanh, exp...) also show its value while the graph is alive
(call ``backward(retain_graph=True)`` to see them after backward); other ops keep no output.
Tensors on which ``retain_grad()`` was called show their gradient on their op.

>>> import tinygrad_fr as tg
>>> w = tg.Tensor([0.0, 1.0], requires_grad=True); w.name = "w"
>>> y = (w * tg.Tensor([2.0, 3.0])).sum().sigmoid()
>>> y.backward(retain_graph=True)
>>> print(tg.viz.draw_graph(y).source)  # doctest: +ELLIPSIS
digraph ...
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..autograd.function import Node
from ..tensor import Tensor


def draw_graph(
    root: Tensor | Sequence[Tensor],
    params: Mapping[str, Tensor] | None = None,
    *,
    show_values: bool = True,
    show_grads: bool = True,
    max_elements: int = 6,
    rankdir: str = "LR",
) -> Any:
    """Build a ``graphviz.Digraph`` of everything that ``root`` was computed from.

    Args:
        root: the output tensor(s) (a loss, typically).
        params: names for leaf tensors, e.g. ``dict(model.named_parameters())``; a tensor's
            own ``name`` is used otherwise.
        show_values: print values of leaves, of the root, and of op outputs still saved.
        show_grads: print the ``.grad`` of leaves and of tensors that retain their grad.
        max_elements: arrays longer than this are summarised (shape, mean, min, max).
        rankdir: Graphviz layout direction ("LR" left to right, "TB" top to bottom).
    """
    import graphviz  # imported here: `import tinygrad_fr` must not pay for it

    roots = [root] if isinstance(root, Tensor) else list(root)
    labels = _Labels(
        {id(tensor): name for name, tensor in (params or {}).items()},
        show_values, show_grads, max_elements,
    )  # fmt: skip
    graph = graphviz.Digraph(
        graph_attr={"rankdir": rankdir},
        node_attr={"fontname": "Helvetica", "fontsize": "10"},
    )
    stack: list[Any] = []
    for index, tensor in enumerate(roots):
        graph.node(f"root{index}", labels.root(tensor), shape="box", style="filled",
                   fillcolor="#d7ecd9")  # fmt: skip
        source = tensor._grad_fn if tensor._grad_fn is not None else tensor
        graph.edge(str(id(source)), f"root{index}")
        stack.append(source)

    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, Tensor):
            graph.node(str(id(item)), labels.leaf(item), shape="box", style="filled",
                       fillcolor="#dbe8f7")  # fmt: skip
            continue
        graph.node(str(id(item)), labels.node(item), shape="ellipse")
        for parent in item.next_edges:
            if parent is not None:
                graph.edge(str(id(parent)), str(id(item)))
                stack.append(parent)
    return graph


class _Labels:
    """The text of each box: name, shape, value and gradient, as asked."""

    def __init__(self, names: dict, show_values: bool, show_grads: bool, max_elements: int) -> None:
        self.names, self.show_values, self.show_grads = names, show_values, show_grads
        self.max_elements = max_elements

    def text(self, array: Any) -> str:
        return _format_array(np.asarray(array), self.max_elements)

    def root(self, tensor: Tensor) -> str:
        lines = [f"output {tuple(tensor.shape)}"]
        if self.show_values:
            lines.append(f"value {self.text(tensor._data)}")
        return "\n".join(lines)

    def leaf(self, tensor: Tensor) -> str:
        name = self.names.get(id(tensor)) or tensor.name or "leaf"
        lines = [f"{name} {tuple(tensor.shape)}"]
        if self.show_values:
            lines.append(f"value {self.text(tensor._data)}")
        if self.show_grads and tensor.grad is not None:
            lines.append(f"grad {self.text(tensor.grad._data)}")
        return "\n".join(lines)

    def node(self, node: Node) -> str:
        lines = [node.name().removesuffix("Backward0")]
        lines.append("out " + ", ".join(str(tuple(shape)) for shape, _ in node._out_meta))
        if self.show_values and node._saved:
            outputs = [entry[3] for entry in node._saved_versions if entry[2] == -1]
            lines += [f"value {self.text(array)}" for array in outputs[:1]]
        if self.show_grads and node._hooks is not None:
            for reference in node._hooks.retained.values():
                tensor = reference()
                if tensor is not None and tensor.grad is not None:
                    lines.append(f"grad {self.text(tensor.grad._data)}")
        return "\n".join(lines)


def save_graph(root: Tensor | Sequence[Tensor], path: str, **options: Any) -> str:
    """Draw the graph of ``root`` to a file; the format comes from the extension (.svg, .png, .pdf).

    Needs the Graphviz ``dot`` program (Debian: ``apt-get install graphviz``; macOS:
    ``brew install graphviz``). Returns the path written.
    """
    if shutil.which("dot") is None:
        raise RuntimeError(
            "save_graph: the Graphviz program 'dot' is not installed; install it (Debian/Ubuntu: "
            "`apt-get install graphviz`, macOS: `brew install graphviz`) or use "
            "draw_graph(...).source to get the DOT text"
        )
    stem, extension = os.path.splitext(path)
    file_format = extension.lstrip(".") or "svg"
    graph = draw_graph(root, **options)
    return graph.render(stem, format=file_format, cleanup=True)


def _format_array(array: np.ndarray, max_elements: int) -> str:
    if array.size == 0:
        return "[]"
    if array.size <= max_elements:
        return np.array2string(array, precision=4, separator=", ", suppress_small=True)
    return (
        f"shape {array.shape}, mean {array.mean():.4g}, min {array.min():.4g}, "
        f"max {array.max():.4g}"
    )
