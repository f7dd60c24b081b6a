"""Slider experiment for notebook 04: one deep kernel, built channel by channel, on a colour photo.

For each colour channel, choose a kernel and a weight; the figure shows each channel's own
response and their sum, which is the deep kernel's output (one output channel of ``conv2d``).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..channels import RGB, channel_contributions, channels_first, kernel_bank
from ..images import PHOTOS, load_image
from ..kernels import KERNELS
from ..plotting import SIGNED_CMAP, ScaledColourBar, signed_norm
from ._base import Experiment, LiveFigure, show_array

__all__ = ["ChannelMixer"]

COLOUR_PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")


class ChannelMixer(Experiment):
    """Choose a kernel and a weight per colour channel; see each channel's response and their sum.

    Parameters
    ----------
    photos : sequence of str
        Colour photographs from :data:`cnnhelpers.images.PHOTOS` to choose from.
    size : int, optional
        Resize the photographs (shorter side) first; default full size.

    Examples
    --------
    >>> mixer = ChannelMixer(photos=("astronaut",), size=32)
    >>> result = mixer.update(photo="astronaut", red_kernel="sobel_x", red_weight=1.0,
    ...                       green_kernel="identity", green_weight=0.0, blue_kernel="identity", blue_weight=0.0)
    >>> result["contributions"].shape, result["output"].shape
    ((3, 30, 30), (30, 30))
    """

    def __init__(self, photos=COLOUR_PHOTOS, size: int | None = None):
        super().__init__()
        unknown = [name for name in photos if name not in PHOTOS]
        if unknown or not photos:
            raise ValueError(f"photos must be names from {sorted(PHOTOS)}; got {list(photos)}")
        self._rgb = {name: load_image(name, gray=False, size=size) for name in photos}
        self._chw = {name: channels_first(image) for name, image in self._rgb.items()}
        style = {"description_width": "initial"}
        names = list(KERNELS)
        self.controls = {"photo": widgets.Dropdown(options=list(photos), value=photos[0], description="photo",
                                                   style=style, layout=widgets.Layout(width="100%"))}
        defaults = {"red": ("sobel_x", 1.0), "green": ("sobel_x", 1.0), "blue": ("sobel_x", 1.0)}
        for colour in RGB:
            kernel, weight = defaults[colour]
            self.controls[f"{colour}_kernel"] = widgets.Dropdown(
                options=names, value=kernel, description=f"{colour} kernel", style=style,
                layout=widgets.Layout(width="32%"))
            self.controls[f"{colour}_weight"] = widgets.FloatSlider(
                value=weight, min=-2.0, max=2.0, step=0.1, description=f"{colour} weight", style=style,
                continuous_update=True, layout=widgets.Layout(width="60%"))
        self.live = LiveFigure(figsize=(17, 4.1))
        self._build_figure()

    def _build_figure(self) -> None:
        """Axes, images and colour bars are made once; ``update`` only changes their data."""
        fig = self.live.figure
        axes = fig.subplots(1, 5)
        blank = np.zeros((2, 2))
        self._photo_image = axes[0].imshow(np.zeros((2, 2, 3)))
        self._part_images = [ax.imshow(blank, cmap=SIGNED_CMAP, vmin=-1, vmax=1) for ax in axes[1:4]]
        self._output_image = axes[4].imshow(blank, cmap=SIGNED_CMAP, vmin=-1, vmax=1)
        self._part_bar = ScaledColourBar(fig, SIGNED_CMAP, ax=axes[1:4].tolist(), shrink=0.8, extend="both",
                                         label="per-channel response")
        self._output_bar = ScaledColourBar(fig, SIGNED_CMAP, ax=axes[4], shrink=0.8, extend="both")
        axes[4].set_title("sum = output channel", fontsize=15)
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        self._axes = axes
        self._layout_frozen = False
        self._photo_shown: str | None = None

    def compute(self, photo: str, red_kernel: str, red_weight: float, green_kernel: str, green_weight: float,
                blue_kernel: str, blue_weight: float) -> dict:
        """The deep kernel ``(1, 3, 3, 3)``, each channel's response and their sum, without drawing."""
        if photo not in self._chw:
            raise ValueError(f"photo must be one of {list(self._chw)}; got {photo!r}")
        weight = kernel_bank([[(red_kernel, float(red_weight)), (green_kernel, float(green_weight)),
                               (blue_kernel, float(blue_weight))]])
        contributions = channel_contributions(self._chw[photo], weight[0])  # (3, OH, OW)
        return {"weight": weight, "contributions": contributions, "output": contributions.sum(axis=0)}

    def update(self, photo: str, red_kernel: str, red_weight: float, green_kernel: str, green_weight: float,
               blue_kernel: str, blue_weight: float) -> dict:
        """Compute and redraw; returns :meth:`compute`'s dict."""
        result = self.compute(photo, red_kernel, red_weight, green_kernel, green_weight, blue_kernel, blue_weight)
        axes = self._axes
        rgb = self._rgb[photo]
        if photo != self._photo_shown:  # the photo's panel changes only with the photo: no redraw otherwise
            show_array(self._photo_image, rgb)
            axes[0].set_title(f"{photo} (RGB)", fontsize=15)
            self._photo_shown = photo
        parts, output = result["contributions"], result["output"]
        part_limit = self._part_bar.set_limit(signed_norm(parts[:, ::4, ::4], robust=True).vmax)  # a sample: fast
        settings = [(red_kernel, red_weight), (green_kernel, green_weight), (blue_kernel, blue_weight)]
        for c, (kernel, weight) in enumerate(settings):
            show_array(self._part_images[c], parts[c])
            self._part_images[c].set_clim(-part_limit, part_limit)
            axes[c + 1].set_title(f"{RGB[c]}: {weight:g} × {kernel}", fontsize=15)
        out_limit = self._output_bar.set_limit(signed_norm(output[::4, ::4], robust=True).vmax)
        show_array(self._output_image, output)
        self._output_image.set_clim(-out_limit, out_limit)
        if not self._layout_frozen:  # lay out once, then keep: constrained layout costs most of a redraw
            self.live.figure.canvas.draw()
            self.live.figure.set_layout_engine("none")
            self._layout_frozen = True
        self.live.refresh()
        return result
