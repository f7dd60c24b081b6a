"""Exercises of notebook 02 (padding): an output size, the "same" padding, one padded output
value, and a row padded in "reflect" mode; and Build it: the student's own
``conv2d(x, w, b, stride, padding)``, checked by :func:`check_conv2d`. The function grows over
three notebooks (padding in 02, stride in 03, channels and many kernels in 04), so its checker
lives here, where it is first met, and ``up_to`` says how far it has grown.

Each ``check_...`` returns a :class:`~cnnhelpers.exercises.Feedback` that says whether the answer
is right and, if not, which misconception it reveals, without giving the answer away.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .. import reference
from ..conv import conv_output_size, convolve2d, correlate2d
from ..lessons.padding import pad2d
from ..slides import SLIDE_INPUT, SLIDE_KERNEL
from ._build import CONV2D_FLIPPED, TIME_LIMIT, Bug, Exercise, flipped, frozen, ints, pad_sides, run_checks
from ._feedback import Array, Feedback, Number, any_of, diagnose, wrong

__all__ = ["SIZE_QUESTION", "SAME_KERNEL_SIZE", "CELL_POSITION", "REFLECT_ROW", "REFLECT_PADDING",
           "check_padded_output_size", "check_same_padding", "check_padded_cell", "check_reflect_padding",
           "CONV2D_STAGES", "check_conv2d"]

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


# -- Build it (notebooks 02-04): the student's conv2d(x, w, b, stride, padding), grown over three notebooks ----------

#: The checkers of this module whose answer is a function the student wrote.
CODE_CHECKERS = {"check_conv2d"}


# (N, C, O, H, W, KH, KW, stride, padding), smallest first within each stage of notebooks 02-04, after
# a first 3x3 input written out by hand.
_CONV2D_SHAPES = {
    "padding": [(1, 1, 1, 3, 3, 2, 2, 1, 1), (1, 1, 1, 4, 5, 3, 3, 1, 1),
                (1, 1, 1, 5, 4, 2, 3, 1, 2), (1, 1, 1, 6, 6, 3, 3, 1, 0), (1, 1, 1, 10, 12, 3, 3, 1, 1)],
    "stride": [(1, 1, 1, 5, 5, 3, 3, 2, 0), (1, 1, 1, 5, 5, 3, 3, 2, 1), (1, 1, 1, 6, 7, 2, 2, 2, 0),
               (1, 1, 1, 4, 4, 2, 2, 3, 0), (1, 1, 1, 7, 7, 3, 3, 3, 1), (1, 1, 1, 9, 10, 3, 3, 2, 1)],
    "channels": [(1, 2, 1, 4, 4, 2, 2, 1, 0), (1, 1, 2, 4, 4, 2, 2, 1, 0), (2, 1, 1, 4, 4, 2, 2, 1, 0),
                 (1, 3, 2, 5, 6, 3, 2, 1, 1), (2, 3, 4, 8, 9, 3, 3, 2, 1), (3, 2, 3, 12, 10, 3, 3, 1, 1)],
}
CONV2D_STAGES = tuple(_CONV2D_SHAPES)


@cache
def _conv2d_cases(up_to: str = "channels") -> tuple[tuple, ...]:
    rng = np.random.default_rng(3)
    stages = CONV2D_STAGES[:CONV2D_STAGES.index(up_to) + 1]
    cases = [(np.arange(1.0, 10).reshape(1, 1, 3, 3), np.array([[[[1.0, 2], [0, -1]]]]), np.array([1.0]), 1, 0)]
    for n, c, o, h, w, kh, kw, stride, padding in (shape for stage in stages for shape in _CONV2D_SHAPES[stage]):
        cases.append((ints(rng, 0, 9, (n, c, h, w)), ints(rng, -2, 2, (o, c, kh, kw)), ints(rng, -3, 3, o) + 1,
                      stride, padding))
    return frozen(cases)


_STRIDE = ("Your windows move one pixel at a time whatever the stride: window (i, j) starts at row i*stride and "
           "column j*stride.")


_CONV2D = Exercise(
    "conv2d", ("x", "w", "b", "stride", "padding"), ("output",), _conv2d_cases,
    (Bug("flipped_kernel", "output", lambda x, w, b, s, p: reference.conv2d(x, flipped(w), b, s, p),
         CONV2D_FLIPPED),
     Bug("bias_ignored", "output", lambda x, w, b, s, p: reference.conv2d(x, w, None, s, p),
         "The bias is missing: every output of kernel k gets b[k] added."),
     Bug("stride_ignored", "output", lambda x, w, b, s, p: reference.conv2d(x, w, b, 1, p),
         "That is the output of stride 1. " + _STRIDE),
     Bug("stride_ignored", "output",
         lambda x, w, b, s, p: reference.conv2d(x, w, b, 1, p)[..., :(x.shape[2] + 2 * p - w.shape[2]) // s + 1,
                                                                :(x.shape[3] + 2 * p - w.shape[3]) // s + 1],
         "The output has the right size, but " + _STRIDE[0].lower() + _STRIDE[1:]),
     Bug("padding_ignored", "output", lambda x, w, b, s, p: reference.conv2d(x, w, b, s, 0),
         "No padding was added: padding = p adds p rows of zeros above and below the image and p columns "
         "left and right, before the kernel slides."),
     Bug("padding_one_side", "output", lambda x, w, b, s, p: reference.conv2d(pad_sides(x, p, 0), w, b, s, 0),
         "The zeros went on the top and left only: padding adds p rows and columns on all four sides."),
     Bug("padding_one_side", "output", lambda x, w, b, s, p: reference.conv2d(pad_sides(x, 0, p), w, b, s, 0),
         "The zeros went on the bottom and right only: padding adds p rows and columns on all four sides."),
     Bug("channels_not_summed", "output",
         lambda x, w, b, s, p: reference.conv2d(x[:, -1:], w[:, -1:], b, s, p),
         "Only the last input channel counts: each output sums over every channel c of x[n, c] * w[k, c] "
         "(did a loop over channels assign with = instead of adding with +=?)."),
     Bug("channels_not_summed", "output",
         lambda x, w, b, s, p: reference.conv2d(x[:, :1], w[:, :1], b, s, p),
         "Only the first input channel counts: each output sums over every channel c of x[n, c] * w[k, c].")),
    "Work out out[0, 0, 0, 0] by hand: the top-left window of the padded image, times w[0], summed, plus b[0].")


def check_conv2d(fn, *, up_to: str = "channels", time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(x, w, b, stride, padding)``, a convolutional layer's forward pass.

    Parameters
    ----------
    fn : callable or None
        x (N, C, H, W), w (O, C, KH, KW), b (O,), int stride, int padding (zeros on all four
        sides) -> (N, O, OH, OW).
    up_to : "padding", "stride" or "channels"
        How far the function has grown: notebook 02 checks padding only (stride 1, one channel,
        one kernel, one image), 03 adds strides, 04 channels, kernels and batches.
    time_limit : float
        Seconds each call may take.

    Examples
    --------
    >>> from cnnhelpers import reference
    >>> check_conv2d(reference.conv2d, up_to="padding").ok
    True
    """
    if up_to not in CONV2D_STAGES:
        raise ValueError(f"up_to must be one of {CONV2D_STAGES}; got {up_to!r}")
    return run_checks(_CONV2D, fn, time_limit, _conv2d_cases(up_to))
