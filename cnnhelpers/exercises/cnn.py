"""Exercises of notebook 06 (a full CNN): shapes through a network, and backpropagation by hand.

Build it: :func:`check_conv2d_backward` checks the student's ``conv2d_backward``,
:func:`gradient_check` compares it with finite differences, and :func:`train_digits_with` trains a
small CNN on the digits with the student's ``conv2d`` and ``conv2d_backward`` (the library's stand
in for one that fails its checks).

Each ``check_...`` returns a :class:`~cnnhelpers.exercises.Feedback` that says whether the answer
is right and, if not, which misconception it reveals; it never gives the answer away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import reference
from ..conv import conv2d_backward, conv_output_size, correlate2d
from ..nn.losses import softmax
from ..plotting import draw_grid
from ..pool import avg_pool2d_backward, max_pool2d_backward
from ._build import (
    TIME_LIMIT,
    Bug,
    Exercise,
    call_with_limit,
    code_correct,
    code_not_answered,
    code_wrong,
    flipped,
    frozen,
    ints,
    pad_sides,
    run_checks,
)
from ._feedback import Array, Feedback, Number, diagnose, read_only
from .padding import check_conv2d

__all__ = ["LENET", "POOL_INPUT", "POOL_GRAD", "CONV_GRAD_OUT", "CONV_KERNEL", "CONV_INPUT_SHAPE", "LOGITS", "LABEL",
           "check_flatten_size", "check_max_pool_gradient", "check_conv_input_gradient",
           "check_cross_entropy_gradient", "show_backprop_problems", "check_conv2d_backward", "gradient_check",
           "train_digits_with", "DigitsRun"]

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


# -- Build it (notebook 06): conv2d_backward, the gradient check, the digits trained with the student's code ---------

#: The checkers of this module whose answer is a function the student wrote.
CODE_CHECKERS = {"check_conv2d_backward"}


@cache
def _conv2d_backward_cases() -> tuple[tuple, ...]:
    rng = np.random.default_rng(4)
    cases = []
    for n, c, o, h, w, kh, kw, stride, padding in [
            (1, 1, 1, 3, 3, 2, 2, 1, 0), (2, 1, 1, 4, 4, 2, 2, 1, 0), (1, 1, 1, 4, 4, 3, 3, 1, 1),
            (1, 1, 1, 5, 5, 3, 3, 2, 0), (2, 2, 3, 5, 4, 2, 3, 1, 1), (2, 3, 2, 6, 7, 3, 3, 2, 1),
            (3, 2, 4, 8, 8, 3, 3, 1, 1), (2, 2, 2, 9, 9, 3, 3, 3, 2)]:
        x, weight = ints(rng, 0, 9, (n, c, h, w)), ints(rng, -2, 2, (o, c, kh, kw))
        weight[0, 0, 0, 0] = 3  # never a symmetric kernel: a flip must show
        out_shape = (n, o, (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1)
        cases.append((ints(rng, -3, 3, out_shape), x, weight, stride, padding))
    return frozen(cases)


def _sum_over(axes: tuple[int, ...]) -> Callable:
    """grad_b summed over ``axes`` of grad_out (the right ones are (0, 2, 3))."""
    return lambda grad_out, x, w, stride, padding: grad_out.sum(axis=axes)


_CONV2D_BACKWARD = Exercise(
    "conv2d_backward", ("grad_out", "x", "w", "stride", "padding"), ("grad_x", "grad_w", "grad_b"),
    _conv2d_backward_cases,
    (Bug("grad_x_unflipped_kernel", "grad_x",
         lambda g, x, w, s, p: reference.conv2d_backward(g, x, flipped(w), s, p)[0],
         "grad_x was computed with the kernel the wrong way round. grad_x is the full correlation of grad_out "
         "with the kernel flipped in both axes; equivalently, each output's gradient times w[k] goes back onto "
         "its own window as it is (w[u, v] onto window[u, v])."),
     Bug("stride_ignored", "grad_x", lambda g, x, w, s, p: reference.conv2d_backward(g, x, w, 1, p)[0],
         "grad_x: your windows move one pixel at a time whatever the stride; window (i, j) starts at row "
         "i*stride and column j*stride."),
     Bug("grad_x_not_cropped", "grad_x",
         lambda g, x, w, s, p: reference.conv2d_backward(g, pad_sides(x, p, p), w, s, 0)[0],
         "grad_x has the shape of the padded input: crop the padding off at the end, since x itself has no "
         "padding rows or columns."),
     Bug("grad_w_not_summed_over_batch", "grad_w",
         lambda g, x, w, s, p: reference.conv2d_backward(g[-1:], x[-1:], w, s, p)[1],
         "grad_w holds the last image's gradient only: the same kernel is used for every image of the batch, "
         "so its gradient is the sum over the batch (add with +=, do not assign)."),
     Bug("grad_w_not_summed_over_batch", "grad_w",
         lambda g, x, w, s, p: reference.conv2d_backward(g[:1], x[:1], w, s, p)[1],
         "grad_w holds the first image's gradient only: the same kernel is used for every image of the batch, "
         "so its gradient is the sum over the batch."),
     Bug("grad_w_not_summed_over_batch", "grad_w",
         lambda g, x, w, s, p: reference.conv2d_backward(g, x, w, s, p)[1] / len(x),
         "grad_w is the mean over the batch: the loss here is a sum, so its gradient is the sum over the batch."),
     Bug("stride_ignored", "grad_w", lambda g, x, w, s, p: reference.conv2d_backward(g, x, w, 1, p)[1],
         "grad_w: your windows move one pixel at a time whatever the stride; window (i, j) starts at row "
         "i*stride and column j*stride."),
     *(Bug("grad_b_wrong_axes", "grad_b", _sum_over(axes),
           f"grad_b was summed over axes {axes}: b[k] is added to every output of kernel k, in every image and "
           "position, so grad_b[k] sums grad_out[:, k] over the batch, rows and columns: axes (0, 2, 3).")
       for axes in [(0,), (2, 3), (1, 2, 3), (0, 1, 2, 3), (0, 1), (1,), (0, 2), (0, 3)]),
     Bug("grad_b_wrong_axes", "grad_b", lambda g, x, w, s, p: g.mean(axis=(0, 2, 3)),
         "grad_b is a mean: b[k] is added to every output of kernel k, so its gradient is the sum of "
         "grad_out[:, k] over the batch, rows and columns.")),
    "Every output out[n, k, i, j] is a sum of window * w[k] + b[k]: send grad_out[n, k, i, j] back to each term "
    "of that sum.")


def check_conv2d_backward(fn, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(grad_out, x, w, stride, padding)``, which returns ``(grad_x, grad_w, grad_b)``.

    Examples
    --------
    >>> from cnnhelpers import reference
    >>> check_conv2d_backward(reference.conv2d_backward).ok
    True
    """
    return run_checks(_CONV2D_BACKWARD, fn, time_limit)


