"""Atomic file replacement: write a temporary file beside the target, fsync, then os.replace.

A reader of the path sees the old file or the new one, never a mix. The temporary file's name
(``.<name>.<host>.<pid>.<token>.tmp``) tells which process wrote it, so the next write of the
same path removes the leftovers of writers that were killed. A symlink stays a symlink (its
target is replaced), an existing file keeps its permission bits, and every failure names the
path.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import stat
import time
import uuid
import zlib
from collections.abc import Callable
from typing import IO, Any

STALE_AFTER = 3600.0
"""Seconds after which a temporary file whose writer cannot be checked counts as abandoned."""

_NAME_IN_TEMP = 100  # characters of the target's name kept in a temporary name (NAME_MAX: 255)
_HOST = f"{zlib.crc32(socket.gethostname().encode()):08x}"
_FIXES = {
    errno.ENOSPC: "free some disk space (or save elsewhere) and save again",
    errno.EDQUOT: "free some of your disk quota (or save elsewhere) and save again",
    errno.EACCES: "check that you may write to that folder, or save elsewhere",
    errno.EPERM: "check that you may write to that folder, or save elsewhere",
    errno.EROFS: "the file system is read-only; save elsewhere",
    errno.ENOENT: "the folder does not exist; create it first (os.makedirs)",
    errno.EISDIR: "the path is a folder; give a file name inside it",
    errno.ENOTDIR: "a part of the path is a file, not a folder; check the path",
    errno.ENAMETOOLONG: "use a shorter file name",
}


def fspath(path: Any, who: str) -> str:
    """Return ``path`` (str, bytes or os.PathLike) as a str; a TypeError names anything else."""
    try:
        return os.fsdecode(os.fspath(path))
    except TypeError:
        raise TypeError(
            f"{who}: the path must be a str, bytes or os.PathLike (or a binary file object), "
            f"got {type(path).__name__}"
        ) from None


def atomic_write(path: Any, write: Callable[[IO[bytes]], object], who: str = "save") -> None:
    """Call ``write(file)`` on a temporary file, then make it ``path`` in one atomic rename.

    If ``write`` or anything after it fails, the existing file is untouched and the temporary
    file removed; an ``OSError`` is raised again with the path and a fix in its message.
    """
    given = fspath(path, who)
    target = os.path.realpath(given)  # through symlinks: the link keeps pointing at the target
    directory, name = os.path.split(target)
    remove_stale_temporaries(directory, name)
    temporary = os.path.join(directory, _temporary_name(name))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode) & 0o777
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise _naming(error, who, given) from error
    try:
        # 0o666 lets the umask decide a new file's permissions, as for a file opened with open().
        with os.fdopen(os.open(temporary, flags, 0o666), "wb") as file:
            if mode is not None:
                _keep_mode(file.fileno(), mode)
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        try:
            os.remove(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise _naming(error, who, given) from error
        raise
    _sync_directory(directory)


def remove_stale_temporaries(directory: str, name: str) -> list[str]:
    """Remove the temporary files of killed writers of ``directory/name``; return their names.

    A temporary file is removed when its writer ran on this host and is no longer running, or
    when it is older than :data:`STALE_AFTER` (a writer on another host, or version 0.1's names,
    which carry no process id). Files of running writers are left alone.
    """
    short = re.escape(name[:_NAME_IN_TEMP])
    ours = re.compile(rf"\.{short}\.([0-9a-f]{{8}})\.(\d+)\.[0-9a-f]{{16}}\.tmp")
    legacy = re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{32}}\.tmp")
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed  # the write that follows reports the real problem with the folder
    now = time.time()
    for entry in entries:
        match = ours.fullmatch(entry.name)
        if match is None and legacy.fullmatch(entry.name) is None:
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
            dead = match is not None and match[1] == _HOST and not _running(int(match[2]))
            if old or dead:
                os.remove(entry.path)
                removed.append(entry.name)
        except OSError:
            pass  # another writer removed it first, or it is not ours to remove
    return removed


def _temporary_name(name: str) -> str:
    return f".{name[:_NAME_IN_TEMP]}.{_HOST}.{os.getpid()}.{uuid.uuid4().hex[:16]}.tmp"


def _running(pid: int) -> bool:
    """Tell whether process ``pid`` exists (on Windows, where signal 0 would kill it: assume so)."""
    if os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or a pid this system cannot have: leave it
    return True


def _keep_mode(descriptor: int, mode: int) -> None:
    try:
        os.fchmod(descriptor, mode)
    except (AttributeError, OSError):
        pass  # no fchmod (Windows), or a file system without Unix permissions


def _sync_directory(directory: str) -> None:
    """Flush the rename to disk too; best effort, as not every system can open a folder."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _naming(error: OSError, who: str, path: str) -> OSError:
    """The same kind of OSError, with a message naming ``path`` and saying what to do."""
    fix = _FIXES.get(error.errno or -1, "check the path and the disk, then save again")
    reason = error.strerror or str(error)
    message = (
        f"{who}: could not write {path!r}: {reason}. Fix: {fix}; an existing file is unchanged"
    )
    if error.errno is not None:
        return OSError(error.errno, message, path)  # picks the subclass: PermissionError...
    try:
        return type(error)(message)
    except TypeError:  # a subclass that wants other arguments
        return OSError(message)
