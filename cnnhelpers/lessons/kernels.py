"""Figures and slider experiments for notebook 01 (kernels).

* :func:`show_neighbour_correlation` and :func:`show_parameter_growth`: why images need structure;
* :func:`show_weighted_sum`: patch x kernel = products, summed (the lecture's 3x3 example), and
  :class:`WeightedSumStepper`, which reveals the products one at a time;
* :func:`show_kernel_gallery`: classic kernels next to what they do to a photograph;
* :func:`show_impulse_responses`: cross-correlation and convolution of a single bright pixel;
* :func:`show_detector_responses`: the lecture's three detectors on a small annotated image;
* :func:`show_convolution_matrix`: the sparse, weight-sharing matrix behind a convolution;
* :func:`show_equivariance`: transform-then-convolve next to convolve-then-transform;
* :class:`KernelEditor`: nine weight sliders, presets and a choice of image, input and output
  side by side.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from ..analysis import conv_parameters, dense_parameters, equivariance_error, neighbour_correlation
from ..conv import convolve2d, correlate2d
from ..images import PHOTOS, lines_and_corner, load_image
from ..kernels import KERNELS
from ..plotting import HIGHLIGHT, IMAGE_CMAP, SIGNED_CMAP, draw_grid, signed_norm
from ._base import Experiment, LiveFigure

__all__ = ["show_neighbour_correlation", "show_parameter_growth", "show_weighted_sum", "WeightedSumStepper",
           "show_kernel_gallery", "show_impulse_responses", "show_detector_responses", "show_convolution_matrix",
           "show_equivariance", "KernelEditor", "IMAGE_CHOICES", "WEIGHT_NAMES"]

# Slider names of the kernel editor: "w01" is kernel[0, 1].
WEIGHT_NAMES = tuple(f"w{row}{col}" for row in range(3) for col in range(3))
# The kernel editor's images: the bundled photographs and the synthetic detector image.
IMAGE_CHOICES = {**{name: description for name, description in PHOTOS.items()},
                 "lines_and_corner": "synthetic: a vertical line, a horizontal line and a square (48x48)"}
_SYNTHETIC_SIZE = 48
_LINE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")  # Okabe-Ito: safe for colour-blind readers


def show_neighbour_correlation(images: dict[str, np.ndarray], distances):
    """Correlation of pixels ``d`` apart against ``d``, one line per image.

    Parameters
    ----------
    images : dict of str to array of shape (H, W)
        Label to image, e.g. a photograph and the same pixels scrambled.
    distances : sequence of int

    Returns
    -------
    fig : matplotlib Figure
    correlations : dict of str to array of shape (len(distances),)
    """
    correlations = {name: neighbour_correlation(image, distances) for name, image in images.items()}
    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    for (name, values), style, colour in zip(correlations.items(), ["o-", "s--", "^:", "d-."], _LINE_COLOURS,
                                             strict=False):
        ax.plot(distances, values, style, color=colour, label=name, linewidth=2.5, markersize=7)
    ax.axhline(0, color="black", linewidth=1)
    ax.set_xscale("log")
    ax.set_xticks(list(distances), [str(d) for d in distances])
    ax.minorticks_off()
    ax.set_xlabel("distance d between the two pixels (columns)")
    ax.set_ylabel("correlation")
    ax.set_ylim(-0.1, 1.05)
    ax.set_title("How alike are pixels d apart?")
    ax.legend()
    return fig, correlations


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
    fig, ax = plt.subplots(figsize=(11, 5.8), layout="constrained")
    for count, style, colour in zip(channels, ["-", "--", ":"], _LINE_COLOURS, strict=False):
        what = "grey, 1 channel" if count == 1 else f"{count} channels"
        dense = [dense_parameters((side, side, count)) for side in sides]
        ax.plot(sides, dense, style, color=colour, linewidth=2.5, label=f"fully connected ({what})")
        weights = conv_parameters(kernel_size, in_channels=count)
        ax.axhline(weights, linestyle=style, color=colour, linewidth=1.5,
                   label=f"one {kernel_size}x{kernel_size} kernel ({what}): {weights:,}")
        below = count == channels[0]  # first line's labels below it, the others' above: no overlap
        for side in marks:
            if sides[0] <= side <= sides[-1]:
                value = dense_parameters((side, side, count))
                ax.plot([side], [value], "o", color=colour, markersize=8)
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


def _check_patch_and_kernel(patch, kernel) -> tuple[np.ndarray, np.ndarray]:
    patch, kernel = np.asarray(patch, dtype=float), np.asarray(kernel, dtype=float)
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

    Raises
    ------
    ValueError
        If the shapes differ or ``steps`` is outside ``0 .. KH*KW``.
    """
    patch, kernel = _check_patch_and_kernel(patch, kernel)
    count = kernel.size if steps is None else steps
    if not 0 <= count <= kernel.size:
        raise ValueError(f"steps must be between 0 and {kernel.size}; got {steps}")
    products = (patch * kernel).ravel()  # (KH*KW,) row-major, the order the sum is written in
    shown = np.where(np.arange(kernel.size) < count, products, np.nan).reshape(kernel.shape)
    partial = float(products[:count].sum())
    if fig is None:
        fig = plt.figure(figsize=(13, 4.6), layout="constrained")
    else:
        fig.clear()
    axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": [kernel.shape[1]] * 3 + [1]})
    row, col = divmod(max(count - 1, 0), kernel.shape[1])
    last = (row, col, 1, 1) if count else None
    draw_grid(axes[0], patch, title="patch (input)", highlight=last, signed=False, fontsize=20)
    draw_grid(axes[1], kernel, title="× kernel", highlight=last, signed=True, fontsize=20)
    draw_grid(axes[2], shown, title="= products", highlight=last, signed=True, fontsize=20)
    draw_grid(axes[3], [[partial if count else np.nan]], title="sum" if count == kernel.size else "running sum",
              signed=True, fontsize=22)
    fig.suptitle(_weighted_sum_title(patch, kernel, count), fontsize=16)
    return fig


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
        limit = float(np.abs(running).max()) * 1.6 or 1.0  # as draw_grid: light colours, black numbers readable
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
        if not 0 <= steps <= size:
            raise ValueError(f"steps must be between 0 and {size}; got {steps}")
        products = self.patch * self.kernel
        flat = products.ravel()
        partial = float(flat[:steps].sum())
        self._products_image.set_data(np.where(np.arange(size) < steps, flat, np.nan).reshape(products.shape))
        for index, text in enumerate(self._product_texts):
            text.set_visible(index < steps)
        self._sum_image.set_data([[partial if steps else np.nan]])
        self._sum_text.set_text(f"{partial:g}" if steps else "")
        self._sum_ax.set_title("sum" if steps == size else "running sum")
        row, col = divmod(max(steps - 1, 0), self.kernel.shape[1])
        for mark in self._marks:
            mark.set_xy((col - 0.5, row - 0.5))
            mark.set_visible(steps > 0)
        self.live.figure.suptitle(_weighted_sum_title(self.patch, self.kernel, steps), fontsize=16)
        self.live.refresh()
        return {"products": products, "partial_sum": partial}


