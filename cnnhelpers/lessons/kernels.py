"""Notebook 01 (kernels): its figures, computed numbers and slider experiments, in the notebook's order.

* why images need structure: :func:`neighbor_correlation` ("nearby pixels are alike") and
  :func:`show_neighbor_correlation`; :func:`show_parameter_growth` (dense layers do not scale);
* a kernel is a weighted sum: :func:`show_weighted_sum` (the lecture's 3x3 example) and
  :class:`WeightedSumStepper`, which reveals the products one at a time;
* classic kernels and detectors: :func:`show_kernel_gallery`, :func:`detector_responses`,
  :func:`show_detector_responses`;
  the flip: :func:`show_impulse_responses`;
* sparse interactions and parameter sharing: :func:`convolution_matrix`, the matrix behind a
  convolution, and :func:`show_convolution_matrix`;
* what it costs: :func:`cost_table` of :func:`cnnhelpers.costs.convolution_costs`;
* equivariance: :func:`equivariance_error`, :func:`equivariance_errors`, :func:`show_equivariance`;
* Build it: a real 1-D signal, :func:`load_stock_prices`, filtered with :func:`gaussian_1d` and
  others in :func:`show_filtered_signal`; :func:`time_correlate2d` times loops against a
  vectorised correlation.

The kernel editor the notebook opens with is :class:`cnnhelpers.kernel_editor.KernelEditor`
(shared with notebook 00).
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .._validate import (
    as_float_array,
    check_callable,
    check_ndim,
    check_window_fits,
    count,
    describe,
    flag,
    instance,
    named_arrays,
    padding_amounts,
    pair,
    real_array,
    real_number,
    string,
)
from ..conv import convolve2d, correlate2d
from ..costs import OperationCost, conv_parameters, dense_parameters
from ..live import Experiment, LiveFigure
from ..plotting import (
    HIGHLIGHT,
    IMAGE_CMAP,
    SIGNED_CMAP,
    check_figure,
    color_scale,
    draw_grid,
    format_table,
    signed_norm,
    text_color,
)

__all__ = ["neighbor_correlation", "show_neighbor_correlation", "show_parameter_growth", "show_weighted_sum",
           "WeightedSumStepper", "show_kernel_gallery", "show_impulse_responses", "detector_responses",
           "show_detector_responses", "convolution_matrix", "show_convolution_matrix", "cost_table",
           "equivariance_error", "equivariance_errors", "show_equivariance", "load_stock_prices", "gaussian_1d",
           "show_filtered_signal", "time_correlate2d"]


def neighbor_correlation(image, distances) -> np.ndarray:
    """Correlation between pixels ``d`` columns apart, for each distance ``d``: "nearby pixels are alike".

    For each ``d``, the Pearson correlation of ``image[:, :-d]`` with ``image[:, d:]``, every row
    pooled: 1 means the pixel ``d`` to the right is perfectly predictable from this one.

    Parameters
    ----------
    image : array of shape (H, W)
    distances : sequence of int
        Each between 1 and ``W - 2`` (at least two pixel pairs per row).

    Returns
    -------
    correlations : float64 array of shape (len(distances),)

    Raises
    ------
    TypeError, ValueError
        If ``image`` is not 2-D or a distance is out of range.

    Examples
    --------
    >>> stripes = np.tile([0.0, 1.0], (4, 4))  # columns alternate 0, 1, 0, 1...
    >>> neighbor_correlation(stripes, [1, 2])
    array([-1.,  1.])
    """
    image = as_float_array(image, "image")
    check_ndim(image, "image", (2,), "(H, W)")
    width = image.shape[1]
    result = []
    if not isinstance(distances, (list, tuple, range, np.ndarray)):
        raise TypeError(f"distances must be a sequence of ints; got {describe(distances)}")
    for distance in distances:
        (distance, _) = pair(distance, "distances", minimum=1)
        if distance > width - 2:
            raise ValueError(f"distances must be at most W - 2 = {width - 2} for an image {width} wide; got {distance}")
        left, right = image[:, :-distance].ravel(), image[:, distance:].ravel()
        result.append(np.corrcoef(left, right)[0, 1])
    return np.array(result, dtype=np.float64)

_LINE_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")  # Okabe-Ito: safe for colour-blind readers


def show_neighbor_correlation(images: dict[str, np.ndarray], distances):
    """Correlation of pixels ``d`` apart against ``d``, one line per image.

    Parameters
    ----------
    images : dict of str to array of shape (H, W)
        Label to image, e.g. a photograph and the same pixels scrambled.
    distances : sequence of int

    Returns
    -------
    fig : matplotlib Figure
        The numbers are :func:`neighbor_correlation`'s.
    """
    images = named_arrays(images, "images", (2,), "(H, W)")
    correlations = {name: neighbor_correlation(image, distances) for name, image in images.items()}
    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    for (name, values), style, color in zip(correlations.items(), ["o-", "s--", "^:", "d-."], _LINE_COLORS,
                                             strict=False):
        ax.plot(distances, values, style, color=color, label=name, linewidth=2.5, markersize=7)
    ax.axhline(0, color="black", linewidth=1)
    ax.set_xscale("log")
    ax.set_xticks(list(distances), [str(d) for d in distances])
    ax.minorticks_off()
    ax.set_xlabel("distance d between the two pixels (columns)")
    ax.set_ylabel("correlation")
    ax.set_ylim(-0.1, 1.05)
    ax.set_title("How alike are pixels d apart?")
    ax.legend()
    return fig


def show_parameter_growth(sides, *, kernel_size: int = 3, channels=(1, 3), marks=(28, 224)):
    """Weights of a fully connected layer (image to same-size output) and of one kernel, by image side.

    Parameters
    ----------
    sides : sequence of int
        Image heights (= widths) on the x axis.
    kernel_size : int
        Side of the convolution's kernel.
    channels : sequence of int
        One line per channel count (1 grey, 3 colour).
    marks : sequence of int
        Sides to annotate with their exact count (28: MNIST, 224: ImageNet-sized).

    Returns
    -------
    fig : matplotlib Figure
    """
    sides, channels, marks = (_ints(values, name) for values, name in
                              ((sides, "sides"), (channels, "channels"), (marks, "marks")))
    kernel_size = count(kernel_size, "kernel_size")
    fig, ax = plt.subplots(figsize=(11, 5.8), layout="constrained")
    for number, style, color in zip(channels, ["-", "--", ":"], _LINE_COLORS, strict=False):
        what = "grey, 1 channel" if number == 1 else f"{number} channels"
        dense = [dense_parameters((side, side, number)) for side in sides]
        ax.plot(sides, dense, style, color=color, linewidth=2.5, label=f"fully connected ({what})")
        weights = conv_parameters(kernel_size, in_channels=number)
        ax.axhline(weights, linestyle=style, color=color, linewidth=1.5,
                   label=f"one {kernel_size}x{kernel_size} kernel ({what}): {weights:,}")
        below = number == channels[0]  # first line's labels below it, the others' above: no overlap
        for side in marks:
            if sides[0] <= side <= sides[-1]:
                value = dense_parameters((side, side, number))
                ax.plot([side], [value], "o", color=color, markersize=8)
                ax.annotate(f"{value:,}", (side, value), textcoords="offset points",
                            xytext=(10, -20) if below else (-10, 8), ha="left" if below else "right")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(list(sides), [str(side) for side in sides])
    ax.minorticks_off()
    ax.set_xlabel("image height = width (pixels)")
    ax.set_ylabel("weights (log scale)")
    ax.set_title("Weights of one layer: fully connected vs one kernel")
    ax.legend(fontsize="small", loc="upper left")
    return fig


def _term(pixel: float, weight: float) -> str:
    """``3·(-1)``: one product of the weighted sum, negative factors in brackets."""
    def number(value: float) -> str:
        return f"{value:g}" if value >= 0 else f"({value:g})"
    return f"{number(pixel)}·{number(weight)}"


def _weighted_sum_title(patch: np.ndarray, kernel: np.ndarray, count: int) -> str:
    """``3·(-1) + 2·0 + ... = total`` for the first ``count`` products, row-major."""
    terms = " + ".join(_term(p, k) for p, k in zip(patch.ravel()[:count], kernel.ravel()[:count], strict=True))
    return f"{terms or '(no terms yet)'} = {float(np.sum((patch * kernel).ravel()[:count])):g}"


def _ints(values, name: str) -> list[int]:
    """A non-empty sequence of positive ints as a list."""
    if not isinstance(values, (list, tuple, range, np.ndarray)) or not len(values):
        raise TypeError(f"{name} must be a non-empty sequence of positive ints; got {describe(values)}")
    return [count(value, f"{name}[{k}]") for k, value in enumerate(values)]


def _check_patch_and_kernel(patch, kernel) -> tuple[np.ndarray, np.ndarray]:
    patch, kernel = real_array(patch, "patch").astype(float), real_array(kernel, "kernel").astype(float)
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D (KH, KW); got shape {kernel.shape}")
    if patch.shape != kernel.shape:
        raise ValueError(f"patch must have the kernel's shape {kernel.shape}; got shape {patch.shape}")
    return patch, kernel


def show_weighted_sum(patch, kernel, *, steps: int | None = None, fig=None):
    """The lecture's picture of one output value: patch times kernel, element by element, summed.

    Parameters
    ----------
    patch : array of shape (KH, KW)
        The pixels under the kernel.
    kernel : array of shape (KH, KW)
    steps : int, optional
        Show only the first ``steps`` products (row-major) and their running sum; default all.
    fig : matplotlib Figure, optional
        Drawn into (cleared first), e.g. a :class:`LiveFigure`'s figure.

    Returns
    -------
    fig : matplotlib Figure
        Patch, kernel, products and (running) sum as four grids; the sum written out on top.

    Raises
    ------
    ValueError
        If the shapes differ or ``steps`` is outside ``0 .. KH*KW``.
    """
    patch, kernel = _check_patch_and_kernel(patch, kernel)
    check_figure(fig)
    steps = kernel.size if steps is None else count(steps, "steps", minimum=0, maximum=kernel.size)
    products = (patch * kernel).ravel()  # (KH*KW,) row-major, the order the sum is written in
    shown = np.where(np.arange(kernel.size) < steps, products, np.nan).reshape(kernel.shape)
    partial = float(products[:steps].sum())
    if fig is None:
        fig = plt.figure(figsize=(13, 4.6), layout="constrained")
    else:
        fig.clear()
    axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": [kernel.shape[1]] * 3 + [1]})
    row, col = divmod(max(steps - 1, 0), kernel.shape[1])
    last = (row, col, 1, 1) if steps else None
    draw_grid(axes[0], patch, title="patch (input)", highlight=last, signed=False, fontsize=20)
    draw_grid(axes[1], kernel, title="× kernel", highlight=last, signed=True, fontsize=20)
    draw_grid(axes[2], shown, title="= products", highlight=last, signed=True, fontsize=20)
    draw_grid(axes[3], [[partial if steps else np.nan]], title=_sum_title(steps == kernel.size),
              signed=True, fontsize=22)
    fig.suptitle(_weighted_sum_title(patch, kernel, steps), fontsize=16)
    return fig


def _sum_title(complete: bool) -> str:
    """The sum panel's title: on two lines while running, so it fits over a single cell."""
    return "sum" if complete else "running\nsum"


