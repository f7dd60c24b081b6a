"""Exercises of notebook 04 (depth): parameter counts, a two-channel convolution, a 1x1 convolution.

Each ``check_...`` returns a :class:`~cnnhelpers.exercises.Feedback` that says whether the answer
is right and, if not, which misconception it reveals; it never gives the answer away.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..conv import conv2d, convolve2d, correlate2d
from ..plotting import draw_grid
from ._feedback import Feedback, correct, matches, not_answered, read_number, read_only, wrong

__all__ = ["FIRST_LAYER", "SECOND_LAYER", "TWO_CHANNEL_INPUT", "TWO_CHANNEL_KERNEL", "TWO_CHANNEL_BIAS",
           "TWO_CHANNEL_POSITION", "check_first_layer_parameters", "check_second_layer_parameters",
           "check_two_channel_pixel", "check_average_weight", "not_answered", "show_two_channel_problem"]

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
    count = read_number(answer, "the count as a whole number (an int)", whole=True)
    if isinstance(count, Feedback):
        return count
    per_kernel = kernel_size * kernel_size * in_channels
    weights = out_channels * per_kernel
    if count == weights + out_channels:
        return correct(f"{out_channels} kernels, each {kernel_size}x{kernel_size}x{in_channels}, and one bias each.")
    flat = out_channels * kernel_size * kernel_size
    known = {
        weights: ("forgot_biases", "That counts the weights only: every kernel also has one learnable bias."),
        flat + out_channels: ("forgot_input_depth", "Each kernel reaches through the whole depth of its input: "
                              "it has one KxK slice per input channel, not a single KxK slice."),
        flat: ("forgot_input_depth", "Each kernel is as deep as its input (one slice per input channel), and "
               "each kernel has a bias too."),
        per_kernel + 1: ("one_kernel_only", "That is the count of ONE kernel and its bias; the layer has one "
                         "kernel per output channel."),
        per_kernel: ("one_kernel_only", "That is ONE kernel's weights; the layer has one kernel per output "
                     "channel, each with a bias."),
        weights + in_channels: ("bias_count_wrong", "There is one bias per kernel (per OUTPUT channel), not "
                                "one per input channel."),
        weights + out_channels * in_channels: ("bias_count_wrong", "There is one bias per kernel, not one per "
                                               "kernel slice."),
    }
    if image_depth is not None and image_depth != in_channels:
        wrong_depth = out_channels * (kernel_size * kernel_size * image_depth + 1)
        known[wrong_depth] = ("used_image_depth", f"This layer's input is not the image: it is the previous "
                              f"layer's output, whose depth is that layer's number of kernels, not {image_depth}.")
    if count in known:
        key, message = known[count]
        return wrong(message, key)
    return wrong("Count the numbers in one kernel (height x width x depth), then all the kernels, then the "
                 "biases.")


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
    """``output[0, 1]`` of ``conv2d(TWO_CHANNEL_INPUT, TWO_CHANNEL_KERNEL[None], [TWO_CHANNEL_BIAS])``."""
    if answer is None:
        return not_answered()
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return wrong(f"Give one number (the value of a single output pixel); got {answer!r}.", "not_a_number")
    x, kernel, bias, pos = TWO_CHANNEL_INPUT, TWO_CHANNEL_KERNEL, TWO_CHANNEL_BIAS, TWO_CHANNEL_POSITION
    parts = [correlate2d(x[c], kernel[c])[pos] for c in range(2)]
    output = conv2d(x, kernel[None], np.array([bias]))[0]
    if np.isclose(value, output[pos]):
        return correct("Both channels' products summed, plus the bias.")
    flipped = sum(convolve2d(x[c], kernel[c])[pos] for c in range(2)) + bias
    candidates = [
        (flipped, "flipped_kernel", "Deep-learning convolution does not flip the kernel: multiply each input "
                                    "value by the kernel weight at the same place in the window."),
        (sum(parts), "forgot_bias", "The channels are summed correctly; now add the bias."),
        (parts[0], "channels_not_summed", "That uses one channel only: the kernel reaches through both channels "
                                          "and the two results are added."),
        (parts[1], "channels_not_summed", "That uses one channel only: the kernel reaches through both channels "
                                          "and the two results are added."),
        (parts[0] + bias, "channels_not_summed", "That is one channel (plus the bias): add the other channel's "
                                                 "products too."),
        (parts[1] + bias, "channels_not_summed", "That is one channel (plus the bias): add the other channel's "
                                                 "products too."),
        (sum(parts) / 2 + bias, "channels_averaged", "The channels' results are added, not averaged."),
        (sum(parts) / 2, "channels_averaged", "The channels' results are added, not averaged (and the bias is "
                                              "added once at the end)."),
    ]
    for candidate, key, message in candidates:
        if np.isclose(value, candidate):
            return wrong(message, key)
    if np.any(np.isclose(value, output)):
        return wrong(f"That is the value of another output pixel: output[{pos[0]}, {pos[1]}] is row {pos[0]}, "
                     f"column {pos[1]}, counted from 0; its window starts there in the input.", "wrong_position")
    return wrong("Place the 3x3 window on each channel, multiply and add in each channel, then add the channels "
                 "and the bias.")


def check_average_weight(answer) -> Feedback:
    """The weight of a 1x1 convolution that turns an RGB image into the plain mean of its channels."""
    if answer is None:
        return not_answered()
    try:
        weight = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return wrong(f"Give an array of numbers; got {answer!r}.", "not_a_number")
    expected = np.full((1, 3, 1, 1), 1 / 3)
    if matches(weight, expected):
        return correct("One output channel, three input channels, a 1x1 window: each channel counts one third.")
    if weight.shape == (3, 1, 1, 1):
        return wrong("conv2d's weight is (out_channels, in_channels, KH, KW): this has three OUTPUT channels "
                     "reading one input channel.", "swapped_in_out")
    if weight.ndim == 4 and weight.shape[:2] == (1, 3) and weight.shape[2:] != (1, 1):
        return wrong("A 1x1 convolution looks at one pixel only: its kernel is 1x1, so the image is not blurred.",
                     "kernel_not_1x1")
    if weight.size == 3 and weight.shape != (1, 3, 1, 1):
        return wrong(f"conv2d needs a 4-D weight (out_channels, in_channels, KH, KW); got shape {weight.shape}.",
                     "not_oihw")
    if weight.shape != (1, 3, 1, 1):
        return wrong(f"The weight of this layer has shape (out_channels, in_channels, KH, KW) = one output "
                     f"channel, three input channels, 1x1; got shape {weight.shape}.", "wrong_shape")
    values = weight.ravel()
    if np.allclose(values, values[0]) and not np.isclose(values.sum(), 1):
        return wrong("Equal weights, good; but a mean divides the sum by the number of channels (the weights "
                     "add up to 1), or the image gets brighter or darker.", "not_normalised")
    if np.count_nonzero(values) == 1:
        return wrong("That keeps a single channel; the mean uses all three.", "one_channel_only")
    if np.isclose(values.sum(), 1):
        return wrong("The weights add up to 1, good; but the plain mean weighs every channel equally (these "
                     "weights favour some channels, like a luminance formula).", "unequal_weights")
    return wrong("Think of the output pixel as w0*red + w1*green + w2*blue: which w give the mean?")
