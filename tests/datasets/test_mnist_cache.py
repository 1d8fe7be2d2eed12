"""The cache is checked before use: files downloaded there are compared with the SHA-256
recorded at download, other files there with the official digests, and unknown ones refused."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from tinygrad_fr.datasets import (
    CHECKSUMS_FILE,
    MNIST_FILES,
    MNIST_SHA256,
    FileFormatError,
    download_mnist,
    load_mnist,
    mnist_dir,
    read_checksums,
    sha256_file,
    write_idx,
)
from tinygrad_fr.datasets import mnist as mnist_module

GZ_NAMES = [f"{name}.gz" for name in MNIST_FILES.values()]
OFFICIAL = dict(MNIST_SHA256)


@pytest.fixture
def cached(tmp_path, write_mnist, monkeypatch):
    """Download the tiny files into the (isolated) cache from a local mirror, as a user would."""
    mirror = write_mnist(tmp_path / "mirror")
    checksums = {name: sha256_file(mirror / name) for name in GZ_NAMES}
    monkeypatch.setattr(mnist_module, "MNIST_MIRRORS", (mirror.as_uri() + "/",))
    monkeypatch.setattr(mnist_module, "MNIST_SHA256", checksums)
    download_mnist(progress=False)
    return mnist_dir()


def test_a_download_records_each_digest(cached):
    recorded = read_checksums(cached)
    assert sorted(recorded) == sorted(GZ_NAMES)
    assert all(recorded[name] == sha256_file(cached / name) for name in GZ_NAMES)
    assert load_mnist().x_train.shape == (20, 784)


def test_a_cached_file_changed_after_download_is_refused(cached, tiny_mnist):
    path = cached / "train-labels-idx1-ubyte.gz"
    content = bytearray(path.read_bytes())
    content[-10] ^= 0xFF
    path.write_bytes(bytes(content))
    with pytest.raises(FileFormatError) as info:
        load_mnist()
    message = str(info.value)
    assert str(path) in message and "does not match its SHA-256" in message
    assert "load_mnist(download=True)" in message


def test_a_cached_file_is_checked_against_the_official_digest(cached, monkeypatch):
    (cached / CHECKSUMS_FILE).unlink()
    monkeypatch.setattr(mnist_module, "MNIST_SHA256", OFFICIAL)
    with pytest.raises(FileFormatError, match="does not match its SHA-256"):
        load_mnist()  # the tiny files are not the official ones
    pretend = {name: sha256_file(cached / name) for name in GZ_NAMES}
    monkeypatch.setattr(mnist_module, "MNIST_SHA256", pretend)
    assert load_mnist().y_test.shape == (5,)


def test_an_unknown_file_in_the_cache_is_refused(cached, tiny_mnist):
    plain = cached / "t10k-labels-idx1-ubyte"  # a gunzipped copy, read before the .gz
    write_idx(plain, tiny_mnist["y_test"])
    with pytest.raises(FileFormatError, match="in the MNIST cache but has no known SHA-256"):
        load_mnist()


def test_a_copied_keras_npz_in_the_cache_must_be_the_official_one(tiny_mnist):
    cache = mnist_dir()
    cache.mkdir(parents=True)
    np.savez(cache / "mnist.npz", **tiny_mnist)
    with pytest.raises(FileFormatError, match=r"mnist\.npz' does not match its SHA-256"):
        load_mnist()


def test_a_folder_of_your_own_is_checked_only_where_it_lists_digests(tmp_path, cached):
    mine = tmp_path / "mine"
    shutil.copytree(cached, mine)
    (mine / CHECKSUMS_FILE).unlink()
    (mine / "t10k-labels-idx1-ubyte.gz").write_bytes(
        (cached / "train-labels-idx1-ubyte.gz").read_bytes()
    )
    with pytest.raises(ValueError, match=r"labels .*\(20,\) for 5 images"):
        load_mnist(mine)  # read as it is: the format checks still apply
    shutil.copy(cached / CHECKSUMS_FILE, mine / CHECKSUMS_FILE)
    with pytest.raises(FileFormatError, match=r"t10k-labels-idx1-ubyte\.gz' does not match"):
        load_mnist(mine)


@pytest.mark.parametrize("content", [b"not a checksum line\n", b"0" * (1 << 21)])
def test_a_damaged_checksum_list_is_refused_by_name(cached, content):
    (cached / CHECKSUMS_FILE).write_bytes(content)
    with pytest.raises(FileFormatError, match=CHECKSUMS_FILE) as info:
        load_mnist()
    assert str(cached / CHECKSUMS_FILE) in str(info.value)
