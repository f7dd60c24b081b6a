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

import struct
import zlib

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["LiveFigure", "Experiment"]


class LiveFigure:
    """A matplotlib figure shown as an ``ipywidgets.Image`` and redrawn in place.

    Build the artists once (``imshow``, text), change their data in ``update`` and call
    :meth:`refresh`: only a new PNG travels to the browser, no new output area is created.

    Redrawing is incremental. Text is the slow part of a matplotlib draw, and most of it (colour
    bars, tick labels, the panels a slider does not touch) stays the same from one slider step to
    the next. So after a full draw, :meth:`render` redraws only the axes whose artists changed
    (matplotlib marks them "stale") on top of the previous picture, after clearing the region they
    cover; the layout engine runs only when the figure's axes change (``fig.clear()`` and new
    subplots, say). What the incremental path cannot handle (a changed figure-level text,
    overlapping axes, a figure border) gets a full draw; both paths give the same pixels.
    """

    #: Pixels cleared around each redrawn axes' tight bounding box (antialiasing, glyph overhang).
    _MARGIN_PX = 3

    def __init__(self, figsize=(10, 4.5), dpi: int = 90, **subplots_kw):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self._subplots_kw = subplots_kw
        self._drawn_key = None  # the axes and size of the last full draw
        self._boxes: dict = {}  # axes -> (pixel rectangle it drew into, the signature it was measured with)
        self._sent: bytes | None = None  # the RGBA pixels last sent to the browser
        self.full_draws = 0  # counters, for tests and speed measurements
        self.partial_draws = 0

    def subplots(self, nrows: int = 1, ncols: int = 1, **kwargs):
        """``Figure.subplots`` on this figure."""
        return self.figure.subplots(nrows, ncols, **{**self._subplots_kw, **kwargs})

    def render(self) -> np.ndarray:
        """Draw the figure and return it as an RGB array (H, W, 3)."""
        if not self._draw_changed_axes():
            self._draw_everything()
        return np.asarray(self.figure.canvas.buffer_rgba())[..., :3]

    def refresh(self) -> None:
        """Redraw and send the new picture to the browser (nothing is sent if it did not change)."""
        picture = self.render()
        pixels = bytes(self.figure.canvas.buffer_rgba())
        if pixels == self._sent:
            return
        self._sent = pixels
        self.image.value = encode_png(picture)

    # -- drawing ---------------------------------------------------------------------------------

    def _key(self) -> tuple:
        fig = self.figure
        return (tuple(id(ax) for ax in fig.axes), tuple(fig.bbox.size), fig.dpi)

    def _draw_everything(self) -> None:
        """A full draw (layout engine included); remember where every axes drew."""
        canvas = self.figure.canvas
        canvas.draw()
        renderer = canvas.get_renderer()
        self._boxes = {ax: (self._extent(ax, renderer), _signature(ax)) for ax in self.figure.axes}
        for ax in self.figure.axes:  # measuring them updated their ticks, which changed nothing visible
            ax.stale = False
        self.figure.stale = False
        self._drawn_key = self._key()
        self.full_draws += 1

    def _extent(self, ax, renderer) -> tuple[int, int, int, int] | None:
        """Pixel rectangle (x0, y0, x1, y1) the axes draws into, with a margin; None if hidden."""
        box = _pixels(ax.get_tightbbox(renderer) if ax.get_visible() else None)
        if box is None:
            return None
        m = self._MARGIN_PX
        return (box[0] - m, box[1] - m, box[2] + m, box[3] + m)

    def _new_extent(self, ax, renderer):
        """Where the axes will draw now: measured again only if its decorations may have moved."""
        old, signature = self._boxes.get(ax, (None, None))
        new_signature = _signature(ax)
        if old is not None and new_signature == signature:
            return old, signature
        return self._extent(ax, renderer), new_signature

    def _draw_changed_axes(self) -> bool:
        """Redraw only the stale axes over the last picture; False when a full draw is needed."""
        fig = self.figure
        if self._drawn_key != self._key() or fig.subfigs or fig.patch.get_linewidth() > 0:
            return False
        if fig.patch.get_alpha() not in (None, 1) or fig.patch.get_facecolor()[3] != 1:
            return False
        figure_artists = [*fig.texts, *fig.images, *fig.lines, *fig.patches, *fig.legends, *fig.artists]
        if any(artist.stale for artist in figure_artists):
            return False
        todo = [ax for ax in fig.axes if ax.stale]
        if not todo:
            return False  # nothing marked as changed: draw everything, to be safe
        renderer = fig.canvas.get_renderer()
        new_boxes: dict = {}
        regions: list = []
        queue = list(todo)
        while queue:  # the axes to redraw, and every axes whose old picture they overlap
            ax = queue.pop()
            new_boxes[ax] = self._new_extent(ax, renderer)
            regions += [box for box in (self._boxes.get(ax, (None,))[0], new_boxes[ax][0]) if box is not None]
            for other in fig.axes:
                if other not in new_boxes and other not in queue and any(
                        _overlap(self._boxes.get(other, (None,))[0], box) for box in regions):
                    queue.append(other)
        for artist in figure_artists:
            if artist.get_visible() and any(_overlap(_pixels(artist.get_window_extent(renderer)), box)
                                            for box in regions):
                return False
        pixels = np.asarray(renderer.buffer_rgba())  # (H, W, 4), rows top-down; a writable view
        height = pixels.shape[0]
        background = np.round(np.asarray(fig.patch.get_facecolor()) * 255).astype(np.uint8)
        for x0, y0, x1, y1 in regions:
            pixels[max(height - y1, 0):max(height - y0, 0), max(x0, 0):max(x1, 0)] = background
        order = {ax: k for k, ax in enumerate(fig.axes)}
        for ax in sorted(new_boxes, key=lambda ax: (ax.get_zorder(), order[ax])):  # as Figure.draw does
            position = ax.bbox.bounds
            ax.draw(renderer)
            if ax.bbox.bounds != position:  # the aspect moved the axes: measure it afresh
                box = self._extent(ax, renderer)
                if box is not None and not any(_inside(box, region) for region in regions):
                    self._draw_everything()  # it may have drawn over a neighbour
                    return True
                new_boxes[ax] = (box, _signature(ax))
                ax.stale = False
        self._boxes.update(new_boxes)
        fig.stale = False
        self.partial_draws += 1
        return True


