"""The ``.npz`` format: a zip of ``.npy`` arrays, read member by member within a byte budget.

tg.save's ``.npz`` holds every array as ``a0.npy``, ``a1.npy``... and the JSON structure as
``__meta__.npy`` (uint8 bytes). :class:`NpzReader` opens any ``.npz`` (the MNIST loader uses it
too): sizes declared by the zip directory are charged before any member is inflated, members
are read through bounded streams, and every zip, zlib or I/O failure becomes the file's error.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from .limits import JSON_COST, FileFormatError, Source, shorten
from .npy import read_npy
from .structure import Decoder, Encoder, check_structure, structure_text

META = "__meta__"

# What a damaged zip can raise from zipfile, zlib or the file underneath.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OverflowError,
    struct.error,
)
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_DIRECTORY_COST = 16  # bytes of memory zipfile spends per byte of the zip's central directory
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"


def encode_npz(obj: Any) -> Callable[[IO[bytes]], None]:
    """Encode ``obj`` now (so a TypeError comes before any file exists); return the writer."""
    encoder = Encoder(lambda keys: f"a{len(encoder.arrays)}")
    root = encoder.encode(obj)
    arrays = dict(encoder.arrays)
    arrays[META] = np.frombuffer(structure_text(root).encode("utf-8"), dtype=np.uint8)
    return lambda file: np.savez(file, allow_pickle=False, **arrays)


def load_npz(file: IO[bytes], source: Source) -> Any:
    """Read what :func:`save_npz` wrote; any other ``.npz`` is refused by name."""
    with NpzReader(file, source) as archive:
        if META not in archive.members:
            raise source.error(
                f"was not written by tg.save (no {META!r} entry; a PyTorch .pt file cannot be "
                "read either)",
                "save it with tg.save(state_dict, path)",
            )
        if archive.others:
            raise source.damaged(
                f"it holds {shorten(archive.others[0])}, which is not a .npy array"
            )
        cost = {name: JSON_COST if name == META else 1 for name in archive.members}
        archive.charge(cost)
        meta = archive.read(META)
        if meta.dtype != np.uint8 or meta.ndim != 1:
            raise source.damaged(f"{META!r} is {meta.dtype} {meta.shape}, not JSON bytes")
        structure = check_structure(source.parse_json(meta.tobytes(), f"{META!r}"), source)
        return Decoder(archive.read, source).decode(structure["root"])


class NpzReader:
    """An open ``.npz``: ``members`` maps array names (without ``.npy``) to zip entries.

    Only stored and deflate members are read (what ``np.savez`` and ``np.savez_compressed``
    write); encrypted or other compression is refused. Use as a context manager.
    """

    def __init__(self, file: IO[bytes], source: Source) -> None:
        self.source = source
        source.charge(_directory_size(file, source) * _DIRECTORY_COST, "the zip directory")
        try:
            self.zip = zipfile.ZipFile(file)
            infos = self.zip.infolist()
        except _ZIP_ERRORS as error:
            raise source.damaged(f"it is not a readable zip file ({error})") from None
        self.members: dict[str, zipfile.ZipInfo] = {}
        self.others: list[str] = []
        for info in infos:
            if info.filename.endswith(".npy"):
                self.members[info.filename[: -len(".npy")]] = info
            else:
                self.others.append(info.filename)

    def __enter__(self) -> NpzReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def charge(self, cost: dict[str, int]) -> None:
        """Count the declared sizes of the members in ``cost`` (times their factor), up front."""
        total = sum(self.members[name].file_size * factor for name, factor in cost.items())
        count = f"{len(cost)} member" + ("s" if len(cost) > 1 else "")
        self.source.charge(total, f"{count} as the zip directory declares them")

    def read(self, name: str) -> np.ndarray:
        """Read array ``name``; the caller charged its size with :meth:`charge` first."""
        info = self.members.get(name)
        if info is None:
            raise self.source.damaged(f"the array {shorten(name)} it refers to is missing")
        if info.flag_bits & 0x1:
            raise self.source.damaged(f"member {info.filename!r} is encrypted")
        if info.compress_type not in _METHODS:
            raise self.source.error(
                f"stores member {info.filename!r} with zip compression method "
                f"{info.compress_type}; only stored and deflate members are read",
                "write the file with np.savez or np.savez_compressed",
            )
        try:
            with self.zip.open(info) as stream:
                return read_npy(stream, info.file_size, self.source, info.filename)
        except FileFormatError:
            raise
        except _ZIP_ERRORS as error:
            raise self.source.damaged(f"member {info.filename!r}: {error}") from None


def _directory_size(file: IO[bytes], source: Source) -> int:
    """Size of the zip's central directory, read from its end record before zipfile parses it.

    Returns 0 when no end record is found; zipfile then reports the file as not a zip.
    """
    try:
        start = file.tell()
        try:
            size, length = _end_record(file, start)
        finally:
            file.seek(start)
    except _ZIP_ERRORS as error:
        raise source.damaged(f"it cannot be read as a zip file ({error})") from None
    return min(size, length)


def _end_record(file: IO[bytes], start: int) -> tuple[int, int]:
    """(directory size the end record declares, file length), or (0, length) if there is none."""
    length = file.seek(0, 2) - start
    file.seek(start + max(0, length - (1 << 16) - 22))
    tail = file.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) < at + 22:
        return 0, length
    size = struct.unpack_from("<L", tail, at + 12)[0]
    if size == 0xFFFFFFFF and at >= 20 and tail[at - 20 : at - 16] == _EOCD64_LOCATOR:
        # zip64 (over 65,535 members or 4 GiB): the size is in the zip64 end record.
        (record,) = struct.unpack_from("<Q", tail, at - 12)
        file.seek(start + record)
        head = file.read(48)
        size = struct.unpack_from("<Q", head, 40)[0] if head[:4] == b"PK\x06\x06" else length
    return size, length
