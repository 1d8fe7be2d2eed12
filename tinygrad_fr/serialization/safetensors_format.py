"""The ``.safetensors`` format: 8-byte header length, a JSON header, then raw little-endian data.

Writing goes through the ``safetensors`` library, so the files are exactly what PyTorch, JAX
and the model hubs read: each Tensor is stored flat under its state-dict key ("0.weight";
nested keys joined by dots). The header's ``__metadata__`` (a string-to-string map in the
format) holds ``"format": "pt"`` (PyTorch's layout, which the Hugging Face loaders expect) and,
under ``"tinygrad_fr"``, the JSON structure with the nesting, the non-tensor values, the format
version and a CRC-32 of each tensor. Reading validates the whole header (sizes, dtypes,
offsets) before allocating, then fills fresh arrays straight from the file.
"""

from __future__ import annotations

import math
import struct
import zlib
from typing import IO, Any

import numpy as np
import safetensors.numpy

from .limits import JSON_COST, Source, human_bytes, shorten
from .npy import numeric_dtype
from .structure import FORMAT, Decoder, Encoder, as_tensor, check_structure, structure_text

MAX_HEADER = 100_000_000
"""Largest header read, in bytes: the limit of the safetensors reference implementation."""

METADATA = "__metadata__"

# The safetensors dtypes that NumPy holds, and those it cannot (a clear error, not a crash).
DTYPES = {
    "BOOL": np.dtype("|b1"),
    "U8": np.dtype("|u1"),
    "I8": np.dtype("|i1"),
    "U16": np.dtype("<u2"),
    "I16": np.dtype("<i2"),
    "U32": np.dtype("<u4"),
    "I32": np.dtype("<i4"),
    "U64": np.dtype("<u8"),
    "I64": np.dtype("<i8"),
    "F16": np.dtype("<f2"),
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
}
_STORED_AS_IS = {dtype.newbyteorder("=") for dtype in DTYPES.values()} | set(DTYPES.values())
_CODES = {dtype: code for code, dtype in DTYPES.items()}
_CHECK = f"{FORMAT}.crc32"  # the metadata entry holding the CRC-32 of the structure text


def encode_safetensors(obj: Any) -> bytes:
    """Return the ``.safetensors`` bytes of ``obj`` (a state dict, or any value tg.save takes).

    Arrays of dtypes safetensors lacks (complex, big-endian) are stored as their raw bytes
    (``U8``), with their dtype and shape in the structure. The structure lists each tensor's
    dtype, shape and CRC-32, and carries a CRC-32 of its own, so tg.load notices any change.
    """
    encoder = Encoder(_Names())
    root = encoder.encode(obj)
    tensors: dict[str, np.ndarray] = {}
    raw: dict[str, list[Any]] = {}
    listed: dict[str, list[Any]] = {}
    for name, array in encoder.arrays.items():
        array = array if array.flags.c_contiguous else array.copy(order="C")
        if array.dtype not in _STORED_AS_IS:
            raw[name] = [array.dtype.str, list(array.shape)]
            array = array.reshape(-1).view(np.uint8)
        code = _CODES[array.dtype.newbyteorder("<")]
        listed[name] = [zlib.crc32(_bytes_of(array)), code, list(array.shape)]
        tensors[name] = array
    structure = structure_text(root, tensors=listed, raw=raw)
    metadata = {"format": "pt", FORMAT: structure, _CHECK: str(zlib.crc32(structure.encode()))}
    return safetensors.numpy.save(tensors, metadata=metadata)


def load_safetensors(stream: IO[bytes], size: int, source: Source) -> Any:
    """Read a ``.safetensors`` file of ``size`` bytes: what tg.save wrote comes back whole,
    any other file (from PyTorch, say) as a dict of Tensors under the file's keys."""
    length = struct.unpack("<Q", source.read_exact(stream, 8, "the header length"))[0]
    if length > size - 8:
        raise source.damaged(
            f"its header length is {length} bytes, but the file has only {size - 8} after it"
        )
    if length > MAX_HEADER:
        raise source.damaged(f"its header of {human_bytes(length)} is over the 100 MB limit")
    source.charge(length * JSON_COST, "the safetensors header")
    try:
        text = source.read_exact(stream, length, "the header").decode("utf-8")
    except UnicodeDecodeError as error:
        raise source.damaged(f"its header is not UTF-8 text ({error})") from None
    header = source.parse_json(text, "its header", unique_keys=True) if text[:1] == "{" else None
    if not isinstance(header, dict):
        raise source.damaged("its header is not a JSON object")
    metadata = header.pop(METADATA, None)
    entries = sorted(_entry(name, info, source) for name, info in header.items())
    _check_layout(entries, size - 8 - length, source)
    source.charge(size - 8 - length, f"the data of {len(entries)} tensor(s)")
    arrays: dict[str, np.ndarray] = {}
    for _, _, name, dtype, shape in entries:
        arrays[name] = np.empty(shape, dtype)
        source.read_into(stream, arrays[name], f"tensor {name!r}")
    structure = _structure(metadata, source)
    if structure is None:
        return {name: as_tensor(arrays[name]) for name in header}
    arrays = _restore(arrays, structure, source)

    def read_array(name: str) -> np.ndarray:
        if name not in arrays:
            raise source.damaged(f"the tensor {shorten(name)} it refers to is missing")
        return arrays[name]

    return Decoder(read_array, source).decode(structure["root"])


