"""``with tg.viz.trace(model) as tr:``: record a computation and its backward, to look at later.

Built on the engine's observer and hooks only. While the ``with`` block runs, an observer sees
every op (its inputs, outputs and node); a post-hook on each recorded node sees what backward
sends through it (the upstream gradient and each input's contribution) and keeps what the node
saved, so that its local derivatives can be asked for later; forward hooks on the model's
modules give each op its module path. When the block ends every hook is removed: outside a
trace nothing is recorded and nothing runs slower.

>>> import tinygrad_fr as tg
>>> w = tg.Tensor([0.5, -1.0], requires_grad=True); w.name = "w"
>>> with tg.viz.trace() as tr:
...     loss = (w * tg.Tensor([2.0, 3.0])).sum().sigmoid()
...     loss.backward()
>>> [(t.name, t.shape) for t in tr.tensors]
[('w', (2,)), ('input_1', (2,)), ('mul_1', (2,)), ('sum_1', ()), ('L', ())]
>>> tr.tensor("w").grad
array([0.2099872, 0.3149808], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..autograd.observer import BackwardCall, Observer, OpEvent, observe
from ..tensor import Tensor
from .records import (
    EXTERNAL,
    INPUT,
    INTERMEDIATE,
    LEAF,
    PARAMETER,
    BackwardPass,
    BackwardStep,
    TracedOp,
    TracedTensor,
    accumulate,
    copy_array,
)
from .replay import fit

if TYPE_CHECKING:
    from .tables import ExplainTable


class Trace:
    """A recorded computation: tensors, ops and backward passes, with ways to look at them.

    Use :func:`trace` to make one. ``tensors`` and ``ops`` are in the order they were seen,
    ``passes`` holds one :class:`~.records.BackwardPass` per backward call.
    """

    def __init__(self, model: Any = None) -> None:
        self.model = model
        self.tensors: list[TracedTensor] = []
        self.ops: list[TracedOp] = []
        self.passes: list[BackwardPass] = []
        self.modules: dict[str, str] = {}  # module path -> class name, in the model's order
        self._by_id: dict[int, TracedTensor] = {}
        self._alive: list[Any] = []  # the tensors seen: their ids stay theirs
        self._counts: dict[str, int] = {}
        self._names: dict[int, str] = {}  # id(parameter) -> its name in the model
        self._owners: dict[int, str] = {}  # id(parameter) -> its module's path
        self._handles: list[Any] = []
        self._stack: list[str] = []
        self._recorder: _Recorder | None = None
        self._context: Any = None
        if model is not None:
            for path, module in model.named_modules():
                self.modules[path] = type(module).__name__
            for name, parameter in model.named_parameters():
                self._names[id(parameter)] = name
                self._owners[id(parameter)] = name.rpartition(".")[0]

    # -- the with block -------------------------------------------------------------------

    def __enter__(self) -> Trace:
        if self._recorder is not None:
            raise RuntimeError("tg.viz.trace: this trace is already recording")
        self._recorder = _Recorder(self)
        if self.model is not None:
            for path, module in self.model.named_modules():
                self._handles.append(module.register_forward_pre_hook(self._entering(path)))
                self._handles.append(module.register_forward_hook(self._leaving(path)))
        self._context = observe(self._recorder)
        self._context.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._context.__exit__(*exc_info)
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        self._stack.clear()
        self._recorder = None

    def _entering(self, path: str) -> Callable[..., None]:
        def hook(module: Any, args: tuple) -> None:
            self._stack.append(path)

        return hook

    def _leaving(self, path: str) -> Callable[..., None]:
        def hook(module: Any, args: tuple, output: Any) -> None:
            while self._stack and self._stack.pop() != path:
                pass  # a forward that raised left its path behind
            if isinstance(output, Tensor):
                record = self._by_id.get(id(output))
                if record is not None and record.auto_named and record.kind == INTERMEDIATE:
                    record.name = f"{path}.out" if path else "output"
                    record.auto_named = False

        return hook

    # -- recording ------------------------------------------------------------------------

    def _add_op(self, event: OpEvent) -> None:
        inputs: list[TracedTensor | None] = []
        constants: dict[int, Any] = {}
        for position, arg in enumerate(event.args):
            if isinstance(arg, Tensor):
                inputs.append(self._input(arg))
            else:
                inputs.append(None)
                constants[position] = arg
        name = event.op.__name__
        module = self._stack[-1] if self._stack else None
        op = TracedOp(name, event.op, inputs, constants, [], module, event.node, len(self.ops))
        for output_nr, tensor in enumerate(event.outputs):
            record = self._record(tensor, INTERMEDIATE, module, self._auto_name(name.lower()))
            record.producer, record.output_nr = op, output_nr
            op.outputs.append(record)
        self.ops.append(op)
        if event.node is not None:
            self._handles.append(event.node.register_hook(self._after_backward(op)))

    def _input(self, tensor: Tensor) -> TracedTensor:
        record = self._by_id.get(id(tensor))
        if record is not None:
            return record
        key = id(tensor)
        if tensor._grad_fn is not None:
            kind, prefix = EXTERNAL, "external"
        elif key in self._names:
            kind, prefix = PARAMETER, ""
        elif tensor._requires_grad:
            kind, prefix = LEAF, "leaf"
        else:
            kind, prefix = INPUT, "input"
        name = self._names.get(key) or self._auto_name(prefix)
        return self._record(tensor, kind, self._owners.get(key), name)

    def _record(self, tensor: Tensor, kind: str, module: str | None, name: str) -> TracedTensor:
        own = tensor.name
        record = TracedTensor(
            own or name,
            tuple(tensor.shape),
            module,
            copy_array(tensor),
            None,
            kind,
            len(self.tensors),
            dtype=tensor._data.dtype,
            auto_named=not own and kind not in (PARAMETER,),
        )
        self.tensors.append(record)
        self._by_id[id(tensor)] = record
        self._alive.append(tensor)
        return record

    def _auto_name(self, prefix: str) -> str:
        count = self._counts[prefix] = self._counts.get(prefix, 0) + 1
        return f"{prefix}_{count}"

    def _alias(self, tensor: Tensor, result: Tensor) -> None:
        """An in-place op: ``tensor`` now stands for ``result``'s record."""
        record = self._by_id.get(id(result))
        if record is not None:
            self._by_id[id(tensor)] = record
            self._alive.append(tensor)

    def _begin_pass(self, call: BackwardCall) -> None:
        roots = [self._input(out) for out in call.outputs]
        for root in roots:
            if root.auto_named and not any(t.name == "L" for t in self.tensors):
                root.name, root.auto_named = "L", False
        seeds = [copy_array(grad) for grad in call.grads]
        for root, seed in zip(roots, seeds):
            root.grad = accumulate(root.grad, seed)
        self.passes.append(BackwardPass(roots, seeds))

    def _after_backward(self, op: TracedOp) -> Callable[[tuple, tuple], None]:
        def hook(grad_inputs: tuple, grad_outputs: tuple) -> None:
            if self._recorder is None or not self.passes:
                return
            node = op.node
            op.saved = node._saved
            upstream = [None if g is None else copy_array(g) for g in grad_outputs]
            raws = [
                None if g is None or edge is None else copy_array(g)
                for g, edge in zip(grad_inputs, node.next_edges)
            ]
            fitted = [fit(raw, tensor) for raw, tensor in zip(raws, op.inputs)]
            for tensor, grad in zip(op.inputs, fitted):
                if tensor is not None and grad is not None:
                    tensor.grad = accumulate(tensor.grad, grad)
            self.passes[-1].steps.append(BackwardStep(op, upstream, raws, fitted))

        return hook

    # -- reading --------------------------------------------------------------------------

    def tensor(self, key: Any) -> TracedTensor:
        """The record of a tensor of the trace, given the Tensor itself or its name."""
        if isinstance(key, TracedTensor):
            return key
        if isinstance(key, Tensor):
            record = self._by_id.get(id(key))
            if record is not None:
                return record
            node = key._grad_fn
            for op in self.ops if node is not None else ():
                if op.node is node and key._output_nr < len(op.outputs):
                    return op.outputs[key._output_nr]
            raise KeyError(
                f"tg.viz.trace: this tensor (shape {key.shape}) was not used inside the trace; "
                "pass a tensor the traced computation read or made"
            )
        matches = [t for t in self.tensors if t.name == key]
        if not matches:
            known = ", ".join(t.name for t in self.tensors[:20])
            raise KeyError(f"tg.viz.trace: no tensor named {key!r}; names: {known}")
        return matches[-1]

    @property
    def last_pass(self) -> BackwardPass | None:
        """The last backward pass recorded, or None."""
        return self.passes[-1] if self.passes else None

    def explain(
        self,
        wrt: Any = None,
        index: Any = None,
        lang: str = "en",
        *,
        names: dict[str, str] | None = None,
        digits: int = 4,
    ) -> ExplainTable:
        """The backward pass as a table: one row per node, with its local derivative's
        formula, the upstream gradient and what each input receives. With ``wrt`` (a tensor
        of the graph) and ``index`` (one of its elements), the table ends with the chain rule
        from the output to that element, one factor per neuron.

        Args:
            wrt: a Tensor of the trace (or its name).
            index: the element of ``wrt`` (a tuple, or an int for a flat index).
            lang: "en" or "fr".
            names: display names for elements in the chain rule, e.g. ``{"0.weight[0, 0]":
                "w1"}``.
            digits: significant digits of the numbers.
        """
        from .tables import explain_trace

        return explain_trace(self, wrt, index, lang, names or {}, digits)

    def draw(
        self,
        depth: int | None = None,
        show_chain_rule: bool = True,
        max_nodes: int = 1500,
        **options: Any,
    ) -> Any:
        """The trace as a ``graphviz.Digraph`` (see :func:`tinygrad_fr.viz.draw.draw_trace`)."""
        from .draw import draw_trace

        return draw_trace(self, depth, show_chain_rule, max_nodes, **options)

    def save(self, path: str, **options: Any) -> str:
        """Write the trace to ``path`` by extension: ``.svg .png .pdf`` (Graphviz's dot),
        ``.dot``, or ``.html`` (the step-through page). Returns the path written."""
        from .render import save_trace

        return save_trace(self, path, **options)

    def to_html(self, **options: Any) -> str:
        """The self-contained page that steps through the backward pass."""
        from .page import page

        return page(self, **options)

    def to_text(self, max_lines: int = 200) -> str:
        """The graph as an ASCII tree from the output down (no Graphviz needed)."""
        from .text import text_tree

        return text_tree(self, max_lines)

    def _repr_html_(self) -> str:
        from .page import inline_page

        return inline_page(self)

    def __repr__(self) -> str:
        return (
            f"<tg.viz.trace: {len(self.ops)} ops, {len(self.tensors)} tensors, "
            f"{len(self.passes)} backward pass(es)>"
        )


