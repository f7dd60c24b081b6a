"""The 3x3 kernel editor, shared by notebooks 00 (welcome: a first kernel with a slider) and 01 (kernels).

:class:`KernelEditor`: nine weight sliders laid out like the kernel, presets from
:data:`cnnhelpers.kernels.KERNELS` and a choice of image (:data:`IMAGE_CHOICES`); the input and its
valid cross-correlation with the kernel side by side.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ._validate import count, real_number
from .conv import correlate2d
from .images import PHOTOS, lines_and_corner, load_image
from .kernels import KERNELS
from .live import Experiment, LiveFigure
from .plotting import IMAGE_CMAP, color_scale, draw_grid

__all__ = ["KernelEditor", "IMAGE_CHOICES", "WEIGHT_NAMES"]


# Slider names of the kernel editor: "w01" is kernel[0, 1].
WEIGHT_NAMES = tuple(f"w{row}{col}" for row in range(3) for col in range(3))


MAX_SIZE = 2000  # pixels per side of the photograph: larger ones only slow every slider step

# The kernel editor's images: the bundled photographs and the synthetic detector image.
IMAGE_CHOICES = {**{name: description for name, description in PHOTOS.items()},
                 "lines_and_corner": "synthetic: a vertical line, a horizontal line and a square (48x48)"}

_SYNTHETIC_SIZE = 48


class KernelEditor(Experiment):
    """A 3x3 kernel editor: a slider per weight, presets, a choice of image; input and output side by side.

    The output is the valid cross-correlation (``correlate2d``), drawn in the series' colour language
    (:func:`cnnhelpers.plotting.color_scale`): grey like a photograph when the weights sum to more
    than zero (blur, sharpen), else in the diverging map centred on zero. Colours saturate at the
    99.5th percentile (the title gives the full range).

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
        self.size = None if size is None else count(size, "size", maximum=MAX_SIZE)
        weight_range = real_number(weight_range, "weight_range", positive=True)
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
        self._shown_out = self._ax_out.imshow(np.zeros((2, 2)), cmap=IMAGE_CMAP)
        self.live.figure.colorbar(self._shown_out, ax=self._ax_out, shrink=0.85)
        draw_grid(self._ax_kernel, np.zeros((3, 3)), title="kernel", fmt="{:.2f}", fontsize=14)
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
        draw_grid(self._ax_kernel, kernel, fmt="{:.2f}", fontsize=14)  # reuses the grid's artists
        low, high = float(output.min()), float(output.max())
        self._shown_out.set_data(output)
        self._shown_out.set_extent((-0.5, output.shape[1] - 0.5, output.shape[0] - 0.5, -0.5))
        # The kernel decides (weights summing to more than 0 give a picture: a sharpened photo's
        # overshoots stay grey, not red and blue); colours saturate at the 99.5th percentile so a
        # few extreme pixels do not wash every edge out. The title gives the true range.
        scale = color_scale(output, kernel=kernel, robust=True)
        self._shown_out.set_cmap(scale.cmap)
        self._shown_out.set_norm(scale.norm)
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
