"""Exercises of notebook 05 (pooling): pool a grid, overlapping pooling, output size, receptive field.

Each ``check_...`` returns a :class:`~cnnhelpers.exercises.Feedback` that says whether the answer
is right and, if not, which misconception it reveals; it never gives the answer away.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..lessons.pooling import LayerSpec as Layer
from ..lessons.pooling import receptive_field
from ..plotting import draw_grid
from ..pool import avg_pool2d, max_pool2d
from ._feedback import Feedback, correct, matches, not_answered, read_number, read_only, wrong

__all__ = ["POOL_GRID", "OVERLAP_GRID", "SIZE_QUESTION", "RF_STACK", "check_max_pool_grid",
           "check_overlapping_pool", "check_pooled_size", "check_receptive_field", "show_pooling_problems"]




# Exercise 1: 2x2 max pooling, stride 2.
POOL_GRID = read_only([[5, 3, 8, 0], [8, 0, 6, 6], [5, 3, 3, 4], [4, 7, 1, 2]])
# Exercise 2: 3x3 max pooling, stride 2 (overlapping windows).
OVERLAP_GRID = read_only([[4, 8, 0, 1, 2], [6, 2, 7, 4, 9], [6, 7, 0, 3, 6], [3, 7, 2, 1, 2], [1, 0, 1, 4, 6]])
# Exercise 3: the output size of pooling.
SIZE_QUESTION = {"size": 20, "kernel_size": 5, "stride": 2}
# Exercise 4: the receptive field of a small stack.
RF_STACK = (Layer.conv(3), Layer.conv(3), Layer.max_pool(2), Layer.conv(3))


def _read_grid(answer) -> np.ndarray | Feedback:
    """The student's grid as floats, or the Feedback to return instead (not answered, not numbers)."""
    if answer is None:
        return not_answered()
    try:
        return np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return wrong(f"Give a 2-D array of numbers (a list of rows); got {answer!r}.", "not_a_number")


def check_max_pool_grid(answer) -> Feedback:
    """2x2 max pooling with stride 2 of :data:`POOL_GRID`, as a 2x2 array.

    Examples
    --------
    >>> check_max_pool_grid(None).misconception
    'not_answered'
    """
    grid = _read_grid(answer)
    if isinstance(grid, Feedback):
        return grid
    expected = max_pool2d(POOL_GRID, 2)
    if matches(grid, expected):
        return correct("Each 2x2 patch is replaced by its largest value.")
    if grid.shape == (3, 3):
        return wrong("With stride 2 the windows do not overlap: they move two cells at a time, so a 4x4 grid "
                     "gives a 2x2 output. A 3x3 output means the windows moved one cell at a time.", "used_stride_1")
    if grid.shape != expected.shape:
        return wrong(f"A 4x4 grid pooled in 2x2 patches with stride 2 gives a 2x2 output; got shape {grid.shape}.",
                     "wrong_shape")
    known = [
        (avg_pool2d(POOL_GRID, 2), "used_average", "Those are the means of the patches (average pooling); max "
                                                   "pooling keeps the largest value of each patch."),
        (-max_pool2d(-POOL_GRID, 2), "used_minimum", "Those are the smallest values; max pooling keeps the largest."),
        (4 * avg_pool2d(POOL_GRID, 2), "used_sum", "Those are the sums of the patches; max pooling keeps the "
                                                   "largest value."),
        (POOL_GRID[::2, ::2], "kept_top_left", "That keeps the top-left value of each patch (plain subsampling); "
                                               "max pooling keeps the largest value of the patch."),
        (expected.T, "transposed", "The right values in the wrong places: output[i, j] summarises the patch in "
                                   "rows 2i..2i+1 and columns 2j..2j+1."),
    ]
    for candidate, key, message in known:
        if matches(grid, candidate):
            return wrong(message, key)
    return wrong("Split the grid into four 2x2 patches (top-left, top-right, bottom-left, bottom-right) and keep "
                 "the largest number of each.")