def gradient_check(conv2d_backward, conv2d=None, *, stride: int = 1, padding: int = 1, seed: int = 0,
                   time_limit: float = 60.0) -> Feedback:
    """Compare the student's ``conv2d_backward`` with finite differences of ``conv2d``.

    Builds a small convolution layer (2 input channels, 3 kernels of 3x3) in float64 whose forward
    is ``conv2d`` (the reference's when None) and whose backward is ``conv2d_backward``, and runs
    :func:`cnnhelpers.nn.gradcheck` on a random 2x2x6x5 input: 30 entries of each gradient (the 3
    of grad_b) are compared with ``(L(v + eps) - L(v - eps)) / (2 eps)`` for the loss
    ``L = sum(R * conv2d(x, w, b))``.

    Returns
    -------
    Feedback
        ``ok`` when the gradient check passes; the message holds the table of the largest
        relative error of the input, weight and bias gradients.

    Examples
    --------
    >>> from cnnhelpers import reference
    >>> gradient_check(reference.conv2d_backward).ok
    True
    """
    from ..nn.gradcheck import GradcheckResult, gradcheck
    from ..nn.student import StudentConv2d

    if conv2d_backward is None:
        return code_not_answered("conv2d_backward")
    if not callable(conv2d_backward) or not (conv2d is None or callable(conv2d)):
        return code_wrong("gradient_check needs your functions themselves, as in gradient_check(conv2d_backward, "
                          "conv2d).", "not_a_function")
    layer = StudentConv2d(2, 3, 3, stride=stride, padding=padding, rng=seed, dtype=np.float64,
                          conv2d=reference.conv2d if conv2d is None else conv2d, conv2d_backward=conv2d_backward)
    layer.bias.data[:] = np.random.default_rng(seed).standard_normal(3)
    x = np.random.default_rng(seed + 1).standard_normal((2, 2, 6, 5))
    status, value = call_with_limit(lambda: gradcheck(layer, x, max_entries=30, seed=seed), (), time_limit)
    if status == "timeout":
        return code_wrong(f"The gradient check did not finish within {time_limit:g} s.", "too_slow")
    if status == "raised":
        if isinstance(value, NotImplementedError):
            return code_not_answered("conv2d_backward")
        return code_wrong(f"The gradient check stopped: {type(value).__name__}: {value}", "raised")
    names = {"input": "grad_x", "0.StudentConv2d.weight": "grad_w", "0.StudentConv2d.bias": "grad_b"}
    value = GradcheckResult(*({names[key]: item for key, item in table.items()}
                              for table in (value.errors, value.checked, value.kinks)), value.tolerance)
    table = "\n".join("    " + line for line in repr(value).splitlines())
    if value.passed:
        return code_correct(f"Your gradients agree with the finite differences (largest relative errors):"
                            f"\n{table}")
    return code_wrong("Your gradients and the finite differences disagree where the error is above the tolerance:"
                      f"\n{table}\nThe rows whose error is large name the gradient to look at.",
                      "gradient_check_failed")


# -- the student's functions in a network ------------------------------------------------------------------


