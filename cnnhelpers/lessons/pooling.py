"""Notebook 05 (pooling): its figures, computed numbers and slider experiments, in the notebook's order.

* max and average pooling, with stride: :func:`pool`, :func:`draw_pooling`, :func:`show_pooling`;
* the three stages of a convolutional layer: :func:`relu`, :func:`layer_stages`,
  :func:`show_layer_stages`;
* shift invariance measured: :func:`shifted_pair`, :func:`shift_stability`,
  :func:`show_shift_stability`;
* inputs of any size: :func:`adaptive_windows`, :func:`show_adaptive_pooling`;
* receptive fields, by formula and by gradient: a stack of :class:`LayerSpec` (kernel, stride,
  padding, dilation of each layer), :func:`receptive_field`, :func:`receptive_window`,
  :func:`input_gradient`, :func:`measured_receptive_field`; drawn by
  :class:`ReceptiveFieldFigure`, :func:`show_receptive_field`, :func:`show_receptive_field_growth`;
* the experiments: :class:`PoolingExperiment` and :class:`ReceptiveFieldExperiment`.

Receptive fields by formula: walking the stack from the input upwards, each layer with kernel
``k``, stride ``s``, padding ``p`` and dilation ``d`` updates three numbers (all in input pixels):

* size:  ``r_l = r_{l-1} + d*(k-1) * j_{l-1}`` (the window grows by the kernel's reach, measured
  in steps of the previous layer);
* jump:  ``j_l = j_{l-1} * s`` (the distance in the input between neighbouring units);
* start: ``a_l = a_{l-1} - p * j_{l-1}`` (top edge of the first unit's window; padding moves it
  outside the image),

starting from ``r_0 = 1, j_0 = 1, a_0 = 0``. Unit ``i`` of the last layer sees input rows
``a + i*j`` to ``a + i*j + r - 1``. The same window is *measured* by back-propagation: the
gradient of one output unit with respect to the input, chained through
:func:`~cnnhelpers.conv2d_backward`, :func:`~cnnhelpers.max_pool2d_backward` and
:func:`~cnnhelpers.avg_pool2d_backward`.
"""

from __future__ import annotations

import html
import numbers
from dataclasses import dataclass
from typing import NamedTuple

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Rectangle

from .._validate import as_float_array, check_ndim, choice, count, describe, pair, real_array, real_number, strings
from ..conv import conv2d, conv2d_backward, conv_output_size
from ..images import load_image
from ..live import Experiment, LiveFigure, empty_axes, show_array, stamp_labels
from ..plotting import (
    IMAGE_CMAP,
    SIGNED_CMAP,
    UNSIGNED_CMAP,
    ScaledColorBar,
    check_axes,
    check_figure,
    check_position,
    draw_grid,
    signed_norm,
)
from ..pool import (
    _adaptive_windows,
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
)
from ..slides import read_only

__all__ = ["WINDOW_COLORS", "POOLS", "pool", "window_positions", "draw_pooling", "show_pooling", "relu", "layer_stages",
           "show_layer_stages", "shifted_pair", "shift_stability", "show_shift_stability", "adaptive_windows",
           "show_adaptive_pooling", "LayerSpec", "ReceptiveField", "receptive_field", "receptive_field_steps",
           "describe_stack", "output_shapes", "receptive_window", "center_position", "forward_stack", "input_gradient",
           "measured_receptive_field", "nonzero_box", "measure_receptive_field", "ReceptiveFieldFigure",
           "show_receptive_field", "show_receptive_field_growth", "POOL_GRID", "BLOCKS", "PoolingExperiment",
           "ReceptiveFieldExperiment"]


# Okabe-Ito: orange, sky blue, bluish green, vermillion, blue, reddish purple, yellow.
WINDOW_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442")

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
    return POOLS[choice(mode, "mode", sorted(POOLS))](x, kernel_size, stride, padding)


MAX_DRAWN_WINDOWS = 100  # windows per side drawn on a photograph: more lines would cover it
MAX_BLOCKS = 100  # blocks in one stack (receptive-field figures and experiment)
MAX_WINDOWS = 10_000  # outlined windows: a grid with more could not be read, nor drawn in reasonable time


def window_positions(output_shape: tuple[int, int], windows) -> list[tuple[int, int]]:
    """Which output cells to outline: "all", "first" (the first two along the row) or a list."""
    height, width = pair(output_shape, "output_shape", minimum=0)
    if isinstance(windows, str):
        if windows == "all":
            if height * width > MAX_WINDOWS:
                raise ValueError(f"windows='all' would outline {height * width:,} windows, more than {MAX_WINDOWS:,}; "
                                 f"list the ones to outline instead")
            return [(i, j) for i in range(height) for j in range(width)]
        if windows == "first":
            return [(0, j) for j in range(min(2, width))]
        raise ValueError(f"windows must be 'all', 'first' or a list of (row, col); got {windows!r}")
    if not isinstance(windows, (list, tuple)) or not windows:
        raise TypeError(f"windows must be 'all', 'first' or a non-empty list of (row, col); got {describe(windows)}")
    return [check_position(position, (height, width), "each window") for position in windows]


def _check_pooling_drawing(x, kernel_size, stride, modes) -> tuple[np.ndarray, int, int, list[str]]:
    """A 2-D grid, square windows and stride as ints, and a non-empty list of pooling modes."""
    x = as_float_array(x, "x")
    check_ndim(x, "x", (2,), "(H, W)")
    k = count(kernel_size, "kernel_size")
    s = k if stride is None else count(stride, "stride")
    if not isinstance(modes, (list, tuple)) or not modes:
        raise TypeError(f"modes must be a non-empty sequence of 'max' and 'avg'; got {describe(modes)}")
    return x, k, s, [choice(mode, "each mode", ("max", "avg")) for mode in modes]


