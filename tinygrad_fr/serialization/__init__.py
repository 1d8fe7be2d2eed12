"""tg.save / tg.load: state dicts to ``.safetensors`` or ``.npz`` files, never with pickle.

``save`` picks the format from the file name (``.safetensors``, else ``.npz``) and replaces the
file atomically; ``load`` recognises the format from the content, checks every size against
``max_bytes`` before allocating, and refuses any damaged or hostile file with a
:class:`FileFormatError` that names it. See docs/saving.md.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import IO, Any, cast

from .atomic import atomic_write, fspath
from .limits import DEFAULT_MAX_BYTES, FileFormatError, FileTooLargeError, Source
from .npy import MAGIC as NPY_MAGIC
from .npz_format import encode_npz, load_npz
from .safetensors_format import encode_safetensors, load_safetensors

__all__ = ["DEFAULT_MAX_BYTES", "FileFormatError", "FileTooLargeError", "load", "save"]

PathLike = str | bytes | os.PathLike
_PICKLE_MARK = b"\x80"  # the PROTO opcode that starts every pickle of protocol 2 or more
_GZIP_MAGIC = b"\x1f\x8b"


def save(obj: Any, path: PathLike | IO[bytes]) -> None:
    """Save ``obj`` (a state dict, or nested dicts/lists/tuples of numbers, strings,
    Tensors and arrays) to ``path``, replacing the file atomically.

    A path ending in ``.safetensors`` gets the safetensors format (read by PyTorch, JAX and
    the model hubs); any other name the ``.npz`` format. ``path`` may be a str, bytes, an
    ``os.PathLike`` or a binary file object (written directly, so not atomically). A failure
    (say an unsupported value: a ``TypeError`` naming its key path; a full disk: an ``OSError``
    naming the path) leaves an existing file untouched and no temporary file behind.

    >>> import os, tempfile, tinygrad_fr as tg
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.safetensors")
    >>> tg.save({"w": tg.Tensor([1.0, 2.0]), "epoch": 3}, path)
    >>> tg.load(path)
    {'w': tensor([1., 2.]), 'epoch': 3}
    """
    file_object = hasattr(path, "write")
    name = getattr(path, "name", None) if file_object else fspath(path, "save")
    safetensors = isinstance(name, (str, bytes)) and os.fsdecode(name).lower().endswith(
        ".safetensors"
    )
    write = _safetensors_writer(obj) if safetensors else encode_npz(obj)
    if file_object:
        write(cast(IO[bytes], path))
    else:
        atomic_write(path, write, "save")


def _safetensors_writer(obj: Any) -> Callable[[IO[bytes]], None]:
    content = encode_safetensors(obj)  # now, so a TypeError comes before any file exists

    def write(file: IO[bytes]) -> None:
        file.write(content)

    return write


def load(path: PathLike | IO[bytes], max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Load what :func:`save` wrote, in either format (recognised by content, not by name).

    Tensors come back with their dtype, shape and ``requires_grad``, dicts in their order
    (OrderedDicts as such). A ``.safetensors`` file written by another program (PyTorch's
    ``safetensors.torch.save_file``) gives a dict of Tensors under its keys.

    Args:
        path: a str, bytes or ``os.PathLike`` path, or a binary file object.
        max_bytes: the most memory the file may make tg.load allocate (1 GiB by default);
            sizes the file declares are checked against it before anything is allocated.

    Raises:
        FileFormatError: (a ``ValueError``) the file is damaged, truncated, hostile or not a
            tg.save file; the message names it and says what is wrong. Nothing is unpickled.
        FileTooLargeError: (a ``FileFormatError``) the file needs more than ``max_bytes``.
        FileNotFoundError: there is no such file.
    """
    hint = "tg.load(path, max_bytes={})"
    if hasattr(path, "read"):
        source = Source("load", path, max_bytes, hint)
        stream, size = _measured(path, source)
        return _load_stream(stream, size, source)
    given = fspath(path, "load")
    source = Source("load", given, max_bytes, hint)
    with open(given, "rb") as file:
        return _load_stream(file, os.fstat(file.fileno()).st_size, source)


def _measured(file: Any, source: Source) -> tuple[IO[bytes], int]:
    """Return a seekable stream of the file object's content from here on, and its size."""
    try:
        if file.seekable():
            start = file.tell()
            size = file.seek(0, io.SEEK_END) - start
            file.seek(start)
            return file, size
    except (AttributeError, OSError):
        pass
    content = file.read(source.max_bytes + 1)  # a pipe: read it whole, within the limit
    source.charge(len(content), "the content of the stream")
    return io.BytesIO(content), len(content)


def _load_stream(stream: IO[bytes], size: int, source: Source) -> Any:
    start = stream.tell()
    head = stream.read(9)
    stream.seek(start)
    if head[8:9] == b"{":
        return load_safetensors(stream, size, source)
    if head.startswith(b"PK"):
        return load_npz(stream, source)
    fix = "only load files written by tg.save (.safetensors or .npz)"
    if head.startswith(_PICKLE_MARK):
        raise source.error(
            "holds pickled Python objects; tg.load refuses them because unpickling can run "
            "arbitrary code",
            "only load files written by tg.save; to convert a PyTorch checkpoint you trust, "
            "save its state dict with safetensors.torch.save_file",
        )
    if head.startswith(NPY_MAGIC):
        raise source.error(
            "is a single NumPy .npy array, not a tg.save file",
            "read it with np.load(path, allow_pickle=False); " + fix,
        )
    if head.startswith(_GZIP_MAGIC):
        raise source.error("is gzip-compressed, not a tg.save file", "decompress it; " + fix)
    kind = "empty" if size == 0 else f"of {size} bytes starting with {head!r}"
    raise source.error(f"is not a tg.save file (neither .safetensors nor .npz: {kind})", fix)
