"""Data sets for the course labs, in plain NumPy: toy tables, MNIST and offline 8x8 digits.

MNIST is read from disk (IDX or npz) and downloaded only on request into
``~/.cache/tinygrad_fr/mnist`` (or ``$TINYGRAD_FR_DATA/mnist``); files in the cache are
checked against their SHA-256 before each use.
"""

from __future__ import annotations

from ..serialization.limits import FileFormatError, FileTooLargeError
from .cache import CHECKSUMS_FILE, DATA_ENV_VAR, data_home, dataset_dir, read_checksums
from .digits import load_digits
from .download import DownloadError, download_file, sha256_file
from .idx import read_idx, write_idx
from .labels import one_hot
from .mnist import (
    MNIST_FILES,
    MNIST_MIRRORS,
    MNIST_NPZ_SHA256,
    MNIST_SHA256,
    download_mnist,
    get_mnist,
    load_mnist,
    mnist_available,
    mnist_dir,
)
from .splits import Splits, train_test_split
from .toy import gender, gender_names, gender_unseen, nand, xor

__all__ = [
    "CHECKSUMS_FILE",
    "DATA_ENV_VAR",
    "MNIST_FILES",
    "MNIST_MIRRORS",
    "MNIST_NPZ_SHA256",
    "MNIST_SHA256",
    "DownloadError",
    "FileFormatError",
    "FileTooLargeError",
    "Splits",
    "data_home",
    "dataset_dir",
    "download_file",
    "download_mnist",
    "gender",
    "gender_names",
    "gender_unseen",
    "get_mnist",
    "load_digits",
    "load_mnist",
    "mnist_available",
    "mnist_dir",
    "nand",
    "one_hot",
    "read_checksums",
    "read_idx",
    "sha256_file",
    "train_test_split",
    "write_idx",
    "xor",
]