class _Names:
    """Names tensors by their key path ('model.0.weight'), each name used once."""

    def __init__(self) -> None:
        self.used: set[str] = {METADATA}

    def __call__(self, keys: tuple[Any, ...]) -> str:
        base = ".".join(str(key) for key in keys) or "tensor"
        name, count = base, 1
        while name in self.used:
            count += 1
            name = f"{base}#{count}"
        self.used.add(name)
        return name


def _bytes_of(array: np.ndarray) -> memoryview:
    return array.reshape(-1).view(np.uint8).data


def _entry(name: str, info: Any, source: Source) -> tuple[int, int, str, np.dtype, tuple]:
    """Check one tensor's header entry: (begin, end, name, dtype, shape)."""
    where = f"the header entry of tensor {shorten(name)}"
    if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
        raise source.damaged(f"{where} lacks dtype, shape or data_offsets")
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if not isinstance(code, str) or code not in DTYPES:
        raise source.error(
            f"holds tensor {shorten(name)} of dtype {shorten(code)}, which NumPy cannot hold "
            f"(tg.load reads "
            f"{', '.join(DTYPES)})",
            "convert it before saving, e.g. tensor.float() in PyTorch for bfloat16 or float8",
        )
    if not _ints(shape, 64) or not _ints(offsets, 2) or len(offsets) != 2:
        raise source.damaged(
            f"{where} has a bad shape {shorten(shape)} or data_offsets {shorten(offsets)}"
        )
    if offsets[1] < offsets[0]:
        raise source.damaged(f"{where} ends (byte {offsets[1]}) before it starts ({offsets[0]})")
    return offsets[0], offsets[1], name, DTYPES[code], tuple(shape)


def _ints(values: Any, most: int) -> bool:
    return (
        isinstance(values, list)
        and len(values) <= most
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in values)
    )


def _check_layout(entries: list[tuple], data_size: int, source: Source) -> None:
    """Tensors must tile the data exactly, in order, each as long as its dtype and shape say."""
    position = 0
    for begin, end, name, dtype, shape in entries:
        if begin != position:
            raise source.damaged(
                f"tensor {shorten(name)} starts at byte {begin} of the data, not {position} "
                "where the previous one ends (tensors overlap or leave a gap)"
            )
        nbytes = math.prod(shape) * dtype.itemsize
        if end - begin != nbytes:
            raise source.damaged(
                f"tensor {shorten(name)} of shape {shorten(shape)} and dtype {dtype} needs "
                f"{human_bytes(nbytes)}, its data_offsets give {end - begin} bytes"
            )
        position = end
    if position != data_size:
        problem = "is truncated" if position > data_size else "has bytes past its last tensor"
        raise source.damaged(
            f"it {problem}: the tensors cover {position} bytes of data, the file holds {data_size}"
        )


def _structure(metadata: Any, source: Source) -> dict[str, Any] | None:
    """tg.save's structure from ``__metadata__``, or None if another program wrote the file."""
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in metadata.items()
    ):
        raise source.damaged(f"its {METADATA!r} is not a map of strings to strings")
    if FORMAT not in metadata and _CHECK not in metadata:
        return None
    text = metadata.get(FORMAT, "")
    if metadata.get(_CHECK) != str(zlib.crc32(text.encode("utf-8", "surrogatepass"))):
        raise source.damaged("its structure description fails its CRC-32 check")
    structure = check_structure(source.parse_json(text, "its structure"), source)
    if not isinstance(structure.get("tensors"), dict) or not isinstance(structure.get("raw"), dict):
        raise source.damaged("its structure lacks the 'tensors' or 'raw' table")
    return structure


def _restore(
    arrays: dict[str, np.ndarray], structure: dict[str, Any], source: Source
) -> dict[str, np.ndarray]:
    """Check every tensor against the structure's list (dtype, shape, CRC-32), then view
    raw-byte tensors as the dtype and shape they were saved with."""
    listed = structure["tensors"]
    if set(listed) != set(arrays):
        odd = sorted(set(listed) ^ set(arrays))[0]
        raise source.damaged(
            f"the tensor {shorten(odd)} is in its header or its structure, not both"
        )
    for name, array in arrays.items():
        expected = [zlib.crc32(_bytes_of(array)), _CODES[array.dtype], list(array.shape)]
        if listed[name] != expected:
            raise source.damaged(
                f"tensor {shorten(name)} does not match its description (dtype, shape or CRC-32): "
                "its data or header changed"
            )
    for name, saved in structure["raw"].items():
        stored = arrays.get(name)
        if stored is None or stored.dtype != np.uint8 or not isinstance(saved, list):
            raise source.damaged(f"the raw tensor {shorten(name)} is missing or not bytes")
        if len(saved) != 2 or not _ints(saved[1], 64):
            raise source.damaged(
                f"the raw tensor {shorten(name)} has a bad description {shorten(saved)}"
            )
        dtype = numeric_dtype(saved[0], source, f"tensor {shorten(name)}")
        if math.prod(saved[1]) * dtype.itemsize != stored.size:
            raise source.damaged(
                f"the raw tensor {shorten(name)} does not fit shape {shorten(saved[1])}"
            )
        arrays[name] = stored.view(dtype).reshape(saved[1])
    return arrays