def draw_pooling(ax_in, axes_out, x, kernel_size, stride=None, modes=("max",), windows="all") -> None:
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
    """
    x, k, s, modes = _check_pooling_drawing(x, kernel_size, stride, modes)
    check_axes(ax_in, "ax_in")
    axes_out = check_axes(axes_out, "axes_out", many=True)
    if len(axes_out) != len(modes):
        raise ValueError(f"axes_out must hold one Axes per mode ({len(modes)}); got {len(axes_out)}")
    outputs = [pool(x, mode, k, s) for mode in modes]
    positions = window_positions(outputs[0].shape, windows)
    draw_grid(ax_in, x, title=f"input {x.shape[0]}x{x.shape[1]}", cmap=_WHITE, signed=False)
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax_in.texts}
    for n, (row, col) in enumerate(positions):
        color = WINDOW_COLORS[n % len(WINDOW_COLORS)]
        inset = 0.09 * (n % 4) if s < k else 0.0  # overlapping windows stay visible side by side
        corner = (col * s - 0.5 + inset, row * s - 0.5 + inset)
        ax_in.add_patch(Rectangle(corner, k - 2 * inset, k - 2 * inset, facecolor=color, alpha=0.2,
                                  edgecolor="none", zorder=1))
        ax_in.add_patch(Rectangle(corner, k - 2 * inset, k - 2 * inset, fill=False, edgecolor=color,
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
            color = WINDOW_COLORS[n % len(WINDOW_COLORS)]
            ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor=color, alpha=0.2, edgecolor="none"))
            ax.add_patch(Rectangle((col - 0.45, row - 0.45), 0.9, 0.9, fill=False, edgecolor=color, linewidth=4))


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
        The grid with its windows outlined, and one pooled grid per mode.

    Raises
    ------
    ValueError
        If the window does not fit, or an unknown mode.
    """
    x, k, s, modes = _check_pooling_drawing(x, kernel_size, stride, modes)
    cell = real_number(cell, "cell", positive=True)
    out_w = conv_output_size(x.shape[1], k, s)
    out_h = conv_output_size(x.shape[0], k, s)
    fig = plt.figure(figsize=(cell * (x.shape[1] + len(modes) * max(out_w + 1.2, 3.2)) + 1.5,
                              cell * max(x.shape[0], 2) + 1.6), layout="constrained")
    axes = fig.subplots(1, 1 + len(modes), gridspec_kw={"width_ratios": [x.shape[1]] + [max(out_w, 2.5)] * len(modes)})
    draw_pooling(axes[0], axes[1:], x, k, s, modes, windows)
    outputs = [pool(x, mode, k, s) for mode in modes]
    row, col = window_positions((out_h, out_w), windows)[0]
    patch = x[row * s:row * s + k, col * s:col * s + k]
    values = ", ".join(f"{v:g}" for v in patch.ravel())
    names = {"max": "max", "avg": "mean"}
    fig.suptitle("   ".join(f"{names[m]}({values}) = {o[row, col]:.3g}" for m, o in zip(modes, outputs, strict=True)))
    return fig


def relu(x) -> np.ndarray:
    """``max(0, x)``, element by element (a new array).

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    return np.maximum(as_float_array(x, "x"), 0.0)


def layer_stages(image, weight, bias=None, *, padding=0, pool_size=2, pool_stride=None,
                 mode: str = "max") -> dict[str, np.ndarray]:
    """Run one convolutional layer on an image and keep the output of each stage.

    Parameters
    ----------
    image : array of shape (H, W) or (C, H, W)
    weight : array of shape (O, C, KH, KW)
    bias : array of shape (O,), optional
    padding : int or str
        Of the convolution.
    pool_size, pool_stride : int
        Of the pooling; the stride defaults to the size.
    mode : {"max", "avg"}

    Returns
    -------
    dict with ``linear`` (O, OH, OW), ``detector`` (same shape, >= 0) and ``pooled``
    (O, PH, PW).

    Raises
    ------
    ValueError
        As ``conv2d`` and the pooling function do, with their messages.

    Examples
    --------
    >>> stages = layer_stages(np.eye(6), np.ones((2, 1, 3, 3)), bias=[-2.0, 0.0])
    >>> [stages[k].shape for k in ("linear", "detector", "pooled")]
    [(2, 4, 4), (2, 4, 4), (2, 2, 2)]
    """
    image = as_float_array(image, "image")
    check_ndim(image, "image", (2, 3), "(H, W) or (C, H, W)")
    x = image[None] if image.ndim == 2 else image
    linear = conv2d(x, weight, bias, padding=padding)
    detector = relu(linear)
    return {"linear": linear, "detector": detector, "pooled": pool(detector, mode, pool_size, pool_stride)}


def show_layer_stages(stages: dict[str, np.ndarray], names=None, *, size: float = 3.6, mode: str = "max"):
    """One row per kernel, one column per stage, with each stage's shape in its title.

    Linear activations are signed (diverging colours centred on zero); the detector and pooled
    maps are >= 0 (grey, larger = brighter).

    Parameters
    ----------
    stages : dict
        As returned by :func:`layer_stages`.
    names : sequence of str, optional
        What each kernel detects.
    mode : str
        The pooling used, for the title.

    Returns
    -------
    fig : matplotlib Figure
    """
    if not isinstance(stages, dict) or not {"linear", "detector", "pooled"} <= set(stages):
        raise TypeError(f"stages must be layer_stages' dict, with 'linear', 'detector' and 'pooled'; "
                        f"got {describe(stages)}")
    linear, detector, pooled = (real_array(stages[key], f"stages[{key!r}]", (3,), "(O, H, W)")
                                for key in ("linear", "detector", "pooled"))
    count = linear.shape[0]
    if not count or detector.shape[0] != count or pooled.shape[0] != count:
        raise ValueError(f"stages must hold the same number (>= 1) of maps at every stage; got shapes "
                         f"{linear.shape}, {detector.shape} and {pooled.shape}")
    names = strings(names, "names", count)
    size, mode = real_number(size, "size", positive=True), choice(mode, "mode", ("max", "avg"))
    fig = plt.figure(figsize=(3 * size + 2.5, (size + 0.7) * count + 0.3), layout="constrained")
    axes = fig.subplots(count, 3, squeeze=False)
    titles = [f"1. convolution {linear.shape[1]}x{linear.shape[2]}",
              f"2. detector (ReLU) {detector.shape[1]}x{detector.shape[2]}",
              f"3. {mode} pool {pooled.shape[1]}x{pooled.shape[2]}"]
    for o in range(count):
        shown = axes[o, 0].imshow(linear[o], cmap=SIGNED_CMAP, norm=signed_norm(linear[o], robust=True))
        fig.colorbar(shown, ax=axes[o, 0], shrink=0.8, extend="both")
        limit = signed_norm(detector[o], robust=True).vmax
        for c, values in ((1, detector[o]), (2, pooled[o])):
            shown = axes[o, c].imshow(values, cmap=UNSIGNED_CMAP, vmin=0, vmax=limit)
            fig.colorbar(shown, ax=axes[o, c], shrink=0.8, extend="max")
        name = names[o] if names else f"kernel {o}"
        for c in range(3):
            axes[o, c].set_xticks([])
            axes[o, c].set_yticks([])
            axes[o, c].set_title(f"{name}\n{titles[c]}" if c == 0 else ("\n" + titles[c]))
    return fig


def _shifts(shifts) -> list[int]:
    if not isinstance(shifts, (list, tuple, range, np.ndarray)):
        raise TypeError(f"shifts must be a non-empty sequence of ints >= 0; got {describe(shifts)}")
    if not len(shifts):
        raise ValueError("shifts must be a non-empty sequence of ints >= 0; got an empty one")
    return [count(shift, f"shifts[{k}]", minimum=0) for k, shift in enumerate(shifts)]


def shifted_pair(feature_map, shift: int, margin: int, axis: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The same crop of a map twice: as it is, and with its content moved by ``shift`` pixels.

    Parameters
    ----------
    feature_map : array of shape (H, W)
    shift : int
        Pixels the content moves (right for ``axis=1``, down for ``axis=0``), 0 <= shift <= margin.
    margin : int
        Pixels cut on every side, so that the shifted crop still lies inside the map.
    axis : {0, 1}

    Returns
    -------
    original, shifted : arrays of shape (H - 2*margin, W - 2*margin)
        ``shifted[i, j + shift] == original[i, j]`` (for ``axis=1``).

    Examples
    --------
    >>> a, b = shifted_pair(np.arange(25.0).reshape(5, 5), 1, 1)
    >>> a[0], b[0]
    (array([6., 7., 8.]), array([5., 6., 7.]))
    """
    feature_map = as_float_array(feature_map, "feature_map")
    check_ndim(feature_map, "feature_map", (2,), "(H, W)")
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 (shift down) or 1 (shift right); got {axis!r}")
    if not 0 <= shift <= margin:
        raise ValueError(f"shift must lie between 0 and margin={margin}; got {shift}")
    height, width = feature_map.shape
    if min(height, width) <= 2 * margin:
        raise ValueError(f"feature_map of shape {feature_map.shape} is too small for margin={margin}")
    rows, cols = slice(margin, height - margin), slice(margin, width - margin)
    moved = (slice(margin - shift, height - margin - shift), cols) if axis == 0 else \
        (rows, slice(margin - shift, width - margin - shift))
    return feature_map[rows, cols], feature_map[moved]