class WeightedSumStepper(Experiment):
    """One slider reveals the products of a weighted sum one at a time, with the running sum.

    The figure is drawn once in full; each update only hides products, moves the highlight and
    rewrites the sum, so a step answers fast.
    """

    def __init__(self, patch, kernel):
        super().__init__()
        self.patch, self.kernel = _check_patch_and_kernel(patch, kernel)
        self.controls = {"steps": widgets.IntSlider(value=0, min=0, max=self.kernel.size, description="products",
                                                    continuous_update=True)}
        self.live = LiveFigure(figsize=(13, 4.6))
        show_weighted_sum(self.patch, self.kernel, fig=self.live.figure)  # every artist exists from now on
        patch_ax, kernel_ax, products_ax, self._sum_ax = self.live.figure.axes
        self._products_image, self._sum_image = products_ax.images[0], self._sum_ax.images[0]
        self._product_texts, self._sum_text = list(products_ax.texts), self._sum_ax.texts[0]
        self._marks = [ax.patches[-1] for ax in (patch_ax, kernel_ax, products_ax)]  # the highlighted cell
        running = np.cumsum((self.patch * self.kernel).ravel())
        limit = float(np.abs(running).max()) or 1.0  # one scale for every step, centred on zero
        self._sum_image.set_clim(-limit, limit)

    def update(self, steps: int) -> dict:
        """Show the first ``steps`` products (row-major) and their running sum.

        Returns
        -------
        dict
            ``products`` (KH, KW) of all products, ``partial_sum`` of the first ``steps``.

        Raises
        ------
        ValueError
            If ``steps`` is outside ``0 .. KH*KW``.
        """
        size = self.kernel.size
        steps = count(steps, "steps", minimum=0, maximum=size)
        products = self.patch * self.kernel
        flat = products.ravel()
        partial = float(flat[:steps].sum())
        self._products_image.set_data(np.where(np.arange(size) < steps, flat, np.nan).reshape(products.shape))
        for index, text in enumerate(self._product_texts):
            text.set_visible(index < steps)
        self._sum_image.set_data([[partial if steps else np.nan]])
        self._sum_text.set_text(f"{partial:g}" if steps else "")
        self._sum_text.set_color(text_color(self._sum_image.cmap(self._sum_image.norm(partial))))
        self._sum_ax.set_title(_sum_title(steps == size))
        row, col = divmod(max(steps - 1, 0), self.kernel.shape[1])
        for mark in self._marks:
            mark.set_xy((col - 0.5, row - 0.5))
            mark.set_visible(steps > 0)
        self.live.figure.suptitle(_weighted_sum_title(self.patch, self.kernel, steps), fontsize=16)
        self.live.refresh()
        return {"products": products, "partial_sum": partial}


