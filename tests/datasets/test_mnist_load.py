"""load_mnist on generated tiny data: IDX folders (plain, gz, mixed), npz files, the cache
folder and its environment variable, and the errors when data is missing or damaged."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_fr.datasets import (
    DATA_ENV_VAR,
    MNIST_FILES,
    Splits,
    data_home,
    get_mnist,
    load_mnist,
    mnist_available,
    mnist_dir,
    sha256_file,
    write_idx,
)
from tinygrad_fr.datasets.cache import record_checksum


def assert_same_as_raw(splits: Splits, raw: dict[str, np.ndarray]) -> None:
    for split in ("train", "test"):
        x, y = getattr(splits, f"x_{split}"), getattr(splits, f"y_{split}")
        expected = raw[f"x_{split}"].reshape(len(x), 784).astype(np.float32) / 255
        np.testing.assert_array_equal(x, expected)
        np.testing.assert_array_equal(y, raw[f"y_{split}"])


@pytest.mark.parametrize("gz", [True, False])
def test_loads_idx_folder(tmp_path, write_mnist, tiny_mnist, gz):
    splits = load_mnist(write_mnist(tmp_path / "m", gz=gz))
    assert isinstance(splits, Splits)
    assert splits.x_train.shape == (20, 784) and splits.x_test.shape == (5, 784)
    assert splits.x_train.dtype == np.float32 and splits.y_train.dtype == np.int64
    assert 0.0 <= splits.x_train.min() and splits.x_train.max() <= 1.0
    assert_same_as_raw(splits, tiny_mnist)


def test_loads_mixed_plain_and_gz(tmp_path, write_mnist, tiny_mnist):
    folder = write_mnist(tmp_path, gz=True, skip=("y_test",))
    write_idx(folder / MNIST_FILES["y_test"], tiny_mnist["y_test"])
    assert_same_as_raw(load_mnist(folder), tiny_mnist)


def test_options_raw_unflattened_one_hot(tmp_path, write_mnist, tiny_mnist):
    splits = load_mnist(write_mnist(tmp_path), normalize=False, flatten=False, one_hot=True)
    np.testing.assert_array_equal(splits.x_train, tiny_mnist["x_train"])
    assert splits.x_train.dtype == np.uint8 and splits.x_test.shape == (5, 28, 28)
    assert splits.y_train.shape == (20, 10) and splits.y_train.dtype == np.float32
    np.testing.assert_array_equal(splits.y_train.argmax(1), tiny_mnist["y_train"])


def test_loads_keras_npz_file(tmp_path, tiny_mnist):
    np.savez_compressed(tmp_path / "mnist.npz", **tiny_mnist)
    assert_same_as_raw(load_mnist(tmp_path / "mnist.npz"), tiny_mnist)


def test_loads_npz_found_in_folder(tmp_path, tiny_mnist):
    np.savez(tmp_path / "mnist.npz", **tiny_mnist)
    assert mnist_available(tmp_path)
    assert_same_as_raw(load_mnist(tmp_path), tiny_mnist)


def test_npz_with_scaled_flat_images_and_one_hot_labels(tmp_path, tiny_mnist):
    converted = {
        "x_train": tiny_mnist["x_train"].reshape(20, 784) / 255.0,
        "y_train": np.eye(10)[tiny_mnist["y_train"]],
        "x_test": tiny_mnist["x_test"].astype(np.int64),
        "y_test": tiny_mnist["y_test"].astype(np.int32),
    }
    np.savez(tmp_path / "other.npz", **converted)
    assert_same_as_raw(load_mnist(tmp_path / "other.npz"), tiny_mnist)


def test_npz_missing_arrays(tmp_path, tiny_mnist):
    np.savez(tmp_path / "mnist.npz", x_train=tiny_mnist["x_train"], y_train=tiny_mnist["y_train"])
    with pytest.raises(ValueError, match=r"load_mnist: .*lacks the arrays \['x_test', 'y_test'\]"):
        load_mnist(tmp_path / "mnist.npz")


def test_get_mnist_matches_course_layout(tmp_path, write_mnist, tiny_mnist):
    images, labels = get_mnist(write_mnist(tmp_path))
    assert images.shape == (20, 784) and images.dtype == np.float32
    np.testing.assert_array_equal(labels, np.eye(10)[tiny_mnist["y_train"]])
    assert labels.dtype == np.float64


def test_env_var_moves_the_cache(monkeypatch, tmp_path, write_mnist, tiny_mnist):
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "elsewhere"))
    assert mnist_dir() == tmp_path / "elsewhere" / "mnist"
    assert not mnist_available()
    folder = write_mnist(tmp_path / "elsewhere" / "mnist")
    for file in folder.iterdir():  # as download_mnist records what it downloads
        record_checksum(folder, file.name, sha256_file(file))
    assert mnist_available()
    assert_same_as_raw(load_mnist(), tiny_mnist)


@pytest.mark.parametrize("value", [None, ""])
def test_default_cache_under_home(monkeypatch, tmp_path, value):
    if value is None:
        monkeypatch.delenv(DATA_ENV_VAR)
    else:
        monkeypatch.setenv(DATA_ENV_VAR, value)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_home() == tmp_path / ".cache" / "tinygrad_fr"
    assert mnist_dir() == tmp_path / ".cache" / "tinygrad_fr" / "mnist"


def test_missing_cache_says_how_to_get_data():
    assert not mnist_available()
    with pytest.raises(FileNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert "load_mnist(download=True)" in message
    assert str(mnist_dir()) in message
    assert "train-images-idx3-ubyte.gz" in message and "mnist.npz" in message
    assert DATA_ENV_VAR in message


def test_missing_explicit_folder_suggests_download_there(tmp_path):
    folder = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match=r"load_mnist\('.*nowhere', download=True\)"):
        load_mnist(folder)


def test_partial_folder_names_missing_file(tmp_path, write_mnist):
    folder = write_mnist(tmp_path, skip=("y_test",))
    assert not mnist_available(folder)
    with pytest.raises(FileNotFoundError, match="missing t10k-labels-idx1-ubyte"):
        load_mnist(folder)


def test_missing_npz_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"absent\.npz does not exist"):
        load_mnist(tmp_path / "absent.npz")


def test_idx_file_instead_of_folder(tmp_path, write_mnist):
    folder = write_mnist(tmp_path)
    with pytest.raises(ValueError, match=r"is a file but not an \.npz"):
        load_mnist(folder / "train-images-idx3-ubyte.gz")


def test_count_mismatch_between_images_and_labels(tmp_path, write_mnist, tiny_mnist):
    folder = write_mnist(tmp_path)
    write_idx(folder / "train-labels-idx1-ubyte.gz", tiny_mnist["y_train"][:19])
    with pytest.raises(ValueError, match=r"load_mnist: labels .*\(19,\) for 20 images"):
        load_mnist(folder)


def test_swapped_files_are_caught(tmp_path, write_mnist, tiny_mnist):
    folder = write_mnist(tmp_path)
    write_idx(folder / "t10k-images-idx3-ubyte.gz", tiny_mnist["y_test"])
    with pytest.raises(ValueError, match=r"load_mnist: images .*shape \(5,\)"):
        load_mnist(folder)


def test_labels_out_of_range(tmp_path, write_mnist, tiny_mnist):
    folder = write_mnist(tmp_path)
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", tiny_mnist["y_test"] + 10)
    with pytest.raises(ValueError, match="not 0-9"):
        load_mnist(folder)


def test_damaged_idx_propagates_read_idx_error(tmp_path, write_mnist):
    folder = write_mnist(tmp_path, gz=False)
    path = folder / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"read_idx: .*truncated"):
        load_mnist(folder)
