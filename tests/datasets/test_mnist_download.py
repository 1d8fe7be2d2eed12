"""Downloads without network: file:// mirrors and fake responses. Checks the SHA-256 test,
mirror fallback, atomic writes (nothing left behind on failure) and never re-downloading."""

from __future__ import annotations

import io
import os
import re
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from tinygrad_fr.datasets import (
    CHECKSUMS_FILE,
    MNIST_FILES,
    MNIST_SHA256,
    DownloadError,
    download_file,
    download_mnist,
    load_mnist,
    mnist_dir,
    sha256_file,
)
from tinygrad_fr.datasets import mnist as mnist_module

GZ_NAMES = [f"{name}.gz" for name in MNIST_FILES.values()]
DOWNLOADED = sorted([*GZ_NAMES, CHECKSUMS_FILE])  # the files, and the record of their digests


@pytest.fixture
def mirror(tmp_path, write_mnist) -> tuple[str, dict[str, str]]:
    """A local mirror folder of the tiny gz files: its file:// URL and their SHA-256."""
    folder = write_mnist(tmp_path / "mirror")
    return folder.as_uri() + "/", {name: sha256_file(folder / name) for name in GZ_NAMES}


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything tries to open a URL."""

    def refuse(*args, **kwargs):
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def test_official_checksums_are_sha256_of_the_four_files():
    assert sorted(MNIST_SHA256) == sorted(GZ_NAMES)
    assert all(re.fullmatch("[0-9a-f]{64}", digest) for digest in MNIST_SHA256.values())


def test_download_mnist_fetches_verified_files(tmp_path, mirror):
    url, checksums = mirror
    folder = download_mnist(tmp_path / "dest", mirrors=[url], checksums=checksums, progress=False)
    assert sorted(p.name for p in folder.iterdir()) == DOWNLOADED
    assert all(sha256_file(folder / name) == checksums[name] for name in GZ_NAMES)
    recorded = (folder / CHECKSUMS_FILE).read_text().splitlines()
    assert recorded == [f"{checksums[name]}  {name}" for name in sorted(GZ_NAMES)]


def test_load_mnist_download_uses_cache_once(monkeypatch, mirror, tiny_mnist):
    url, checksums = mirror
    monkeypatch.setattr(mnist_module, "MNIST_MIRRORS", (url,))
    monkeypatch.setattr(mnist_module, "MNIST_SHA256", checksums)
    splits = load_mnist(download=True)
    np.testing.assert_array_equal(splits.y_test, tiny_mnist["y_test"])
    assert sorted(p.name for p in mnist_dir().iterdir()) == DOWNLOADED

    def refuse(*args, **kwargs):
        raise AssertionError("downloaded again")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    np.testing.assert_array_equal(load_mnist(download=True).y_test, tiny_mnist["y_test"])


def test_present_files_are_never_downloaded(tmp_path, write_mnist, no_network):
    folder = write_mnist(tmp_path / "have", gz=False)
    assert download_mnist(folder, progress=False) == folder
    assert load_mnist(folder, download=True).x_train.shape == (20, 784)


def test_only_missing_files_are_downloaded(tmp_path, write_mnist, mirror):
    url, checksums = mirror
    folder = write_mnist(tmp_path / "partial", gz=False, skip=("x_test",))
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    download_mnist(folder, mirrors=[url], checksums=checksums, progress=False)
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert set(after) - set(before) == {"t10k-images-idx3-ubyte.gz", CHECKSUMS_FILE}
    assert all(after[name] == stamp for name, stamp in before.items())


def test_sha256_mismatch_raises_and_leaves_nothing(tmp_path, mirror):
    url, checksums = mirror
    wrong = dict(checksums, **{"train-images-idx3-ubyte.gz": "0" * 64})
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError, match="SHA-256 mismatch") as info:
        download_mnist(dest, mirrors=[url], checksums=wrong, progress=False)
    assert "train-images-idx3-ubyte.gz" in str(info.value)
    assert list(dest.iterdir()) == []


def test_falls_back_to_next_mirror(tmp_path, mirror):
    url, checksums = mirror
    dead = (tmp_path / "dead").as_uri() + "/"
    mirrors = [dead, url]
    folder = download_mnist(tmp_path / "d", mirrors=mirrors, checksums=checksums, progress=False)
    assert sorted(p.name for p in folder.iterdir()) == DOWNLOADED


def test_error_lists_every_mirror(tmp_path):
    urls = [(tmp_path / name).as_uri() + "/f" for name in ("one", "two")]
    with pytest.raises(DownloadError) as info:
        download_file(urls, tmp_path / "out" / "f", progress=False)
    assert all(url in str(info.value) for url in urls)
    assert "no file was written" in str(info.value)
    assert list((tmp_path / "out").iterdir()) == []


class FakeResponse(io.BytesIO):
    """An HTTP response that announces ``length`` bytes and may fail after the first chunk."""

    def __init__(self, data: bytes, length: int, fail: BaseException | None = None):
        super().__init__(data)
        self.headers = {"Content-Length": str(length)}
        self.fail = fail

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if self.fail is not None and self.tell() >= len(self.getvalue()):
            raise self.fail
        return chunk


def serve(monkeypatch, response: FakeResponse) -> None:
    monkeypatch.setattr(urllib.request, "urlopen", lambda *args, **kwargs: response)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (FakeResponse(b"x" * 10, 100), DownloadError),
        (FakeResponse(b"x" * 10, 10, ConnectionResetError("reset")), DownloadError),
        (FakeResponse(b"x" * 10, 10, KeyboardInterrupt()), KeyboardInterrupt),
    ],
    ids=["short", "connection-lost", "interrupted"],
)
def test_failed_transfer_leaves_no_file(monkeypatch, tmp_path, response, error):
    serve(monkeypatch, response)
    with pytest.raises(error):
        download_file("https://example.invalid/f", tmp_path / "f", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_progress_bar_on_stderr(monkeypatch, tmp_path, capsys):
    data = bytes(range(256)) * 1000
    serve(monkeypatch, FakeResponse(data, len(data)))
    path = download_file("https://example.invalid/f.gz", tmp_path / "f.gz")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "f.gz [" in captured.err and "100%" in captured.err
    assert captured.err.endswith("\n")
    assert path.read_bytes() == data


def test_download_file_checks_hash(monkeypatch, tmp_path):
    data = b"payload"
    serve(monkeypatch, FakeResponse(data, len(data)))
    digest = sha256_file(Path(__file__))
    with pytest.raises(DownloadError, match=f"expected {digest}"):
        download_file("https://example.invalid/p", tmp_path / "p", sha256=digest, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_partial_files_of_killed_downloads_are_removed_later(monkeypatch, tmp_path):
    old, fresh = tmp_path / ".f.abc123.part", tmp_path / ".f.def456.part"
    for part in (old, fresh):
        part.write_bytes(b"half a file")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    data = b"payload"
    serve(monkeypatch, FakeResponse(data, len(data)))
    download_file("https://example.invalid/f", tmp_path / "f", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [fresh.name, "f"]
