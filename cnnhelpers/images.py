"""Photographs and synthetic test images for the notebooks, all offline.

Photographs come from ``skimage.data``, which ships them inside the scikit-image package.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import check_bytes, count, describe, float_dtype, real_array, real_number

__all__ = ["PHOTOS", "load_image", "lines_and_corner", "shift", "downscale"]

# Bundled with scikit-image (no download): name -> what it shows.
PHOTOS = {
    "camera": "a cameraman (grey, 512x512)",
    "astronaut": "astronaut Eileen Collins (colour, 512x512)",
    "coffee": "a cup of coffee (colour, 400x600)",
    "chelsea": "Chelsea the cat (colour, 300x451)",
    "rocket": "a rocket on its launch pad (colour, 427x640)",
    "coins": "Greek coins (grey, 303x384)",
    "brick": "a brick wall (grey, 512x512)",
    "text": "printed text (grey, 172x448)",
    "clock": "a clock (grey, 300x400)",
}


def load_image(name: str = "camera", *, gray: bool = True, size: int | tuple[int, int] | None = None,
               dtype=np.float64) -> np.ndarray:
    """A photograph from ``skimage.data`` as floats in [0, 1].

    Parameters
    ----------
    name : str
        One of :data:`PHOTOS`.
    gray : bool
        Convert a colour photograph to grey (luminance); colour ones are (H, W, 3) otherwise.
    size : int or (int, int), optional
        Resize to this (height, width) (an int: the shorter side), anti-aliased.
    dtype : float32 or float64

    Returns
    -------
    image : array of shape (H, W) or (H, W, 3)

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`PHOTOS`, ``size`` is not positive or not one or two
        numbers, or the image would not fit in memory.
    TypeError
        If ``size`` is not an int or ``dtype`` is not float32 or float64 (the values are fractions).

    Examples
    --------
    >>> load_image("camera", size=64).shape
    (64, 64)
    """
    import skimage.data
    from skimage.color import rgb2gray
    from skimage.transform import resize

    if not isinstance(name, str) or name not in PHOTOS:
        raise ValueError(f"name must be one of {sorted(PHOTOS)}; got {describe(name)}")
    dtype = float_dtype(dtype)
    if size is not None and not isinstance(size, (tuple, list, np.ndarray)):
        size = count(size, "size")
    elif size is not None:
        if np.ndim(size) != 1 or len(size) != 2:
            raise ValueError(f"size must be an int (the shorter side) or a pair of ints (height, width); "
                             f"got {describe(size)}")
        size = (count(size[0], "size"), count(size[1], "size"))
    image = getattr(skimage.data, name)().astype(np.float64) / 255.0
    if gray and image.ndim == 3:
        image = rgb2gray(image)
    if size is not None:
        if isinstance(size, int):
            scale = size / min(image.shape[:2])
            size = (max(round(image.shape[0] * scale), 1), max(round(image.shape[1] * scale), 1))
        check_bytes(math.prod(size) * math.prod(image.shape[2:]) * 8, "size", "a resized image")
        image = resize(image, tuple(size) + image.shape[2:], anti_aliasing=True)
    return image.astype(dtype)


def lines_and_corner(size: int = 12) -> np.ndarray:
    """A synthetic 0/1 image with one pattern for each of the lecture's three detectors.

    On a dark background, with a margin ``m = size // 12`` (at least 1): a one-pixel vertical line
    (column ``m``), a one-pixel horizontal line (row ``m``, from column ``3m`` on) and a filled
    bright square in the bottom-right quarter, whose top-left corner is what the lecture's corner
    detector looks for.

    Parameters
    ----------
    size : int
        Height and width, >= 8.

    Returns
    -------
    image : float64 array of shape (size, size), values 0 and 1

    Raises
    ------
    TypeError
        If ``size`` is not an int.
    ValueError
        If ``size`` < 8 (the three patterns would touch).

    Examples
    --------
    >>> lines_and_corner(8).astype(int)
    array([[0, 0, 0, 0, 0, 0, 0, 0],
           [0, 1, 0, 1, 1, 1, 1, 0],
           [0, 1, 0, 0, 0, 0, 0, 0],
           [0, 1, 0, 0, 0, 0, 0, 0],
           [0, 1, 0, 0, 1, 1, 1, 0],
           [0, 1, 0, 0, 1, 1, 1, 0],
           [0, 1, 0, 0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0, 0, 0, 0]])
    """
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)):
        raise TypeError(f"size must be an int; got {describe(size)}")
    if size < 8:
        raise ValueError(f"size must be >= 8 so that the three patterns stay apart; got {size}")
    size = int(size)
    check_bytes(size * size * 8, "size", "an image")
    margin = max(1, size // 12)
    end = size - margin
    image = np.zeros((size, size))
    image[margin:end, margin] = 1  # vertical line
    image[margin, 3 * margin:end] = 1  # horizontal line
    image[size // 2:end, size // 2:end] = 1  # square: its top-left corner is "the corner"
    return image


def shift(image, offset: tuple[int, int], *, fill: float = 0.0) -> np.ndarray:
    """Move an image by whole pixels; what enters at the border is ``fill`` (nothing wraps round).

    Parameters
    ----------
    image : array of shape (H, W) or (H, W, C)
    offset : (int, int)
        ``(down, right)`` in pixels; negative values move up or left.
    fill : float
        Value of the pixels uncovered at the border.

    Returns
    -------
    shifted : array shaped like ``image`` (a new array, float)
        ``shifted[i + down, j + right] = image[i, j]`` wherever both lie inside.

    Raises
    ------
    TypeError
        If ``offset`` is not a pair of ints, or ``image`` is not real numbers or is a masked array.
    ValueError
        If ``image`` is not 2-D or 3-D, or ``fill`` is not a finite number.

    Examples
    --------
    >>> shift(np.arange(9).reshape(3, 3), (1, -1))
    array([[0., 0., 0.],
           [1., 2., 0.],
           [4., 5., 0.]])
    """
    image = real_array(image, "image")
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be 2-D (H, W) or 3-D (H, W, C); got shape {image.shape}")
    if (not isinstance(offset, (tuple, list)) or len(offset) != 2
            or not all(isinstance(o, (int, np.integer)) and not isinstance(o, (bool, np.bool_)) for o in offset)):
        raise TypeError(f"offset must be a pair of ints (down, right); got {describe(offset)}")
    fill = real_number(fill, "fill")
    down, right = (int(o) for o in offset)
    height, width = image.shape[:2]
    out = np.full(image.shape, fill, dtype=image.dtype if image.dtype.kind == "f" else np.float64)
    rows_to = slice(max(down, 0), min(height + down, height))
    rows_from = slice(max(-down, 0), min(height - down, height))
    cols_to = slice(max(right, 0), min(width + right, width))
    cols_from = slice(max(-right, 0), min(width - right, width))
    out[rows_to, cols_to] = image[rows_from, cols_from]
    return out


def downscale(image, factor: int) -> np.ndarray:
    """Shrink an image by a whole factor, each output pixel the mean of a ``factor x factor`` block.

    Rows and columns that do not fill a whole block (at the bottom and right) are dropped.

    Parameters
    ----------
    image : array of shape (H, W)
    factor : int
        >= 1, at most ``min(H, W)``.

    Returns
    -------
    small : float array of shape (H // factor, W // factor)

    Raises
    ------
    TypeError
        If ``factor`` is not an int, or ``image`` is not real numbers or is a masked array.
    ValueError
        If ``image`` is not 2-D or ``factor`` is out of range.

    Examples
    --------
    >>> downscale(np.arange(16.0).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    image = real_array(image, "image")
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (H, W); got shape {image.shape}")
    if isinstance(factor, (bool, np.bool_)) or not isinstance(factor, (int, np.integer)):
        raise TypeError(f"factor must be an int; got {describe(factor)}")
    if not 1 <= factor <= min(image.shape):
        raise ValueError(f"factor must be between 1 and {min(image.shape)} for an image of shape "
                         f"{image.shape}; got {factor}")
    height, width = image.shape[0] // factor, image.shape[1] // factor
    blocks = image[:height * factor, :width * factor].reshape(height, factor, width, factor)
    return blocks.mean(axis=(1, 3))
