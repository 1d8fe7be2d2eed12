"""Fuzz: saved files of both formats and dataset files (IDX, gzip, npz), corrupted and truncated
by Hypothesis. Whatever the damage, reading gives the library's FileFormatError naming the file,
or the data; the very data that was saved, for every format that carries checksums (all but
plain IDX). Any other exception fails the test.

The default profile runs 25 examples per target. For a long run, set TINYGRAD_FR_FUZZ_EXAMPLES
(e.g. 4000) and TINYGRAD_FR_FUZZ_REPORT=1 to print how often each outcome occurred.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_fr as tg
from tinygrad_fr import nn
from tinygrad_fr.datasets import load_mnist, read_idx, write_idx
from tinygrad_fr.serialization import FileFormatError

EXAMPLES = int(os.environ.get("TINYGRAD_FR_FUZZ_EXAMPLES", "0"))
OUTCOMES: Counter[tuple[str, str]] = Counter()

# Labels for the outcome counts: the first phrase found in a message's problem picks one.
KINDS = [("max_bytes", "max_bytes"), ("pickle", "pickled"), ("not numbers", "not numbers"),
         ("dtype", "dtype"), ("CRC-32", "CRC"), ("edited", "does not match its description"),
         ("not a tg.save file", "not a tg.save file"), ("foreign zip", "not written by tg.save"),
         ("JSON", "JSON"), ("structure", "structure"), ("gzip", "gzip"), ("zip", "zip"),
         ("npy header", ".npy"), ("header", "header"), ("magic", "magic"),
         ("data size", "bytes of data"), ("short read", "ends after"), ("tensor", "tensor"),
         ("member", "member"), ("missing arrays", "lacks the arrays"),
         ("dimensions", "dimensions"), ("other", "")]  # fmt: skip


def checkpoint() -> Any:
    _ = tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    optimizer = tg.optim.Adam(model.parameters())
    nn.functional.mse_loss(model(tg.randn(5, 3)), tg.randn(5, 2)).backward()
    optimizer.step()
    return {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3,
            "history": [0.5, 0.25], "note": "lab 5", "complex": np.array([1 + 2j])}  # fmt: skip


def saved(suffix: str) -> bytes:
    buffer = io.BytesIO()
    buffer.name = f"checkpoint{suffix}"
    tg.save(checkpoint(), buffer)
    return buffer.getvalue()


def idx_file(gz: bool) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("images-idx3-ubyte" + (".gz" if gz else ""))
        write_idx(path, np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28))
        return path.read_bytes()


def mnist_npz(compressed: bool) -> bytes:
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
              "y_train": rng.integers(0, 10, 4, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
              "y_test": rng.integers(0, 10, 2, dtype=np.uint8)}  # fmt: skip
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


# target -> (valid content, file name, reader); plain IDX has no checksum to notice changed data
UNCHECKED = {"IDX"}
TARGETS: dict[str, tuple[bytes, str, Callable[[Path], Any]]] = {
    "tg.save .safetensors": (saved(".safetensors"), "fuzzed.safetensors", tg.load),
    "tg.save .npz": (saved(".npz"), "fuzzed.npz", tg.load),
    "IDX": (idx_file(gz=False), "fuzzed-idx3-ubyte", read_idx),
    "IDX gzip": (idx_file(gz=True), "fuzzed-idx3-ubyte.gz", read_idx),
    "MNIST npz": (mnist_npz(compressed=False), "mnist.npz", load_mnist),
    "MNIST npz deflate": (mnist_npz(compressed=True), "mnist.npz", load_mnist),
}


@st.composite
def damaged(draw: st.DrawFn, content: bytes) -> bytes:
    """``content`` truncated, or with bits flipped, bytes replaced, inserted, deleted or copied
    from elsewhere; positions favour the first and last bytes, where the headers are."""
    data = bytearray(content)
    if draw(st.booleans()):
        return bytes(data[: draw(st.integers(0, len(data) - 1))])
    for _ in range(draw(st.integers(1, 4))):
        end = len(data) - 1
        at = draw(st.one_of(st.integers(0, min(end, 512)), st.integers(0, end),
                            st.integers(max(end - 256, 0), end)))  # fmt: skip
        action = draw(st.sampled_from(["flip", "byte", "insert", "delete", "copy"]))
        if action == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "byte":
            data[at] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            start = draw(st.integers(0, len(content) - 1))
            data[at : at + 8] = content[start : start + 8]
        if not data:
            break
    return bytes(data)


def kind_of(problem: str) -> str:
    return next(label for label, phrase in KINDS if phrase in problem)


def read_damaged(target: str, content: bytes) -> None:
    _, name, reader = TARGETS[target]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            result = reader(path)
        except FileFormatError as error:
            assert str(path) in str(error) and "Fix:" in str(error), str(error)
            problem = str(error).split(str(path), 1)[1].split(". Fix:")[0]
            OUTCOMES[(target, type(error).__name__ + ": " + kind_of(problem))] += 1
            return
    unchanged = same(result, ORIGINALS.setdefault(target, result))
    OUTCOMES[(target, "read, same data" if unchanged else "read, other data")] += 1
    assert unchanged or target in UNCHECKED, "changed data was read without an error"


ORIGINALS: dict[str, Any] = {}  # what each undamaged file reads as


def same(a: Any, b: Any) -> bool:
    """Deep equality of loaded values, with dtypes, requires_grad and NaN == NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, tg.Tensor):
        return a.requires_grad == b.requires_grad and same(a.numpy(), b.numpy())
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    return bool(a == b or (a != a and b != b))


def fuzz(target: str) -> Callable[..., None]:
    content = TARGETS[target][0]

    @given(damaged(content))
    def run(corrupted: bytes) -> None:
        read_damaged(target, corrupted)

    return settings(max_examples=EXAMPLES)(run) if EXAMPLES else run


@pytest.mark.parametrize("target", list(TARGETS))
def test_a_damaged_file_gives_the_data_or_a_clear_error(target: str) -> None:
    fuzz(target)()


@pytest.fixture(scope="module", autouse=True)
def originals() -> None:
    """Read every undamaged file first: what a damaged one reads as is compared with it."""
    for target, (content, _, _) in TARGETS.items():
        read_damaged(target, content)
        assert target in ORIGINALS and OUTCOMES[(target, "read, same data")] == 1


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    if os.environ.get("TINYGRAD_FR_FUZZ_REPORT"):
        print("\nfuzz outcomes (target, outcome, count):")
        for (target, outcome), count in sorted(OUTCOMES.items()):
            print(f"  {target:22} {outcome:48} {count}")
