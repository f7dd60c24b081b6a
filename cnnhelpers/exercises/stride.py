"""Exercises of notebook 03 (stride): output sizes with a stride and with a dilation, and the
stride and padding that give a wanted size.

Each ``check_...`` returns a :class:`~cnnhelpers.exercises.Feedback` that says whether the answer
is right and, if not, which misconception it reveals, without giving the answer away.
"""

from __future__ import annotations

from ..conv import conv_output_size
from ._feedback import Feedback, Number, any_of, correct, describe, diagnose, not_answered, read_number, wrong

__all__ = ["STRIDE_QUESTION", "DILATION_QUESTION", "TARGET_QUESTION", "check_strided_output_size",
           "check_dilated_output_size", "check_stride_and_padding"]

# Exercise 1: a 27x27 image, a 5x5 kernel, stride 2, no padding. 27, not 28: with 28 the stride-1 size
# divided by the stride (24 / 2) happens to be the right answer, and that misconception would pass.
STRIDE_QUESTION = {"size": 27, "kernel_size": 5, "stride": 2, "padding": 0}
# Exercise 2: a 32x32 image, a 5x5 kernel with dilation 3, stride 1, no padding.
DILATION_QUESTION = {"size": 32, "kernel_size": 5, "dilation": 3}
# Exercise 3: a stride and a padding that turn a 64x64 image into 32x32 with a 3x3 kernel.
TARGET_QUESTION = {"size": 64, "output_size": 32, "kernel_size": 3}


