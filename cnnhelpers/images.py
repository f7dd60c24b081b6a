"""Photographs and synthetic test images for the notebooks, all offline.

Photographs come from ``skimage.data``, which ships them inside the scikit-image package.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PHOTOS", "load_image"]

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
        If ``name`` is not one of :data:`PHOTOS`.

    Examples
    --------
    >>> load_image("camera", size=64).shape
    (64, 64)
    """
    import skimage.data
    from skimage.color import rgb2gray
    from skimage.transform import resize

    if name not in PHOTOS:
        raise ValueError(f"name must be one of {sorted(PHOTOS)}; got {name!r}")
    image = getattr(skimage.data, name)().astype(np.float64) / 255.0
    if gray and image.ndim == 3:
        image = rgb2gray(image)
    if size is not None:
        if isinstance(size, int):
            scale = size / min(image.shape[:2])
            size = (round(image.shape[0] * scale), round(image.shape[1] * scale))
        image = resize(image, tuple(size) + image.shape[2:], anti_aliasing=True)
    return image.astype(dtype)
