"""Figures for the pooling notebook: pooling windows on a grid, adaptive windows on photographs,
and a receptive field drawn on a photograph.

Window colours come from the Okabe-Ito palette, distinguishable with every common colour-vision type.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from ._validate import as_float_array, check_ndim, pair
from .conv import conv_output_size
from .plotting import IMAGE_CMAP, UNSIGNED_CMAP, ScaledColourBar, draw_grid
from .pool import _adaptive_windows, adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d
from .receptive_field import (
    centre_position,
    input_gradient,
    nonzero_box,
    receptive_field,
    receptive_window,
)

__all__ = ["WINDOW_COLOURS", "POOLS", "pool", "adaptive_windows", "window_positions", "draw_pooling",
           "show_pooling", "show_adaptive_pooling", "measure_receptive_field", "ReceptiveFieldFigure",
           "show_receptive_field", "plot_receptive_field_growth"]

# Okabe-Ito: orange, sky blue, bluish green, vermillion, blue, reddish purple, yellow.
WINDOW_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442")

POOLS = {"max": max_pool2d, "avg": avg_pool2d}
_WHITE = ListedColormap(["white"])  # grid cells stay white so the window colours read clearly


def pool(x, mode: str, kernel_size, stride=None, padding=0) -> np.ndarray:
    """``max_pool2d`` or ``avg_pool2d`` by name.

    Parameters
    ----------
    x : array of shape (H, W), (C, H, W) or (N, C, H, W)
    mode : {"max", "avg"}
    kernel_size, stride, padding
        As for :func:`~cnnhelpers.max_pool2d`.

    Returns
    -------
    array of the same rank

    Raises
    ------
    ValueError
        For an unknown ``mode`` (and whatever the pooling function raises).

    Examples
    --------
    >>> pool([[1, 2], [3, 4]], "avg", 2)
    array([[2.5]])
    """
    if mode not in POOLS:
        raise ValueError(f"mode must be one of {sorted(POOLS)}; got {mode!r}")
    return POOLS[mode](x, kernel_size, stride, padding)


def adaptive_windows(size: int, output_size: int) -> list[tuple[int, int]]:
    """Where adaptive pooling's windows lie along one axis: ``(start, end)``, end exclusive.

    Window ``i`` spans ``floor(i*size/output_size)`` to ``ceil((i+1)*size/output_size)``, as in
    PyTorch: neighbouring windows may share a pixel when ``size`` is not a multiple.

    Examples
    --------
    >>> adaptive_windows(10, 4)
    [(0, 3), (2, 5), (5, 8), (7, 10)]
    """
    (size, _), (output_size, _) = pair(size, "size"), pair(output_size, "output_size")
    starts, ends = _adaptive_windows(size, output_size)
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def window_positions(output_shape: tuple[int, int], windows) -> list[tuple[int, int]]:
    """Which output cells to outline: "all", "first" (the first two along the row) or a list."""
    height, width = output_shape
    if isinstance(windows, str):
        if windows == "all":
            return [(i, j) for i in range(height) for j in range(width)]
        if windows == "first":
            return [(0, j) for j in range(min(2, width))]
        raise ValueError(f"windows must be 'all', 'first' or a list of (row, col); got {windows!r}")
    positions = [tuple(p) for p in windows]
    for row, col in positions:
        if not (0 <= row < height and 0 <= col < width):
            raise ValueError(f"window ({row}, {col}) lies outside the {height}x{width} output")
    return positions


def draw_pooling(ax_in, axes_out, x, kernel_size, stride=None, modes=("max",), windows="all") -> list[np.ndarray]:
    """Draw a small grid with pooling windows outlined, and the pooled grid(s) beside it.

    Each outlined window has its own colour, used again for its output cell. For max pooling
    the winning cell of each outlined window is written in bold.

    Parameters
    ----------
    ax_in : matplotlib Axes
        For the input grid.
    axes_out : sequence of Axes
        One per mode.
    x : array of shape (H, W)
    kernel_size, stride : int
        Square windows; stride defaults to ``kernel_size``.
    modes : sequence of {"max", "avg"}
    windows : "all", "first" or list of (row, col)
        Output cells whose windows are outlined.

    Returns
    -------
    outputs : list of arrays, one per mode
    """
    x = as_float_array(x, "x")
    check_ndim(x, "x", (2,), "(H, W)")
    k = int(kernel_size)
    s = k if stride is None else int(stride)
    outputs = [pool(x, mode, k, s) for mode in modes]
    positions = window_positions(outputs[0].shape, windows)
    draw_grid(ax_in, x, title=f"input {x.shape[0]}x{x.shape[1]}", cmap=_WHITE, signed=False)
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax_in.texts}
    for n, (row, col) in enumerate(positions):
        colour = WINDOW_COLOURS[n % len(WINDOW_COLOURS)]
        inset = 0.09 * (n % 4) if s < k else 0.0  # overlapping windows stay visible side by side
        corner = (col * s - 0.5 + inset, row * s - 0.5 + inset)
        ax_in.add_patch(Rectangle(corner, k - 2 * inset, k - 2 * inset, facecolor=colour, alpha=0.2,
                                  edgecolor="none", zorder=1))
        ax_in.add_patch(Rectangle(corner, k - 2 * inset, k - 2 * inset, fill=False, edgecolor=colour,
                                  linewidth=4, zorder=3 + n))
        if "max" in modes:
            patch = x[row * s:row * s + k, col * s:col * s + k]
            u, v = np.unravel_index(np.argmax(patch), patch.shape)  # the first maximum, as PyTorch
            texts[(row * s + u, col * s + v)].set_fontweight("bold")
    names = {"max": "max", "avg": "average"}
    for ax, mode, output in zip(axes_out, modes, outputs, strict=True):
        draw_grid(ax, output, title=f"{names[mode]} pool\n{k}x{k}, stride {s}", fmt="{:.3g}", cmap=_WHITE,
                  signed=False)
        for n, (row, col) in enumerate(positions):
            colour = WINDOW_COLOURS[n % len(WINDOW_COLOURS)]
            ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor=colour, alpha=0.2, edgecolor="none"))
            ax.add_patch(Rectangle((col - 0.45, row - 0.45), 0.9, 0.9, fill=False, edgecolor=colour, linewidth=4))
    return outputs


def show_pooling(x, kernel_size, stride=None, modes=("max",), windows="all", *, cell: float = 0.8):
    """A slide-style pooling picture: the grid with its windows, and each mode's output.

    The title spells out the first outlined window: ``max(1, 3, 2, 0) = 3``.

    Parameters
    ----------
    x : array of shape (H, W)
    kernel_size, stride : int
    modes : sequence of {"max", "avg"}
    windows : "all", "first" or list of (row, col)
    cell : float
        Inches per grid cell.

    Returns
    -------
    fig : matplotlib Figure

    Raises
    ------
    ValueError
        If the window does not fit, or an unknown mode.
    """
    x = as_float_array(x, "x")
    check_ndim(x, "x", (2,), "(H, W)")
    k = int(kernel_size)
    s = k if stride is None else int(stride)
    out_w = conv_output_size(x.shape[1], k, s)
    out_h = conv_output_size(x.shape[0], k, s)
    fig = plt.figure(figsize=(cell * (x.shape[1] + len(modes) * max(out_w + 1.2, 3.2)) + 1.5,
                              cell * max(x.shape[0], 2) + 1.6), layout="constrained")
    axes = fig.subplots(1, 1 + len(modes), gridspec_kw={"width_ratios": [x.shape[1]] + [max(out_w, 2.5)] * len(modes)})
    outputs = draw_pooling(axes[0], axes[1:], x, k, s, modes, windows)
    row, col = window_positions((out_h, out_w), windows)[0]
    patch = x[row * s:row * s + k, col * s:col * s + k]
    values = ", ".join(f"{v:g}" for v in patch.ravel())
    names = {"max": "max", "avg": "mean"}
    fig.suptitle("   ".join(f"{names[m]}({values}) = {o[row, col]:.3g}" for m, o in zip(modes, outputs, strict=True)))
    return fig


def show_adaptive_pooling(images, names, output_size, mode: str = "avg", *, size: float = 3.6):
    """Photographs of different sizes, their adaptive windows drawn on them, and the pooled results.

    Parameters
    ----------
    images : sequence of arrays of shape (H, W)
    names : sequence of str
    output_size : int
        Every result is ``output_size x output_size``.
    mode : {"avg", "max"}

    Returns
    -------
    fig : matplotlib Figure
    """
    functions = {"avg": adaptive_avg_pool2d, "max": adaptive_max_pool2d}
    if mode not in functions:
        raise ValueError(f"mode must be one of {sorted(functions)}; got {mode!r}")
    count = len(images)
    fig = plt.figure(figsize=(size * count, 2 * size + 0.6), layout="constrained")
    axes = fig.subplots(2, count, squeeze=False)
    for k, (image, name) in enumerate(zip(images, names, strict=True)):
        image = as_float_array(image, f"images[{k}]")
        axes[0, k].imshow(image, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        for start, _ in adaptive_windows(image.shape[0], output_size)[1:]:
            axes[0, k].axhline(start - 0.5, color=WINDOW_COLOURS[0], linewidth=1.5)
        for start, _ in adaptive_windows(image.shape[1], output_size)[1:]:
            axes[0, k].axvline(start - 0.5, color=WINDOW_COLOURS[0], linewidth=1.5)
        axes[0, k].set_title(f"{name}: {image.shape[0]}x{image.shape[1]}")
        pooled = functions[mode](image, output_size)
        axes[1, k].imshow(pooled, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        axes[1, k].set_title(f"adaptive {mode} → {pooled.shape[0]}x{pooled.shape[1]}")
        for ax in axes[:, k]:
            ax.set_xticks([])
            ax.set_yticks([])
    return fig


def measure_receptive_field(layers, image, position=None) -> dict:
    """Everything the receptive-field figure shows, computed (no drawing).

    Parameters
    ----------
    layers : sequence of :class:`~cnnhelpers.receptive_field.Layer`
    image : array of shape (H, W)
    position : (int, int), optional
        The output unit; default the centre one.

    Returns
    -------
    dict with ``position``; ``window``, the formula's (top, left, height, width) cut to the image;
    ``measured``, the box around the nonzero footprint gradient; ``footprint`` and ``gradient``,
    arrays of shape (H, W) from :func:`~cnnhelpers.receptive_field.input_gradient`.

    Examples
    --------
    >>> from cnnhelpers.receptive_field import Layer
    >>> result = measure_receptive_field([Layer.conv(3)], np.zeros((8, 8)))
    >>> result["position"], result["window"], result["measured"]
    ((2, 2), (2, 2, 3, 3), (2, 2, 3, 3))
    """
    image = as_float_array(image, "image")
    position = centre_position(layers, image.shape) if position is None else tuple(position)
    footprint = input_gradient(layers, image, position, footprint=True)  # does not depend on the pixel values
    return {"position": position,
            "window": receptive_window(layers, position, image.shape),
            "measured": nonzero_box(footprint, position),  # = measured_receptive_field(layers, image.shape, position)
            "footprint": footprint,
            "gradient": input_gradient(layers, image, position)}


class ReceptiveFieldFigure:
    """A photograph with a unit's receptive field outlined, and the gradient inside it, zoomed.

    Three panels: the photograph with the window by formula (solid) and by measurement
    (dashed); the footprint gradient (every pixel that can influence the unit, and how much);
    the true gradient of this image (through max pools, only the winners' paths).

    The artists are made once; :meth:`draw` changes their data, so a slider redraws quickly.
    """

    def __init__(self, fig):
        self.figure = fig
        axes = fig.subplots(1, 3)
        self.axes = axes
        blank = np.zeros((2, 2))
        self.photo = axes[0].imshow(blank, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self.formula_box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=WINDOW_COLOURS[0], linewidth=3,
                                     label="formula")
        self.measured_box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=WINDOW_COLOURS[1], linewidth=2.5,
                                      linestyle="--", label="measured")
        self.unit_marker = axes[0].plot([], [], "+", color=WINDOW_COLOURS[3], markersize=14, mew=3)[0]
        axes[0].add_patch(self.formula_box)
        axes[0].add_patch(self.measured_box)
        axes[0].legend(handles=[self.formula_box, self.measured_box], loc="lower right", fontsize=12,
                       framealpha=0.9)
        self.footprint = axes[1].imshow(blank, cmap=UNSIGNED_CMAP, vmin=0, vmax=1)
        self.gradient = axes[2].imshow(blank, cmap=UNSIGNED_CMAP, vmin=0, vmax=1)
        self.zoom_boxes = [Rectangle((0, 0), 1, 1, fill=False, edgecolor="white", linewidth=1.5, linestyle=":")
                           for _ in range(2)]
        axes[1].add_patch(self.zoom_boxes[0])
        axes[2].add_patch(self.zoom_boxes[1])
        # Bars relabelled, not rebuilt, as the range changes: the figure redraws under sliders.
        self.colour_bars = [ScaledColourBar(fig, UNSIGNED_CMAP, signed=False, ax=ax, shrink=0.8,
                                            label="∂ output / ∂ pixel") for ax in axes[1:]]
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])

    def draw(self, layers, image, position=None, *, margin: int = 6) -> dict:
        """Compute the unit's receptive field on ``image`` (:func:`measure_receptive_field`) and draw it.

        Parameters
        ----------
        layers : sequence of :class:`~cnnhelpers.receptive_field.Layer`
        image : array of shape (H, W)
        position : (int, int), optional
            The output unit; default the centre one.
        margin : int
            Pixels shown around the window in the zoomed panels.

        Returns
        -------
        dict, as :func:`measure_receptive_field`
        """
        result = measure_receptive_field(layers, image, position)
        self.show(image, result, margin=margin)
        return result

    def show(self, image, result: dict, *, margin: int = 6) -> None:
        """Draw a :func:`measure_receptive_field` result computed on ``image``."""
        image = as_float_array(image, "image")
        window, measured, footprint, gradient = (result[key] for key in ("window", "measured", "footprint",
                                                                          "gradient"))
        top, left, height, width = window
        self.photo.set_data(image)
        self.photo.set_extent((-0.5, image.shape[1] - 0.5, image.shape[0] - 0.5, -0.5))
        self.formula_box.set_bounds(left - 0.5, top - 0.5, width, height)
        m_top, m_left, m_height, m_width = measured
        self.measured_box.set_bounds(m_left - 0.5, m_top - 0.5, m_width, m_height)
        self.unit_marker.set_data([left + (width - 1) / 2], [top + (height - 1) / 2])
        self.axes[0].set_title(f"receptive field\n{height}x{width} pixels")
        for box in self.zoom_boxes:
            box.set_bounds(left - 0.5, top - 0.5, width, height)
        rows = slice(max(top - margin, 0), min(top + height + margin, image.shape[0]))
        cols = slice(max(left - margin, 0), min(left + width + margin, image.shape[1]))
        extent = (cols.start - 0.5, cols.stop - 0.5, rows.stop - 0.5, rows.start - 0.5)
        panels = [(self.footprint, footprint, "every pixel that can matter\n(max pool: whole window)"),
                  (self.gradient, gradient, "gradient for this photo\n(max pool: the winner)")]
        for (artist, values, title), bar in zip(panels, self.colour_bars, strict=True):
            zoom = values[rows, cols]
            artist.set_data(zoom)
            artist.set_extent(extent)
            artist.set_clim(0, bar.set_limit(float(zoom.max())))
            artist.axes.set_xlim(extent[0], extent[1])
            artist.axes.set_ylim(extent[2], extent[3])
            artist.axes.set_title(title)
        self.axes[0].set_xlim(-0.5, image.shape[1] - 0.5)
        self.axes[0].set_ylim(image.shape[0] - 0.5, -0.5)


def show_receptive_field(layers, image, position=None, *, title: str | None = None):
    """:class:`ReceptiveFieldFigure` in a new figure.

    Returns
    -------
    fig : matplotlib Figure
    """
    fig = plt.figure(figsize=(17, 5.2), layout="constrained")
    ReceptiveFieldFigure(fig).draw(layers, image, position)
    if title:
        fig.suptitle(title)
    return fig


def plot_receptive_field_growth(blocks: dict, max_blocks: int = 8, *, ax=None):
    """Receptive field side against the number of blocks, one line per kind of block.

    Parameters
    ----------
    blocks : dict of label -> sequence of :class:`~cnnhelpers.receptive_field.Layer`
        One block; it is repeated 1 to ``max_blocks`` times.
    max_blocks : int
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 5.5), layout="constrained")
    counts = np.arange(1, int(max_blocks) + 1)
    markers = "osD^v<>"
    for n, (label, block) in enumerate(blocks.items()):
        sizes = [receptive_field(list(block) * int(count)).size for count in counts]
        ax.plot(counts, sizes, marker=markers[n % len(markers)], color=WINDOW_COLOURS[n % len(WINDOW_COLOURS)],
                linewidth=2.5, markersize=9, label=label)
    ax.set(xlabel="number of blocks", ylabel="receptive field (pixels)", yscale="log",
           title="how far one unit sees")
    ax.set_xticks(counts)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return ax
