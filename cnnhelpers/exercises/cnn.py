"""Exercises of notebook 06 (a full CNN): shapes through a network, and backpropagation by hand.

Each ``check_...`` returns a :class:`~cnnhelpers.exercises.Feedback` that says whether the answer
is right and, if not, which misconception it reveals; it never gives the answer away.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..conv import conv2d_backward, conv_output_size, correlate2d
from ..nn.losses import softmax
from ..plotting import draw_grid
from ..pool import avg_pool2d_backward, max_pool2d_backward
from ._feedback import Feedback, correct, matches, not_answered, read_number, read_only, wrong

__all__ = ["LENET", "POOL_INPUT", "POOL_GRAD", "CONV_GRAD_OUT", "CONV_KERNEL", "CONV_INPUT_SHAPE", "LOGITS", "LABEL",
           "check_flatten_size", "check_max_pool_gradient", "check_conv_input_gradient",
           "check_cross_entropy_gradient", "show_backprop_problems"]




# Exercise 1: LeNet-5's feature extractor on a 28x28 digit, no padding anywhere.
LENET = {"input": (1, 28, 28), "conv1": (6, 5), "pool1": 2, "conv2": (16, 5), "pool2": 2}
# Exercise 2: 2x2 max pooling of a 4x4 input, and the gradient arriving from above.
POOL_INPUT = read_only([[1, 3, 2, 0], [4, 2, 1, 5], [0, 6, 3, 1], [2, 1, 4, 2]])
POOL_GRAD = read_only([[1, 2], [3, 4]])
# Exercise 3: a 2x2 kernel on a 3x3 input (output 2x2), and the gradient arriving at that output.
CONV_KERNEL = read_only([[1, 2], [3, 4]])
CONV_GRAD_OUT = read_only([[1, -1], [2, 0]])
CONV_INPUT_SHAPE = (3, 3)
# Exercise 4: three classes whose softmax is exactly (0.5, 0.3, 0.2); the true class is 1.
LOGITS = read_only(np.log([5.0, 3.0, 2.0]), dtype=np.float64)
LABEL = 1




def _flatten_size(input_hw: int, padding: int = 0, pools=(2, 2), channels: int = 16, shrink_extra: int = 0) -> int:
    size = input_hw
    for kernel, pool in zip((LENET["conv1"][1], LENET["conv2"][1]), pools, strict=True):
        size = conv_output_size(size, kernel, padding=padding) - shrink_extra
        size = size // pool
    return channels * size * size


def check_flatten_size(answer) -> Feedback:
    """Exercise 1: how many numbers leave ``Flatten`` in LeNet-5's feature extractor (see :data:`LENET`)?"""
    answer = read_number(answer, "a whole number (an int)", whole=True)
    if isinstance(answer, Feedback):
        return answer
    if answer == _flatten_size(28):
        return correct("Right: each 5x5 convolution without padding takes 4 rows and columns away, each pooling "
                       "halves the size, and Flatten multiplies channels x height x width.")
    suspects = [
        (_flatten_size(28, padding=2), "same_padding",
         "You kept the size through the convolutions, as if they were padded. Without padding a 5x5 kernel "
         "fits only size - 5 + 1 times."),
        (_flatten_size(28, shrink_extra=1), "off_by_one",
         "Off by one: a kernel of size k fits size - k + 1 times, not size - k."),
        (_flatten_size(28, pools=(1, 1)), "pooling_forgotten",
         "You forgot the pooling layers: each 2x2 max pool halves height and width."),
        (_flatten_size(28, pools=(2, 1)), "pooling_forgotten",
         "You forgot one of the two pooling layers: each halves height and width."),
        (_flatten_size(28, channels=1), "channels_forgotten",
         "That is one channel's map. Flatten keeps every channel: multiply by the number of kernels of "
         "the last convolution."),
        (_flatten_size(28, channels=LENET["conv1"][0]), "wrong_channels",
         "The channels after the network are those of the LAST convolution, not the first."),
    ]
    for value, key, message in suspects:
        if answer == value:
            return wrong(message, key)
    return wrong("Not quite. Follow one digit: write the shape (channels, height, width) after every layer, "
                 "with conv_output_size for the convolutions.", "other")


