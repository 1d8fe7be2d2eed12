"""Code generation: the values of a generated step, its statements, constants and source text.

Templates (one per op, see :mod:`tinygrad_fr.jit.templates`) append statements to an
:class:`Emitter`, each naming the values it reads and writes. A statement whose inputs are all
constants runs at once, while capturing, and its results become constants: the gradient that
``loss.mean()`` sends back is known before any data arrives, so the generated code never
recomputes it. The rest is rendered as one straight-line function and compiled from that text.
"""

from __future__ import annotations

import keyword
import linecache
import math
import re
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

NOT_CONSTANT: Any = object()


class Value:
    """One array (or number) of the generated function, known by the name it has there.

    Attributes:
        name: the identifier in the source (or a literal, for a constant that has one).
        shape, dtype: when known (every tensor of the recording; most gradients).
        const: the value itself when known while capturing, else ``NOT_CONSTANT``.
        escapes: the array outlives the call (returned, or put in a ``.grad``): it must be a
            new array at every call, never a reused buffer.
        views: the values whose memory this one may share.
        owned: a new array that nothing else refers to (safe to hand out as a ``.grad``).
        buffer: the name of the preallocated array it is written into (``out=``), if any.
        layout: for an array read from outside (an argument, a parameter) that was
            C-contiguous when recorded, what makes the guard check that it still is; None else.
    """

    __slots__ = (
        "buffer", "const", "dtype", "escapes", "layout", "name", "owned", "shape", "views",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        shape: tuple | None = None,
        dtype: Any = None,
        *,
        const: Any = NOT_CONSTANT,
        escapes: bool = False,
        views: tuple = (),
        owned: bool = False,
    ) -> None:
        self.name = name
        self.shape = None if shape is None else tuple(shape)
        self.dtype = None if dtype is None else np.dtype(dtype)
        self.const = const
        self.escapes = escapes
        self.views = views
        self.owned = owned
        self.buffer: str | None = None
        self.layout: Any = None

    @property
    def is_const(self) -> bool:
        """True when the value is known while capturing."""
        return self.const is not NOT_CONSTANT

    def __str__(self) -> str:
        return self.name

    def __format__(self, spec: str) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Value {self.name} {self.shape} {self.dtype}>"


class Namer:
    """Unique Python identifiers made from hints (``fc1.weight`` -> ``fc1_weight``)."""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self.taken: set[str] = set(reserved)

    def new(self, hint: str) -> str:
        base = identifier(hint)
        name, count = base, 1
        while name in self.taken:
            count += 1
            name = f"{base}_{count}"
        self.taken.add(name)
        return name


def identifier(hint: str) -> str:
    """A valid identifier close to ``hint``."""
    name = re.sub(r"\W", "_", hint).strip("_") or "value"
    if name[0].isdigit():
        name = "layer" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


@dataclass
class Line:
    """One statement of the function body (or a comment line when ``text`` is empty)."""

    text: str
    comment: str = ""
    reads: tuple = ()
    writes: tuple = ()
    pure: bool = True
    folded: bool = False


# What generated code and folded statements see, besides the constants of each step.
BASE_NAMESPACE: dict[str, Any] = {"np": np}
_DTYPE_NAMES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")


