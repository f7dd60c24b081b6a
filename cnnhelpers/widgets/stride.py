"""Slider experiment for notebook 03: input size, kernel size, stride, padding and dilation.

Shows where the windows land on a small grid, the output grid, the output-size formula with the
numbers put in, and the same settings on a 512x512 photograph.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .._validate import padding_amounts
from ..conv import correlate2d
from ..images import load_image
from ..plotting import IMAGE_CMAP
from ..shapes import explain_output_size
from ..slides import SLIDE_INPUT, SLIDE_KERNEL
from ..stride import draw_strided_windows
from ._base import Experiment, LiveFigure, empty_axes, place_in_row, show_array, stamp_labels

__all__ = ["StrideExperiment", "grid_for_size", "kernel_for_size"]

_MARGINS = {"left": 0.02, "right": 0.99, "bottom": 0.1, "top": 0.9, "wspace": 0.1}
_PADDINGS = [("0", 0), ("1", 1), ("2", 2), ("3", 3), ("'same'", "same"), ("'full'", "full")]


def grid_for_size(size: int) -> np.ndarray:
    """A ``size`` x ``size`` integer grid: the lecture's 5x5 input, tiled and cut.

    Examples
    --------
    >>> grid_for_size(5).tolist() == SLIDE_INPUT.tolist(), grid_for_size(7).shape
    (True, (7, 7))
    """
    reps = -(-int(size) // SLIDE_INPUT.shape[0])
    return np.tile(SLIDE_INPUT, (reps, reps))[:size, :size].astype(float)


def kernel_for_size(kernel_size: int) -> np.ndarray:
    """The lecture's 3x3 kernel for size 3; an all-ones (window sum) kernel for other sizes.

    Examples
    --------
    >>> kernel_for_size(2)
    array([[1., 1.],
           [1., 1.]])
    """
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
        slider = dict(style=style, continuous_update=False, layout=widgets.Layout(width="260px"))  # redraw on release
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
        self.live.figure.set_layout_engine("none")  # fixed margins: constrained layout doubles the redraw time
        # Panels built once; the grids change size, so each update empties and moves them.
        self.axes = self.live.subplots(1, 4, gridspec_kw=_MARGINS)
        for ax in self.axes:  # titles and labels come from a few settings: render each once
            stamp_labels(ax)
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
        drawn = draw_strided_windows(axes[:3], result["grid"], result["kernel"], stride=stride, padding=padding,
                                     dilation=dilation)
        photo_output = result["photo_output"]
        show_array(self._photo_shown, photo_output)
        axes[3].set_title(f"photo → {photo_output.shape[0]}x{photo_output.shape[1]}")
        self.live.refresh()
        return {**result, "unused": drawn["unused"]}
