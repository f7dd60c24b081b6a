"""Exercises of notebook 02 (padding): an output size, the "same" padding, one padded output
value, and a row padded in "reflect" mode.

Each ``check_...`` returns a :class:`~cnnhelpers.exercises.Feedback` that says whether the answer
is right and, if not, which misconception it reveals, without giving the answer away.
"""

from __future__ import annotations

import numpy as np

from ..conv import conv_output_size, convolve2d, correlate2d
from ..lessons.padding import pad2d
from ..slides import SLIDE_INPUT, SLIDE_KERNEL
from ._feedback import Array, Feedback, Number, any_of, diagnose, wrong

__all__ = ["SIZE_QUESTION", "SAME_KERNEL_SIZE", "CELL_POSITION", "REFLECT_ROW", "REFLECT_PADDING",
           "check_padded_output_size", "check_same_padding", "check_padded_cell", "check_reflect_padding"]

# Exercise 1: the output size of a 32x32 image, a 7x7 kernel, padding 2, stride 1.
SIZE_QUESTION = {"size": 32, "kernel_size": 7, "padding": 2}
# Exercise 2: the padding per side that keeps the size for a 7x7 kernel at stride 1.
SAME_KERNEL_SIZE = 7
# Exercise 3: output (row, col) of correlate2d(SLIDE_INPUT, SLIDE_KERNEL, padding=1), by hand.
CELL_POSITION = (4, 0)
# Exercise 4: this row padded by REFLECT_PADDING on each side in "reflect" mode.
REFLECT_ROW = tuple(int(v) for v in SLIDE_INPUT[0])
REFLECT_PADDING = 2


def check_padded_output_size(answer) -> Feedback:
    """Exercise 1: the output size for :data:`SIZE_QUESTION` (stride 1, zero padding on each side).

    Parameters
    ----------
    answer : int, (int, int) or None
        The padded output's side (a square pair counts as its side).

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"padding_one_side"``, ``"forgot_padding"``, ``"off_by_one"``,
        ``"assumed_same"``.

    Examples
    --------
    >>> check_padded_output_size(None).misconception
    'not_answered'
    """
    size, kernel, pad = SIZE_QUESTION["size"], SIZE_QUESTION["kernel_size"], SIZE_QUESTION["padding"]
    right = conv_output_size(size, kernel, padding=pad)
    return diagnose(
        answer, Number("one whole number (the output's height = width)"), right,
        praise="Yes: the padded image is wider by the padding on both sides, and a window fits at every position "
               "up to the last padded pixel.",
        mistakes=[
            (size + pad - kernel + 1, "You counted the padding on one side only. Padding p adds p pixels on EACH "
             "side: the left and the right (and top and bottom).", "padding_one_side"),
            (size - kernel + 1, "That is the size without padding. The padding makes the input larger before the "
             "kernel slides over it.", "forgot_padding"),
            (right - 1, "Off by one: count the window positions, not the gaps between them. A kernel as wide as "
             "the input still has one position.", "off_by_one"),
            (right + 1, "Off by one: the window must fit entirely inside the padded input, so its last position "
             "ends at the last padded pixel.", "off_by_one"),
            (size, "Padding does not always keep the size: only the right amount for the kernel does ('same'). "
             "Work the formula out with these numbers.", "assumed_same"),
        ],
        hint="Not that. Pad the image, then count the positions where the whole kernel fits.")


def check_same_padding(answer) -> Feedback:
    """Exercise 2: the padding per side that keeps the size for a :data:`SAME_KERNEL_SIZE` kernel.

    Parameters
    ----------
    answer : int or None
        Pixels of padding on each side (the word "same" is answered with a nudge).

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"total_padding"`` (both sides added up), ``"kernel_size"``,
        ``"off_by_one"``, ``"mode_name"`` (answered "same" instead of a number).

    Examples
    --------
    >>> check_same_padding("same").misconception
    'mode_name'
    """
    if isinstance(answer, str) and answer.strip().strip("'\"").lower() == "same":
        return wrong("True, padding='same' does it, but how many pixels per side is that? Give the number.",
                     "mode_name")
    right = (SAME_KERNEL_SIZE - 1) // 2
    return diagnose(
        answer, Number("one whole number of pixels per side"), right,
        praise="Yes: the kernel reaches that far from its centre on each side, so padding that much lets it be "
               "centred on every pixel.",
        mistakes=[
            (SAME_KERNEL_SIZE - 1, "That is the padding of both sides together. The padding argument is per "
             "side: half goes left, half goes right.", "total_padding"),
            (SAME_KERNEL_SIZE, "Padding by the whole kernel size makes the output larger than the input. How far "
             "does the kernel reach beyond its centre pixel?", "kernel_size"),
            (right - 1, "One short: with that padding the output still shrinks by 2 pixels.", "off_by_one"),
            (right + 1, "One too many: with that padding the output grows by 2 pixels.", "off_by_one"),
        ],
        hint="Not that. The output shrinks by kernel_size - 1 without padding; padding must make that up.")


