"""Notebook 04 (depth): its figures, computed numbers and slider experiment, in the notebook's order.

* channels: :data:`RGB`, :data:`CMYK`, :func:`channels_first`, :func:`rgb_to_cmyk`;
* a kernel as deep as its input: :func:`gray_weight` (luminance as a 1x1 convolution),
  :func:`channel_contributions` (each channel's share) and :func:`show_channel_sum`;
* many kernels give the output its depth: :func:`kernel_bank`, :func:`show_kernel_bank`,
  :func:`show_feature_maps`;
* parameters of a layer: :func:`parameter_table`;
* :class:`ChannelMixer`: a kernel's weight per colour channel on sliders.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.patches import Rectangle

from .._validate import as_float_array, check_ndim, describe, flag, real_number, strings
from .._validate import count as check_count
from ..conv import conv2d, correlate2d
from ..costs import conv_parameters
from ..images import PHOTOS, load_image
from ..kernels import KERNELS
from ..live import Experiment, LiveFigure, show_array
from ..plotting import (
    IMAGE_CMAP,
    SIGNED_CMAP,
    ScaledColorBar,
    check_figure,
    check_position,
    color_scale,
    draw_grid,
    format_table,
    signed_norm,
)

__all__ = ["RGB", "CMYK", "LUMINANCE", "channels_first", "rgb_to_cmyk", "gray_weight", "kernel_bank",
           "channel_contributions", "parameter_table", "show_channel_sum", "show_kernel_bank", "show_feature_maps",
           "ChannelMixer"]

RGB = ("red", "green", "blue")

CMYK = ("cyan", "magenta", "yellow", "black (key)")


# How much each channel counts in perceived brightness (ITU-R BT.709), as skimage.color.rgb2gray.
LUMINANCE = (0.2125, 0.7154, 0.0721)


def channels_first(image) -> np.ndarray:
    """A photograph ``(H, W, C)`` as ``(C, H, W)``, the layout of :func:`~cnnhelpers.conv2d`.

    Parameters
    ----------
    image : array of shape (H, W, C)

    Returns
    -------
    array of shape (C, H, W) (a new contiguous array)

    Raises
    ------
    ValueError
        If ``image`` is not 3-D.

    Examples
    --------
    >>> channels_first(np.zeros((4, 5, 3))).shape
    (3, 4, 5)
    """
    image = as_float_array(image, "image")
    check_ndim(image, "image", (3,), "(H, W, C)")
    return np.ascontiguousarray(np.moveaxis(image, -1, 0))


def rgb_to_cmyk(rgb) -> np.ndarray:
    """Convert an RGB image with values in [0, 1] to CMYK: four channels of ink, each in [0, 1].

    ``K = 1 - max(R, G, B)``, ``C = (1 - R - K) / (1 - K)`` and likewise M from G and Y from B
    (0 where the pixel is pure black, ``K = 1``).

    Parameters
    ----------
    rgb : array of shape (H, W, 3), values in [0, 1]

    Returns
    -------
    cmyk : array of shape (H, W, 4)

    Raises
    ------
    ValueError
        If ``rgb`` is not (H, W, 3) or has values outside [0, 1].

    Examples
    --------
    >>> rgb_to_cmyk(np.array([[[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]))  # pure red, black
    array([[[0., 1., 1., 0.],
            [0., 0., 0., 1.]]])
    """
    rgb = as_float_array(rgb, "rgb")
    check_ndim(rgb, "rgb", (3,), "(H, W, 3)")
    if rgb.shape[-1] != 3:
        raise ValueError(f"rgb must have 3 channels in its last axis (H, W, 3); got shape {rgb.shape}")
    if rgb.size and (rgb.min() < 0 or rgb.max() > 1):
        raise ValueError(f"rgb values must lie in [0, 1]; got values from {rgb.min():g} to {rgb.max():g}")
    black = 1.0 - rgb.max(axis=-1)
    light = 1.0 - black  # 0 only for pure black pixels
    safe = np.where(light > 0, light, 1.0)
    color = np.where(light[..., None] > 0, (1.0 - rgb - black[..., None]) / safe[..., None], 0.0)
    return np.concatenate([color, black[..., None]], axis=-1)


def gray_weight(weights=LUMINANCE) -> np.ndarray:
    """The weight of a 1x1 convolution that mixes the channels into one: shape (1, C, 1, 1).

    ``conv2d(channels_first(rgb), gray_weight())`` is the luminance (grey) image.

    Parameters
    ----------
    weights : sequence of C floats
        One weight per input channel; default :data:`LUMINANCE`.

    Returns
    -------
    weight : array of shape (1, C, 1, 1)

    Examples
    --------
    >>> gray_weight().ravel()
    array([0.2125, 0.7154, 0.0721])
    """
    weights = as_float_array(weights, "weights")
    check_ndim(weights, "weights", (1,), "(C,)")
    return weights.reshape(1, -1, 1, 1).copy()


def _kernel_entry(entry, where: str):
    """One (KH, KW) slice of a bank from a name, a (name, scale) pair or an array; None stays None."""
    scale = 1.0
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
        entry, scale = entry
        if not isinstance(scale, (int, float)) or isinstance(scale, bool):
            raise TypeError(f"{where}: the scale in (name, scale) must be a number; got {describe(scale)}")
    if entry is None:
        return None
    if isinstance(entry, str):
        if entry not in KERNELS:
            raise ValueError(f"{where} must name one of {sorted(KERNELS)}; got {entry!r}")
        return scale * KERNELS[entry] + 0.0  # + 0.0 turns the -0.0 of a negative scale into 0.0
    kernel = as_float_array(entry, where)
    check_ndim(kernel, where, (2,), "(KH, KW)")
    return kernel.copy()


def kernel_bank(rows, channels: int = 3) -> np.ndarray:
    """Build a conv2d weight ``(O, C, KH, KW)`` from named kernels, one row per output channel.

    Parameters
    ----------
    rows : sequence of O sequences of C entries
        Each entry is the kernel applied to one input channel: a name from
        :data:`cnnhelpers.kernels.KERNELS`, a pair ``(name, scale)``, a 2-D array, or None
        (zeros: this kernel ignores that channel).
    channels : int
        C, the depth of the input (and of every kernel).

    Returns
    -------
    weight : float64 array of shape (O, C, KH, KW)

    Raises
    ------
    ValueError, TypeError
        A row with the wrong number of entries, an unknown name, or kernels of different sizes.

    Examples
    --------
    >>> bank = kernel_bank([["sobel_x"] * 3, [("box_blur", 1.0), None, None]])
    >>> bank.shape
    (2, 3, 3, 3)
    >>> float(bank[1, 1].sum())
    0.0
    """
    if isinstance(rows, (str, np.ndarray)) or not hasattr(rows, "__len__") or len(rows) == 0:
        raise TypeError(f"rows must be a non-empty list of rows (one per output channel); got {describe(rows)}")
    bank = []
    for r, row in enumerate(rows):
        if isinstance(row, str) or not hasattr(row, "__len__") or len(row) != channels:
            raise ValueError(f"rows[{r}] must have one kernel per input channel ({channels}); got {describe(row)}")
        bank.append([_kernel_entry(entry, f"rows[{r}][{c}]") for c, entry in enumerate(row)])
    shapes = {k.shape for row in bank for k in row if k is not None}
    if len(shapes) != 1:
        raise ValueError("every kernel in the bank must have the same size (and at least one must be given); "
                         f"got sizes {sorted(shapes)}")
    zeros = np.zeros(shapes.pop())  # None: this kernel ignores that channel
    return np.array([[zeros if k is None else k for k in row] for row in bank], dtype=np.float64)


def channel_contributions(x, kernel, *, stride=1, padding=0) -> np.ndarray:
    """Each channel's own cross-correlation with its slice of one deep kernel.

    Their sum over channels is the output of the deep kernel:
    ``channel_contributions(x, w[o]).sum(axis=0) == conv2d(x, w)[o]`` (without bias).

    Parameters
    ----------
    x : array of shape (C, H, W)
    kernel : array of shape (C, KH, KW)
        One kernel, as deep as ``x``.
    stride, padding
        As for :func:`~cnnhelpers.correlate2d`.

    Returns
    -------
    contributions : array of shape (C, OH, OW)

    Raises
    ------
    ValueError
        If ``x`` and ``kernel`` do not have the same number of channels.

    Examples
    --------
    >>> x = np.ones((2, 3, 3)); x[1] *= 10
    >>> channel_contributions(x, np.ones((2, 2, 2)))[:, 0, 0]
    array([ 4., 40.])
    """
    x = as_float_array(x, "x")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(x, "x", (3,), "(C, H, W)")
    check_ndim(kernel, "kernel", (3,), "(C, KH, KW)")
    if x.shape[0] != kernel.shape[0]:
        raise ValueError(f"kernel must be as deep as x: x has {x.shape[0]} channels, kernel {kernel.shape[0]} "
                         f"(x shape {x.shape}, kernel shape {kernel.shape})")
    return np.stack([correlate2d(channel, k, stride=stride, padding=padding) for channel, k in zip(x, kernel,
                                                                                                  strict=True)])


def parameter_table(layers) -> str:
    """Learnable numbers of convolution layers as an aligned text table, thousands separated.

    Parameters
    ----------
    layers : sequence of (name, in_channels, out_channels, kernel_size)

    Returns
    -------
    str
        One line per layer: one kernel's shape and weights, the number of kernels, the biases and
        the total, from :func:`cnnhelpers.costs.conv_parameters`.

    Raises
    ------
    ValueError
        If a row of ``layers`` does not have four entries.

    Examples
    --------
    >>> print(parameter_table([("first", 3, 16, 5)]))
    layer  one kernel  weights per kernel  kernels  biases  total
    first  5x5x3                       75       16      16  1,216
    """
    header = ["layer", "one kernel", "weights per kernel", "kernels", "biases", "total"]
    rows = []
    for index, row in enumerate(layers):
        if len(row) != 4:
            raise ValueError(f"layers[{index}] must be (name, in_channels, out_channels, kernel_size); "
                             f"got {describe(row)}")
        name, c_in, c_out, k = row
        cells = [name, f"{k}x{k}x{c_in}", f"{conv_parameters(k, c_in):,}", f"{c_out:,}", f"{c_out:,}",
                 f"{conv_parameters(k, c_in, c_out, bias=True):,}"]
        rows.append(dict(zip(header, cells, strict=True)))
    return format_table(rows, header, left=2, rule=False)


def show_channel_sum(x, kernel, bias: float = 0.0, position: tuple[int, int] = (0, 0), *,
                     channel_names=None, fig=None):
    """The sum over channels, drawn like the slides: one row per channel, then the total.

    Row ``c`` shows input channel ``c`` with the window at ``position`` outlined, kernel slice
    ``c`` and that channel's correlation; the last column adds the rows (and the bias) and
    checks the result against :func:`~cnnhelpers.conv2d`.

    Parameters
    ----------
    x : array of shape (C, H, W)
        Small integer grids, as on the slides.
    kernel : array of shape (C, KH, KW)
    bias : float
    position : (int, int)
        The output pixel whose sum is spelled out in the title.
    channel_names : sequence of str, optional
    fig : matplotlib Figure, optional

    Returns
    -------
    fig : matplotlib Figure
        One row per channel (its window, kernel slice and result), then the sum.

    Raises
    ------
    ValueError
        If the channels differ or ``position`` lies outside the output.
    """
    check_figure(fig)
    x = as_float_array(x, "x")
    kernel = as_float_array(kernel, "kernel")
    parts = channel_contributions(x, kernel)
    total = conv2d(x, kernel[None], np.array([bias], dtype=float))[0]
    row, col = check_position(position, total.shape)
    count, kh, kw = kernel.shape
    names = strings(channel_names, "channel_names", count) or [f"channel {c}" for c in range(count)]
    bias = real_number(bias, "bias")
    if fig is None:
        cell = 0.62  # inches per grid cell
        fig = plt.figure(figsize=(cell * (x.shape[2] + kw + 2 * total.shape[1]) + 3.0,
                                  count * (cell * max(x.shape[1], kh) + 0.8) + 0.8), layout="constrained")
    else:
        fig.clear()
    grid = fig.add_gridspec(count, 4, width_ratios=[x.shape[2], kw, total.shape[1], total.shape[1]])
    for c in range(count):
        draw_grid(fig.add_subplot(grid[c, 0]), x[c], title=f"{names[c]}", highlight=(row, col, kh, kw),
                  signed=False)
        draw_grid(fig.add_subplot(grid[c, 1]), kernel[c], title=f"kernel[{c}]", signed=True)
        draw_grid(fig.add_subplot(grid[c, 2]), parts[c], title=f"{names[c]} result", highlight=(row, col, 1, 1),
                  signed=True)
    ax = fig.add_subplot(grid[count // 2, 3])
    draw_grid(ax, total, title="sum + bias\n= conv2d", highlight=(row, col, 1, 1), signed=True)
    terms = " + ".join(f"({p:g})" if p < 0 else f"{p:g}" for p in parts[:, row, col])
    bias_text = f" + ({bias:g})" if bias < 0 else (f" + {bias:g}" if bias else "")
    fig.suptitle(f"output[{row}, {col}] = {terms}{bias_text} = {total[row, col]:g}")
    return fig


def show_kernel_bank(weight, names=None, channel_names=RGB, *, fig=None):
    """Every kernel of a bank as annotated grids: one column per kernel (output channel), one row per input channel.

    Kernels side by side keep the figure wide, so a bank of six fits a slide.

    Parameters
    ----------
    weight : array of shape (O, C, KH, KW)
    names : sequence of O str, optional
        What each output channel detects.
    channel_names : sequence of C str
    fig : matplotlib Figure, optional

    Returns
    -------
    fig : matplotlib Figure
        One row per input channel, one column per kernel.
    """
    check_figure(fig)
    weight = as_float_array(weight, "weight")
    check_ndim(weight, "weight", (4,), "(O, C, KH, KW)")
    count, depth = weight.shape[:2]
    names, channel_names = strings(names, "names", count), strings(channel_names, "channel_names", 0, optional=False)
    if fig is None:
        fig = plt.figure(figsize=(2.8 * count + 1.2, 2.3 * depth + 0.4), layout="constrained")
    axes = fig.subplots(depth, count, squeeze=False)
    shared = color_scale(weight)  # one colour scale for the whole bank
    for o in range(count):
        for c in range(depth):
            draw_grid(axes[c, o], weight[o, c], fmt="{:.2g}", fontsize=12, cmap=shared.cmap, norm=shared.norm)
        axes[0, o].set_title(names[o] if names else f"kernel {o}")
    for c in range(depth):
        axes[c, 0].set_ylabel(channel_names[c] if c < len(channel_names) else f"channel {c}", rotation=0,
                              ha="right", va="center")
    return fig


def show_feature_maps(maps, titles=None, *, ncols: int | None = None, size: float = 3.6, box=None,
                      limit: float | None = None, shared: bool = True, fig=None):
    """Feature maps (one per output channel) in the colour language of :mod:`cnnhelpers.plotting`.

    With one shared scale every map is drawn signed (diverging, centred on zero); with a scale per
    map, a map with no negative value (a blur) is a picture, drawn grey.

    Parameters
    ----------
    maps : array of shape (O, H, W)
    titles : sequence of O str, optional
    ncols : int, optional
    size : float
        Inches per map.
    box : (top, left, height, width), optional
        A region outlined on every map (e.g. a window used for a zoom).
    limit : float, optional
        Colours run from ``-limit`` to ``limit``; default the 99.5th percentile of ``|maps|``
        (:func:`~cnnhelpers.plotting.signed_norm` with ``robust=True``), so a few extreme pixels do
        not wash out thin edges.
    shared : bool
        One colour scale (and colour bar) for all maps, to compare their strengths; False gives
        each map its own scale and colour bar, to see each map's pattern.
    fig : matplotlib Figure, optional

    Returns
    -------
    fig : matplotlib Figure
        One panel per map, ``ncols`` to a row.
    """
    check_figure(fig)
    maps = as_float_array(maps, "maps")
    check_ndim(maps, "maps", (3,), "(O, H, W)")
    count = maps.shape[0]
    ncols = min(count, 4) if ncols is None else min(check_count(ncols, "ncols"), count)
    titles, shared = strings(titles, "titles", count), flag(shared, "shared")
    size = real_number(size, "size", positive=True)
    limit = None if limit is None else real_number(limit, "limit", positive=True)
    if box is not None and not (isinstance(box, (tuple, list)) and len(box) == 4):
        raise TypeError(f"box must be None or (top, left, height, width); got {describe(box)}")
    box = None if box is None else [real_number(v, "box") for v in box]
    nrows = -(-count // ncols)
    if fig is None:
        fig = plt.figure(figsize=(size * ncols + 1.2, size * nrows * maps.shape[1] / maps.shape[2] + 0.6),
                         layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    if limit is not None:
        norms = [signed_norm(np.array([-limit, limit]))] * count
    else:
        norms = ([signed_norm(maps, robust=True)] * count if shared
                 else [color_scale(m, robust=True).norm for m in maps])
    shown = None
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= count:
            ax.set_visible(False)
            continue
        cmap = SIGNED_CMAP if isinstance(norms[k], TwoSlopeNorm) else IMAGE_CMAP
        shown = ax.imshow(maps[k], cmap=cmap, norm=norms[k])
        ax.set_title(titles[k] if titles else f"output channel {k}")
        if box is not None:
            top, left, height, width = box
            ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor="black", lw=1.5))
        if not shared:
            fig.colorbar(shown, ax=ax, shrink=0.8, extend="both")
    if shared:
        fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.8, extend="both", label="response (signed)")
    return fig

COLOR_PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")


class ChannelMixer(Experiment):
    """Choose a kernel and a weight per colour channel; see each channel's response and their sum.

    Parameters
    ----------
    photos : sequence of str
        Colour photographs from :data:`cnnhelpers.images.PHOTOS` to choose from.
    size : int, optional
        Resize the photographs (shorter side) first; default full size.

    Examples
    --------
    >>> mixer = ChannelMixer(photos=("astronaut",), size=32)
    >>> result = mixer.update(photo="astronaut", red_kernel="sobel_x", red_weight=1.0,
    ...                       green_kernel="identity", green_weight=0.0, blue_kernel="identity", blue_weight=0.0)
    >>> result["contributions"].shape, result["output"].shape
    ((3, 30, 30), (30, 30))
    """

    def __init__(self, photos=COLOR_PHOTOS, size: int | None = None):
        super().__init__()
        unknown = [name for name in photos if name not in PHOTOS]
        if unknown or not photos:
            raise ValueError(f"photos must be names from {sorted(PHOTOS)}; got {list(photos)}")
        self._rgb = {name: load_image(name, gray=False, size=size) for name in photos}
        self._chw = {name: channels_first(image) for name, image in self._rgb.items()}
        style = {"description_width": "initial"}
        names = list(KERNELS)
        self.controls = {"photo": widgets.Dropdown(options=list(photos), value=photos[0], description="photo",
                                                   style=style, layout=widgets.Layout(width="100%"))}
        defaults = {"red": ("sobel_x", 1.0), "green": ("sobel_x", 1.0), "blue": ("sobel_x", 1.0)}
        for color in RGB:
            kernel, weight = defaults[color]
            self.controls[f"{color}_kernel"] = widgets.Dropdown(
                options=names, value=kernel, description=f"{color} kernel", style=style,
                layout=widgets.Layout(width="32%"))
            self.controls[f"{color}_weight"] = widgets.FloatSlider(
                value=weight, min=-2.0, max=2.0, step=0.1, description=f"{color} weight", style=style,
                continuous_update=True, layout=widgets.Layout(width="60%"))
        self.live = LiveFigure(figsize=(17, 4.1))
        self._build_figure()

    def _build_figure(self) -> None:
        """Axes, images and colour bars are made once; ``update`` only changes their data."""
        fig = self.live.figure
        axes = fig.subplots(1, 5)
        blank = np.zeros((2, 2))
        self._photo_image = axes[0].imshow(np.zeros((2, 2, 3)))
        self._part_images = [ax.imshow(blank, cmap=SIGNED_CMAP, vmin=-1, vmax=1) for ax in axes[1:4]]
        self._output_image = axes[4].imshow(blank, cmap=SIGNED_CMAP, vmin=-1, vmax=1)
        self._part_bar = ScaledColorBar(fig, SIGNED_CMAP, ax=axes[1:4].tolist(), shrink=0.8, extend="both",
                                        label="per-channel response")
        self._output_bar = ScaledColorBar(fig, SIGNED_CMAP, ax=axes[4], shrink=0.8, extend="both")
        axes[4].set_title("sum = output channel", fontsize=15)
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        self._axes = axes
        self._layout_frozen = False
        self._photo_shown: str | None = None

    def compute(self, photo: str, red_kernel: str, red_weight: float, green_kernel: str, green_weight: float,
                blue_kernel: str, blue_weight: float) -> dict:
        """The deep kernel ``(1, 3, 3, 3)``, each channel's response and their sum, without drawing."""
        if photo not in self._chw:
            raise ValueError(f"photo must be one of {list(self._chw)}; got {photo!r}")
        weight = kernel_bank([[(red_kernel, float(red_weight)), (green_kernel, float(green_weight)),
                               (blue_kernel, float(blue_weight))]])
        contributions = channel_contributions(self._chw[photo], weight[0])  # (3, OH, OW)
        return {"weight": weight, "contributions": contributions, "output": contributions.sum(axis=0)}

    def update(self, photo: str, red_kernel: str, red_weight: float, green_kernel: str, green_weight: float,
               blue_kernel: str, blue_weight: float) -> dict:
        """Compute and redraw; returns :meth:`compute`'s dict."""
        result = self.compute(photo, red_kernel, red_weight, green_kernel, green_weight, blue_kernel, blue_weight)
        axes = self._axes
        rgb = self._rgb[photo]
        if photo != self._photo_shown:  # the photo's panel changes only with the photo: no redraw otherwise
            show_array(self._photo_image, rgb)
            axes[0].set_title(f"{photo} (RGB)", fontsize=15)
            self._photo_shown = photo
        parts, output = result["contributions"], result["output"]
        part_limit = self._part_bar.set_limit(signed_norm(parts[:, ::4, ::4], robust=True).vmax)  # a sample: fast
        settings = [(red_kernel, red_weight), (green_kernel, green_weight), (blue_kernel, blue_weight)]
        for c, (kernel, weight) in enumerate(settings):
            show_array(self._part_images[c], parts[c])
            self._part_images[c].set_clim(-part_limit, part_limit)
            axes[c + 1].set_title(f"{RGB[c]}: {weight:g} × {kernel}", fontsize=15)
        out_limit = self._output_bar.set_limit(signed_norm(output[::4, ::4], robust=True).vmax)
        show_array(self._output_image, output)
        self._output_image.set_clim(-out_limit, out_limit)
        if not self._layout_frozen:  # lay out once, then keep: constrained layout costs most of a redraw
            self.live.figure.canvas.draw()
            self.live.figure.set_layout_engine("none")
            self._layout_frozen = True
        self.live.refresh()
        return result
