"""Notebook 02 (padding): its figures, computed numbers and slider experiment, in the notebook's order.

* padding itself: :func:`pad2d` in the four modes of :data:`PADDING_MODES` (PyTorch's names),
  :func:`same_padding`, and :func:`correlate2d_padded`, ``correlate2d`` with any padding mode;
* the edge effect: :func:`center_mask` and :func:`show_center_pixels` (which pixels can be a
  kernel's centre);
* stacks of layers shrink: :func:`show_layer_sizes` (of :func:`cnnhelpers.sizes.layer_sizes`)
  and :func:`show_true_size`, images drawn at their true relative size;
* padding modes at a photograph's border: :func:`padding_mode_errors`, :func:`show_padding_modes`;
* :class:`PaddingExperiment`: kernel size, padding and mode on sliders.
"""

from __future__ import annotations

import itertools
import numbers

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .._validate import (
    as_float_array,
    check_ndim,
    count,
    describe,
    flag,
    padding_amounts,
    pair,
    real_array,
    real_number,
    string,
    strings,
)
from ..conv import correlate2d
from ..images import load_image
from ..live import Experiment, LiveFigure, empty_axes, place_in_row, show_array
from ..plotting import HIGHLIGHT, HIGHLIGHTS, IMAGE_CMAP, SIGNED_CMAP, check_figure, draw_grid, panel_row, signed_norm
from ..sizes import layer_sizes
from ..slides import SLIDE_INPUT

__all__ = ["PADDING_MODES", "pad2d", "same_padding", "correlate2d_padded", "center_mask", "show_center_pixels",
           "padding_mode_errors", "show_padding_modes", "show_layer_sizes", "show_true_size", "PaddingExperiment"]


# PyTorch's padding_mode name -> np.pad's mode name.
PADDING_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
MAX_DRAWN_PADDING = 10  # rows of padding show_center_pixels draws: more would bury the image in numbered cells


def _amounts(padding) -> tuple[int, int, int, int]:
    """``padding`` as ``(top, bottom, left, right)``; a 4-tuple is read in PyTorch's F.pad order."""
    if isinstance(padding, (tuple, list, np.ndarray)) and len(padding) == 4:
        left, right = pair(tuple(padding[:2]), "padding", minimum=0)
        top, bottom = pair(tuple(padding[2:]), "padding", minimum=0)
        return top, bottom, left, right
    if isinstance(padding, str) or not isinstance(padding, (numbers.Integral, tuple, list, np.ndarray)):
        raise TypeError(f"padding must be an int, (ph, pw) or (left, right, top, bottom); got {describe(padding)}")
    ph, pw = pair(padding, "padding", minimum=0)
    return ph, ph, pw, pw


