"""MNIST: find it on disk (four IDX files, plain or gzipped, or a Keras ``mnist.npz``), download
it once into the cache on request, and return train and test arrays ready for training.

The cache folder is ``~/.cache/tinygrad_fr/mnist``, or ``$TINYGRAD_FR_DATA/mnist`` when set.
Every file read from it is first checked against its SHA-256 (see :func:`load_mnist`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..serialization.limits import DEFAULT_MAX_BYTES, FileFormatError, Source
from ..serialization.npz_format import NpzReader
from .cache import (
    CHECKSUMS_FILE,
    DATA_ENV_VAR,
    dataset_dir,
    read_checksums,
    record_checksum,
    verify_file,
)
from .download import download_file, sha256_file
from .idx import read_idx
from .labels import one_hot as encode_one_hot
from .splits import Splits

MNIST_FILES: dict[str, str] = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
"""IDX file name (without ``.gz``) of each array."""

MNIST_MIRRORS: tuple[str, ...] = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
"""Base URLs tried in order by :func:`download_mnist`; each serves the four ``.gz`` files."""

# SHA-256 of the gzipped files as distributed by LeCun et al., as published in torchvision
# (torchvision/prototype/datasets/_builtin/mnist.py, MNIST._CHECKSUMS).
MNIST_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
"""Expected SHA-256 of each downloaded ``.gz`` file."""

MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
"""SHA-256 of Keras's ``mnist.npz`` (keras.datasets.mnist), accepted in the cache folder."""

NPZ_NAME = "mnist.npz"
IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10


def mnist_dir() -> Path:
    """Return the MNIST cache folder: ``$TINYGRAD_FR_DATA/mnist`` or ``~/.cache/tinygrad_fr/mnist``.

    The folder is not created here; :func:`download_mnist` creates it.
    """
    return dataset_dir("mnist")


def _idx_file(directory: Path, name: str) -> Path | None:
    """Return ``directory/name`` or ``directory/name.gz``, whichever exists (plain first)."""
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _locate(path: Path) -> tuple[dict[str, Path] | None, Path | None, list[str]]:
    """Return (IDX files if all four are there, an npz file if any, names of missing IDX files)."""
    if path.suffix == ".npz":
        return None, (path if path.is_file() else None), []
    found = {key: _idx_file(path, name) for key, name in MNIST_FILES.items()}
    missing = [MNIST_FILES[key] for key, file in found.items() if file is None]
    if not missing:
        return {key: file for key, file in found.items() if file is not None}, None, []
    npz = path / NPZ_NAME
    return None, (npz if npz.is_file() else None), missing


def mnist_available(path: str | os.PathLike[str] | None = None) -> bool:
    """Tell whether :func:`load_mnist` would find MNIST at ``path`` (default: the cache folder).

    Checks only that the files exist; nothing is read or downloaded.
    """
    idx, npz, _ = _locate(Path(path) if path is not None else mnist_dir())
    return idx is not None or npz is not None


def download_mnist(
    directory: str | os.PathLike[str] | None = None,
    *,
    mirrors: Sequence[str] | None = None,
    checksums: Mapping[str, str] | None = None,
    progress: bool = True,
) -> Path:
    """Download the four gzipped MNIST IDX files (about 11 MB) into ``directory``, once.

    Files already there (plain or ``.gz``) are kept and not downloaded again. Each file is
    checked against ``checksums``, written atomically (see :func:`download_file`), and its
    SHA-256 recorded in the folder's ``SHA256SUMS``, which :func:`load_mnist` checks.

    Args:
        directory: destination folder; default :func:`mnist_dir`.
        mirrors: base URLs tried in order; default :data:`MNIST_MIRRORS`.
        checksums: expected SHA-256 by ``.gz`` file name; default :data:`MNIST_SHA256`.
            A name missing from it is downloaded unchecked, and the digest of what came is
            recorded, so that a later change is still noticed.
        progress: draw a progress bar on stderr.

    Returns:
        The folder holding the files.

    Raises:
        DownloadError: if a file could not be downloaded and verified from any mirror.
    """
    directory = Path(directory) if directory is not None else mnist_dir()
    # Module constants are looked up here, not bound as defaults, so they can be patched.
    mirrors = MNIST_MIRRORS if mirrors is None else mirrors
    checksums = MNIST_SHA256 if checksums is None else checksums
    for name in MNIST_FILES.values():
        if _idx_file(directory, name) is None:
            gz = f"{name}.gz"
            urls = [base.rstrip("/") + "/" + gz for base in mirrors]
            expected = checksums.get(gz)
            dest = download_file(urls, directory / gz, sha256=expected, progress=progress)
            record_checksum(directory, gz, expected or sha256_file(dest))
    return directory


