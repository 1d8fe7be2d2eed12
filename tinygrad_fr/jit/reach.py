"""What a captured function can reach, and by which path: the objects its guards watch.

Starting from the function's closure variables, the globals its code names, its default
arguments (and ``self`` for a bound method), the walk follows modules (their sub-modules,
parameters and buffers), optimizers (their parameter groups), and the attributes, list items
and dict entries that the code it runs mentions by name. Every edge becomes one guard check
("``model._modules['fc1']`` is still this Linear"), so replacing a layer, a parameter, the
model or the optimizer, or changing a number the code reads, is seen before the next call.
"""

from __future__ import annotations

import dis
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..nn.module import Module
from ..optim.lr_scheduler import LRScheduler
from ..optim.optimizer import Optimizer
from ..tensor import Tensor

# Code of these packages is the library's or NumPy's: its globals are not followed.
_LIBRARY = ("tinygrad_fr", "numpy", "builtins", "functools", "math", "typing", "collections")
MAX_ITEMS = 64  # longer lists and dicts are watched as a whole, not item by item
MAX_DEPTH = 4  # attribute hops through plain objects
MAX_NODES = 400
_NUMBERS = (bool, int, float, complex, str, bytes, type(None), np.generic)


@dataclass
class Node:
    """One reached object. ``access`` reads it from ``parent`` (``"._modules['fc1']"``);
    ``root`` names a starting point (a closure cell, a globals dict) when there is no parent."""

    obj: Any
    display: str
    parent: Node | None = None
    access: str = ""
    kind: str = "object"  # module, optimizer, tensor, array, number, container, function...
    children: list[Node] = field(default_factory=list)

    def path(self) -> str:
        return self.display


@dataclass
class Root:
    """A starting point of the walk: an object the guard refers to directly."""

    obj: Any
    hint: str
    nodes: list[Node] = field(default_factory=list)


class Reach:
    """Everything a function can reach through the paths the walk follows."""

    def __init__(self, fn: Any, args: tuple) -> None:
        self.roots: list[Root] = []
        self.names: set[str] = set()  # attribute and global names the reached code mentions
        self.count = 0
        self.seen: dict[int, Node] = {}
        self.tensors: dict[int, Node] = {}  # first node of each tensor (its display name)
        self.modules: list[Node] = []
        self.optimizers: list[Node] = []
        self.reads_training = False
        self._keep: list = []  # reached objects stay alive, so ids stay unique
        self._start(fn, args)

    # -- starting points ----------------------------------------------------------------

    def _start(self, fn: Any, args: tuple) -> None:
        functions = list(_functions_of(fn))
        for function in functions:
            self.names |= code_names(function.__code__)
        self.reads_training = "training" in self.names
        if isinstance(fn, Module):
            root = Root(fn, "self")
            self.roots.append(root)
            self._walk(fn, root, None, "", "self", 0)
        bound = getattr(fn, "__self__", None)
        if bound is not None and not isinstance(bound, types.ModuleType):
            root = Root(bound, "self")
            self.roots.append(root)
            self._walk(bound, root, None, "", "self", 0)
        for function in functions:
            self._function(function, 0)
        for position, arg in enumerate(args):
            if not isinstance(arg, (Tensor, np.ndarray) + _NUMBERS):
                root = Root(arg, f"arg{position}")
                self.roots.append(root)
                self._walk(arg, root, None, "", f"argument {position}", 0)

    def _function(self, function: Any, depth: int) -> None:
        """The closure variables and named globals of a user function (not the library's)."""
        if id(function) in self.seen or _is_library(function) or depth > MAX_DEPTH:
            return
        self.seen[id(function)] = Node(function, function.__qualname__, kind="function")
        self._keep.append(function)
        code = function.__code__
        names = code_names(code)
        self.names |= names
        used_globals = global_names(code)
        if function.__closure__:
            for name, cell in zip(code.co_freevars, function.__closure__):
                try:
                    value = cell.cell_contents
                except ValueError:  # a variable not yet assigned
                    continue
                root = Root(cell, f"cell_{name}")
                self.roots.append(root)
                self._walk(value, root, None, ".cell_contents", name, depth)
        scope = function.__globals__
        module = function.__module__ or "main"  # None for code run by exec()
        root = Root(scope, "globals_" + module.split(".")[-1].strip("_"))
        for name in sorted(used_globals):
            if name in scope and not isinstance(scope[name], types.ModuleType):
                self._walk(scope[name], root, None, f"[{name!r}]", name, depth)
        if root.nodes:
            self.roots.append(root)
        for position, value in enumerate(function.__defaults__ or ()):
            root = Root(function, f"function_{function.__name__}")
            self.roots.append(root)
            self._walk(
                value, root, None, f".__defaults__[{position}]", f"default {position}", depth
            )

    # -- the walk ----------------------------------------------------------------------

    def _walk(
        self, obj: Any, root: Root, parent: Node | None, access: str, display: str, depth: int
    ) -> None:
        """Add the edge ``parent`` -> ``obj`` (and walk ``obj`` if it was not seen)."""
        kind = _kind(obj)
        if kind is None or self.count >= MAX_NODES:
            return
        node = Node(obj, display, parent, access, kind)
        (parent.children if parent is not None else root.nodes).append(node)
        self.count += 1
        if kind in ("number", "function_ref"):
            if kind == "function_ref":
                self._function(obj, depth + 1)
            return
        if id(obj) in self.seen:
            return
        self.seen[id(obj)] = node
        self._keep.append(obj)
        if kind == "tensor":
            self.tensors.setdefault(id(obj), node)
        elif kind == "module":
            self._module(node, root, depth)
        elif kind == "optimizer":
            self._optimizer(node, root, depth)
        elif kind == "scheduler":
            self._walk(obj.optimizer, root, node, ".optimizer", display + ".optimizer", depth)
        elif kind == "container":
            self._container(node, root, depth)
        elif kind == "object" and depth < MAX_DEPTH:
            self._attributes(node, root, depth + 1)

    def _module(self, node: Node, root: Root, depth: int) -> None:
        module = node.obj
        self.modules.append(node)
        for function in _methods(type(module)):
            names = code_names(function.__code__)
            self.names |= names
            self.reads_training = self.reads_training or "training" in names
            if not _is_library(function):
                self._function(function, depth + 1)
        for registry in ("_forward_pre_hooks", "_forward_hooks"):
            for hook in (module.__dict__.get(registry) or {}).values():
                self._hook(hook, depth + 1)
        prefix = "" if node.display == "self" else node.display + "."
        for registry in ("_modules", "_parameters", "_buffers"):
            for key, value in module.__dict__[registry].items():
                if value is not None:
                    self._walk(value, root, node, f".{registry}[{key!r}]", prefix + key, depth)
        self._attributes(node, root, depth)

    def _hook(self, hook: Any, depth: int) -> None:
        """A module hook is code the step runs: follow it (through the library's adapters)."""
        if not isinstance(hook, types.FunctionType):
            return
        if not _is_library(hook):
            self._function(hook, depth)
            return
        for cell in hook.__closure__ or ():
            content = cell.cell_contents
            if isinstance(content, types.FunctionType) and not _is_library(content):
                self._function(content, depth)

    def _optimizer(self, node: Node, root: Root, depth: int) -> None:
        """The parameters of each group (its options are read at each call, not watched)."""
        self.optimizers.append(node)
        groups = node.obj.param_groups
        listed = Node(groups, node.display + ".param_groups", node, ".param_groups", "container")
        node.children.append(listed)
        self.seen[id(groups)] = listed
        for number, group in enumerate(groups):
            entry = Node(group, f"{listed.display}[{number}]", listed, f"[{number}]", "group")
            listed.children.append(entry)
            params = group["params"]
            self._walk(params, root, entry, '["params"]', entry.display + '["params"]', depth)

    def _container(self, node: Node, root: Root, depth: int) -> None:
        items: Iterator[tuple[str, Any]]
        obj = node.obj
        if len(obj) > MAX_ITEMS:
            return
        if isinstance(obj, dict):
            items = ((repr(key), value) for key, value in obj.items() if _plain_key(key))
        else:
            items = ((str(index), value) for index, value in enumerate(obj))
        for key, value in items:
            self._walk(value, root, node, f"[{key}]", f"{node.display}[{key}]", depth)

    def _attributes(self, node: Node, root: Root, depth: int) -> None:
        """The attributes of a plain object (or a module) that the reached code mentions."""
        attributes = getattr(node.obj, "__dict__", None)
        if not isinstance(attributes, dict):
            return
        cls = type(node.obj)
        for name, value in attributes.items():
            if name.startswith("_") or name not in self.names or name == "training":
                continue
            if hasattr(cls, name):  # a class attribute of the same name: a descriptor?
                continue
            self._walk(value, root, node, f".{name}", f"{node.display}.{name}", depth)


