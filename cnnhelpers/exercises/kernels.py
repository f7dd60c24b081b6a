"""Exercises of notebook 01 (kernels): one output by hand, the corner detector, parameter counts,
and the kernel flip between convolution and cross-correlation.

Each ``check_...`` returns a :class:`~cnnhelpers.exercises.Feedback` that says whether the answer
is right and, if not, which misconception it reveals, without giving the answer away.
"""

from __future__ import annotations

import numpy as np

from ..conv import convolve2d, correlate2d
from ..costs import conv_parameters, dense_parameters
from ..kernels import corner
from ._feedback import Feedback, as_number, correct, matches, not_answered, read_number, read_only, wrong

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
    value = read_number(answer, "a single number (the output value)")
    if isinstance(value, Feedback):
        return value
    row, col = OUTPUT_POSITION
    output = correlate2d(OUTPUT_IMAGE, OUTPUT_KERNEL)
    right = output[row, col]
    if np.isclose(value, right):
        return correct("That is the output value: the window's pixels times the kernel's weights, summed.")
    patch = OUTPUT_IMAGE[row:row + 3, col:col + 3]
    products = patch * OUTPUT_KERNEL
    mistakes = [
        (convolve2d(OUTPUT_IMAGE, OUTPUT_KERNEL)[row, col], "flipped_kernel",
         "You flipped the kernel (the mathematician's convolution). Deep-learning 'convolution' is "
         "cross-correlation: weight [u, v] multiplies the pixel at the same place [u, v] of the window."),
        (correlate2d(OUTPUT_IMAGE, OUTPUT_KERNEL.T)[row, col], "transposed_kernel",
         "You used the kernel transposed (its rows as columns). Lay it on the window as printed."),
        (output[row - 1, col - 1], "centred_window",
         f"You centred the window on input pixel {OUTPUT_POSITION}. Without padding, output "
         f"{OUTPUT_POSITION} comes from the window whose top-left corner is input pixel {OUTPUT_POSITION}."),
        (output[col, row], "swapped_row_col",
         "You swapped row and column: the position is (row, col), row first, counted from 0."),
    ]
    for expected, key, message in mistakes:
        if np.isclose(value, expected):
            return wrong(message, key)
    if any(np.isclose(value, right - p) for p in products.ravel() if p != 0):
        return wrong("Close: one of the nine products is missing from your sum. Count them: 3 rows of 3.",
                     "forgot_term")
    return wrong("Not that. Find the 3x3 window (rows and columns counted from 0), multiply each pixel by "
                 "the weight at the same place, and add all nine products.")


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
    if answer is None:
        return not_answered()
    choice = answer.strip().upper() if isinstance(answer, str) else None
    if choice not in CORNER_PATCHES:
        return wrong(f"Answer with one of the letters {', '.join(CORNER_PATCHES)}; got {answer!r}.", "not_a_choice")
    responses = {name: float(np.sum(patch * corner)) for name, patch in CORNER_PATCHES.items()}
    if responses[choice] == max(responses.values()):
        return correct("Yes: that patch puts bright pixels under every +1 weight and dark ones under every -1.")
    reasons = {
        "A": ("A detector is not a brightness meter: bright pixels under its -1 weights pull the response "
              "down. Its weights add up to a negative number.", "brightest_patch"),
        "B": ("That is a corner too, but facing the other way. A kernel is not rotation invariant: look "
              "at where its +1 weights sit.", "rotated_corner"),
        "D": ("A line lights up some +1 weights but also some -1 weights. Compute the sum of products "
              "for each patch.", "line"),
    }
    message, key = reasons[choice]
    return wrong(message, key)


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
    dense_value, conv_value = as_number(dense), as_number(conv)
    if dense_value is None or conv_value is None:
        return wrong(f"Give two whole numbers; got dense={dense!r}, conv={conv!r}.", "not_a_number")
    pixels = PARAMETER_IMAGE_SHAPE[0] * PARAMETER_IMAGE_SHAPE[1]
    right_dense = dense_parameters(PARAMETER_IMAGE_SHAPE)
    right_conv = conv_parameters(3)
    dense_mistakes = {
        pixels: ("one_weight_per_pixel", "The dense count is one weight per input pixel; but every "
                 "OUTPUT pixel has its own weight for every input pixel."),
        2 * pixels: ("added_not_multiplied", "The dense count adds inputs and outputs; a weight connects "
                     "each (input, output) pair, so they multiply."),
        right_dense + pixels: ("counted_bias", "The dense count includes one bias per output; the question "
                               "asks for weights only."),
    }
    conv_outputs = (PARAMETER_IMAGE_SHAPE[0] - 2) * (PARAMETER_IMAGE_SHAPE[1] - 2)
    conv_mistakes = {
        right_conv * pixels: ("no_weight_sharing", "The convolution count gives every position its own kernel; "
                              "parameter sharing means ONE kernel slides over all positions."),
        right_conv * conv_outputs: ("no_weight_sharing", "The convolution count gives every output position its "
                                    "own kernel; parameter sharing means ONE kernel slides over all positions."),
        right_conv + 1: ("counted_bias", "The convolution count includes a bias; the question asks for weights only."),
        pixels: ("one_weight_per_pixel", "The convolution count is one weight per pixel; a convolution's weights "
                 "are those of its kernel, whatever the image size."),
    }
    dense_ok, conv_ok = dense_value == right_dense, conv_value == right_conv
    if dense_ok and conv_ok:
        return correct(f"A convolution needs {right_dense / right_conv:,.0f} times fewer weights here.")
    if not dense_ok:
        key, message = dense_mistakes.get(dense_value, (None, "The dense count is not right: how many "
                                          "(input pixel, output pixel) pairs are there?"))
        if conv_ok:
            message += " (The convolution count is right.)"
        return wrong(message, key)
    key, message = conv_mistakes.get(conv_value, (None, "The convolution count is not right: what does the "
                                     "layer store, whatever the image size?"))
    return wrong(message + " (The dense count is right.)", key)


def check_flipped_kernel(answer) -> Feedback:
    """Exercise 4: the kernel ``K`` with ``convolve2d(x, K) == correlate2d(x, FLIP_KERNEL)`` for every ``x``.

    Parameters
    ----------
    answer : array of shape (3, 3) or None

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
    if answer is None:
        return not_answered()
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return wrong(f"Give a 3x3 array of numbers; got {answer!r}.", "not_a_number")
    if array.shape != FLIP_KERNEL.shape:
        return wrong(f"Give a 3x3 array (the kernel); got shape {array.shape}.", "wrong_shape")
    probe = np.random.default_rng(0).normal(size=(6, 6))  # equal on a random image: equal on all
    if matches(convolve2d(probe, array), correlate2d(probe, FLIP_KERNEL)):
        return correct("Flipping in both directions turns one operation into the other: same numbers.")
    mistakes = [
        (FLIP_KERNEL, "no_flip", "Unchanged kernel: convolve2d flips its kernel before sliding it, so you "
         "must undo that flip."),
        (FLIP_KERNEL.T, "transposed_kernel", "Transposing swaps rows and columns; convolution flips: top to "
         "bottom AND left to right."),
        (FLIP_KERNEL[::-1, :], "flipped_rows_only", "You flipped top to bottom only; convolution also "
         "flips left to right."),
        (FLIP_KERNEL[:, ::-1], "flipped_columns_only", "You flipped left to right only; convolution also "
         "flips top to bottom."),
    ]
    for expected, key, message in mistakes:
        if matches(array, expected):
            return wrong(message, key)
    return wrong("Not that kernel. Write out what convolve2d does to a kernel before sliding it, and undo it.")