def check_strided_output_size(answer) -> Feedback:
    """Exercise 1: the output size for :data:`STRIDE_QUESTION`.

    Parameters
    ----------
    answer : int, (int, int) or None
        The strided output's side (a fraction is answered: it shows a missing floor).

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"divided_stride_1_size"`` (the stride-1 size divided by the
        stride), ``"divided_input"`` (size / stride, ignoring the kernel), ``"off_by_one"`` (the +1
        left out), ``"ignored_stride"``, ``"forgot_floor"`` (another fraction).

    Examples
    --------
    >>> check_strided_output_size(None).misconception
    'not_answered'
    """
    size, kernel, step = STRIDE_QUESTION["size"], STRIDE_QUESTION["kernel_size"], STRIDE_QUESTION["stride"]
    span = size - kernel
    return diagnose(
        answer, Number("one number (the output's height = width)"),
        conv_output_size(size, kernel, step, STRIDE_QUESTION["padding"]),
        praise="Yes: the window takes steps of the stride and must fit entirely; a last partial step is dropped "
               "(the floor).",
        mistakes=[
            ((span + 1) / step, "That is the stride-1 size divided by the stride, but the first window is not a "
             "step: count the steps after it, (size - kernel) / stride, round down, and add the first window.",
             "divided_stride_1_size"),
            (any_of([size / step, size // step]), "Dividing the input by the stride forgets the kernel: the window "
             "must fit inside the image at every position, so the kernel's width comes off first.",
             "divided_input"),
            (lambda value: isinstance(value, float), "An output has a whole number of pixels. When the steps do "
             "not divide evenly, the last window would stick out of the image, so it is dropped: round DOWN "
             "(floor).", "forgot_floor"),
            (span // step, "Off by one: the floor counts the steps after the first window; add the first window "
             "itself.", "off_by_one"),
            (span + 1, "That is the stride-1 size. With stride 2 the window jumps two pixels at a time.",
             "ignored_stride"),
        ],
        hint="Not that. Subtract the kernel's reach, divide by the stride, round down, and count the first window.")


def check_dilated_output_size(answer) -> Feedback:
    """Exercise 2: the output size for :data:`DILATION_QUESTION` (stride 1, no padding).

    Parameters
    ----------
    answer : int, (int, int) or None
        The side of the output of the dilated kernel.

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"ignored_dilation"``, ``"span_dilation_times_kernel"`` (took the
        dilated kernel to span ``dilation * kernel_size`` pixels), ``"off_by_one"``.

    Examples
    --------
    >>> check_dilated_output_size(None).misconception
    'not_answered'
    """
    size, kernel, dil = DILATION_QUESTION["size"], DILATION_QUESTION["kernel_size"], DILATION_QUESTION["dilation"]
    right = conv_output_size(size, kernel, dilation=dil)
    return diagnose(
        answer, Number("one whole number"), right,
        praise="Yes: the dilated kernel spans dilation·(kernel_size − 1) + 1 pixels, and it must fit.",
        mistakes=[
            (size - kernel + 1, "That is the size for an undilated kernel. Dilation spreads the taps apart, so the "
             "kernel covers a wider span of the image.", "ignored_dilation"),
            (size - dil * kernel + 1, "The span is not dilation × kernel_size: there are kernel_size − 1 gaps "
             "between the taps, each dilation pixels wide, plus the one pixel of the first tap.",
             "span_dilation_times_kernel"),
            (right - 1, "Off by one: count the window positions; a window exactly as wide as the image still has "
             "one position.", "off_by_one"),
            (right + 1, "Off by one: the window must end inside the image.", "off_by_one"),
        ],
        hint="Not that. Work out how many pixels the dilated kernel spans first, then slide it.")


def check_stride_and_padding(stride, padding) -> Feedback:
    """Exercise 3: a stride and a padding giving :data:`TARGET_QUESTION`'s output size.

    Parameters
    ----------
    stride : int or None
    padding : int, "same" or None

    Returns
    -------
    Feedback
        Misconceptions recognised: ``"stride_one"``, ``"same_with_stride"``, ``"forgot_padding"``
        (one pixel short), ``"too_much_padding"``, ``"stride_too_large"``.

    Examples
    --------
    >>> check_stride_and_padding(1, 1).misconception
    'stride_one'
    """
    if stride is None or padding is None:
        return not_answered()
    size, wanted, kernel = (TARGET_QUESTION[key] for key in ("size", "output_size", "kernel_size"))
    step = read_number(stride, "the stride as a whole number >= 1", whole=True)
    if isinstance(step, Feedback) or step < 1:
        return wrong(f"stride must be a whole number >= 1; got {describe(stride)}.", "not_a_number")
    if isinstance(padding, str) and padding.strip().lower() == "same":
        if step == 1:
            return wrong("'same' with stride 1 keeps the size; it does not shrink it.", "stride_one")
        return wrong("padding='same' is only defined for stride 1 (PyTorch refuses it for larger strides): "
                     "with a stride the output cannot keep the input's size. Give the padding as a number.",
                     "same_with_stride")
    pad = read_number(padding, "the padding as a whole number >= 0", whole=True)
    if isinstance(pad, Feedback) or pad < 0:
        return wrong(f"padding must be a whole number >= 0 (or 'same'); got {describe(padding)}.", "not_a_number")
    if pad > size:
        return wrong(f"That padding ({describe(pad)}) is more than the whole {size}x{size} image on each side: "
                     "the windows would see mostly zeros.", "too_much_padding")
    got = conv_output_size(size, kernel, step, pad)
    if got == wanted:
        return correct(f"Yes: {size}x{size} becomes {got}x{got}.")
    if step == 1:
        return wrong("Stride 1 moves the window one pixel at a time, so the output is about as large as the "
                     "input: padding cannot halve it.", "stride_one")
    if got == wanted - 1 and conv_output_size(size, kernel, step, pad + 1) == wanted:
        return wrong(f"That gives {got}x{got}: one short. Without enough padding the window cannot be centred "
                     f"on the last pixels.", "forgot_padding")
    if got > wanted and pad > 0 and conv_output_size(size, kernel, step, pad - 1) <= wanted:
        return wrong(f"That gives {got}x{got}: the extra padding adds a window position.", "too_much_padding")
    if got < wanted:
        return wrong(f"That gives {got}x{got}: the stride is too large for that target.", "stride_too_large")
    return wrong(f"That gives {got}x{got}, not {wanted}x{wanted}. Try the formula with your numbers.")
