"""The errors and bounds every file reader of tinygrad_fr shares (tg.load, read_idx, load_mnist).

A reader wraps the file in a :class:`Source`: it names the file in every message, counts the
bytes the file makes us allocate against ``max_bytes`` before allocating them, and turns
damage into :class:`FileFormatError`, never a raw library exception.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

DEFAULT_MAX_BYTES = 1 << 30
"""Default bound on the memory a file may make a reader allocate: 1 GiB."""

JSON_COST = 16
"""Bytes of budget charged per byte of JSON text: Python objects parsed from it take up to ~16x."""

MAX_NESTING = 100
"""Deepest nesting of containers saved or loaded (a JSON bomb cannot exhaust the stack)."""

_CHUNK = 1 << 20


class FileFormatError(ValueError):
    """A file tinygrad_fr refuses to read: damaged, truncated, hostile or of another format.

    The message names the file, what is wrong and what to do; ``path`` holds the file's name
    (``None`` for a file object without one).
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class FileTooLargeError(FileFormatError):
    """A file whose declared or decompressed size exceeds the reader's ``max_bytes`` limit."""


# Tracebacks show the public name, tinygrad_fr.serialization.FileFormatError.
FileFormatError.__module__ = FileTooLargeError.__module__ = "tinygrad_fr.serialization"


def check_max_bytes(max_bytes: Any, who: str) -> int:
    """Return ``max_bytes`` as an int, refusing anything but a positive integer."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise TypeError(
            f"{who}: max_bytes must be a positive int (a number of bytes), got "
            f"{type(max_bytes).__name__}; e.g. max_bytes=2 << 30 for 2 GiB"
        )
    if max_bytes <= 0:
        raise ValueError(f"{who}: max_bytes must be a positive number of bytes, got {max_bytes}")
    return max_bytes


def display_name(file: Any) -> tuple[str, str | None]:
    """Return how messages name ``file`` (a path or a file object) and its path if it has one."""
    if hasattr(file, "read"):
        name = getattr(file, "name", None)
        if isinstance(name, (str, bytes)):
            path = os.fsdecode(name)
            return repr(path), path
        return "the file object", None
    path = os.fsdecode(os.fspath(file))
    return repr(path), path


def human_bytes(count: int) -> str:
    """Say ``count`` bytes in a unit a reader grasps: '2.0 GiB', '512 B', 'about 2**80 B'."""
    if count >= 1 << 60:  # past any disk (and past what a float or str() holds): the magnitude
        return f"about 2**{count.bit_length() - 1} B"
    size, unit = float(count), "B"
    for larger in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if size < 1024:
            break
        size, unit = size / 1024, larger
    return f"{count} B" if unit == "B" else f"{size:.1f} {unit}"


def shorten(value: Any, most: int = 120) -> str:
    """``repr(value)`` cut to ``most`` characters: a hostile file's values stay readable."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # nested too deep, or an int of too many digits
        text = f"<a {type(value).__name__} too large to show>"
    return text if len(text) <= most else text[: most - 3] + "..."


class Source:
    """One file being read: its name for messages, and the budget of bytes it may allocate.

    Args:
        who: the entry point, first word of every message (``"load"``, ``"read_idx"``).
        file: the path or file object, to name it.
        max_bytes: the budget; :meth:`charge` refuses to go past it.
        limit_hint: the call that raises the limit, with ``{}`` for the bytes needed.
    """

    def __init__(self, who: str, file: Any, max_bytes: int, limit_hint: str) -> None:
        self.who = who
        self.name, self.path = display_name(file)
        self.max_bytes = check_max_bytes(max_bytes, who)
        self.limit_hint = limit_hint
        self.used = 0

    def error(self, problem: str, fix: str) -> FileFormatError:
        """A :class:`FileFormatError` saying ``who: <file> <problem>. Fix: <fix>``."""
        return FileFormatError(f"{self.who}: {self.name} {problem}. Fix: {fix}", self.path)

    def damaged(self, problem: str) -> FileFormatError:
        """The error for a file that is damaged or truncated."""
        return self.error(
            f"is damaged or truncated: {problem}",
            "the file was changed or cut after it was written; get a good copy or write it again",
        )

    def charge(self, count: int, what: str) -> None:
        """Count ``count`` more bytes about to be allocated for ``what``; refuse past the limit."""
        self.used += count
        if self.used > self.max_bytes:
            needed = 1 << max(self.used - 1, 1).bit_length()
            raise FileTooLargeError(
                f"{self.who}: {self.name} needs {human_bytes(self.used)} for {what}, more than "
                f"max_bytes={self.max_bytes} ({human_bytes(self.max_bytes)}), so nothing was "
                f"allocated. Fix: if you trust the file, raise the limit: "
                f"{self.limit_hint.format(needed)}",
                self.path,
            )

    def parse_json(self, text: str | bytes, what: str, unique_keys: bool = False) -> Any:
        """Parse JSON text of the file, refusing it if malformed or nested past the limit.

        With ``unique_keys``, an object naming a key twice is refused too.
        """
        try:
            return json.loads(text, object_pairs_hook=_unique if unique_keys else None)
        except RecursionError:
            raise self.damaged(f"{what} nests deeper than Python can parse") from None
        except ValueError as error:  # JSON syntax, UTF-8 and integer-size errors
            raise self.damaged(f"{what} is not valid JSON ({error})") from None

    def read_exact(self, stream: Any, count: int, what: str) -> bytes:
        """Read exactly ``count`` bytes of ``what``; a short read means the file is truncated."""
        data = stream.read(count)
        if len(data) != count:
            raise self.damaged(f"{what} ends after {len(data)} of its {count} bytes")
        return bytes(data)

    def read_into(self, stream: Any, array: np.ndarray, what: str) -> None:
        """Fill the fresh C-ordered ``array`` from ``stream`` in chunks, with no other copy."""
        view = array.reshape(-1).view(np.uint8).data
        done, total = 0, len(view)
        while done < total:
            chunk = stream.read(min(_CHUNK, total - done))[: total - done]
            if not chunk:
                raise self.damaged(f"{what} ends after {done} of its {total} bytes")
            view[done : done + len(chunk)] = chunk
            done += len(chunk)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice")
        result[key] = value
    return result
