"""Pooling makes a layer's output approximately invariant to small shifts of its input: measured.

Shift the content of a feature map by ``s`` pixels, pool both versions the same way, and compare
the outputs at the same positions: how many stay exactly the same, and how well they correlate.
Without pooling almost every value changes after a one-pixel shift; after max pooling over
windows larger than the shift, many do not.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._validate import as_float_array, check_ndim, describe
from .pooling_figures import WINDOW_COLOURS, pool

__all__ = ["shifted_pair", "shift_stability", "plot_shift_stability"]


def _shifts(shifts) -> list[int]:
    try:
        values = [int(s) for s in shifts]
    except (TypeError, ValueError):
        raise TypeError(f"shifts must be a sequence of ints >= 0; got {describe(shifts)}") from None
    if not values or min(values) < 0:
        raise ValueError(f"shifts must be a non-empty sequence of ints >= 0; got {values}")
    return values


def shifted_pair(feature_map, shift: int, margin: int, axis: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The same crop of a map twice: as it is, and with its content moved by ``shift`` pixels.

    Parameters
    ----------
    feature_map : array of shape (H, W)
    shift : int
        Pixels the content moves (right for ``axis=1``, down for ``axis=0``), 0 <= shift <= margin.
    margin : int
        Pixels cut on every side, so that the shifted crop still lies inside the map.
    axis : {0, 1}

    Returns
    -------
    original, shifted : arrays of shape (H - 2*margin, W - 2*margin)
        ``shifted[i, j + shift] == original[i, j]`` (for ``axis=1``).

    Examples
    --------
    >>> a, b = shifted_pair(np.arange(25.0).reshape(5, 5), 1, 1)
    >>> a[0], b[0]
    (array([6., 7., 8.]), array([5., 6., 7.]))
    """
    feature_map = as_float_array(feature_map, "feature_map")
    check_ndim(feature_map, "feature_map", (2,), "(H, W)")
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 (shift down) or 1 (shift right); got {axis!r}")
    if not 0 <= shift <= margin:
        raise ValueError(f"shift must lie between 0 and margin={margin}; got {shift}")
    height, width = feature_map.shape
    if min(height, width) <= 2 * margin:
        raise ValueError(f"feature_map of shape {feature_map.shape} is too small for margin={margin}")
    rows, cols = slice(margin, height - margin), slice(margin, width - margin)
    moved = (slice(margin - shift, height - margin - shift), cols) if axis == 0 else \
        (rows, slice(margin - shift, width - margin - shift))
    return feature_map[rows, cols], feature_map[moved]


def shift_stability(feature_map, shifts=range(5), *, mode: str | None = "max", kernel_size=2, stride=None,
                    axis: int = 1) -> dict[str, np.ndarray]:
    """How much of a (pooled) feature map survives a shift of its input by a few pixels.

    Parameters
    ----------
    feature_map : array of shape (H, W)
        For instance a detector stage: ``np.maximum(conv2d(...), 0)``.
    shifts : sequence of int >= 0
    mode : {"max", "avg"} or None
        The pooling applied to both versions; None compares the maps themselves.
    kernel_size, stride : int
        Of the pooling.
    axis : {0, 1}
        Shift down (0) or right (1).

    Returns
    -------
    dict of arrays, one value per shift
        ``shift``; ``unchanged``: the fraction of outputs that keep exactly their value, among
        those non-zero in either version (a ReLU map's zeros would make any method look stable);
        ``correlation``: Pearson correlation of the two outputs.

    Raises
    ------
    ValueError
        Bad shifts, mode or pooling arguments.

    Examples
    --------
    >>> dots = np.zeros((24, 24)); dots[1::4, 1::4] = 1  # one dot in every 4x4 block
    >>> shift_stability(dots, [0, 1], mode="max", kernel_size=4)["unchanged"]
    array([1., 1.])
    >>> shift_stability(dots, [0, 1], mode=None)["unchanged"]
    array([1., 0.])
    """
    shifts = _shifts(shifts)
    margin = max(shifts)
    unchanged, correlation = [], []
    for shift in shifts:
        original, moved = shifted_pair(feature_map, shift, margin, axis)
        if mode is not None:
            original, moved = pool(original, mode, kernel_size, stride), pool(moved, mode, kernel_size, stride)
        active = (original != 0) | (moved != 0)
        same = np.isclose(original, moved, rtol=1e-9, atol=0)
        unchanged.append(float(same[active].mean()) if active.any() else 1.0)
        spread = original.std() * moved.std()
        correlation.append(float(np.mean((original - original.mean()) * (moved - moved.mean())) / spread)
                           if spread > 0 else float("nan"))
    return {"shift": np.array(shifts), "unchanged": np.array(unchanged), "correlation": np.array(correlation)}


def plot_shift_stability(results: dict[str, dict], *, fig=None):
    """Two panels against the shift: the fraction of outputs unchanged, and the correlation.

    Parameters
    ----------
    results : dict of label -> :func:`shift_stability` result
    fig : matplotlib Figure, optional

    Returns
    -------
    fig : matplotlib Figure
    """
    if fig is None:
        fig = plt.figure(figsize=(14, 5.2), layout="constrained")
    axes = fig.subplots(1, 2)
    markers = "osD^v<>"
    for n, (label, result) in enumerate(results.items()):
        style = dict(marker=markers[n % len(markers)], color="black" if n == 0 else WINDOW_COLOURS[(n - 1) % 7],
                     linewidth=2.5, markersize=9, label=label, linestyle="--" if n == 0 else "-")
        axes[0].plot(result["shift"], 100 * result["unchanged"], **style)
        axes[1].plot(result["shift"], result["correlation"], **style)
    axes[0].set(xlabel="shift of the input (pixels)", ylabel="outputs unchanged (%)", ylim=(-3, 103),
                title="exactly the same value")
    axes[1].set(xlabel="shift of the input (pixels)", ylabel="correlation with unshifted", ylim=(-0.05, 1.03),
                title="similar values")
    for ax in axes:
        ax.set_xticks(results[next(iter(results))]["shift"])
        ax.grid(alpha=0.3)
    axes[1].legend(loc="lower left")
    return fig
