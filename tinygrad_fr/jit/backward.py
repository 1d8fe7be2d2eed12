"""A backward walk written out: the engine's order, its sums, its hand-outs into ``.grad``.

The nodes come in the order the engine ran them (newest first). Each node's gradient is the
sum of what its consumers sent, in the order they sent it; its template writes its backward;
each result is fitted to its target (summed over broadcast axes, cast to its dtype) as
``engine._send`` does. What reaches a leaf goes into its ``.grad`` as ``engine._deliver``
does: a new array (copied when shared) where ``.grad`` was None, else added to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import engine
from ..autograd.hooks import call_grad_hooks
from ..tensor import Tensor
from . import templates
from .codegen import BASE_NAMESPACE, Line, Value, identifier
from .recording import BackwardStep, CaptureError, NodeInfo
from .templates import generic

if TYPE_CHECKING:
    from .program import Builder


def emit_backward(builder: Builder, step: BackwardStep) -> None:
    """The statements of one ``backward()`` call."""
    e = builder.e
    roots = ", ".join(str(builder.value_of(out)) for out in step.roots)
    e.blank()
    e.comment(f"backward from {roots}: the chain rule, node by node (newest first)")
    start = len(e.lines)
    walk = _Walk(builder, step)
    for out, grad in zip(step.roots, step.grads):
        walk.send(_key(out), walk.root_grad(out, grad), out._data.shape, out._data.dtype)
    for info in step.nodes:
        walk.run(info)
    walk.deliver()
    if walk.uses_handed:
        text = "handed_out = set()"
        e.lines.insert(start, Line(text, "arrays already given to a .grad", pure=False))


def _key(tensor: Tensor) -> tuple:
    """Where a root's gradient goes: its node, or the tensor itself for a leaf."""
    if tensor._grad_fn is not None:
        return ("node", id(tensor._grad_fn))
    return ("leaf", id(tensor))


