"""Slider experiments for notebook 06 (a full CNN): a trained network under your fingers.

* :class:`ShiftRotateExplorer`: move and turn a test digit; the prediction and the feature maps of
  both detector stages follow.
* :class:`TrainingScrubber`: an epoch slider over the first-layer filters and one digit's feature
  maps saved during training (:func:`first_layer_snapshot` records them), so the detectors form
  before your eyes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..data import shift_and_rotate
from ..nn.layers import Conv2d, ReLU
from ..nn.losses import softmax
from ..nn.model import Sequential
from ..nn.plots import show_probabilities
from ..nn.training import blas_threads
from ..plotting import IMAGE_CMAP, SIGNED_CMAP, UNSIGNED_CMAP
from ._base import Experiment, LiveFigure

__all__ = ["ShiftRotateExplorer", "TrainingScrubber", "first_layer_snapshot", "detector_stages"]


def _bare(ax):
    ax.set_xticks([])
    ax.set_yticks([])


def _mosaic(maps: np.ndarray, columns: int, gap: int = 2) -> np.ndarray:
    """Feature maps ``(C, H, W)`` tiled into one image, ``columns`` per row, NaN (blank) between them."""
    count, height, width = maps.shape
    rows = -(-count // columns)
    columns = min(columns, count)
    out = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap), np.nan)
    for c in range(count):
        top, left = (c // columns) * (height + gap), (c % columns) * (width + gap)
        out[top:top + height, left:left + width] = maps[c]
    return out


def detector_stages(model: Sequential) -> list[int]:
    """Indices of the layers whose output is a detector stage: a ReLU right after a convolution."""
    return [k for k in range(1, len(model.layers))
            if isinstance(model.layers[k], ReLU) and isinstance(model.layers[k - 1], Conv2d)]


def first_layer_snapshot(digit: np.ndarray) -> Callable[[Sequential], dict]:
    """A ``snapshot`` for :func:`cnnhelpers.nn.fit`: the first-layer filters and ``digit``'s maps.

    Parameters
    ----------
    digit : array (1, H, W)
        One input image, scaled as the network expects.

    Returns
    -------
    callable ``model -> {"filters": (O, C, KH, KW), "maps": (O, H, W)}``
        The maps are the first detector stage (convolution then ReLU).
    """
    digit = np.asarray(digit)

    def snapshot(model: Sequential) -> dict:
        stage = detector_stages(model)[0]
        maps = dict(model.feature_maps(digit[None]))[model.names[stage]][0]
        return {"filters": model.layers[stage - 1].weight.data.copy(), "maps": maps.copy()}

    return snapshot


class ShiftRotateExplorer(Experiment):
    """Pick a test digit, shift and turn it; see the class probabilities and the feature maps respond.

    Parameters
    ----------
    model : Sequential
        A trained network whose first layers are convolution, ReLU, pooling, ...
    images : array (N, 28, 28)
        Digits (uint8 0-255 or floats in [0, 1]).
    labels : int array (N,)

    Examples
    --------
    >>> from cnnhelpers import nn
    >>> model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    ...                       nn.Linear(2 * 14 * 14, 10, rng=1))
    >>> explorer = ShiftRotateExplorer(model, np.zeros((3, 28, 28)), np.array([0, 1, 2]))
    >>> result = explorer.update(index=1, dx=2.0, dy=0.0, angle=15.0)
    >>> result["probabilities"].shape, [m.shape for m in result["maps"]]
    ((10,), [(2, 28, 28)])
    """

    def __init__(self, model: Sequential, images, labels, *, index: int = 0):
        super().__init__()
        images = np.asarray(images)
        self.images = images / 255.0 if images.dtype == np.uint8 else images.astype(np.float64)
        self.labels = np.asarray(labels)
        if self.images.ndim != 3 or len(self.labels) != len(self.images):
            raise ValueError(f"images must be (N, H, W) with one label each; got shapes {images.shape} "
                             f"and {self.labels.shape}")
        self.model = model
        self.stages = detector_stages(model)[:2]
        style = {"description_width": "initial"}
        self.controls = {
            "index": widgets.IntSlider(value=index, min=0, max=len(self.images) - 1, description="test image",
                                       style=style, continuous_update=False),
            "dx": widgets.FloatSlider(value=0, min=-8, max=8, step=1, description="shift right", style=style),
            "dy": widgets.FloatSlider(value=0, min=-8, max=8, step=1, description="shift down", style=style),
            "angle": widgets.FloatSlider(value=0, min=-90, max=90, step=5, description="turn (degrees)",
                                         style=style),
        }
        self.live = LiveFigure(figsize=(16, 3.4 + 1.9 * len(self.stages)))
        self._build_figure()

    def _build_figure(self) -> None:
        """Digit, probability bars, and one mosaic image per detector stage (one artist: fast redraws)."""
        fig = self.live.figure
        blank = np.zeros((1, 1, *self.images.shape[1:]))
        shapes = [self.model.feature_maps(blank)[k][1].shape[1:] for k in self.stages]  # (C, H, W) each
        outer = fig.add_gridspec(1 + len(shapes), 1, height_ratios=[2.2] + [1.0] * len(shapes))
        top = outer[0].subgridspec(1, 2, width_ratios=[1, 2.6])
        self._digit_ax = fig.add_subplot(top[0])
        self._digit = self._digit_ax.imshow(np.zeros(self.images.shape[1:]), cmap=IMAGE_CMAP, vmin=0, vmax=1)
        _bare(self._digit_ax)
        self._bars_ax = fig.add_subplot(top[1])
        self._bars = show_probabilities(self._bars_ax, np.full(10, 0.1))
        cmap = plt.get_cmap(UNSIGNED_CMAP).with_extremes(bad="white")
        self._mosaics = []
        for k, shape in enumerate(shapes, start=1):
            ax = fig.add_subplot(outer[k])
            mosaic = _mosaic(np.zeros(shape), columns=12)
            self._mosaics.append(ax.imshow(mosaic, cmap=cmap, vmin=0, vmax=1, interpolation="nearest"))
            _bare(ax)
            for side in ax.spines.values():
                side.set_visible(False)
            ax.set_ylabel(f"stage {k}\n{shape[0]} maps", fontsize=12)
        self._limits = None

    def compute(self, index: int, dx: float, dy: float, angle: float) -> dict:
        """The moved digit, the class probabilities and the detector-stage feature maps."""
        if not 0 <= int(index) < len(self.images):
            raise ValueError(f"index must lie in 0..{len(self.images) - 1}; got {index}")
        image = shift_and_rotate(self.images[int(index)], dx=dx, dy=dy, angle=angle)
        with blas_threads(1):  # one small image: threads would only wait for each other
            outputs = self.model.feature_maps(image[None, None])
        probabilities = softmax(outputs[-1][1])[0]
        return {"image": image, "probabilities": probabilities, "prediction": int(np.argmax(probabilities)),
                "label": int(self.labels[int(index)]), "maps": [outputs[k][1][0] for k in self.stages]}

    def update(self, index: int, dx: float, dy: float, angle: float) -> dict:
        """Compute and redraw; returns :meth:`compute`'s dict."""
        result = self.compute(index, dx, dy, angle)
        self._digit.set_data(result["image"])
        verdict = "right" if result["prediction"] == result["label"] else "WRONG"
        self._digit_ax.set_title(f"a {result['label']}, moved ({dx:+g}, {dy:+g}),\nturned {angle:+g}°",
                                 fontsize=14)
        for bar, p in zip(self._bars, result["probabilities"], strict=True):
            bar.set_height(p)
            bar.set_color("#E69F00" if p == result["probabilities"].max() else "#56B4E9")
        self._bars_ax.set_title(f"prediction: {result['prediction']} "
                                f"({result['probabilities'].max():.0%}), {verdict}")
        if self._limits is None:  # colour scale fixed by the first digit, so changes stay visible
            self._limits = [max(float(maps.max()), 1e-6) for maps in result["maps"]]
        for image, maps, limit in zip(self._mosaics, result["maps"], self._limits, strict=True):
            image.set_data(_mosaic(maps, columns=12))
            image.set_clim(0, limit)
        self.live.refresh()
        return result


