"""Notebook 06 (a full CNN): its figures, computed numbers and slider experiments, in the notebook's order.

* the data and the training: :func:`show_digits`, :func:`show_learning_curves`,
  :func:`show_confusion_matrix`, and :class:`TrainingScrubber` with :func:`first_layer_snapshot`
  (watch the first layer's detectors form, epoch by epoch);
* what the first layer learned: :func:`best_matching_filters`, :func:`show_filters_vs_kernels`,
  :func:`show_layer_outputs` (one digit through every layer, :func:`detector_stages`);
* backprop at work: :func:`show_max_pool_gradient`, :func:`show_conv_input_gradient`;
* one kernel learned by gradient descent, random weights turning into Sobel: :func:`learn_kernel`
  records every step (:class:`KernelFit`), :class:`KernelDescent` is a slider over them;
* robustness: :func:`accuracy_under_moves`, :func:`show_robustness`, and
  :class:`ShiftRotateExplorer` (shift and rotate a digit, watch the probabilities,
  :func:`draw_probabilities`);
* what the network sees (section 12): :func:`occlusion_map`, :func:`saliency_map`,
  :func:`top_patches`, :func:`misclassified` and :class:`NetworkViewsExplorer`; the drawing pad
  of section 11 is shared with the draw-a-digit app, so it lives in :mod:`cnnhelpers.digit_pad`.

Colours follow the colour language of :mod:`cnnhelpers.plotting`: grey for digits, counts and
activations after ReLU (larger = brighter), the diverging map for signed weights and responses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .. import nn
from .._validate import count, describe, instance, labels, real_array, real_number, string, strings
from ..conv import conv2d, conv2d_backward, correlate2d
from ..data import shift_and_rotate
from ..images import load_image
from ..kernels import sobel_x
from ..live import Experiment, LiveFigure
from ..nn.layers import Conv2d, ReLU
from ..nn.losses import softmax
from ..nn.model import Sequential
from ..nn.training import blas_threads, evaluate
from ..plotting import (
    HIGHLIGHT,
    HIGHLIGHTS,
    IMAGE_CMAP,
    SIGNED_CMAP,
    UNSIGNED_CMAP,
    check_axes,
    color_scale,
    draw_grid,
    signed_norm,
)

__all__ = ["show_digits", "show_learning_curves", "show_confusion_matrix", "best_matching_filters",
           "best_matching_kernels", "STRONG_MATCH",
           "show_filters_vs_kernels", "show_layer_outputs", "show_max_pool_gradient", "show_conv_input_gradient",
           "draw_probabilities", "accuracy_under_moves", "show_robustness", "ShiftRotateExplorer", "TrainingScrubber",
           "first_layer_snapshot", "detector_stages", "KernelFit", "learn_kernel", "KernelDescent",
           "occlusion_map", "saliency_map", "TopPatches", "top_patches",
           "misclassified", "show_top_patches", "show_misclassified", "NetworkViewsExplorer"]


def _bare(ax):
    ax.set_xticks([])
    ax.set_yticks([])


def show_digits(images: np.ndarray, titles: Sequence[str] | None = None, *, ncols: int = 10, size: float = 1.5,
                suptitle: str | None = None, title_colors: Sequence[str] | None = None) -> Figure:
    """Digits ``(N, 28, 28)`` in a grid, each with an optional title.

    Returns
    -------
    fig : matplotlib Figure
    """
    images = real_array(images, "images", (3,), "(N, H, W)")
    number = len(images)
    ncols = max(1, min(count(ncols, "ncols"), number))
    size = real_number(size, "size", positive=True)
    titles, title_colors = labels(titles, "titles", number), strings(title_colors, "title_colors", number)
    suptitle = string(suptitle, "suptitle", optional=True)
    nrows = -(-number // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, (size + 0.45) * nrows), squeeze=False,
                             layout="constrained")
    for k, ax in enumerate(axes.flat):
        _bare(ax)
        if k >= number:
            ax.set_visible(False)
            continue
        ax.imshow(images[k], cmap=IMAGE_CMAP)
        if titles is not None:
            color = title_colors[k] if title_colors is not None else "black"
            ax.set_title(titles[k], fontsize=13, color=color)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def show_learning_curves(history, *, title: str = "learning curves") -> Figure:
    """Loss and accuracy per epoch, on the training batches and on the held-out data.

    Parameters
    ----------
    history : cnnhelpers.nn.History

    Returns
    -------
    fig : matplotlib Figure
    """
    instance(history, "history", nn.History, "a cnnhelpers.nn.History (what fit returns)")
    title = string(title, "title")
    epochs = np.arange(1, history.epochs + 1)
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained")
    loss_ax.plot(epochs, history.loss, "o-", label="training (during the epoch)")
    acc_ax.plot(epochs, history.accuracy, "o-", label="training (during the epoch)")
    if history.val_loss:
        loss_ax.plot(epochs, history.val_loss, "s--", label="held-out test images")
        acc_ax.plot(epochs, history.val_accuracy, "s--", label="held-out test images")
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss (lower is better)")
    acc_ax.set(xlabel="epoch", ylabel="accuracy", title="accuracy (higher is better)")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        ax.set_xticks(epochs)
        ax.legend()
    fig.suptitle(title)
    return fig


def show_confusion_matrix(counts: np.ndarray, *, title: str = "confusion matrix (test images)") -> Figure:
    """Counts ``(K, K)`` with rows = true digit and columns = predicted digit, each cell annotated.

    The mistakes are grey by how many they are (black: none, white: the most); the diagonal
    (correct answers, not on that scale) is drawn in a highlight colour.

    Returns
    -------
    fig : matplotlib Figure
    """
    from matplotlib.ticker import MaxNLocator

    counts = real_array(counts, "counts", (2,), "(K, K)")
    if counts.shape[0] != counts.shape[1] or counts.size == 0:
        raise ValueError(f"counts must be a square (K, K) array with K >= 1; got shape {counts.shape}")
    title = string(title, "title")
    fig, ax = plt.subplots(figsize=(8.5, 7.5), layout="constrained")
    mistakes = np.where(np.eye(len(counts), dtype=bool), np.nan, counts.astype(float))
    cmap = plt.get_cmap(UNSIGNED_CMAP).with_extremes(bad=HIGHLIGHTS[1])
    image = ax.imshow(mistakes, cmap=cmap, vmin=0, vmax=max(1.0, float(np.nanmax(mistakes))))
    for (i, j), value in np.ndenumerate(counts):
        if i == j:
            ax.text(j, i, str(value), ha="center", va="center", fontsize=12, color="black")
        elif value:
            light = image.norm(value) > 0.45
            ax.text(j, i, str(value), ha="center", va="center", fontsize=14, fontweight="bold",
                    color="black" if light else "white")
    ax.set(xlabel="predicted digit", ylabel="true digit", title=title,
           xticks=range(len(counts)), yticks=range(len(counts)))
    bar = fig.colorbar(image, ax=ax, shrink=0.8, label="mistakes (the diagonal, correct, in blue)")
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def best_matching_filters(weight: np.ndarray, named_kernels: dict[str, np.ndarray]) -> list[tuple[str, int, float]]:
    """For each hand-made kernel, the learned filter with the most similar pattern.

    Similarity is the cosine of the angle between the two kernels after subtracting each one's
    mean (the mean only shifts the response, like a bias): 1 = the same pattern up to scale.

    Parameters
    ----------
    weight : array (O, 1, KH, KW)
        First-layer filters.
    named_kernels : dict of name -> (KH, KW) array

    Returns
    -------
    list of (name, filter index, similarity in [-1, 1])
    """
    similarity = _similarities(weight, named_kernels)  # (O, K)
    return [(name, int(np.argmax(similarity[:, k])), float(similarity[:, k].max()))
            for k, name in enumerate(named_kernels)]


def _similarities(weight, named_kernels: dict[str, np.ndarray]) -> np.ndarray:
    """Cosine similarity of every filter's mean-free pattern with every kernel's, shape (O, K)."""
    def unit_patterns(rows):
        centred = rows - rows.mean(axis=1, keepdims=True)
        return centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12)

    weight, named_kernels = _check_filters(weight, named_kernels)
    filters = unit_patterns(weight.reshape(len(weight), -1))
    kernels = unit_patterns(np.stack([k.ravel() for k in named_kernels.values()]))
    return filters @ kernels.T


def _check_filters(weight, named_kernels) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``weight`` (O, 1, KH, KW) as floats, and a non-empty dict of name -> (KH, KW) kernel."""
    weight = real_array(weight, "weight", (4,), "(O, 1, KH, KW)")
    if weight.shape[0] == 0 or weight.shape[1] != 1:
        raise ValueError(f"weight must be first-layer filters (O, 1, KH, KW) with O >= 1; got shape {weight.shape}")
    if not isinstance(named_kernels, dict) or not named_kernels:
        raise TypeError(f"named_kernels must be a non-empty dict of name -> (KH, KW) array; "
                        f"got {describe(named_kernels)}")
    kernels = {}
    for name, kernel in named_kernels.items():
        kernels[name] = real_array(kernel, f"named_kernels[{name!r}]")
        if kernels[name].shape != weight.shape[2:]:
            raise ValueError(f"named_kernels[{name!r}] must have the filters' shape {weight.shape[2:]}; "
                             f"got {kernels[name].shape}")
    return weight, kernels


