"""Notebook 03 (stride): its figures, computed numbers and slider experiment, in the notebook's order.

* which input cells each strided window reads: :func:`strided_windows` (the numbers) and
  :func:`draw_strided_windows`, :func:`show_strided_windows` (the picture);
* stride is convolution then downsampling: :func:`correlate_then_downsample`;
* :class:`StrideExperiment`: the five numbers of the output-size formula on sliders, answered on a
  grid (:func:`grid_for_size`, :func:`kernel_for_size`) and a photograph.

The output-size formula explained, and the settings that give a size, are in
:mod:`cnnhelpers.sizes` (shared with notebook 02).
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .._validate import as_float_array, check_ndim, count, padding_amounts, pair
from ..conv import correlate2d, offset_slices
from ..images import load_image
from ..live import Experiment, LiveFigure, empty_axes, place_in_row, show_array
from ..plotting import HIGHLIGHT, HIGHLIGHTS, IMAGE_CMAP, check_figure, check_position, draw_grid, panel_row
from ..sizes import explain_output_size
from ..slides import SLIDE_INPUT, SLIDE_KERNEL

__all__ = ["correlate_then_downsample", "strided_windows", "draw_strided_windows", "show_strided_windows",
           "StrideExperiment", "grid_for_size", "kernel_for_size"]

_UNUSED = HIGHLIGHTS[1]  # Okabe-Ito sky blue: input cells no window reads


def correlate_then_downsample(image, kernel, stride, *, padding=0, dilation=1) -> np.ndarray:
    """The wasteful two-step way: correlate at stride 1, then keep every ``stride``-th value.

    Parameters
    ----------
    image : array of shape (H, W)
    kernel : array of shape (KH, KW)
    stride, dilation : int or (int, int)
    padding : int or (int, int)
        Numbers only: "same" is not defined for a stride above 1.

    Returns
    -------
    out : array of shape (OH, OW)
        Equal to ``correlate2d(image, kernel, stride=stride, padding=padding, dilation=dilation)``.

    Examples
    --------
    >>> x = np.arange(25.0).reshape(5, 5)
    >>> correlate_then_downsample(x, np.ones((3, 3)), 2)
    array([[ 54.,  72.],
           [144., 162.]])
    """
    sh, sw = pair(stride, "stride")
    if isinstance(padding, str):
        raise TypeError(f"padding must be an int or a pair of ints here (a stride above 1 has no 'same'); "
                        f"got {padding!r}")
    return correlate2d(image, kernel, stride=1, padding=padding, dilation=dilation)[::sh, ::sw]


def strided_windows(image, kernel, *, stride=1, padding=0, dilation=1) -> dict:
    """What the strided windows read: the output, the zero-padded input, and the cells never read.

    Parameters
    ----------
    image : array of shape (H, W)
    kernel : array of shape (KH, KW)
    stride, dilation : int or (int, int)
    padding : int, (int, int), "valid", "same" or "full"

    Returns
    -------
    dict
        ``output`` (OH, OW), ``padded`` (the zero-padded input), ``unused`` (bool mask of the
        original image's cells no window reads: the rows and columns the floor in the output-size
        formula drops), ``top`` and ``left`` (the padding before the image).

    Raises
    ------
    ValueError
        As :func:`cnnhelpers.correlate2d`.

    Examples
    --------
    >>> strided_windows(np.ones((4, 4)), np.ones((3, 3)), stride=2)["unused"].sum(axis=0).tolist()
    [1, 1, 1, 4]
    """
    image = as_float_array(image, "image")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(image, "image", (2,), "(H, W)")
    check_ndim(kernel, "kernel", (2,), "(KH, KW)")
    output = correlate2d(image, kernel, stride=stride, padding=padding, dilation=dilation)  # validates
    step, dil = pair(stride, "stride"), pair(dilation, "dilation")
    top, bottom, left, right = padding_amounts(padding, kernel.shape, dil, step, allow_full=True)
    padded = np.pad(image, ((top, bottom), (left, right)))
    read = np.zeros(padded.shape, dtype=bool)
    for u in range(kernel.shape[0]):
        for v in range(kernel.shape[1]):
            read[offset_slices((u, v), step, dil, output.shape)] = True
    unused = ~read[top:top + image.shape[0], left:left + image.shape[1]]
    return {"output": output, "padded": padded, "unused": unused, "top": top, "left": left}


def draw_strided_windows(axes, image, kernel, *, stride=1, padding=0, dilation=1, position=None,
                         max_numbers: int = 14) -> None:
    """Draw the padded input with one window's taps, the kernel, and the output, as grids.

    Input cells that no window ever reads (:func:`strided_windows`) are shaded blue; a dot marks
    every window's first tap, so the stride's jumps are visible.

    Parameters
    ----------
    axes : three matplotlib Axes
        For the input, the kernel and the output.
    image : array of shape (H, W)
    kernel : array of shape (KH, KW)
    stride, dilation : int or (int, int)
    padding : int, (int, int), "valid", "same" or "full"
    position : (row, col), optional
        The output cell whose window is outlined; default the last one.
    max_numbers : int
        Grids with more rows or columns than this are drawn without their numbers (hundreds of
        numbers are unreadable, and slow to draw).

    Raises
    ------
    ValueError
        As :func:`cnnhelpers.correlate2d`, or ``position`` outside the output.
    """
    windows = strided_windows(image, kernel, stride=stride, padding=padding, dilation=dilation)
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    output, padded, unused, top, left = (windows[key] for key in ("output", "padded", "unused", "top", "left"))
    step, dil = pair(stride, "stride"), pair(dilation, "dilation")
    row, col = check_position((output.shape[0] - 1, output.shape[1] - 1) if position is None else position,
                              output.shape)

    ax_in, ax_kernel, ax_out = axes
    draw_grid(ax_in, padded, signed=False, fmt="{:g}" if max(padded.shape) <= max_numbers else "",
              title=f"input {image.shape[0]}x{image.shape[1]}"
              + (f", padded to {padded.shape[0]}x{padded.shape[1]}" if padded.shape != image.shape else ""))
    for i, j in zip(*np.nonzero(unused), strict=True):
        ax_in.add_patch(Rectangle((left + j - 0.5, top + i - 0.5), 1, 1, color=_UNUSED, alpha=0.45, linewidth=0))
    if padded.shape != image.shape:  # the original image inside the zeros
        ax_in.add_patch(Rectangle((left - 0.5, top - 0.5), image.shape[1], image.shape[0], fill=False,
                                  edgecolor=HIGHLIGHTS[2], linewidth=2.5, linestyle="--"))
    for u in range(kernel.shape[0]):
        for v in range(kernel.shape[1]):
            ax_in.add_patch(Rectangle((col * step[1] + v * dil[1] - 0.5, row * step[0] + u * dil[0] - 0.5), 1, 1,
                                      fill=False, edgecolor=HIGHLIGHT, linewidth=3.5))
    first_rows = np.arange(output.shape[0]) * step[0]
    first_cols = np.arange(output.shape[1]) * step[1]
    ax_in.plot(*np.meshgrid(first_cols - 0.3, first_rows - 0.3), "o", color="white", markeredgecolor="black",
               markersize=min(7.0, 80.0 / max(padded.shape)))
    ax_in.set_xlabel("dots: window starts" + (" · blue: never read" if unused.any() else ""), fontsize="small")
    draw_grid(ax_kernel, kernel, title=f"kernel {kernel.shape[0]}x{kernel.shape[1]}", signed=True)
    draw_grid(ax_out, output, title=f"output {output.shape[0]}x{output.shape[1]}", highlight=(row, col, 1, 1),
              signed=True, fmt="{:g}" if max(output.shape) <= max_numbers else "")


def show_strided_windows(image, kernel, *, stride=1, padding=0, dilation=1, position=None, fig=None):
    """:func:`draw_strided_windows` in a new (or the given, cleared) figure.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> fig = show_strided_windows(np.arange(25).reshape(5, 5), np.ones((3, 3)), stride=2)
    >>> [ax.get_title() for ax in fig.axes]
    ['input 5x5', 'kernel 3x3', 'output 2x2']
    >>> plt.close(fig)
    """
    check_figure(fig)
    output = correlate2d(image, kernel, stride=stride, padding=padding, dilation=dilation)  # validates
    top, bottom, left, right = padding_amounts(padding, np.shape(kernel), pair(dilation, "dilation"),
                                               pair(stride, "stride"), allow_full=True)
    widths = [np.shape(image)[1] + left + right, np.shape(kernel)[1], output.shape[1]]
    if fig is None:
        fig = plt.figure(figsize=(2.5 + 0.62 * sum(widths), 4.6), layout="constrained")
    else:
        fig.clear()
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": widths})
    draw_strided_windows(axes, image, kernel, stride=stride, padding=padding, dilation=dilation, position=position)
    return fig

_MARGINS = {"left": 0.02, "right": 0.99, "bottom": 0.1, "top": 0.9, "wspace": 0.1}

_PADDINGS = [("0", 0), ("1", 1), ("2", 2), ("3", 3), ("'same'", "same"), ("'full'", "full")]


MAX_GRID = 1000  # cells per side of the experiment's grids: larger ones cannot be read or drawn


def grid_for_size(size: int) -> np.ndarray:
    """A ``size`` x ``size`` integer grid: the lecture's 5x5 input, tiled and cut.

    Examples
    --------
    >>> grid_for_size(5).tolist() == SLIDE_INPUT.tolist(), grid_for_size(7).shape
    (True, (7, 7))
    """
    size = count(size, "size", maximum=MAX_GRID)
    reps = -(-size // SLIDE_INPUT.shape[0])
    return np.tile(SLIDE_INPUT, (reps, reps))[:size, :size].astype(float)


def kernel_for_size(kernel_size: int) -> np.ndarray:
    """The lecture's 3x3 kernel for size 3; an all-ones (window sum) kernel for other sizes.

    Examples
    --------
    >>> kernel_for_size(2)
    array([[1., 1.],
           [1., 1.]])
    """
    kernel_size = count(kernel_size, "kernel_size", maximum=MAX_GRID)
    if kernel_size == SLIDE_KERNEL.shape[0]:
        return SLIDE_KERNEL.astype(float)
    return np.ones((kernel_size, kernel_size))


class StrideExperiment(Experiment):
    """Sliders for the five numbers of the output-size formula, answered on a grid and a photo.

    Parameters
    ----------
    photo : str
        A name from :data:`cnnhelpers.images.PHOTOS` (grey).
    size : int, optional
        Resize the photo's shorter side to this; default full size (512x512 for "camera").

    Examples
    --------
    >>> experiment = StrideExperiment()
    >>> result = experiment.update(size=5, kernel_size=3, stride=2, padding=0, dilation=1)
    >>> result["output"].tolist(), result["photo_output"].shape
    ([[-2.0, 3.0], [-2.0, -1.0]], (255, 255))
    """

    def __init__(self, photo: str = "camera", size: int | None = None):
        super().__init__()
        self.photo = load_image(photo, gray=True, size=size)
        style = {"description_width": "initial"}
        slider = dict(style=style, continuous_update=True, layout=widgets.Layout(width="260px"))
        self.controls = {
            "size": widgets.IntSlider(value=5, min=3, max=10, description="input size", **slider),
            "kernel_size": widgets.IntSlider(value=3, min=1, max=5, description="kernel size", **slider),
            "stride": widgets.IntSlider(value=2, min=1, max=4, description="stride", **slider),
            "padding": widgets.Dropdown(options=_PADDINGS, value=1, description="padding", style=style,
                                        layout=widgets.Layout(width="180px")),
            "dilation": widgets.IntSlider(value=1, min=1, max=3, description="dilation", **slider),
        }
        self.formula = widgets.HTML(value="")
        self.live = LiveFigure(figsize=(16, 5.4))
        # Panels built once; the grids change size, so each update empties and moves them.
        self.axes = panel_row(self.live, 4, **_MARGINS)
        self._photo_shown = self.axes[3].imshow(np.zeros((2, 2)), cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self.axes[3].set_xticks([])
        self.axes[3].set_yticks([])
        self.axes[3].set_xlabel(f"input {self.photo.shape[0]}x{self.photo.shape[1]}, box blur", fontsize="small")

    def output_widgets(self) -> list[widgets.Widget]:
        return [self.formula, self.live.image]

    def compute(self, size: int, kernel_size: int, stride: int, padding, dilation: int) -> dict:
        """The numbers behind the figure, without drawing."""
        formula = explain_output_size(size, kernel_size, stride, padding, dilation)  # readable errors first
        grid, kernel = grid_for_size(size), kernel_for_size(kernel_size)
        output = correlate2d(grid, kernel, stride=stride, padding=padding, dilation=dilation)
        box = np.ones((kernel_size, kernel_size)) / kernel_size**2
        photo_output = correlate2d(self.photo, box, stride=stride, padding=padding, dilation=dilation)
        return {"formula": formula, "grid": grid, "kernel": kernel, "output": output, "photo_output": photo_output}

    def update(self, size: int, kernel_size: int, stride: int, padding, dilation: int) -> dict:
        """Compute and redraw; returns :meth:`compute`'s dict (with ``unused``, the never-read cells)."""
        self.formula.value = ""
        result = self.compute(size, kernel_size, stride, padding, dilation)
        self.formula.value = ('<div style="font-size:17px;font-family:monospace">output size = '
                              f"{html.escape(result['formula'])}</div>")
        axes = self.axes
        _, _, left, right = padding_amounts(padding, (kernel_size, kernel_size), (dilation, dilation),
                                            (stride, stride), allow_full=True)
        padded_width = result["grid"].shape[1] + left + right
        grids = np.array([padded_width, kernel_size + 1, result["output"].shape[1] + 1], dtype=float)
        place_in_row(axes, [*(0.7 * grids / grids.sum()), 0.3], **_MARGINS)  # grids share 70% of the width
        for ax in axes[:3]:
            empty_axes(ax)
        draw_strided_windows(axes[:3], result["grid"], result["kernel"], stride=stride, padding=padding,
                             dilation=dilation)
        unused = strided_windows(result["grid"], result["kernel"], stride=stride, padding=padding,
                                 dilation=dilation)["unused"]
        photo_output = result["photo_output"]
        show_array(self._photo_shown, photo_output)
        axes[3].set_title(f"photo → {photo_output.shape[0]}x{photo_output.shape[1]}")
        self.live.refresh()
        return {**result, "unused": unused}
