"""Exercises of notebook 05 (pooling): pool a grid, overlapping pooling, output size, receptive field;
and Build it: the student's own ``max_pool2d`` and ``max_pool2d_backward``, checked by
:func:`check_max_pool2d` and :func:`check_max_pool2d_backward`.

Each ``check_...`` returns a :class:`~cnnhelpers.exercises.Feedback` that says whether the answer
is right and, if not, which misconception it reveals; it never gives the answer away.
"""

from __future__ import annotations

from functools import cache

import matplotlib.pyplot as plt
import numpy as np

from .. import reference
from ..lessons.pooling import LayerSpec, receptive_field
from ..plotting import draw_grid
from ..pool import avg_pool2d, max_pool2d
from ._build import TIME_LIMIT, Bug, Exercise, frozen, ints, run_checks
from ._feedback import Array, Feedback, Number, any_of, diagnose, read_only

__all__ = ["POOL_GRID", "OVERLAP_GRID", "SIZE_QUESTION", "RF_STACK", "check_max_pool_grid", "check_overlapping_pool",
           "check_pooled_size", "check_receptive_field", "show_pooling_problems", "check_max_pool2d",
           "check_max_pool2d_backward"]

# Exercise 1: 2x2 max pooling, stride 2.
POOL_GRID = read_only([[5, 3, 8, 0], [8, 0, 6, 6], [5, 3, 3, 4], [4, 7, 1, 2]])
# Exercise 2: 3x3 max pooling, stride 2 (overlapping windows).
OVERLAP_GRID = read_only([[4, 8, 0, 1, 2], [6, 2, 7, 4, 9], [6, 7, 0, 3, 6], [3, 7, 2, 1, 2], [1, 0, 1, 4, 6]])
# Exercise 3: the output size of pooling. 21, not 20: with 20 the stride-1 size divided by the stride
# (16 / 2) happens to be the right answer, and that misconception would pass.
SIZE_QUESTION = {"size": 21, "kernel_size": 5, "stride": 2}
# Exercise 4: the receptive field of a small stack.
RF_STACK = (LayerSpec.conv(3), LayerSpec.conv(3), LayerSpec.max_pool(2), LayerSpec.conv(3))


GRID = Array("a 2-D array of numbers (a list of rows)")


def _shape_is(*shape):
    return lambda grid: grid.shape == shape


def _transposed(expected, window: int) -> tuple:
    """The mistakes-table row for the right values in the wrong places (rows read as columns), stride 2."""
    return (expected.T, f"The right values in the wrong places: output[i, j] summarises rows 2i..2i+{window - 1} "
            f"and columns 2j..2j+{window - 1} of the grid.", "transposed")


def check_max_pool_grid(answer) -> Feedback:
    """2x2 max pooling with stride 2 of :data:`POOL_GRID`, as a 2x2 array.

    Parameters
    ----------
    answer : nested list or array of shape (2, 2), or None

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"used_stride_1"``, ``"wrong_shape"``, ``"used_average"``,
        ``"used_minimum"``, ``"used_sum"``, ``"kept_top_left"``, ``"transposed"``.

    Examples
    --------
    >>> check_max_pool_grid(None).misconception
    'not_answered'
    """
    expected = max_pool2d(POOL_GRID, 2)
    return diagnose(
        answer, GRID, expected, praise="Each 2x2 patch is replaced by its largest value.",
        mistakes=[
            (_shape_is(3, 3), "With stride 2 the windows do not overlap: they move two cells at a time, so a 4x4 "
             "grid gives a 2x2 output. A 3x3 output means the windows moved one cell at a time.", "used_stride_1"),
            (lambda grid: grid.shape != expected.shape, lambda grid: f"A 4x4 grid pooled in 2x2 patches with "
             f"stride 2 gives a 2x2 output; got shape {grid.shape}.", "wrong_shape"),
            (avg_pool2d(POOL_GRID, 2), "Those are the means of the patches (average pooling); max pooling keeps "
             "the largest value of each patch.", "used_average"),
            (-max_pool2d(-POOL_GRID, 2), "Those are the smallest values; max pooling keeps the largest.",
             "used_minimum"),
            (4 * avg_pool2d(POOL_GRID, 2), "Those are the sums of the patches; max pooling keeps the largest "
             "value.", "used_sum"),
            (POOL_GRID[::2, ::2], "That keeps the top-left value of each patch (plain subsampling); max pooling "
             "keeps the largest value of the patch.", "kept_top_left"),
            _transposed(expected, window=2),
        ],
        hint="Split the grid into four 2x2 patches (top-left, top-right, bottom-left, bottom-right) and keep the "
             "largest number of each.")


