"""The structure around the arrays, as JSON: both file formats store it the same way.

:class:`Encoder` turns dicts (OrderedDict kept), lists, tuples, numbers, strings, None, Tensors
and arrays into JSON nodes, moving each array into a table under a name the format chooses;
:class:`Decoder` rebuilds the objects, checking every node, so a hostile description can only
produce a :class:`FileFormatError`.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .limits import MAX_NESTING, FileFormatError, Source, shorten

FORMAT = "tinygrad_fr"
VERSION = 1

ARRAY_KINDS = "biufc"
"""NumPy dtype kinds tg.save stores and tg.load reads: bool, integers, floats, complex."""
TENSOR_KINDS = "biuf"
"""Dtype kinds a Tensor can have: complex numbers are only stored as NumPy arrays."""

_SCALARS = (bool, int, float, str)
_MAX_INT_BITS = 14_000  # json refuses integers past 4300 digits (about 14,284 bits)

Namer = Callable[[tuple[Any, ...]], str]
"""Chooses the table name of an array from the keys leading to it (e.g. ('model', 'weight'))."""


def structure_text(root: Any, **extra: Any) -> str:
    """The JSON text describing a saved object: format name, version, root node and extras."""
    return json.dumps({"format": FORMAT, "version": VERSION, "root": root, **extra})


def check_structure(meta: Any, source: Source) -> dict[str, Any]:
    """Return the parsed description if it is one tg.save wrote in a version this one reads."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "root" not in meta:
        raise source.damaged("its structure description is not tg.save's")
    version = meta.get("version")
    if version != VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            raise source.error(
                f"was written by a newer tinygrad_fr (format version {version}; this one "
                f"reads version {VERSION})",
                "upgrade tinygrad_fr (pip install -U tinygrad_fr) to read it",
            )
        raise source.damaged(f"unknown format version {shorten(version)}")
    return meta


class Encoder:
    """Turns a Python structure into JSON nodes, moving arrays into ``arrays`` (name -> array)."""

    def __init__(self, namer: Namer) -> None:
        self.namer = namer
        self.arrays: dict[str, np.ndarray] = {}
        self.seen: dict[int, str] = {}  # id of a Tensor or array -> its name (stored once)
        self.keep: list[Any] = []  # keeps encoded objects alive so their ids stay unique

    def encode(self, value: Any, where: str = "obj", keys: tuple[Any, ...] = ()) -> Any:
        """Return the JSON node of ``value``, found at ``where`` (for messages)."""
        if len(keys) >= MAX_NESTING:
            raise ValueError(
                f"save: the value at {where[:200]}... is nested more than {MAX_NESTING} "
                "containers deep (does a list or dict contain itself?); tg.save stores at most "
                f"{MAX_NESTING} levels"
            )
        if value is None or isinstance(value, _SCALARS):
            if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
                raise TypeError(
                    f"save: the int at {where} has {value.bit_length()} bits, too many to store "
                    "as JSON; store it as a string (str(value))"
                )
            return value
        if isinstance(value, (Tensor, np.ndarray)):
            return self._array(value, where, keys)
        if isinstance(value, np.generic):
            array = self._array(np.asarray(value), where, keys)
            return {"kind": "scalar", "array": array["array"]}
        if isinstance(value, dict):
            node_keys = [self._key(key, where, keys) for key in value]
            values = [
                self.encode(item, f"{where}[{key!r}]", keys + (key,)) for key, item in value.items()
            ]
            kind = "odict" if isinstance(value, OrderedDict) else "dict"
            return {"kind": kind, "keys": node_keys, "values": values}
        if isinstance(value, (list, tuple)):
            items = [
                self.encode(item, f"{where}[{i}]", keys + (i,)) for i, item in enumerate(value)
            ]
            return {"kind": "list" if isinstance(value, list) else "tuple", "items": items}
        raise TypeError(
            f"save: cannot save the {type(value).__name__} at {where}; tg.save stores Tensors, "
            "NumPy arrays, numbers, strings, None, and dicts/lists/tuples of them (use "
            "state_dict() for modules and optimizers)"
        )

    def _key(self, key: Any, where: str, keys: tuple[Any, ...]) -> Any:
        if key is None or isinstance(key, _SCALARS):
            return self.encode(key, where, keys)
        if isinstance(key, tuple):
            return self.encode(key, where, keys + ("key",))
        raise TypeError(
            f"save: cannot save the dict key {key!r} ({type(key).__name__}) in {where}; keys "
            "must be strings, numbers, None or tuples of them"
        )

    def _array(self, value: Any, where: str, keys: tuple[Any, ...]) -> dict[str, Any]:
        array = value._data if isinstance(value, Tensor) else value
        if array.dtype.kind not in ARRAY_KINDS or array.dtype.hasobject:
            raise TypeError(
                f"save: cannot save the array of dtype {array.dtype} at {where}; only bool, "
                "integer, floating and complex arrays can be saved without pickle"
            )
        name = self.seen.get(id(value))
        if name is None:
            name = self.seen[id(value)] = self.namer(keys)
            self.arrays[name] = array
            self.keep.append(value)
        if isinstance(value, Tensor):
            return {"kind": "tensor", "array": name, "requires_grad": value.requires_grad}
        return {"kind": "ndarray", "array": name}