def best_matching_kernels(weight: np.ndarray, named_kernels: dict[str, np.ndarray]) -> list[tuple[int, str, float]]:
    """For each learned filter, the hand-made kernel with the most similar pattern.

    Arguments and similarity as in :func:`best_matching_filters` (cosine of the mean-free weights).

    Returns
    -------
    list of O (filter index, kernel name, similarity)

    Examples
    --------
    >>> weight = np.array([[[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]], dtype=float)
    >>> best_matching_kernels(weight, {"flat": np.eye(3), "edge": np.array([[-1, 0, 1]] * 3)})
    [(0, 'edge', 0.94)]
    """
    names = list(named_kernels)
    return [(o, names[int(np.argmax(row))], float(row.max()))
            for o, row in enumerate(_similarities(weight, named_kernels))]


STRONG_MATCH = 0.65  # similarity (rounded to 2 digits) from which a learned filter is "like" a hand-made kernel


def show_filters_vs_kernels(weight: np.ndarray, named_kernels: dict[str, np.ndarray], digit: np.ndarray) -> Figure:
    """Every learned first-layer filter, its response to one digit, and its best-matching hand-made kernel.

    Columns: the learned filters (two groups of rows when there are more than six). Rows of a group:
    the learned filter, its response to ``digit``, and the most similar hand-made kernel with the
    similarity (:func:`best_matching_kernels`); a match of at least :data:`STRONG_MATCH` is titled
    "like", a weaker one "weak match".

    Returns
    -------
    fig : matplotlib Figure
    """
    weight, named_kernels = _check_filters(weight, named_kernels)
    matches = best_matching_kernels(weight, named_kernels)
    digit = real_array(digit, "digit", (2,), "(H, W)")
    count = len(matches)
    ncols = min(count, 6)
    groups = -(-count // ncols)
    fig, axes = plt.subplots(3 * groups, ncols, figsize=(2.7 * ncols, 8.6 * groups), layout="constrained",
                             squeeze=False)
    for ax in axes.flat:
        ax.set_visible(False)
    for index, name, similarity in matches:
        group, col = divmod(index, ncols)
        learned_ax, response_ax, kernel_ax = axes[3 * group:3 * group + 3, col]
        for ax in (learned_ax, response_ax, kernel_ax):
            ax.set_visible(True)
        learned = weight[index, 0]
        draw_grid(learned_ax, np.round(learned, 2), title=f"learned filter {index}", fmt="{:.2f}", fontsize=10)
        response = correlate2d(digit, learned, padding=1)
        response_ax.imshow(response, **color_scale(response, kernel=learned).kwargs)
        response_ax.set_title("its response", fontsize=11)
        _bare(response_ax)
        verdict = "like" if round(similarity, 2) >= STRONG_MATCH else "weak match:"
        draw_grid(kernel_ax, named_kernels[name], title=f"{verdict} {name}\nsimilarity {similarity:.2f}",
                  fontsize=11)
    fig.suptitle("every filter the first layer learned (top), its response to a digit, and the most similar\n"
                 f"hand-made kernel (bottom; similarity 1 = the same pattern, below {STRONG_MATCH} a weak match)")
    return fig


def show_layer_outputs(model, digit: np.ndarray, *, gap: int = 3, width: int = 28) -> Figure:
    """One digit through every layer: a row of feature maps per layer, then the class probabilities.

    Every map is enlarged to ``width`` pixels (a 7x7 map by 4, each pixel a visible block), so the
    small maps of the later layers can be read; the labels on the left give the true sizes. Each
    row has its own colour scale in the colour language: signed rows (a convolution's output) red
    positive, blue negative, white zero; unsigned rows (after ReLU and pooling) grey, black zero.

    Parameters
    ----------
    model : Sequential
    digit : array (1, H, W)
        One input image, scaled as the network expects.
    gap : int
        Pixels between maps.
    width : int
        Pixels per map in the picture.

    Returns
    -------
    fig : matplotlib Figure
    """
    _check_model(model)
    digit = real_array(digit, "digit", (3,), "(1, H, W)")
    gap, width = count(gap, "gap", minimum=0, maximum=100), count(width, "width", maximum=1000)
    outputs = model.feature_maps(digit[None])
    rows = [("input", digit)] + [(name, out[0]) for name, out in outputs if out.ndim == 4]
    columns = max(len(maps) for _, maps in rows)
    canvas_width = columns * (width + gap)
    blocks, labels, top = [], [], 0
    for name, maps in rows:
        h, w = maps.shape[1:]
        zoom = max(1, width // w)
        colors = color_scale(maps).rgba(maps)  # (C, h, w, 4), one scale per row
        block = np.ones((h * zoom + 2 * gap, canvas_width, 4))
        for c, rgba in enumerate(colors):
            left = c * (width + gap)
            block[gap:gap + h * zoom, left:left + w * zoom] = rgba.repeat(zoom, 0).repeat(zoom, 1)
        blocks.append(block)
        labels.append((top + gap + h * zoom / 2, f"{name}  {'×'.join(map(str, maps.shape))}"))
        top += block.shape[0]
    canvas = np.concatenate(blocks)
    height = canvas.shape[0]
    fig, (maps_ax, bars_ax) = plt.subplots(2, 1, figsize=(16, 16 * height / canvas_width + 3.6),
                                           layout="constrained",
                                           gridspec_kw={"height_ratios": [16 * height / canvas_width, 3.2]})
    maps_ax.imshow(canvas, interpolation="nearest")
    maps_ax.set_yticks([y for y, _ in labels], [label for _, label in labels], fontsize=13)
    maps_ax.set_xticks([])
    for side in maps_ax.spines.values():
        side.set_visible(False)
    maps_ax.set_title("one digit through every layer (maps enlarged to one width; each row on its own scale:\n"
                      "signed rows red +, blue -, white 0; rows after ReLU grey, black 0)")
    draw_probabilities(bars_ax, softmax(outputs[-1][1])[0])
    return fig


def draw_probabilities(ax, probabilities: np.ndarray, *, highlight: int | None = None):
    """A bar chart of the ten class probabilities; the most probable bar (or ``highlight``) in orange.

    Returns
    -------
    The bar container.
    """
    check_axes(ax)
    probabilities = real_array(probabilities, "probabilities", (1,), "(classes,)")
    if len(probabilities) == 0:
        raise ValueError("probabilities must hold at least one class; got an empty array")
    best = int(np.argmax(probabilities)) if highlight is None else count(highlight, "highlight", minimum=0,
                                                                          maximum=len(probabilities) - 1)
    colors = [HIGHLIGHT if k == best else "#56B4E9" for k in range(len(probabilities))]
    bars = ax.bar(range(len(probabilities)), probabilities, color=colors)
    ax.set(xticks=range(len(probabilities)), ylim=(0, 1.05), xlabel="digit", ylabel="probability")
    ax.set_title(f"prediction: {best} ({probabilities[best]:.0%})")
    return bars


def show_max_pool_gradient(x: np.ndarray, grad_out: np.ndarray, grad_x: np.ndarray, kernel_size: int = 2) -> Figure:
    """Where a max-pool sends its gradient: input with each window's maximum outlined, upstream, result.

    A window whose maximum is tied (two equal largest values) has no derivative there; like
    PyTorch, :func:`cnnhelpers.max_pool2d_backward` gives the whole gradient to the first maximum
    in row-major (reading) order. The figure outlines that one in orange, the other tied maxima
    dotted, and says so in its title.

    Returns
    -------
    fig : matplotlib Figure
    """
    x, grad_out, grad_x = (real_array(a, name, (2,), "(H, W)")
                           for a, name in ((x, "x"), (grad_out, "grad_out"), (grad_x, "grad_x")))
    kernel_size = count(kernel_size, "kernel_size")
    pooled = (x.shape[0] // kernel_size, x.shape[1] // kernel_size)
    if grad_out.shape != pooled or grad_x.shape != x.shape or 0 in pooled:
        raise ValueError(f"for x of shape {x.shape} and kernel_size {kernel_size}, grad_out must have shape "
                         f"{pooled} (not empty) and grad_x {x.shape}; got {grad_out.shape} and {grad_x.shape}")
    fig, axes = plt.subplots(1, 3, figsize=(15, 5.6), layout="constrained",
                             gridspec_kw={"width_ratios": [x.shape[1], grad_out.shape[1], x.shape[1]]})
    draw_grid(axes[0], x, title="input x (maxima outlined)", signed=False)
    ties = 0
    for i in range(grad_out.shape[0]):
        for j in range(grad_out.shape[1]):
            window = x[i * kernel_size:(i + 1) * kernel_size, j * kernel_size:(j + 1) * kernel_size]
            maxima = np.argwhere(window == window.max())  # row-major order: the first one gets the gradient
            for u, v in maxima[1:]:
                _outline_cell(axes[0], i * kernel_size + u, j * kernel_size + v, linestyle=":")
            u, v = maxima[0]
            _outline_cell(axes[0], i * kernel_size + u, j * kernel_size + v)
            ties += len(maxima) > 1
    draw_grid(axes[1], grad_out, title="gradient from above")
    draw_grid(axes[2], grad_x, title="gradient sent to x")
    for ax in (axes[0], axes[2]):
        for k in range(kernel_size, x.shape[0], kernel_size):
            ax.axhline(k - 0.5, color=HIGHLIGHTS[4], linewidth=3.5)
            ax.axvline(k - 0.5, color=HIGHLIGHTS[4], linewidth=3.5)
    title = f"max pooling {kernel_size}x{kernel_size}: each window passes its gradient to its maximum only"
    if ties:
        title += ("\na tie (dotted: an equal maximum) has no derivative; the gradient goes to the first maximum "
                  "in reading order, as in PyTorch")
    fig.suptitle(title)
    return fig


def _outline_cell(ax, row: int, col: int, color: str = HIGHLIGHT, linestyle: str = "-") -> None:
    """Outline one cell of a :func:`~cnnhelpers.plotting.draw_grid` picture."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=color, linewidth=4,
                           linestyle=linestyle))


def show_conv_input_gradient(grad_out: np.ndarray, kernel: np.ndarray, grad_x: np.ndarray) -> Figure:
    """The input gradient of a convolution as a full correlation of the upstream gradient with the flipped kernel.

    Returns
    -------
    fig : matplotlib Figure
    """
    grad_out, kernel, grad_x = (real_array(a, name, (2,), "(H, W)") for a, name in
                                ((grad_out, "grad_out"), (kernel, "kernel"), (grad_x, "grad_x")))
    full = (grad_out.shape[0] + kernel.shape[0] - 1, grad_out.shape[1] + kernel.shape[1] - 1)
    if grad_x.shape != full or 0 in grad_out.shape + kernel.shape:
        raise ValueError(f"grad_x must have shape {full} (grad_out's plus the kernel's, minus 1), none empty; "
                         f"got grad_out {grad_out.shape}, kernel {kernel.shape}, grad_x {grad_x.shape}")
    kh, kw = kernel.shape
    padded = np.pad(grad_out, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.8), layout="constrained",
                             gridspec_kw={"width_ratios": [kw, padded.shape[1], kw, grad_x.shape[1]]})
    draw_grid(axes[0], kernel, title="kernel K", signed=True)
    draw_grid(axes[1], padded, title="gradient from above,\npadded 'full'", highlight=(0, 0, kh, kw))
    draw_grid(axes[2], kernel[::-1, ::-1], title="K flipped\n(both axes)", signed=True)
    draw_grid(axes[3], np.asarray(grad_x, float), title="gradient sent to x")
    fig.suptitle("input gradient = full correlation of the upstream gradient with the flipped kernel")
    return fig


# -- one kernel learned by gradient descent: the bridge from hand-made kernels to a trained network ------------------
#
# Take a photograph and its Sobel-filtered version (the target); start from random weights w; repeat
#
#     out  = conv2d(image, w)                         # the forward pass
#     loss = mean((out - target)**2)
#     grad = conv2d_backward(2 * (out - target) / out.size, image, w)[1]
#     w    = w - lr * grad   (with momentum)
#
# and the loss falls by orders of magnitude while w becomes the Sobel kernel: the only kernel that
# reproduces the target. learn_kernel records every step; KernelDescent is a slider over them.


@dataclass(frozen=True)
class KernelFit:
    """Every step of :func:`learn_kernel`.

    Attributes
    ----------
    image : array (H, W)
        The photograph, standardised (mean 0, standard deviation 1).
    target : array (H-KH+1, W-KW+1)
        ``image`` filtered with ``target_kernel``.
    target_kernel : array (KH, KW)
    kernels : array (steps + 1, KH, KW)
        The weights before the first step and after each step.
    losses : array (steps + 1,)
        The mean squared error of each of those kernels.
    """

    image: np.ndarray
    target: np.ndarray
    target_kernel: np.ndarray
    kernels: np.ndarray
    losses: np.ndarray

    @property
    def steps(self) -> int:
        return len(self.losses) - 1

    def output(self, step: int) -> np.ndarray:
        """The image filtered with the kernel of ``step``, (H-KH+1, W-KW+1)."""
        step = count(step, "step", minimum=0, maximum=self.steps)
        return conv2d(self.image[None, None], self.kernels[step][None, None])[0, 0]


def learn_kernel(image=None, target_kernel=sobel_x, *, steps: int = 300, lr: float = 0.05, momentum: float = 0.9,
                 seed: int = 0) -> KernelFit:
    """Fit random weights by gradient descent until convolving ``image`` reproduces its filtered version.

    The image is standardised first (mean 0, standard deviation 1): then every pixel of the 3x3
    patches has variance 1 and one learning rate suits every photograph. Plain gradient descent
    crawls along the directions in which neighbouring pixels move together (photographs are
    smooth); momentum (the heavy ball: each step keeps ``momentum`` of the last one) gets through
    them in a few hundred steps.

    Parameters
    ----------
    image : array (H, W), optional
        Default: the coins photograph, 48 pixels high.
    target_kernel : array (KH, KW)
        The kernel to rediscover (Sobel x by default).
    steps : int
        Gradient steps.
    lr : float
        Learning rate.
    momentum : float
        From 0 (plain gradient descent) to below 1.
    seed : int
        For the random starting weights (standard normal, times 0.5).

    Returns
    -------
    KernelFit

    Examples
    --------
    >>> fit = learn_kernel()
    >>> fit.kernels[-1].round(2) + 0.0  # + 0.0 turns -0.0 into 0.0
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    >>> bool(fit.losses[-1] < 1e-6 * fit.losses[0])
    True
    """
    image = load_image("coins", size=48) if image is None else real_array(image, "image", (2,), "(H, W)")
    kernel = real_array(target_kernel, "target_kernel", (2,), "(KH, KW)").astype(float)
    image = image.astype(float)
    steps = count(steps, "steps", maximum=100_000)
    lr = real_number(lr, "lr", minimum=0)
    momentum = real_number(momentum, "momentum", minimum=0, below=1)
    seed = count(seed, "seed", minimum=0)
    if not np.isfinite(image).all() or not np.isfinite(kernel).all():
        raise ValueError("image and target_kernel must hold finite numbers (no NaN or inf)")
    if image.std() == 0:
        raise ValueError("image must not be constant: there would be nothing to learn from")
    image = (image - image.mean()) / image.std()
    x = image[None, None]  # (N=1, C=1, H, W): conv2d's layout
    target = conv2d(x, kernel[None, None])
    w = np.random.default_rng(seed).standard_normal((1, 1, *kernel.shape)) * 0.5  # (O=1, C=1, KH, KW)
    velocity = np.zeros_like(w)
    kernels, losses = [], []
    for step in range(steps + 1):
        error = conv2d(x, w) - target
        kernels.append(w[0, 0].copy())
        losses.append(float(np.mean(error ** 2)))
        if step == steps:
            break
        _, grad_w, _ = conv2d_backward(2 * error / error.size, x, w)  # d loss / d w
        velocity = momentum * velocity - lr * grad_w
        w = w + velocity
    return KernelFit(image, target[0, 0], kernel, np.array(kernels), np.array(losses))


_TITLE_SIZE = 14  # four panels side by side: smaller than the lecture style's titles


class KernelDescent(Experiment):
    """A slider over the steps of :func:`learn_kernel`: the kernel, its output, the target, the loss.

    Parameters
    ----------
    fit : KernelFit, optional
        Default: ``learn_kernel()``.

    Examples
    --------
    >>> descent = KernelDescent(learn_kernel(steps=20))
    >>> result = descent.update(step=20)
    >>> result["kernel"].shape, result["output"].shape == result["target"].shape
    ((3, 3), True)
    """

    def __init__(self, fit: KernelFit | None = None):
        super().__init__()
        self.fit = learn_kernel() if fit is None else instance(fit, "fit", KernelFit,
                                                                 "a KernelFit (what learn_kernel returns) or None")
        self.controls = {"step": widgets.IntSlider(value=0, min=0, max=self.fit.steps, description="step")}
        self.live = LiveFigure(figsize=(15, 4.2))
        axes = self.live.subplots(1, 4, gridspec_kw={"width_ratios": [1.1, 1.4, 1.4, 1.6]})
        self._ax_kernel, self._ax_out, self._ax_target, self._ax_loss = axes
        limit = float(np.percentile(np.abs(self.fit.target), 99.5)) or 1.0  # output and target share colours
        self._out = self._ax_out.imshow(self.fit.output(0), cmap=SIGNED_CMAP, norm=signed_norm([-limit, limit]))
        self._ax_target.imshow(self.fit.target, cmap=SIGNED_CMAP, norm=signed_norm([-limit, limit]))
        self._ax_target.set_title("target: the photo filtered\nwith Sobel", fontsize=_TITLE_SIZE)
        for ax in (self._ax_out, self._ax_target):
            ax.set_xticks([])
            ax.set_yticks([])
        steps = np.arange(self.fit.steps + 1)
        self._ax_loss.semilogy(steps, self.fit.losses, color="#0072B2")
        self._marker, = self._ax_loss.semilogy([0], [self.fit.losses[0]], "o", color="#E69F00", markersize=9)
        self._ax_loss.set_xlabel("step")
        self._ax_loss.set_ylabel("mean squared error")
        self._ax_loss.grid(True, which="major", alpha=0.3)

    def update(self, step: int) -> dict:
        """Show the kernel, its output and the loss after ``step`` gradient steps.

        Returns
        -------
        dict
            ``kernel`` (3, 3), ``output`` and ``target`` (H-2, W-2), ``loss`` (float).
        """
        step = count(step, "step", minimum=0, maximum=self.fit.steps)
        kernel, output, loss = self.fit.kernels[step], self.fit.output(step), float(self.fit.losses[step])
        error = float(np.abs(kernel - self.fit.target_kernel).max())
        when = "random start" if step == 0 else f"after {step} steps"
        draw_grid(self._ax_kernel, np.round(kernel, 2) + 0.0, fmt="{:.2f}", signed=True, fontsize=14)  # no "-0.00"
        self._ax_kernel.set_title(f"kernel, {when}\nfarthest from Sobel: {error:.2g}", fontsize=_TITLE_SIZE)
        self._out.set_data(output)
        self._ax_out.set_title("output: the photo filtered\nwith this kernel", fontsize=_TITLE_SIZE)
        self._marker.set_data([step], [loss])
        self._ax_loss.set_title(f"loss (log scale): {loss:.2g}", fontsize=_TITLE_SIZE)
        self.live.refresh()
        return {"kernel": kernel, "output": output, "target": self.fit.target, "loss": loss}


def accuracy_under_moves(model, images: np.ndarray, labels: np.ndarray, *, shifts: Sequence[float] = (),
                         angles: Sequence[float] = ()) -> dict[str, dict[float, float]]:
    """Test accuracy when every image is shifted right by each of ``shifts`` or turned by each of ``angles``.

    Parameters
    ----------
    model : Sequential
    images : array (N, H, W)
        uint8 (0-255) or floats in [0, 1].
    labels : int array (N,)
    shifts : sequence of float
        Pixels to the right.
    angles : sequence of float
        Degrees anticlockwise.

    Returns
    -------
    dict
        ``{"shift": {pixels: accuracy}, "angle": {degrees: accuracy}}``
    """

    _check_model(model)
    images, labels = _digits_and_labels(images, labels)
    moves = {"shift": _numbers(shifts, "shifts"), "angle": _numbers(angles, "angles")}
    results: dict[str, dict[float, float]] = {"shift": {}, "angle": {}}
    for kind, values in moves.items():
        for value in values:
            moves = {"dx": value} if kind == "shift" else {"angle": value}
            moved = np.stack([shift_and_rotate(image, **moves) for image in images])[:, None]
            results[kind][value] = evaluate(model, moved, labels)[1]
    return results


def show_robustness(results: dict[str, dict[float, float]]) -> Figure:
    """Accuracy against shift and against rotation, from :func:`accuracy_under_moves`.

    Returns
    -------
    fig : matplotlib Figure
    """
    for kind in ("shift", "angle"):
        if not isinstance(results, dict) or not isinstance(results.get(kind), dict):
            raise TypeError(f"results must be accuracy_under_moves' dict, with dicts under 'shift' and 'angle'; "
                            f"got {describe(results)}")
        for value, accuracy in results[kind].items():
            real_number(value, f"a key of results[{kind!r}]")
            real_number(accuracy, f"results[{kind!r}][{value!r}]")
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.6), layout="constrained", sharey=True)
    for ax, kind, unit in ((axes[0], "shift", "shift to the right (pixels)"),
                           (axes[1], "angle", "rotation (degrees, anticlockwise)")):
        values = results[kind]
        ax.plot(list(values), list(values.values()), "o-", color="#0072B2")
        ax.set(xlabel=unit, title=f"accuracy under {kind}", ylim=(0, 1.02))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("test accuracy")
    return fig


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
    _check_model(model)
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
    digit = real_array(digit, "digit", (3,), "(1, H, W)")

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
        self.images, self.labels = _digits_and_labels(images, labels)
        self.model = _check_model(model)
        index = count(index, "index", minimum=0, maximum=len(self.images) - 1)
        self.stages = detector_stages(model)[:2]
        style = {"description_width": "initial"}
        self.controls = {
            "index": widgets.IntSlider(value=index, min=0, max=len(self.images) - 1, description="test image",
                                       style=style, continuous_update=True),
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
        self._bars = draw_probabilities(self._bars_ax, np.full(10, 0.1))
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
        index = count(index, "index", minimum=0, maximum=len(self.images) - 1)
        dx, dy, angle = (real_number(v, name) for v, name in ((dx, "dx"), (dy, "dy"), (angle, "angle")))
        image = shift_and_rotate(self.images[index], dx=dx, dy=dy, angle=angle)
        with blas_threads(1):  # one small image: threads would only wait for each other
            outputs = self.model.feature_maps(image[None, None])
        probabilities = softmax(outputs[-1][1])[0]
        return {"image": image, "probabilities": probabilities, "prediction": int(np.argmax(probabilities)),
                "label": int(self.labels[index]), "maps": [outputs[k][1][0] for k in self.stages],
                "moves": (dx, dy, angle)}

    def update(self, index: int, dx: float, dy: float, angle: float) -> dict:
        """Compute and redraw; returns :meth:`compute`'s dict."""
        result = self.compute(index, dx, dy, angle)
        self._digit.set_data(result["image"])
        verdict = "right" if result["prediction"] == result["label"] else "WRONG"
        dx, dy, angle = result["moves"]
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
        self.snapshots, self.accuracies = _check_snapshots(snapshots, accuracies)
        snapshots = self.snapshots
        self.controls = {"epoch": widgets.IntSlider(value=len(snapshots) - 1, min=0, max=len(snapshots) - 1,
                                                    description="after epoch", style={"description_width": "initial"},
                                                    continuous_update=True)}  # a step only swaps arrays: fast
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
        epoch = count(epoch, "epoch", minimum=0, maximum=len(self.snapshots) - 1)
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


def _check_snapshots(snapshots, accuracies) -> tuple[list[dict], list[float] | None]:
    """Snapshots of first_layer_snapshot: dicts of (O, 1, KH, KW) filters and (O, H, W) maps, all alike."""
    expected = ("snapshots must be a non-empty list of dicts with 'filters' and 'maps' "
                "(fit(..., snapshot=first_layer_snapshot(digit)))")
    if not isinstance(snapshots, (list, tuple)) or not snapshots:
        raise ValueError(f"{expected}; got {describe(snapshots)}")
    checked, shapes = [], None
    for e, shot in enumerate(snapshots):
        if not isinstance(shot, dict) or not {"filters", "maps"} <= set(shot):
            raise ValueError(f"{expected}; entry {e} is {describe(shot)}")
        filters = real_array(shot["filters"], f"snapshots[{e}]['filters']", (4,), "(O, C, KH, KW)")
        maps = real_array(shot["maps"], f"snapshots[{e}]['maps']", (3,), "(O, H, W)")
        shapes = shapes or (filters.shape, maps.shape)
        if (filters.shape, maps.shape) != shapes or len(maps) != len(filters) or len(filters) == 0:
            raise ValueError(f"every snapshot must hold as many maps as filters (at least one), all of the same "
                             f"shapes; snapshot {e} has filters {filters.shape} and maps {maps.shape}")
        checked.append(shot)
    if accuracies is not None:
        if not isinstance(accuracies, (list, tuple, np.ndarray)) or len(accuracies) < len(checked) - 1:
            raise TypeError(f"accuracies must be None or one number per epoch ({len(checked) - 1}); "
                            f"got {describe(accuracies)}")
        accuracies = [real_number(a, "accuracies[...]") for a in accuracies]
    return checked, accuracies


def _check_model(model) -> Sequential:
    return instance(model, "model", Sequential, "a cnnhelpers.nn.Sequential")


def _digits_and_labels(images, labels) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, H, W), uint8 or floats in [0, 1], as floats, and N integer labels; N >= 1."""
    images = _unit_images(images, "images", (3,), "(N, H, W)")
    labels = np.asarray(labels) if not isinstance(labels, np.ma.MaskedArray) else labels.filled(-1)
    if labels.dtype == np.bool_ or labels.dtype.kind not in "iu" or labels.shape != (len(images),) or not len(images):
        raise ValueError(f"images must be (N, H, W) with N >= 1 and one integer label each; got shapes "
                         f"{images.shape} and {describe(labels)}")
    return images, labels


def _numbers(values, name: str) -> list[float]:
    """A sequence of finite numbers as a list: Python numbers as given (dict keys), NumPy ones as floats."""
    if not isinstance(values, (list, tuple, range, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of numbers; got {describe(values)}")
    checked = [real_number(value, f"{name}[{k}]") for k, value in enumerate(values)]
    return [value if type(value) in (int, float) else number for value, number in zip(values, checked, strict=True)]


# -- Section 12: what the network sees ------------------------------------------------------------------


def _unit_images(images, name: str, ndim: tuple[int, ...], layout: str) -> np.ndarray:
    """Pixels as float64: uint8 images divided by 255, others as they are."""
    array = real_array(images, name, ndim, layout)
    return array / 255.0 if np.asarray(images).dtype == np.uint8 else array.astype(np.float64)


def _as_image(image, name: str = "image") -> np.ndarray:
    return _unit_images(image, name, (2,), "(H, W), one image")


def _check_label(label) -> int:
    return count(label, "label", minimum=0)


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
    _check_model(model)
    image, label = _as_image(image), _check_label(label)
    height, width = image.shape
    patch = count(patch, "patch", maximum=max(1, min(height, width)))
    stride = count(stride, "stride")
    grey = real_number(grey, "grey")
    tops = list(range(0, height - patch + 1, stride))
    lefts = list(range(0, width - patch + 1, stride))
    if tops[-1] != height - patch:  # reach the bottom and right edges too
        tops.append(height - patch)
    if lefts[-1] != width - patch:
        lefts.append(width - patch)
    covered = np.repeat(image[None], len(tops) * len(lefts), axis=0)  # (P, H, W), one per position
    for k, (top, left) in enumerate((t, s) for t in tops for s in lefts):
        covered[k, top:top + patch, left:left + patch] = grey
    probabilities = nn.predict(model, np.concatenate([image[None, None], covered[:, None]]))
    if label >= probabilities.shape[1]:
        raise ValueError(f"label must be below the number of classes, {probabilities.shape[1]}; got {label}")
    probabilities = probabilities[:, label]
    drops = probabilities[0] - probabilities[1:]
    total, covers = np.zeros_like(image), np.zeros_like(image)
    for drop, (top, left) in zip(drops, ((t, s) for t in tops for s in lefts), strict=True):
        total[top:top + patch, left:left + patch] += drop
        covers[top:top + patch, left:left + patch] += 1
    return total / covers


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
    _check_model(model)
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
    images, count, context, batch_size = _check_top_patches(images, count, context, batch_size)
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


def _check_top_patches(images, number, context, batch_size) -> tuple[np.ndarray, int, int, int]:
    images = _unit_images(images, "images", (3,), "(N, H, W)")
    if not len(images):
        raise ValueError("images must hold at least one image; got none")
    return (images, count(number, "count", maximum=len(images)), count(context, "context", minimum=0, maximum=100),
            count(batch_size, "batch_size"))


def misclassified(model: nn.Sequential, images, labels) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the images the network gets wrong, and its probabilities for them.

    Returns
    -------
    indices : int array (M,)
    probabilities : array (M, classes)
    """
    _check_model(model)
    images, labels = _digits_and_labels(images, labels)
    probabilities = nn.predict(model, images[:, None])
    wrong = np.flatnonzero(probabilities.argmax(axis=1) != labels)
    return wrong, probabilities[wrong]


# -- figures ---------------------------------------------------------------------------------------

def show_top_patches(result: TopPatches, weight: np.ndarray) -> Figure:
    """One row per filter: its 3x3 weights, then its best patches with the kernel's window outlined."""
    instance(result, "result", TopPatches, "a TopPatches (what top_patches returns)")
    weight = real_array(weight, "weight", (4,), "(O, 1, KH, KW)")
    filters, count = result.activations.shape
    if len(weight) < filters or count == 0:
        raise ValueError(f"weight must hold the {filters} filters of result, and result at least one patch; "
                         f"got weight of shape {weight.shape} and {count} patches")
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
    images, labels = _digits_and_labels(images, labels)
    indices = np.asarray(indices) if not isinstance(indices, np.ma.MaskedArray) else indices.filled(-1)
    probabilities = real_array(probabilities, "probabilities", (2,), "(M, classes)")
    if (indices.ndim != 1 or indices.dtype == np.bool_ or (len(indices) and indices.dtype.kind not in "iu")
            or len(probabilities) != len(indices) or not np.isin(indices, np.arange(len(images))).all()):
        raise ValueError(f"indices must be M indices into images (0..{len(images) - 1}) and probabilities (M, "
                         f"classes); got {describe(indices)} and shape {probabilities.shape}")
    if probabilities.shape[1] == 0 or np.isin(labels[indices], np.arange(probabilities.shape[1]), invert=True).any():
        raise ValueError(f"probabilities must have a column for every label; got shape {probabilities.shape}")
    ncols = count(ncols, "ncols")
    number = len(indices)
    if number == 0:
        fig, ax = plt.subplots(figsize=(6, 1))
        ax.axis("off")
        ax.text(0.5, 0.5, "no misclassified digits", ha="center", va="center")
        return fig
    ncols = min(ncols, number)
    rows = -(-number // ncols)
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
        self.images, self.labels = _digits_and_labels(images, labels)
        self.model = _check_model(model)
        index = count(index, "index", minimum=0, maximum=len(self.images) - 1)
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
        index = count(index, "index", minimum=0, maximum=len(self.images) - 1)
        patch = count(patch, "patch", maximum=min(self.images.shape[1:]))
        image, label = self.images[index], int(self.labels[index])
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
