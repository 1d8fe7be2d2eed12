"""Download one file safely: mirrors tried in turn, SHA-256 checked, written atomically.

The bytes go to a temporary file in the destination folder, renamed with ``os.replace`` only
once complete and verified, so an interrupted or corrupted download leaves no file behind (the
partial file of a killed download is removed by a later download of the same file).
"""

from __future__ import annotations

import glob
import hashlib
import http.client
import os
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ..serialization.atomic import STALE_AFTER

_CHUNK = 1 << 16
_BAR_WIDTH = 30


class DownloadError(OSError):
    """No mirror gave the file, or what it gave failed the SHA-256 check."""


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hexadecimal SHA-256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _show_progress(stream: TextIO, name: str, done: int, total: int | None) -> None:
    """Redraw a one-line progress bar on ``stream``."""
    if total:
        filled = _BAR_WIDTH * done // total
        bar = "#" * filled + "." * (_BAR_WIDTH - filled)
        text = f"{name} [{bar}] {100 * done // total:3d}% {done / 1e6:.1f}/{total / 1e6:.1f} MB"
    else:
        text = f"{name} {done / 1e6:.1f} MB"
    stream.write("\r" + text)
    stream.flush()


def _remove_stale_parts(dest: Path) -> None:
    """Remove the partial files of downloads of ``dest`` killed over an hour ago."""
    now = time.time()
    for part in dest.parent.glob(f".{glob.escape(dest.name)}.*.part"):
        try:
            if now - part.stat().st_mtime > STALE_AFTER:
                part.unlink()
        except OSError:
            pass  # removed by another process first


def _fetch(url: str, dest: Path, sha256: str | None, progress: bool, timeout: float) -> None:
    """Download ``url`` to ``dest`` through a temporary file; raise ValueError on a bad hash."""
    request = urllib.request.Request(url, headers={"User-Agent": "tinygrad_fr"})
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            done, shown = 0, -1
            try:
                while chunk := resp.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    # Redraw only when the percentage changes, so the terminal is not flooded.
                    percent = 100 * done // total if total else done >> 20
                    if progress and percent != shown:
                        _show_progress(sys.stderr, dest.name, done, total)
                        shown = percent
            finally:
                if shown != -1:
                    sys.stderr.write("\n")
        if total is not None and done != total:
            raise ValueError(f"got {done} bytes, the server announced {total}")
        got = digest.hexdigest()
        if sha256 is not None and got != sha256.lower():
            raise ValueError(f"SHA-256 mismatch: got {got}, expected {sha256.lower()}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def download_file(
    urls: str | Sequence[str],
    dest: str | os.PathLike[str],
    *,
    sha256: str | None = None,
    progress: bool = True,
    timeout: float = 60.0,
) -> Path:
    """Download ``dest`` from the first of ``urls`` that gives a complete, verified file.

    Args:
        urls: one URL or mirrors to try in order (``https://``, ``http://`` or ``file://``).
        dest: the file to create; its folder is created if needed.
        sha256: expected hexadecimal SHA-256; a mismatch discards the file and tries the next URL.
        progress: draw a progress bar on stderr.
        timeout: seconds to wait for each connection or read.

    Raises:
        DownloadError: if every URL failed; the message lists each URL and why.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(dest)
    failures = []
    for url in [urls] if isinstance(urls, str) else urls:
        try:
            _fetch(url, dest, sha256, progress, timeout)
            return dest
        except (OSError, http.client.HTTPException, ValueError) as exc:
            failures.append(f"  {url}: {exc}")
    raise DownloadError(
        f"download_file: could not download {dest.name} to {dest.parent}; no file was written.\n"
        + "\n".join(failures)
        + "\nFix: check the network connection and retry, or fetch the file by other means "
        f"and put it at {dest}."
    )
