"""The public seam of every slider experiment: :class:`Experiment` and :class:`LiveFigure`.

An experiment is a class with:

* ``controls``: a dict of ipywidgets, keyed by the argument names of ``update``;
* ``update(**values)``: pure computation plus redrawing the figure in place; it returns the arrays
  it computed, so tests call it directly, with no browser and no widget event;
* ``widget``: the controls, a message line and the figure, ready to ``display``.

A setting that cannot work (a kernel larger than the padded image, say) raises ValueError in
``update``; :class:`Experiment` catches it and shows its message in words instead of a traceback.
"""

from __future__ import annotations

import html
import io
import struct
import zlib

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.image import AxesImage
from PIL import Image

from ._drawing import IncrementalDrawing, stamp_labels
from ._validate import choice, count, instance, real_array, string
from .plotting import check_axes, grid_artists

__all__ = ["LiveFigure", "Experiment", "empty_axes", "place_in_row", "show_array", "stamp_labels"]


class LiveFigure:
    """A matplotlib figure shown as an ``ipywidgets.Image`` and redrawn in place.

    Build the artists once (``imshow``, text), change their data in ``update`` and call
    :meth:`refresh`: only a new picture (JPEG by default, or PNG) travels to the browser, no new
    output area is created.

    Redrawing is fast: only the axes whose artists changed are drawn again, images become pixels
    through NumPy, and titles marked with :func:`stamp_labels` (and the numbers of
    :func:`~cnnhelpers.plotting.draw_grid`) are pasted from bitmaps rendered once. That machinery
    lives in the private module ``cnnhelpers._drawing``; it gives plain matplotlib's picture (up to
    antialiasing), and falls back to plain matplotlib where this matplotlib does not behave as it expects.
    ``full_draws`` and ``partial_draws`` count the two kinds of redraw.
    """

    def __init__(self, figsize=(10, 4.5), dpi: int = 90, picture_format: str = "jpeg", **subplots_kw):
        choice(picture_format, "picture_format", _ENCODERS)
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.picture_format = picture_format
        self.image = widgets.Image(format=picture_format, layout=widgets.Layout(max_width="100%", height="auto"))
        self._subplots_kw = subplots_kw
        self._drawing = IncrementalDrawing(self.figure)
        self._sent: bytes | None = None  # the RGBA pixels last sent to the browser

    @property
    def full_draws(self) -> int:
        """How many times the whole figure was drawn (layout included)."""
        return self._drawing.full_draws

    @property
    def partial_draws(self) -> int:
        """How many times only the changed panels were drawn again."""
        return self._drawing.partial_draws

    def subplots(self, nrows: int = 1, ncols: int = 1, **kwargs):
        """``Figure.subplots`` on this figure (at most ``MAX_PANELS`` panels)."""
        nrows, ncols = count(nrows, "nrows", maximum=MAX_PANELS), count(ncols, "ncols", maximum=MAX_PANELS)
        if nrows * ncols > MAX_PANELS:
            raise ValueError(f"nrows * ncols must be at most {MAX_PANELS} panels; got {nrows} * {ncols}")
        return self.figure.subplots(nrows, ncols, **{**self._subplots_kw, **kwargs})

    def render(self) -> np.ndarray:
        """Draw the figure and return it as an RGB array (H, W, 3)."""
        self._drawing.draw()
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


def empty_axes(ax) -> None:
    """Remove every artist, title and label from ``ax`` but keep the axes itself.

    For panels whose content changes shape with a slider (a grid that grows with the padding):
    ``ax.clear()`` rebuilds the axes' tick machinery (slow), and new axes force
    :class:`LiveFigure` to draw everything instead of only what changed. The artists of a
    :func:`~cnnhelpers.plotting.draw_grid` picture are hidden instead, for the next ``draw_grid``
    on this axes to reuse.
    """
    grid = grid_artists(check_axes(ax))
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
    instance(shown, "shown", AxesImage, "an imshow artist (AxesImage)")
    picture = real_array(picture, "picture", (2, 3), "(H, W) or (H, W, 3 or 4)")
    height, width = picture.shape[:2]
    shown.set_data(picture)
    shown.set_extent((-0.5, width - 0.5, height - 0.5, -0.5))
    shown.axes.set_xlim(-0.5, width - 0.5)
    shown.axes.set_ylim(height - 0.5, -0.5)


def place_in_row(axes, width_ratios, **margins) -> None:
    """Move ``axes`` to one row with the given relative widths (``GridSpec`` margins: left, wspace...)."""
    axes = np.atleast_1d(check_axes(axes, "axes", many=True))
    width_ratios = real_array(width_ratios, "width_ratios", (1,), "(one per axes,)")
    if len(width_ratios) != len(axes):
        raise ValueError(f"width_ratios must hold one number per axes ({len(axes)}); got {len(width_ratios)}")
    grid = GridSpec(1, len(axes), width_ratios=width_ratios, **margins)
    for k, ax in enumerate(axes):
        box = grid[0, k].get_position(ax.get_figure())
        if not np.allclose(box.bounds, ax.get_position(original=True).bounds):  # unmoved axes need no redraw
            ax.set_position(box)


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(rgb: np.ndarray) -> bytes:
    """An (H, W, 3) uint8 picture as PNG: "up" row filter and zlib level 1, faster than PIL's.

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

    The default for slider pictures: much faster to encode than our PNG and a fraction of its size,
    with no visible ringing around text at quality 95 (no chroma subsampling). PIL drops the alpha
    channel of matplotlib's RGBA buffer itself, faster than a contiguous RGB copy made in NumPy.
    """
    picture = np.ascontiguousarray(rgb)
    image = Image.fromarray(picture)
    if picture.shape[2] == 4:
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, subsampling=0)
    return buffer.getvalue()


MAX_PANELS = 64  # panels of a live figure: more could not be read, nor redrawn at slider speed
_ENCODERS = {"jpeg": encode_jpeg, "png": encode_png}


_MESSAGE_COLOURS = {"error": "#B00020", "info": "#333333", "ok": "#1B7F3B"}


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
        colour = _MESSAGE_COLOURS[choice(kind, "kind", _MESSAGE_COLOURS)]
        text = string(text, "text")
        self.message.value = f'<div style="color:{colour};font-size:15px">{html.escape(text, quote=False)}</div>'

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
