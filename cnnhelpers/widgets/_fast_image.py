"""A faster way for matplotlib's ``imshow`` images to become pixels, for pictures redrawn per slider step.

matplotlib turns an image into screen pixels in float64, with masked arrays and its general
resampler: 6 ms for a 3x3 grid of numbers filling a panel, 24 ms for a 510x510 photograph. Under a
slider that is most of a step. :class:`FastImage` does the common case with a few NumPy operations:

* each screen pixel takes the data cell under its centre when a cell is at least a pixel wide
  (an annotated grid, a 28x28 digit: sharp cell edges, as ``interpolation="nearest"``);
* and the mean of the cells it covers, weighted by how much of each it covers, along an axis where
  cells are smaller than a pixel (a photograph shrunk into its panel: a box filter, so thin edges
  in an edge map stay visible instead of falling between the sampled rows);
* then colours come from the colour map's lookup table by index.

Anything else (a rotated or non-affine transform, transparency, a norm that is not linear,
vector output) is left to matplotlib. :func:`speed_up_images` switches a figure's images over;
:class:`~cnnhelpers.widgets.LiveFigure` does it before each draw, so full and incremental draws
use the same pixels.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import Normalize, TwoSlopeNorm, to_rgba_array
from matplotlib.image import AxesImage
from matplotlib.transforms import Bbox

__all__ = ["FastImage", "speed_up_images"]


class FastImage(AxesImage):
    """An ``AxesImage`` that computes its pixels with NumPy where it can (see the module docstring).

    It adds no state: :func:`speed_up_images` changes the class of images that ``imshow`` made,
    since ``Axes.imshow`` offers no way to choose the image class.
    """

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        # docstring inherited
        fast = None if unsampled or magnification != 1.0 else self._fast_pixels()
        return fast if fast is not None else super().make_image(renderer, magnification, unsampled)

    def _fast_pixels(self):
        """(rgba uint8 (H, W, 4), left, bottom, None) as matplotlib places it, or None to let it draw."""
        data = self._A
        if data is None or data.size == 0 or self.get_alpha() is not None or self.get_interpolation() not in _SAMPLED:
            return None
        transform = self.get_transform()
        if not transform.is_affine:
            return None
        matrix = transform.get_affine().get_matrix()
        if matrix[0, 1] != 0 or matrix[1, 0] != 0:  # rotated or sheared
            return None
        scalar = data.ndim == 2
        if not scalar and not (data.ndim == 3 and data.shape[2] in (3, 4)):
            return None
        if scalar and _linear_norm(self.norm) is None:
            return None
        left, right, bottom, top = self.get_extent()
        corners = transform.transform([[left, bottom], [right, top]])
        clip = (self.get_clip_box() or self.axes.bbox) if self.get_clip_on() else self.get_figure(root=True).bbox
        box = Bbox.intersection(Bbox(corners), clip)
        if box is None:
            return None, 0, 0, None
        # Round to whole output pixels exactly as matplotlib does (AxesImage._make_image).
        x0 = np.floor(box.x0 + 0.5)
        y0 = np.ceil(box.y0 - 0.5 - 1e-8)
        x1 = np.floor(box.x1 + 0.5 + 1e-8)
        y1 = np.ceil(box.y1 - 0.5)
        if x1 <= x0 or y1 <= y0:
            return None, 0, 0, None
        rows, cols = data.shape[:2]
        # Pixel edges, in cell units along each axis of the array (column u, row v).
        x_edges = x0 + np.arange(int(x1 - x0) + 1)
        y_edges = y0 + np.arange(int(y1 - y0) + 1)  # output rows run bottom-up, as matplotlib's
        u = (x_edges - corners[0, 0]) * (cols / (corners[1, 0] - corners[0, 0]))
        if self.origin == "upper":  # row 0 at the data "top"
            v = (y_edges - corners[1, 1]) * (rows / (corners[0, 1] - corners[1, 1]))
        else:
            v = (y_edges - corners[0, 1]) * (rows / (corners[1, 1] - corners[0, 1]))
        values = np.ma.filled(data.astype(np.float32 if scalar else np.float64, copy=False), np.nan)
        values = _resample_axis(_resample_axis(values, v, axis=0), u, axis=1)
        rgba = self._colour(values) if scalar else _rgb_bytes(values, 255.0 if data.dtype.kind == "f" else 1.0)
        return rgba, x0, y0, None

    def _colour(self, values: np.ndarray) -> np.ndarray:
        """Scalar values (H, W) to RGBA bytes through the norm and the colour map's lookup table."""
        cmap = self.cmap
        low, centre, high = _linear_norm(self.norm)
        if centre is None:
            scaled = (values - low) * np.float32(cmap.N / (high - low))
        else:  # TwoSlopeNorm: two linear pieces meeting at the centre colour
            scaled = np.interp(values, [low, centre, high], [0.0, cmap.N / 2, cmap.N], left=-1.0, right=cmap.N + 1.0)
        if self.norm.clip:
            np.clip(scaled, 0, cmap.N - 1, out=scaled)
        # As Colormap.__call__: a value at the top is the last colour, beyond it "over", below 0
        # "under", NaN "bad"; those three sit after the N colours in the table.
        n = cmap.N
        bad = np.isnan(scaled)
        scaled = np.where(bad, n + 2, np.clip(scaled, -1, n + 1))
        index = np.floor(scaled).astype(np.intp)
        index[scaled == n] = n - 1
        index[scaled < 0] = n
        index[(scaled > n) & ~bad] = n + 1
        return _lookup_table(cmap).take(index, axis=0)