class Emitter:
    """Collects the statements of one generated function, folding constant ones."""

    def __init__(self, namer: Namer, namespace: dict[str, Any]) -> None:
        self.namer = namer
        self.namespace = namespace
        self.lines: list[Line] = []
        self.buffers: dict[str, tuple[tuple, np.dtype]] = {}
        self.described: dict[str, str] = {}  # namespace name -> what it is, for the header
        self._literals: dict[int, Value] = {}

    # -- values --------------------------------------------------------------------------

    def new(
        self,
        hint: str,
        shape: tuple | None = None,
        dtype: Any = None,
        *,
        escapes: bool = False,
        views: tuple = (),
        owned: bool = True,
    ) -> Value:
        """A new local value (a new array unless ``views`` says whose memory it shares)."""
        return Value(self.namer.new(hint), shape, dtype, escapes=escapes, views=views, owned=owned)

    def like(self, hint: str, model: Value, *, escapes: bool = False) -> Value:
        """A new array of ``model``'s shape and dtype."""
        return self.new(hint, model.shape, model.dtype, escapes=escapes)

    def out(self, value: Value) -> str:
        """``, out=<buffer>`` to write ``value`` into an array allocated once, or ``""`` when
        it must be a new array at every call (it escapes) or its shape is unknown."""
        if value.escapes or value.shape is None or value.dtype is None:
            return ""
        if value.buffer is None:
            value.buffer = self.namer.new(value.name + "_buf")
            value.owned = False  # the buffer is overwritten by the next call
        return f", out={value.buffer}"

    def into(self, value: Value) -> str:
        """``out=`` for a result that is then updated in place: NumPy gives 0-d results as
        scalars, which cannot be, so those get an array of their own."""
        if value.shape == () and not self.out(value):
            return f", out={self.alloc(value)}"
        return self.out(value)

    def contiguous(self, *values: Value) -> bool:
        """Whether every value is a C-contiguous array at every call: one the code writes
        into its own buffer, or one read from outside whose guard then checks it (NumPy's
        ``dot`` and ``matmul`` reach the same BLAS routine only on such arrays)."""
        known = [v.buffer is not None and not v.views and not v.is_const for v in values]
        if not all(ok or v.layout is not None for ok, v in zip(known, values)):
            return False
        for ok, value in zip(known, values):
            if not ok:
                value.layout()
        return True

    def alloc(self, value: Value) -> str:
        """An array to write ``value`` into: its buffer, or a new ``np.empty`` at each call."""
        if self.out(value):
            return value.buffer  # type: ignore[return-value]
        return f"np.empty({value.shape!r}, {self.ref(value.dtype, 'dtype')})"

    def constant(self, obj: Any, hint: str = "c", doc: str = "") -> Value:
        """A value known while capturing, written as a literal when it has one."""
        literal = literal_text(obj)
        if literal is not None:
            return Value(literal, const=obj)
        shape = getattr(obj, "shape", None)
        dtype = getattr(obj, "dtype", None)
        known = self._literals.get(id(obj))
        if known is not None and known.const is obj:
            return known
        name = self.ref(obj, hint, doc)
        value = Value(name, shape, dtype, const=obj)
        self._literals[id(obj)] = value
        return value

    def ref(self, obj: Any, hint: str, doc: str = "") -> str:
        """The name under which the generated code sees ``obj`` (a global of its namespace)."""
        for name, known in self.namespace.items():
            if known is obj and name not in BASE_NAMESPACE:
                return name
        if isinstance(obj, np.dtype) and obj.name in _DTYPE_NAMES and obj.isnative:
            name = obj.name
            if name not in self.namespace:
                self.namer.taken.add(name)
                self.namespace[name] = obj
                return name
        name = self.namer.new(hint)
        self.namespace[name] = obj
        if doc:
            self.described[name] = doc
        return name

    # -- statements ----------------------------------------------------------------------

    def comment(self, text: str) -> None:
        """A comment line of its own (section titles, explanations)."""
        self.lines.append(Line("", text))

    def blank(self) -> None:
        self.lines.append(Line("", ""))

    def emit(
        self,
        text: str,
        reads: tuple = (),
        writes: tuple = (),
        comment: str = "",
        pure: bool = True,
    ) -> None:
        """Append a statement that reads and writes the given values. ``pure``: it depends
        on nothing but what it reads (no random draws, no library state), so it may be run
        once while capturing if every value it reads is a constant."""
        reads = tuple(v for v in reads if isinstance(v, Value))
        self.lines.append(Line(text, comment, reads, tuple(writes), pure))

    # -- constant folding ------------------------------------------------------------------

    def _fold(self) -> None:
        """Run, now, the statements that compute constants, and keep their results.

        A value is constant only if every statement that writes it can be folded (a value
        folded and then updated in place by data would be a constant shared by all calls).
        """
        statements = [line for line in self.lines if line.text]
        constant = _constants(statements)
        scope = dict(BASE_NAMESPACE)
        scope.update(self.namespace)
        folded: dict[int, Value] = {}
        for line in statements:
            if not line.writes or not all(id(v) in constant for v in line.writes):
                continue
            for value in line.writes:
                if value.buffer is not None and value.buffer not in scope:
                    scope[value.buffer] = np.empty(value.shape, value.dtype)  # type: ignore[arg-type]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    exec(line.text, scope)
            except Exception:
                # NumPy would warn (or fail) at every call: leave it to the call.
                line.pure = False
                for other in statements:
                    other.folded = False
                return self._fold()
            line.folded = True
            folded.update((id(value), value) for value in line.writes)
        for value in folded.values():
            result = scope[value.name]
            value.const = result
            value.buffer = None
            value.owned = False  # a constant is shared by every call
            self.namespace[value.name] = result
            self.described.setdefault(value.name, describe_constant(result))

    # -- the function ----------------------------------------------------------------------

    def finish(self, name: str, params: list[str], doc: str, returns: str) -> str:
        """The source of the function, after folding; its buffers are allocated."""
        self._fold()
        for line in self.lines:
            if line.text and not line.folded:
                for value in line.writes:
                    if value.buffer is not None and value.buffer not in self.buffers:
                        self.buffers[value.buffer] = (value.shape, value.dtype)  # type: ignore[assignment]
        for buffer, (shape, dtype) in self.buffers.items():
            self.namespace[buffer] = np.empty(shape, dtype)
        header = [f"# {key}: {text}" for key, text in self.described.items()]
        if self.buffers:
            names = ", ".join(self.buffers)
            header.append(f"# {names}: arrays allocated once, rewritten by each call (out=)")
        body = [f'    """{doc}"""'] if doc else []
        shown = [line for line in self.lines if not line.folded]
        width = min(max((len(line.text) for line in shown if line.comment), default=0), 60)
        for line in shown:
            if not line.text:
                body.append(f"    # {line.comment}" if line.comment else "")
            elif line.comment:
                body.append(f"    {line.text.ljust(width)}  # {line.comment}")
            else:
                body.append(f"    {line.text}")
        body.append(f"    return {returns}")
        return "\n".join(header + [f"def {name}({', '.join(params)}):"] + body) + "\n"


