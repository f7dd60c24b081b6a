"""The three stages of a typical convolutional layer: convolution, detector (ReLU), pooling.

1. several convolutions in parallel give *linear activations* (signed);
2. a nonlinearity, here ReLU ``max(0, z)``, keeps where each feature is present: the *detector*;
3. pooling replaces each neighbourhood by a summary (its maximum or mean), shrinking the map.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._validate import as_float_array, check_ndim
from .conv import conv2d
from .plotting import SIGNED_CMAP, UNSIGNED_CMAP, signed_norm
from .pooling_figures import pool

__all__ = ["relu", "layer_stages", "show_layer_stages"]


def relu(x) -> np.ndarray:
    """``max(0, x)``, element by element (a new array).

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    return np.maximum(as_float_array(x, "x"), 0.0)


def layer_stages(image, weight, bias=None, *, padding=0, pool_size=2, pool_stride=None,
                 mode: str = "max") -> dict[str, np.ndarray]:
    """Run one convolutional layer on an image and keep the output of each stage.

    Parameters
    ----------
    image : array of shape (H, W) or (C, H, W)
    weight : array of shape (O, C, KH, KW)
    bias : array of shape (O,), optional
    padding : int or str
        Of the convolution.
    pool_size, pool_stride : int
        Of the pooling; the stride defaults to the size.
    mode : {"max", "avg"}

    Returns
    -------
    dict with ``linear`` (O, OH, OW), ``detector`` (same shape, >= 0) and ``pooled``
    (O, PH, PW).

    Raises
    ------
    ValueError
        As ``conv2d`` and the pooling function do, with their messages.

    Examples
    --------
    >>> stages = layer_stages(np.eye(6), np.ones((2, 1, 3, 3)), bias=[-2.0, 0.0])
    >>> [stages[k].shape for k in ("linear", "detector", "pooled")]
    [(2, 4, 4), (2, 4, 4), (2, 2, 2)]
    """
    image = as_float_array(image, "image")
    check_ndim(image, "image", (2, 3), "(H, W) or (C, H, W)")
    x = image[None] if image.ndim == 2 else image
    linear = conv2d(x, weight, bias, padding=padding)
    detector = relu(linear)
    return {"linear": linear, "detector": detector, "pooled": pool(detector, mode, pool_size, pool_stride)}


def show_layer_stages(stages: dict[str, np.ndarray], names=None, *, size: float = 3.6, mode: str = "max"):
    """One row per kernel, one column per stage, with each stage's shape in its title.

    Linear activations are signed (diverging colours centred on zero); the detector and pooled
    maps are >= 0 (``cividis``).

    Parameters
    ----------
    stages : dict
        As returned by :func:`layer_stages`.
    names : sequence of str, optional
        What each kernel detects.
    mode : str
        The pooling used, for the title.

    Returns
    -------
    fig : matplotlib Figure
    """
    linear, detector, pooled = stages["linear"], stages["detector"], stages["pooled"]
    count = linear.shape[0]
    fig = plt.figure(figsize=(3 * size + 2.5, (size + 0.7) * count + 0.3), layout="constrained")
    axes = fig.subplots(count, 3, squeeze=False)
    titles = [f"1. convolution {linear.shape[1]}x{linear.shape[2]}",
              f"2. detector (ReLU) {detector.shape[1]}x{detector.shape[2]}",
              f"3. {mode} pool {pooled.shape[1]}x{pooled.shape[2]}"]
    for o in range(count):
        shown = axes[o, 0].imshow(linear[o], cmap=SIGNED_CMAP, norm=signed_norm(linear[o], robust=True))
        fig.colorbar(shown, ax=axes[o, 0], shrink=0.8, extend="both")
        limit = signed_norm(detector[o], robust=True).vmax
        for c, values in ((1, detector[o]), (2, pooled[o])):
            shown = axes[o, c].imshow(values, cmap=UNSIGNED_CMAP, vmin=0, vmax=limit)
            fig.colorbar(shown, ax=axes[o, c], shrink=0.8, extend="max")
        name = names[o] if names else f"kernel {o}"
        for c in range(3):
            axes[o, c].set_xticks([])
            axes[o, c].set_yticks([])
            axes[o, c].set_title(f"{name}\n{titles[c]}" if c == 0 else ("\n" + titles[c]))
    return fig
