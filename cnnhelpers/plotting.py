"""What several notebooks draw: slide-style annotated grids, image rows, colour bars, a lecture style,
and two small helpers the lessons share (a position check and a text-table formatter).

Colour language (the same in every notebook; :func:`color_scale` applies it, so a figure cannot
get it wrong):

* **Pictures and unsigned results are grey**, larger = brighter, 0 = black: photographs, number
  grids of pixels, blurred or sharpened photos, pooled maps, counts. (``gray``)
* **Signed results use one diverging map centred on zero** (``RdBu_r``: red positive, blue
  negative, white 0), always with a colour bar (or the numbers written in the cells).
* **One rule decides which** (:func:`is_signed`): a filtered photograph is *signed* when its
  kernel's weights sum to about zero or less (edge, line and corner detectors: flat regions give 0,
  changes give either sign), and a *picture* when they sum to more than zero (blur, sharpen: the
  output is again an image, whose overshoots saturate). Everything else, number grids included,
  is signed when it has a negative value.
* **Highlights** (windows, outlines, the current cell) take colours from one categorical palette,
  :data:`HIGHLIGHTS` (Okabe-Ito, readable for every common kind of colour vision), first
  :data:`HIGHLIGHT` (orange).

Numbers written on cells are black on light cells and white on dark ones.

What figure functions return, everywhere in the package:

* ``show_*(...)`` makes a whole figure (or fills the ``fig`` it is given, cleared first) and
  returns the Figure, nothing else. The numbers a figure shows come from a function of their own
  (``neighbor_correlation`` next to ``show_neighbor_correlation``), so a notebook prints them
  without drawing twice.
* ``draw_*(ax, ...)`` draws into the axes it is given and returns the artist a caller updates
  later (:func:`draw_grid`: the cells' ``AxesImage``), or None when there is none.

Figures default to reading (laptop) sizes; ``use_lecture_style(True)`` switches to projector sizes.

Inside IPython, a figure shown inline carries its title as alt text (:func:`alt_text`, in the
output's ``image/png`` metadata), which the HTML export writes into the page.

Identifiers use matplotlib's spelling (``color``, ``gray``); prose may use British English.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Colormap, Normalize, TwoSlopeNorm
from matplotlib.figure import FigureBase
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from ._drawing import StampedText, stamp_labels  # grid numbers pasted from bitmaps: grids redraw under sliders
from ._validate import count as check_count
from ._validate import describe, flag, instance, real_array, real_number, string, strings

__all__ = ["SIGNED_CMAP", "UNSIGNED_CMAP", "IMAGE_CMAP", "HIGHLIGHT", "HIGHLIGHTS", "ColorScale", "color_scale",
           "is_signed", "text_color", "show_map", "alt_text", "lecture_style", "use_lecture_style", "draw_grid",
           "ScaledColorBar", "show_images", "show_kernel_step", "signed_norm", "check_position", "format_table",
           "panel_row"]

SIGNED_CMAP = "RdBu_r"
IMAGE_CMAP = "gray"
UNSIGNED_CMAP = IMAGE_CMAP  # an unsigned result is drawn like a picture: larger = brighter
# Okabe-Ito: distinguishable for every common colour-vision type; orange first (windows, outlines).
HIGHLIGHTS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
HIGHLIGHT = HIGHLIGHTS[0]

_BASE_STYLE = {"figure.dpi": 100, "font.size": 12, "axes.titlesize": 14, "axes.labelsize": 12,
               "image.cmap": IMAGE_CMAP, "figure.figsize": (8, 4.5)}
_LECTURE_STYLE = {"figure.dpi": 100, "font.size": 17, "axes.titlesize": 20, "axes.labelsize": 17,
                  "xtick.labelsize": 14, "ytick.labelsize": 14, "legend.fontsize": 15,
                  "image.cmap": IMAGE_CMAP, "figure.figsize": (12, 6.5)}


def use_lecture_style(on: bool = True) -> None:
    """Switch every later figure to projector sizes (``on=True``) or back to reading sizes.

    The notebooks start at reading sizes (laptop); a lecturer runs ``use_lecture_style(True)`` once.

    Examples
    --------
    >>> use_lecture_style(True); use_lecture_style(False)
    """
    mpl.rcParams.update(_LECTURE_STYLE if on else _BASE_STYLE)


@contextmanager
def lecture_style():
    """Projector sizes inside a ``with`` block only."""
    with mpl.rc_context(_LECTURE_STYLE):
        yield


def signed_norm(values, robust: bool = False) -> TwoSlopeNorm:
    """A colour norm centred on zero and symmetric, so white always means 0.

    With ``robust=True`` the colours saturate at the 99.5th percentile of ``|values|``, so that a
    few extreme pixels do not wash every other value out to white.
    """
    magnitudes = np.abs(np.asarray(values, dtype=float))
    magnitudes = magnitudes[np.isfinite(magnitudes)]
    if not magnitudes.size:
        limit = 1.0
    else:
        limit = float(np.percentile(magnitudes, 99.5) if robust else magnitudes.max())
    limit = limit if np.isfinite(limit) and limit > 0 else 1.0
    return TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)


def is_signed(values=None, *, kernel=None) -> bool:
    """The colour rule's one question: is this result signed (diverging map) or a picture (grey)?

    Give ``kernel`` for a filtered photograph: it is signed when the kernel's weights sum to about
    zero or less (under 5% of the weights' total size: edge and line detectors), a picture when
    they sum to more than that (blur, sharpen: the overshoots of a sharpened photo do not make it
    signed). Everything else (number grids included) is signed when one of its ``values`` is
    negative.

    Examples
    --------
    >>> is_signed(kernel=[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]), is_signed(kernel=[[-1, 0, 1]] * 3)
    (False, True)
    >>> is_signed(kernel=[[-0.5, 0.0, 0.52]])  # a learned edge detector: sums to about zero
    True
    >>> is_signed([[0.0, -0.5]]), is_signed([[0.0, 2.0]])
    (True, False)
    """
    if kernel is not None:
        weights = real_array(kernel, "kernel")
        # "About zero": a learned edge detector's weights never sum to exactly 0. A twentieth of
        # the weights' total size is far below a picture kernel's (sharpen: 1 of 9).
        return bool(weights.sum() <= 0.05 * float(np.abs(weights).sum()))
    finite = real_array(values, "values")
    finite = finite[np.isfinite(finite)]
    return bool(finite.size and finite.min() < 0)


@dataclass(frozen=True)
class ColorScale:
    """A colour map and a norm chosen by :func:`color_scale`; ``imshow(values, **scale.kwargs)``."""

    cmap: str | Colormap
    norm: Normalize

    @property
    def signed(self) -> bool:
        """True for the diverging map centred on zero."""
        return self.cmap == SIGNED_CMAP

    @property
    def kwargs(self) -> dict:
        """``cmap`` and ``norm``, for ``imshow`` or ``set_cmap``/``set_norm``."""
        return {"cmap": self.cmap, "norm": self.norm}

    def rgba(self, values) -> np.ndarray:
        """The colours of ``values``, shape ``values.shape + (4,)``."""
        cmap = self.cmap if isinstance(self.cmap, Colormap) else mpl.colormaps[self.cmap]
        return cmap(self.norm(np.asarray(values, dtype=float)))


def color_scale(values, *, kernel=None, signed: bool | None = None, robust: bool = False) -> ColorScale:
    """The colour map and norm of the series' colour language for ``values``.

    Signed results (see :func:`is_signed`) get :data:`SIGNED_CMAP` with a norm symmetric about
    zero (white = 0); everything else gets grey from 0 (black) to the largest value (white).

    Parameters
    ----------
    values : array
        The data to draw (any shape; NaN ignored).
    kernel : array, optional
        The kernel that produced ``values``: its weights' sum decides signed or picture.
    signed : bool, optional
        Overrides the rule (for data whose meaning the caller knows, such as a gradient).
    robust : bool
        Saturate at the 99.5th percentile of the magnitudes, so a few extreme pixels do not wash
        every other value out.

    Returns
    -------
    ColorScale

    Examples
    --------
    >>> scale = color_scale([[0.0, 2.0], [1.0, 4.0]])
    >>> scale.cmap, scale.norm.vmin, scale.norm.vmax
    ('gray', 0.0, 4.0)
    >>> scale = color_scale([[-1.0, 3.0]])
    >>> scale.cmap, scale.norm.vmin, scale.norm.vcenter, scale.norm.vmax
    ('RdBu_r', -3.0, 0.0, 3.0)
    """
    values = real_array(values, "values")
    signed = is_signed(values, kernel=kernel) if signed is None else flag(signed, "signed")
    robust = flag(robust, "robust")
    if signed:
        return ColorScale(SIGNED_CMAP, signed_norm(values, robust=robust))
    finite = values[np.isfinite(values)]
    high = float(np.percentile(finite, 99.5) if robust else finite.max()) if finite.size else 1.0
    return ColorScale(IMAGE_CMAP, Normalize(0.0, high if np.isfinite(high) and high > 0 else 1.0))


def text_color(rgba) -> str:
    """``"black"`` on a light colour, ``"white"`` on a dark one (by relative luminance).

    Examples
    --------
    >>> text_color((1, 1, 1, 1)), text_color((0, 0, 0, 1)), text_color((0.1, 0.2, 0.6, 1))
    ('black', 'white', 'white')
    """
    rgba = real_array(rgba, "rgba", (1,), "(3,) or (4,): red, green, blue[, alpha]")
    if len(rgba) not in (3, 4):
        raise ValueError(f"rgba must hold 3 or 4 numbers (red, green, blue[, alpha]); got {len(rgba)}")
    red, green, blue = (float(channel) for channel in rgba[:3])
    return "black" if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.45 else "white"


def show_map(ax, values, *, kernel=None, signed: bool | None = None, robust: bool = False,
             colorbar: bool = True, **imshow_kw):
    """Draw a 2-D result in the colour language (:func:`color_scale`), with a colour bar.

    Returns
    -------
    The ``AxesImage``.
    """
    check_axes(ax)
    scale = color_scale(values, kernel=kernel, signed=signed, robust=robust)
    shown = ax.imshow(values, **scale.kwargs, **imshow_kw)
    if flag(colorbar, "colorbar"):
        ax.figure.colorbar(shown, ax=ax, shrink=0.8)
    ax.set_xticks([])
    ax.set_yticks([])
    return shown


def draw_grid(ax, values, *, title: str | None = None, highlight=None, fmt: str = "{:g}",
              cmap: str | None = None, signed: bool | None = None, kernel=None, norm: Normalize | None = None,
              fontsize: float | None = None, highlight_color: str = HIGHLIGHT):
    """Draw a small 2-D array as an annotated grid of numbers, like the lecture's tables.

    Cells follow the colour language (:func:`color_scale`): grey, larger = brighter, for pixels
    and other unsigned numbers; the diverging map centred on zero for signed ones. Each number is
    black on a light cell and white on a dark one.

    Parameters
    ----------
    ax : matplotlib Axes
    values : array of shape (H, W)
        NaN cells are drawn blank.
    title : str, optional
    highlight : (row, col, height, width), optional
        A window to outline, such as the kernel's current position.
    fmt : str
        Format for each number.
    cmap : str, optional
        Overrides the colour language's map (keep the default unless the cells mean something else).
    signed : bool, optional
        Treat the data as signed (centre the colours on zero). Default: :func:`is_signed`.
    kernel : array, optional
        The kernel whose output ``values`` are: its weights' sum decides signed or picture.
    norm : Normalize, optional
        A scale shared with other grids (e.g. ``signed_norm`` of a whole bank of kernels).

    Returns
    -------
    The ``AxesImage`` of the cells.
    """
    values = real_array(values, "values", (2,), "(rows, columns)").astype(float)
    check_axes(ax)
    title, fmt = string(title, "title", optional=True), string(fmt, "fmt")
    fontsize = None if fontsize is None else real_number(fontsize, "fontsize", positive=True)
    grid = grid_artists(ax)
    if grid is None:  # a first grid here, or its artists were removed
        grid = _GRIDS[ax] = _Grid(ax)
    scale = color_scale(values, kernel=kernel, signed=signed)
    if cmap is not None or norm is not None:
        scale = ColorScale(scale.cmap if cmap is None else cmap, scale.norm if norm is None else norm)
    return grid.show(values, title=title, highlight=highlight, fmt=fmt, scale=scale,
                     fontsize=fontsize, highlight_color=highlight_color)


class _Grid:
    """The artists of one :func:`draw_grid` picture, kept so that drawing another grid reuses them.

    Under a slider the grid changes at every step; building a few hundred text artists again
    costs more than drawing them. :func:`cnnhelpers.live.empty_axes` hides these artists
    instead of removing them, and the next ``draw_grid`` on the same axes updates them.
    """

    def __init__(self, ax):
        self.ax = ax
        self.image = ax.imshow(np.zeros((1, 1)), interpolation="none")  # flat cells need no resampling filter
        self.texts: list[StampedText] = []
        # Two line collections draw every cell border (a tick-based grid is several times slower).
        # Mid-grey borders stay visible between black cells and between white ones.
        self.hlines = ax.hlines([], 0, 1, color="0.55", linewidth=1)
        self.vlines = ax.vlines([], 0, 1, color="0.55", linewidth=1)
        self.highlight: Rectangle | None = None  # made on the first highlight

    def artists(self) -> list:
        extra = [self.highlight] if self.highlight is not None else []
        return [self.image, *self.texts, self.hlines, self.vlines, *extra]

    def show(self, values, *, title, highlight, fmt, scale: ColorScale, fontsize, highlight_color):
        ax = self.ax
        rows, cols = values.shape
        self.image.set_data(values)
        self.image.set_cmap(scale.cmap)
        self.image.set_norm(scale.norm)
        self.image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        self.image.set_visible(True)
        size = fontsize or max(8.0, min(16.0, 120.0 / max(values.shape)))
        colors = scale.rgba(values)
        cells = [(i, j, fmt.format(value), text_color(colors[i, j])) for (i, j), value in np.ndenumerate(values)
                 if not np.isnan(value)]  # NaN cells stay blank: "not computed yet"
        while len(self.texts) < len(cells):
            self.texts.append(ax.add_artist(StampedText(0, 0, "", ha="center", va="center", color="black")))
        for text, (i, j, label, color) in zip(self.texts, cells, strict=False):
            if text.get_position() != (j, i):
                text.set_position((j, i))
            text.set_text(label)
            text.set_color(color)
            text.set_fontsize(size)
            text.set_visible(True)
        for text in self.texts[len(cells):]:
            text.set_visible(False)
        self.hlines.set_segments([[(-0.5, y), (cols - 0.5, y)] for y in np.arange(-0.5, rows)])
        self.vlines.set_segments([[(x, -0.5), (x, rows - 0.5)] for x in np.arange(-0.5, cols)])
        self.hlines.set_visible(True)
        self.vlines.set_visible(True)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
        if highlight is not None:
            row, col, height, width = highlight
            if self.highlight is None:
                self.highlight = ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, linewidth=4))
            self.highlight.set_bounds(col - 0.5, row - 0.5, width, height)
            self.highlight.set_edgecolor(highlight_color)
        if self.highlight is not None:
            self.highlight.set_visible(highlight is not None)
        if title:
            ax.set_title(title)
        return self.image

    def hide(self) -> None:
        for artist in self.artists():
            artist.set_visible(False)


_GRIDS: WeakKeyDictionary = WeakKeyDictionary()  # axes -> its _Grid


def grid_artists(ax) -> _Grid | None:
    """The reusable :func:`draw_grid` artists of ``ax``, if it has any."""
    grid = _GRIDS.get(ax)
    return grid if grid is not None and grid.image.axes is ax else None


class ScaledColorBar:
    """A colour bar whose range follows the data at every slider step, without being rebuilt.

    A matplotlib colour bar tied to an image rebuilds itself whenever the image's limits change
    (slow, with the "extend" triangles), then redraws its ticks. This one is drawn once for
    a fixed range (-1..1 when ``signed``, else 0..1) and only relabels its five ticks as multiples
    of ``limit``: the images keep their own data and call ``set_clim`` with the limit
    :meth:`set_limit` returns (``(-limit, limit)`` when signed, ``(0, limit)`` otherwise).

    That limit is the data's, rounded up to a "nice" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8
    times a power of ten): round tick labels, and a bar that needs no redraw while a slider moves
    the data's range only a little.

    Examples
    --------
    >>> ScaledColorBar.nice_limit(3.7), ScaledColorBar.nice_limit(0.013), ScaledColorBar.nice_limit(0)
    (4.0, 0.015, 1.0)
    """

    _NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)

    def __init__(self, figure, cmap, limit: float = 1.0, *, signed: bool = True, label: str = "", **colorbar_kw):
        check_figure(figure, "figure", optional=False)
        self.limit = real_number(limit, "limit", positive=True)
        self.signed = flag(signed, "signed")
        self.label = string(label, "label")
        if colorbar_kw.get("ax") is not None:
            check_axes(colorbar_kw["ax"], many=True)
        low = -1.0 if signed else 0.0
        self.colorbar = figure.colorbar(ScalarMappable(Normalize(low, 1), cmap), ticks=np.linspace(low, 1, 5),
                                        format=FuncFormatter(self._tick_label), **colorbar_kw)
        self._relabel()

    def _power(self) -> int:
        """The power of ten taken out of the tick labels (0 unless the limit is tiny or huge)."""
        power = int(np.floor(np.log10(self.limit)))
        return power if power < -2 or power > 3 else 0

    def _tick_label(self, value, _position=None) -> str:
        return f"{value * self.limit / 10.0 ** self._power():.3g}"

    def _relabel(self) -> None:
        """The bar's label, with the power of ten the tick labels leave out (keeps them short)."""
        power = self._power()
        scale = f"×10{str(power).translate(_SUPERSCRIPTS)}" if power else ""
        text = f"{self.label} ({scale})" if self.label and scale else (self.label or scale)
        self.colorbar.set_label(text)

    @classmethod
    def nice_limit(cls, limit: float) -> float:
        """The smallest nice number >= ``limit`` (1.0 for a limit that is not a positive number)."""
        if not (np.isfinite(limit) and limit > 0):
            return 1.0
        scale = 10.0 ** np.floor(np.log10(limit))
        mantissa = next(nice for nice in cls._NICE if nice * scale >= limit * (1 - 1e-12))
        return float(f"{mantissa * scale:.3g}")

    def set_limit(self, limit: float) -> float:
        """Show ``nice_limit(limit)`` at the top of the bar; returns it, for the images' ``set_clim``."""
        nice = self.nice_limit(float(limit))
        if nice != self.limit:
            self.limit = nice
            self._relabel()
            self.colorbar.ax.stale = True  # new tick labels at the next (partial) redraw
        return nice


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def show_images(images, titles=None, *, cmaps=None, signed=None, kernels=None, colorbar: bool = True,
                ncols: int | None = None, size: float = 4.0, suptitle: str | None = None, robust: bool = False):
    """Show images side by side with titles and colour bars, in the colour language.

    Parameters
    ----------
    images : sequence of 2-D arrays (or (H, W, 3) colour images)
    titles : sequence of str, optional
    cmaps : sequence of str, optional
        Per image, overriding the colour language (keep the default unless you mean it).
    signed : sequence of bool, optional
        Per image: draw as signed (diverging, centred on zero) or as a picture (grey).
        Default: :func:`is_signed` of the image, or of its kernel when ``kernels`` is given.
    kernels : sequence of (array or None), optional
        Per image, the kernel that produced it: weights summing to more than zero make a picture.
    colorbar : bool
        Draw a colour bar next to each single-channel image.
    robust : bool
        Colours saturate at the 99.5th percentile of the magnitudes (see :func:`signed_norm`).

    Returns
    -------
    fig : matplotlib Figure
    """
    if not isinstance(images, (list, tuple)) or not images:
        raise TypeError(f"images must be a non-empty list of 2-D arrays or (H, W, 3) pictures; got {describe(images)}")
    images = [real_array(image, f"images[{k}]", (2, 3), "(H, W) or (H, W, 3)") for k, image in enumerate(images)]
    count = len(images)
    titles, cmaps, signed, kernels = (_per_image(values, name, count) for values, name in
                                      ((titles, "titles"), (cmaps, "cmaps"), (signed, "signed"), (kernels, "kernels")))
    ncols = count if ncols is None else min(check_count(ncols, "ncols"), count)  # no empty columns
    size = real_number(size, "size", positive=True)
    colorbar, robust = flag(colorbar, "colorbar"), flag(robust, "robust")
    suptitle = string(suptitle, "suptitle", optional=True)
    nrows = -(-count // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols * 1.15, size * nrows), squeeze=False,
                             layout="constrained")
    for k, ax in enumerate(axes.flat):
        if k >= count:
            ax.set_visible(False)
            continue
        image = images[k]
        if image.ndim == 3:
            shown = ax.imshow(np.clip(image, 0, 1) if image.dtype.kind == "f" else image)
        else:
            scale = color_scale(image, kernel=kernels[k] if kernels is not None else None,
                                signed=signed[k] if signed is not None else None, robust=robust)
            shown = ax.imshow(image, cmap=cmaps[k] if cmaps else scale.cmap, norm=scale.norm)
        if colorbar and image.ndim == 2:
            fig.colorbar(shown, ax=ax, shrink=0.8)
        if titles is not None:
            ax.set_title(titles[k])
        ax.set_xticks([])
        ax.set_yticks([])
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def _per_image(values, name: str, count: int) -> list | None:
    """None, or a list or tuple with one entry per image (at least ``count``)."""
    if values is not None and (not isinstance(values, (list, tuple)) or len(values) < count):
        raise TypeError(f"{name} must be None or a list with one entry per image ({count}); got {describe(values)}")
    return values


