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
from ._feedback import Array, Feedback, Number, diagnose, read_only

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
    """Exercise 1: how many numbers leave ``Flatten`` in LeNet-5's feature extractor (see :data:`LENET`)?

    Misconceptions recognised: ``"same_padding"``, ``"off_by_one"``, ``"pooling_forgotten"``,
    ``"channels_forgotten"``, ``"wrong_channels"``, ``"classic_lenet_input"`` (the textbook 400,
    which is for a 32x32 input); any other wrong number is ``"other"``.

    Examples
    --------
    >>> check_flatten_size(16 * 5 * 5).misconception
    'classic_lenet_input'
    """
    size = LENET["input"][1]
    return diagnose(
        answer, Number("a whole number (an int)", whole=True), _flatten_size(size),
        praise="Right: each 5x5 convolution without padding takes 4 rows and columns away, each pooling halves the "
               "size, and Flatten multiplies channels x height x width.",
        mistakes=[
            (_flatten_size(32), f"{_flatten_size(32)} = 16·5·5 is the classic LeNet-5 figure, for a 32x32 input "
             f"(LeCun padded the {size}x{size} digits to 32x32; in PyTorch, padding=2 in the first convolution). "
             f"Here the digit is {size}x{size} and nothing is padded: follow the size from {size}.",
             "classic_lenet_input"),
            (_flatten_size(size, padding=2), "You kept the size through the convolutions, as if they were padded. "
             "Without padding a 5x5 kernel fits only size - 5 + 1 times.", "same_padding"),
            (_flatten_size(size, shrink_extra=1), "Off by one: a kernel of size k fits size - k + 1 times, not "
             "size - k.", "off_by_one"),
            (_flatten_size(size, pools=(1, 1)), "You forgot the pooling layers: each 2x2 max pool halves height and "
             "width.", "pooling_forgotten"),
            (_flatten_size(size, pools=(2, 1)), "You forgot one of the two pooling layers: each halves height and "
             "width.", "pooling_forgotten"),
            (_flatten_size(size, channels=1), "That is one channel's map. Flatten keeps every channel: multiply by "
             "the number of kernels of the last convolution.", "channels_forgotten"),
            (_flatten_size(size, channels=LENET["conv1"][0]), "The channels after the network are those of the LAST "
             "convolution, not the first.", "wrong_channels"),
        ],
        hint="Not quite. Follow one digit: write the shape (channels, height, width) after every layer, with "
             "conv_output_size for the convolutions.", hint_key="other")