def _kind(obj: Any) -> str | None:
    """What the walk does with ``obj`` (None: not followed, not watched)."""
    if isinstance(obj, Tensor):
        return "tensor"
    if isinstance(obj, _NUMBERS):
        return "number"
    if isinstance(obj, np.ndarray):
        return "array"
    if isinstance(obj, Module):
        return "module"
    if isinstance(obj, Optimizer):
        return "optimizer"
    if isinstance(obj, LRScheduler):
        return "scheduler"
    if isinstance(obj, (list, tuple, dict)):
        return "container"
    if isinstance(obj, types.FunctionType):
        return None if _is_library(obj) else "function_ref"
    if isinstance(obj, (types.ModuleType, type, types.BuiltinFunctionType, np.ufunc)):
        return None
    if isinstance(obj, (types.MethodType, types.BuiltinMethodType)):
        return None
    if type(obj).__module__.startswith(_LIBRARY):
        return None
    return "object"


def _plain_key(key: Any) -> bool:
    return type(key) in (str, int)


def _is_library(function: Any) -> bool:
    module = getattr(function, "__module__", None) or ""
    return module.split(".")[0] in _LIBRARY


def _functions_of(fn: Any) -> Iterator[Any]:
    """The Python functions behind a callable (a function, a bound method, a partial...)."""
    if isinstance(fn, types.FunctionType):
        yield fn
    elif isinstance(fn, types.MethodType):
        yield from _functions_of(fn.__func__)
    elif hasattr(fn, "func") and hasattr(fn, "args"):  # functools.partial
        yield from _functions_of(fn.func)
    elif isinstance(fn, Module):
        yield from _methods(type(fn))
    else:
        call = vars(type(fn)).get("__call__")
        if isinstance(call, types.FunctionType):
            yield call


def _methods(cls: type) -> Iterator[Any]:
    """The functions defined on ``cls`` and its bases below Module."""
    for klass in cls.__mro__:
        if klass in (Module, object):
            break
        for value in vars(klass).values():
            if isinstance(value, types.FunctionType):
                yield value


def global_names(code: types.CodeType) -> set[str]:
    """The global variables a code object (and the code nested in it) reads."""
    names = {
        instruction.argval
        for instruction in dis.get_instructions(code)
        if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME")
    }
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= global_names(const)
    return names


def code_names(code: types.CodeType) -> set[str]:
    """The global and attribute names a code object (and the code nested in it) mentions."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= code_names(const)
    return names
