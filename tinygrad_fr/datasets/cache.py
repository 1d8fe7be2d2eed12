"""Where downloaded data sets live on disk, and the checksums that vouch for them.

The root is ``~/.cache/tinygrad_fr``, or the folder named by the environment variable
``TINYGRAD_FR_DATA``; each data set has a sub-folder (``mnist/``). A folder's ``SHA256SUMS``
records the SHA-256 of every file downloaded into it, checked again before each use.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..serialization.atomic import atomic_write
from ..serialization.limits import FileFormatError
from .download import sha256_file

DATA_ENV_VAR = "TINYGRAD_FR_DATA"
"""Environment variable that replaces the default data root ``~/.cache/tinygrad_fr``."""


def data_home() -> Path:
    """Return the data root: ``$TINYGRAD_FR_DATA`` if set and non-empty, else the default.

    The default is ``~/.cache/tinygrad_fr``. The variable is read at each call, so setting it
    later in a program takes effect.
    """
    override = os.environ.get(DATA_ENV_VAR)
    if override:
        return Path(override).expanduser()
    return Path.home() / ".cache" / "tinygrad_fr"


def dataset_dir(name: str) -> Path:
    """Return ``data_home() / name``, the cache folder of one data set (not created)."""
    return data_home() / name


CHECKSUMS_FILE = "SHA256SUMS"
"""File of a data set folder recording the SHA-256 of each file downloaded into it."""

_MAX_CHECKSUMS_BYTES = 1 << 20
_LINE = re.compile(r"([0-9a-f]{64}) [ *](\S(?:.*\S)?)")


def read_checksums(folder: Path) -> dict[str, str]:
    """Return the digests recorded in ``folder/SHA256SUMS`` (``sha256sum`` format), by name.

    Raises:
        FileFormatError: if the file is larger than 1 MiB or a line is not ``<digest>  <name>``.
    """
    path = folder / CHECKSUMS_FILE
    try:
        with open(path, "rb") as file:
            content = file.read(_MAX_CHECKSUMS_BYTES + 1)
    except FileNotFoundError:
        return {}
    if len(content) > _MAX_CHECKSUMS_BYTES:
        raise _bad_list(path, "is over 1 MiB, too large for a list of checksums")
    digests = {}
    for number, line in enumerate(content.decode("utf-8", "replace").splitlines(), 1):
        match = _LINE.fullmatch(line)
        if match is None:
            raise _bad_list(path, f"has a line {number} that is not '<sha256>  <file name>'")
        digests[match[2]] = match[1]
    return digests


def record_checksum(folder: Path, name: str, digest: str) -> None:
    """Record ``digest`` as the SHA-256 of ``folder/name`` in ``folder/SHA256SUMS`` (atomically)."""
    digests = read_checksums(folder)
    digests[name] = digest.lower()
    text = "".join(f"{value}  {key}\n" for key, value in sorted(digests.items()))
    atomic_write(folder / CHECKSUMS_FILE, lambda file: file.write(text.encode()), "download")


def verify_file(path: Path, expected: str, who: str, fix: str) -> None:
    """Refuse ``path`` unless its SHA-256 is ``expected``; ``fix`` says how to get a good copy."""
    got = sha256_file(path)
    if got != expected.lower():
        raise FileFormatError(
            f"{who}: {str(path)!r} does not match its SHA-256 (expected {expected.lower()}, got "
            f"{got}): the file was changed or damaged since it was downloaded. Fix: {fix}",
            str(path),
        )


def _bad_list(path: Path, problem: str) -> FileFormatError:
    return FileFormatError(
        f"load_mnist: {str(path)!r} {problem}. Fix: delete it and the files it lists, then "
        "download them again (load_mnist(download=True) writes it anew)",
        str(path),
    )
