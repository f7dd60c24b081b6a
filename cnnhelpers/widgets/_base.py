"""The machinery every slider experiment shares.

An experiment is a class with:

* ``controls``: a dict of ipywidgets, keyed by the argument names of ``update``;
* ``update(**values)``: pure computation plus redrawing the figure in place; it returns the arrays
  it computed, so tests call it directly, with no browser and no widget event;
* ``widget``: the controls, a message line and the figure, ready to ``display``.

A setting that cannot work (a kernel larger than the padded image, say) raises ValueError in
``update``; :class:`Experiment` catches it and shows its message in words instead of a traceback.
"""

from __future__ import annotations

import io
import struct
import zlib

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from PIL import Image

from ..plotting import grid_artists
from ._fast_image import speed_up_images

__all__ = ["LiveFigure", "Experiment", "empty_axes", "place_in_row", "show_array"]


class LiveFigure:
    """A matplotlib figure shown as an ``ipywidgets.Image`` and redrawn in place.

    Build the artists once (``imshow``, text), change their data in ``update`` and call
    :meth:`refresh`: only a new picture (JPEG by default, or PNG) travels to the browser, no new
    output area is created.

    Redrawing is incremental. Text is the slow part of a matplotlib draw, and most of it (colour
    bars, tick labels, the panels a slider does not touch) stays the same from one slider step to
    the next. So once the same axes have been drawn twice, :meth:`render` redraws only the axes
    whose artists changed (matplotlib marks them "stale") on top of the previous picture: it clears
    the pixels each of them painted last time and draws it again, noting which pixels it paints.
    A figure-level text whose string changes (a suptitle) is redrawn the same way. The layout engine
    runs only in full draws, that is when the figure's axes or artists change (``fig.clear()`` and
    new subplots, a new suptitle). Whatever the incremental path cannot handle (an axes or text
    painting over its neighbour, a figure border) gets a full draw; both
    paths give the same pixels (``tests/test_live_figure.py``).

    Images are drawn by :class:`~cnnhelpers.widgets._fast_image.FastImage`, which computes the
    pixels of an image panel with a few NumPy operations instead of matplotlib's general resampler
    (2 ms instead of 8-24 ms for a photograph).
    """

    #: Pixels added around each axes' tight bounding box after a full draw (antialiasing, glyph overhang).
    _MARGIN_PX = 3

    def __init__(self, figsize=(10, 4.5), dpi: int = 90, picture_format: str = "jpeg", **subplots_kw):
        if picture_format not in _ENCODERS:
            raise ValueError(f"picture_format must be one of {list(_ENCODERS)}; got {picture_format!r}")
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.picture_format = picture_format
        self.image = widgets.Image(format=picture_format, layout=widgets.Layout(max_width="100%", height="auto"))
        self._subplots_kw = subplots_kw
        self._drawn: tuple = ()  # (the axes, the canvas size) of the last draw
        self._boxes: dict | None = None  # axes -> pixel rectangle (x0, y0, x1, y1) it painted, display coords
        self._sent: bytes | None = None  # the RGBA pixels last sent to the browser
        self.full_draws = 0  # counters, for tests and speed measurements
        self.partial_draws = 0

    def subplots(self, nrows: int = 1, ncols: int = 1, **kwargs):
        """``Figure.subplots`` on this figure."""
        return self.figure.subplots(nrows, ncols, **{**self._subplots_kw, **kwargs})

    def render(self) -> np.ndarray:
        """Draw the figure and return it as an RGB array (H, W, 3)."""
        speed_up_images(self.figure)  # images the experiment added since the last draw
        if not self._draw_changed_panels():
            self._draw_everything()
        return np.asarray(self.figure.canvas.buffer_rgba())[..., :3]

    def refresh(self) -> None:
        """Redraw and send the new picture to the browser (nothing is sent if it did not change)."""
        self.render()
        rgba = np.asarray(self.figure.canvas.buffer_rgba())
        pixels = rgba.tobytes()
        if pixels == self._sent:
            return
        self._sent = pixels
        self.image.value = _ENCODERS[self.picture_format](rgba)

    # -- drawing ---------------------------------------------------------------------------------

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
        measure = bool(self._drawn) and self._same_panels()
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
        """Pixel rectangle (x0, y0, x1, y1) an axes or artist draws into, with a margin; None if hidden."""
        box = _pixels(panel.get_tightbbox(renderer) if panel.get_visible() else None)
        if box is None:
            return None
        m = self._MARGIN_PX
        return (box[0] - m, box[1] - m, box[2] + m, box[3] + m)

    def _draw_changed_panels(self) -> bool:
        """Redraw only the stale panels over the last picture; False when a full draw is needed.

        A panel is an axes (with its colour bar, titles, everything in it) or a figure-level
        artist such as a suptitle whose text changes with a slider.
        """
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
        height = rgba.shape[0]
        pixels = rgba.view(np.uint32)[..., 0]  # (H, W): one number per pixel, for fast comparisons
        background = np.round(np.asarray(fig.patch.get_facecolor()) * 255).astype(np.uint8)
        for box in (boxes.get(panel) for panel in redraw):
            if box is not None:
                x0, y0, x1, y1 = box
                rgba[max(height - y1, 0):max(height - y0, 0), max(x0, 0):max(x1, 0)] = background
        order = {panel: k for k, panel in enumerate(panels)}
        new_boxes = {}
        # Titles stay where the last full draw put them: matplotlib would otherwise measure every
        # tick label again to place each title (2 ms an axes), and only a full draw moves axes.
        frozen = [panel for panel in redraw if getattr(panel, "_autotitlepos", None)]
        painted_over = False
        try:
            for panel in frozen:
                panel._autotitlepos = False
            for panel in sorted(redraw, key=lambda panel: (panel.get_zorder(), order[panel])):  # as Figure.draw
                before = pixels.copy()
                panel.draw(renderer)
                new_boxes[panel] = box = _painted(pixels != before, height)
                painted_over = any(_overlap(box, other) for other in keep)  # over a neighbour
                if painted_over:
                    break
        finally:
            for panel in frozen:
                panel._autotitlepos = True
        if painted_over:
            self._draw_everything()
            return True
        boxes.update(new_boxes)
        fig.stale = False
        self.partial_draws += 1
        return True