def show_kernel_step(image, kernel, position: tuple[int, int] | None = None, *, stride=1, padding=0,
                     titles=("input", "kernel", "output"), fig=None):
    """The slides' picture of one convolution step: padded input with the window, kernel, output.

    The output grid shows every value up to and including ``position`` (row-major), the rest
    blank, and the title of the output spells out the current sum of products.

    Parameters
    ----------
    image : array of shape (H, W)
    kernel : array of shape (KH, KW)
    position : (row, col) of the output cell being computed; default the first.
    stride, padding : int
        As for :func:`cnnhelpers.correlate2d` (ints here, to keep the picture simple).
    fig : matplotlib Figure, optional
        Drawn into (cleared first), e.g. a :class:`cnnhelpers.live.LiveFigure`'s figure.

    Returns
    -------
    fig : matplotlib Figure
        Padded input with the window, kernel, and the output filled in up to ``position``.

    Raises
    ------
    ValueError
        If ``position`` lies outside the output, or the kernel does not fit (from ``correlate2d``).
    """
    from .conv import correlate2d

    image = np.asarray(image, dtype=float)
    check_figure(fig)
    titles = strings(titles, "titles", 3, optional=False)
    kernel = np.asarray(kernel, dtype=float)
    output = correlate2d(image, kernel, stride=stride, padding=padding)
    row, col = check_position((0, 0) if position is None else position, output.shape)
    padded = np.pad(image, padding)
    kh, kw = kernel.shape
    top, left = row * stride, col * stride
    patch = padded[top:top + kh, left:left + kw]
    shown = np.full(output.shape, np.nan)
    done = np.arange(output.size).reshape(output.shape) <= row * output.shape[1] + col
    shown[done] = output[done]

    if fig is None:
        fig = plt.figure(figsize=(4 + 0.55 * (padded.shape[1] + kw + output.shape[1]), 4.2), layout="constrained")
    else:
        fig.clear()
    widths = [padded.shape[1], kw, output.shape[1]]
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": widths})
    draw_grid(axes[0], padded, title=titles[0] + (f" (padding {padding})" if padding else ""),
              highlight=(top, left, kh, kw), signed=False)
    if padding:  # outline the original image inside the zeros
        axes[0].add_patch(Rectangle((padding - 0.5, padding - 0.5), image.shape[1], image.shape[0],
                                    fill=False, edgecolor=HIGHLIGHTS[2], linewidth=2.5, linestyle="--"))
    draw_grid(axes[1], kernel, title=titles[1])
    # A grid of numbers shows its signs: signed when it has a negative value (the slides' K sums to 1
    # but is no photo filter) or when its kernel's weights sum to 0 or less (Sobel's lone 2 too).
    signed = is_signed(output) or is_signed(kernel=kernel)
    draw_grid(axes[2], shown, title=titles[2], highlight=(row, col, 1, 1), signed=signed)
    pairs = zip(patch.ravel(), kernel.ravel(), strict=True)
    terms = " + ".join(f"{p:g}·{k:g}" if k >= 0 else f"{p:g}·({k:g})" for p, k in pairs)
    fig.suptitle(f"output[{row}, {col}] = {terms} = {output[row, col]:g}", fontsize="large")
    return fig