_SAMPLED = ("nearest", "none", "antialiased", "auto")


def _linear_norm(norm):
    """(low, centre or None, high) of a norm that maps linearly (in one or two pieces), else None."""
    if norm.vmin is None or norm.vmax is None or not norm.vmin < norm.vmax:
        return None
    if type(norm) is Normalize:
        return float(norm.vmin), None, float(norm.vmax)
    if type(norm) is TwoSlopeNorm and norm.vmin < norm.vcenter < norm.vmax:
        return float(norm.vmin), float(norm.vcenter), float(norm.vmax)
    return None


def _lookup_table(cmap) -> np.ndarray:
    """The colour map's N colours, then its under, over and bad colours, as RGBA bytes (N + 3, 4)."""
    extras = to_rgba_array([cmap.get_under(), cmap.get_over(), cmap.get_bad()])
    table = np.concatenate([cmap(np.arange(cmap.N)), extras])
    return (table * 255).astype(np.uint8)  # truncated, as Colormap(..., bytes=True)


def _rgb_bytes(values: np.ndarray, scale: float) -> np.ndarray:
    """Colour values (H, W, 3 or 4), ``scale`` times the byte values, to RGBA bytes."""
    height, width, channels = values.shape
    rgba = np.full((height, width, 4), 255, dtype=np.uint8)
    rgba[..., :channels] = np.clip(np.nan_to_num(values) * scale, 0, 255).astype(np.uint8)
    return rgba


def _resample_axis(values: np.ndarray, edges: np.ndarray, axis: int) -> np.ndarray:
    """One output value per pair of neighbouring ``edges`` (in cell units) along ``axis``.

    Where an output pixel is at most one cell wide, it takes the cell under its centre; where it
    covers more, the mean of the cells it covers, each weighted by the part covered (NaN cells
    are left out of the mean).
    """
    cells = values.shape[axis]
    low, high = np.minimum(edges[:-1], edges[1:]), np.maximum(edges[:-1], edges[1:])
    if np.max(high - low) <= 1.0:
        centre = np.clip(np.floor((low + high) / 2), 0, cells - 1).astype(np.intp)
        return values.take(centre, axis=axis)
    low, high = np.clip(low, 0, cells), np.clip(high, 0, cells)
    start = np.minimum(np.floor(low), cells - 1).astype(np.intp)
    shape = [1] * values.ndim
    shape[axis] = -1
    missing = np.isnan(values)
    has_missing = bool(missing.any())
    if has_missing:
        values = np.where(missing, 0, values)
    total = weight = 0
    for k in range(int(np.ceil(np.max(high - start)))):  # the cells each pixel covers, one offset at a time
        cell = np.minimum(start + k, cells - 1)
        part = np.clip(np.minimum(high, start + k + 1) - np.maximum(low, start + k), 0, None).astype(values.dtype)
        total = total + values.take(cell, axis=axis) * part.reshape(shape)
        if has_missing:
            weight = weight + (~missing).take(cell, axis=axis) * part.reshape(shape)
    if not has_missing:
        weight = (high - low).astype(values.dtype).reshape(shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / weight  # NaN where a pixel covers only missing cells


def speed_up_images(figure) -> None:
    """Turn every plain ``AxesImage`` in ``figure`` into a :class:`FastImage` (same data, same look)."""
    for ax in figure.axes:
        for image in ax.images:
            if type(image) is AxesImage:
                image.__class__ = FastImage