def _show_output(ax, output: np.ndarray, kernel: np.ndarray):
    """A kernel's output in the colour language: grey in [0, 1] when its weights sum to more than 0
    (it makes an image), else signed, saturating at the 99th percentile (a few extreme pixels would
    wash out the rest)."""
    if not color_scale(output, kernel=kernel).signed:
        return ax.imshow(np.clip(output, 0, 1), cmap=IMAGE_CMAP, vmin=0, vmax=1)
    limit = float(np.percentile(np.abs(output), 99)) or 1.0
    return ax.imshow(output, cmap=SIGNED_CMAP, norm=signed_norm([-limit, limit]))


def show_kernel_gallery(image, named_kernels: dict[str, np.ndarray], *, ncols: int = 4, size: float = 3.6):
    """Each kernel as an annotated grid above its output on ``image``.

    Outputs are ``correlate2d(image, kernel)`` (no padding: the border's zeros would draw a
    frame round every edge map). A kernel whose weights sum to 1
    (blur, sharpen, emboss) makes an image, drawn in grey clipped to [0, 1]; any other kernel
    (edges: weights summing to 0) makes a signed map, drawn in the diverging colours with white
    at 0, saturating at the 99th percentile of its absolute values.

    Parameters
    ----------
    image : array of shape (H, W), values in [0, 1]
    named_kernels : dict of str to array of shape (KH, KW)
    ncols : int
    size : float
        Inches per output image.

    Returns
    -------
    fig : matplotlib Figure
    """
    image = real_array(image, "image", (2,), "(H, W)")
    named_kernels = named_arrays(named_kernels, "named_kernels", (2,), "(KH, KW)")
    ncols, size = min(count(ncols, "ncols"), len(named_kernels)), real_number(size, "size", positive=True)
    outputs = {name: correlate2d(image, kernel) for name, kernel in named_kernels.items()}
    nrows = -(-len(outputs) // ncols)
    fig = plt.figure(figsize=(size * ncols, size * 1.55 * nrows), layout="constrained")
    panels = fig.subfigures(nrows, ncols, squeeze=False)
    for panel, (name, output) in zip(panels.flat, outputs.items(), strict=False):
        kernel = np.asarray(named_kernels[name], dtype=float)
        grid_ax, image_ax = panel.subplots(2, 1, height_ratios=[1, 1.9])
        longest = max(len(f"{weight:.2g}") for weight in kernel.ravel())
        draw_grid(grid_ax, kernel, fmt="{:.2g}", fontsize=13 if longest <= 3 else 9)
        grid_ax.set_title(f"{name}\nsum {kernel.sum():.3g}", fontsize="medium")
        _show_output(image_ax, output, kernel)
        image_ax.set_xticks([])
        image_ax.set_yticks([])
    for panel in panels.flat[len(outputs):]:
        panel.set_visible(False)
    return fig


IMPULSE_TITLES = {"correlation": "correlate2d's response to one bright pixel:\nthe kernel, flipped",
                  "convolution": "convolve2d's response to one bright pixel:\nthe kernel, as it is"}


def show_impulse_responses(kernel, size: int = 5):
    """One bright pixel, cross-correlated and convolved with ``kernel``: the flip made visible.

    Correlating a single 1 with a kernel paints the kernel rotated by 180 degrees around that
    pixel; convolving paints the kernel as it is.

    Parameters
    ----------
    kernel : array of shape (KH, KW), odd sizes
    size : int
        Height and width of the impulse image (the bright pixel in the centre).

    Returns
    -------
    fig : matplotlib Figure
    """
    kernel = real_array(kernel, "kernel").astype(float)
    if kernel.ndim != 2 or kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ValueError(f"kernel must be 2-D with odd sizes; got shape {kernel.shape}")
    size = count(size, "size", maximum=50)
    impulse = np.zeros((size, size))
    impulse[size // 2, size // 2] = 1
    padding = (kernel.shape[0] // 2, kernel.shape[1] // 2)
    responses = {"correlation": correlate2d(impulse, kernel, padding=padding),
                 "convolution": convolve2d(impulse, kernel, padding=padding)}
    fig, axes = plt.subplots(1, 4, figsize=(16, 5.2), layout="constrained",
                             gridspec_kw={"width_ratios": [kernel.shape[1], size, size, size]})
    draw_grid(axes[0], kernel, title="kernel", fontsize=15)
    draw_grid(axes[1], impulse, title="input: one bright pixel", signed=False, fontsize=15)
    # Titles say what is shown (a response), so they cannot be read as what each operation does.
    draw_grid(axes[2], responses["correlation"], title=IMPULSE_TITLES["correlation"], kernel=kernel,
              fontsize=15)
    draw_grid(axes[3], responses["convolution"], title=IMPULSE_TITLES["convolution"], kernel=kernel,
              fontsize=15)
    return fig


def _outline_maxima(ax, values: np.ndarray) -> list[tuple[int, int]]:
    """Outline every cell holding the maximum; return their (row, col) positions."""
    peaks = [tuple(int(i) for i in p) for p in np.argwhere(values == values.max())]
    for row, col in peaks:
        ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=3))
    return peaks


def detector_responses(image, detectors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each detector's response at every pixel of ``image``, centred on the pixel.

    The padding is half the kernel (1 for 3x3 detectors), so that each response sits over the
    pixel the kernel is centred on, as on the lecture's "Kernels" slide.

    Parameters
    ----------
    image : array of shape (H, W)
    detectors : dict of str to array of shape (KH, KW)
        Name to kernel (odd sizes).

    Returns
    -------
    responses : dict of str to array of shape (H, W)

    Examples
    --------
    >>> detector_responses(np.eye(3), {"diagonal": np.eye(3)})["diagonal"].tolist()
    [[2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 2.0]]
    """
    image = real_array(image, "image", (2,), "(H, W)")
    detectors = named_arrays(detectors, "detectors", (2,), "(KH, KW)")
    return {name: correlate2d(image, kernel, padding=(kernel.shape[0] // 2, kernel.shape[1] // 2))
            for name, kernel in detectors.items()}


def show_detector_responses(image, detectors: dict[str, np.ndarray], *, ncols: int = 2, cell: float = 0.4):
    """A small image and each detector's response at every pixel, as annotated grids.

    The responses are :func:`detector_responses`'s (each sits over the pixel the kernel is centred
    on); every cell holding a detector's maximum is outlined.

    Parameters
    ----------
    image : array of shape (H, W)
        Small (about 12x12) so that the numbers stay readable.
    detectors : dict of str to array of shape (KH, KW)
        Name to kernel (odd sizes).
    ncols : int
        Grids per row.
    cell : float
        Inches per grid cell.

    Returns
    -------
    fig : matplotlib Figure
    """
    image = real_array(image, "image", (2,), "(H, W)")
    responses = detector_responses(image, detectors)
    panels = 1 + len(responses)
    ncols, cell = min(count(ncols, "ncols"), panels), real_number(cell, "cell", positive=True)
    nrows = -(-panels // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell * image.shape[1] * ncols, cell * image.shape[0] * nrows + 0.8),
                             squeeze=False, layout="constrained")
    draw_grid(axes.flat[0], image, title="input", signed=False)
    for ax, (name, response) in zip(axes.flat[1:], responses.items(), strict=False):
        draw_grid(ax, response, signed=True)
        peaks = _outline_maxima(ax, response)
        ax.set_title(f"{name}: max {response.max():g} at {len(peaks)} pixel{'s' * (len(peaks) > 1)}")
    for ax in axes.flat[panels:]:
        ax.set_visible(False)
    return fig


def convolution_matrix(input_shape: tuple[int, int], kernel, *, stride=1, padding=0, dilation=1,
                       max_entries: int = 2**27) -> np.ndarray:
    """The dense matrix ``M`` with ``M @ image.ravel() == correlate2d(image, kernel).ravel()``.

    Row ``i * OW + j`` holds the kernel's weights at the columns of the pixels that output
    ``(i, j)`` sees, zeros elsewhere: most of ``M`` is zero (sparse interactions) and the same
    few values repeat along its diagonals (parameter sharing).

    Parameters
    ----------
    input_shape : (int, int)
        ``(H, W)`` of the images the matrix will be applied to.
    kernel : array of shape (KH, KW)
    stride, padding, dilation
        As for :func:`cnnhelpers.correlate2d`; zero padding simply drops the taps outside.
    max_entries : int
        Refuse to build a larger matrix (the default, 2**27 entries, is 1 GiB of float64).

    Returns
    -------
    matrix : array of shape (OH * OW, H * W)
        float32 for a float32 kernel, float64 otherwise.

    Raises
    ------
    TypeError, ValueError
        If the kernel is not 2-D, an argument is out of range, the kernel is larger than the
        padded input, or the matrix would have more than ``max_entries`` entries.

    Examples
    --------
    >>> convolution_matrix((1, 3), [[-1, 1]])
    array([[-1.,  1.,  0.],
           [ 0., -1.,  1.]])
    """
    height, width = pair(input_shape, "input_shape")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(kernel, "kernel", (2,), "(KH, KW)")
    kh, kw = kernel.shape
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    top, bottom, left, right = padding_amounts(padding, (kh, kw), dilation, stride, allow_full=True)
    check_window_fits((height, width), (top, bottom, left, right), (kh, kw), dilation, "kernel")
    out_h = (height + top + bottom - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    out_w = (width + left + right - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    entries = out_h * out_w * height * width
    if entries > max_entries:
        gib = entries * kernel.itemsize / 2**30
        raise ValueError(f"the dense matrix would have {out_h * out_w:,} x {height * width:,} = {entries:,} "
                         f"entries ({gib:,.1f} GiB); max_entries is {max_entries:,}: use a smaller input_shape")
    i = np.arange(out_h)[:, None, None, None]  # (OH, 1, 1, 1)
    j = np.arange(out_w)[None, :, None, None]  # (1, OW, 1, 1)
    u = np.arange(kh)[None, None, :, None]  # (1, 1, KH, 1)
    v = np.arange(kw)[None, None, None, :]  # (1, 1, 1, KW)
    rows = i * stride[0] + u * dilation[0] - top  # (OH, 1, KH, 1): input row of each tap
    cols = j * stride[1] + v * dilation[1] - left  # (1, OW, 1, KW)
    shape = (out_h, out_w, kh, kw)
    inside = (np.broadcast_to((rows >= 0) & (rows < height), shape)
              & np.broadcast_to((cols >= 0) & (cols < width), shape))  # taps on real pixels, not padding
    out_index = np.broadcast_to(i * out_w + j, shape)
    in_index = np.broadcast_to(rows * width + cols, shape)
    matrix = np.zeros((out_h * out_w, height * width), dtype=kernel.dtype)
    matrix[out_index[inside], in_index[inside]] = np.broadcast_to(kernel, shape)[inside]
    return matrix


def show_convolution_matrix(matrix, *, title: str | None = None, cell: float = 0.42):
    """A convolution's dense matrix as a grid: its non-zero entries numbered, its zeros blank.

    Parameters
    ----------
    matrix : array of shape (outputs, inputs)
        E.g. from :func:`convolution_matrix`.
    title : str, optional
    cell : float
        Inches per cell.

    Returns
    -------
    fig : matplotlib Figure
    """
    matrix = real_array(matrix, "matrix", (2,), "(outputs, inputs)")
    title, cell = string(title, "title", optional=True), real_number(cell, "cell", positive=True)
    fig, ax = plt.subplots(figsize=(cell * matrix.shape[1] + 1.2, cell * matrix.shape[0] + 1.4), layout="constrained")
    draw_grid(ax, np.where(matrix == 0, np.nan, matrix), signed=bool((matrix < 0).any()), fontsize=11)
    ax.set_xlabel(f"input pixel (row-major index 0..{matrix.shape[1] - 1})")
    ax.set_ylabel(f"output pixel (0..{matrix.shape[0] - 1})")
    if title:
        ax.set_title(title)
    return fig


def cost_table(costs: dict[str, OperationCost]) -> str:
    """The costs of :func:`convolution_costs` as an aligned text table, thousands separated.

    Parameters
    ----------
    costs : dict of str to OperationCost

    Returns
    -------
    str
        One header line and one line per method.

    Examples
    --------
    >>> from cnnhelpers.costs import convolution_costs
    >>> print(cost_table(convolution_costs((4, 4), 3)))
                   stored floats  multiplications  additions  operations
    convolution                9               36         32          68
    sparse matrix             36               36         32          68
    dense matrix              64               64         60         124
    """
    if not isinstance(costs, dict):
        raise TypeError(f"costs must be a dict of name -> OperationCost; got {describe(costs)}")
    for name, cost in costs.items():
        instance(cost, f"costs[{name!r}]", OperationCost, "an OperationCost")
    header = ["", "stored floats", "multiplications", "additions", "operations"]
    rows = [dict(zip(header, [name] + [f"{value:,}" for value in (cost.stored_floats, cost.multiplications,
                                                                  cost.additions, cost.operations)], strict=True))
            for name, cost in costs.items()]
    return format_table(rows, header, left=1, rule=False)


def equivariance_error(operation: Callable[[np.ndarray], np.ndarray],
                       transform: Callable[[np.ndarray], np.ndarray], image, *, margin: int = 0) -> float:
    """How far ``operation`` is from commuting with ``transform`` on ``image``, relative to its output.

    ``max |operation(transform(image)) - transform(operation(image))| / max |transform(operation(image))|``
    over the pixels at least ``margin`` from every border (where the image's edges do not
    interfere). 0 means equivariant: transforming the input transforms the output the same way.

    Parameters
    ----------
    operation : callable
        Image to image, e.g. ``lambda x: correlate2d(x, kernel, padding="same")``.
    transform : callable
        Image to image, e.g. ``lambda x: shift(x, (5, 3))`` or ``np.rot90``.
    image : array of shape (H, W)
    margin : int
        Border rows and columns to leave out of the comparison, >= 0.

    Returns
    -------
    float
        The relative error (the absolute one if the reference is all zeros).

    Raises
    ------
    ValueError
        If the two results have different shapes, or ``margin`` leaves nothing to compare.

    Examples
    --------
    >>> from cnnhelpers import correlate2d
    >>> from cnnhelpers.images import shift
    >>> image = np.random.default_rng(0).random((32, 32))
    >>> sobel = lambda x: correlate2d(x, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], padding="same")
    >>> equivariance_error(sobel, lambda x: shift(x, (2, 3)), image, margin=4)
    0.0
    """
    check_callable(operation, "operation"), check_callable(transform, "transform")
    image = real_array(image, "image")
    (margin, _) = pair(margin, "margin", minimum=0)
    moved_then_done = np.asarray(operation(transform(image)))
    done_then_moved = np.asarray(transform(operation(image)))
    if moved_then_done.shape != done_then_moved.shape:
        raise ValueError(f"operation(transform(image)) has shape {moved_then_done.shape} but "
                         f"transform(operation(image)) has shape {done_then_moved.shape}; they must be equal")
    if 2 * margin >= min(done_then_moved.shape[:2]):
        raise ValueError(f"margin must leave pixels to compare in outputs of shape {done_then_moved.shape}; "
                         f"got margin={margin}")
    inner = (slice(margin, done_then_moved.shape[0] - margin), slice(margin, done_then_moved.shape[1] - margin))
    difference = float(np.max(np.abs(moved_then_done[inner] - done_then_moved[inner])))
    scale = float(np.max(np.abs(done_then_moved[inner])))
    return difference / scale if scale > 0 else difference


def equivariance_errors(image, named_kernels: dict[str, np.ndarray], transforms: dict[str, Callable], *,
                        margin: int = 0) -> dict[str, dict[str, float]]:
    """:func:`equivariance_error` of ``correlate2d(., kernel, padding="same")`` for every kernel and transform.

    Parameters
    ----------
    image : array of shape (H, W)
    named_kernels : dict of str to array of shape (KH, KW)
    transforms : dict of str to callable
        Image to image, e.g. ``{"rotate 90": np.rot90}``.
    margin : int
        Border left out of every comparison.

    Returns
    -------
    dict
        ``errors[kernel_name][transform_name]``, relative errors (0 = equivariant).

    Examples
    --------
    >>> image = np.random.default_rng(0).random((16, 16))
    >>> errors = equivariance_errors(image, {"plus": [[0, 1, 0], [1, 1, 1], [0, 1, 0]]}, {"rotate": np.rot90})
    >>> errors["plus"]["rotate"]
    0.0
    """
    named_kernels = named_arrays(named_kernels, "named_kernels", (2,), "(KH, KW)")
    if not isinstance(transforms, dict) or not transforms:
        raise TypeError(f"transforms must be a non-empty dict of name -> function; got {describe(transforms)}")
    for label, transform in transforms.items():
        check_callable(transform, f"transforms[{label!r}]")

    def filtering(kernel):
        return lambda x: correlate2d(x, kernel, padding="same")

    return {name: {label: equivariance_error(filtering(kernel), transform, image, margin=margin)
                   for label, transform in transforms.items()}
            for name, kernel in named_kernels.items()}


def show_equivariance(image, operation: Callable, transform: Callable, *, operation_name: str = "convolve",
                      transform_name: str = "transform", margin: int = 0):
    """Transform then convolve, convolve then transform, and their difference, side by side.

    Parameters
    ----------
    image : array of shape (H, W)
    operation, transform : callable
        Image to image (see :func:`equivariance_error`).
    operation_name, transform_name : str
        For the titles.
    margin : int
        Border left out of the measured error (drawn as a dashed frame).

    Returns
    -------
    fig : matplotlib Figure
        Its title gives the relative error of :func:`equivariance_error`.
    """
    error = equivariance_error(operation, transform, image, margin=margin)
    operation_name, transform_name = string(operation_name, "operation_name"), string(transform_name, "transform_name")
    first = np.asarray(operation(transform(image)))
    second = np.asarray(transform(operation(image)))
    norm = signed_norm(np.concatenate([first.ravel(), second.ravel()]))
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.9), layout="constrained")
    panels = [(first, f"{operation_name}({transform_name}(x))"), (second, f"{transform_name}({operation_name}(x))"),
              (first - second, "difference")]
    for ax, (values, title) in zip(axes, panels, strict=True):
        shown = ax.imshow(values, cmap=SIGNED_CMAP, norm=norm)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
        if margin:
            ax.add_patch(Rectangle((margin - 0.5, margin - 0.5), values.shape[1] - 2 * margin,
                                   values.shape[0] - 2 * margin, fill=False, edgecolor="black", linestyle="--"))
    fig.colorbar(shown, ax=axes, shrink=0.8)
    fig.suptitle(f"{transform_name}: relative difference {error:.3g}"
                 + (f" (inside a {margin}-pixel border)" if margin else ""))
    return fig


# -- Build it: a 1-D signal, and correlate2d timed ----------------------------------------------------------------


def load_stock_prices() -> tuple[np.ndarray, np.ndarray]:
    """A real 1-D signal that ships with matplotlib: Google's daily closing price, Aug 2004 to Oct 2008.

    Returns
    -------
    dates : array (1047,) of datetime64[D]
        The trading days (no weekends or holidays: one value per day of trading).
    prices : array (1047,) of float
        The adjusted closing price of each day, in US dollars.
    """
    from matplotlib import cbook

    with np.load(cbook.get_sample_data("goog.npz", asfileobj=False)) as data:
        records = data["price_data"]
    return records["date"].astype("datetime64[D]"), records["adj_close"].astype(float)


MAX_SIGMA = 10_000  # samples: a wider Gaussian would need more values than any signal here has


def gaussian_1d(sigma: float, *, derivative: bool = False) -> np.ndarray:
    """A Gaussian kernel (sum 1), or its derivative (responds 1 to a ramp rising by 1 per step).

    Parameters
    ----------
    sigma : float
        Width in samples; the kernel has ``2 * ceil(3 * sigma) + 1`` values, centred.
    derivative : bool
        The derivative of the Gaussian instead, signed for cross-correlation: positive on the
        right, so a rising signal gives a positive output.

    Returns
    -------
    array (2r + 1,)

    Examples
    --------
    >>> gaussian_1d(1.0).round(3)
    array([0.004, 0.054, 0.242, 0.399, 0.242, 0.054, 0.004])
    >>> float(np.dot(gaussian_1d(2.0, derivative=True), np.arange(13.0)))  # a ramp of slope 1
    1.0
    """
    sigma = real_number(sigma, "sigma", positive=True)
    if sigma > MAX_SIGMA:
        raise ValueError(f"sigma must be at most {MAX_SIGMA:g} samples (the kernel has 6 sigma + 1 values); "
                         f"got {sigma:g}")
    derivative = flag(derivative, "derivative")
    radius = int(np.ceil(3 * sigma))
    t = np.arange(-radius, radius + 1, dtype=float)
    bell = np.exp(-t ** 2 / (2 * sigma ** 2))
    if not derivative:
        return bell / bell.sum()
    slope = t * bell
    return slope / np.dot(slope, t)  # sum_t t * kernel[t] = 1: a ramp of slope 1 gives 1


def _centred_positions(kernel_size: int, output_size: int) -> np.ndarray:
    """Index of the sample at the centre of each valid window (half a sample off for even kernels)."""
    return np.arange(output_size) + (kernel_size - 1) / 2


def show_filtered_signal(dates, signal, smoothing: dict, derivatives: dict, *, conv1d: Callable | None = None,
                         unit: str = "US$"):
    """The signal with smoothing kernels above, derivative kernels below, each output under its window's centre.

    Parameters
    ----------
    dates : array (n,) of datetime64 or numbers
        Where each sample was taken (the x axis).
    signal : array (n,)
    smoothing, derivatives : dict of name -> 1-D kernel
        Drawn over the signal (top panel) and around zero (bottom panel).
    conv1d : callable ``(signal, kernel) -> out``, optional
        The 1-D valid cross-correlation to use; default :func:`cnnhelpers.reference.conv1d`, the
        model solution (pass your own once it passes its checker).
    unit : str
        Of the signal's values, for the axis labels.

    Returns
    -------
    matplotlib Figure
    """
    from .. import reference

    conv1d = reference.conv1d if conv1d is None else check_callable(conv1d, "conv1d")
    signal = real_array(signal, "signal").astype(float)
    dates = np.asarray(dates)
    smoothing = named_arrays(smoothing, "smoothing", (1,), "1-D kernel")
    derivatives = named_arrays(derivatives, "derivatives", (1,), "1-D kernel")
    unit = string(unit, "unit")
    if dates.dtype.kind not in "iufM":
        raise TypeError(f"dates must be numbers or datetime64; got dtype {dates.dtype}")
    if signal.ndim != 1 or dates.shape != signal.shape:
        raise ValueError(f"dates and signal must be 1-D of the same length; got shapes {dates.shape} and "
                         f"{signal.shape}")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(13, 7.5), sharex=True, layout="constrained",
                                      gridspec_kw={"height_ratios": [3, 2]})
    top.plot(dates, signal, color="0.7", linewidth=1, label="daily price")
    colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
    for ax, kernels in ((top, smoothing), (bottom, derivatives)):
        for colour, (name, kernel) in zip(colours, kernels.items(), strict=False):
            kernel = np.asarray(kernel, dtype=float)
            out = np.asarray(conv1d(signal, kernel), dtype=float)
            centres = _centred_positions(len(kernel), len(out))
            x = dates[np.floor(centres).astype(int)]  # the window's centre (its left middle for even sizes)
            ax.plot(x, out, color=colour, linewidth=1.6, label=f"{name} ({len(kernel)} values)")
        ax.legend(loc="upper left", fontsize=11)
        ax.grid(True, alpha=0.3)
    bottom.axhline(0, color="black", linewidth=0.8)
    top.set_ylabel(f"price ({unit})")
    bottom.set_ylabel(f"change ({unit} per day)")
    top.set_title("smoothing: each output is a weighted mean of its window")
    bottom.set_title("derivative: each output weighs the right of its window against the left")
    return fig


def time_correlate2d(loops: Callable, vectorised: Callable, image, kernel, *, repeat: int = 3) -> dict[str, float]:
    """Time two ``correlate2d(image, kernel)`` functions and print how much faster the second is.

    A function that is not written yet (raises ``NotImplementedError``) is replaced by a stand-in
    and the printed line says so: the loops by :func:`cnnhelpers.reference.correlate2d` (four
    loops, the model solution), the vectorised one by :func:`cnnhelpers.correlate2d`.

    Returns
    -------
    dict
        Median seconds per call of each, keyed ``"loops"`` and ``"vectorised"``.
    """
    from .. import reference
    from ..costs import median_seconds

    check_callable(loops, "loops"), check_callable(vectorised, "vectorised")
    image, kernel = real_array(image, "image", (2,), "(H, W)"), real_array(kernel, "kernel", (2,), "(KH, KW)")
    check_window_fits(image.shape, (0, 0, 0, 0), kernel.shape, (1, 1), "kernel")
    repeat = count(repeat, "repeat", maximum=1000)
    stand_ins = {"loops": (loops, reference.correlate2d, "the model solution, cnnhelpers.reference.correlate2d"),
                 "vectorised": (vectorised, correlate2d, "the library's cnnhelpers.correlate2d")}
    seconds, rows = {}, []
    for name, (function, stand_in, stand_in_name) in stand_ins.items():
        whose = "yours"
        try:
            function(image[:4, :4], kernel[:2, :2])
        except NotImplementedError:
            function, whose = stand_in, f"not written yet: timing {stand_in_name}"
        seconds[name] = median_seconds(function, image, kernel, repeat=repeat)
        rows.append({"version": name, "whose": whose, "ms per call": f"{1000 * seconds[name]:.2f}"})
    print(f"image {image.shape[0]}x{image.shape[1]}, kernel {kernel.shape[0]}x{kernel.shape[1]}:")
    print(format_table(rows, left=2))
    print(f"the vectorised version is {seconds['loops'] / seconds['vectorised']:.0f} times faster")
    return seconds