class TrainingScrubber(Experiment):
    """An epoch slider over snapshots taken during training (see :func:`first_layer_snapshot`).

    Parameters
    ----------
    snapshots : list of dict
        ``history.snapshots``: entry 0 before training, entry ``e`` after epoch ``e``.
    accuracies : sequence of float, optional
        Held-out accuracy after each epoch (``history.val_accuracy``), shown in the title.

    Examples
    --------
    >>> shots = [{"filters": np.full((2, 1, 3, 3), float(e)), "maps": np.zeros((2, 4, 4))} for e in range(3)]
    >>> TrainingScrubber(shots).update(epoch=2)["filters"][0, 0, 0, 0]
    np.float64(2.0)
    """

    def __init__(self, snapshots: list[dict], accuracies: Sequence[float] | None = None):
        super().__init__()
        if not snapshots or not all({"filters", "maps"} <= set(s) for s in snapshots):
            raise ValueError("snapshots must be a non-empty list of dicts with 'filters' and 'maps' "
                             "(fit(..., snapshot=first_layer_snapshot(digit)))")
        self.snapshots = snapshots
        self.accuracies = None if accuracies is None else list(accuracies)
        self.controls = {"epoch": widgets.IntSlider(value=len(snapshots) - 1, min=0, max=len(snapshots) - 1,
                                                    description="after epoch", style={"description_width": "initial"})}
        count = len(snapshots[0]["filters"])
        self.live = LiveFigure(figsize=(min(16, 2.0 * count + 1), 0.6 + 2 * 16 / count))
        grid = self.live.figure.add_gridspec(3, count, height_ratios=[0.25, 1, 1])
        self._header = self.live.figure.add_subplot(grid[0, :])
        self._header.axis("off")
        self._headline = self._header.text(0.5, 0.5, "", ha="center", va="center", fontsize=15)
        axes = np.array([[self.live.figure.add_subplot(grid[row, c]) for c in range(count)] for row in (1, 2)])
        # One colour scale for every epoch: growing weights look like growing colour.
        weight_limit = max(float(np.abs(s["filters"]).max()) for s in snapshots) or 1.0
        map_limit = max(float(np.abs(s["maps"]).max()) for s in snapshots) or 1.0
        self._filters = [ax.imshow(np.zeros((3, 3)), cmap=SIGNED_CMAP, vmin=-weight_limit, vmax=weight_limit)
                         for ax in axes[0]]
        self._maps = [ax.imshow(np.zeros((2, 2)), cmap=UNSIGNED_CMAP, vmin=0, vmax=map_limit) for ax in axes[1]]
        for c, ax in enumerate(axes[0]):
            ax.set_title(f"filter {c}", fontsize=12)
        axes[1, 0].set_ylabel("its map", fontsize=12)
        axes[0, 0].set_ylabel("weights", fontsize=12)
        for ax in axes.flat:
            _bare(ax)

    def update(self, epoch: int) -> dict:
        """Show snapshot ``epoch``; returns it."""
        if not 0 <= int(epoch) < len(self.snapshots):
            raise ValueError(f"epoch must lie in 0..{len(self.snapshots) - 1}; got {epoch}")
        shot = self.snapshots[int(epoch)]
        for image, weights in zip(self._filters, shot["filters"], strict=True):
            image.set_data(weights[0] if weights.ndim == 3 else weights)
        for image, fmap in zip(self._maps, shot["maps"], strict=True):
            image.set_data(fmap)
        when = "before training" if int(epoch) == 0 else f"after epoch {int(epoch)}"
        if self.accuracies and int(epoch) > 0:
            when += f": test accuracy {self.accuracies[int(epoch) - 1]:.1%}"
        self._headline.set_text(f"first-layer filters and one digit's feature maps, {when}")
        self.live.refresh()
        return shot