@dataclass(frozen=True)
class DigitsRun:
    """What :func:`train_digits_with` did: whose functions it used, on how many digits, the accuracy."""

    used: dict[str, str]
    train_digits: int
    test_digits: int
    accuracy: float
    seconds: float

    def __repr__(self) -> str:
        whose = ", ".join(f"{name}: {owner}" for name, owner in self.used.items())
        return (f"DigitsRun({whose}; trained on {self.train_digits} digits in {self.seconds:.0f} s; "
                f"test accuracy {self.accuracy:.3f} on {self.test_digits} digits)")


def _library_conv2d(x, w, b, stride, padding):
    from ..conv import conv2d

    return conv2d(x, w, b, stride=stride, padding=padding)


def _library_conv2d_backward(grad_out, x, w, stride, padding):
    from ..conv import conv2d_backward

    return conv2d_backward(grad_out, x, w, stride=stride, padding=padding)


def _choose(name: str, fn, feedback: Feedback, library) -> tuple[Callable, str]:
    """The student's function if it passed its checks, else the library's; says which in a printed line."""
    if feedback.ok:
        print(f"{name}: yours (it passed every check).")
        return fn, "yours"
    if feedback.misconception == "not_answered":
        print(f"{name}: the library's, because yours is not written yet.")
    else:
        print(f"{name}: the library's, because yours did not pass its checks ({feedback.message.splitlines()[0]}); "
              f"run check_{name}({name}) for details.")
    return library, "the library's"


def train_digits_with(conv2d, conv2d_backward, *, time_budget: float = 60.0, seed: int = 0,
                      progress: bool = True) -> DigitsRun:
    """Train a small CNN on the digits with your ``conv2d`` and ``conv2d_backward``, and test it.

    Each function is checked first (:func:`check_conv2d`, :func:`check_conv2d_backward`); one that
    is missing or wrong is replaced by the library's, and a printed line says so. The network is
    ``Conv2d(1, 4, 3, padding=1)``, ReLU, 2x2 max pooling and a linear layer to the ten digits,
    trained for one epoch with Adam on :func:`cnnhelpers.data.load_mnist5k`'s training digits.

    Plain loops are slow: the first batch measures how long your functions take, and when a whole
    epoch would not fit in ``time_budget`` seconds the network trains on a random part of the
    training digits that fits (three quarters of the budget) and is tested on as many test digits
    as fit in the rest. The printed lines say how many.

    Parameters
    ----------
    conv2d : callable ``(x, w, b, stride, padding) -> out`` or None
    conv2d_backward : callable ``(grad_out, x, w, stride, padding) -> (grad_x, grad_w, grad_b)`` or None
    time_budget : float
        Seconds for training and testing, roughly.
    seed : int
        The initial weights, the digits chosen and their order.
    progress : bool
        Show a progress bar while training.

    Returns
    -------
    DigitsRun
        Whose functions were used, how many digits, and the test accuracy.
    """
    import time

    from .. import nn
    from ..data import load_mnist5k, to_batch
    from ..nn.student import StudentConv2d

    forward, whose_forward = _choose("conv2d", conv2d, check_conv2d(conv2d), _library_conv2d)
    backward, whose_backward = _choose("conv2d_backward", conv2d_backward, check_conv2d_backward(conv2d_backward),
                                       _library_conv2d_backward)
    digits = load_mnist5k()
    rng = np.random.default_rng(seed)
    x_train, x_test = to_batch(digits.x_train), to_batch(digits.x_test)
    model = nn.Sequential(StudentConv2d(1, 4, 3, padding=1, rng=rng, conv2d=forward, conv2d_backward=backward),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 14 * 14, 10, rng=rng))
    optimizer = nn.Adam(model.parameters(), lr=1e-2)
    batch = 16
    start = time.perf_counter()
    probe = model.forward(x_train[:batch])  # how long do these functions take?
    forward_seconds = (time.perf_counter() - start) / batch
    model.backward(np.zeros_like(probe), input_grad=False)
    step_seconds = (time.perf_counter() - start) / batch
    train_count = int(min(len(x_train), max(2 * batch, 0.75 * time_budget / step_seconds // batch * batch)))
    test_count = int(min(len(x_test), max(100, 0.25 * time_budget / forward_seconds)))
    if train_count < len(x_train):
        print(f"Your functions take {batch * step_seconds:.1f} s for a batch of {batch} digits: an epoch of "
              f"{len(x_train):,} would take {len(x_train) * step_seconds / 60:.0f} minutes, so the network trains "
              f"on {train_count} of them and is tested on {test_count}. (Vectorised functions train on all of them "
              "in seconds.)")
    train = rng.permutation(len(x_train))[:train_count]  # random: the training digits are sorted by class
    test = rng.permutation(len(x_test))[:test_count]
    start = time.perf_counter()
    nn.fit(model, x_train[train], digits.y_train[train], optimizer=optimizer, epochs=1, batch_size=batch, rng=rng,
           progress=progress)
    seconds = time.perf_counter() - start
    _, accuracy = nn.evaluate(model, x_test[test], digits.y_test[test])
    print(f"Test accuracy after one epoch on {train_count:,} digits: {accuracy:.1%} of {test_count:,} test digits "
          "(guessing would get 10%).")
    return DigitsRun({"conv2d": whose_forward, "conv2d_backward": whose_backward}, train_count, test_count,
                     accuracy, seconds)