def _constants(statements: list[Line]) -> set[int]:
    """The ids of the values every writer of which is pure and reads only constants."""
    written = {id(v) for line in statements for v in line.writes}
    constant = {id(v) for line in statements for v in line.reads if v.is_const} | written
    changed = True
    while changed:
        changed = False
        for line in statements:
            if line.pure and all(id(v) in constant for v in line.reads + line.writes):
                continue
            for value in line.writes:
                if id(value) in constant:
                    constant.discard(id(value))
                    changed = True
    return constant


def compile_function(source: str, name: str, namespace: dict[str, Any], filename: str) -> Any:
    """Compile our generated ``source`` and return its function ``name``; the source is
    registered with ``linecache`` so that tracebacks show the generated lines."""
    scope = dict(BASE_NAMESPACE)
    scope.update(namespace)
    code = compile(source, filename, "exec")
    exec(code, scope)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return scope[name]


def literal_text(obj: Any) -> str | None:
    """Python source that evaluates to ``obj``, for the constants that have one."""
    if obj is None or obj is Ellipsis or isinstance(obj, bool):
        return "..." if obj is Ellipsis else repr(obj)
    if type(obj) is int:
        return repr(obj)
    if type(obj) is float:
        return repr(obj) if math.isfinite(obj) else None
    if type(obj) is str:
        return repr(obj)
    if type(obj) is tuple:
        items = [literal_text(item) for item in obj]
        if any(item is None for item in items):
            return None
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"  # type: ignore[arg-type]
    if type(obj) is slice:
        parts = [literal_text(part) for part in (obj.start, obj.stop, obj.step)]
        return None if None in parts else f"slice({', '.join(parts)})"  # type: ignore[arg-type]
    name = getattr(obj, "__name__", None)
    if callable(obj) and name and getattr(np, name, None) is obj:
        return f"np.{name}"
    return None


def describe_constant(value: Any) -> str:
    """A short description of a constant array for the header of the generated code."""
    if isinstance(value, np.ndarray):
        text = f"{value.shape} {value.dtype}"
        flat = value.reshape(-1)
        if flat.size and bool(np.all(flat == flat[0])):
            first = flat[0].item()
            return f"{text}, every element {first!r}" if flat.size > 1 else f"{text}: {first!r}"
        return text
    if isinstance(value, np.generic):
        return f"{value.item()!r} ({value.dtype})"
    return repr(value)
