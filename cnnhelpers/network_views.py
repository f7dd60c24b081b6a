"""What the network sees: four ways to look at what a trained digit classifier pays attention to.

* :func:`occlusion_map`: cover part of the digit with a grey patch and measure how much the right
  class's probability drops; where it drops most, the network was looking.
* :func:`saliency_map`: the gradient of the class score with respect to every input pixel,
  computed by the network's own backward pass (:meth:`cnnhelpers.nn.Sequential.backward`): which
  pixels, changed a little, would change the score most.
* :func:`top_patches`: for each first-layer filter, the training patches that excite it most.
* :func:`misclassified`: the test digits the network gets wrong, with its probabilities.

:class:`NetworkViewsExplorer` shows the first two for a test digit picked with a slider.
"""

from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import nn
from .live import Experiment, LiveFigure
from .plotting import HIGHLIGHT, IMAGE_CMAP, SIGNED_CMAP

__all__ = ["occlusion_map", "saliency_map", "TopPatches", "top_patches", "misclassified", "show_top_patches",
           "show_misclassified", "NetworkViewsExplorer"]


def _as_image(image, name: str = "image") -> np.ndarray:
    image = np.asarray(image)
    image = image / 255.0 if image.dtype == np.uint8 else image.astype(np.float64)
    if image.ndim != 2:
        raise ValueError(f"{name} must be one 2-D image (H, W); got shape {image.shape}")
    return image


def _check_label(label) -> int:
    if not (isinstance(label, (int, np.integer)) and 0 <= label):
        raise ValueError(f"label must be a class index (an int >= 0); got {label!r}")
    return int(label)


def occlusion_map(model: nn.Sequential, image, label: int, *, patch: int = 6, stride: int = 2,
                  grey: float = 0.5) -> np.ndarray:
    """How much the probability of ``label`` drops when a grey square covers each part of ``image``.

    A ``patch`` x ``patch`` square of value ``grey`` slides over the image in steps of ``stride``;
    for each position the network classifies the covered digit. Each pixel gets the mean drop
    ``p(label | image) - p(label | covered image)`` over the positions that covered it.

    Parameters
    ----------
    model : Sequential
        A classifier of (N, 1, H, W) images.
    image : array (H, W)
        uint8 0-255 or floats in [0, 1].
    label : int
        The class whose probability is watched (the right answer).
    patch, stride : int
    grey : float
        The patch's value (0 = background, 1 = ink).

    Returns
    -------
    float64 array (H, W)
        Positive where covering hurts the right answer, negative where it helps.
    """
    image, label = _as_image(image), _check_label(label)
    height, width = image.shape
    if not (isinstance(patch, (int, np.integer)) and 1 <= patch <= min(height, width)):
        raise ValueError(f"patch must be an int from 1 to {min(height, width)}; got {patch!r}")
    if not (isinstance(stride, (int, np.integer)) and stride >= 1):
        raise ValueError(f"stride must be a positive int; got {stride!r}")
    tops = list(range(0, height - patch + 1, stride))
    lefts = list(range(0, width - patch + 1, stride))
    if tops[-1] != height - patch:  # reach the bottom and right edges too
        tops.append(height - patch)
    if lefts[-1] != width - patch:
        lefts.append(width - patch)
    covered = np.repeat(image[None], len(tops) * len(lefts), axis=0)  # (P, H, W), one per position
    for k, (top, left) in enumerate((t, s) for t in tops for s in lefts):
        covered[k, top:top + patch, left:left + patch] = grey
    probabilities = nn.predict(model, np.concatenate([image[None, None], covered[:, None]]))[:, label]
    drops = probabilities[0] - probabilities[1:]
    total, count = np.zeros_like(image), np.zeros_like(image)
    for drop, (top, left) in zip(drops, ((t, s) for t in tops for s in lefts), strict=True):
        total[top:top + patch, left:left + patch] += drop
        count[top:top + patch, left:left + patch] += 1
    return total / count


