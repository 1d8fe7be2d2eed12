"""Memory bombs (tests/bombs.py) run in a subprocess capped at 512 MB of address space: each
is refused with the library's error, naming the file, before the memory is spent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bombs import CASES

LIMIT_MB = 512
EXPECTED = {
    "npz 2 GiB array": ("FileTooLargeError", "needs 2.0 GiB for 2 members"),
    "npz 1 GiB JSON": ("FileTooLargeError", "needs 16.0 GiB for 1 member"),
    "npz npy header lies (2 GiB)": ("FileFormatError", "(2.0 GiB), but the member holds 64 B"),
    "npz zip size lies (1 MiB for 2 GiB)": ("FileFormatError", "but the member holds 1023.9 KiB"),
    "safetensors shape of 2 GiB": ("FileFormatError", "cover 2147483648 bytes of data, the file"),
    "safetensors header of 1 TiB": ("FileFormatError", "header length is 1099511627776 bytes"),
    "gzip IDX of 4 GiB, bad magic": ("FileFormatError", "unknown dtype code 0x00"),
    "gzip IDX of 2 GiB": ("FileTooLargeError", "needs 2.0 GiB for shape (2147483648,)"),
    "IDX header of 10**12 elements": ("FileFormatError", "needs 1000000000000 bytes of data"),
    "mnist.npz of 2 GiB": ("FileTooLargeError", "load_mnist(path, max_bytes="),
}


def test_every_bomb_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(CASES)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS caps memory on Linux only")
@pytest.mark.parametrize("case", list(CASES))
def test_a_bomb_is_refused_under_a_memory_cap(tmp_path: Path, case: str) -> None:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    script = Path(__file__).with_name("bombs.py")
    done = subprocess.run(
        [sys.executable, str(script), case, str(tmp_path), str(LIMIT_MB)],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    error, problem = EXPECTED[case]
    assert result["error"] == error, result
    assert problem in result["message"] and str(tmp_path) in result["message"], result
    assert "Fix:" in result["message"]
    assert result["file_bytes"] < 5_000_000 and result["peak_rss_mb"] < 200, result