def _missing_message(path: Path, explicit: bool, missing: list[str]) -> str:
    """Say where MNIST was looked for and the ways to provide it."""
    if path.suffix == ".npz":
        return (
            f"load_mnist: {path} does not exist. Fix: check the path, or call "
            f"load_mnist(download=True) to download MNIST into {mnist_dir()}."
        )
    looked = (
        f"{path} does not exist"
        if not path.exists()
        else f"no {NPZ_NAME} and missing {', '.join(missing)} (plain or .gz) in {path}"
    )
    call = f"load_mnist({str(path)!r}, download=True)" if explicit else "load_mnist(download=True)"
    return (
        f"load_mnist: MNIST not found: {looked}. Fix: call {call} to download the four IDX "
        f"files (about 11 MB) into {path if explicit else mnist_dir()}; or copy "
        f"train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
        f"t10k-labels-idx1-ubyte.gz (or a Keras {NPZ_NAME}) into that folder. The cache folder "
        f"is {mnist_dir()}; set {DATA_ENV_VAR} to use <folder>/mnist instead, or pass path=."
    )


def _as_pixels(images: np.ndarray, source: str, path: Path) -> np.ndarray:
    """Return images as uint8 (N, 28, 28), from uint8, 0-255 numbers or floats in [0, 1]."""
    images = np.asarray(images)
    if images.ndim == 2 and images.shape[1] == 28 * 28:
        images = images.reshape(len(images), *IMAGE_SHAPE)
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise FileFormatError(
            f"load_mnist: images in {source} have shape {images.shape}, not (N, 28, 28) or "
            "(N, 784). Fix: check that the images and labels files are not swapped or damaged.",
            str(path),
        )
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind not in "iuf":
        raise FileFormatError(
            f"load_mnist: images in {source} have dtype {images.dtype}, not real numbers. "
            "Fix: store raw uint8 pixels, as the Keras mnist.npz does.",
            str(path),
        )
    if images.dtype.kind == "f" and not np.isfinite(images).all():
        first = tuple(int(i) for i in np.argwhere(~np.isfinite(images))[0])
        raise FileFormatError(
            f"load_mnist: pixels in {source} include NaN or infinity (the first at image "
            f"{first[0]}, row {first[1]}, column {first[2]}: {images[first]}). Fix: store "
            "raw uint8 pixels, as the Keras mnist.npz does.",
            str(path),
        )
    low, high = (float(images.min()), float(images.max())) if images.size else (0.0, 0.0)
    scale = 255.0 if images.dtype.kind == "f" and high <= 1.0 else 1.0
    if low < 0 or high * scale > 255:
        raise FileFormatError(
            f"load_mnist: pixels in {source} range over [{low}, {high}], neither 0-255 nor "
            "[0, 1]. Fix: store raw uint8 pixels, as the Keras mnist.npz does.",
            str(path),
        )
    return np.rint(images * scale).astype(np.uint8)


def _as_labels(labels: np.ndarray, count: int, source: str, path: Path) -> np.ndarray:
    """Return labels as int64 (N,) in 0..9, from class indices or one-hot rows."""
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iuf":
        raise FileFormatError(
            f"load_mnist: labels in {source} have dtype {labels.dtype}, not numbers. Fix: store "
            "class indices 0-9 as integers.",
            str(path),
        )
    if labels.dtype.kind == "f" and not np.isfinite(labels).all():
        raise FileFormatError(
            f"load_mnist: labels in {source} include NaN or infinity. Fix: check the labels "
            "file is an MNIST labels file.",
            str(path),
        )
    if labels.ndim == 2 and labels.shape[1] == NUM_CLASSES:
        labels = labels.argmax(axis=1)
    if labels.ndim != 1 or len(labels) != count:
        raise FileFormatError(
            f"load_mnist: labels in {source} have shape {labels.shape} for {count} images; "
            f"expected ({count},) or ({count}, 10). Fix: check the labels file matches its images.",
            str(path),
        )
    if labels.dtype.kind == "f" and (labels != np.round(labels)).any():
        raise FileFormatError(
            f"load_mnist: labels in {source} are not whole numbers (e.g. "
            f"{labels[labels != np.round(labels)][0]}). Fix: store class indices 0-9.",
            str(path),
        )
    if labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise FileFormatError(
            f"load_mnist: labels in {source} range over [{labels.min()}, {labels.max()}], "
            "not 0-9. Fix: check the labels file is an MNIST labels file.",
            str(path),
        )
    return labels.astype(np.int64)


def _read_npz(file: Path, max_bytes: int) -> dict[str, np.ndarray]:
    """Return the four arrays of a Keras-layout npz file, read within ``max_bytes``."""
    source = Source("load_mnist", file, max_bytes, "load_mnist(path, max_bytes={})")
    with open(file, "rb") as stream, NpzReader(stream, source) as archive:
        absent = [key for key in MNIST_FILES if key not in archive.members]
        if absent:
            raise source.error(
                f"lacks the arrays {absent} (it has {sorted(archive.members)})",
                "use an npz with x_train, y_train, x_test, y_test, as keras.datasets.mnist saves",
            )
        archive.charge({key: 1 for key in MNIST_FILES})
        return {key: archive.read(key) for key in MNIST_FILES}


