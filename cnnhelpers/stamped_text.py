"""Text that is rasterised once per string and then stamped: fast numbers for grids under a slider.

matplotlib (3.11) lays out and rasterises every string with FreeType on every draw: about 1 ms
for a "-3" on this machine, so a 7x7 grid of numbers costs 50 ms per redraw, most of a slider
step. :class:`StampedText` is a :class:`matplotlib.text.Text` (it is in ``ax.texts``, ``set_text``
works, layouts measure it as usual) whose Agg drawing reuses a bitmap rendered once for the same
string, font, colour and alignment, and pastes it at the anchor: 20 times faster. Rotated,
multi-line or math text, and non-Agg output (PDF, SVG), draw the ordinary way.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

__all__ = ["StampedText", "stamp_labels"]

#: (string, font, colour, alignment, dpi, antialiased) -> (RGBA bitmap (h, w, 4) bottom-up, dx, dy from the anchor)
_STAMPS: dict[tuple, tuple[np.ndarray, int, int]] = {}
_MAX_STAMPS = 4096  # the numbers of a few grids; cleared when full


class StampedText(Text):
    """A ``Text`` drawn from a cached bitmap on Agg canvases. Same arguments as ``Text``."""

    def draw(self, renderer) -> None:
        text = self.get_text()
        plain = (text and "\n" not in text and "$" not in text and self.get_rotation() == 0
                 and not self.get_usetex() and type(renderer) is RendererAgg)
        if not self.get_visible() or not plain:
            return super().draw(renderer)
        x, y = self.get_transform().transform(self.get_unitless_position())
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        bitmap, dx, dy = _stamp(self, renderer.dpi)
        gc = renderer.new_gc()
        self._set_gc_clip(gc)
        renderer.draw_image(gc, round(x) + dx, round(y) + dy, bitmap)
        gc.restore()
        self.stale = False
        return None


def stamp_labels(ax) -> None:
    """Draw the title and axis labels of ``ax`` as :class:`StampedText` from now on.

    For panels whose titles come from a few slider settings ("padding 2", "output 5x5"): each
    string is rendered once (about 5 ms) and then pasted, where a plain title costs 2-4 ms at every
    redraw. Titles that change continuously (a value range) are better left plain.
    """
    for text in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label):
        text.__class__ = StampedText  # a subclass that adds no state: the object stays as it is


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