def check_padded_cell(answer) -> Feedback:
    """Exercise 3: ``correlate2d(SLIDE_INPUT, SLIDE_KERNEL, padding=1)[CELL_POSITION]`` by hand.

    Parameters
    ----------
    answer : number or None
        The one output value, worked out by hand on the padded grid.

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"flipped_kernel"``, ``"edge_padding"`` (padded with copies of
        the edge instead of zeros), ``"forgot_padding"`` (the unpadded output's corner),
        ``"wrong_window"`` (a neighbouring window).

    Examples
    --------
    >>> check_padded_cell(None).misconception
    'not_answered'
    """
    row, col = CELL_POSITION
    output = correlate2d(SLIDE_INPUT, SLIDE_KERNEL, padding=1)
    valid = correlate2d(SLIDE_INPUT, SLIDE_KERNEL)
    replicated = correlate2d(pad2d(SLIDE_INPUT, 1, "replicate"), SLIDE_KERNEL)
    neighbours = [output[r, c] for r, c in ((row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1))
                  if 0 <= r < output.shape[0] and 0 <= c < output.shape[1]]
    return diagnose(
        answer, Number("a single number"), output[row, col],
        praise="Yes: the window hangs over the border, and the padded zeros add nothing to the sum.",
        mistakes=[
            (convolve2d(SLIDE_INPUT, SLIDE_KERNEL, padding=1)[row, col], "You flipped the kernel (the "
             "mathematician's convolution). Lay it on the window as printed: weight [u, v] multiplies the "
             "window's pixel [u, v].", "flipped_kernel"),
            (replicated[row, col], "You filled the border with copies of the edge pixels ('replicate'). Zero "
             "padding puts zeros there.", "edge_padding"),
            (valid[min(row, valid.shape[0] - 1), min(col, valid.shape[1] - 1)], "That is the matching corner of "
             "the output WITHOUT padding. With padding 1 the window of this output starts one row and one column "
             "earlier, over the zeros.", "forgot_padding"),
            (any_of(neighbours), f"That is a neighbouring output. Output {CELL_POSITION} (row, col from 0) comes "
             f"from the window whose top-left corner is padded pixel {CELL_POSITION}.", "wrong_window"),
        ],
        hint="Not that. Draw the 7x7 padded grid, find the 3x3 window, multiply pixel by weight and add.")


def check_reflect_padding(answer) -> Feedback:
    """Exercise 4: :data:`REFLECT_ROW` padded by :data:`REFLECT_PADDING` on each side, mode "reflect".

    Parameters
    ----------
    answer : sequence of numbers or None
        The padded row, left padding first.

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"replicate"``, ``"mirrored_with_edge"`` (NumPy's "symmetric",
        which repeats the edge pixel), ``"circular"``, ``"zeros"``, ``"reversed_order"``,
        ``"wrong_length"``.

    Examples
    --------
    >>> check_reflect_padding([0]).misconception
    'wrong_length'
    """
    row = np.array([REFLECT_ROW])
    p = REFLECT_PADDING
    pad = (p, p, 0, 0)  # (left, right, top, bottom)
    right = pad2d(row, pad, "reflect")[0]
    reversed_sides = np.concatenate([right[:p][::-1], row[0], right[-p:][::-1]])
    return diagnose(
        answer, Array("the padded row as a list of numbers", flat=True), right,
        praise="Yes: 'reflect' mirrors the row around its edge pixel, which is not repeated.",
        mistakes=[
            (lambda values: values.size != right.size, lambda values: f"A row of {len(REFLECT_ROW)} padded by {p} "
             f"on each side has {len(REFLECT_ROW)} + 2·{p} numbers; you gave {values.size}.", "wrong_length"),
            (pad2d(row, pad, "replicate")[0], "That is 'replicate': copies of the edge pixel. 'reflect' mirrors "
             "the pixels next to the edge.", "replicate"),
            (np.pad(row, ((0, 0), (p, p)), mode="symmetric")[0], "You mirrored the row including its edge pixel, "
             "so the edge appears twice (NumPy calls that 'symmetric'). PyTorch's 'reflect' puts the mirror ON "
             "the edge pixel, which appears once.", "mirrored_with_edge"),
            (pad2d(row, pad, "circular")[0], "That is 'circular': the pixels of the opposite end. 'reflect' uses "
             "the pixels next to the same end.", "circular"),
            (pad2d(row, pad, "zeros")[0], "That is zero padding. 'reflect' copies pixels of the row.", "zeros"),
            (reversed_sides, "The right pixels, but in the wrong order: in a mirror the pixel nearest the edge "
             "stays nearest.", "reversed_order"),
            (lambda values: np.array_equal(values[p:-p], row[0]), "The middle is right; look again at what the "
             "mirror shows on each side.", None),
        ],
        hint=f"The middle of the padded row must be the row itself, {list(REFLECT_ROW)}; start from there.")