def check_axes(ax, name: str = "ax", many: bool = False):
    """``ax`` if it is a matplotlib Axes (``many``: or a non-empty sequence of them), else TypeError."""
    if many and isinstance(ax, (list, tuple, np.ndarray)) and len(ax) and all(isinstance(a, Axes) for a in ax):
        return ax
    return instance(ax, name, Axes, "a matplotlib Axes" + (" or a list of them" if many else ""))


def check_figure(fig, name: str = "fig", optional: bool = True):
    """``fig`` if it is a matplotlib Figure (or SubFigure; or None when ``optional``), else TypeError."""
    kinds = (FigureBase, type(None)) if optional else FigureBase
    return instance(fig, name, kinds, "a matplotlib Figure" + (" or None" if optional else ""))


def check_position(position, shape: tuple[int, int], name: str = "position") -> tuple[int, int]:
    """``position`` as a pair of ints ``(row, col)`` inside an output of ``shape``, or a clear error.

    Parameters
    ----------
    position : pair of int
    shape : (int, int)
        The output's height and width.
    name : str
        How the error messages name the argument.

    Returns
    -------
    (row, col) : tuple of int

    Raises
    ------
    TypeError
        If a coordinate is not an int.
    ValueError
        If ``position`` is not a pair, or lies outside the output.

    Examples
    --------
    >>> check_position((1, 2), (3, 3))
    (1, 2)
    >>> check_position((3, 0), (3, 3))
    Traceback (most recent call last):
    ...
    ValueError: position must lie inside the 3x3 output; got (3, 0)
    """
    if (not isinstance(shape, tuple) or len(shape) != 2
            or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape)):
        raise TypeError(f"shape must be a pair of ints (height, width); got {describe(shape)}")
    name = string(name, "name")
    if isinstance(position, np.ndarray):
        position = tuple(position.tolist())
    if not isinstance(position, (tuple, list)) or len(position) != 2:
        raise ValueError(f"{name} must be a pair (row, col); got {position!r}")
    for value in position:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be a pair of ints (row, col); got {tuple(position)!r}")
    row, col = int(position[0]), int(position[1])
    if not (0 <= row < shape[0] and 0 <= col < shape[1]):
        raise ValueError(f"{name} must lie inside the {shape[0]}x{shape[1]} output; got {(row, col)}")
    return row, col