def check_overlapping_pool(answer) -> Feedback:
    """3x3 max pooling with stride 2 of :data:`OVERLAP_GRID` (overlapping windows), as an array."""
    grid = _read_grid(answer)
    if isinstance(grid, Feedback):
        return grid
    expected = max_pool2d(OVERLAP_GRID, 3, 2)
    if matches(grid, expected):
        return correct("3x3 windows, two cells apart: neighbouring windows share a row or column.")
    if grid.shape == (1, 1) or grid.ndim == 0:
        return wrong("That is a single window: with stride 2 the next window starts two cells further, "
                     "so it overlaps the first one (the windows do not have to sit side by side).",
                     "non_overlapping")
    if grid.shape == (3, 3):
        return wrong("A 3x3 output means the windows moved one cell at a time; here they move two cells (stride 2).",
                     "used_stride_1")
    if grid.shape != expected.shape:
        return wrong(f"Count the windows: the output size is floor((5 - 3) / 2) + 1 along each axis; got shape "
                     f"{grid.shape}.", "wrong_shape")
    known = [
        (avg_pool2d(OVERLAP_GRID, 3, 2), "used_average", "Those are the means of the windows; max pooling keeps "
                                                         "the largest value."),
        (max_pool2d(OVERLAP_GRID, 2, 2), "window_2x2", "Those are 2x2 windows; here each window is 3x3 (and they "
                                                       "start every two cells)."),
        (expected.T, "transposed", "The right values in the wrong places: output[i, j] reads rows 2i..2i+2 and "
                                   "columns 2j..2j+2."),
    ]
    for candidate, key, message in known:
        if matches(grid, candidate):
            return wrong(message, key)
    return wrong("Window (i, j) covers rows 2i to 2i+2 and columns 2j to 2j+2: the middle row and column are "
                 "shared by two windows.")


def check_pooled_size(answer) -> Feedback:
    """Side of the output of 5x5 max pooling with stride 2 on a 20x20 feature map (no padding)."""
    value = read_number(answer, "a whole number", whole=True)
    if isinstance(value, Feedback):
        return value
    size, k, s = SIZE_QUESTION["size"], SIZE_QUESTION["kernel_size"], SIZE_QUESTION["stride"]
    right = (size - k) // s + 1
    if value == right:
        return correct("floor((20 - 5) / 2) + 1: a window that would stick out past the edge is not used.")
    known = {
        -(-(size - k) // s) + 1: ("ceil_instead_of_floor", "Round down, not up: a last window that would stick out "
                                  "past the edge is dropped (PyTorch's default, ceil_mode=False)."),
        (size - k) // s: ("forgot_plus_one", "Off by one: count the first window too (the formula ends in + 1)."),
        size // s: ("ignored_window_size", "Dividing by the stride alone ignores the window: it needs room to fit "
                    "at the last position."),
        size - k + 1: ("ignored_stride", "That is the count for stride 1; with stride 2 the window jumps two "
                       "pixels at a time."),
        size // k: ("non_overlapping", "That counts side-by-side windows; with stride 2 these 5x5 windows overlap."),
    }
    if value in known:
        key, message = known[value]
        return wrong(message, key)
    return wrong("Use output = floor((size - window) / stride) + 1.")


def check_receptive_field(answer) -> Feedback:
    """Receptive field side, in input pixels, of one output unit of :data:`RF_STACK`:
    conv 3x3 → conv 3x3 → max pool 2x2 (stride 2) → conv 3x3, no padding."""
    value = read_number(answer, "a whole number of pixels", whole=True)
    if isinstance(value, Feedback):
        return value
    right = receptive_field(RF_STACK).size
    if value == right:
        return correct("The last conv's 3 positions are 2 input pixels apart, after the pool's stride of 2.")
    known = {
        1 + 2 + 2 + 1 + 2: ("ignored_jump", "After the stride-2 pool, neighbouring units are 2 input pixels apart: "
                            "the last 3x3 conv widens the field by (3 - 1) x 2, not by 3 - 1."),
        1 + 2 + 2 + 2: ("ignored_pool", "The pool is a layer too: its 2x2 window widens the field, and its stride "
                        "spreads the next layer's inputs apart."),
        3 + 3 + 2 + 3: ("summed_kernel_sizes", "Adding the window sizes counts the shared pixels twice: each layer "
                        "adds (k - 1) x jump to the field."),
        3 * 3 * 2 * 3: ("multiplied_kernel_sizes", "The field grows by addition, (k - 1) x jump per layer, not by "
                        "multiplying the window sizes."),
        3: ("last_layer_only", "That is what the last layer sees of ITS input; follow each of those units back "
            "through the layers below to the image."),
    }
    if value in known:
        key, message = known[value]
        return wrong(message, key)
    return wrong("Start from 1 pixel and walk up the stack: each layer adds (k - 1) x jump, and a stride "
                 "multiplies the jump.")


def show_pooling_problems():
    """Draw the grids of exercises 1 and 2.

    Returns
    -------
    fig : matplotlib Figure
    """
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), layout="constrained", gridspec_kw={"width_ratios": [4, 5]})
    draw_grid(axes[0], POOL_GRID, title="exercise 1: 2x2 max pool, stride 2", signed=False)
    draw_grid(axes[1], OVERLAP_GRID, title="exercise 2: 3x3 max pool, stride 2", signed=False)
    return fig
