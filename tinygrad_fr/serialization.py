"""tg.save / tg.load: state dicts to disk as a NumPy ``.npz`` archive, never with pickle.

The archive holds every array as an ``.npy`` entry and a ``__meta__`` entry (JSON text stored
as uint8 bytes) describing the structure around them: dicts (OrderedDict kept), lists, tuples,
numbers, strings, None, Tensors and arrays. Saving is atomic; loading runs no code from the file.
"""

from __future__ import annotations

import json
import os
import uuid
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from .tensor import Tensor

PathLike = str | os.PathLike
_META = "__meta__"
_FORMAT = "tinygrad_fr"
_VERSION = 1
_ARRAY_KINDS = "biufc"  # bool, integers, floats, complex: no objects, no Python pickles
_PICKLE_PROTOCOL_MARK = b"\x80"


def save(obj: Any, path: PathLike | IO[bytes]) -> None:
    """Save ``obj`` (a state dict, or nested dicts/lists/tuples of numbers, strings,
    Tensors and arrays) to ``path``, replacing the file atomically.

    A failure (say an unsupported value, a ``TypeError`` naming its key path) leaves an
    existing file untouched and no temporary file behind.

    >>> import os, tempfile, tinygrad_fr as tg
    >>> from tinygrad_fr.serialization import load, save
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
    >>> save({"w": tg.Tensor([1.0, 2.0]), "epoch": 3}, path)
    >>> load(path)
    {'w': Tensor([1., 2.]), 'epoch': 3}
    """
    arrays: dict[str, Any] = {}
    root = _Encoder(arrays).encode(obj, "obj")
    meta = json.dumps({"format": _FORMAT, "version": _VERSION, "root": root})
    arrays[_META] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    if hasattr(path, "write"):
        np.savez(path, allow_pickle=False, **arrays)
        return
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        # 0o666 lets the umask decide the permissions, as for a file opened with open().
        with os.fdopen(os.open(temporary, flags, 0o666), "wb") as file:
            np.savez(file, allow_pickle=False, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def load(path: PathLike | IO[bytes]) -> Any:
    """Load what :func:`save` wrote. Files holding pickled objects are refused (ValueError).

    Tensors come back as Tensors with their dtype, shape and ``requires_grad``; dict order
    and OrderedDicts are preserved.
    """
    name = repr(os.fspath(path)) if not hasattr(path, "read") else "the file object"
    _refuse_non_zip(path, name)
    try:
        archive = np.load(path, allow_pickle=False)
    except ValueError as error:
        raise _refusal(name, error) from None
    except zipfile.BadZipFile as error:
        raise _damaged(name, error) from None
    with archive:
        if not isinstance(archive, np.lib.npyio.NpzFile) or _META not in archive.files:
            raise ValueError(
                f"load: {name} was not written by tg.save (no {_META!r} entry; a PyTorch .pt "
                "file cannot be read either); save it with tg.save(state_dict, path)"
            )
        try:
            meta = json.loads(archive[_META].tobytes().decode("utf-8"))
        except ValueError as error:  # includes JSON and UTF-8 decoding errors
            raise _damaged(name, error) from None
        known = isinstance(meta, dict) and meta.get("format") == _FORMAT
        if not known or meta.get("version") != _VERSION:
            raise _damaged(name, "unknown format or version")
        try:
            return _Decoder(archive).decode(meta["root"])
        except (KeyError, TypeError, IndexError, zipfile.BadZipFile) as error:
            raise _damaged(name, error) from None
        except ValueError as error:
            if "pickle" in str(error):
                raise _refusal(name, error) from None
            raise _damaged(name, error) from None


def _refuse_non_zip(path: Any, name: str) -> None:
    """Refuse anything but a zip archive before NumPy looks at it (a pickle in particular)."""
    if hasattr(path, "read"):
        start = path.tell() if hasattr(path, "tell") else 0
        head = path.read(4)
        path.seek(start)
    else:
        with open(path, "rb") as file:
            head = file.read(4)
    if head.startswith(b"PK"):
        return
    if head.startswith(_PICKLE_PROTOCOL_MARK):
        raise _refusal(name, None)
    raise ValueError(
        f"load: {name} is not a tg.save archive (an .npz zip file); was it written by tg.save?"
    )


def _damaged(name: str, error: Any) -> ValueError:
    return ValueError(f"load: {name} is a damaged tg.save file ({error}); save it again")


def _refusal(name: str, error: Exception | None) -> ValueError:
    detail = f" ({error})" if error is not None else ""
    return ValueError(
        f"load: {name} holds pickled Python objects{detail}; tg.load refuses them because "
        "unpickling can run arbitrary code. Only load files written by tg.save"
    )


class _Encoder:
    """Turns a Python structure into JSON nodes, moving arrays into ``arrays``."""

    def __init__(self, arrays: dict[str, Any]) -> None:
        self.arrays = arrays
        self.seen: dict[int, str] = {}  # id of a Tensor or array -> its entry (shared once)
        self.keep: list[Any] = []  # keeps encoded objects alive so their ids stay unique

    def encode(self, value: Any, where: str) -> Any:
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (Tensor, np.ndarray)):
            return self._array(value, where)
        if isinstance(value, np.generic):
            array = self._array(np.asarray(value), where)
            return {"kind": "scalar", "array": array["array"]}
        if isinstance(value, dict):
            keys = [self._key(key, where) for key in value]
            values = [self.encode(item, f"{where}[{key!r}]") for key, item in value.items()]
            kind = "odict" if isinstance(value, OrderedDict) else "dict"
            return {"kind": kind, "keys": keys, "values": values}
        if isinstance(value, (list, tuple)):
            items = [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
            return {"kind": "list" if isinstance(value, list) else "tuple", "items": items}
        raise TypeError(
            f"save: cannot save the {type(value).__name__} at {where}; tg.save stores Tensors, "
            "NumPy arrays, numbers, strings, None, and dicts/lists/tuples of them (use "
            "state_dict() for modules and optimizers)"
        )

    def _key(self, key: Any, where: str) -> Any:
        if key is None or isinstance(key, (bool, int, float, str)):
            return key
        if isinstance(key, tuple):
            return self.encode(key, where)
        raise TypeError(
            f"save: cannot save the dict key {key!r} ({type(key).__name__}) in {where}; keys "
            "must be strings, numbers, None or tuples of them"
        )

    def _array(self, value: Any, where: str) -> dict[str, Any]:
        array = value._data if isinstance(value, Tensor) else value
        if array.dtype.kind not in _ARRAY_KINDS:
            raise TypeError(
                f"save: cannot save the array of dtype {array.dtype} at {where}; only bool, "
                "integer, floating and complex arrays can be saved without pickle"
            )
        entry = self.seen.get(id(value))
        if entry is None:
            entry = self.seen[id(value)] = f"a{len(self.seen)}"
            self.arrays[entry] = array
            self.keep.append(value)
        if isinstance(value, Tensor):
            return {"kind": "tensor", "array": entry, "requires_grad": value.requires_grad}
        return {"kind": "ndarray", "array": entry}


class _Decoder:
    """Rebuilds the Python structure from JSON nodes and the archive's arrays."""

    def __init__(self, archive: Any) -> None:
        self.archive = archive
        self.made: dict[tuple[str, str], Any] = {}  # shared entries come back shared

    def decode(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        kind = node["kind"]
        if kind in ("dict", "odict"):
            keys = [self.decode(key) for key in node["keys"]]
            values = [self.decode(value) for value in node["values"]]
            return (OrderedDict if kind == "odict" else dict)(zip(keys, values, strict=True))
        if kind in ("list", "tuple"):
            items = [self.decode(item) for item in node["items"]]
            return items if kind == "list" else tuple(items)
        if kind in ("tensor", "ndarray", "scalar"):
            return self._array(kind, node)
        raise ValueError(f"unknown node kind {kind!r}")

    def _array(self, kind: str, node: dict[str, Any]) -> Any:
        entry = node["array"]
        made = self.made.get((kind, entry))
        if made is not None:
            return made
        array = self.archive[entry]  # ValueError for an object array: pickles are refused
        if kind == "tensor":
            value: Any = Tensor._make(array, False, None)
            if node.get("requires_grad"):
                value.requires_grad = True
        elif kind == "scalar":
            value = array[()]
        else:
            value = array
        self.made[(kind, entry)] = value
        return value
