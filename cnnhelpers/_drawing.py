"""Drawing machinery for slider pictures: the one place that leans on how matplotlib works inside.

Why it exists
-------------
A slider step redraws a figure, and a plain matplotlib redraw spends most of its time on things
that did not change (tick labels, colour bars, panels the slider does not touch), on laying out
and rasterising every string again, and on its general image resampler. Three tricks make a step
several times faster (``benchmarks/bench_widgets.py`` measures each experiment with the machinery
on and off; the numbers are in ``benchmarks/results/``):

* :class:`IncrementalDrawing` redraws only the axes that changed, over the last picture;
* :class:`FastImage` turns an ``imshow`` image into pixels with a few NumPy operations;
* :class:`StampedText` pastes a bitmap rendered once per string instead of laying the text out again.

Experiments never import this module: they use :class:`cnnhelpers.live.LiveFigure` (which
draws through :class:`IncrementalDrawing`) and ``stamp_labels``, re-exported beside it.

What it relies on, and the fallback for each
--------------------------------------------
Each trick is checked once, at its first use, on a tiny figure drawn both ways (:func:`works`);
when the check fails (an attribute is gone, or the pixels differ), that trick is switched off for
the session and plain matplotlib draws instead: slower, never broken.

=========================  ===============================================  =======================================
trick                      what of matplotlib it relies on                  fallback
=========================  ===============================================  =======================================
``"fast_image"``           ``AxesImage.make_image(renderer, magnification,  ``AxesImage.make_image``: matplotlib's
                           unsampled)`` returning ``(rgba, x, y, trans)``;  resampler
                           the pixel rounding of the private
                           ``AxesImage._make_image``, copied; reassigning
                           ``__class__`` of a live ``AxesImage``
``"stamped_text"``         ``RendererAgg.draw_image`` taking bottom-up      ``Text.draw``
                           rows at whole pixels; reassigning ``__class__``
                           of a live ``Text`` (titles, axis labels)
``"partial_redraw"``       Agg's ``buffer_rgba()`` is a writable view of    a full ``canvas.draw()`` every time
                           the canvas that persists between draws; an
                           ``Axes.draw(renderer)`` on its own paints what
                           it paints in a full draw
``"title_freeze"``         the private flag ``Axes._autotitlepos``          titles placed again at each redraw
                           (False: keep the title where it is)
=========================  ===============================================  =======================================

One switch turns all of it off: the environment variable ``CNNHELPERS_PLAIN_DRAWING=1``, or
``with enabled(False): ...`` (the tests compare every experiment's picture both ways).
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import Normalize, TwoSlopeNorm, to_rgba, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text
from matplotlib.transforms import Bbox, IdentityTransform

from ._validate import instance

__all__ = ["IncrementalDrawing", "FastImage", "StampedText", "stamp_labels", "speed_up_images",
           "enabled", "is_enabled", "works", "TRICKS"]


# -- The switch and the checks ---------------------------------------------------------------------

_state = {"on": os.environ.get("CNNHELPERS_PLAIN_DRAWING", "").strip() in ("", "0")}


def is_enabled() -> bool:
    """True unless the machinery was switched off (``CNNHELPERS_PLAIN_DRAWING=1`` or :func:`enabled`)."""
    return _state["on"]


@contextmanager
def enabled(on: bool = True) -> Iterator[None]:
    """Switch the whole machinery on or off inside a ``with`` block (plain matplotlib when off)."""
    before = _state["on"]
    _state["on"] = bool(on)
    try:
        yield
    finally:
        _state["on"] = before


#: trick name -> the check that it gives matplotlib's pixels here (filled in below the tricks)
TRICKS: dict[str, Callable[[], bool]] = {}
_checked: dict[str, bool] = {}


def works(trick: str) -> bool:
    """Whether ``trick`` (a key of :data:`TRICKS`) is on: the machinery is enabled and its check passed.

    The check runs once per session, at the first call; any error in it counts as a failure.
    """
    if not _state["on"]:
        return False
    if trick not in _checked:
        _checked[trick] = False  # while checking, the trick itself draws the plain way
        try:
            _checked[trick] = bool(TRICKS[trick]())
        except Exception:  # an internal that changed shape: plain matplotlib from now on
            _checked[trick] = False
    return _checked[trick]


def _become(artist, cls) -> None:
    """Make a live matplotlib ``artist`` an instance of ``cls``, a subclass adding only drawing code.

    ``Axes.imshow`` and ``Axes.set_title`` offer no way to choose the class of what they make; if
    Python refuses (a matplotlib class with ``__slots__``, say), the artist stays as it is.
    """
    if type(artist) is cls.__base__:
        try:
            artist.__class__ = cls
        except TypeError:
            pass


# -- Incremental redraws ---------------------------------------------------------------------------

class IncrementalDrawing:
    """Draws a figure on its Agg canvas, redrawing only the panels that changed when it can.

    Text is the slow part of a matplotlib draw, and most of it (colour bars, tick labels, the
    panels a slider does not touch) stays the same from one slider step to the next. So once the
    same axes have been drawn twice, :meth:`draw` redraws only the axes whose artists changed
    (matplotlib marks them "stale") on top of the previous picture: it clears the pixels each of
    them painted last time and draws it again, noting which pixels it paints. A figure-level text
    whose string changes (a suptitle) is redrawn the same way. The layout engine runs only in full
    draws, that is when the figure's axes or artists change (``fig.clear()`` and new subplots, a
    new suptitle). Whatever the incremental path cannot handle (an axes or text painting over its
    neighbour, a figure border) gets a full draw; both paths give the same pixels.
    """

    #: Pixels added around each panel's tight bounding box after a full draw (antialiasing, glyph overhang).
    MARGIN_PX = 3

    def __init__(self, figure: Figure, partial: Callable[[], bool] = lambda: works("partial_redraw")):
        self.figure = figure
        self._partial = partial
        self._drawn: tuple = ()  # (the panels, the canvas size) of the last full draw
        self._boxes: dict | None = None  # panel -> pixel rectangle (x0, y0, x1, y1) it painted, display coords
        self.full_draws = 0
        self.partial_draws = 0

    def draw(self) -> None:
        """Bring the canvas up to date with the figure."""
        speed_up_images(self.figure)  # images added since the last draw
        if not (self._partial() and self._draw_changed_panels()):
            self._draw_everything()

    def _panels(self) -> list:
        """What the figure draws, in its own order: axes and figure-level artists (a suptitle...)."""
        fig = self.figure
        return [artist for artist in fig.get_children() if artist is not fig.patch]

    def _same_panels(self) -> bool:
        panels, size = self._drawn or ((), None)
        now = self._panels()
        return (size == tuple(self.figure.bbox.size) and len(panels) == len(now)
                and all(a is b for a, b in zip(panels, now, strict=True)))

    def _draw_everything(self) -> None:
        """A full draw (layout engine included).

        The second full draw of the same panels also measures where each painted, which the
        incremental path needs; a figure rebuilt at every update never pays for that.
        """
        fig = self.figure
        measure = bool(self._drawn) and self._same_panels() and self._partial()
        fig.canvas.draw()
        self._boxes = None
        if measure:
            renderer = fig.canvas.get_renderer()
            self._boxes = {panel: self._extent(panel, renderer) for panel in self._panels()}
            for ax in fig.axes:  # measuring updated their ticks, which changed nothing visible
                ax.stale = False
            fig.stale = False
        self._drawn = (self._panels(), tuple(fig.bbox.size))
        self.full_draws += 1

    def _extent(self, panel, renderer) -> tuple[int, int, int, int] | None:
        """Pixel rectangle (x0, y0, x1, y1) a panel draws into, with a margin; None if hidden."""
        box = _pixels(panel.get_tightbbox(renderer) if panel.get_visible() else None)
        if box is None:
            return None
        m = self.MARGIN_PX
        return (box[0] - m, box[1] - m, box[2] + m, box[3] + m)

    def _draw_changed_panels(self) -> bool:
        """Redraw only the stale panels over the last picture; False when a full draw is needed."""
        fig = self.figure
        if self._boxes is None or not self._same_panels() or fig.subfigs or fig.patch.get_linewidth() > 0:
            return False
        if fig.patch.get_alpha() not in (None, 1) or fig.patch.get_facecolor()[3] != 1:
            return False
        panels = self._panels()
        todo = [panel for panel in panels if panel.stale]
        if not todo:
            return False  # nothing marked as changed: draw everything, to be safe
        boxes = self._boxes
        redraw: list = []
        while todo:  # the stale panels, and every panel whose last picture overlaps theirs
            panel = todo.pop()
            redraw.append(panel)
            todo += [other for other in panels if other not in redraw and other not in todo
                     and _overlap(boxes.get(other), boxes.get(panel))]
        renderer = fig.canvas.get_renderer()
        keep = [boxes.get(panel) for panel in panels if panel not in redraw]
        rgba = np.asarray(renderer.buffer_rgba())  # (H, W, 4), rows top-down; a writable view
        if not rgba.flags.writeable:
            return False
        height = rgba.shape[0]
        pixels = rgba.view(np.uint32)[..., 0]  # (H, W): one number per pixel, for fast comparisons
        background = np.round(np.asarray(fig.patch.get_facecolor()) * 255).astype(np.uint8)
        for box in (boxes.get(panel) for panel in redraw):
            if box is not None:
                x0, y0, x1, y1 = box
                rgba[max(height - y1, 0):max(height - y0, 0), max(x0, 0):max(x1, 0)] = background
        order = {panel: k for k, panel in enumerate(panels)}
        new_boxes = {}
        painted_over = False
        # Titles stay where the last full draw put them: matplotlib would otherwise measure every
        # tick label again to place each title, and only a full draw moves axes.
        with frozen_titles([panel for panel in redraw if isinstance(panel, Axes)]):
            for panel in sorted(redraw, key=lambda panel: (panel.get_zorder(), order[panel])):  # as Figure.draw
                before = pixels.copy()
                panel.draw(renderer)
                new_boxes[panel] = box = _painted(pixels != before, height)
                painted_over = any(_overlap(box, other) for other in keep)  # over a neighbour
                if painted_over:
                    break
        if painted_over:
            self._draw_everything()
            return True
        boxes.update(new_boxes)
        fig.stale = False
        self.partial_draws += 1
        return True


@contextmanager
def frozen_titles(axes: list) -> Iterator[None]:
    """Keep the titles of ``axes`` where they are while drawing (``Axes._autotitlepos``, guarded).

    Without the trick (or with matplotlib deciding differently) titles are placed again: slower,
    same picture.
    """
    frozen = [ax for ax in axes if getattr(ax, "_autotitlepos", None) is True] if works("title_freeze") else []
    try:
        for ax in frozen:
            ax._autotitlepos = False
        yield
    finally:
        for ax in frozen:
            ax._autotitlepos = True


def _painted(changed: np.ndarray, height: int) -> tuple[int, int, int, int] | None:
    """Display-space rectangle (x0, y0, x1, y1) around the True pixels of an (H, W) mask, or None."""
    rows = np.flatnonzero(changed.any(axis=1))
    if not rows.size:
        return None
    cols = np.flatnonzero(changed.any(axis=0))
    return (int(cols[0]), height - int(rows[-1]) - 1, int(cols[-1]) + 1, height - int(rows[0]))


def _pixels(box) -> tuple[int, int, int, int] | None:
    if box is None or not np.isfinite(box.bounds).all():
        return None
    return (int(np.floor(box.x0)), int(np.floor(box.y0)), int(np.ceil(box.x1)), int(np.ceil(box.y1)))


def _overlap(a, b) -> bool:
    return a is not None and b is not None and a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# -- Images as pixels, with NumPy ------------------------------------------------------------------

class FastImage(AxesImage):
    """An ``AxesImage`` that computes its pixels with NumPy where it can.

    matplotlib turns an image into screen pixels in float64, with masked arrays and its general
    resampler. This does the common case with a few NumPy operations:

    * each screen pixel takes the data cell under its centre when a cell is at least a pixel wide
      (an annotated grid, a 28x28 digit: sharp cell edges, as ``interpolation="nearest"``);
    * and the mean of the cells it covers, weighted by how much of each it covers, along an axis
      where cells are smaller than a pixel (a photograph shrunk into its panel: a box filter, so
      thin edges in an edge map stay visible instead of falling between the sampled rows);
    * then colours come from the colour map's lookup table by index.

    Anything else (a rotated or non-affine transform, transparency, a norm that is not linear,
    vector output) is left to matplotlib. It adds no state: :func:`speed_up_images` changes the
    class of images that ``imshow`` made.
    """

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        # docstring inherited
        fast = None
        if not unsampled and magnification == 1.0 and works("fast_image"):
            fast = _fast_pixels(self)
        return fast if fast is not None else super().make_image(renderer, magnification, unsampled)


def speed_up_images(figure) -> None:
    """Turn every plain ``AxesImage`` in ``figure`` into a :class:`FastImage` (same data, same look)."""
    if works("fast_image"):
        for ax in figure.axes:
            for image in ax.images:
                _become(image, FastImage)


def _fast_pixels(image: AxesImage):
    """(rgba uint8 (H, W, 4), left, bottom, None) as matplotlib places it, or None to let it draw."""
    data = image.get_array()
    if data is None or data.size == 0 or image.get_alpha() is not None or image.get_interpolation() not in _SAMPLED:
        return None
    transform = image.get_transform()
    if not transform.is_affine:
        return None
    matrix = transform.get_affine().get_matrix()
    if matrix[0, 1] != 0 or matrix[1, 0] != 0:  # rotated or sheared
        return None
    scalar = data.ndim == 2
    if not scalar and not (data.ndim == 3 and data.shape[2] in (3, 4)):
        return None
    if scalar and _linear_norm(image.norm) is None:
        return None
    left, right, bottom, top = image.get_extent()
    corners = transform.transform([[left, bottom], [right, top]])
    clip = (image.get_clip_box() or image.axes.bbox) if image.get_clip_on() else image.get_figure(root=True).bbox
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
    if image.origin == "upper":  # row 0 at the data "top"
        v = (y_edges - corners[1, 1]) * (rows / (corners[0, 1] - corners[1, 1]))
    else:
        v = (y_edges - corners[0, 1]) * (rows / (corners[1, 1] - corners[0, 1]))
    values = np.ma.filled(data.astype(np.float32 if scalar else np.float64, copy=False), np.nan)
    values = _resample_axis(_resample_axis(values, v, axis=0), u, axis=1)
    rgba = _colour(image, values) if scalar else _rgb_bytes(values, 255.0 if data.dtype.kind == "f" else 1.0)
    return rgba, x0, y0, None


_SAMPLED = ("nearest", "none", "antialiased", "auto")


def _colour(image: AxesImage, values: np.ndarray) -> np.ndarray:
    """Scalar values (H, W) to RGBA bytes through the image's norm and its colour map's lookup table."""
    cmap = image.cmap
    low, centre, high = _linear_norm(image.norm)
    if centre is None:
        scaled = (values - low) * np.float32(cmap.N / (high - low))
    else:  # TwoSlopeNorm: two linear pieces meeting at the centre colour
        scaled = np.interp(values, [low, centre, high], [0.0, cmap.N / 2, cmap.N], left=-1.0, right=cmap.N + 1.0)
    if image.norm.clip:
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


# -- Text pasted from bitmaps ----------------------------------------------------------------------

class StampedText(Text):
    """A ``Text`` drawn from a bitmap rendered once per string, on Agg canvases. Same arguments as ``Text``.

    matplotlib lays out and rasterises every string with FreeType at every draw, so a grid of
    numbers under a slider costs most of a step. This one is a true ``Text`` (it is in
    ``ax.texts``, ``set_text`` works, layouts measure it as usual), whose drawing reuses a bitmap
    rendered once for the same string, font, colour and alignment and pastes it at the anchor.
    Rotated, multi-line or math text, and non-Agg output (PDF, SVG), draw the ordinary way.
    """

    def draw(self, renderer) -> None:
        text = self.get_text()
        plain = (text and "\n" not in text and "$" not in text and self.get_rotation() == 0
                 and not self.get_usetex() and type(renderer) is RendererAgg)
        if not (self.get_visible() and plain and works("stamped_text")):
            return super().draw(renderer)
        _paste_stamp(self, renderer)
        return None


def stamp_labels(ax) -> None:
    """Draw the title and axis labels of ``ax`` as :class:`StampedText` from now on.

    For panels whose titles come from a few slider settings ("padding 2", "output 5x5"): each
    string is rendered once and then pasted. Titles that change continuously (a value range) are
    better left plain. (The left and right titles, which only private attributes reach, stay plain.)
    """
    instance(ax, "ax", Axes, "a matplotlib Axes")
    for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
        _become(text, StampedText)


def _paste_stamp(text: Text, renderer) -> None:
    x, y = text.get_transform().transform(text.get_unitless_position())
    if not (math.isfinite(x) and math.isfinite(y)):
        return
    bitmap, dx, dy = _stamp(text, renderer.dpi)
    gc = renderer.new_gc()
    if text.get_clip_on():  # as Artist._set_gc_clip, through public getters
        gc.set_clip_rectangle(text.get_clip_box())
        gc.set_clip_path(text.get_clip_path())
    renderer.draw_image(gc, round(x) + dx, round(y) + dy, bitmap)
    gc.restore()
    text.stale = False


#: (string, font, colour, alignment, dpi, antialiased) -> (RGBA bitmap (h, w, 4) bottom-up, dx, dy from the anchor)
_STAMPS: dict[tuple, tuple[np.ndarray, int, int]] = {}
_MAX_STAMPS = 4096  # the numbers of a few grids; cleared when full


def _stamp(text: Text, dpi: float) -> tuple[np.ndarray, int, int]:
    key = (text.get_text(), text.get_fontproperties(), to_rgba(text.get_color(), text.get_alpha()),
           text.get_horizontalalignment(), text.get_verticalalignment(), dpi, text.get_antialiased())
    if key not in _STAMPS:
        if len(_STAMPS) >= _MAX_STAMPS:
            _STAMPS.clear()
        _STAMPS[key] = _render_stamp(text, dpi)
    return _STAMPS[key]


def _render_stamp(text: Text, dpi: float) -> tuple[np.ndarray, int, int]:
    """Draw the text once, anchored at the centre of a transparent canvas, and crop to its ink."""
    size_px = text.get_fontproperties().get_size_in_points() * dpi / 72
    width = int(2 * size_px * (len(text.get_text()) + 2)) + 8  # room for the text on either side of the anchor
    height = int(6 * size_px) + 8
    renderer = RendererAgg(width, height, dpi)
    centre_x, centre_y = width // 2, height // 2
    copy = Text(centre_x, centre_y, text.get_text(), transform=IdentityTransform(),
                fontproperties=text.get_fontproperties(), color=text.get_color(), alpha=text.get_alpha(),
                ha=text.get_horizontalalignment(), va=text.get_verticalalignment(),
                antialiased=text.get_antialiased())
    copy.set_figure(_dpi_figure(dpi))  # a Text reads the dpi from its figure
    copy.draw(renderer)
    rgba = np.asarray(renderer.buffer_rgba())  # (H, W, 4), rows top-down, transparent where no ink
    ink = rgba[..., 3] > 0
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not rows.size:
        return np.zeros((1, 1, 4), dtype=np.uint8), 0, 0
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    # Agg's draw_image takes rows bottom-up, and the crop's lower-left corner relative to the anchor
    return rgba[top:bottom, left:right][::-1].copy(), int(left - centre_x), int(height - bottom - centre_y)


@functools.cache
def _dpi_figure(dpi: float) -> Figure:
    return Figure(dpi=dpi)


# -- The checks: each trick against plain matplotlib on a tiny figure, once -------------------------

@contextmanager
def _trying(trick: str) -> Iterator[None]:
    """Let ``trick`` draw while its own check runs (:func:`works` says False for it until then)."""
    before = _checked.get(trick)
    _checked[trick] = True
    try:
        yield
    finally:
        if before is None:
            del _checked[trick]
        else:
            _checked[trick] = before


def _tiny_figure(size=(2.0, 1.5), dpi=40) -> Figure:
    figure = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def _bare_axes(figure: Figure, count: int) -> list:
    """``count`` axes side by side, without ticks (quick to draw), but with their frames."""
    axes = [figure.add_axes((k / count + 0.05, 0.1, 0.9 / count, 0.7)) for k in range(count)]
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    return axes


def _rgb(figure: Figure) -> np.ndarray:
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., :3].astype(int)


def _check_fast_image() -> bool:
    """A grid (with a NaN cell, a two-slope norm) and an RGB picture give matplotlib's pixels, within a pixel.

    Along a cell edge that falls near a pixel centre the two may round to either side, so each
    pixel must equal the plain one at the same place or a neighbour's.
    """
    grid = np.where(np.eye(3, 4) > 0, np.nan, np.arange(12.0).reshape(3, 4) - 5)
    rgb = np.linspace(0, 1, 2 * 3 * 3).reshape(2, 3, 3)

    def picture(fast: bool) -> np.ndarray | None:
        figure = _tiny_figure()
        left, right = _bare_axes(figure, 2)
        left.set_axis_off()  # no frame: its antialiased edge would blend with either rounding
        right.set_axis_off()
        images = [left.imshow(grid, cmap="RdBu_r", norm=TwoSlopeNorm(0, -6, 7), interpolation="none"),
                  right.imshow(rgb, interpolation="nearest")]
        if not fast:
            return _rgb(figure)
        for image in images:
            _become(image, FastImage)
        if not all(type(image) is FastImage and _fast_pixels(image) is not None for image in images):
            return None
        with _trying("fast_image"):
            return _rgb(figure)

    fast, plain = picture(True), picture(False)
    if fast is None or fast.shape != plain.shape:
        return False
    near = np.zeros(fast.shape[:2], dtype=bool)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            near |= (fast == np.roll(plain, (dy, dx), axis=(0, 1))).all(axis=2)
    return bool(near.all())


def _check_stamped_text() -> bool:
    """Numbers pasted from stamps put the same ink as ``Text`` in the same place.

    The anchors are on whole pixels (120 pixels for the x range 0..3, 60 for 0..1), as a stamp is.
    """

    def picture(cls) -> np.ndarray:
        figure = _tiny_figure((2.0, 1.0), dpi=60)
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_xlim(0, 3)
        ax.set_ylim(0, 1)
        for k, label in enumerate(["-3", "0.25", "Ag"]):
            ax.add_artist(cls(k + 0.5, 0.5, label, fontsize=12, ha="center", va="center"))
        return _rgb(figure)

    plain = picture(Text)
    with _trying("stamped_text"):
        stamped = picture(StampedText)
    ink_plain, ink_stamped = plain.min(axis=-1) < 160, stamped.min(axis=-1) < 160
    if plain.shape != stamped.shape or not ink_plain.any() or not ink_stamped.any():
        return False
    for axis in (0, 1):  # the ink spans the same rows and columns, to within a pixel (sub-pixel placement)
        spans = [np.flatnonzero(ink.any(axis=axis))[[0, -1]] for ink in (ink_plain, ink_stamped)]
        if np.abs(spans[0] - spans[1]).max() > 1:
            return False
    # The anchors fall on whole pixels, where a stamp and the plain text put the same ink: allow
    # only small antialiasing differences where there is ink.
    ink = ink_plain | ink_stamped
    return float(np.abs(plain - stamped).max(axis=-1)[ink].mean()) < 20


def _check_partial_redraw() -> bool:
    """Changing one of two panels and redrawing it alone gives a full draw's pixels."""
    figure = _tiny_figure((3.0, 1.5))
    left, right = _bare_axes(figure, 2)
    image = left.imshow(np.arange(6.0).reshape(2, 3), cmap="gray")
    right.plot([0, 1], [1, 0])
    left.set_title("a")
    drawing = IncrementalDrawing(figure, partial=lambda: True)
    drawing.draw()
    drawing.draw()  # the second draw of the same panels measures them
    image.set_data(np.arange(6.0).reshape(2, 3)[::-1])
    left.set_title("b")
    drawing.draw()
    partial = np.asarray(figure.canvas.buffer_rgba())[..., :3].astype(int)
    return drawing.partial_draws == 1 and np.array_equal(partial, _rgb(figure))


def _check_title_freeze() -> bool:
    """``Axes._autotitlepos`` exists, is True for an ordinary title, and False keeps a title where it is."""
    figure = _tiny_figure()
    (ax,) = _bare_axes(figure, 1)
    ax.set_title("t")
    if getattr(ax, "_autotitlepos", None) is not True:
        return False
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    placed = ax.title.get_position()
    ax.title.set_y(placed[1] + 0.5)  # a place matplotlib would not choose
    ax._autotitlepos = False
    try:
        ax.draw(renderer)
    finally:
        ax._autotitlepos = True
    kept = ax.title.get_position() == (placed[0], placed[1] + 0.5)
    ax.draw(renderer)  # placed again by matplotlib
    return kept and ax.title.get_position() == placed


TRICKS.update({"fast_image": _check_fast_image, "stamped_text": _check_stamped_text,
               "partial_redraw": _check_partial_redraw, "title_freeze": _check_title_freeze})