def _show_output(ax, output: np.ndarray, kernel: np.ndarray):
    """A kernel's output: grey in [0, 1] when its weights sum to 1 (it makes an image), else signed."""
    if np.isclose(kernel.sum(), 1.0):
        return ax.imshow(np.clip(output, 0, 1), cmap=IMAGE_CMAP, vmin=0, vmax=1)
    limit = float(np.percentile(np.abs(output), 99)) or 1.0  # a few extreme pixels would wash out the rest
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
    outputs : dict of str to array of shape (H - KH + 1, W - KW + 1)
    """
    image = np.asarray(image, dtype=float)
    outputs = {name: correlate2d(image, kernel) for name, kernel in named_kernels.items()}
    nrows = -(-len(outputs) // ncols)
    fig = plt.figure(figsize=(size * ncols, size * 1.55 * nrows), layout="constrained")
    panels = fig.subfigures(nrows, ncols, squeeze=False)
    for panel, (name, output) in zip(panels.flat, outputs.items(), strict=False):
        kernel = np.asarray(named_kernels[name], dtype=float)
        grid_ax, image_ax = panel.subplots(2, 1, height_ratios=[1, 1.9])
        longest = max(len(f"{weight:.2g}") for weight in kernel.ravel())
        draw_grid(grid_ax, kernel, fmt="{:.2g}", signed=True, fontsize=13 if longest <= 3 else 9)
        grid_ax.set_title(f"{name}\nsum {kernel.sum():.3g}", fontsize="medium")
        _show_output(image_ax, output, kernel)
        image_ax.set_xticks([])
        image_ax.set_yticks([])
    for panel in panels.flat[len(outputs):]:
        panel.set_visible(False)
    return fig, outputs


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
    responses : dict with ``"correlation"`` and ``"convolution"``, arrays of shape (size, size)
    """
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 2 or kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ValueError(f"kernel must be 2-D with odd sizes; got shape {kernel.shape}")
    impulse = np.zeros((size, size))
    impulse[size // 2, size // 2] = 1
    padding = (kernel.shape[0] // 2, kernel.shape[1] // 2)
    responses = {"correlation": correlate2d(impulse, kernel, padding=padding),
                 "convolution": convolve2d(impulse, kernel, padding=padding)}
    fig, axes = plt.subplots(1, 4, figsize=(16, 5.2), layout="constrained",
                             gridspec_kw={"width_ratios": [kernel.shape[1], size, size, size]})
    draw_grid(axes[0], kernel, title="kernel", signed=True, fontsize=15)
    draw_grid(axes[1], impulse, title="input: one bright pixel", signed=False, fontsize=15)
    draw_grid(axes[2], responses["correlation"], title="correlate2d: kernel flipped", signed=True, fontsize=15)
    draw_grid(axes[3], responses["convolution"], title="convolve2d: kernel as is", signed=True, fontsize=15)
    return fig, responses


def _outline_maxima(ax, values: np.ndarray) -> list[tuple[int, int]]:
    """Outline every cell holding the maximum; return their (row, col) positions."""
    peaks = [tuple(int(i) for i in p) for p in np.argwhere(values == values.max())]
    for row, col in peaks:
        ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=3))
    return peaks


