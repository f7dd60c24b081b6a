"""Output sizes: the formula spelled out, stacks of layers, and settings that give a wanted size.

Every function here is arithmetic on ints; :func:`cnnhelpers.conv_output_size` is the formula,
``floor((size + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``, and the checks of
what can work (a kernel that fits, "same" only at stride 1) are the ones ``correlate2d`` makes.
"""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np

from ._validate import describe, padding_amounts, pair
from .conv import conv_output_size, correlate2d
from .plotting import IMAGE_CMAP

__all__ = ["explain_output_size", "layer_sizes", "settings_for_output_size", "output_size_table", "format_table",
           "show_layer_sizes", "show_true_size"]


def _resolve_padding(kernel: int, stride: int, padding, dilation: int) -> tuple[int, int]:
    """``padding`` (int or mode) as (before, after) along one axis, with readable errors."""
    if isinstance(padding, str) and padding.lower() == "same" and stride != 1:
        before, after = padding_amounts("same", (kernel, 1), (dilation, 1), (1, 1))[:2]
        raise ValueError(f"padding='same' keeps the size only at stride 1 (PyTorch refuses it otherwise), "
                         f"and this is stride {stride}. Give the padding as a number instead: "
                         f"{before} per side is what 'same' would use for this kernel")
    before, after = padding_amounts(padding if isinstance(padding, str) else (padding, 0),
                                    (kernel, 1), (dilation, 1), (stride, 1), allow_full=True)[:2]
    return before, after


def explain_output_size(size: int, kernel_size: int, stride: int = 1, padding: int | str = 0,
                        dilation: int = 1) -> str:
    """The output-size formula with the numbers put in, step by step.

    Parameters
    ----------
    size, kernel_size, stride, dilation : int
        Along one axis, as for :func:`cnnhelpers.conv_output_size`.
    padding : int or {"valid", "same", "full"}

    Returns
    -------
    str
        For example ``"floor((5 + 2·1 − 1·(3 − 1) − 1) / 2) + 1 = floor(4 / 2) + 1 = 3"``.

    Raises
    ------
    TypeError
        If a size is not an int.
    ValueError
        If the setting cannot work: the (dilated) kernel is larger than the padded input (the
        message shows the formula's numbers), or padding "same" with a stride above 1.

    Examples
    --------
    >>> print(explain_output_size(5, 3, stride=2, padding=1))
    floor((5 + 2·1 − 1·(3 − 1) − 1) / 2) + 1 = floor(4 / 2) + 1 = 3
    >>> print(explain_output_size(5, 3, padding="same"))
    padding 'same' = 1 + 1: floor((5 + 1 + 1 − 1·(3 − 1) − 1) / 1) + 1 = floor(4 / 1) + 1 = 5
    """
    (size, _) = pair(size, "size", minimum=1)
    (kernel, _) = pair(kernel_size, "kernel_size", minimum=1)
    (step, _) = pair(stride, "stride", minimum=1)
    (dil, _) = pair(dilation, "dilation", minimum=1)
    before, after = _resolve_padding(kernel, step, padding, dil)
    pad_text = f"2·{before}" if before == after else f"{before} + {after}"
    prefix = ""
    if isinstance(padding, str):
        pad_text = f"{before} + {after}"
        prefix = f"padding {padding!r} = {before} + {after}: "
    numerator = size + before + after - dil * (kernel - 1) - 1
    formula = f"floor(({size} + {pad_text} − {dil}·({kernel} − 1) − 1) / {step}) + 1"
    if numerator < 0:
        span, padded = dil * (kernel - 1) + 1, size + before + after
        raise ValueError(f"{formula} = floor({numerator} / {step}) + 1 gives no output: the kernel spans {span} "
                         f"pixels (dilation·(kernel_size − 1) + 1) but the padded input has only {padded}. "
                         f"Use a smaller kernel or dilation, or more padding")
    return f"{prefix}{formula} = floor({numerator} / {step}) + 1 = {numerator // step + 1}"


