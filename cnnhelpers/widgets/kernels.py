"""Figures and slider experiments for notebook 01 (kernels).

* :func:`show_weighted_sum`: patch x kernel = products, summed (the lecture's 3x3 example), and
  :class:`WeightedSumStepper`, which reveals the products one at a time;
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

from ..analysis import equivariance_error
from ..conv import correlate2d
from ..images import PHOTOS, lines_and_corner, load_image
from ..kernels import KERNELS
from ..plotting import HIGHLIGHT, IMAGE_CMAP, SIGNED_CMAP, draw_grid, signed_norm
from ._base import Experiment, LiveFigure

__all__ = ["show_weighted_sum", "WeightedSumStepper", "show_detector_responses", "show_convolution_matrix",
           "show_equivariance", "KernelEditor", "IMAGE_CHOICES", "WEIGHT_NAMES"]

# Slider names of the kernel editor: "w01" is kernel[0, 1].
WEIGHT_NAMES = tuple(f"w{row}{col}" for row in range(3) for col in range(3))
# The kernel editor's images: the bundled photographs and the synthetic detector image.
IMAGE_CHOICES = {**{name: description for name, description in PHOTOS.items()},
                 "lines_and_corner": "synthetic: a vertical line, a horizontal line and a square (48x48)"}
_SYNTHETIC_SIZE = 48


def _term(pixel: float, weight: float) -> str:
    """``3·(-1)``: one product of the weighted sum, negative factors in brackets."""
    def number(value: float) -> str:
        return f"{value:g}" if value >= 0 else f"({value:g})"
    return f"{number(pixel)}·{number(weight)}"


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
    terms = " + ".join(_term(p, k) for p, k in zip(patch.ravel()[:count], kernel.ravel()[:count], strict=True))
    fig.suptitle(f"{terms or '(no terms yet)'} = {partial:g}", fontsize=16)
    return fig


class WeightedSumStepper(Experiment):
    """One slider reveals the products of a weighted sum one at a time, with the running sum."""

    def __init__(self, patch, kernel):
        super().__init__()
        self.patch, self.kernel = _check_patch_and_kernel(patch, kernel)
        self.controls = {"steps": widgets.IntSlider(value=0, min=0, max=self.kernel.size, description="products",
                                                    continuous_update=True)}
        self.live = LiveFigure(figsize=(13, 4.6))

    def update(self, steps: int) -> dict:
        """Draw the first ``steps`` products.

        Returns
        -------
        dict
            ``products`` (KH, KW) of all products, ``partial_sum`` of the first ``steps``.
        """
        show_weighted_sum(self.patch, self.kernel, steps=steps, fig=self.live.figure)
        self.live.refresh()
        products = self.patch * self.kernel
        return {"products": products, "partial_sum": float(products.ravel()[:steps].sum())}


def _outline_maxima(ax, values: np.ndarray) -> list[tuple[int, int]]:
    """Outline every cell holding the maximum; return their (row, col) positions."""
    peaks = [tuple(int(i) for i in p) for p in np.argwhere(values == values.max())]
    for row, col in peaks:
        ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=3))
    return peaks


def show_detector_responses(image, detectors: dict[str, np.ndarray], *, ncols: int = 2, cell: float = 0.5):
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
    fig, axes = plt.subplots(1, 3, figsize=(15, 5.4), layout="constrained")
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
                value=float(value), min=-weight_range, max=weight_range, step=0.01, readout_format=".2f",
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
        self._layout_frozen = False

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
        self._shown_in.set_data(image)
        self._shown_in.set_extent((-0.5, image.shape[1] - 0.5, image.shape[0] - 0.5, -0.5))
        self._ax_in.set_title(f"input: {photo} ({image.shape[0]}x{image.shape[1]})")
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
        if not self._layout_frozen:  # lay out once; later redraws skip the (slow) layout engine
            self.live.figure.set_layout_engine("none")
            self._layout_frozen = True

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