def check_overlapping_pool(answer) -> Feedback:
    """3x3 max pooling with stride 2 of :data:`OVERLAP_GRID` (overlapping windows), as an array.

    Misconceptions recognised: ``"non_overlapping"`` (a single window), ``"used_stride_1"``,
    ``"wrong_shape"``, ``"used_average"``, ``"window_2x2"``, ``"transposed"``.

    Examples
    --------
    >>> check_overlapping_pool(float("nan")).misconception
    'not_a_number'
    """
    expected = max_pool2d(OVERLAP_GRID, 3, 2)
    return diagnose(
        answer, GRID, expected, praise="3x3 windows, two cells apart: neighbouring windows share a row or column.",
        mistakes=[
            (lambda grid: grid.size == 1, "That is a single window: with stride 2 the next window starts two "
             "cells further, so it overlaps the first one (the windows do not have to sit side by side).",
             "non_overlapping"),
            (_shape_is(3, 3), "A 3x3 output means the windows moved one cell at a time; here they move two cells "
             "(stride 2).", "used_stride_1"),
            (lambda grid: grid.shape != expected.shape, lambda grid: f"Count the windows: the output size is "
             f"floor((5 - 3) / 2) + 1 along each axis; got shape {grid.shape}.", "wrong_shape"),
            (avg_pool2d(OVERLAP_GRID, 3, 2), "Those are the means of the windows; max pooling keeps the largest "
             "value.", "used_average"),
            (max_pool2d(OVERLAP_GRID, 2, 2), "Those are 2x2 windows; here each window is 3x3 (and they start "
             "every two cells).", "window_2x2"),
            _transposed(expected, window=3),
        ],
        hint="Window (i, j) covers rows 2i to 2i+2 and columns 2j to 2j+2: the middle row and column are shared "
             "by two windows.")


