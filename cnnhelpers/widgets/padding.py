"""Slider experiment for notebook 02: padding amount, padding mode and kernel size.

The same settings act on the lecture's 5x5 grid (every number visible) and on a 512x512
photograph (the top-left corner shown, where the border is).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from ..conv import correlate2d
from ..images import load_image
from ..padding import PADDING_MODES, pad2d
from ..plotting import HIGHLIGHT, IMAGE_CMAP, draw_grid
from ..slides import SLIDE_INPUT
from ._base import Experiment, LiveFigure, empty_axes, place_in_row, show_array, stamp_labels

__all__ = ["PaddingExperiment"]

_MARGINS = {"left": 0.01, "right": 0.99, "bottom": 0.1, "top": 0.9, "wspace": 0.08}


class PaddingExperiment(Experiment):
    """Choose kernel size, padding and padding mode; see the padded grid, the output and its size.

    The kernel is a box: on the grid it sums each window (readable integers), on the photo it
    averages it (a blur), so what the padding invents shows at the border.

    Parameters
    ----------
    grid : array of shape (H, W)
        The small grid drawn with its numbers; default the lecture's 5x5 input.
    photo : str
        A name from :data:`cnnhelpers.images.PHOTOS` (grey).
    size : int, optional
        Resize the photo's shorter side to this; default full size (512x512 for "camera").
    corner : int
        Side of the photo's top-left corner that is shown.

    Examples
    --------
    >>> experiment = PaddingExperiment()
    >>> result = experiment.update(kernel_size=3, padding=1, mode="zeros")
    >>> result["grid_output"].shape, result["photo_output"].shape
    ((5, 5), (512, 512))
    """

    def __init__(self, grid=SLIDE_INPUT, photo: str = "camera", size: int | None = None, corner: int = 40):
        super().__init__()
        self.grid = np.asarray(grid, dtype=float)
        if self.grid.ndim != 2:
            raise ValueError(f"grid must be 2-D (H, W); got shape {self.grid.shape}")
        self.photo = load_image(photo, gray=True, size=size)
        self.corner = int(corner)
        style = {"description_width": "initial"}
        slider = dict(style=style, continuous_update=False)  # redraw on release: a grid redraw takes ~0.3 s
        self.controls = {
            "kernel_size": widgets.IntSlider(value=3, min=1, max=7, description="kernel size", **slider),
            "padding": widgets.IntSlider(value=1, min=0, max=4, description="padding", **slider),
            "mode": widgets.Dropdown(options=list(PADDING_MODES), value="zeros", description="mode", style=style),
        }
        self.live = LiveFigure(figsize=(16, 5.2))
        self.live.figure.set_layout_engine("none")  # fixed margins: constrained layout doubles the redraw time
        # Four panels built once: the grids change size with the sliders, so each update empties
        # them and moves them, and only the panels that changed are redrawn.
        self.axes = self.live.subplots(1, 4, gridspec_kw=_MARGINS)
        for ax in self.axes:  # titles and labels come from a few settings: render each once
            stamp_labels(ax)
        self._corner = self.axes[2].imshow(np.zeros((2, 2)), cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self._corner_out = self.axes[3].imshow(np.zeros((2, 2)), cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self._corner_frame = self.axes[2].add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT,
                                                              linewidth=2.5, linestyle="--"))
        for ax in self.axes[2:]:
            ax.set_xticks([])
            ax.set_yticks([])

    def compute(self, kernel_size: int, padding: int, mode: str) -> dict:
        """The numbers behind the figure, without drawing (what the speed budget is about)."""
        height, width = self.grid.shape
        if kernel_size > min(height, width) + 2 * padding:
            raise ValueError(f"a {kernel_size}x{kernel_size} kernel does not fit in the {height}x{width} grid "
                             f"padded by {padding} on each side ({height + 2 * padding}x{width + 2 * padding}). "
                             f"Use a smaller kernel or at least {-(-(kernel_size - min(height, width)) // 2)} "
                             f"of padding")
        box = np.ones((kernel_size, kernel_size))
        padded_grid = pad2d(self.grid, padding, mode)  # "reflect" refuses padding >= the grid's size
        padded_photo = pad2d(self.photo, padding, mode)
        return {"padded_grid": padded_grid, "grid_output": correlate2d(padded_grid, box),
                "padded_photo": padded_photo, "photo_output": correlate2d(padded_photo, box / box.size)}

    def update(self, kernel_size: int, padding: int, mode: str) -> dict:
        """Compute and redraw; returns :meth:`compute`'s dict."""
        result = self.compute(kernel_size, padding, mode)
        axes = self.axes
        padded, out = result["padded_grid"], result["grid_output"]
        place_in_row(axes, [padded.shape[1], max(out.shape[1], 3), 6, 6], **_MARGINS)
        height, width = self.grid.shape
        for ax in axes[:2]:
            empty_axes(ax)
        draw_grid(axes[0], padded, title=f"{mode!r} padding {padding}", highlight=(0, 0, kernel_size, kernel_size),
                  signed=False, fontsize=13)
        axes[0].add_patch(Rectangle((padding - 0.5, padding - 0.5), width, height, fill=False, edgecolor="black",
                                    linewidth=2.5, linestyle="--"))
        axes[0].set_xlabel(f"input {height}x{width} → padded {padded.shape[0]}x{padded.shape[1]}")
        draw_grid(axes[1], out, title=f"sum of each {kernel_size}x{kernel_size} window", signed=False, fontsize=13)
        axes[1].set_xlabel(f"output {out.shape[0]}x{out.shape[1]}")

        view = self.corner + padding
        show_array(self._corner, result["padded_photo"][:view, :view])
        self._corner_frame.set_bounds(padding - 0.5, padding - 0.5, view, view)
        axes[2].set_title("photo's corner, padded")
        photo_out = result["photo_output"]
        show_array(self._corner_out, photo_out[:self.corner, :self.corner])
        axes[3].set_title(f"{kernel_size}x{kernel_size} blur, corner")
        axes[2].set_xlabel(f"photo {self.photo.shape[0]}x{self.photo.shape[1]}")
        axes[3].set_xlabel(f"output {photo_out.shape[0]}x{photo_out.shape[1]}")
        self.live.refresh()
        return result