def saliency_map(model: nn.Sequential, image, label: int) -> np.ndarray:
    """The gradient of the score (logit) of ``label`` with respect to each pixel of ``image``.

    One forward pass, then the network's own backward pass from the output gradient
    ``[0, ..., 1 (at label), ..., 0]``: the same backpropagation that trains it, stopped at the input.

    Parameters
    ----------
    model : Sequential
    image : array (H, W)
    label : int

    Returns
    -------
    array (H, W), the model's dtype
        Large (either sign) where a small change of the pixel changes the score most.
    """
    image, label = _as_image(image), _check_label(label)
    training = [layer.training for layer in model.layers]
    model.eval()
    with nn.blas_threads(1):
        logits = model.forward(image[None, None])
        if label >= logits.shape[1]:
            raise ValueError(f"label must be below the number of classes, {logits.shape[1]}; got {label}")
        grad = np.zeros_like(logits)
        grad[0, label] = 1.0
        grad_input = model.backward(grad)
    for layer, mode in zip(model.layers, training, strict=True):
        layer.training = mode
    return grad_input[0, 0]


class TopPatches(NamedTuple):
    """For each first-layer filter, the training patches that excite it most, best first.

    Attributes
    ----------
    patches : (O, count, KH + 2*context, KW + 2*context)
        The pixels around each patch (``context`` extra pixels each side, zeros beyond the image).
    activations : (O, count)
        The filter's response (convolution plus bias) at the patch's centre.
    where : (O, count, 3) int
        (image index, row, column) of each response in the filter's output.
    context : int
    """

    patches: np.ndarray
    activations: np.ndarray
    where: np.ndarray
    context: int


def top_patches(model: nn.Sequential, images, *, count: int = 9, context: int = 3,
                batch_size: int = 500) -> TopPatches:
    """The ``count`` training patches that excite each filter of the first convolution most.

    Each image contributes at most one patch per filter (its strongest response), so the nine are
    nine different digits rather than nine neighbouring pixels of one.

    Parameters
    ----------
    model : Sequential
        Its first layer is a :class:`~cnnhelpers.nn.Conv2d` with one input channel and stride 1.
    images : array (N, H, W)
        uint8 0-255 or floats in [0, 1].
    count : int
    context : int
        Pixels of surroundings kept around each kernel-sized patch, to see where it lies in the digit.
    batch_size : int

    Returns
    -------
    TopPatches
    """
    conv = model.layers[0] if isinstance(model, nn.Sequential) and model.layers else None
    if not isinstance(conv, nn.Conv2d) or conv.in_channels != 1 or conv.stride not in (1, (1, 1)):
        raise ValueError("model's first layer must be a Conv2d with one input channel and stride 1")
    images = np.asarray(images)
    images = images / 255.0 if images.dtype == np.uint8 else images.astype(np.float64)
    if images.ndim != 3 or not 1 <= count <= len(images):
        raise ValueError(f"images must be (N, H, W) with N >= count ({count}); got shape {images.shape}")
    best_value = np.full((conv.out_channels, len(images)), -np.inf)
    best_place = np.zeros((conv.out_channels, len(images)), dtype=np.int64)
    for first in range(0, len(images), batch_size):
        batch = images[first:first + batch_size, None].astype(model.dtype)
        with nn.blas_threads(1):
            out = conv.forward(batch)  # (B, O, OH, OW)
        flat = out.reshape(len(batch), conv.out_channels, -1)
        best_place[:, first:first + len(batch)] = flat.argmax(axis=2).T
        best_value[:, first:first + len(batch)] = flat.max(axis=2).T
    out_width = out.shape[3]
    kh, kw = conv.kernel_size
    pad_top, pad_left = (out.shape[2] - images.shape[1] + kh - 1) // 2, (out_width - images.shape[2] + kw - 1) // 2
    margin = max(pad_top, pad_left) + context + max(kh, kw)
    padded = np.pad(images, ((0, 0), (margin, margin), (margin, margin)))
    chosen = np.argsort(-best_value, axis=1, kind="stable")[:, :count]  # (O, count) image indices
    patches = np.zeros((conv.out_channels, count, kh + 2 * context, kw + 2 * context))
    where = np.zeros((conv.out_channels, count, 3), dtype=np.int64)
    for o in range(conv.out_channels):
        for k, n in enumerate(chosen[o]):
            row, col = divmod(int(best_place[o, n]), out_width)
            where[o, k] = n, row, col
            top, left = margin + row - pad_top - context, margin + col - pad_left - context
            patches[o, k] = padded[n, top:top + kh + 2 * context, left:left + kw + 2 * context]
    activations = np.take_along_axis(best_value, chosen, axis=1)
    return TopPatches(patches, activations, where, context)


