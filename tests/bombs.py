"""Memory bombs: small files that declare or inflate to gigabytes, and a runner for one case.

``python tests/bombs.py CASE FOLDER [LIMIT_MB]`` builds the case's file in FOLDER (in a few
megabytes of memory: a deflate stream of zeros is one 1 KiB block repeated), caps the address
space at LIMIT_MB (0: no cap), loads the file with the library's reader and prints one JSON
line: the error raised, its message, the file's size and the peak RSS of the process.
tests/test_memory_bombs.py runs every case this way.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

MIB = 1 << 20
ZEROS = bytes(MIB)
# Computing the CRC-32 of gigabytes takes a second per case. A reader could only meet a wrong
# CRC after inflating the whole member, so under the memory cap a bomb fails the same way with
# or without it; set BOMB_HONEST_CRC=1 to write files that unzip cleanly.
HONEST_CRC = os.environ.get("BOMB_HONEST_CRC") == "1"


def deflated(prefix: bytes, zero_mib: int) -> tuple[bytes, int, int]:
    """Raw deflate of ``prefix`` + ``zero_mib`` MiB of zeros: (stream, CRC-32, length)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(prefix + ZEROS) + compressor.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the compressor forgets its history, so every further MiB of zeros
    # compresses to the same block.
    block = compressor.compress(ZEROS) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = first + block * (zero_mib - 2) + compressor.compress(ZEROS) + compressor.flush()
    crc = 0
    if HONEST_CRC:
        crc = zlib.crc32(prefix)
        for _ in range(zero_mib):
            crc = zlib.crc32(ZEROS, crc)
    return stream, crc, len(prefix) + zero_mib * MIB


