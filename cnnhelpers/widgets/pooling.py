"""Slider experiments for notebook 05: pooling settings, and the receptive field of a stack.

:class:`PoolingExperiment` pools a small grid (windows outlined) and a 512x512 photograph with the
same type, size and stride. :class:`ReceptiveFieldExperiment` stacks blocks of layers and draws,
live, the receptive field of one output unit on the photograph: by formula and measured by
back-propagation.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from ..conv import conv_output_size
from ..images import load_image
from ..plotting import IMAGE_CMAP
from ..pooling_figures import ReceptiveFieldFigure, draw_pooling, measure_receptive_field, pool
from ..receptive_field import Layer, describe_stack, output_shapes, receptive_field_steps
from ._base import Experiment, LiveFigure, empty_axes, show_array, stamp_labels

__all__ = ["POOL_GRID", "BLOCKS", "PoolingExperiment", "ReceptiveFieldExperiment"]


def _constant(rows) -> np.ndarray:
    array = np.array(rows, dtype=np.int64)
    array.setflags(write=False)
    return array


# A 6x6 grid of small integers for the pooling experiment (its windows are drawn on it).
POOL_GRID = _constant([[1, 3, 2, 0, 4, 1],
                       [5, 2, 1, 6, 2, 0],
                       [0, 1, 7, 2, 3, 8],
                       [4, 3, 1, 5, 1, 2],
                       [2, 6, 0, 1, 9, 3],
                       [1, 0, 3, 2, 4, 7]])

# Blocks of layers the receptive-field experiment repeats.
BLOCKS = {
    "conv 3x3": (Layer.conv(3, padding=1),),
    "conv 3x3 + max pool 2x2": (Layer.conv(3, padding=1), Layer.max_pool(2)),
    "2 x conv 3x3 + max pool 2x2 (VGG)": (Layer.conv(3, padding=1), Layer.conv(3, padding=1), Layer.max_pool(2)),
    "conv 5x5, stride 2": (Layer.conv(5, stride=2, padding=2),),
    "conv 3x3, dilation 2": (Layer.conv(3, padding=2, dilation=2),),
    "conv 3x3 + avg pool 3x3, stride 2": (Layer.conv(3, padding=1), Layer.avg_pool(3, stride=2, padding=1)),
}


def _freeze_layout(live: LiveFigure) -> None:
    """Lay the figure out once, then keep the positions: constrained layout costs most of a redraw."""
    live.figure.canvas.draw()
    live.figure.set_layout_engine("none")


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
        self._layout_frozen = False

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
        empty_axes(grid_ax)  # not ax.clear(): rebuilding the ticks costs 18 ms an axes
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
        if not self._layout_frozen:
            _freeze_layout(self.live)
            self._layout_frozen = True
        self.live.refresh()
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
        self._layout_frozen = False

    def output_widgets(self) -> list[widgets.Widget]:
        return [self.table, self.live.image]

    def compute(self, block: str, blocks: int, row: float, col: float) -> dict:
        """The stack, the output unit chosen by the row/column fractions, and its receptive field
        (formula and measurement: see :func:`~cnnhelpers.pooling_figures.measure_receptive_field`)."""
        if block not in BLOCKS:
            raise ValueError(f"block must be one of {list(BLOCKS)}; got {block!r}")
        if not (isinstance(blocks, (int, np.integer)) and blocks >= 1):
            raise ValueError(f"blocks must be an int >= 1; got {blocks!r}")
        layers = list(BLOCKS[block]) * int(blocks)
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
        if not self._layout_frozen:
            _freeze_layout(self.live)
            self._layout_frozen = True
        self.live.refresh()
        return result