def misclassified(model: nn.Sequential, images, labels) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the images the network gets wrong, and its probabilities for them.

    Returns
    -------
    indices : int array (M,)
    probabilities : array (M, classes)
    """
    images = np.asarray(images)
    batch = images[:, None] / 255.0 if images.dtype == np.uint8 else images[:, None].astype(np.float64)
    labels = np.asarray(labels)
    if images.ndim != 3 or labels.shape != (len(images),):
        raise ValueError(f"images must be (N, H, W) with one label each; got shapes {images.shape} and {labels.shape}")
    probabilities = nn.predict(model, batch)
    wrong = np.flatnonzero(probabilities.argmax(axis=1) != labels)
    return wrong, probabilities[wrong]


# -- figures ---------------------------------------------------------------------------------------

def show_top_patches(result: TopPatches, weight: np.ndarray) -> Figure:
    """One row per filter: its 3x3 weights, then its best patches with the kernel's window outlined."""
    filters, count = result.activations.shape
    fig, axes = plt.subplots(filters, count + 1, figsize=(1.0 * (count + 1), 1.05 * filters),
                             gridspec_kw={"wspace": 0.08, "hspace": 0.12})
    axes = np.atleast_2d(axes)
    limit = float(np.abs(weight).max()) or 1.0
    kh, kw = weight.shape[-2:]
    for o in range(filters):
        axes[o, 0].imshow(weight[o, 0], cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
        axes[o, 0].set_ylabel(f"filter {o}", fontsize=10)
        for k in range(count):
            ax = axes[o, k + 1]
            ax.imshow(result.patches[o, k], cmap=IMAGE_CMAP, vmin=0, vmax=1)
            ax.add_patch(Rectangle((result.context - 0.5, result.context - 0.5), kw, kh, fill=False,
                                   edgecolor=HIGHLIGHT, linewidth=1.5))
        for ax in axes[o]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_title("weights", fontsize=10)
    axes[0, 1].set_title("most exciting", fontsize=10, loc="left")
    fig.suptitle("each first-layer filter and the nine training patches that excite it most (orange: its 3x3 window)",
                 fontsize=12)
    return fig


def show_misclassified(images, labels, indices, probabilities, *, ncols: int = 6) -> Figure:
    """Each wrong test digit above a bar chart of the network's ten probabilities (orange: its answer)."""
    images = np.asarray(images)
    count = len(indices)
    if count == 0:
        fig, ax = plt.subplots(figsize=(6, 1))
        ax.axis("off")
        ax.text(0.5, 0.5, "no misclassified digits", ha="center", va="center")
        return fig
    rows = -(-count // ncols)
    fig = plt.figure(figsize=(2.1 * ncols, 3.3 * rows))
    cells = fig.add_gridspec(rows, ncols, hspace=0.45, wspace=0.3)
    for k, (index, p) in enumerate(zip(indices, probabilities, strict=True)):
        digit_cell, bars_cell = cells[divmod(k, ncols)].subgridspec(2, 1, height_ratios=[1.4, 0.7], hspace=0.08)
        ax = fig.add_subplot(digit_cell)
        ax.imshow(images[index], cmap=IMAGE_CMAP)
        ax.set(xticks=[], yticks=[])
        ax.set_title(f"a {labels[index]}, said {p.argmax()}\n({p.max():.0%}; {labels[index]}: {p[labels[index]]:.0%})",
                     fontsize=10)
        bars = fig.add_subplot(bars_cell)
        bars.bar(range(len(p)), p, color=[HIGHLIGHT if c == p.argmax() else "#56B4E9" for c in range(len(p))])
        bars.set(ylim=(0, 1), xticks=range(len(p)), yticks=[])
        bars.tick_params(labelsize=7)
    fig.suptitle("the misclassified test digits and the network's probabilities", fontsize=13)
    return fig


class NetworkViewsExplorer(Experiment):
    """Pick a test digit: see it, its occlusion map and its saliency map for the right class.

    Parameters
    ----------
    model : Sequential
    images : array (N, H, W)
    labels : int array (N,)
    index : int
        The digit shown first.

    Examples
    --------
    >>> from cnnhelpers import nn
    >>> model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=0), nn.ReLU(), nn.Flatten(),
    ...                       nn.Linear(2 * 28 * 28, 10, rng=1))
    >>> views = NetworkViewsExplorer(model, np.zeros((3, 28, 28)), np.array([0, 1, 2]))
    >>> result = views.update(index=1, patch=6)
    >>> result["occlusion"].shape, result["saliency"].shape
    ((28, 28), (28, 28))
    """

    def __init__(self, model: nn.Sequential, images, labels, *, index: int = 0):
        super().__init__()
        images = np.asarray(images)
        self.images = images / 255.0 if images.dtype == np.uint8 else images.astype(np.float64)
        self.labels = np.asarray(labels)
        if self.images.ndim != 3 or self.labels.shape != (len(self.images),):
            raise ValueError(f"images must be (N, H, W) with one label each; got shapes {images.shape} "
                             f"and {self.labels.shape}")
        self.model = model
        style = {"description_width": "initial"}
        self.controls = {
            "index": widgets.IntSlider(value=index, min=0, max=len(self.images) - 1, description="test digit",
                                       style=style, continuous_update=False),
            "patch": widgets.IntSlider(value=6, min=2, max=14, step=2, description="grey patch (pixels)",
                                       style=style, continuous_update=False),
        }
        self.live = LiveFigure(figsize=(13, 4.4))
        axes = self.live.subplots(1, 3)
        self._axes = axes
        self._digit = axes[0].imshow(np.zeros(self.images.shape[1:]), cmap=IMAGE_CMAP, vmin=0, vmax=1)
        self._occlusion = axes[1].imshow(np.zeros(self.images.shape[1:]), cmap=SIGNED_CMAP, vmin=-1, vmax=1)
        self._saliency = axes[2].imshow(np.zeros(self.images.shape[1:]), cmap=SIGNED_CMAP, vmin=-1, vmax=1)
        self.live.figure.colorbar(self._occlusion, ax=axes[1], shrink=0.8, label="drop in probability")
        self.live.figure.colorbar(self._saliency, ax=axes[2], shrink=0.8, label="gradient (scaled to ±1)")
        for ax in axes:
            ax.set(xticks=[], yticks=[])

    def update(self, index: int, patch: int) -> dict:
        """Compute both maps for test digit ``index`` and redraw; returns them with the probabilities."""
        if not 0 <= int(index) < len(self.images):
            raise ValueError(f"index must lie in 0..{len(self.images) - 1}; got {index}")
        image, label = self.images[int(index)], int(self.labels[int(index)])
        probabilities = nn.predict(self.model, image[None, None])[0]
        occlusion = occlusion_map(self.model, image, label, patch=int(patch), stride=2)
        saliency = saliency_map(self.model, image, label)
        self._digit.set_data(image)
        said = int(probabilities.argmax())
        self._axes[0].set_title(f"a {label}; the network says {said} ({probabilities[said]:.0%})", fontsize=13)
        self._occlusion.set_data(occlusion)
        limit = max(float(np.abs(occlusion).max()), 1e-3)
        self._occlusion.set_clim(-limit, limit)
        self._axes[1].set_title(f"occlusion: covering here costs the {label}", fontsize=13)
        self._saliency.set_data(saliency / max(float(np.abs(saliency).max()), 1e-12))
        self._axes[2].set_title(f"saliency: d(score of {label}) / d(pixel)", fontsize=13)
        self.live.refresh()
        return {"image": image, "label": label, "probabilities": probabilities, "occlusion": occlusion,
                "saliency": saliency}