def _verify(files: list[Path], folder: Path) -> None:
    """Check files against their folder's SHA256SUMS; in the cache, every file must be known."""
    recorded = read_checksums(folder)
    in_cache = folder.resolve() == mnist_dir().resolve()
    official = {**MNIST_SHA256, NPZ_NAME: MNIST_NPZ_SHA256}
    fix = "delete it and call load_mnist(download=True) to download it again"
    for file in files:
        expected = recorded.get(file.name) or (official.get(file.name) if in_cache else None)
        if expected is not None:
            verify_file(file, expected, "load_mnist", fix)
        elif in_cache:
            raise FileFormatError(
                f"load_mnist: {str(file)!r} is in the MNIST cache but has no known SHA-256: the "
                f"cache only holds the official files and those recorded in {CHECKSUMS_FILE} by "
                f"download_mnist. Fix: {fix}, or load a folder of your own files with "
                "load_mnist(path=folder)",
                str(file),
            )


def _read_raw(
    path: Path, download: bool, explicit: bool, max_bytes: int
) -> tuple[dict[str, np.ndarray], Path]:
    """Return the four raw arrays from IDX files or an npz at ``path``, and where they came from."""
    if path.is_file() and path.suffix != ".npz":
        raise ValueError(
            f"load_mnist: {path} is a file but not an .npz. Fix: pass the folder holding the four "
            f"IDX files (path={str(path.parent)!r}), or an .npz file."
        )
    idx, npz, missing = _locate(path)
    if idx is None and npz is None and download and path.suffix != ".npz":
        download_mnist(path)
        idx, npz, missing = _locate(path)
    if idx is not None:
        _verify(list(idx.values()), path)
        return {key: read_idx(file, max_bytes=max_bytes) for key, file in idx.items()}, path
    if npz is not None:
        _verify([npz], npz.parent)
        return _read_npz(npz, max_bytes), npz
    raise FileNotFoundError(_missing_message(path, explicit, missing))


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    download: bool = False,
    normalize: bool = True,
    flatten: bool = True,
    one_hot: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Splits:
    """Load MNIST's 60,000 training and 10,000 test digits.

    Looks in ``path`` (a folder, or an ``.npz`` file), by default the cache folder
    :func:`mnist_dir`. A folder must hold the four IDX files ``train-images-idx3-ubyte``,
    ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``
    (each plain or ``.gz``) or a Keras ``mnist.npz`` (arrays x_train, y_train, x_test, y_test,
    as in the course's ``data/mnist.npz``).

    Files in the cache folder are checked against their SHA-256 before use: the one recorded in
    the folder's ``SHA256SUMS`` by :func:`download_mnist`, else the official one
    (:data:`MNIST_SHA256`, :data:`MNIST_NPZ_SHA256`); a file without a known digest is refused
    there. In a folder of your own, only files listed in its ``SHA256SUMS`` are checked.

    Args:
        path: folder or ``.npz`` file; ``None`` for the cache folder.
        download: if the folder lacks the data, download the IDX files into it first
            (see :func:`download_mnist`); never downloads when the files are present.
        normalize: images as float32 in [0, 1]; otherwise raw uint8 in 0-255.
        flatten: images as (N, 784) rows; otherwise (N, 28, 28).
        one_hot: labels as float32 (N, 10) one-hot rows; otherwise int64 (N,) digits.
        max_bytes: the most memory one file may make the reader allocate (1 GiB by default).

    Raises:
        FileNotFoundError: if the data is missing; the message says how to get it.
        FileFormatError: (a ``ValueError``) if a file is damaged, fails its SHA-256 check, is
            larger than ``max_bytes``, or is not MNIST (NaN or out-of-range pixels included).

    >>> x_train, y_train, x_test, y_test = load_mnist(download=True)  # doctest: +SKIP
    >>> x_train.shape, y_train[:3]  # doctest: +SKIP
    ((60000, 784), array([5, 0, 4]))
    """
    explicit = path is not None
    where = Path(path).expanduser() if path is not None else mnist_dir()
    raw, source = _read_raw(where, download, explicit, max_bytes)
    arrays = []
    for split in ("train", "test"):
        images = _as_pixels(raw[f"x_{split}"], f"{source} ({split})", source)
        labels = _as_labels(raw[f"y_{split}"], len(images), f"{source} ({split})", source)
        if flatten:
            images = images.reshape(len(images), -1)
        arrays.append(images.astype(np.float32) / 255.0 if normalize else images)
        arrays.append(encode_one_hot(labels, NUM_CLASSES) if one_hot else labels)
    return Splits(*arrays)


def get_mnist(
    path: str | os.PathLike[str] | None = None, *, download: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Return the course's ``get_mnist()`` result: training images (60000, 784) float32 in [0, 1]
    and one-hot labels (60000, 10) float64, as ``np.eye(10)[labels]`` gives.

    >>> images, labels = get_mnist()  # doctest: +SKIP
    """
    x_train, y_train, _, _ = load_mnist(path, download=download)
    return x_train, encode_one_hot(y_train, NUM_CLASSES, dtype=np.float64)
