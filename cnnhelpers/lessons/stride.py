"""Stride: where the windows land, and why a strided convolution is not "convolve, then subsample".

A convolution with stride ``s`` gives the same numbers as a stride-1 convolution followed by
keeping every ``s``-th row and column (:func:`correlate_then_downsample`), but computes only the
values it keeps: the two-step way throws most of its work away.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from ._validate import as_float_array, check_ndim, padding_amounts, pair
from .conv import correlate2d, offset_slices
from .plotting import HIGHLIGHT, draw_grid

__all__ = ["correlate_then_downsample", "draw_strided_windows", "show_strided_windows"]

_UNUSED = "#56B4E9"  # Okabe-Ito sky blue: input cells no window reads


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


def draw_strided_windows(axes, image, kernel, *, stride=1, padding=0, dilation=1, position=None,
                         max_numbers: int = 14) -> dict:
    """Draw the padded input with one window's taps, the kernel, and the output, as grids.

    Input cells that no window ever reads (the rows and columns the floor in the output-size
    formula drops) are shaded blue; a dot marks every window's first tap, so the stride's jumps
    are visible.

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

    Returns
    -------
    dict
        ``output`` (OH, OW), ``padded`` (the zero-padded input), ``unused`` (bool mask of the
        original image's cells no window reads).

    Raises
    ------
    ValueError
        As :func:`cnnhelpers.correlate2d`, or ``position`` outside the output.
    """
    image = as_float_array(image, "image")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(image, "image", (2,), "(H, W)")
    check_ndim(kernel, "kernel", (2,), "(KH, KW)")
    output = correlate2d(image, kernel, stride=stride, padding=padding, dilation=dilation)  # validates
    step, dil = pair(stride, "stride"), pair(dilation, "dilation")
    top, bottom, left, right = padding_amounts(padding, kernel.shape, dil, step, allow_full=True)
    padded = np.pad(image, ((top, bottom), (left, right)))
    row, col = position if position is not None else (output.shape[0] - 1, output.shape[1] - 1)
    if not (0 <= row < output.shape[0] and 0 <= col < output.shape[1]):
        raise ValueError(f"position must lie inside the {output.shape[0]}x{output.shape[1]} output; got {position}")

    read = np.zeros(padded.shape, dtype=bool)
    for u in range(kernel.shape[0]):
        for v in range(kernel.shape[1]):
            read[offset_slices((u, v), step, dil, output.shape)] = True
    unused = ~read[top:top + image.shape[0], left:left + image.shape[1]]

    ax_in, ax_kernel, ax_out = axes
    draw_grid(ax_in, padded, signed=False, fmt="{:g}" if max(padded.shape) <= max_numbers else "",
              title=f"input {image.shape[0]}x{image.shape[1]}"
              + (f", padded to {padded.shape[0]}x{padded.shape[1]}" if padded.shape != image.shape else ""))
    for i, j in zip(*np.nonzero(unused), strict=True):
        ax_in.add_patch(Rectangle((left + j - 0.5, top + i - 0.5), 1, 1, color=_UNUSED, alpha=0.45, linewidth=0))
    if padded.shape != image.shape:  # the original image inside the zeros
        ax_in.add_patch(Rectangle((left - 0.5, top - 0.5), image.shape[1], image.shape[0], fill=False,
                                  edgecolor="black", linewidth=2.5, linestyle="--"))
    for u in range(kernel.shape[0]):
        for v in range(kernel.shape[1]):
            ax_in.add_patch(Rectangle((col * step[1] + v * dil[1] - 0.5, row * step[0] + u * dil[0] - 0.5), 1, 1,
                                      fill=False, edgecolor=HIGHLIGHT, linewidth=3.5))
    first_rows = np.arange(output.shape[0]) * step[0]
    first_cols = np.arange(output.shape[1]) * step[1]
    ax_in.plot(*np.meshgrid(first_cols - 0.3, first_rows - 0.3), "o", color="black",
               markersize=min(7.0, 80.0 / max(padded.shape)))
    ax_in.set_xlabel("dots: window starts" + (" · blue: never read" if unused.any() else ""), fontsize="small")
    draw_grid(ax_kernel, kernel, title=f"kernel {kernel.shape[0]}x{kernel.shape[1]}", signed=True)
    draw_grid(ax_out, output, title=f"output {output.shape[0]}x{output.shape[1]}", highlight=(row, col, 1, 1),
              signed=True, fmt="{:g}" if max(output.shape) <= max_numbers else "")
    return {"output": output, "padded": padded, "unused": unused}


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