def show_detector_responses(image, detectors: dict[str, np.ndarray], *, ncols: int = 2, cell: float = 0.4):
    """A small image and each detector's response at every pixel, as annotated grids.

    Responses use padding 1 (for 3x3 detectors) so that each response sits over the pixel the
    kernel is centred on, as on the lecture's "Kernels" slide; every cell holding a
    detector's maximum is outlined.

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
    responses : dict of str to array of shape (H, W)
    """
    image = np.asarray(image, dtype=float)
    responses = {name: correlate2d(image, kernel, padding=(np.shape(kernel)[0] // 2, np.shape(kernel)[1] // 2))
                 for name, kernel in detectors.items()}
    count = 1 + len(responses)
    nrows = -(-count // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell * image.shape[1] * ncols, cell * image.shape[0] * nrows + 0.8),
                             squeeze=False, layout="constrained")
    draw_grid(axes.flat[0], image, title="input", signed=False)
    for ax, (name, response) in zip(axes.flat[1:], responses.items(), strict=False):
        draw_grid(ax, response, signed=True)
        peaks = _outline_maxima(ax, response)
        ax.set_title(f"{name}: max {response.max():g} at {len(peaks)} pixel{'s' * (len(peaks) > 1)}")
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, responses


def show_convolution_matrix(matrix, *, title: str | None = None, cell: float = 0.42):
    """A convolution's dense matrix as a grid: its non-zero entries numbered, its zeros blank.

    Parameters
    ----------
    matrix : array of shape (outputs, inputs)
        E.g. from :func:`cnnhelpers.analysis.convolution_matrix`.
    title : str, optional
    cell : float
        Inches per cell.

    Returns
    -------
    fig : matplotlib Figure
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"matrix must be 2-D (outputs, inputs); got shape {matrix.shape}")
    fig, ax = plt.subplots(figsize=(cell * matrix.shape[1] + 1.2, cell * matrix.shape[0] + 1.4), layout="constrained")
    draw_grid(ax, np.where(matrix == 0, np.nan, matrix), signed=bool((matrix < 0).any()), fontsize=11)
    ax.set_xlabel(f"input pixel (row-major index 0..{matrix.shape[1] - 1})")
    ax.set_ylabel(f"output pixel (0..{matrix.shape[0] - 1})")
    if title:
        ax.set_title(title)
    return fig


def show_equivariance(image, operation: Callable, transform: Callable, *, operation_name: str = "convolve",
                      transform_name: str = "transform", margin: int = 0):
    """Transform then convolve, convolve then transform, and their difference, side by side.

    Parameters
    ----------
    image : array of shape (H, W)
    operation, transform : callable
        Image to image (see :func:`cnnhelpers.analysis.equivariance_error`).
    operation_name, transform_name : str
        For the titles.
    margin : int
        Border left out of the measured error (drawn as a dashed frame).

    Returns
    -------
    fig : matplotlib Figure
    error : float
        The relative error of :func:`cnnhelpers.analysis.equivariance_error`.
    """
    error = equivariance_error(operation, transform, image, margin=margin)
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
    return fig, error


class KernelEditor(Experiment):
    """A 3x3 kernel editor: a slider per weight, presets, a choice of image; input and output side by side.

    The output is the valid cross-correlation (``correlate2d``), shown in grey when it has no
    negative values and otherwise in the diverging map centred on zero, saturating at the 99.5th
    percentile of its absolute values (the title gives the full range).

    Parameters
    ----------
    photo : str
        Initial image, one of :data:`IMAGE_CHOICES`.
    preset : str
        Initial kernel, one of ``cnnhelpers.kernels.KERNELS``.
    size : int, optional
        Resize photographs to this shorter side (default: their own size, e.g. 512x512).
    weight_range : float
        Each slider runs from ``-weight_range`` to ``weight_range``.
    """

    def __init__(self, photo: str = "camera", preset: str = "sobel_x", *, size: int | None = None,
                 weight_range: float = 8.0):
        super().__init__()
        if photo not in IMAGE_CHOICES:
            raise ValueError(f"photo must be one of {list(IMAGE_CHOICES)}; got {photo!r}")
        if preset not in KERNELS or KERNELS[preset].shape != (3, 3):
            raise ValueError(f"preset must be one of {list(KERNELS)}; got {preset!r}")
        self.size = size
        self._images: dict[str, np.ndarray] = {}
        self._syncing = False  # True while a preset moves the sliders: one redraw, not nine
        slider_style = {"description_width": "45px"}
        self.preset = widgets.Dropdown(options=[*KERNELS, "custom"], value=preset, description="preset")
        self.controls = {"photo": widgets.Dropdown(options=list(IMAGE_CHOICES), value=photo, description="image")}
        for name, value in zip(WEIGHT_NAMES, KERNELS[preset].ravel(), strict=True):
            self.controls[name] = widgets.FloatSlider(
                value=float(value), min=-weight_range, max=weight_range, step=0.1, readout_format=".2f",
                description=f"[{name[1]}, {name[2]}]", continuous_update=True, style=slider_style,
                layout=widgets.Layout(width="260px"))
        self.live = LiveFigure(figsize=(13, 4.6))
        self._ax_in, self._ax_kernel, self._ax_out = self.live.subplots(1, 3, gridspec_kw={"width_ratios": [4, 1.7, 4]})
        for ax in (self._ax_in, self._ax_out):
            ax.set_xticks([])
            ax.set_yticks([])
        # Artists are built once; update() only changes their data (a redraw from scratch is slower).
        self._shown_in = self._ax_in.imshow(np.zeros((2, 2)), cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self._shown_out = self._ax_out.imshow(np.zeros((2, 2)), cmap=SIGNED_CMAP)
        self.live.figure.colorbar(self._shown_out, ax=self._ax_out, shrink=0.85)
        self._kernel_cells = draw_grid(self._ax_kernel, np.zeros((3, 3)), title="kernel", fmt="{:.2f}", signed=True,
                                       fontsize=14)
        self._kernel_texts = list(self._ax_kernel.texts)  # row-major, one per weight
        self._photo_shown: str | None = None

    def image(self, photo: str) -> np.ndarray:
        """The named image as floats in [0, 1], (H, W), loaded once and cached."""
        if photo not in IMAGE_CHOICES:
            raise ValueError(f"photo must be one of {list(IMAGE_CHOICES)}; got {photo!r}")
        if photo not in self._images:
            self._images[photo] = (lines_and_corner(_SYNTHETIC_SIZE) if photo == "lines_and_corner"
                                   else load_image(photo, size=self.size))
        return self._images[photo]

    def update(self, photo: str, w00: float, w01: float, w02: float, w10: float, w11: float, w12: float,
               w20: float, w21: float, w22: float) -> dict:
        """Correlate the chosen image with the kernel ``[[w00, w01, w02], [w10, ...], ...]`` and redraw.

        Returns
        -------
        dict
            ``image`` (H, W), ``kernel`` (3, 3) and ``output`` (H-2, W-2).
        """
        kernel = np.array([[w00, w01, w02], [w10, w11, w12], [w20, w21, w22]], dtype=float)
        if not np.isfinite(kernel).all():
            raise ValueError(f"every weight must be a finite number; got {kernel.tolist()}")
        image = self.image(photo)
        output = correlate2d(image, kernel)  # (H-2, W-2)
        self._draw(photo, image, kernel, output)
        return {"image": image, "kernel": kernel, "output": output}

    def _draw(self, photo: str, image: np.ndarray, kernel: np.ndarray, output: np.ndarray) -> None:
        if photo != self._photo_shown:  # the input panel changes only with the image: no redraw otherwise
            self._shown_in.set_data(image)
            self._shown_in.set_extent((-0.5, image.shape[1] - 0.5, image.shape[0] - 0.5, -0.5))
            self._ax_in.set_title(f"input: {photo} ({image.shape[0]}x{image.shape[1]})")
            self._photo_shown = photo
        limit = float(np.abs(kernel).max()) * 1.6 or 1.0  # as draw_grid: light cells, readable numbers
        self._kernel_cells.set_data(kernel)
        self._kernel_cells.set_clim(-limit, limit)
        for text, weight in zip(self._kernel_texts, kernel.ravel(), strict=True):
            text.set_text(f"{weight:.2f}")
        low, high = float(output.min()), float(output.max())
        self._shown_out.set_data(output)
        self._shown_out.set_extent((-0.5, output.shape[1] - 0.5, output.shape[0] - 0.5, -0.5))
        if low < 0:  # signed: white is 0, red positive, blue negative
            # Colours saturate at the 99.5th percentile of |output|: a few extreme pixels would
            # otherwise wash every edge out to white. The title gives the true range.
            limit = float(np.percentile(np.abs(output), 99.5))
            self._shown_out.set_cmap(SIGNED_CMAP)
            self._shown_out.set_norm(signed_norm([-limit, limit] if limit > 0 else output))
        else:
            self._shown_out.set_cmap(IMAGE_CMAP)
            self._shown_out.set_norm(Normalize(vmin=0.0, vmax=high if high > 0 else 1.0))
        self._ax_out.set_title(f"output ({output.shape[0]}x{output.shape[1]}): {low:.2f} to {high:.2f}")
        self.live.refresh()

    def apply_preset(self, name: str) -> None:
        """Move the nine sliders to a named kernel, redrawing once."""
        if name not in KERNELS:
            raise ValueError(f"name must be one of {list(KERNELS)}; got {name!r}")
        self._syncing = True
        try:
            for slider, value in zip(WEIGHT_NAMES, KERNELS[name].ravel(), strict=True):
                self.controls[slider].value = float(value)
        finally:
            self._syncing = False
        self._on_change()

    def matching_preset(self) -> str:
        """The preset the sliders show now, or ``"custom"``."""
        kernel = np.array([self.controls[name].value for name in WEIGHT_NAMES]).reshape(3, 3)
        return next((name for name, preset in KERNELS.items() if np.allclose(kernel, preset)), "custom")

    def _on_change(self, _change=None) -> None:
        if self._syncing:
            return
        super()._on_change()
        self._syncing = True  # label the dropdown without triggering apply_preset
        try:
            self.preset.value = self.matching_preset()
        finally:
            self._syncing = False

    def _on_preset(self, change) -> None:
        if not self._syncing and change["new"] in KERNELS:
            self.apply_preset(change["new"])

    @property
    def widget(self) -> widgets.Widget:
        """Preset and image on top, the nine sliders in a 3x3 grid like the kernel, then the figure."""
        if self._widget is None:
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
            self.preset.observe(self._on_preset, names="value")
            grid = widgets.GridBox([self.controls[name] for name in WEIGHT_NAMES],
                                   layout=widgets.Layout(grid_template_columns="repeat(3, 270px)"))
            self._widget = widgets.VBox([widgets.HBox([self.preset, self.controls["photo"]]), grid, self.message,
                                         *self.output_widgets()])
            self._on_change()
        return self._widget