def _signature(ax) -> tuple:
    """What decides where an axes' decorations reach: position, limits, ticks, texts, children."""
    texts = tuple((text.get_text(), text.get_position(), text.get_fontsize(), text.get_visible(), text.get_rotation())
                  for text in ax.texts)
    titles = tuple(ax.get_title(loc) for loc in ("left", "center", "right"))
    return (ax.bbox.bounds, ax.get_xlim(), ax.get_ylim(), tuple(ax.get_xticks()), tuple(ax.get_yticks()),
            titles, ax.get_xlabel(), ax.get_ylabel(), ax.axison, ax.xaxis.get_visible(), ax.yaxis.get_visible(),
            len(ax.get_children()), id(ax.get_legend()), texts)


def _pixels(box) -> tuple[int, int, int, int] | None:
    if box is None or not np.isfinite(box.bounds).all():
        return None
    return (int(np.floor(box.x0)), int(np.floor(box.y0)), int(np.ceil(box.x1)), int(np.ceil(box.y1)))


def _overlap(a, b) -> bool:
    return a is not None and b is not None and a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(a, b) -> bool:
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(rgb: np.ndarray) -> bytes:
    """An (H, W, 3) uint8 picture as PNG: "up" row filter and zlib level 1, twice as fast as PIL's."""
    height, width, _ = rgb.shape
    rows = np.ascontiguousarray(rgb).reshape(height, width * 3)
    raw = np.empty((height, width * 3 + 1), dtype=np.uint8)  # each row: filter type, then bytes
    raw[:, 0] = 2  # "up": each byte minus the byte above it (mod 256)
    raw[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=raw[1:, 1:])
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(raw, 1))
            + _png_chunk(b"IEND", b""))


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
