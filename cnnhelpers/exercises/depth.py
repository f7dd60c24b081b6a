"""Exercises of notebook 04 (depth): parameter counts, a two-channel convolution, a 1x1 convolution.

Each ``check_...`` returns a :class:`~cnnhelpers.exercises.Feedback` that says whether the answer
is right and, if not, which misconception it reveals; it never gives the answer away.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..conv import conv2d, convolve2d, correlate2d
from ..plotting import draw_grid
from ._feedback import Array, Feedback, Number, any_of, diagnose, not_answered, read_only

__all__ = ["FIRST_LAYER", "SECOND_LAYER", "TWO_CHANNEL_INPUT", "TWO_CHANNEL_KERNEL", "TWO_CHANNEL_BIAS",
           "TWO_CHANNEL_POSITION", "ROUNDING_TOLERANCE", "check_first_layer_parameters",
           "check_second_layer_parameters", "check_two_channel_pixel", "check_average_weight", "not_answered",
           "show_two_channel_problem"]

# Exercise 1: a first layer of 16 kernels of 5x5 on an RGB image; exercise 1b: 32 kernels of 3x3 on top.
FIRST_LAYER = {"in_channels": 3, "out_channels": 16, "kernel_size": 5}
SECOND_LAYER = {"in_channels": 16, "out_channels": 32, "kernel_size": 3}
# Exercise 2: a two-channel input and a two-channel kernel (drawn in the notebook).
TWO_CHANNEL_INPUT = read_only([[[2, 0, 0, 3], [1, 3, 0, 1], [2, 0, 1, 1], [0, 0, 3, 3]],
                               [[2, 3, 1, 3], [0, 2, 0, 2], [3, 3, 0, 2], [0, 0, 1, 3]]])
TWO_CHANNEL_KERNEL = read_only([[[1, 0, -1], [2, 1, 1], [1, -1, 2]],
                                [[0, 0, 1], [-1, -1, 0], [-1, 1, 0]]])
TWO_CHANNEL_BIAS = 1
TWO_CHANNEL_POSITION = (0, 1)

# Exercise 3: the 1x1 weight of the plain mean of three channels. 1/3 rounded is accepted within
# ROUNDING_TOLERANCE: 0.33 and 0.333 pass; 0.3 or 0.34 is rounded too far (the mean would be 10 % too
# dark or 2 % too bright).
ROUNDING_TOLERANCE = 0.005


def show_two_channel_problem():
    """Draw exercise 2: the two input channels and the two slices of the kernel, as grids.

    Returns
    -------
    fig : matplotlib Figure
    """
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.6), layout="constrained",
                             gridspec_kw={"width_ratios": [4, 4, 3, 3]})
    for c in range(2):
        draw_grid(axes[c], TWO_CHANNEL_INPUT[c], title=f"input, channel {c}", signed=False)
        draw_grid(axes[2 + c], TWO_CHANNEL_KERNEL[c], title=f"kernel, channel {c}", signed=True)
    fig.suptitle(f"bias = {TWO_CHANNEL_BIAS}: what is output[{TWO_CHANNEL_POSITION[0]}, {TWO_CHANNEL_POSITION[1]}]?")
    return fig


def _check_parameter_count(answer, in_channels: int, out_channels: int, kernel_size: int,
                           image_depth: int | None = None) -> Feedback:
    per_kernel = kernel_size * kernel_size * in_channels
    weights = out_channels * per_kernel
    flat = out_channels * kernel_size * kernel_size
    mistakes = [
        (weights, "That counts the weights only: every kernel also has one learnable bias.", "forgot_biases"),
        (flat + out_channels, "Each kernel reaches through the whole depth of its input: it has one KxK slice per "
         "input channel, not a single KxK slice.", "forgot_input_depth"),
        (flat, "Each kernel is as deep as its input (one slice per input channel), and each kernel has a bias too.",
         "forgot_input_depth"),
        (per_kernel + 1, "That is the count of ONE kernel and its bias; the layer has one kernel per output "
         "channel.", "one_kernel_only"),
        (per_kernel, "That is ONE kernel's weights; the layer has one kernel per output channel, each with a bias.",
         "one_kernel_only"),
        (weights + in_channels, "There is one bias per kernel (per OUTPUT channel), not one per input channel.",
         "bias_count_wrong"),
        (weights + out_channels * in_channels, "There is one bias per kernel, not one per kernel slice.",
         "bias_count_wrong"),
    ]
    if image_depth is not None and image_depth != in_channels:
        mistakes.insert(0, (out_channels * (kernel_size * kernel_size * image_depth + 1), "This layer's input is "
                            "not the image: it is the previous layer's output, whose depth is that layer's number "
                            f"of kernels, not {image_depth}.", "used_image_depth"))
    return diagnose(
        answer, Number("the count as a whole number (an int)", whole=True), weights + out_channels,
        praise=f"{out_channels} kernels, each {kernel_size}x{kernel_size}x{in_channels}, and one bias each.",
        mistakes=mistakes,
        hint="Count the numbers in one kernel (height x width x depth), then all the kernels, then the biases.")


def check_first_layer_parameters(answer) -> Feedback:
    """Learnable numbers of a layer of 16 kernels of size 5x5 on an RGB image, biases included.

    Examples
    --------
    >>> check_first_layer_parameters(None).misconception
    'not_answered'
    """
    return _check_parameter_count(answer, **FIRST_LAYER)


def check_second_layer_parameters(answer) -> Feedback:
    """Learnable numbers of 32 kernels of size 3x3 on the output of the first layer, biases included."""
    return _check_parameter_count(answer, **SECOND_LAYER, image_depth=FIRST_LAYER["in_channels"])


def check_two_channel_pixel(answer) -> Feedback:
    """``output[0, 1]`` of ``conv2d(TWO_CHANNEL_INPUT, TWO_CHANNEL_KERNEL[None], [TWO_CHANNEL_BIAS])``.

    Examples
    --------
    >>> check_two_channel_pixel(True).message
    'Give one number (the value of a single output pixel); got True (yes/no, not a number).'
    """
    x, kernel, bias, pos = TWO_CHANNEL_INPUT, TWO_CHANNEL_KERNEL, TWO_CHANNEL_BIAS, TWO_CHANNEL_POSITION
    parts = [correlate2d(x[c], kernel[c])[pos] for c in range(2)]
    output = conv2d(x, kernel[None], np.array([bias]))[0]
    flipped = sum(convolve2d(x[c], kernel[c])[pos] for c in range(2)) + bias
    one_channel = "That uses one channel only: the kernel reaches through both channels and the two results are added."
    one_channel_and_bias = "That is one channel (plus the bias): add the other channel's products too."
    return diagnose(
        answer, Number("one number (the value of a single output pixel)"), output[pos],
        praise="Both channels' products summed, plus the bias.",
        mistakes=[
            (flipped, "Deep-learning convolution does not flip the kernel: multiply each input value by the kernel "
             "weight at the same place in the window.", "flipped_kernel"),
            (sum(parts), "The channels are summed correctly; now add the bias.", "forgot_bias"),
            (parts[0], one_channel, "channels_not_summed"),
            (parts[1], one_channel, "channels_not_summed"),
            (parts[0] + bias, one_channel_and_bias, "channels_not_summed"),
            (parts[1] + bias, one_channel_and_bias, "channels_not_summed"),
            (sum(parts) / 2 + bias, "The channels' results are added, not averaged.", "channels_averaged"),
            (sum(parts) / 2, "The channels' results are added, not averaged (and the bias is added once at the "
             "end).", "channels_averaged"),
            (any_of(output.ravel()), f"That is the value of another output pixel: "
             f"output[{pos[0]}, {pos[1]}] is row {pos[0]}, column {pos[1]}, counted from 0; its window starts there "
             "in the input.", "wrong_position"),
        ],
        hint="Place the 3x3 window on each channel, multiply and add in each channel, then add the channels and the "
             "bias.")


def check_average_weight(answer) -> Feedback:
    """The weight of a 1x1 convolution that turns an RGB image into the plain mean of its channels.

    A third rounded to two or more decimals (0.33, 0.333) is right: every weight within
    :data:`ROUNDING_TOLERANCE` of 1/3 is accepted.

    Examples
    --------
    >>> check_average_weight([[[[0.33]], [[0.33]], [[0.33]]]]).ok
    True
    """
    shape = (1, 3, 1, 1)

    def is_third(weight, tolerance=ROUNDING_TOLERANCE):
        return weight.shape == shape and bool(np.all(np.abs(weight - 1 / 3) <= tolerance))

    def praise(weight):
        rounded = "" if is_third(weight, 1e-9) else (f" Your weights are 1/3 rounded, which is fine: anything within "
                                                       f"{ROUNDING_TOLERANCE} of a third is accepted.")
        return "One output channel, three input channels, a 1x1 window: each channel counts one third." + rounded

    def equal_weights(weight):
        return np.allclose(weight, weight.ravel()[0])

    return diagnose(
        answer, Array("an array of numbers"), is_third, praise=praise,
        mistakes=[
            (lambda weight: weight.shape == (3, 1, 1, 1), "conv2d's weight is (out_channels, in_channels, KH, KW): "
             "this has three OUTPUT channels reading one input channel.", "swapped_in_out"),
            (lambda weight: weight.ndim == 4 and weight.shape[:2] == (1, 3) and weight.shape[2:] != (1, 1),
             "A 1x1 convolution looks at one pixel only: its kernel is 1x1, so the image is not blurred.",
             "kernel_not_1x1"),
            (lambda weight: weight.size == 3 and weight.shape != shape, lambda weight: f"conv2d needs a 4-D weight "
             f"(out_channels, in_channels, KH, KW); got shape {weight.shape}.", "not_oihw"),
            (lambda weight: weight.shape != shape, lambda weight: f"The weight of this layer has shape "
             f"(out_channels, in_channels, KH, KW) = one output channel, three input channels, 1x1; got shape "
             f"{weight.shape}.", "wrong_shape"),
            (lambda weight: equal_weights(weight) and is_third(weight, 0.05), "Equal weights of about a third, "
             "good; but rounded too far: the mean comes out a few percent too dark or too bright. Keep two "
             "decimals, or write 1/3.", "rounded_too_far"),
            (lambda weight: equal_weights(weight) and not np.isclose(weight.sum(), 1), "Equal weights, good; but a "
             "mean divides the sum by the number of channels (the weights add up to 1), or the image gets brighter "
             "or darker.", "not_normalised"),
            (lambda weight: np.count_nonzero(weight) == 1, "That keeps a single channel; the mean uses all three.",
             "one_channel_only"),
            (lambda weight: np.isclose(weight.sum(), 1), "The weights add up to 1, good; but the plain mean weighs "
             "every channel equally (these weights favour some channels, like a luminance formula).",
             "unequal_weights"),
        ],
        hint="Think of the output pixel as w0*red + w1*green + w2*blue: which w give the mean?")