def pad2d(x, padding, mode: str = "zeros") -> np.ndarray:
    """Pad the last two axes of ``x`` with one of PyTorch's padding modes.

    Parameters
    ----------
    x : array of shape (..., H, W)
    padding : int, (ph, pw) or (left, right, top, bottom)
        Pixels added on each side: an int for all four sides, a pair for (top and bottom, left
        and right), or four numbers in the order of ``torch.nn.functional.pad``.
    mode : {"zeros", "reflect", "replicate", "circular"}
        What the new pixels are: zeros, the mirror image without repeating the edge, copies of the
        edge pixel, or the pixels from the opposite side.

    Returns
    -------
    padded : array of shape (..., H + top + bottom, W + left + right), ``x``'s dtype

    Raises
    ------
    TypeError
        If ``x`` is not numeric or ``padding`` is not made of ints.
    ValueError
        If ``x`` has fewer than 2 axes, ``mode`` is unknown, a padding is negative, or the image is
        too small for the mode: "reflect" needs padding < size, "circular" padding <= size,
        "replicate" a non-empty image (as in PyTorch).

    Examples
    --------
    >>> row = [[1, 2, 3]]
    >>> for mode in PADDING_MODES:
    ...     print(mode, pad2d(row, (0, 2), mode)[0])
    zeros [0 0 1 2 3 0 0]
    reflect [3 2 1 2 3 2 1]
    replicate [1 1 1 2 3 3 3]
    circular [2 3 1 2 3 1 2]
    """
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"x must be an array of real numbers; got dtype {array.dtype}")
    if array.ndim < 2:
        raise ValueError(f"x must have at least 2 axes (..., H, W); got a {array.ndim}-D array of shape {array.shape}")
    if mode not in PADDING_MODES:
        raise ValueError(f"mode must be one of {tuple(PADDING_MODES)}; got {mode!r}")
    top, bottom, left, right = _amounts(padding)
    height, width = array.shape[-2:]
    for amount, size, axis in ((max(top, bottom), height, "height"), (max(left, right), width, "width")):
        if mode == "reflect" and amount >= size:
            raise ValueError(f"mode='reflect' needs padding smaller than the input's {axis} (as in PyTorch); "
                             f"got padding {amount} for {axis} {size}")
        if mode == "circular" and amount > size:
            raise ValueError(f"mode='circular' can wrap around at most once, so padding must be at most the "
                             f"input's {axis}; got padding {amount} for {axis} {size}")
        if mode == "replicate" and amount and size == 0:
            raise ValueError(f"mode='replicate' needs a non-empty input; got {axis} 0")
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    return np.pad(array, widths, mode=PADDING_MODES[mode])


def same_padding(kernel_size, dilation=1) -> tuple[int, int, int, int]:
    """The padding ``(top, bottom, left, right)`` that keeps the size at stride 1.

    The kernel covers ``dilation*(kernel_size-1)`` extra pixels; half go before and half after,
    and for an even kernel the extra one goes at the bottom/right, as in PyTorch.

    Parameters
    ----------
    kernel_size, dilation : int or (int, int), each >= 1

    Returns
    -------
    (top, bottom, left, right) : tuple of int

    Examples
    --------
    >>> same_padding(3), same_padding((1, 4)), same_padding(3, dilation=2)
    ((1, 1, 1, 1), (0, 0, 1, 2), (2, 2, 2, 2))
    """
    return padding_amounts("same", pair(kernel_size, "kernel_size"), pair(dilation, "dilation"), (1, 1))


def correlate2d_padded(image, kernel, *, padding=0, padding_mode: str = "zeros", stride=1,
                       dilation=1) -> np.ndarray:
    """:func:`cnnhelpers.correlate2d` with any padding mode, as ``nn.Conv2d(padding_mode=...)``.

    Pads with :func:`pad2d`, then correlates with no further padding.

    Parameters
    ----------
    image : array of shape (H, W)
    kernel : array of shape (KH, KW)
    padding : int, (int, int), "valid", "same" or "full"
        As for :func:`cnnhelpers.correlate2d`.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}
    stride, dilation : int or (int, int)

    Returns
    -------
    out : array of shape (OH, OW)
        ``correlate2d`` of the image padded by :func:`pad2d`.

    Raises
    ------
    TypeError, ValueError
        If ``image`` or ``kernel`` is not 2-D, for a bad ``padding_mode``, or as :func:`pad2d` and
        :func:`cnnhelpers.correlate2d`.

    Examples
    --------
    Blurring a constant image: zeros darken its border, the other modes do not.

    >>> flat = np.ones((3, 3))
    >>> correlate2d_padded(flat, np.ones((1, 3)) / 3, padding=(0, 1))[0]
    array([0.66666667, 1.        , 0.66666667])
    >>> correlate2d_padded(flat, np.ones((1, 3)) / 3, padding=(0, 1), padding_mode="replicate")[0]
    array([1., 1., 1.])
    """
    image = as_float_array(image, "image")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(image, "image", (2,), "(H, W)")
    check_ndim(kernel, "kernel", (2,), "(KH, KW)")
    if 0 in kernel.shape:
        raise ValueError(f"kernel must be at least 1x1; got shape {kernel.shape}")
    top, bottom, left, right = padding_amounts(padding, kernel.shape, pair(dilation, "dilation"),
                                               pair(stride, "stride"), allow_full=True)
    padded = pad2d(image, (left, right, top, bottom), padding_mode)
    return correlate2d(padded, kernel, stride=stride, dilation=dilation)