def _window_pick(x, grad, pick) -> np.ndarray:
    """Each 2x2 window's gradient sent to the cell ``pick`` chooses (argmax, argmin)."""
    out = np.zeros(x.shape)
    for i in range(grad.shape[0]):
        for j in range(grad.shape[1]):
            window = x[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            u, v = np.unravel_index(pick(window), (2, 2))
            out[2 * i + u, 2 * j + v] = grad[i, j]
    return out


def _gradient_of_x(shape: tuple[int, ...], advice: str = "") -> tuple:
    """The mistakes-table row for an answer of the wrong shape (a gradient has the shape of what it is of)."""
    return (lambda grad: grad.shape != shape,
            lambda grad: f"The gradient with respect to x has x's shape {shape}; got shape {grad.shape}.{advice}",
            "wrong_shape")


def check_max_pool_gradient(answer) -> Feedback:
    """Exercise 2: the gradient of a 2x2 max pool with respect to :data:`POOL_INPUT`, given :data:`POOL_GRAD`.

    Examples
    --------
    >>> check_max_pool_gradient([[1, 2], [3]]).misconception
    'not_a_number'
    """
    expected = max_pool2d_backward(POOL_GRAD, POOL_INPUT, 2)
    return diagnose(
        answer, Array("a 4x4 array of numbers"), expected,
        praise="Right: only the maximum of each window affected the output, so only it gets gradient.",
        mistakes=[
            _gradient_of_x(expected.shape),
            (avg_pool2d_backward(POOL_GRAD, POOL_INPUT, 2), "You shared each gradient equally across the window: "
             "that is AVERAGE pooling's backward pass.", "spread_evenly"),
            (np.kron(POOL_GRAD, np.ones((2, 2))), "You copied each gradient to all four cells of its window. Only "
             "one cell decided the output.", "copied_to_all"),
            (_window_pick(POOL_INPUT, POOL_GRAD, np.argmin), "Each gradient went to the smallest value of its "
             "window; max pooling kept the largest.", "sent_to_minimum"),
            (_window_pick(POOL_INPUT, np.ones_like(POOL_GRAD), np.argmax), "You marked where the maxima are, but "
             "each one must carry the gradient arriving from above, not 1.", "mask_only"),
        ],
        hint="Not quite. For each window: find the maximum of x, put the window's upstream gradient there, zeros "
             "elsewhere.", hint_key="other")


def check_conv_input_gradient(answer) -> Feedback:
    """Exercise 3: the input gradient of a convolution with :data:`CONV_KERNEL`, given :data:`CONV_GRAD_OUT`."""
    weight = CONV_KERNEL[None, None].astype(float)
    expected = conv2d_backward(CONV_GRAD_OUT[None, None], np.zeros((1, 1, *CONV_INPUT_SHAPE)), weight)[0][0, 0]
    flipped_one_axis = "You flipped the kernel along one axis only; flip it up-down AND left-right."
    return diagnose(
        answer, Array("a 3x3 array of numbers"), expected,
        praise="Right: every input pixel collects gradient from each output it helped to make, weighted by the "
               "kernel entry that connected them; that is a full correlation with the flipped kernel.",
        mistakes=[
            _gradient_of_x(expected.shape, " Pad the upstream gradient 'full' (kernel size - 1 on every side)."),
            (correlate2d(CONV_GRAD_OUT, CONV_KERNEL, padding="full"), "You correlated with the kernel as it is. "
             "Going backwards, the kernel must be flipped in both axes.", "kernel_not_flipped"),
            (correlate2d(CONV_GRAD_OUT, CONV_KERNEL[::-1], padding="full"), flipped_one_axis, "flipped_one_axis"),
            (correlate2d(CONV_GRAD_OUT, CONV_KERNEL[:, ::-1], padding="full"), flipped_one_axis, "flipped_one_axis"),
            (correlate2d(CONV_GRAD_OUT, CONV_KERNEL.T, padding="full"), "You transposed the kernel; flipping means "
             "reversing both axes (kernel[::-1, ::-1]).", "transposed_kernel"),
        ],
        hint="Not quite. For each input pixel, add up upstream gradient x kernel weight over every output it "
             "contributed to.", hint_key="other")


def check_cross_entropy_gradient(answer) -> Feedback:
    """Exercise 4: the gradient of the cross-entropy loss with respect to :data:`LOGITS` for class :data:`LABEL`."""
    probabilities, one_hot = softmax(LOGITS), np.eye(len(LOGITS))[LABEL]
    return diagnose(
        answer, Array("a list or array of numbers, one per logit"), probabilities - one_hot, atol=1e-3,
        praise="Right: softmax probabilities minus the one-hot label. The true class is pushed up, every other "
               "class down, in proportion to its probability.",
        mistakes=[
            (lambda grad: grad.shape != probabilities.shape, lambda grad: f"One partial derivative per logit: "
             f"expected shape {probabilities.shape}, got {grad.shape}.", "wrong_shape"),
            (probabilities, "Those are the probabilities. Subtract the one-hot label.", "forgot_one_hot"),
            (one_hot - probabilities, "The sign is flipped: the loss falls when the true class's logit rises, so its "
             "derivative is negative.", "sign_flipped"),
            (LOGITS - one_hot, "Turn the logits into probabilities (softmax) first.", "not_softmaxed"),
            *[(probabilities - np.eye(len(LOGITS))[k], f"That subtracts 1 at class {k}; the true class is {LABEL}.",
               "wrong_class") for k in range(len(LOGITS)) if k != LABEL],
        ],
        hint="Not quite. Compute softmax(logits), then subtract 1 at the true class.", hint_key="other")


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