def format_table(rows: list[dict], columns=None, *, left: int = 0, rule: bool = True) -> str:
    """Rows of dicts as a plain-text table: columns two spaces apart, numbers right-aligned.

    Parameters
    ----------
    rows : list of dict
    columns : sequence of str, optional
        Keys to show, in order, also the header; default the first row's keys.
    left : int
        How many leading columns (names, shapes) are aligned left instead of right.
    rule : bool
        Draw a line of dashes under the header.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``rows`` is not a list of dicts.

    Examples
    --------
    >>> print(format_table([{"kernel": 3, "output": 5}, {"kernel": 11, "output": -1}]))
    kernel  output
    ------  ------
         3       5
        11      -1
    >>> print(format_table([{"layer": "conv", "weights": "1,216"}], left=1, rule=False))
    layer  weights
    conv     1,216
    """
    if not isinstance(rows, (list, tuple)) or not all(isinstance(row, dict) for row in rows):
        raise TypeError(f"rows must be a list of dicts; got {type(rows).__name__}")
    columns = list(rows[0] if rows else []) if columns is None else strings(columns, "columns", 0, optional=False)
    left, rule = check_count(left, "left", minimum=0), flag(rule, "rule")
    cells = [[str(row.get(column, "")) for column in columns] for row in rows]
    widths = [max([len(column)] + [len(line[k]) for line in cells]) for k, column in enumerate(columns)]

    def line(texts) -> str:
        aligned = [text.ljust(width) if k < left else text.rjust(width)
                   for k, (text, width) in enumerate(zip(texts, widths, strict=True))]
        return "  ".join(aligned).rstrip()

    lines = [line(columns)] + ([line(["-" * width for width in widths])] if rule else [])
    return "\n".join(lines + [line(texts) for texts in cells])