def _window_pick(x, grad, pick) -> np.ndarray:
    """Each 2x2 window's gradient sent to the cell ``pick`` chooses (argmax, argmin)."""
    out = np.zeros(x.shape)
    for i in range(grad.shape[0]):
        for j in range(grad.shape[1]):
            window = x[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            u, v = np.unravel_index(pick(window), (2, 2))
            out[2 * i + u, 2 * j + v] = grad[i, j]
    return out


def check_max_pool_gradient(answer) -> Feedback:
    """Exercise 2: the gradient of a 2x2 max pool with respect to :data:`POOL_INPUT`, given :data:`POOL_GRAD`."""
    if answer is None:
        return not_answered()
    expected = max_pool2d_backward(POOL_GRAD, POOL_INPUT, 2)
    if np.shape(answer) != expected.shape:
        return wrong(f"The gradient with respect to x has x's shape {expected.shape}; got shape {np.shape(answer)}.",
                     "wrong_shape")
    if matches(answer, expected):
        return correct("Right: only the maximum of each window affected the output, so only it gets gradient.")
    suspects = [
        (avg_pool2d_backward(POOL_GRAD, POOL_INPUT, 2), "spread_evenly",
         "You shared each gradient equally across the window: that is AVERAGE pooling's backward pass."),
        (np.kron(POOL_GRAD, np.ones((2, 2))), "copied_to_all",
         "You copied each gradient to all four cells of its window. Only one cell decided the output."),
        (_window_pick(POOL_INPUT, POOL_GRAD, np.argmin), "sent_to_minimum",
         "Each gradient went to the smallest value of its window; max pooling kept the largest."),
        (_window_pick(POOL_INPUT, np.ones_like(POOL_GRAD), np.argmax), "mask_only",
         "You marked where the maxima are, but each one must carry the gradient arriving from above, "
         "not 1."),
    ]
    for value, key, message in suspects:
        if matches(answer, value):
            return wrong(message, key)
    return wrong("Not quite. For each window: find the maximum of x, put the window's upstream gradient there, "
                 "zeros elsewhere.", "other")


def check_conv_input_gradient(answer) -> Feedback:
    """Exercise 3: the input gradient of a convolution with :data:`CONV_KERNEL`, given :data:`CONV_GRAD_OUT`."""
    if answer is None:
        return not_answered()
    weight = CONV_KERNEL[None, None].astype(float)
    expected = conv2d_backward(CONV_GRAD_OUT[None, None], np.zeros((1, 1, *CONV_INPUT_SHAPE)), weight)[0][0, 0]
    if np.shape(answer) != expected.shape:
        return wrong(f"The gradient with respect to x has x's shape {expected.shape}; got shape {np.shape(answer)}. "
                     "Pad the upstream gradient 'full' (kernel size - 1 on every side).", "wrong_shape")
    if matches(answer, expected):
        return correct("Right: every input pixel collects gradient from each output it helped to make, weighted "
                       "by the kernel entry that connected them; that is a full correlation with the flipped kernel.")
    suspects = [
        (correlate2d(CONV_GRAD_OUT, CONV_KERNEL, padding="full"), "kernel_not_flipped",
         "You correlated with the kernel as it is. Going backwards, the kernel must be flipped in both axes."),
        (correlate2d(CONV_GRAD_OUT, CONV_KERNEL[::-1], padding="full"), "flipped_one_axis",
         "You flipped the kernel along one axis only; flip it up-down AND left-right."),
        (correlate2d(CONV_GRAD_OUT, CONV_KERNEL[:, ::-1], padding="full"), "flipped_one_axis",
         "You flipped the kernel along one axis only; flip it up-down AND left-right."),
        (correlate2d(CONV_GRAD_OUT, CONV_KERNEL.T, padding="full"), "transposed_kernel",
         "You transposed the kernel; flipping means reversing both axes (kernel[::-1, ::-1])."),
    ]
    for value, key, message in suspects:
        if matches(answer, value):
            return wrong(message, key)
    return wrong("Not quite. For each input pixel, add up upstream gradient x kernel weight over every output it "
                 "contributed to.", "other")


def check_cross_entropy_gradient(answer) -> Feedback:
    """Exercise 4: the gradient of the cross-entropy loss with respect to :data:`LOGITS` for class :data:`LABEL`."""
    if answer is None:
        return not_answered()
    probabilities, one_hot = softmax(LOGITS), np.eye(len(LOGITS))[LABEL]
    if np.shape(answer) != probabilities.shape:
        return wrong(f"One partial derivative per logit: expected shape {probabilities.shape}, got {np.shape(answer)}.",
                     "wrong_shape")
    if matches(answer, probabilities - one_hot, atol=1e-3):
        return correct("Right: softmax probabilities minus the one-hot label. The true class is pushed up, "
                       "every other class down, in proportion to its probability.")
    suspects = [
        (probabilities, "forgot_one_hot", "Those are the probabilities. Subtract the one-hot label."),
        (one_hot - probabilities, "sign_flipped",
         "The sign is flipped: the loss falls when the true class's logit rises, so its derivative is negative."),
        (LOGITS - one_hot, "not_softmaxed", "Turn the logits into probabilities (softmax) first."),
    ]
    suspects += [(probabilities - np.eye(len(LOGITS))[k], "wrong_class",
                  f"That subtracts 1 at class {k}; the true class is {LABEL}.")
                 for k in range(len(LOGITS)) if k != LABEL]
    for value, key, message in suspects:
        if matches(answer, value, atol=1e-3):
            return wrong(message, key)
    return wrong("Not quite. Compute softmax(logits), then subtract 1 at the true class.", "other")


def show_backprop_problems() -> Figure:
    """Draw exercises 2 and 3: the max-pool input and upstream gradient, the kernel and its upstream gradient.

    Returns
    -------
    fig : matplotlib Figure
    """
    fig, all_axes = plt.subplots(1, 6, figsize=(16, 4.2), layout="constrained",
                                 gridspec_kw={"width_ratios": [4, 0.3, 2, 1.2, 2, 2]})
    all_axes[1].set_visible(False)  # spacers between the two exercises
    all_axes[3].set_visible(False)
    axes = all_axes[[0, 2, 4, 5]]
    draw_grid(axes[0], POOL_INPUT, title="ex. 2: input x", signed=False)
    for k in (1, 2, 3):
        axes[0].axhline(k - 0.5, color="black", linewidth=1 + 2.5 * (k == 2))
        axes[0].axvline(k - 0.5, color="black", linewidth=1 + 2.5 * (k == 2))
    draw_grid(axes[1], POOL_GRAD, title="ex. 2: gradient\nfrom above", signed=False)
    draw_grid(axes[2], CONV_KERNEL, title="ex. 3: kernel", signed=False)
    draw_grid(axes[3], CONV_GRAD_OUT, title="ex. 3: gradient\nfrom above", signed=True)
    return fig
