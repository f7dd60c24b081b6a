"""Exercises of notebook 01 (kernels): one output by hand, the corner detector, parameter counts,
and the kernel flip between convolution and cross-correlation.

Each ``check_...`` returns a :class:`~cnnhelpers.exercises.Feedback` that says whether the answer
is right and, if not, which misconception it reveals, without giving the answer away.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..conv import convolve2d, correlate2d
from ..costs import conv_parameters, dense_parameters
from ..kernels import corner
from ._feedback import Array, Choice, Feedback, Number, any_of, correct, diagnose, matches, not_answered, read_only

__all__ = ["OUTPUT_IMAGE", "OUTPUT_KERNEL", "OUTPUT_POSITION", "CORNER_PATCHES", "PARAMETER_IMAGE_SHAPE",
           "FLIP_KERNEL", "check_output_value", "check_corner_patch", "check_parameter_counts",
           "check_flipped_kernel"]

# Exercise 1: one output value of correlate2d(OUTPUT_IMAGE, OUTPUT_KERNEL), by hand.
OUTPUT_IMAGE = read_only([[1, 0, 2, 2, 2],
                          [3, 0, 3, 2, 0],
                          [3, 4, 1, 2, 2],
                          [2, 2, 2, 2, 1],
                          [0, 4, 2, 1, 4]])
OUTPUT_KERNEL = read_only([[0, -1, -2],
                           [-2, 1, 1],
                           [2, 2, 2]])
OUTPUT_POSITION = (1, 2)  # (row, col) of the output value asked for

# Exercise 2: which patch makes the lecture's corner detector respond most strongly?
CORNER_PATCHES = {
    "A": read_only([[1, 1, 1], [1, 1, 1], [1, 1, 1]]),  # all bright
    "B": read_only([[1, 1, 0], [1, 1, 0], [0, 0, 0]]),  # a corner facing the other way
    "C": read_only([[0, 0, 0], [0, 1, 1], [0, 1, 1]]),  # the detector's own pattern
    "D": read_only([[0, 1, 0], [0, 1, 0], [0, 1, 0]]),  # a vertical line
}

# Exercise 3: a 64x64 grey image and a layer whose output is one 64x64 map.
PARAMETER_IMAGE_SHAPE = (64, 64)

# Exercise 4: which kernel makes convolve2d give what correlate2d gives with FLIP_KERNEL?
FLIP_KERNEL = read_only([[2, 0, -1],
                         [4, 1, -3],
                         [0, 5, -2]])


def check_output_value(answer) -> Feedback:
    """Exercise 1: ``correlate2d(OUTPUT_IMAGE, OUTPUT_KERNEL)[OUTPUT_POSITION]``, computed by hand.

    Parameters
    ----------
    answer : number or None
        The output value; ``None`` is the placeholder (not answered yet).

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"flipped_kernel"`` (convolution instead of correlation),
        ``"transposed_kernel"``, ``"centred_window"`` (window centred on input pixel (row, col)
        instead of starting there), ``"swapped_row_col"``, ``"forgot_term"`` (one product left out).

    Examples
    --------
    >>> check_output_value(None).misconception
    'not_answered'
    """
    row, col = OUTPUT_POSITION
    output = correlate2d(OUTPUT_IMAGE, OUTPUT_KERNEL)
    right = output[row, col]
    products = OUTPUT_IMAGE[row:row + 3, col:col + 3] * OUTPUT_KERNEL
    return diagnose(
        answer, Number("a single number (the output value)"), right,
        praise="That is the output value: the window's pixels times the kernel's weights, summed.",
        mistakes=[
            (convolve2d(OUTPUT_IMAGE, OUTPUT_KERNEL)[row, col], "You flipped the kernel (the mathematician's "
             "convolution). Deep-learning 'convolution' is cross-correlation: weight [u, v] multiplies the pixel at "
             "the same place [u, v] of the window.", "flipped_kernel"),
            (correlate2d(OUTPUT_IMAGE, OUTPUT_KERNEL.T)[row, col], "You used the kernel transposed (its rows as "
             "columns). Lay it on the window as printed.", "transposed_kernel"),
            (output[row - 1, col - 1], f"You centred the window on input pixel {OUTPUT_POSITION}. Without padding, "
             f"output {OUTPUT_POSITION} comes from the window whose top-left corner is input pixel "
             f"{OUTPUT_POSITION}.", "centred_window"),
            (output[col, row], "You swapped row and column: the position is (row, col), row first, counted from 0.",
             "swapped_row_col"),
            (any_of(right - p for p in products.ravel() if p != 0), "Close: one of the nine products is missing "
             "from your sum. Count them: 3 rows of 3.", "forgot_term"),
        ],
        hint="Not that. Find the 3x3 window (rows and columns counted from 0), multiply each pixel by the weight at "
             "the same place, and add all nine products.")


def check_corner_patch(answer) -> Feedback:
    """Exercise 2: the patch of :data:`CORNER_PATCHES` with the largest corner-detector response.

    Parameters
    ----------
    answer : str or None
        One of ``"A"``, ``"B"``, ``"C"``, ``"D"`` (any case).

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"brightest_patch"``, ``"rotated_corner"``, ``"line"``.

    Examples
    --------
    >>> check_corner_patch("Z").misconception
    'not_a_choice'
    """
    responses = {name: float(np.sum(patch * corner)) for name, patch in CORNER_PATCHES.items()}
    return diagnose(
        answer, Choice(tuple(CORNER_PATCHES)), max(responses, key=responses.get),
        praise="Yes: that patch puts bright pixels under every +1 weight and dark ones under every -1.",
        mistakes=[
            ("A", "A detector is not a brightness meter: bright pixels under its -1 weights pull the response "
             "down. Its weights add up to a negative number.", "brightest_patch"),
            ("B", "That is a corner too, but facing the other way. A kernel is not rotation invariant: look at "
             "where its +1 weights sit.", "rotated_corner"),
            ("D", "A line lights up some +1 weights but also some -1 weights. Compute the sum of products for "
             "each patch.", "line"),
        ],
        hint="Compute the sum of products of the detector with each patch.")


def check_parameter_counts(dense, conv) -> Feedback:
    """Exercise 3: weights (no biases) of a dense layer and of a 3x3 convolution, image to one map.

    The input is a grey image of shape :data:`PARAMETER_IMAGE_SHAPE`; the dense layer maps it to
    an output of the same size, the convolutional layer has one 3x3 kernel.

    Parameters
    ----------
    dense, conv : int or None

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"one_weight_per_pixel"``, ``"added_not_multiplied"``,
        ``"counted_bias"``, ``"no_weight_sharing"``.

    Examples
    --------
    >>> check_parameter_counts(None, None).misconception
    'not_answered'
    """
    if dense is None or conv is None:
        return not_answered()
    pixels = PARAMETER_IMAGE_SHAPE[0] * PARAMETER_IMAGE_SHAPE[1]
    right_dense, right_conv = dense_parameters(PARAMETER_IMAGE_SHAPE), conv_parameters(3)
    conv_outputs = (PARAMETER_IMAGE_SHAPE[0] - 2) * (PARAMETER_IMAGE_SHAPE[1] - 2)
    dense_verdict = diagnose(
        dense, Number("the dense count as a whole number"), right_dense, praise="",
        mistakes=[
            (pixels, "The dense count is one weight per input pixel; but every OUTPUT pixel has its own weight for "
             "every input pixel.", "one_weight_per_pixel"),
            (2 * pixels, "The dense count adds inputs and outputs; a weight connects each (input, output) pair, so "
             "they multiply.", "added_not_multiplied"),
            (right_dense + pixels, "The dense count includes one bias per output; the question asks for weights "
             "only.", "counted_bias"),
        ],
        hint="The dense count is not right: how many (input pixel, output pixel) pairs are there?")
    conv_verdict = diagnose(
        conv, Number("the convolution count as a whole number"), right_conv, praise="",
        mistakes=[
            (right_conv * pixels, "The convolution count gives every position its own kernel; parameter sharing "
             "means ONE kernel slides over all positions.", "no_weight_sharing"),
            (right_conv * conv_outputs, "The convolution count gives every output position its own kernel; "
             "parameter sharing means ONE kernel slides over all positions.", "no_weight_sharing"),
            (right_conv + 1, "The convolution count includes a bias; the question asks for weights only.",
             "counted_bias"),
            (pixels, "The convolution count is one weight per pixel; a convolution's weights are those of its "
             "kernel, whatever the image size.", "one_weight_per_pixel"),
        ],
        hint="The convolution count is not right: what does the layer store, whatever the image size?")
    if dense_verdict.ok and conv_verdict.ok:
        return correct(f"A convolution needs {right_dense / right_conv:,.0f} times fewer weights here.")
    if not dense_verdict.ok:
        return _also(dense_verdict, "The convolution count is right." if conv_verdict.ok else "")
    return _also(conv_verdict, "The dense count is right.")


def _also(verdict: Feedback, note: str) -> Feedback:
    """``verdict`` with ``note`` added in brackets (the other half of a two-part answer)."""
    return replace(verdict, message=f"{verdict.message} ({note})") if note else verdict


def check_flipped_kernel(answer) -> Feedback:
    """Exercise 4: the kernel ``K`` with ``convolve2d(x, K) == correlate2d(x, FLIP_KERNEL)`` for every ``x``.

    Parameters
    ----------
    answer : array of shape (3, 3) or None
        The kernel to give convolve2d, as a nested list or an array.

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"no_flip"``, ``"transposed_kernel"``, ``"flipped_rows_only"``,
        ``"flipped_columns_only"``.

    Examples
    --------
    >>> check_flipped_kernel([[1, 2], [3, 4]]).misconception
    'wrong_shape'
    """
    probe = np.random.default_rng(0).normal(size=(6, 6))  # equal on a random image: equal on all

    def same_operation(kernel):
        return kernel.shape == FLIP_KERNEL.shape and matches(convolve2d(probe, kernel), correlate2d(probe, FLIP_KERNEL))

    return diagnose(
        answer, Array("a 3x3 array of numbers"), same_operation,
        praise="Flipping in both directions turns one operation into the other: same numbers.",
        mistakes=[
            (lambda kernel: kernel.shape != FLIP_KERNEL.shape, lambda kernel: f"Give a 3x3 array (the kernel); got "
             f"shape {kernel.shape}.", "wrong_shape"),
            (FLIP_KERNEL, "Unchanged kernel: convolve2d flips its kernel before sliding it, so you must undo that "
             "flip.", "no_flip"),
            (FLIP_KERNEL.T, "Transposing swaps rows and columns; convolution flips: top to bottom AND left to "
             "right.", "transposed_kernel"),
            (FLIP_KERNEL[::-1, :], "You flipped top to bottom only; convolution also flips left to right.",
             "flipped_rows_only"),
            (FLIP_KERNEL[:, ::-1], "You flipped left to right only; convolution also flips top to bottom.",
             "flipped_columns_only"),
        ],
        hint="Not that kernel. Write out what convolve2d does to a kernel before sliding it, and undo it.")