class Decoder:
    """Rebuilds the Python structure from JSON nodes, reading each array once by its name.

    Raises:
        FileFormatError: for any node tg.save cannot have written; arrays come from
            ``read_array``, which raises it for a missing or damaged array.
    """

    def __init__(self, read_array: Callable[[str], np.ndarray], source: Source) -> None:
        self.read_array = read_array
        self.source = source
        self.made: dict[tuple[str, str], Any] = {}  # shared arrays come back shared

    def decode(self, node: Any) -> Any:
        """Return the object that ``node`` (the root of the description) describes."""
        try:
            return self._decode(node, 0)
        except FileFormatError:
            raise
        except (KeyError, TypeError, IndexError, ValueError) as error:
            detail = f"missing entry {error}" if isinstance(error, KeyError) else str(error)
            raise self.source.damaged(
                f"its structure description is inconsistent ({detail})"
            ) from None

    def _decode(self, node: Any, depth: int) -> Any:
        if node is None or isinstance(node, _SCALARS):
            return node
        if depth >= MAX_NESTING or not isinstance(node, dict):
            problem = "is nested too deep" if depth >= MAX_NESTING else "holds a bare JSON list"
            raise ValueError(f"the description {problem}")
        kind = node["kind"]
        if kind in ("dict", "odict"):
            keys = [self._decode(key, depth + 1) for key in _list(node, "keys")]
            values = [self._decode(value, depth + 1) for value in _list(node, "values")]
            return (OrderedDict if kind == "odict" else dict)(zip(keys, values, strict=True))
        if kind in ("list", "tuple"):
            items = [self._decode(item, depth + 1) for item in _list(node, "items")]
            return items if kind == "list" else tuple(items)
        if kind in ("tensor", "ndarray", "scalar"):
            return self._array(kind, node)
        raise ValueError(f"unknown node kind {shorten(kind)}")

    def _array(self, kind: str, node: dict[str, Any]) -> Any:
        name = node["array"]
        if not isinstance(name, str):
            raise ValueError(f"array name {shorten(name)} is not a string")
        made = self.made.get((kind, name))
        if made is not None:
            return made
        array = self.read_array(name)
        value: Any
        if kind == "tensor":
            value = as_tensor(array, node.get("requires_grad", False), name)
        elif kind == "scalar":
            if array.ndim != 0:
                raise ValueError(f"scalar {shorten(name)} has shape {array.shape}")
            value = array[()]
        else:
            value = array
        self.made[(kind, name)] = value
        return value


def _list(node: dict[str, Any], field: str) -> list[Any]:
    items = node[field]
    if not isinstance(items, list):
        raise ValueError(f"{field!r} of a {node['kind']} is not a list")
    return items


def as_tensor(array: np.ndarray, requires_grad: Any = False, name: str = "") -> Tensor:
    """Wrap a freshly read ``array`` in a Tensor (no copy); ValueError if it cannot be one."""
    if array.dtype.kind not in TENSOR_KINDS:
        raise ValueError(
            f"tensor {shorten(name)} has dtype {array.dtype}, which a Tensor cannot hold"
        )
    if not isinstance(requires_grad, bool):
        raise ValueError(
            f"requires_grad of tensor {shorten(name)} is {shorten(requires_grad)}, not a bool"
        )
    if requires_grad and array.dtype.kind != "f":
        raise ValueError(f"tensor {shorten(name)} of dtype {array.dtype} cannot require grad")
    tensor = Tensor._make(array, False, None)
    if requires_grad:
        tensor.requires_grad = True
    return tensor
