"""The guard checks of what the step reached: modules, tensors, optimizers, numbers.

One check per edge of the walk of :mod:`.reach` ("``model._modules['0']`` is still this
Linear"), then per kind of object what its behaviour depends on: a module's hooks, children
and (when some code reads it) ``training``; a tensor's ``requires_grad`` and hooks; a number's
value. An optimizer whose update is written out also has its parameter groups watched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .codegen import identifier
from .guards import Guard, check_number
from .reach import Node, Reach

if TYPE_CHECKING:
    from .program import Builder


def watch_reach(guard: Guard, reach: Reach) -> None:
    """Add the checks of every edge and object of ``reach`` to ``guard``."""
    done: set[int] = set()
    for root in reach.roots:
        name = guard.name(root.obj, identifier(root.hint))
        for node in root.nodes:
            _node(guard, reach, node, name, done)


def _node(guard: Guard, reach: Reach, node: Node, parent: str, done: set[int]) -> None:
    expression = parent + node.access
    what = node.display
    if node.kind == "number":
        check_number(guard, expression, node.obj, what)
        return
    name = guard.name(node.obj, identifier(node.display.split(".")[-1] or "obj"))
    if node.access:
        guard.add(f"{expression} is not {name}", f"{what} is another object")
    if id(node.obj) in done:
        return
    done.add(id(node.obj))
    if node.kind == "module":
        _module(guard, reach, node, name)
    elif node.kind == "tensor":
        _tensor(guard, node, name)
    elif node.kind == "container" and not isinstance(node.obj, tuple):
        guard.add(f"len({name}) != {len(node.obj)}", f"{what} has another length")
    for child in node.children:
        _node(guard, reach, child, name, done)


def _module(guard: Guard, reach: Reach, node: Node, name: str) -> None:
    module = node.obj
    what = f"module {node.display}"
    hooks = ("_forward_pre_hooks", "_forward_hooks", "_backward_hooks", "_backward_pre_hooks")
    if not any(module.__dict__.get(registry) for registry in hooks):
        exact = " or ".join(f"{name}.{registry}" for registry in hooks)
        guard.add(f"{name}._has_hooks", f"{what} has new hooks", exact=exact)
    else:  # the ops its hooks made were recorded: the same hooks must be there
        for registry in hooks:
            entries = getattr(module, registry)
            ref = guard.name(entries, f"{name}{registry}")
            guard.add(f"{name}.{registry} is not {ref}", f"{what} has other hooks")
            guard.add(f"len({ref}) != {len(entries)}", f"{what} has other hooks")
            for key, hook in entries.items():
                guard.add(
                    f"{ref}[{key!r}] is not {guard.name(hook, 'hook')}", f"{what}: a hook changed"
                )
    if reach.reads_training:
        guard.add(
            f"{name}.training is not {module.training!r}",
            f"{what} is now in {'eval' if module.training else 'train'} mode",
        )
    size = len(module._modules)
    if size:  # a container calls its children: one more or one less changes the step
        guard.add(f"len({name}._modules) != {size}", f"{what} has other sub-modules")


def _tensor(guard: Guard, node: Node, name: str) -> None:
    watch_tensor(guard, name, node.obj, node.display)


def watch_tensor(guard: Guard, name: str, tensor: Any, what: str) -> None:
    """A leaf's ``requires_grad`` and hooks (those it had run in the generated code, which
    reads its hook registries at each call; new ones make it record again)."""
    guard.add(
        f"{name}._requires_grad is not {tensor.requires_grad!r}",
        f"{what} {'no longer requires' if tensor.requires_grad else 'now requires'} grad "
        "(requires_grad_)",
    )
    if not tensor.requires_grad:
        return
    hooks = tensor._hooks
    if hooks is None:
        guard.add(
            f"{name}._hooks is not None",
            f"{what} has hooks",
            exact=f"{name}._hooks.pre or {name}._hooks.post_accumulate",
        )
    else:
        registry = guard.name(hooks, f"{name}_hooks")
        guard.add(f"{name}._hooks is not {registry}", f"{what} has other hooks")


class OptimizerWatch:
    """The parameter groups of an optimizer whose update the step writes out."""

    def __init__(self, builder: Builder, optimizer: Any) -> None:
        self.builder = builder
        self.optimizer = optimizer
        self.refs: dict[int, str] = {}
        guard = builder.guard
        if id(optimizer) in builder.reach.seen:  # its groups are watched with what it reached
            for number, group in enumerate(optimizer.param_groups):
                self._options(guard, guard.name(group, f"group{number}"), number)
            return
        name = guard.name(optimizer, "optimizer")
        groups = guard.name(optimizer.param_groups, "param_groups")
        what = f"{type(optimizer).__name__}"
        guard.add(f"{name}.param_groups is not {groups}", f"{what}.param_groups was replaced")
        guard.add(f"len({groups}) != {len(optimizer.param_groups)}", f"{what} has other groups")
        for number, group in enumerate(optimizer.param_groups):
            ref = guard.name(group, f"group{number}")
            guard.add(f"{groups}[{number}] is not {ref}", f"{what} group {number} was replaced")
            params = guard.name(group["params"], f"group{number}_params")
            guard.add(f'{ref}["params"] is not {params}', f"{what} group {number}: new params")
            guard.add(f"len({params}) != {len(group['params'])}", f"{what} group {number}: params")
            for position, param in enumerate(group["params"]):
                tensor = guard.name(param, identifier(builder.display(param)))
                guard.add(
                    f"{params}[{position}] is not {tensor}",
                    f"{what} group {number} holds another parameter at {position}",
                )
            self._options(guard, ref, number)

    def _options(self, guard: Any, ref: str, number: int) -> None:
        guard.add(
            f'{ref}["momentum"] != 0 or {ref}["weight_decay"] != 0 or {ref}["maximize"]',
            f"{type(self.optimizer).__name__} group {number} now uses momentum, weight decay "
            "or maximize",
        )

    def group(self, number: int) -> str:
        """The generated code's name for parameter group ``number`` (read at each call)."""
        group = self.optimizer.param_groups[number]
        return self.builder.e.ref(group, f"optimizer_group{number}", "a parameter group")