def check_pooled_size(answer) -> Feedback:
    """Side of the output of max pooling for :data:`SIZE_QUESTION` (no padding).

    Misconceptions recognised: ``"divided_stride_1_size"``, ``"ignored_window_size"``,
    ``"forgot_plus_one"``, ``"ignored_stride"``, ``"non_overlapping"``. (Rounding up instead of down
    gives the right answer for these numbers: the window fits exactly at the last position.)

    Examples
    --------
    >>> check_pooled_size(None).misconception
    'not_answered'
    """
    size, k, s = SIZE_QUESTION["size"], SIZE_QUESTION["kernel_size"], SIZE_QUESTION["stride"]
    return diagnose(
        answer, Number("a whole number"), (size - k) // s + 1,
        praise=f"floor(({size} - {k}) / {s}) + 1: a window that would stick out past the edge is not used.",
        mistakes=[
            ((size - k + 1) / s, "That is the stride-1 count divided by the stride, but the first window is not a "
             "step: count the steps after it, floor((size - window) / stride), and add the first window.",
             "divided_stride_1_size"),
            (any_of([size / s, size // s]), "Dividing by the stride alone ignores the window: it needs room to fit "
             "at the last position.", "ignored_window_size"),
            (lambda value: isinstance(value, float), lambda value: f"Give a whole number; got {value}. A feature map "
             "has whole cells: a last window that would stick out past the edge is dropped (round down).",
             "not_a_number"),
            ((size - k) // s, "Off by one: count the first window too (the formula ends in + 1).",
             "forgot_plus_one"),
            (size - k + 1, "That is the count for stride 1; with stride 2 the window jumps two pixels at a time.",
             "ignored_stride"),
            (size // k, "That counts side-by-side windows; with stride 2 these 5x5 windows overlap.",
             "non_overlapping"),
        ],
        hint="Use output = floor((size - window) / stride) + 1.")


def check_receptive_field(answer) -> Feedback:
    """Receptive field side, in input pixels, of one output unit of :data:`RF_STACK`:
    conv 3x3 → conv 3x3 → max pool 2x2 (stride 2) → conv 3x3, no padding.

    Examples
    --------
    >>> check_receptive_field(None).misconception
    'not_answered'
    """
    return diagnose(
        answer, Number("a whole number of pixels", whole=True), receptive_field(RF_STACK).size,
        praise="The last conv's 3 positions are 2 input pixels apart, after the pool's stride of 2.",
        mistakes=[
            (1 + 2 + 2 + 1 + 2, "After the stride-2 pool, neighbouring units are 2 input pixels apart: the last "
             "3x3 conv widens the field by (3 - 1) x 2, not by 3 - 1.", "ignored_jump"),
            (1 + 2 + 2 + 2, "The pool is a layer too: its 2x2 window widens the field, and its stride spreads the "
             "next layer's inputs apart.", "ignored_pool"),
            (3 + 3 + 2 + 3, "Adding the window sizes counts the shared pixels twice: each layer adds (k - 1) x jump "
             "to the field.", "summed_kernel_sizes"),
            (3 * 3 * 2 * 3, "The field grows by addition, (k - 1) x jump per layer, not by multiplying the window "
             "sizes.", "multiplied_kernel_sizes"),
            (3, "That is what the last layer sees of ITS input; follow each of those units back through the layers "
             "below to the image.", "last_layer_only"),
        ],
        hint="Start from 1 pixel and walk up the stack: each layer adds (k - 1) x jump, and a stride multiplies the "
             "jump.")


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


# -- Build it (notebook 05): max_pool2d and max_pool2d_backward written by the student -------------------------------

#: The checkers of this module whose answer is a function the student wrote.
CODE_CHECKERS = {"check_max_pool2d", "check_max_pool2d_backward"}


# (N, C, H, W, kernel_size, stride); values 0..4, so many windows hold tied maxima.
_POOL_SHAPES = [(1, 1, 4, 4, 2, 2), (1, 1, 4, 4, 2, None), (1, 1, 4, 4, 2, 1), (1, 1, 5, 5, 3, 2),
                (1, 1, 4, 6, 2, None), (1, 1, 6, 4, 3, None), (1, 1, 5, 7, 2, None), (1, 2, 5, 5, 2, 1),
                (2, 3, 6, 5, 3, 2), (2, 2, 7, 9, 2, 3), (2, 4, 12, 12, 2, None)]


@cache
def _pool_cases() -> tuple[tuple, ...]:
    rng = np.random.default_rng(5)
    first = np.array([[[[4.0, 1, 2, 4], [0, 4, 3, 1], [1, 2, 3, 3], [0, 1, 0, 3]]]])  # ties in windows 1 and 4
    cases = [(first if k == 0 else ints(rng, 0, 4, (n, c, h, w)), size, stride)
             for k, (n, c, h, w, size, stride) in enumerate(_POOL_SHAPES)]
    return frozen(cases)


@cache
def _pool_backward_cases() -> tuple[tuple, ...]:
    rng = np.random.default_rng(6)
    cases = []
    for x, size, stride in _pool_cases():
        out_shape = reference.max_pool2d(x, size, stride).shape
        cases.append((ints(rng, 1, 5, out_shape), x, size, stride))
    return frozen(cases)


def _pool_scatter(grad_out, x, size, stride, share, combine="add"):
    """Pooling's backward with another rule: window ``(i, j)`` gets ``share(window, g)`` (size x size).

    ``combine`` says what a window does to the gradient already there: ``"add"`` (right), ``"nonzero"``
    (its non-zero cells overwrite) or ``"assign"`` (its whole block overwrites, zeros included).
    """
    stride = size if stride is None else stride
    grad_x = np.zeros_like(x)
    n, c, oh, ow = grad_out.shape
    for image in range(n):
        for channel in range(c):
            for i in range(oh):
                for j in range(ow):
                    rows, cols = slice(i * stride, i * stride + size), slice(j * stride, j * stride + size)
                    part = share(x[image, channel, rows, cols], grad_out[image, channel, i, j])
                    target = grad_x[image, channel, rows, cols]
                    if combine == "add":
                        target += part
                    elif combine == "nonzero":
                        target[part != 0] = part[part != 0]
                    else:
                        target[...] = part
    return grad_x


def _first_maximum(window, g):
    part = np.zeros_like(window)
    part[np.unravel_index(np.argmax(window), window.shape)] = g
    return part


def _last_maximum(window, g):
    part = np.zeros_like(window)
    flat = window.size - 1 - np.argmax(window.reshape(-1)[::-1])
    part[np.unravel_index(flat, window.shape)] = g
    return part


_MAX_POOL2D = Exercise(
    "max_pool2d", ("x", "kernel_size", "stride"), ("output",), _pool_cases,
    (Bug("used_average", "output", lambda x, k, s: avg_pool2d(x, k, s),
         "Those are the means of the windows (average pooling); max pooling keeps each window's largest value."),
     Bug("used_minimum", "output", lambda x, k, s: -reference.max_pool2d(-x, k, s),
         "Those are the smallest values of the windows; max pooling keeps the largest."),
     Bug("stride_ignored", "output", lambda x, k, s: reference.max_pool2d(x, k, 1),
         "That is stride 1: your windows move one cell at a time. Window (i, j) starts at row i*stride and "
         "column j*stride."),
     Bug("stride_default", "output", lambda x, k, s: reference.max_pool2d(x, k, 1 if s is None else s),
         "stride=None means stride = kernel_size (windows side by side, as in PyTorch), not 1.")),
    "Window (i, j) covers rows i*stride .. i*stride+kernel_size-1 (and the same for columns); keep its largest "
    "value.")


_MAX_POOL2D_BACKWARD = Exercise(
    "max_pool2d_backward", ("grad_out", "x", "kernel_size", "stride"), ("grad_x",), _pool_backward_cases,
    (Bug("spread_over_window", "grad_x",
         lambda g, x, k, s: _pool_scatter(g, x, k, s, lambda window, v: np.full_like(window, v)),
         "The gradient went to every cell of the window. Only the maximum influenced the output, so only it "
         "gets the window's gradient; the others get 0."),
     Bug("divided_by_window", "grad_x",
         lambda g, x, k, s: _pool_scatter(g, x, k, s, lambda window, v: np.full_like(window, v / window.size)),
         "That is average pooling's backward (the gradient shared equally). In max pooling the maximum alone "
         "gets the whole gradient."),
     Bug("all_tied_maxima", "grad_x",
         lambda g, x, k, s: _pool_scatter(g, x, k, s, lambda window, v: v * (window == window.max())),
         "Where a window has several equal maxima, every one of them got the gradient. The convention (PyTorch's) "
         "gives it to the first maximum in row-major order only (np.argmax does that)."),
     Bug("last_tied_maximum", "grad_x", lambda g, x, k, s: _pool_scatter(g, x, k, s, _last_maximum),
         "Where a window has several equal maxima, the gradient went to the last one. The convention (PyTorch's) "
         "is the first maximum in row-major order (np.argmax does that; a > comparison, not >=)."),
     Bug("overwritten_on_overlap", "grad_x",
         lambda g, x, k, s: _pool_scatter(g, x, k, s, _first_maximum, combine="nonzero"),
         "Where overlapping windows share their maximum, the later window overwrote the earlier one's gradient. "
         "A cell collects the gradients of every window it is the maximum of: add with +=."),
     Bug("overwritten_on_overlap", "grad_x",
         lambda g, x, k, s: _pool_scatter(g, x, k, s, _first_maximum, combine="assign"),
         "Each window wrote its whole block (zeros included), erasing what overlapping windows had put there. "
         "Add each window's gradient to its maximum only, with +=."),
     Bug("stride_ignored", "grad_x", lambda g, x, k, s: reference.max_pool2d_backward(g, x, k, 1),
         "Your windows move one cell at a time whatever the stride: window (i, j) starts at row i*stride and "
         "column j*stride (and stride=None means kernel_size).")),
    "Find each window's maximum (the first one, row-major, if several are equal) and add the window's "
    "gradient there.")


def check_max_pool2d(fn, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(x, kernel_size, stride)``: max pooling of (N, C, H, W), stride None meaning kernel_size.

    Examples
    --------
    >>> check_max_pool2d(42).misconception
    'not_a_function'
    """
    return run_checks(_MAX_POOL2D, fn, time_limit)


def check_max_pool2d_backward(fn, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(grad_out, x, kernel_size, stride)``: the gradient of max pooling with respect to x.

    Each window's gradient goes to its first maximum in row-major order and accumulates where
    windows overlap.

    Examples
    --------
    >>> from cnnhelpers import reference
    >>> check_max_pool2d_backward(reference.max_pool2d_backward).ok
    True
    """
    return run_checks(_MAX_POOL2D_BACKWARD, fn, time_limit)