def npy_header(descr: str, shape: tuple[int, ...]) -> bytes:
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"
    text += " " * (-(len(text) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin-1")


def zip_file(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of deflated members: (name, deflate stream, CRC-32, size the zip declares)."""
    local, directory = b"", b""
    for name, stream, crc, size in members:
        fields = struct.pack("<HHHHHLLLHH", 20, 0, 8, 0, 0x21, crc, len(stream), size,
                             len(name), 0)  # fmt: skip
        directory += (
            b"PK\x01\x02" + struct.pack("<H", 20) + fields
            + struct.pack("<HHHLL", 0, 0, 0, 0, len(local)) + name.encode()
        )  # fmt: skip
        local += b"PK\x03\x04" + fields + name.encode() + stream
    end = struct.pack("<HHHHLLH", 0, 0, len(members), len(members), len(directory), len(local), 0)
    return local + directory + b"PK\x05\x06" + end


def gzip_file(prefix: bytes, zero_mib: int) -> bytes:
    stream, crc, size = deflated(prefix, zero_mib)
    header = b"\x1f\x8b\x08\x00" + bytes(4) + b"\x00\xff"
    return header + stream + struct.pack("<LL", crc, size % 2**32)


def meta(root: object) -> bytes:
    structure = {"format": "tinygrad_fr", "version": 1, "root": root}
    text = json.dumps(structure).encode()
    return npy_header("|u1", (len(text),)) + text


def small(name: str, content: bytes) -> tuple[str, bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = compressor.compress(content) + compressor.flush()
    return name, stream, zlib.crc32(content), len(content)


TENSOR = {"kind": "tensor", "array": "a0", "requires_grad": False}
GIB2 = 2048  # MiB


def npz_2_gib_array() -> bytes:
    header = npy_header("<f8", (GIB2 * MIB // 8,))
    return zip_file([small("__meta__.npy", meta(TENSOR)), ("a0.npy", *deflated(header, GIB2))])


def npz_1_gib_json() -> bytes:
    header = npy_header("|u1", (1024 * MIB,))
    return zip_file([("__meta__.npy", *deflated(header, 1024))])


def npz_lying_npy_header() -> bytes:
    content = npy_header("<f8", (GIB2 * MIB // 8,)) + bytes(64)
    return zip_file([small("__meta__.npy", meta(TENSOR)), small("a0.npy", content)])


def npz_lying_zip_size() -> bytes:
    stream, crc, _ = deflated(npy_header("<f8", (GIB2 * MIB // 8,)), GIB2)
    return zip_file([small("__meta__.npy", meta(TENSOR)), ("a0.npy", stream, crc, MIB)])


def mnist_npz_2_gib() -> bytes:
    count = 42 << 16  # 2,752,512 images of 784 bytes: 2058 MiB
    images = ("x_train.npy", *deflated(npy_header("|u1", (count, 28, 28)), count * 784 // MIB))
    labels = [small(f"{key}.npy", npy_header("|u1", (0,))) for key in ("y_train", "y_test")]
    return zip_file([images, *labels, small("x_test.npy", npy_header("|u1", (0, 28, 28)))])


def safetensors_huge_shape() -> bytes:
    header = json.dumps({"w": {"dtype": "F64", "shape": [2**28], "data_offsets": [0, 2**31]}})
    return struct.pack("<Q", len(header)) + header.encode()


def safetensors_huge_header() -> bytes:
    return struct.pack("<Q", 2**40) + b'{"w": {}}' + bytes(1000)


def gzip_idx_bad_magic() -> bytes:
    return gzip_file(b"", 4096)


def gzip_idx_2_gib() -> bytes:
    return gzip_file(struct.pack(">HBBI", 0, 0x08, 1, GIB2 * MIB), GIB2)


def idx_10_to_12_elements() -> bytes:
    return struct.pack(">HBBII", 0, 0x08, 2, 10**6, 10**6) + bytes(100)


def _load(path: Path) -> object:
    import tinygrad_fr as tg

    return tg.load(path)


def _read_idx(path: Path) -> object:
    from tinygrad_fr.datasets import read_idx

    return read_idx(path)


def _load_mnist(path: Path) -> object:
    from tinygrad_fr.datasets import load_mnist

    return load_mnist(path)


# case -> (builder, file name, reader)
CASES: dict[str, tuple[Callable[[], bytes], str, Callable[[Path], object]]] = {
    "npz 2 GiB array": (npz_2_gib_array, "bomb.npz", _load),
    "npz 1 GiB JSON": (npz_1_gib_json, "bomb.npz", _load),
    "npz npy header lies (2 GiB)": (npz_lying_npy_header, "bomb.npz", _load),
    "npz zip size lies (1 MiB for 2 GiB)": (npz_lying_zip_size, "bomb.npz", _load),
    "safetensors shape of 2 GiB": (safetensors_huge_shape, "bomb.safetensors", _load),
    "safetensors header of 1 TiB": (safetensors_huge_header, "bomb.safetensors", _load),
    "gzip IDX of 4 GiB, bad magic": (gzip_idx_bad_magic, "bomb-idx1-ubyte.gz", _read_idx),
    "gzip IDX of 2 GiB": (gzip_idx_2_gib, "bomb-idx1-ubyte.gz", _read_idx),
    "IDX header of 10**12 elements": (idx_10_to_12_elements, "bomb-idx2-ubyte", _read_idx),
    "mnist.npz of 2 GiB": (mnist_npz_2_gib, "mnist.npz", _load_mnist),
}


def run(case: str, folder: Path, limit_mb: int) -> dict[str, object]:
    """Build the case's file, cap the address space, read the file; describe what happened."""
    import resource  # POSIX only; imported here so that the module loads everywhere

    build, name, read = CASES[case]
    path = folder / name
    path.write_bytes(build())
    if limit_mb:
        limit = limit_mb * MIB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        read(path)
        error, message = None, ""
    except BaseException as caught:  # reported to the parent, which judges it
        error, message = type(caught).__name__, str(caught)
    return {"case": case, "error": error, "message": message, "file_bytes": os.path.getsize(path),
            "peak_rss_mb": round(peak_rss_mb(), 1)}  # fmt: skip


def peak_rss_mb() -> float:
    """This process's peak resident memory. On Linux, VmHWM: ru_maxrss would also count the
    parent's memory at fork time, which exec keeps in it."""
    try:
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / MIB if sys.platform == "darwin" else peak / 1024  # bytes on macOS


if __name__ == "__main__":
    print(
        json.dumps(
            run(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
        )
    )