def layer_sizes(size: int, num_layers: int, kernel_size: int, *, stride: int = 1, padding: int | str = 0,
                dilation: int = 1) -> list[int]:
    """The size after each layer of a stack of identical convolutions.

    Parameters
    ----------
    size : int
        Input size along one axis.
    num_layers : int
        Layers in the stack, >= 0.
    kernel_size, stride, padding, dilation
        Every layer's settings, as for :func:`cnnhelpers.conv_output_size`.

    Returns
    -------
    sizes : list of int
        ``[size, after layer 1, after layer 2, ...]``; it stops early, with fewer than
        ``num_layers + 1`` entries, at the first layer whose kernel no longer fits.

    Examples
    --------
    Without padding a 3x3 kernel eats 2 pixels per layer; with "same" nothing.

    >>> layer_sizes(8, 5, 3), layer_sizes(8, 3, 3, padding="same")
    ([8, 6, 4, 2], [8, 8, 8, 8])
    """
    (count, _) = pair(num_layers, "num_layers", minimum=0)
    sizes = [pair(size, "size", minimum=1)[0]]
    (kernel, _) = pair(kernel_size, "kernel_size")
    (dil, _) = pair(dilation, "dilation")
    (step, _) = pair(stride, "stride")
    before, after = _resolve_padding(kernel, step, padding, dil)
    for _ in range(count):
        if sizes[-1] + before + after < dil * (kernel - 1) + 1:  # the kernel no longer fits
            break
        sizes.append(conv_output_size(sizes[-1], kernel, step, padding, dil))
    return sizes


def settings_for_output_size(size: int, output_size: int, kernel_size: int, *, dilation: int = 1,
                             max_stride: int | None = None,
                             max_padding: int | None = None) -> list[tuple[int, int]]:
    """Every (stride, padding) that turns ``size`` into ``output_size`` with this kernel.

    Parameters
    ----------
    size, output_size, kernel_size, dilation : int
    max_stride : int, optional
        Largest stride tried; default ``size``.
    max_padding : int, optional
        Largest padding tried; default ``dilation*(kernel_size-1)`` (the "full" padding: more
        only adds outputs that see nothing but zeros).

    Returns
    -------
    list of (stride, padding), sorted by stride then padding

    Examples
    --------
    >>> settings_for_output_size(64, 32, 3)
    [(2, 1)]
    >>> settings_for_output_size(7, 3, 3, max_stride=3)
    [(2, 0), (3, 1), (3, 2)]
    """
    (size, _) = pair(size, "size")
    (wanted, _) = pair(output_size, "output_size")
    (kernel, _) = pair(kernel_size, "kernel_size")
    (dil, _) = pair(dilation, "dilation")
    max_stride = size if max_stride is None else pair(max_stride, "max_stride")[0]
    max_padding = dil * (kernel - 1) if max_padding is None else pair(max_padding, "max_padding", minimum=0)[0]
    found = []
    for step, pad in itertools.product(range(1, max_stride + 1), range(max_padding + 1)):
        numerator = size + 2 * pad - dil * (kernel - 1) - 1
        if numerator >= 0 and numerator // step + 1 == wanted:
            found.append((step, pad))
    return found


def output_size_table(sizes, kernel_sizes, strides, paddings, dilations) -> list[dict]:
    """The formula against the shape ``correlate2d`` really returns, for every combination.

    Settings that cannot work (a kernel larger than the padded input, "same" with a stride
    above 1) are left out.

    Parameters
    ----------
    sizes, kernel_sizes, strides, paddings, dilations : sequences
        The values to combine; paddings may include "valid", "same" and "full".

    Returns
    -------
    rows : list of dict
        Keys ``size, kernel, stride, padding, dilation, formula, measured``.

    Examples
    --------
    >>> rows = output_size_table([5], [3], [1, 2], [0, 1], [1])
    >>> [(row["stride"], row["padding"], row["formula"], row["measured"]) for row in rows]
    [(1, 0, 3, 3), (1, 1, 5, 5), (2, 0, 2, 2), (2, 1, 3, 3)]
    """
    rows = []
    for size, kernel, step, pad, dil in itertools.product(sizes, kernel_sizes, strides, paddings, dilations):
        try:
            formula = conv_output_size(size, kernel, step, pad, dil)
        except ValueError:  # a setting that cannot work
            continue
        measured = correlate2d(np.zeros((size, 1)), np.ones((kernel, 1)), stride=(step, 1),
                               padding=pad if isinstance(pad, str) else (pad, 0), dilation=(dil, 1)).shape[0]
        rows.append({"size": size, "kernel": kernel, "stride": step, "padding": pad, "dilation": dil,
                     "formula": formula, "measured": measured})
    return rows