class _Recorder(Observer):
    """The observer a trace installs: ops and in-place writes go to the trace; backward calls
    open a new pass (ops run inside a backward walk are the walk's own, not recorded)."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.in_backward = 0

    def op(self, event: OpEvent) -> None:
        if not self.in_backward:
            self.trace._add_op(event)

    def write(self, tensor: Any, result: Any, op: str) -> None:
        self.trace._alias(tensor, result)

    def backward(self, run: Callable[[], Any], call: BackwardCall) -> Any:
        if self.in_backward:
            return run()
        self.trace._begin_pass(call)
        self.in_backward += 1
        try:
            return run()
        finally:
            self.in_backward -= 1


def trace(model: Any = None) -> Trace:
    """Record everything computed in a ``with`` block: values, gradients after backward,
    module paths (when ``model`` is given) and, on each edge, the local derivative and the
    contribution sent to the input.

    >>> import tinygrad_fr as tg
    >>> model = tg.nn.Sequential(tg.nn.Linear(2, 1), tg.nn.Sigmoid())
    >>> with tg.viz.trace(model) as tr:
    ...     model(tg.ones(2)).sum().backward()
    >>> [(t.name, t.module) for t in tr.tensors][:4]
    [('input_1', None), ('0.weight', '0'), ('0.bias', '0'), ('0.out', '0')]
    """
    return Trace(model)