def shift_stability(feature_map, shifts=range(5), *, mode: str | None = "max", kernel_size=2, stride=None,
                    axis: int = 1) -> dict[str, np.ndarray]:
    """How much of a (pooled) feature map survives a shift of its input by a few pixels.

    Parameters
    ----------
    feature_map : array of shape (H, W)
        For instance a detector stage: ``np.maximum(conv2d(...), 0)``.
    shifts : sequence of int >= 0
    mode : {"max", "avg"} or None
        The pooling applied to both versions; None compares the maps themselves.
    kernel_size, stride : int
        Of the pooling.
    axis : {0, 1}
        Shift down (0) or right (1).

    Returns
    -------
    dict of arrays, one value per shift
        ``shift``; ``unchanged``: the fraction of outputs that keep exactly their value, among
        those non-zero in either version (a ReLU map's zeros would make any method look stable);
        ``correlation``: Pearson correlation of the two outputs.

    Raises
    ------
    ValueError
        Bad shifts, mode or pooling arguments.

    Examples
    --------
    >>> dots = np.zeros((24, 24)); dots[1::4, 1::4] = 1  # one dot in every 4x4 block
    >>> shift_stability(dots, [0, 1], mode="max", kernel_size=4)["unchanged"]
    array([1., 1.])
    >>> shift_stability(dots, [0, 1], mode=None)["unchanged"]
    array([1., 0.])
    """
    shifts = _shifts(shifts)
    margin = max(shifts)
    unchanged, correlation = [], []
    for shift in shifts:
        original, moved = shifted_pair(feature_map, shift, margin, axis)
        if mode is not None:
            original, moved = pool(original, mode, kernel_size, stride), pool(moved, mode, kernel_size, stride)
        active = (original != 0) | (moved != 0)
        same = np.isclose(original, moved, rtol=1e-9, atol=0)
        unchanged.append(float(same[active].mean()) if active.any() else 1.0)
        spread = original.std() * moved.std()
        correlation.append(float(np.mean((original - original.mean()) * (moved - moved.mean())) / spread)
                           if spread > 0 else float("nan"))
    return {"shift": np.array(shifts), "unchanged": np.array(unchanged), "correlation": np.array(correlation)}


def show_shift_stability(results: dict[str, dict], *, fig=None):
    """Two panels against the shift: the fraction of outputs unchanged, and the correlation.

    Parameters
    ----------
    results : dict of label -> :func:`shift_stability` result
    fig : matplotlib Figure, optional

    Returns
    -------
    fig : matplotlib Figure
    """
    check_figure(fig)
    if fig is None:
        fig = plt.figure(figsize=(14, 5.2), layout="constrained")
    if not isinstance(results, dict) or not results:
        raise TypeError(f"results must be a non-empty dict of label -> shift_stability result; got {describe(results)}")
    for label, result in results.items():
        if not isinstance(result, dict) or not {"shift", "unchanged", "correlation"} <= set(result):
            raise TypeError(f"results[{label!r}] must be a shift_stability result; got {describe(result)}")
        lengths = {len(real_array(result[key], f"results[{label!r}][{key!r}]", (1,), "(shifts,)"))
                   for key in ("shift", "unchanged", "correlation")}
        if len(lengths) != 1:
            raise ValueError(f"results[{label!r}] must hold one value per shift in each entry")
    axes = fig.subplots(1, 2)
    markers = "osD^v<>"
    for n, (label, result) in enumerate(results.items()):
        style = dict(marker=markers[n % len(markers)], color="black" if n == 0 else WINDOW_COLORS[(n - 1) % 7],
                     linewidth=2.5, markersize=9, label=label, linestyle="--" if n == 0 else "-")
        axes[0].plot(result["shift"], 100 * result["unchanged"], **style)
        axes[1].plot(result["shift"], result["correlation"], **style)
    axes[0].set(xlabel="shift of the input (pixels)", ylabel="outputs unchanged (%)", ylim=(-3, 103),
                title="exactly the same value")
    axes[1].set(xlabel="shift of the input (pixels)", ylabel="correlation with unshifted", ylim=(-0.05, 1.03),
                title="similar values")
    for ax in axes:
        ax.set_xticks(results[next(iter(results))]["shift"])
        ax.grid(alpha=0.3)
    axes[1].legend(loc="lower left")
    return fig