class _Walk:
    """The state of one written-out walk: the gradient waiting at each node and leaf."""

    def __init__(self, builder: Builder, step: BackwardStep) -> None:
        self.builder = builder
        self.step = step
        self.buffers: dict[tuple, Value] = {}
        self.leaves: dict[int, Tensor] = {}
        self.handed: set[int] = set()
        self.uses_handed = False
        self.destinations = self._count_destinations()
        self.generic_nodes = {id(info.node) for info in step.nodes if info.step in builder.generic}

    def _count_destinations(self) -> dict[tuple, int]:
        """How many gradients each node and leaf will receive (to know which ones escape)."""
        counts: dict[tuple, int] = {}
        for out in self.step.roots:
            counts[_key(out)] = counts.get(_key(out), 0) + 1
        for info in self.step.nodes:
            if info.grads_in is None:
                continue
            for edge, grad in zip(info.edges, info.grads_in):
                if edge is not None and grad is not None:
                    key = self._edge_key(edge)
                    counts[key] = counts.get(key, 0) + 1
        return counts

    def _edge_key(self, edge: tuple) -> tuple:
        if edge[0] == "leaf":
            return ("leaf", id(edge[1]))
        return ("node", id(self.builder.recording.steps[edge[1]].node))

    def root_grad(self, out: Tensor, grad: Any) -> Value:
        """The gradient a root starts with: the implicit ones, or an array of the step."""
        known = self.builder.arrays.get(id(grad))
        if known is not None:
            return known
        return self.builder.e.constant(grad, "grad_start", "the gradient backward starts from")

    # -- nodes -------------------------------------------------------------------------

    def run(self, info: NodeInfo) -> None:
        key = ("node", id(info.node))
        grad = self.buffers.pop(key, None)
        if grad is None or info.grads_in is None:
            return  # no gradient reached this node (the engine skips it too)
        builder = self.builder
        call = builder.calls[info.step]
        observed = info.grads_in

        def grad_for(position: int, hint: str) -> Value:
            meta = observed[position] if position < len(observed) else None
            if meta is None:
                raise CaptureError(
                    f"capture: internal error: the template of {call.op.__name__} computes a "
                    f"gradient for argument {position}, which the op's backward did not"
                )
            edge = info.edges[position]
            escapes = edge is not None and self._escapes(edge, meta)
            return builder.e.new(hint, meta[0], meta[1], escapes=escapes)

        if info.step in builder.generic:
            results = generic.backward(builder.e, call, grad, grad_for)
        else:
            results = templates.BACKWARD[call.op](builder.e, call, grad, grad_for)
        for position, edge in enumerate(info.edges):
            result = results[position] if position < len(results) else None
            expected = observed[position] if position < len(observed) else None
            if edge is None:
                continue
            if (result is None) != (expected is None):
                raise CaptureError(
                    f"capture: internal error: the template of {call.op.__name__} disagrees "
                    f"with the op's backward about argument {position}"
                )
            if result is None:
                continue
            if edge[0] == "leaf":
                target, shape, dtype = ("leaf", id(edge[1])), edge[1].shape, edge[1].dtype
                self.leaves[id(edge[1])] = edge[1]
            else:
                producer = builder.recording.steps[edge[1]]
                target = ("node", id(producer.node))
                shape, dtype = producer.out._data.shape, producer.out._data.dtype
            self.send(target, result, shape, dtype)

    def _escapes(self, edge: tuple, meta: tuple) -> bool:
        """Whether a gradient goes as is into a ``.grad`` (or to an op without template)."""
        if edge[0] == "node":
            return edge[1] in self.builder.generic
        leaf = edge[1]
        if self.destinations.get(("leaf", id(leaf)), 0) != 1:
            return False
        return meta[0] == leaf.shape and meta[1] == leaf.dtype

    # -- sending and summing ---------------------------------------------------------------

    def send(self, key: tuple, grad: Value, shape: tuple, dtype: Any) -> None:
        """``engine._send`` for one edge: fit, then add to what the target already got."""
        e = self.builder.e
        grad = self._fit(grad, tuple(shape), np.dtype(dtype))
        previous = self.buffers.get(key)
        if previous is None:
            self.buffers[key] = grad
            return
        escapes = key[0] == "leaf" or key[1] in self.generic_nodes
        total = e.new(f"{previous}_sum", shape, dtype, escapes=escapes)
        e.emit(
            f"{total} = np.add({previous}, {grad}{e.out(total)})",
            (previous, grad),
            (total,),
            "gradients add up",
        )
        self.buffers[key] = total

    def _fit(self, grad: Value, shape: tuple, dtype: np.dtype) -> Value:
        """``engine.fit_gradient``: summed over broadcast axes, then cast."""
        e = self.builder.e
        if grad.shape is not None and grad.shape != shape:
            extra = len(grad.shape) - len(shape)
            axes = tuple(range(extra)) + tuple(
                extra + axis
                for axis, size in enumerate(shape)
                if size == 1 and grad.shape[extra + axis] != 1
            )
            text = f"{grad}"
            if axes:
                text += f".sum(axis={axes!r}, keepdims=True)"
            kept = tuple(1 if axis in axes else size for axis, size in enumerate(grad.shape))
            if kept != shape:
                text += f".reshape({shape!r})"
            fresh = bool(axes) and kept == shape  # a new array (a reshape of one is a view)
            fitted = e.new(f"{grad}_fit", shape, grad.dtype, owned=fresh)
            if not axes:
                fitted.views = (grad,)
            e.emit(f"{fitted} = {text}", (grad,), (fitted,), "summed over the broadcast axes")
            grad = fitted
        if grad.dtype is not None and grad.dtype != dtype:
            cast = e.new(f"{grad}_as_{dtype.name}", shape, dtype)
            e.emit(f"{cast} = {grad}.astype({e.ref(dtype, 'dtype')})", (grad,), (cast,))
            grad = cast
        return grad

    # -- leaves ------------------------------------------------------------------------

    def deliver(self) -> None:
        """``engine._deliver``: each leaf's gradient into its ``.grad``, in arrival order."""
        builder = self.builder
        e = builder.e
        leaves = [(key, grad) for key, grad in self.buffers.items() if key[0] == "leaf"]
        if not leaves:
            return
        e.comment("the gradients of the leaves go into their .grad")
        for key, grad in leaves:
            leaf = self.leaves.get(key[1])
            if leaf is None:
                leaf = _root_leaf(self.step, key[1])
            self._deliver(leaf, grad)

    def _deliver(self, leaf: Tensor, grad: Value) -> None:
        builder = self.builder
        e = builder.e
        name = builder.input_tensors.get(id(leaf))
        hooks = leaf._hooks
        if grad.buffer is not None or grad.is_const:  # never hand out an array we reuse
            copy = e.new(f"{grad}_copy", grad.shape, grad.dtype)
            e.emit(f"{copy} = {grad}.copy()", (grad,), (copy,), pure=False)
            grad = copy
        if name is not None or (hooks is not None and (hooks.pre or hooks.post_accumulate)):
            target = name or builder.tensor_ref(leaf)
            self.uses_handed = True
            text = f"deliver_with_hooks({target}, {grad}, handed_out)"
            e.emit(text, (grad,), (), "its hooks run, then .grad (+)= ∂L/∂", pure=False)
            builder.set_grad_state(leaf, "unknown")
            return
        state = builder.grad_state(leaf)
        if state in ("entry", "unknown"):  # .grad may or may not be there: decided at run time
            target = name or builder.tensor_ref(leaf)
            self.uses_handed = True
            text = f"accumulate_grad({target}, {grad}, False, handed_out)"
            e.emit(
                text,
                (grad,),
                (),
                f"{builder.display(leaf) if name is None else name}.grad (+)= ∂L/∂",
                pure=False,
            )
            builder.set_grad_state(leaf, "present" if state == "entry" else "unknown")
            return
        ref = builder.tensor_ref(leaf)
        what = f"{builder.display(leaf)}.grad"
        if state is None:
            owned = grad.owned and id(grad) not in self.handed
            if owned:
                array = grad
            else:
                array = e.new(f"{grad}_copy", grad.shape, grad.dtype)
                e.emit(
                    f"{array} = {grad}.copy()",
                    (grad,),
                    (array,),
                    "(a copy: the array is shared)",
                    pure=False,
                )
            self.handed.add(id(array))
            cleared = builder.cleared.pop(id(leaf), None)
            if cleared is not None:  # zero_grad's "= None" is overwritten before any read
                e.lines.remove(cleared)
            text = f"{ref}._grad = new_tensor({array}, False, None)"
            e.emit(text, (array,), (), f"{what} = {array}", pure=False)
            builder.set_grad_state(leaf, array)
            return
        total = e.new(f"grad_{identifier(builder.display(leaf))}_total", leaf.shape, leaf.dtype)
        current = builder.grad_value(leaf)
        e.emit(
            f"{total} = {current} + {grad}",
            (current, grad),
            (total,),
            f"{what} += ∂L/∂",
            pure=False,
        )
        e.emit(f"{ref}._grad._data = {total}", (total,), (), pure=False)
        builder.set_grad_state(leaf, total)