def panel_row(live, count: int, **margins) -> np.ndarray:
    """``count`` panels in one row of a live figure at fixed margins, their labels stamped.

    For experiments whose grids change size at every step (padding, stride): each update moves the
    panels itself (``place_in_row``), so no layout engine runs (constrained layout would redraw
    every panel), and titles and labels, which come from a few settings, are stamped
    (:func:`cnnhelpers._drawing.stamp_labels`).

    Parameters
    ----------
    live : LiveFigure
    count : int
    **margins
        ``left``, ``right``, ``bottom``, ``top``, ``wspace`` as for ``GridSpec``.

    Returns
    -------
    axes : array of ``count`` Axes
    """
    from .live import LiveFigure  # live draws with this module: imported here, not at the top

    instance(live, "live", LiveFigure, "a LiveFigure")
    count = check_count(count, "count")
    live.figure.set_layout_engine("none")
    axes = live.subplots(1, count, gridspec_kw=margins)
    for ax in axes:
        stamp_labels(ax)
    return axes


def alt_text(fig) -> str:
    """A figure's alt text: its suptitle, else its axes' titles joined, else ``"figure"``.

    Examples
    --------
    >>> fig, axes = plt.subplots(1, 2)
    >>> _ = axes[0].set_title("input"), axes[1].set_title("output")
    >>> alt_text(fig)
    'input; output'
    >>> plt.close(fig)
    """
    check_figure(fig, optional=False)
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.get_title()]
    text = suptitle or "; ".join(titles) or "figure"
    return " ".join(text.split())  # one line: titles may hold line breaks


def register_alt_text(formatter) -> bool:
    """Make ``formatter`` (IPython's display formatter) give every inline figure its :func:`alt_text`.

    The inline backend shows a figure with ``display(fig)``; IPython asks the ``image/png``
    formatter for the picture, and a formatter may return ``(data, metadata)``. This wraps the PNG
    printer the backend registered, keeping its picture and adding ``{"alt": ...}``. Returns False
    (and changes nothing) when no PNG printer for figures is registered.
    """
    from matplotlib.figure import Figure

    png = formatter.formatters["image/png"]
    printer = png.type_printers.get(Figure)
    if printer is None or getattr(printer, "adds_alt_text", False):
        return printer is not None

    def png_with_alt_text(fig):
        data = printer(fig)
        return None if data is None else (data, {"alt": alt_text(fig)})

    png_with_alt_text.adds_alt_text = True
    png.for_type(Figure, png_with_alt_text)
    return True


def _register_alt_text_in_ipython() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        mpl.get_backend()  # resolves the backend now: the inline backend registers its PNG printer first
        register_alt_text(shell.display_formatter)


_register_alt_text_in_ipython()