def empty_axes(ax) -> None:
    """Remove every artist, title and label from ``ax`` but keep the axes itself.

    For panels whose content changes shape with a slider (a grid that grows with the padding):
    ``ax.clear()`` rebuilds the axes' tick machinery (about 18 ms an axes), and new axes force
    :class:`LiveFigure` to draw everything instead of only what changed. The artists of a
    :func:`~cnnhelpers.plotting.draw_grid` picture are hidden instead, for the next ``draw_grid``
    on this axes to reuse.
    """
    grid = grid_artists(ax)
    keep = set(map(id, grid.artists())) if grid is not None else set()
    for artist in [*ax.images, *ax.texts, *ax.collections, *ax.patches, *ax.lines, *ax.artists]:
        if id(artist) not in keep:
            artist.remove()
    if grid is not None:
        grid.hide()
    ax.set_title("")
    ax.set_xlabel("")
    ax.set_ylabel("")


def show_array(shown, picture: np.ndarray) -> None:
    """New data for an ``imshow`` artist, with the extent and axes limits of its shape (H, W[, 3])."""
    height, width = picture.shape[:2]
    shown.set_data(picture)
    shown.set_extent((-0.5, width - 0.5, height - 0.5, -0.5))
    shown.axes.set_xlim(-0.5, width - 0.5)
    shown.axes.set_ylim(height - 0.5, -0.5)


def place_in_row(axes, width_ratios, **margins) -> None:
    """Move ``axes`` to one row with the given relative widths (``GridSpec`` margins: left, wspace...)."""
    grid = GridSpec(1, len(axes), width_ratios=width_ratios, **margins)
    for k, ax in enumerate(axes):
        box = grid[0, k].get_position(ax.get_figure())
        if not np.allclose(box.bounds, ax.get_position(original=True).bounds):  # unmoved axes need no redraw
            ax.set_position(box)


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


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(rgb: np.ndarray) -> bytes:
    """An (H, W, 3) uint8 picture as PNG: "up" row filter and zlib level 1, twice as fast as PIL's.

    An (H, W, 4) RGBA picture is written without its alpha channel.
    """
    rgb = rgb[..., :3]
    height, width, _ = rgb.shape
    rows = np.ascontiguousarray(rgb).reshape(height, width * 3)
    raw = np.empty((height, width * 3 + 1), dtype=np.uint8)  # each row: filter type, then bytes
    raw[:, 0] = 2  # "up": each byte minus the byte above it (mod 256)
    raw[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=raw[1:, 1:])
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(raw, 1))
            + _png_chunk(b"IEND", b""))


def encode_jpeg(rgb: np.ndarray, quality: int = 95) -> bytes:
    """An (H, W, 3) RGB or (H, W, 4) RGBA uint8 picture as JPEG (alpha dropped), full colour resolution.

    The default for slider pictures: five times faster to encode than our PNG (4 ms against 18 ms
    for a 1170x414 figure) and 40% of its size, with no visible ringing around text at quality 95
    (no chroma subsampling). PIL drops the alpha channel of matplotlib's RGBA buffer itself, in a
    sixth of the time a contiguous RGB copy takes in NumPy.
    """
    picture = np.ascontiguousarray(rgb)
    image = Image.fromarray(picture)
    if picture.shape[2] == 4:
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, subsampling=0)
    return buffer.getvalue()


_ENCODERS = {"jpeg": encode_jpeg, "png": encode_png}


class Experiment:
    """Base class: wires ``controls`` to ``update`` and turns errors into a readable message."""

    controls: dict[str, widgets.Widget]

    def __init__(self):
        self.message = widgets.HTML(value="")
        self._widget = None

    def update(self, **values):  # pragma: no cover - each experiment defines it
        raise NotImplementedError

    def current_values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def safe_update(self, **values) -> bool:
        """Call ``update``; on a bad setting show its message and return False."""
        try:
            self.update(**values)
        except (ValueError, TypeError) as error:
            self.show_message(f"This setting cannot work: {error}", kind="error")
            return False
        except Exception as error:  # never a traceback in front of a student
            self.show_message(f"Something went wrong ({type(error).__name__}): {error}", kind="error")
            return False
        self.clear_message()
        return True

    def show_message(self, text: str, kind: str = "info") -> None:
        colour = {"error": "#B00020", "info": "#333333", "ok": "#1B7F3B"}[kind]
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self.message.value = f'<div style="color:{colour};font-size:15px">{escaped}</div>'

    def clear_message(self) -> None:
        self.message.value = ""

    def _on_change(self, _change=None) -> None:
        self.safe_update(**self.current_values())

    def output_widgets(self) -> list[widgets.Widget]:
        """What goes under the controls; experiments override to add more than the figure."""
        return [self.live.image] if hasattr(self, "live") else []

    @property
    def widget(self) -> widgets.Widget:
        """The whole experiment as one widget: controls, message line, output."""
        if self._widget is None:
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
            controls = widgets.HBox(list(self.controls.values()),
                                    layout=widgets.Layout(flex_flow="row wrap"))
            self._widget = widgets.VBox([controls, self.message, *self.output_widgets()])
            self._on_change()
        return self._widget

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)