def format_table(rows: list[dict], columns=None) -> str:
    """Rows of dicts as a plain-text table with right-aligned columns.

    Parameters
    ----------
    rows : list of dict
    columns : sequence of str, optional
        Keys to show, in order; default the first row's keys.

    Returns
    -------
    str

    Examples
    --------
    >>> print(format_table([{"kernel": 3, "output": 5}, {"kernel": 11, "output": -1}]))
    kernel  output
    ------  ------
         3       5
        11      -1
    """
    if not isinstance(rows, (list, tuple)) or not all(isinstance(row, dict) for row in rows):
        raise TypeError(f"rows must be a list of dicts; got {describe(rows)}")
    columns = list(columns if columns is not None else (rows[0] if rows else []))
    cells = [[str(row.get(column, "")) for column in columns] for row in rows]
    widths = [max([len(column)] + [len(line[k]) for line in cells]) for k, column in enumerate(columns)]
    lines = ["  ".join(column.rjust(width) for column, width in zip(columns, widths, strict=True)),
             "  ".join("-" * width for width in widths)]
    lines += ["  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)) for line in cells]
    return "\n".join(lines)


def show_layer_sizes(size: int, num_layers: int, kernel_sizes=(3, 5, 7), *, ax=None):
    """Plot how a stack of identical layers shrinks without padding, against "same" padding.

    Parameters
    ----------
    size : int
        Input width.
    num_layers : int
        Layers drawn.
    kernel_sizes : sequence of int
        One curve per kernel size without padding; one flat curve for "same" (any kernel).
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> ax = show_layer_sizes(16, 8, (3, 5))
    >>> [line.get_label() for line in ax.get_lines()]
    ['3x3, no padding', '5x5, no padding', "any kernel, padding 'same'"]
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 5.5), layout="constrained")
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
    return ax


def show_true_size(images, titles=None, *, cmap: str = IMAGE_CMAP, size: float = 4.0, centre: bool = True,
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
    centre : bool
        Centre each image in its panel (default), else put it in the top-left corner.
    fig : matplotlib Figure, optional

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> fig = show_true_size([np.zeros((8, 8)), np.zeros((4, 4))])
    >>> [ax.get_title() for ax in fig.axes]
    ['8x8', '4x4']
    >>> plt.close(fig)
    """
    images = [np.asarray(image, dtype=float) for image in images]
    for k, image in enumerate(images):
        if image.ndim != 2:
            raise ValueError(f"images[{k}] must be 2-D (H, W); got shape {image.shape}")
    height = max(image.shape[0] for image in images)
    width = max(image.shape[1] for image in images)
    titles = titles or [f"{image.shape[0]}x{image.shape[1]}" for image in images]
    if fig is None:
        fig = plt.figure(figsize=(size * len(images), size * height / width + 0.8), layout="constrained")
    axes = fig.subplots(1, len(images), squeeze=False)[0]
    low = min(float(image.min()) for image in images)
    high = max(float(image.max()) for image in images)
    for ax, image, title in zip(axes, images, titles, strict=True):
        top, left = ((height - image.shape[0]) / 2, (width - image.shape[1]) / 2) if centre else (0, 0)
        ax.imshow(image, cmap=cmap, vmin=low, vmax=high,  # one data unit per pixel
                  extent=(left - 0.5, left + image.shape[1] - 0.5, top + image.shape[0] - 0.5, top - 0.5))
        ax.set(xlim=(-0.5, width - 0.5), ylim=(height - 0.5, -0.5), title=title)
        ax.set_facecolor("white")
        ax.tick_params(labelsize=11)
    return fig