def adaptive_windows(size: int, output_size: int) -> list[tuple[int, int]]:
    """Where adaptive pooling's windows lie along one axis: ``(start, end)``, end exclusive.

    Window ``i`` spans ``floor(i*size/output_size)`` to ``ceil((i+1)*size/output_size)``, as in
    PyTorch: neighbouring windows may share a pixel when ``size`` is not a multiple.

    Examples
    --------
    >>> adaptive_windows(10, 4)
    [(0, 3), (2, 5), (5, 8), (7, 10)]
    """
    size, output_size = count(size, "size"), count(output_size, "output_size", maximum=MAX_WINDOWS)
    starts, ends = _adaptive_windows(size, output_size)
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


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
    mode = choice(mode, "mode", sorted(functions))
    if not isinstance(images, (list, tuple)) or not images:
        raise TypeError(f"images must be a non-empty list of (H, W) arrays; got {describe(images)}")
    names = strings(names, "names", len(images), optional=False)[:len(images)]
    output_size = count(output_size, "output_size", maximum=MAX_DRAWN_WINDOWS)
    size = real_number(size, "size", positive=True)
    number = len(images)
    fig = plt.figure(figsize=(size * number, 2 * size + 0.6), layout="constrained")
    axes = fig.subplots(2, number, squeeze=False)
    for k, (image, name) in enumerate(zip(images, names, strict=True)):
        image = as_float_array(image, f"images[{k}]")
        axes[0, k].imshow(image, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        for start, _ in adaptive_windows(image.shape[0], output_size)[1:]:
            axes[0, k].axhline(start - 0.5, color=WINDOW_COLORS[0], linewidth=1.5)
        for start, _ in adaptive_windows(image.shape[1], output_size)[1:]:
            axes[0, k].axvline(start - 0.5, color=WINDOW_COLORS[0], linewidth=1.5)
        axes[0, k].set_title(f"{name}: {image.shape[0]}x{image.shape[1]}")
        pooled = functions[mode](image, output_size)
        axes[1, k].imshow(pooled, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        axes[1, k].set_title(f"adaptive {mode} → {pooled.shape[0]}x{pooled.shape[1]}")
        for ax in axes[:, k]:
            ax.set_xticks([])
            ax.set_yticks([])
    return fig

_KINDS = ("conv", "max_pool", "avg_pool")


def _positive_int(value, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= {minimum}; got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {int(value)}")
    return int(value)


@dataclass(frozen=True)
class LayerSpec:
    """One layer of a stack, square windows only: what the receptive field depends on.

    Build layers with :meth:`conv`, :meth:`max_pool` and :meth:`avg_pool`.

    Attributes
    ----------
    kind : {"conv", "max_pool", "avg_pool"}
    kernel_size, stride, dilation : int, each >= 1
    padding : int, >= 0 (for pooling at most ``kernel_size // 2``, as in PyTorch)

    Examples
    --------
    >>> print(LayerSpec.conv(3, padding=1), "|", LayerSpec.max_pool(2))
    conv 3x3, padding 1 | max pool 2x2, stride 2
    """

    kind: str
    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}; got {self.kind!r}")
        _positive_int(self.kernel_size, "kernel_size", 1)
        _positive_int(self.stride, "stride", 1)
        _positive_int(self.padding, "padding", 0)
        _positive_int(self.dilation, "dilation", 1)
        if self.kind != "conv" and self.dilation != 1:
            raise ValueError(f"dilation is for conv layers only; got dilation={self.dilation} for {self.kind}")
        if self.kind != "conv" and self.padding > self.kernel_size // 2:
            raise ValueError(f"a pooling layer's padding must be at most kernel_size // 2 (as in PyTorch); "
                             f"got padding={self.padding} with kernel_size={self.kernel_size}")

    @classmethod
    def conv(cls, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> LayerSpec:
        """A convolution layer (one channel in, one out, for receptive-field purposes)."""
        return cls("conv", kernel_size, stride, padding, dilation)

    @classmethod
    def max_pool(cls, kernel_size: int, stride: int | None = None, padding: int = 0) -> LayerSpec:
        """A max-pooling layer; ``stride`` defaults to ``kernel_size``, as in PyTorch."""
        return cls("max_pool", kernel_size, kernel_size if stride is None else stride, padding)

    @classmethod
    def avg_pool(cls, kernel_size: int, stride: int | None = None, padding: int = 0) -> LayerSpec:
        """An average-pooling layer; ``stride`` defaults to ``kernel_size``, as in PyTorch."""
        return cls("avg_pool", kernel_size, kernel_size if stride is None else stride, padding)

    @property
    def span(self) -> int:
        """How many input rows one window covers: ``dilation*(kernel_size-1) + 1``."""
        return self.dilation * (self.kernel_size - 1) + 1

    def output_size(self, size: int) -> int:
        """Output length for an input of length ``size``."""
        return conv_output_size(size, self.kernel_size, self.stride, self.padding, self.dilation)

    def __str__(self) -> str:
        name = {"conv": "conv", "max_pool": "max pool", "avg_pool": "avg pool"}[self.kind]
        parts = [f"{name} {self.kernel_size}x{self.kernel_size}"]
        if self.stride != 1 or self.kind != "conv":  # a pool's stride is always worth saying
            parts.append(f"stride {self.stride}")
        if self.padding:
            parts.append(f"padding {self.padding}")
        if self.dilation != 1:
            parts.append(f"dilation {self.dilation}")
        return ", ".join(parts)


class ReceptiveField(NamedTuple):
    """Receptive field of the units of one layer, in input pixels.

    size: window side; jump: distance between neighbouring units' windows; start: top (or left)
    edge of the first unit's window, negative when padding puts it outside the image.
    """

    size: int
    jump: int
    start: int


def _check_layers(layers) -> list[LayerSpec]:
    try:
        layers = list(layers)
    except TypeError:
        raise TypeError(f"layers must be a sequence of LayerSpec objects; got {describe(layers)}") from None
    for index, layer in enumerate(layers):
        if not isinstance(layer, LayerSpec):
            raise TypeError(f"layers[{index}] must be a LayerSpec (e.g. LayerSpec.conv(3)); got {describe(layer)}")
    return layers


def receptive_field_steps(layers) -> list[ReceptiveField]:
    """Receptive field after each layer, by the formula of this module's docstring.

    Parameters
    ----------
    layers : sequence of LayerSpec

    Returns
    -------
    steps : list of ReceptiveField
        ``steps[0]`` is the input itself ``(1, 1, 0)``; ``steps[l]`` is after layer ``l``.

    Raises
    ------
    TypeError
        If an element of ``layers`` is not a :class:`LayerSpec`.

    Examples
    --------
    >>> [step.size for step in receptive_field_steps([LayerSpec.conv(3), LayerSpec.conv(3), LayerSpec.max_pool(2)])]
    [1, 3, 5, 6]
    """
    layers = _check_layers(layers)
    steps = [ReceptiveField(1, 1, 0)]
    for layer in layers:
        size, jump, start = steps[-1]
        steps.append(ReceptiveField(size + (layer.span - 1) * jump, jump * layer.stride, start - layer.padding * jump))
    return steps


def receptive_field(layers) -> ReceptiveField:
    """Receptive field of the last layer's units; see :func:`receptive_field_steps`.

    Examples
    --------
    >>> receptive_field([LayerSpec.conv(3), LayerSpec.conv(3), LayerSpec.max_pool(2), LayerSpec.conv(3)])
    ReceptiveField(size=10, jump=2, start=0)
    """
    return receptive_field_steps(layers)[-1]


def describe_stack(layers) -> str:
    """The stack, one layer per line, with the receptive field and jump after each.

    Examples
    --------
    >>> print(describe_stack([LayerSpec.conv(3), LayerSpec.max_pool(2)]))
    layer 1: conv 3x3                 → receptive field 3, jump 1
    layer 2: max pool 2x2, stride 2   → receptive field 4, jump 2
    """
    layers = _check_layers(layers)
    steps = receptive_field_steps(layers)
    width = max((len(str(layer)) for layer in layers), default=0)
    return "\n".join(f"layer {n}: {str(layer).ljust(width)}   → receptive field {step.size}, jump {step.jump}"
                     for n, (layer, step) in enumerate(zip(layers, steps[1:], strict=True), start=1))


def _check_shape(input_shape) -> tuple[int, int]:
    if isinstance(input_shape, numbers.Integral) and not isinstance(input_shape, bool):
        input_shape = (input_shape, input_shape)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise ValueError(f"input_shape must be an int or a pair (H, W); got {describe(input_shape)}")
    return _positive_int(input_shape[0], "input_shape[0]", 1), _positive_int(input_shape[1], "input_shape[1]", 1)


def output_shapes(layers, input_shape) -> list[tuple[int, int]]:
    """Spatial shape after each layer of the stack.

    Parameters
    ----------
    layers : sequence of LayerSpec
    input_shape : int or (int, int)
        (H, W) of the input.

    Returns
    -------
    shapes : list of (int, int)
        ``shapes[0]`` is ``input_shape``; ``shapes[l]`` is after layer ``l``.

    Raises
    ------
    ValueError
        If a layer's window does not fit its (padded) input; the message names the layer.

    Examples
    --------
    >>> output_shapes([LayerSpec.conv(3), LayerSpec.max_pool(2)], (10, 9))
    [(10, 9), (8, 7), (4, 3)]
    """
    layers = _check_layers(layers)
    shapes = [_check_shape(input_shape)]
    for index, layer in enumerate(layers):
        try:
            shapes.append((layer.output_size(shapes[-1][0]), layer.output_size(shapes[-1][1])))
        except ValueError as error:
            raise ValueError(f"layer {index + 1} ({layer}) does not fit its {shapes[-1][0]}x{shapes[-1][1]} "
                             f"input: {error}") from None
    return shapes


def center_position(layers, input_shape) -> tuple[int, int]:
    """The output unit nearest the centre of the last layer's output.

    Examples
    --------
    >>> center_position([LayerSpec.conv(3)], (9, 9))
    (3, 3)
    """
    height, width = output_shapes(layers, input_shape)[-1]
    return (height - 1) // 2, (width - 1) // 2


def receptive_window(layers, position, input_shape, *, clip: bool = True) -> tuple[int, int, int, int]:
    """The input window that output unit ``position`` sees.

    Parameters
    ----------
    layers : sequence of LayerSpec
    position : (int, int)
        (row, col) of a unit in the last layer's output.
    input_shape : int or (int, int)
    clip : bool
        False: the formula's window ``a + i*j`` to ``a + i*j + r - 1``, which may reach into the
        padding (negative coordinates, or past the image). True: only real pixels, found by
        walking the window down the stack and cutting it at each layer's edges; this also drops
        the rows a layer's floor in the output size leaves unread at the bottom or right.

    Returns
    -------
    (top, left, height, width) : tuple of int

    Raises
    ------
    ValueError
        If a layer does not fit its input, or ``position`` is not a unit of the last output.

    Examples
    --------
    >>> receptive_window([LayerSpec.conv(3, padding=1)], (0, 0), (5, 5))
    (0, 0, 2, 2)
    >>> receptive_window([LayerSpec.conv(3, padding=1)], (0, 0), (5, 5), clip=False)
    (-1, -1, 3, 3)
    """
    layers = _check_layers(layers)
    shapes = output_shapes(layers, input_shape)
    row, col = check_position(position, shapes[-1])
    if not clip:
        size, jump, start = receptive_field(layers)
        return start + row * jump, start + col * jump, size, size
    # (first, last) unit of each axis, from the output down to the input.
    ranges = [[row, row], [col, col]]
    for layer, shape in zip(reversed(layers), reversed(shapes[:-1]), strict=True):
        for axis in range(2):
            first, last = ranges[axis]
            first = max(first * layer.stride - layer.padding, 0)
            last = min(last * layer.stride - layer.padding + layer.span - 1, shape[axis] - 1)
            if first > last:
                raise ValueError(f"output unit {tuple(position)} sees only padding: no input pixel influences it")
            ranges[axis] = [first, last]
    (top, bottom), (left, right) = ranges
    return top, left, bottom - top + 1, right - left + 1


def _check_image(image) -> np.ndarray:
    image = as_float_array(image, "image")
    check_ndim(image, "image", (2,), "(H, W)")
    return image


def _mean_kernel(layer: LayerSpec, dtype) -> np.ndarray:
    return np.full((1, 1, layer.kernel_size, layer.kernel_size), 1.0 / layer.kernel_size**2, dtype=dtype)


def forward_stack(layers, image) -> list[np.ndarray]:
    """Run a one-channel stack on an image: each conv layer averages its window (a blur).

    Parameters
    ----------
    layers : sequence of LayerSpec
    image : array of shape (H, W)

    Returns
    -------
    activations : list of arrays
        ``activations[0]`` is the image; ``activations[l]`` of shape ``output_shapes(...)[l]`` is
        the output of layer ``l``.

    Raises
    ------
    ValueError
        If a layer does not fit its input (the message names the layer).

    Examples
    --------
    >>> [a.shape for a in forward_stack([LayerSpec.conv(3), LayerSpec.max_pool(2)], np.ones((6, 6)))]
    [(6, 6), (4, 4), (2, 2)]
    """
    layers = _check_layers(layers)
    image = _check_image(image)
    output_shapes(layers, image.shape)  # a readable error before any work
    activations = [image]
    for layer in layers:
        x = activations[-1]
        if layer.kind == "conv":
            out = conv2d(x[None], _mean_kernel(layer, x.dtype), stride=layer.stride, padding=layer.padding,
                         dilation=layer.dilation)[0]
        elif layer.kind == "max_pool":
            out = max_pool2d(x, layer.kernel_size, layer.stride, layer.padding)
        else:
            out = avg_pool2d(x, layer.kernel_size, layer.stride, layer.padding)
        activations.append(out)
    return activations


def _cone_crop(layers, shape: tuple[int, int], position: tuple[int, int]):
    """A crop of the input holding everything unit ``position`` depends on, placed so that the stack
    computes the same unit on it: ``(rows, cols, position_in_crop)``, or None to use the whole image.

    The crop starts at a multiple of the total jump (the product of the strides), so every layer's
    units line up with the full image's; it contains the receptive window, so no unit the output
    depends on reads the crop's padding.
    """
    jump = receptive_field(layers).jump
    try:
        top, left, height, width = receptive_window(layers, position, shape)
    except ValueError:  # the unit sees only padding: its gradient is zero everywhere
        return None
    slices, inner = [], []
    for size, start, length, index in ((shape[0], top, height, position[0]), (shape[1], left, width, position[1])):
        first = (start // jump) * jump
        slices.append(slice(first, min(size, start + length + jump)))
        inner.append(index - first // jump)
    crop_shape = (slices[0].stop - slices[0].start, slices[1].stop - slices[1].start)
    try:
        out_h, out_w = output_shapes(layers, crop_shape)[-1]
    except ValueError:
        return None
    if not (0 <= inner[0] < out_h and 0 <= inner[1] < out_w):
        return None
    return slices[0], slices[1], tuple(inner)


def _backward_through(layers, image, position, footprint: bool) -> np.ndarray:
    """Chain the core backward passes from a one-hot gradient at ``position`` down to ``image``."""
    activations = forward_stack(layers, image)
    grad = np.zeros(activations[-1].shape, dtype=image.dtype)
    grad[position] = 1.0
    for layer, x in zip(reversed(layers), reversed(activations[:-1]), strict=True):
        if layer.kind == "conv":
            grad = conv2d_backward(grad[None], x[None], _mean_kernel(layer, x.dtype), stride=layer.stride,
                                   padding=layer.padding, dilation=layer.dilation)[0][0]
        elif layer.kind == "max_pool" and not footprint:
            grad = max_pool2d_backward(grad, x, layer.kernel_size, layer.stride, layer.padding)
        else:
            grad = avg_pool2d_backward(grad, x, layer.kernel_size, layer.stride, layer.padding)
    return grad


def input_gradient(layers, image, position=None, *, footprint: bool = False) -> np.ndarray:
    """Gradient of one output unit of :func:`forward_stack` with respect to every input pixel.

    The backward pass starts from a one-hot ``grad_out`` at ``position`` and chains
    :func:`~cnnhelpers.conv2d_backward`, :func:`~cnnhelpers.max_pool2d_backward` and
    :func:`~cnnhelpers.avg_pool2d_backward` down the stack. Only the part of the image the unit
    can see is run through the stack (the gradient is zero elsewhere), which keeps a slider fast.

    Parameters
    ----------
    layers : sequence of LayerSpec
    image : array of shape (H, W)
        Only max pooling's gradient depends on it (through which pixel wins each window).
    position : (int, int), optional
        The output unit; default :func:`center_position`.
    footprint : bool
        False: the true gradient, where each max pool passes the gradient to the one pixel that
        won its window, so it shows where the unit looked *for this image*. True: each max pool
        passes it to its whole window (``avg_pool2d_backward``), so every pixel that *can*
        influence the unit gets a positive value: the receptive field.

    Returns
    -------
    grad : array of shape (H, W), >= 0

    Raises
    ------
    ValueError
        If a layer does not fit or ``position`` lies outside the output.

    Examples
    --------
    >>> input_gradient([LayerSpec.conv(3)], np.zeros((4, 4)), (0, 0)) * 9
    array([[1., 1., 1., 0.],
           [1., 1., 1., 0.],
           [1., 1., 1., 0.],
           [0., 0., 0., 0.]])
    """
    layers = _check_layers(layers)
    image = _check_image(image)
    shapes = output_shapes(layers, image.shape)
    position = center_position(layers, image.shape) if position is None else check_position(position, shapes[-1])
    crop = _cone_crop(layers, image.shape, position)
    if crop is None:
        return _backward_through(layers, image, position, footprint)
    rows, cols, inner = crop
    grad = np.zeros(image.shape, dtype=image.dtype)
    grad[rows, cols] = _backward_through(layers, image[rows, cols], inner, footprint)
    return grad


def measured_receptive_field(layers, input_shape, position=None) -> tuple[int, int, int, int]:
    """The receptive field measured by back-propagation: the box around every pixel that can
    influence output unit ``position`` (nonzero footprint gradient of :func:`input_gradient`).

    For a stack without holes in its windows (dilation 1, every stride at most its kernel
    size) this equals :func:`receptive_window`: the formula and the measurement agree.

    Parameters
    ----------
    layers : sequence of LayerSpec
    input_shape : int or (int, int)
    position : (int, int), optional
        Default :func:`center_position`.

    Returns
    -------
    (top, left, height, width) : tuple of int

    Examples
    --------
    >>> layers = [LayerSpec.conv(3), LayerSpec.max_pool(2), LayerSpec.conv(3)]
    >>> measured_receptive_field(layers, 16, (2, 3)), receptive_window(layers, (2, 3), 16)
    ((4, 6, 8, 8), (4, 6, 8, 8))
    """
    height, width = _check_shape(input_shape)
    grad = input_gradient(layers, np.zeros((height, width)), position, footprint=True)
    return nonzero_box(grad, position)


def nonzero_box(grad, position=None) -> tuple[int, int, int, int]:
    """The box ``(top, left, height, width)`` around the non-zero entries of a 2-D gradient.

    Raises
    ------
    ValueError
        If every entry is zero (the unit ``position`` sees only padding).

    Examples
    --------
    >>> nonzero_box(np.array([[0, 0, 0], [0, 2, 1], [0, 0, 0]]))
    (1, 1, 1, 2)
    """
    rows, cols = np.nonzero(np.asarray(grad) > 0)
    if rows.size == 0:
        raise ValueError(f"output unit {position} sees only padding: no input pixel influences it")
    top, left = int(rows.min()), int(cols.min())
    return top, left, int(rows.max()) - top + 1, int(cols.max()) - left + 1


def measure_receptive_field(layers, image, position=None) -> dict:
    """Everything the receptive-field figure shows, computed (no drawing).

    Parameters
    ----------
    layers : sequence of :class:`LayerSpec`
    image : array of shape (H, W)
    position : (int, int), optional
        The output unit; default the centre one.

    Returns
    -------
    dict with ``position``; ``window``, the formula's (top, left, height, width) cut to the image;
    ``measured``, the box around the nonzero footprint gradient; ``footprint`` and ``gradient``,
    arrays of shape (H, W) from :func:`input_gradient`.

    Examples
    --------
    >>> result = measure_receptive_field([LayerSpec.conv(3)], np.zeros((8, 8)))
    >>> result["position"], result["window"], result["measured"]
    ((2, 2), (2, 2, 3, 3), (2, 2, 3, 3))
    """
    image = as_float_array(image, "image")
    position = center_position(layers, image.shape) if position is None else tuple(position)
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
        self.figure = check_figure(fig, optional=False)
        axes = fig.subplots(1, 3)
        self.axes = axes
        blank = np.zeros((2, 2))
        self.photo = axes[0].imshow(blank, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self.formula_box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=WINDOW_COLORS[0], linewidth=3,
                                     label="formula")
        self.measured_box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=WINDOW_COLORS[1], linewidth=2.5,
                                      linestyle="--", label="measured")
        self.unit_marker = axes[0].plot([], [], "+", color=WINDOW_COLORS[3], markersize=14, mew=3)[0]
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
        self.color_bars = [ScaledColorBar(fig, UNSIGNED_CMAP, signed=False, ax=ax, shrink=0.8,
                                          label="∂ output / ∂ pixel") for ax in axes[1:]]
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])

    def draw(self, layers, image, position=None, *, margin: int = 6) -> dict:
        """Compute the unit's receptive field on ``image`` (:func:`measure_receptive_field`) and draw it.

        Parameters
        ----------
        layers, image, position
            As for :func:`measure_receptive_field`.
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
        for (artist, values, title), bar in zip(panels, self.color_bars, strict=True):
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


def show_receptive_field_growth(blocks: dict, max_blocks: int = 8, *, fig=None):
    """Receptive field side against the number of blocks, one line per kind of block.

    Parameters
    ----------
    blocks : dict of label -> sequence of :class:`LayerSpec`
        One block; it is repeated 1 to ``max_blocks`` times.
    max_blocks : int
    fig : matplotlib Figure, optional
        Drawn into (one axes added); default a new 10x5.5-inch figure.

    Returns
    -------
    fig : matplotlib Figure
    """
    check_figure(fig)
    if fig is None:
        fig = plt.figure(figsize=(10, 5.5), layout="constrained")
    if not isinstance(blocks, dict) or not blocks:
        raise TypeError(f"blocks must be a non-empty dict of label -> sequence of LayerSpec; got {describe(blocks)}")
    blocks = {label: _check_layers(block) for label, block in blocks.items()}
    max_blocks = count(max_blocks, "max_blocks", maximum=MAX_BLOCKS)
    ax = fig.subplots()
    counts = np.arange(1, max_blocks + 1)
    markers = "osD^v<>"
    for n, (label, block) in enumerate(blocks.items()):
        sizes = [receptive_field(list(block) * int(count)).size for count in counts]
        ax.plot(counts, sizes, marker=markers[n % len(markers)], color=WINDOW_COLORS[n % len(WINDOW_COLORS)],
                linewidth=2.5, markersize=9, label=label)
    ax.set(xlabel="number of blocks", ylabel="receptive field (pixels)", yscale="log",
           title="how far one unit sees")
    ax.set_xticks(counts)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return fig


# A 6x6 grid of small integers for the pooling experiment (its windows are drawn on it).
POOL_GRID = read_only([[1, 3, 2, 0, 4, 1],
                       [5, 2, 1, 6, 2, 0],
                       [0, 1, 7, 2, 3, 8],
                       [4, 3, 1, 5, 1, 2],
                       [2, 6, 0, 1, 9, 3],
                       [1, 0, 3, 2, 4, 7]])


# Blocks of layers the receptive-field experiment repeats.
BLOCKS = {
    "conv 3x3": (LayerSpec.conv(3, padding=1),),
    "conv 3x3 + max pool 2x2": (LayerSpec.conv(3, padding=1), LayerSpec.max_pool(2)),
    "2 x conv 3x3 + max pool 2x2 (VGG)": (LayerSpec.conv(3, padding=1), LayerSpec.conv(3, padding=1),
                                          LayerSpec.max_pool(2)),
    "conv 5x5, stride 2": (LayerSpec.conv(5, stride=2, padding=2),),
    "conv 3x3, dilation 2": (LayerSpec.conv(3, padding=2, dilation=2),),
    "conv 3x3 + avg pool 3x3, stride 2": (LayerSpec.conv(3, padding=1), LayerSpec.avg_pool(3, stride=2, padding=1)),
}


def _refresh(live: LiveFigure) -> None:
    """Redraw; the first time, lay the figure out and keep those positions (constrained layout costs
    most of a redraw, and the panels do not move with the sliders)."""
    if isinstance(live.figure.get_layout_engine(), ConstrainedLayoutEngine):
        live.figure.canvas.draw()
        live.figure.set_layout_engine("none")
    live.refresh()


class PoolingExperiment(Experiment):
    """Pool type, window size and stride, answered on a small grid and on a photograph.

    Parameters
    ----------
    photo : str
        A grey photograph from :data:`cnnhelpers.images.PHOTOS` (full size).

    Examples
    --------
    >>> experiment = PoolingExperiment()
    >>> result = experiment.update(mode="max", kernel_size=2, stride=2)
    >>> result["grid_output"].shape, result["photo_output"].shape, result["reduction"]
    ((3, 3), (256, 256), 4.0)
    """

    def __init__(self, photo: str = "camera"):
        super().__init__()
        self.photo = load_image(photo, gray=True)
        self.photo_name = photo
        style = {"description_width": "initial"}
        slider = dict(style=style, continuous_update=True, layout=widgets.Layout(width="300px"))
        self.controls = {
            "mode": widgets.ToggleButtons(options=[("max", "max"), ("average", "avg")], value="max",
                                          description="pooling", style=style),
            "kernel_size": widgets.IntSlider(value=2, min=1, max=7, description="window size", **slider),
            "stride": widgets.IntSlider(value=2, min=1, max=7, description="stride", **slider),
        }
        self.summary = widgets.HTML(value="")
        self.live = LiveFigure(figsize=(16, 5.6))
        fig = self.live.figure
        self._axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [6, 6, 7]})
        for ax in self._axes:  # titles come from a few settings: render each once
            stamp_labels(ax)
        self._photo_image = self._axes[2].imshow(self.photo, cmap=IMAGE_CMAP, vmin=0, vmax=1,
                                                 interpolation="nearest")
        self._axes[2].set_xticks([])
        self._axes[2].set_yticks([])

    def output_widgets(self) -> list[widgets.Widget]:
        return [self.summary, self.live.image]

    def compute(self, mode: str, kernel_size: int, stride: int) -> dict:
        """The pooled grid and photograph, and how many times fewer values, without drawing."""
        grid_output = pool(POOL_GRID, mode, kernel_size, stride)  # readable errors come from here
        photo_output = pool(self.photo, mode, kernel_size, stride)
        reduction = self.photo.size / photo_output.size
        return {"grid_output": grid_output, "photo_output": photo_output, "reduction": reduction}

    def update(self, mode: str, kernel_size: int, stride: int) -> dict:
        """Compute and redraw; returns :meth:`compute`'s dict."""
        self.summary.value = ""
        result = self.compute(mode, kernel_size, stride)
        grid_ax, out_ax, photo_ax = self._axes
        empty_axes(grid_ax)  # not ax.clear(): it rebuilds the ticks, the slow part of a redraw
        empty_axes(out_ax)
        outputs = result["grid_output"]
        windows = "all" if outputs.size <= 9 else "first"
        draw_pooling(grid_ax, [out_ax], POOL_GRID, kernel_size, stride, modes=(mode,), windows=windows)
        out_ax.set_title(f"{'max' if mode == 'max' else 'average'} pool {kernel_size}x{kernel_size}, "
                         f"stride {stride}")  # one line: the layout is frozen after the first draw
        photo_output = result["photo_output"]
        show_array(self._photo_image, photo_output)
        photo_ax.set_title(f"{self.photo_name}: {self.photo.shape[0]}x{self.photo.shape[1]} → "
                           f"{photo_output.shape[0]}x{photo_output.shape[1]}")
        overlap = "overlapping windows" if stride < kernel_size else (
            "windows side by side" if stride == kernel_size else "gaps between windows: some values never read")
        size = conv_output_size(self.photo.shape[0], kernel_size, stride)
        self.summary.value = (
            '<div style="font-size:17px;font-family:monospace">'
            f"output side = floor(({self.photo.shape[0]} - {kernel_size}) / {stride}) + 1 = {size}; "
            f"{result['reduction']:.1f}x fewer values; {overlap}</div>")
        _refresh(self.live)
        return result


class ReceptiveFieldExperiment(Experiment):
    """Stack blocks of layers and watch one output unit's receptive field grow on a photograph.

    Parameters
    ----------
    photo : str
        A grey photograph from :data:`cnnhelpers.images.PHOTOS` (full size).
    max_blocks : int
        The largest number of blocks the slider offers.

    Examples
    --------
    >>> experiment = ReceptiveFieldExperiment()
    >>> result = experiment.update(block="conv 3x3 + max pool 2x2", blocks=3, row=0.5, col=0.5)
    >>> result["size"], result["window"] == result["measured"]
    (22, True)
    """

    def __init__(self, photo: str = "camera", max_blocks: int = 5):
        super().__init__()
        max_blocks = count(max_blocks, "max_blocks", maximum=MAX_BLOCKS)
        self.photo = load_image(photo, gray=True)
        style = {"description_width": "initial"}
        self.controls = {
            "block": widgets.Dropdown(options=list(BLOCKS), value="2 x conv 3x3 + max pool 2x2 (VGG)",
                                      description="block", style=style, layout=widgets.Layout(width="420px")),
            "blocks": widgets.IntSlider(value=min(4, max_blocks), min=1, max=max_blocks, description="number of blocks",
                                        style=style, layout=widgets.Layout(width="320px")),
            "row": widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="unit: row",
                                       style=style, layout=widgets.Layout(width="260px")),
            "col": widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="column",
                                       style=style, layout=widgets.Layout(width="240px")),
        }
        self.table = widgets.HTML(value="")
        self.live = LiveFigure(figsize=(16, 5.2))
        self._figure = ReceptiveFieldFigure(self.live.figure)

    def output_widgets(self) -> list[widgets.Widget]:
        return [self.table, self.live.image]

    def compute(self, block: str, blocks: int, row: float, col: float) -> dict:
        """The stack, the output unit chosen by the row/column fractions, and its receptive field
        (formula and measurement: see :func:`measure_receptive_field`)."""
        block, blocks = choice(block, "block", BLOCKS), count(blocks, "blocks", maximum=MAX_BLOCKS)
        layers = list(BLOCKS[block]) * blocks
        out_h, out_w = output_shapes(layers, self.photo.shape)[-1]  # readable error if it does not fit
        position = (round(float(row) * (out_h - 1)), round(float(col) * (out_w - 1)))
        return {"layers": layers, "output_shape": (out_h, out_w), "size": receptive_field_steps(layers)[-1].size,
                **measure_receptive_field(layers, self.photo, position)}

    def update(self, block: str, blocks: int, row: float, col: float) -> dict:
        """Compute and redraw; returns :meth:`compute`'s dict."""
        self.table.value = ""
        result = self.compute(block, blocks, row, col)
        self._figure.show(self.photo, result)
        out_h, out_w = result["output_shape"]
        self.table.value = (
            '<pre style="font-size:15px;line-height:1.25">'
            f"{html.escape(describe_stack(result['layers']))}\n"
            f"output {out_h}x{out_w}; unit {result['position']}: receptive field {result['size']}x{result['size']} "
            f"by formula, {result['measured'][2]}x{result['measured'][3]} measured inside the image</pre>")
        _refresh(self.live)
        return result