def center_mask(shape, kernel_size, padding=0) -> np.ndarray:
    """Which input pixels are the centre of some kernel window (stride 1).

    Without padding the kernel cannot be centred on pixels within ``kernel_size // 2`` of the
    edge: the lecture's edge effect. For an even kernel the centre is the upper-left of the four
    middle cells.

    Parameters
    ----------
    shape : (H, W)
    kernel_size, padding : int or (int, int)

    Returns
    -------
    mask : bool array of shape (H, W)

    Examples
    --------
    >>> center_mask((4, 5), 3).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    """
    height, width = pair(tuple(shape), "shape", minimum=0)
    kernel = pair(kernel_size, "kernel_size")
    pads = pair(padding, "padding", minimum=0)
    mask = np.zeros((height, width), dtype=bool)
    lows, highs = [], []
    for size, k, p in zip((height, width), kernel, pads, strict=True):
        outputs = size + 2 * p - k + 1  # stride 1: window i is centred on input pixel i - p + (k-1)//2
        lows.append(max(0, (k - 1) // 2 - p))
        highs.append(min(size, (k - 1) // 2 - p + max(outputs, 0)))
    mask[lows[0]:highs[0], lows[1]:highs[1]] = True
    return mask


def show_center_pixels(image, kernel_size: int, paddings=(0, 1), *, fig=None):
    r"""The edge effect on a small grid: which pixels a window can be centred on, per padding.

    Centre pixels are outlined; the others are hatched. Padded zeros are drawn around the image.

    Parameters
    ----------
    image : array of shape (H, W)
    kernel_size : int
    paddings : sequence of int
        One panel per padding.
    fig : matplotlib Figure, optional

    Returns
    -------
    fig : matplotlib Figure
        One panel per padding, its title counting the centres.

    Examples
    --------
    >>> fig = show_center_pixels(np.ones((5, 5)), 3)
    >>> [ax.get_title() for ax in fig.axes]
    ['padding 0:\n9 of 25 pixels are centres', 'padding 1:\n25 of 25 pixels are centres']
    >>> plt.close(fig)
    """
    check_figure(fig)
    image = as_float_array(image, "image")
    check_ndim(image, "image", (2,), "(H, W)")
    if not isinstance(paddings, (list, tuple, range)) or not paddings:
        raise TypeError(f"paddings must be a non-empty sequence of ints; got {describe(paddings)}")
    paddings = [count(p, f"paddings[{k}]", minimum=0, maximum=MAX_DRAWN_PADDING) for k, p in enumerate(paddings)]
    widths = [image.shape[1] + 2 * p for p in paddings]
    if fig is None:
        fig = plt.figure(figsize=(0.75 * sum(widths) + 1, 0.75 * max(widths) + 1), layout="constrained")
    axes = fig.subplots(1, len(paddings), squeeze=False, gridspec_kw={"width_ratios": widths})[0]
    for ax, pad in zip(axes, paddings, strict=True):
        mask = center_mask(image.shape, kernel_size, pad)
        draw_grid(ax, pad2d(image, pad), signed=False,
                  title=f"padding {pad}:\n{int(mask.sum())} of {mask.size} pixels are centres")
        for (i, j), is_center in np.ndenumerate(mask):
            corner = (pad + j - 0.5, pad + i - 0.5)
            if is_center:
                ax.add_patch(Rectangle(corner, 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=3))
            else:
                ax.add_patch(Rectangle(corner, 1, 1, fill=False, hatch="//", edgecolor="0.45", linewidth=0))
        if pad:
            ax.add_patch(Rectangle((pad - 0.5, pad - 0.5), image.shape[1], image.shape[0], fill=False,
                                   edgecolor=HIGHLIGHTS[2], linewidth=2.5, linestyle="--"))
    return fig


def padding_mode_errors(photo, kernel, crop, modes=tuple(PADDING_MODES)) -> dict[str, float]:
    """How well each padding mode guesses the pixels beyond an image's border.

    Cut ``crop`` out of a larger ``photo``: beyond the crop's border the true pixels are known.
    Filter the crop alone with each mode (padding "same") and compare with the photo filtered
    whole, over the band of pixels whose window reaches beyond the crop's border.

    Parameters
    ----------
    photo : array of shape (H, W)
    kernel : array of shape (KH, KW)
    crop : (top, left, height, width)
        Must leave room for the kernel's reach on every side inside ``photo``.
    modes : sequence of str

    Returns
    -------
    errors : dict mapping each mode to the mean absolute error over the border band

    Raises
    ------
    ValueError
        If the crop is too close to the photo's edge or too small.

    Examples
    --------
    >>> ramp = np.add.outer(np.arange(10.0), np.arange(10.0))  # a smooth gradient
    >>> errors = padding_mode_errors(ramp, np.ones((3, 3)) / 9, (2, 2, 6, 6))
    >>> {mode: round(error, 3) for mode, error in errors.items()}
    {'zeros': 3.4, 'reflect': 0.667, 'replicate': 0.333, 'circular': 2.0}
    """
    photo = as_float_array(photo, "photo")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(photo, "photo", (2,), "(H, W)")
    check_ndim(kernel, "kernel", (2,), "(KH, KW)")
    top, left, height, width = (int(v) for v in crop)
    pt, pb, pl, pr = same_padding(kernel.shape)
    if top < pt or left < pl or top + height + pb > photo.shape[0] or left + width + pr > photo.shape[1]:
        raise ValueError(f"crop (top, left, height, width) = {tuple(crop)} must lie at least the kernel's reach "
                         f"({pt}, {pl}, {pb}, {pr}) inside the photo of shape {photo.shape}")
    if height <= pt + pb or width <= pl + pr:
        raise ValueError(f"crop must be larger than the kernel ({kernel.shape}); got {height}x{width}")
    rows, cols = slice(top, top + height), slice(left, left + width)
    context = photo[top - pt:top + height + pb, left - pl:left + width + pr]
    truth = correlate2d(context, kernel)  # true neighbours everywhere: shape (height, width)
    band = np.ones((height, width), dtype=bool)
    band[pt:height - pb, pl:width - pr] = False  # windows that reach beyond the crop
    return {mode: float(np.abs(correlate2d_padded(photo[rows, cols], kernel, padding="same", padding_mode=mode)
                               - truth)[band].mean()) for mode in modes}


def show_padding_modes(image, kernel, *, padding=None, corner: int | None = None, modes=tuple(PADDING_MODES),
                       signed: bool | None = None, fig=None):
    """Each padding mode's padded image (top row) and filtered output (bottom row).

    Parameters
    ----------
    image : array of shape (H, W)
    kernel : array of shape (KH, KW)
    padding : int, optional
        Pixels shown around the image; default the kernel's "same" padding. The output is always
        computed with padding "same".
    corner : int, optional
        Show only the top-left ``corner`` x ``corner`` pixels of the image (plus the padding),
        where the border is.
    modes : sequence of str
    signed : bool, optional
        Draw the outputs with the diverging colour map; default: they have negative values.
    fig : matplotlib Figure, optional

    Returns
    -------
    fig : matplotlib Figure
    """
    check_figure(fig)
    image = as_float_array(image, "image")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(image, "image", (2,), "(H, W)")
    pad = max(same_padding(kernel.shape)) if padding is None else int(padding)
    outputs = [correlate2d_padded(image, kernel, padding="same", padding_mode=mode) for mode in modes]
    signed = bool(min(o.min() for o in outputs) < 0) if signed is None else signed
    view = slice(0, corner) if corner else slice(None)
    shown_pad = slice(0, corner + pad) if corner else slice(None)
    if fig is None:
        fig = plt.figure(figsize=(4.2 * len(modes), 8.4), layout="constrained")
    axes = fig.subplots(2, len(modes), squeeze=False)
    low = min(float(o[view, view].min()) for o in outputs)
    high = max(float(o[view, view].max()) for o in outputs)
    norm = signed_norm(np.array([low, high])) if signed else plt.Normalize(low, high)
    for k, (mode, output) in enumerate(zip(modes, outputs, strict=True)):
        padded = pad2d(image, pad, mode)[shown_pad, shown_pad]
        axes[0, k].imshow(padded, cmap=IMAGE_CMAP, vmin=0, vmax=max(1.0, float(image.max())))
        axes[0, k].add_patch(Rectangle((pad - 0.5, pad - 0.5), image.shape[1], image.shape[0], fill=False,
                                       edgecolor="#E69F00", linewidth=2.5, linestyle="--"))
        axes[0, k].set_title(f"padded: {mode!r}")
        shown = axes[1, k].imshow(output[view, view], cmap=SIGNED_CMAP if signed else IMAGE_CMAP, norm=norm)
        axes[1, k].set_title(f"output ({mode})")
        for ax in axes[:, k]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.colorbar(shown, ax=axes[1, :].tolist(), shrink=0.8, label="output value")
    return fig


def show_layer_sizes(size: int, num_layers: int, kernel_sizes=(3, 5, 7), *, fig=None):
    """Plot how a stack of identical layers shrinks without padding, against "same" padding.

    Parameters
    ----------
    size : int
        Input width.
    num_layers : int
        Layers drawn.
    kernel_sizes : sequence of int
        One curve per kernel size without padding; one flat curve for "same" (any kernel).
    fig : matplotlib Figure, optional
        Drawn into (one axes added); default a new 11x5.5-inch figure.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> fig = show_layer_sizes(16, 8, (3, 5))
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['3x3, no padding', '5x5, no padding', "any kernel, padding 'same'"]
    >>> plt.close(fig)
    """
    check_figure(fig)
    if fig is None:
        fig = plt.figure(figsize=(11, 5.5), layout="constrained")
    ax = fig.subplots()
    markers = "o^Dvsp*"  # shapes as well as colours tell the curves apart
    for k, marker in zip(kernel_sizes, itertools.cycle(markers)):
        sizes = layer_sizes(size, num_layers, k)
        ax.plot(range(len(sizes)), sizes, marker=marker, linewidth=2.5, markersize=8, label=f"{k}x{k}, no padding")
    ax.plot(range(num_layers + 1), layer_sizes(size, num_layers, max(kernel_sizes), padding="same"), "s--",
            color="black", linewidth=2.5, label="any kernel, padding 'same'")
    ax.set(xlabel="layers applied", ylabel="width of the feature map", ylim=(0, size * 1.08),
           title=f"A {size}-pixel-wide input through a stack of convolutions")
    ax.set_xticks(range(0, num_layers + 1, max(1, num_layers // 8)))
    ax.grid(alpha=0.3)
    ax.legend(loc="center right")
    return fig


def show_true_size(images, titles=None, *, cmap: str = IMAGE_CMAP, size: float = 4.0, center: bool = True,
                   fig=None):
    """Images side by side at their true pixel sizes: a smaller output looks smaller.

    Every panel spans the largest image's height and width; each image is drawn one pixel per
    pixel, centred in its panel (where the pixels of a convolution without padding come from)
    or in the top-left corner.

    Parameters
    ----------
    images : sequence of 2-D arrays
    titles : sequence of str, optional
        Default: each image's shape.
    cmap : str
    size : float
        Inches per panel.
    center : bool
        Center each image in its panel (default), else put it in the top-left corner.
    fig : matplotlib Figure, optional

    Returns
    -------
    fig : matplotlib Figure
        One panel per image, titled with its shape.

    Examples
    --------
    >>> fig = show_true_size([np.zeros((8, 8)), np.zeros((4, 4))])
    >>> [ax.get_title() for ax in fig.axes]
    ['8x8', '4x4']
    >>> plt.close(fig)
    """
    check_figure(fig)
    if not isinstance(images, (list, tuple)) or not images:
        raise TypeError(f"images must be a non-empty list of 2-D arrays; got {describe(images)}")
    images = [real_array(image, f"images[{k}]", (2,), "(H, W)") for k, image in enumerate(images)]
    for k, image in enumerate(images):
        if 0 in image.shape:
            raise ValueError(f"images[{k}] must hold at least one pixel; got shape {image.shape}")
    titles, cmap = strings(titles, "titles", len(images)), string(cmap, "cmap")
    size, center = real_number(size, "size", positive=True), flag(center, "center")
    height = max(image.shape[0] for image in images)
    width = max(image.shape[1] for image in images)
    titles = titles or [f"{image.shape[0]}x{image.shape[1]}" for image in images]
    if fig is None:
        fig = plt.figure(figsize=(size * len(images), size * height / width + 0.8), layout="constrained")
    axes = fig.subplots(1, len(images), squeeze=False)[0]
    low = min(float(image.min()) for image in images)
    high = max(float(image.max()) for image in images)
    for ax, image, title in zip(axes, images, titles, strict=True):
        top, left = ((height - image.shape[0]) / 2, (width - image.shape[1]) / 2) if center else (0, 0)
        ax.imshow(image, cmap=cmap, vmin=low, vmax=high,  # one data unit per pixel
                  extent=(left - 0.5, left + image.shape[1] - 0.5, top + image.shape[0] - 0.5, top - 0.5))
        ax.set(xlim=(-0.5, width - 0.5), ylim=(height - 0.5, -0.5), title=title)
        ax.set_facecolor("white")
        ax.tick_params(labelsize=11)
    return fig

_MARGINS = {"left": 0.01, "right": 0.99, "bottom": 0.1, "top": 0.9, "wspace": 0.08}


class PaddingExperiment(Experiment):
    """Choose kernel size, padding and padding mode; see the padded grid, the output and its size.

    The kernel is a box: on the grid it sums each window (readable integers), on the photo it
    averages it (a blur), so what the padding invents shows at the border.

    Parameters
    ----------
    grid : array of shape (H, W)
        The small grid drawn with its numbers; default the lecture's 5x5 input.
    photo : str
        A name from :data:`cnnhelpers.images.PHOTOS` (grey).
    size : int, optional
        Resize the photo's shorter side to this; default full size (512x512 for "camera").
    corner : int
        Side of the photo's top-left corner that is shown.

    Examples
    --------
    >>> experiment = PaddingExperiment()
    >>> result = experiment.update(kernel_size=3, padding=1, mode="zeros")
    >>> result["grid_output"].shape, result["photo_output"].shape
    ((5, 5), (512, 512))
    """

    def __init__(self, grid=SLIDE_INPUT, photo: str = "camera", size: int | None = None, corner: int = 40):
        super().__init__()
        self.grid = np.asarray(grid, dtype=float)
        if self.grid.ndim != 2:
            raise ValueError(f"grid must be 2-D (H, W); got shape {self.grid.shape}")
        self.photo = load_image(photo, gray=True, size=size)
        self.corner = int(corner)
        style = {"description_width": "initial"}
        slider = dict(style=style, continuous_update=True)  # redraw while dragging (benchmarks/bench_widgets.py)
        self.controls = {
            "kernel_size": widgets.IntSlider(value=3, min=1, max=7, description="kernel size", **slider),
            "padding": widgets.IntSlider(value=1, min=0, max=4, description="padding", **slider),
            "mode": widgets.Dropdown(options=list(PADDING_MODES), value="zeros", description="mode", style=style),
        }
        self.live = LiveFigure(figsize=(16, 5.2))
        # Four panels built once: the grids change size with the sliders, so each update empties
        # them and moves them, and only the panels that changed are redrawn.
        self.axes = panel_row(self.live, 4, **_MARGINS)
        self._corner = self.axes[2].imshow(np.zeros((2, 2)), cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self._corner_out = self.axes[3].imshow(np.zeros((2, 2)), cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self._corner_frame = self.axes[2].add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT,
                                                              linewidth=2.5, linestyle="--"))
        for ax in self.axes[2:]:
            ax.set_xticks([])
            ax.set_yticks([])

    def compute(self, kernel_size: int, padding: int, mode: str) -> dict:
        """The numbers behind the figure, without drawing (what the speed budget is about)."""
        height, width = self.grid.shape
        if kernel_size > min(height, width) + 2 * padding:
            raise ValueError(f"a {kernel_size}x{kernel_size} kernel does not fit in the {height}x{width} grid "
                             f"padded by {padding} on each side ({height + 2 * padding}x{width + 2 * padding}). "
                             f"Use a smaller kernel or at least {-(-(kernel_size - min(height, width)) // 2)} "
                             f"of padding")
        box = np.ones((kernel_size, kernel_size))
        padded_grid = pad2d(self.grid, padding, mode)  # "reflect" refuses padding >= the grid's size
        padded_photo = pad2d(self.photo, padding, mode)
        return {"padded_grid": padded_grid, "grid_output": correlate2d(padded_grid, box),
                "padded_photo": padded_photo, "photo_output": correlate2d(padded_photo, box / box.size)}

    def update(self, kernel_size: int, padding: int, mode: str) -> dict:
        """Compute and redraw; returns :meth:`compute`'s dict."""
        result = self.compute(kernel_size, padding, mode)
        axes = self.axes
        padded, out = result["padded_grid"], result["grid_output"]
        place_in_row(axes, [padded.shape[1], max(out.shape[1], 3), 6, 6], **_MARGINS)
        height, width = self.grid.shape
        for ax in axes[:2]:
            empty_axes(ax)
        draw_grid(axes[0], padded, title=f"{mode!r} padding {padding}", highlight=(0, 0, kernel_size, kernel_size),
                  signed=False, fontsize=13)
        axes[0].add_patch(Rectangle((padding - 0.5, padding - 0.5), width, height, fill=False, edgecolor="black",
                                    linewidth=2.5, linestyle="--"))
        axes[0].set_xlabel(f"input {height}x{width} → padded {padded.shape[0]}x{padded.shape[1]}")
        draw_grid(axes[1], out, title=f"sum of each {kernel_size}x{kernel_size} window", signed=False, fontsize=13)
        axes[1].set_xlabel(f"output {out.shape[0]}x{out.shape[1]}")

        view = self.corner + padding
        show_array(self._corner, result["padded_photo"][:view, :view])
        self._corner_frame.set_bounds(padding - 0.5, padding - 0.5, view, view)
        axes[2].set_title("photo's corner, padded")
        photo_out = result["photo_output"]
        show_array(self._corner_out, photo_out[:self.corner, :self.corner])
        axes[3].set_title(f"{kernel_size}x{kernel_size} blur, corner")
        axes[2].set_xlabel(f"photo {self.photo.shape[0]}x{self.photo.shape[1]}")
        axes[3].set_xlabel(f"output {photo_out.shape[0]}x{photo_out.shape[1]}")
        self.live.refresh()
        return result