def _root_leaf(step: BackwardStep, key: int) -> Tensor:
    for out in step.roots:
        if id(out) == key:
            return out
    raise CaptureError("capture: internal error: a gradient for an unknown leaf")


def deliver_with_hooks(leaf: Tensor, grad: Any, handed_out: set) -> None:
    """``engine._deliver`` for one leaf with hooks: its tensor hooks may replace the
    gradient, then it is accumulated into ``.grad``, then the post-accumulate hooks run."""
    hooks = leaf._hooks
    if hooks is not None and hooks.pre:
        result = call_grad_hooks(hooks.pre, Tensor._make(grad, False, None))
        if not isinstance(result, Tensor):
            raise TypeError(
                f"a backward hook returned {type(result).__name__}; return a Tensor or None"
            )
        if result.shape != tuple(grad.shape):
            raise RuntimeError(
                f"a backward hook changed the shape of a gradient from {tuple(grad.shape)} to "
                f"{result.shape}; a hook must return a gradient of the same shape"
            )
        grad = result._data
    if leaf._grad is None:
        engine.accumulate_grad(leaf, grad, False, handed_out)
    else:
        leaf._grad._data = leaf._grad._data + grad
    if hooks is not None and hooks.post_accumulate:
        for hook in tuple(hooks.post_accumulate.values()):
            hook(leaf)


BASE_NAMESPACE["deliver_with_hooks"] = deliver_with_hooks
