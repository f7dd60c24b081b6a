"""Build it yourself: checkers for the operations a student writes as code.

Each ``check_<name>(fn)`` calls the student's ``fn`` positionally with the arguments of the function
of the same name in :mod:`cnnhelpers.reference` (the model solution), on many inputs ordered smallest
first, and compares what it returns with the reference. It answers with a :class:`Feedback`:

- right on every input: ``ok``;
- a wrong answer: the smallest input it fails on, the expected output and what ``fn`` returned,
  and the misconception when a named buggy version of the reference (the ``BUGS`` tables below)
  returns what ``fn`` returned, on that input and on every input ``fn`` got right before;
- anything else (``None``, not a function, an exception, ``None`` returned, a wrong shape, an
  input modified, NaN, a call that does not finish): a sentence that says so. A checker never raises.

Any correct implementation passes: loops or vectorised, lists or arrays, any float dtype
(values are compared with a tolerance suited to float32).

Two helpers finish notebook 06: :func:`gradient_check` compares the student's ``conv2d_backward``
with finite differences, and :func:`train_digits_with` trains a small CNN on the digits with the
student's ``conv2d`` and ``conv2d_backward`` (the library's stand in for one that fails its checks).

The time limit. Each call of the student's function gets ``time_limit`` seconds. In the main
thread of a Unix process (a Jupyter kernel runs cells there) an alarm signal interrupts the
function, a loop that never ends included, between two Python instructions: a single NumPy call
finishes first. Elsewhere (Windows, or a checker called from a thread) the function runs in a
helper thread that the checker stops waiting for; Python cannot stop a thread, so an endless loop
then keeps running in the background until the kernel restarts, and the message says so.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from .. import reference
from ..pool import avg_pool2d
from ._feedback import Feedback

__all__ = ["check_conv1d", "check_correlate2d", "check_conv2d", "check_max_pool2d", "check_max_pool2d_backward",
           "check_conv2d_backward", "gradient_check", "train_digits_with", "DigitsRun", "CodeFeedback", "TIME_LIMIT"]

#: Seconds each call of the student's function may take before the checker gives up on it.
TIME_LIMIT = 10.0


class CodeFeedback(Feedback):
    """A :class:`Feedback` whose message holds arrays: shown with its line breaks, arrays aligned."""

    def _repr_html_(self) -> str:
        colour, mark = ("#1B7F3B", "&#10004;") if self.ok else ("#B00020", "&#10008;")
        text = self.message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = re.sub(r"(?m)^( {4}.*)$", r'<span style="font-family:monospace">\1</span>', text)
        return f'<div style="color:{colour};font-size:15px;white-space:pre-wrap"><b>{mark}</b> {text}</div>'


def _correct(message: str) -> Feedback:
    return CodeFeedback(True, message)


def _wrong(message: str, misconception: str | None = None) -> Feedback:
    return CodeFeedback(False, message, misconception)


# -- the exercises: arguments, inputs, named bugs -----------------------------------------------------


@dataclass(frozen=True)
class Bug:
    """A named mistake: a buggy version of the reference that changes one of its outputs.

    ``run`` takes the reference's arguments and returns the buggy value of output ``output``.
    """

    key: str
    output: str
    run: Callable
    message: str


@dataclass(frozen=True)
class Exercise:
    """One Build-it exercise: the reference function, its argument and output names, inputs and bugs."""

    name: str
    arguments: tuple[str, ...]
    outputs: tuple[str, ...]
    cases: Callable[[], tuple[tuple, ...]]
    bugs: tuple[Bug, ...]
    hint: str

    @property
    def reference(self) -> Callable:
        return getattr(reference, self.name)

    def expected(self, case: tuple) -> tuple[np.ndarray, ...]:
        result = self.reference(*case)
        return tuple(result) if len(self.outputs) > 1 else (result,)


def _ints(rng: np.random.Generator, low: int, high: int, shape) -> np.ndarray:
    """Whole numbers from ``low`` to ``high`` as floats: a wrong answer stays readable."""
    return rng.integers(low, high + 1, size=shape).astype(float)


def _frozen(cases) -> tuple[tuple, ...]:
    for case in cases:
        for value in case:
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
    return tuple(cases)


@cache
def _conv1d_cases() -> tuple[tuple, ...]:
    rng = np.random.default_rng(1)
    cases = [(np.array([1.0, 2, 3, 4, 5]), np.array([1.0, 2])),
             (np.array([3.0, 0, 1, 2, 5, 1]), np.array([1.0, 0, -1]))]
    cases += [(_ints(rng, 0, 9, n), _ints(rng, -3, 3, k)) for n, k in [(3, 3), (4, 1), (8, 4), (12, 5), (40, 7),
                                                                        (200, 9)]]
    return _frozen(cases)


@cache
def _correlate2d_cases() -> tuple[tuple, ...]:
    rng = np.random.default_rng(2)
    cases = [(np.arange(1.0, 10).reshape(3, 3), np.array([[1.0, 2], [0, -1]]))]
    cases += [(_ints(rng, 0, 9, (h, w)), _ints(rng, -2, 2, (kh, kw)))
              for h, w, kh, kw in [(4, 5, 2, 3), (5, 4, 3, 2), (2, 2, 2, 2), (5, 5, 3, 3), (3, 6, 1, 4), (6, 3, 4, 1),
                                   (7, 9, 3, 3), (20, 24, 5, 5)]]
    return _frozen(cases)


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
        cases.append((_ints(rng, 0, 9, (n, c, h, w)), _ints(rng, -2, 2, (o, c, kh, kw)), _ints(rng, -3, 3, o) + 1,
                      stride, padding))
    return _frozen(cases)


@cache
def _conv2d_backward_cases() -> tuple[tuple, ...]:
    rng = np.random.default_rng(4)
    cases = []
    for n, c, o, h, w, kh, kw, stride, padding in [
            (1, 1, 1, 3, 3, 2, 2, 1, 0), (2, 1, 1, 4, 4, 2, 2, 1, 0), (1, 1, 1, 4, 4, 3, 3, 1, 1),
            (1, 1, 1, 5, 5, 3, 3, 2, 0), (2, 2, 3, 5, 4, 2, 3, 1, 1), (2, 3, 2, 6, 7, 3, 3, 2, 1),
            (3, 2, 4, 8, 8, 3, 3, 1, 1), (2, 2, 2, 9, 9, 3, 3, 3, 2)]:
        x, weight = _ints(rng, 0, 9, (n, c, h, w)), _ints(rng, -2, 2, (o, c, kh, kw))
        weight[0, 0, 0, 0] = 3  # never a symmetric kernel: a flip must show
        out_shape = (n, o, (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1)
        cases.append((_ints(rng, -3, 3, out_shape), x, weight, stride, padding))
    return _frozen(cases)


# (N, C, H, W, kernel_size, stride); values 0..4, so many windows hold tied maxima.
_POOL_SHAPES = [(1, 1, 4, 4, 2, 2), (1, 1, 4, 4, 2, None), (1, 1, 4, 4, 2, 1), (1, 1, 5, 5, 3, 2),
                (1, 1, 4, 6, 2, None), (1, 1, 6, 4, 3, None), (1, 1, 5, 7, 2, None), (1, 2, 5, 5, 2, 1),
                (2, 3, 6, 5, 3, 2), (2, 2, 7, 9, 2, 3), (2, 4, 12, 12, 2, None)]


@cache
def _pool_cases() -> tuple[tuple, ...]:
    rng = np.random.default_rng(5)
    first = np.array([[[[4.0, 1, 2, 4], [0, 4, 3, 1], [1, 2, 3, 3], [0, 1, 0, 3]]]])  # ties in windows 1 and 4
    cases = [(first if k == 0 else _ints(rng, 0, 4, (n, c, h, w)), size, stride)
             for k, (n, c, h, w, size, stride) in enumerate(_POOL_SHAPES)]
    return _frozen(cases)


@cache
def _pool_backward_cases() -> tuple[tuple, ...]:
    rng = np.random.default_rng(6)
    cases = []
    for x, size, stride in _pool_cases():
        out_shape = reference.max_pool2d(x, size, stride).shape
        cases.append((_ints(rng, 1, 5, out_shape), x, size, stride))
    return _frozen(cases)


def _pool_scatter(grad_out, x, size, stride, share, overwrite=False):
    """Pooling's backward with another rule: window ``(i, j)`` gets ``share(window, g)`` (size x size).

    ``overwrite`` assigns instead of adding, so overlapping windows overwrite each other.
    """
    stride = size if stride is None else stride
    grad_x = np.zeros_like(x)
    n, c, oh, ow = grad_out.shape
    for image in range(n):
        for channel in range(c):
            for i in range(oh):
                for j in range(ow):
                    rows, cols = slice(i * stride, i * stride + size), slice(j * stride, j * stride + size)
                    part = share(x[image, channel, rows, cols], grad_out[image, channel, i, j])
                    if overwrite:
                        target = grad_x[image, channel, rows, cols]
                        target[part != 0] = part[part != 0]
                    else:
                        grad_x[image, channel, rows, cols] += part
    return grad_x


def _first_maximum(window, g):
    part = np.zeros_like(window)
    part[np.unravel_index(np.argmax(window), window.shape)] = g
    return part


def _last_maximum(window, g):
    part = np.zeros_like(window)
    flat = window.size - 1 - np.argmax(window.reshape(-1)[::-1])
    part[np.unravel_index(flat, window.shape)] = g
    return part


def _overwrite_windows(grad_out, x, size, stride):
    """Pooling's backward where each window assigns its whole block (zeros included)."""
    stride = size if stride is None else stride
    grad_x = np.zeros_like(x)
    n, c, oh, ow = grad_out.shape
    for image in range(n):
        for channel in range(c):
            for i in range(oh):
                for j in range(ow):
                    rows, cols = slice(i * stride, i * stride + size), slice(j * stride, j * stride + size)
                    grad_x[image, channel, rows, cols] = _first_maximum(x[image, channel, rows, cols],
                                                                        grad_out[image, channel, i, j])
    return grad_x


def _sum_over(axes: tuple[int, ...]) -> Callable:
    """grad_b summed over ``axes`` of grad_out (the right ones are (0, 2, 3))."""
    return lambda grad_out, x, w, stride, padding: grad_out.sum(axis=axes)


def _flipped(w):
    return w[..., ::-1, ::-1]


def _pad_sides(x, top_left: int, bottom_right: int):
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(top_left, bottom_right)] * 2)


_FLIPPED = ("That is a true convolution: the kernel was flipped (or the window read backwards). In a CNN the "
            "kernel is laid on the window as it is: out[i] = sum over k of signal[i + k] * kernel[k].")
_CONV2D_FLIPPED = ("That is a true convolution: the kernel was flipped. A CNN's convolution lays the kernel on each "
                   "window as it is: window[u, v] multiplies w[u, v].")
_STRIDE = ("Your windows move one pixel at a time whatever the stride: window (i, j) starts at row i*stride and "
           "column j*stride.")

_EXERCISES = {
    "conv1d": Exercise(
        "conv1d", ("signal", "kernel"), ("output",), _conv1d_cases,
        (Bug("flipped_kernel", "output", lambda s, k: reference.conv1d(s, k[::-1]), _FLIPPED),),
        "Compute one output by hand: out[0] = signal[0]*kernel[0] + signal[1]*kernel[1] + ..."),
    "correlate2d": Exercise(
        "correlate2d", ("image", "kernel"), ("output",), _correlate2d_cases,
        (Bug("flipped_kernel", "output", lambda x, k: reference.correlate2d(x, k[::-1, ::-1]),
             _CONV2D_FLIPPED.replace("w[u, v]", "kernel[u, v]")),
         Bug("transposed_kernel", "output", lambda x, k: reference.correlate2d(x, k.T),
             "Rows and columns of the kernel are swapped: image[i + u, j + v] multiplies kernel[u, v] "
             "(u counts rows, v columns)."),
         Bug("transposed_kernel", "output", lambda x, k: reference.correlate2d(x.T, k.T).T,
             "Rows and columns are swapped somewhere: out[i, j] uses rows i..i+KH-1 and columns j..j+KW-1.")),
        "Compute out[0, 0] by hand: the sum of image[u, v] * kernel[u, v] over the top-left window."),
    "conv2d": Exercise(
        "conv2d", ("x", "w", "b", "stride", "padding"), ("output",), _conv2d_cases,
        (Bug("flipped_kernel", "output", lambda x, w, b, s, p: reference.conv2d(x, _flipped(w), b, s, p),
             _CONV2D_FLIPPED),
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
         Bug("padding_one_side", "output", lambda x, w, b, s, p: reference.conv2d(_pad_sides(x, p, 0), w, b, s, 0),
             "The zeros went on the top and left only: padding adds p rows and columns on all four sides."),
         Bug("padding_one_side", "output", lambda x, w, b, s, p: reference.conv2d(_pad_sides(x, 0, p), w, b, s, 0),
             "The zeros went on the bottom and right only: padding adds p rows and columns on all four sides."),
         Bug("channels_not_summed", "output",
             lambda x, w, b, s, p: reference.conv2d(x[:, -1:], w[:, -1:], b, s, p),
             "Only the last input channel counts: each output sums over every channel c of x[n, c] * w[k, c] "
             "(did a loop over channels assign with = instead of adding with +=?)."),
         Bug("channels_not_summed", "output",
             lambda x, w, b, s, p: reference.conv2d(x[:, :1], w[:, :1], b, s, p),
             "Only the first input channel counts: each output sums over every channel c of x[n, c] * w[k, c].")),
        "Work out out[0, 0, 0, 0] by hand: the top-left window of the padded image, times w[0], summed, plus b[0]."),
    "max_pool2d": Exercise(
        "max_pool2d", ("x", "kernel_size", "stride"), ("output",), _pool_cases,
        (Bug("used_average", "output", lambda x, k, s: avg_pool2d(x, k, s),
             "Those are the means of the windows (average pooling); max pooling keeps each window's largest value."),
         Bug("used_minimum", "output", lambda x, k, s: -reference.max_pool2d(-x, k, s),
             "Those are the smallest values of the windows; max pooling keeps the largest."),
         Bug("stride_ignored", "output", lambda x, k, s: reference.max_pool2d(x, k, 1),
             "That is stride 1: your windows move one cell at a time. Window (i, j) starts at row i*stride and "
             "column j*stride."),
         Bug("stride_default", "output", lambda x, k, s: reference.max_pool2d(x, k, 1 if s is None else s),
             "stride=None means stride = kernel_size (windows side by side, as in PyTorch), not 1.")),
        "Window (i, j) covers rows i*stride .. i*stride+kernel_size-1 (and the same for columns); keep its largest "
        "value."),
    "max_pool2d_backward": Exercise(
        "max_pool2d_backward", ("grad_out", "x", "kernel_size", "stride"), ("grad_x",), _pool_backward_cases,
        (Bug("spread_over_window", "grad_x",
             lambda g, x, k, s: _pool_scatter(g, x, k, s, lambda window, v: np.full_like(window, v)),
             "The gradient went to every cell of the window. Only the maximum influenced the output, so only it "
             "gets the window's gradient; the others get 0."),
         Bug("divided_by_window", "grad_x",
             lambda g, x, k, s: _pool_scatter(g, x, k, s, lambda window, v: np.full_like(window, v / window.size)),
             "That is average pooling's backward (the gradient shared equally). In max pooling the maximum alone "
             "gets the whole gradient."),
         Bug("all_tied_maxima", "grad_x",
             lambda g, x, k, s: _pool_scatter(g, x, k, s, lambda window, v: v * (window == window.max())),
             "Where a window has several equal maxima, every one of them got the gradient. The convention (PyTorch's) "
             "gives it to the first maximum in row-major order only (np.argmax does that)."),
         Bug("last_tied_maximum", "grad_x", lambda g, x, k, s: _pool_scatter(g, x, k, s, _last_maximum),
             "Where a window has several equal maxima, the gradient went to the last one. The convention (PyTorch's) "
             "is the first maximum in row-major order (np.argmax does that; a > comparison, not >=)."),
         Bug("overwritten_on_overlap", "grad_x",
             lambda g, x, k, s: _pool_scatter(g, x, k, s, _first_maximum, overwrite=True),
             "Where overlapping windows share their maximum, the later window overwrote the earlier one's gradient. "
             "A cell collects the gradients of every window it is the maximum of: add with +=."),
         Bug("overwritten_on_overlap", "grad_x",
             lambda g, x, k, s: _overwrite_windows(g, x, k, s),
             "Each window wrote its whole block (zeros included), erasing what overlapping windows had put there. "
             "Add each window's gradient to its maximum only, with +=."),
         Bug("stride_ignored", "grad_x", lambda g, x, k, s: reference.max_pool2d_backward(g, x, k, 1),
             "Your windows move one cell at a time whatever the stride: window (i, j) starts at row i*stride and "
             "column j*stride (and stride=None means kernel_size).")),
        "Find each window's maximum (the first one, row-major, if several are equal) and add the window's "
        "gradient there."),
    "conv2d_backward": Exercise(
        "conv2d_backward", ("grad_out", "x", "w", "stride", "padding"), ("grad_x", "grad_w", "grad_b"),
        _conv2d_backward_cases,
        (Bug("grad_x_unflipped_kernel", "grad_x",
             lambda g, x, w, s, p: reference.conv2d_backward(g, x, _flipped(w), s, p)[0],
             "grad_x was computed with the kernel the wrong way round. grad_x is the full correlation of grad_out "
             "with the kernel flipped in both axes; equivalently, each output's gradient times w[k] goes back onto "
             "its own window as it is (w[u, v] onto window[u, v])."),
         Bug("stride_ignored", "grad_x", lambda g, x, w, s, p: reference.conv2d_backward(g, x, w, 1, p)[0],
             "grad_x: your windows move one pixel at a time whatever the stride; window (i, j) starts at row "
             "i*stride and column j*stride."),
         Bug("grad_x_not_cropped", "grad_x",
             lambda g, x, w, s, p: reference.conv2d_backward(g, _pad_sides(x, p, p), w, s, 0)[0],
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
        "of that sum."),
}


# -- calling the student's function --------------------------------------------------------------------


class _TimeUp(BaseException):
    """Raised inside the student's function by the alarm; a BaseException, so ``except Exception`` lets it by."""


def _call(fn, args: tuple, seconds: float):
    """Run ``fn(*args)`` for at most ``seconds``.

    Returns ``("returned", value)``, ``("raised", exception)`` or ``("timeout", still_running)``,
    ``still_running`` True when the call could not be stopped (it goes on in a background thread).
    """
    alarm_usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
                    and signal.getitimer(signal.ITIMER_REAL)[0] == 0)  # nobody else's alarm to overwrite
    if alarm_usable:
        def time_up(signum, frame):
            raise _TimeUp

        previous = signal.signal(signal.SIGALRM, time_up)
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                return "returned", fn(*args)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except _TimeUp:
            return "timeout", False
        except (Exception, SystemExit) as error:
            return "raised", error
        finally:
            signal.signal(signal.SIGALRM, previous)
    box: dict = {}

    def target():
        try:
            box["value"] = fn(*args)
        except BaseException as error:  # noqa: BLE001 - reported to the student, whatever it is
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True, name="student function")
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return "timeout", True
    if "error" in box:
        return "raised", box["error"]
    return "returned", box.get("value")


# -- showing arrays and inputs --------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:.4g}" if np.isfinite(value) and abs(value) < 1e6 else repr(float(value))


def _show(value, indent: str = "    ") -> str:
    """An argument or result for the message: small arrays in full, large ones by their shape."""
    if isinstance(value, np.ndarray):
        if value.size > 150:
            return f"{indent}(an array of shape {value.shape}, too large to print)"
        width = max((len(_number(v)) for v in value.reshape(-1)), default=1)  # aligned columns
        text = np.array2string(value, max_line_width=100, separator=" ",
                               formatter={"float_kind": lambda v: _number(v).rjust(width)})
        return "\n".join(indent + line for line in text.splitlines())
    return indent + repr(value)


def _shape(value) -> str:
    return f"shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__


def _show_input(exercise: Exercise, case: tuple) -> str:
    lines = []
    for name, value in zip(exercise.arguments, case, strict=True):
        if isinstance(value, np.ndarray):
            lines.append(f"  {name}, {_shape(value)}:\n{_show(value)}")
        else:
            lines.append(f"  {name} = {value!r}")
    return "\n".join(lines)


# -- reading and comparing answers ----------------------------------------------------------------------


def _as_array(value) -> np.ndarray | None:
    try:
        return np.asarray(value, dtype=float)
    except Exception:  # noqa: BLE001 - whatever the object does, it is not an array of numbers
        return None


def _close(got: np.ndarray, expected: np.ndarray) -> bool:
    """Equal shapes and values up to float32 rounding (relative to the largest expected value)."""
    if got.shape != expected.shape:
        return False
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    return bool(np.allclose(got, expected, rtol=1e-4, atol=1e-4 * scale))


def _read_outputs(exercise: Exercise, value) -> tuple[np.ndarray, ...] | Feedback:
    """The student's outputs as float arrays, or the Feedback saying why they cannot be read."""
    many = len(exercise.outputs) > 1
    if value is None:
        names = f" (return {', '.join(exercise.outputs)})" if many else ""
        return _wrong(f"Your function returned None: did you forget the return statement{names}?", "returned_none")
    if many and (not isinstance(value, (tuple, list)) or len(value) != len(exercise.outputs)):
        return _wrong(f"Your function should return {len(exercise.outputs)} arrays, ({', '.join(exercise.outputs)}); "
                      f"it returned {_describe(value)}.", "not_an_array")
    arrays = []
    for name, item in zip(exercise.outputs, value if many else (value,), strict=True):
        if item is None:
            return _wrong(f"{name} is None: compute it and return it.", "returned_none")
        array = _as_array(item)
        if array is None:
            return _wrong(f"{name if many else 'The result'} is not an array of numbers: got {_describe(item)}.",
                          "not_an_array")
        arrays.append(array)
    return tuple(arrays)


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bug_value(bug: Bug, case: tuple):
    try:
        return np.asarray(bug.run(*case), dtype=float)
    except Exception:  # noqa: BLE001 - a bug that cannot run on this input does not match it
        return None


def _diagnose(exercise: Exercise, output: str, got: np.ndarray, case: tuple, earlier: list) -> Bug | None:
    """The first named bug that gives ``got`` here and agrees with the student on every earlier input."""
    index = exercise.outputs.index(output)
    for bug in exercise.bugs:
        if bug.output != output:
            continue
        value = _bug_value(bug, case)
        if value is None or not _close(got, value):
            continue
        if all((value := _bug_value(bug, before)) is not None and _close(answers[index], value)
               for before, answers in earlier):
            return bug
    return None


def _size_mistake(got: np.ndarray, expected: np.ndarray) -> str | None:
    """"output_too_small"/"output_too_large" when the spatial sizes are off by one, same direction."""
    if got.ndim != expected.ndim or got.ndim == 0:
        return None
    spatial = 1 if got.ndim == 1 else 2
    if got.shape[:-spatial] != expected.shape[:-spatial]:
        return None
    differences = {g - e for g, e in zip(got.shape[-spatial:], expected.shape[-spatial:], strict=True)}
    if differences in ({-1}, {-1, 0}):
        return "output_too_small"
    if differences in ({1}, {0, 1}):
        return "output_too_large"
    return None


_SIZE_MESSAGES = {
    "output_too_small": "The output is one too small: a window fits at positions 0 to n - k (both included), "
                        "so there are n - k + 1 of them (range(n - k + 1)).",
    "output_too_large": "The output is one too large: the last window starts at n - k, so there are n - k + 1 "
                        "outputs, not n - k + 2.",
}


def _not_answered(name: str) -> Feedback:
    return _wrong(f"Not answered yet: write the body of {name} (replace the line raise NotImplementedError), run "
                  f"its cell, then run this one.", "not_answered")


def _model_solution(name: str) -> str:
    return f"Compare with the model solution: cnnhelpers.reference.{name} (run ??reference.{name} to read it)."


def _run_checks(exercise: Exercise, fn, time_limit: float, cases: tuple[tuple, ...] | None = None) -> Feedback:
    """Every case in order, stopping at the first problem; see the module docstring."""
    try:
        return _check_every_case(exercise, fn, time_limit, cases)
    except Exception as error:  # noqa: BLE001 - a last resort: a checker answers in words, never with a traceback
        return _wrong(f"The checker could not read your function's answer ({type(error).__name__}: {error}).",
                      "unreadable")


def _check_every_case(exercise: Exercise, fn, time_limit: float, cases: tuple[tuple, ...] | None) -> Feedback:
    name = exercise.name
    if fn is None:
        return _not_answered(name)
    if not callable(fn):
        return _wrong(f"check_{name} needs your function itself, as in check_{name}({name}); got {_describe(fn)}.",
                      "not_a_function")
    cases = exercise.cases() if cases is None else cases
    earlier: list = []  # (case, the student's outputs) of every input answered right so far
    for number, case in enumerate(cases):
        given = tuple(np.array(value) if isinstance(value, np.ndarray) else value for value in case)  # copies
        status, value = _call(fn, given, time_limit)
        where = f"On this input:\n{_show_input(exercise, case)}\n"
        if status == "timeout":
            background = (" Python cannot stop it here: it is still running in the background; restart the kernel "
                          "(Kernel > Restart) if the computer stays busy.") if value else ""
            return _wrong(f"Your function did not finish within {time_limit:g} s. {where}Is there a loop that never "
                          f"ends (a while loop whose condition never changes)?{background}", "too_slow")
        if status == "raised":
            if isinstance(value, NotImplementedError) and number == 0:
                return _not_answered(name)
            if isinstance(value, TypeError) and "positional argument" in str(value):
                return _wrong(f"check_{name} calls {name}({', '.join(exercise.arguments)}), and your function does not "
                              f"take these arguments in this order ({value}).", "wrong_arguments")
            return _wrong(f"Your function raised {type(value).__name__}: {value}\n{where}", "raised")
        changed = [argument for argument, original, passed in zip(exercise.arguments, case, given, strict=True)
                   if isinstance(original, np.ndarray) and not np.array_equal(original, passed, equal_nan=True)]
        if changed:
            return _wrong(f"Your function modified its input {' and '.join(changed)}. {where}A function should leave "
                          "its inputs as they were: work on a copy (np.pad and x.copy() make new arrays; "
                          "x += ... changes x itself).", "modified_input")
        outputs = _read_outputs(exercise, value)
        if isinstance(outputs, Feedback):
            return _wrong(f"{outputs.message}\n{where}", outputs.misconception)
        for output, got, expected in zip(exercise.outputs, outputs, exercise.expected(case), strict=True):
            if _close(got, expected):
                continue
            return _wrong_answer(exercise, output, got, expected, case, earlier)
        earlier.append((case, outputs))
    return _correct(f"Right on all {len(cases)} test inputs. {_model_solution(name)}")


def _wrong_answer(exercise, output, got, expected, case, earlier) -> Feedback:
    what = f"{output} " if len(exercise.outputs) > 1 else ""
    shown = (f"On this input:\n{_show_input(exercise, case)}\n"
             f"{what or 'the output '}should be ({_shape(expected)}):\n{_show(expected)}\n"
             f"your function returned ({_shape(got)}):\n{_show(got)}\n")
    if not np.isfinite(got).all() and np.isfinite(expected).all():
        return _wrong(f"Your {what or 'output '}contains NaN or infinity. {shown}Look for a division by zero, or "
                      "an np.empty array whose cells were not all filled (np.zeros is safer).", "nan")
    bug = _diagnose(exercise, output, got, case, earlier)
    if bug is not None:
        return _wrong(f"{bug.message}\n{shown}", bug.key)
    if got.shape != expected.shape:
        key = _size_mistake(got, expected) if output in ("output",) else None
        if key is not None:
            return _wrong(f"{_SIZE_MESSAGES[key]}\n{shown}", key)
        return _wrong(f"Wrong shape: {what or 'the output '}should have shape {expected.shape}, yours has "
                      f"{got.shape}.\n{shown}", "wrong_shape")
    return _wrong(f"Not the right numbers. {shown}{exercise.hint}")


# -- the checkers --------------------------------------------------------------------------------------


def check_conv1d(fn, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(signal, kernel)``: valid 1-D cross-correlation, ``out[i] = sum_k signal[i+k] * kernel[k]``.

    Parameters
    ----------
    fn : callable or None
        The student's function (None: not answered yet).
    time_limit : float
        Seconds each call may take.

    Returns
    -------
    Feedback
        ``ok`` when ``fn`` agrees with :func:`cnnhelpers.reference.conv1d` on every test input.

    Examples
    --------
    >>> check_conv1d(None).misconception
    'not_answered'
    >>> from cnnhelpers import reference
    >>> check_conv1d(reference.conv1d).ok
    True
    """
    return _run_checks(_EXERCISES["conv1d"], fn, time_limit)


def check_correlate2d(fn, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(image, kernel)``: valid 2-D cross-correlation, (H, W) and (KH, KW) -> (H-KH+1, W-KW+1).

    Examples
    --------
    >>> import numpy as np
    >>> check_correlate2d(lambda image, kernel: np.zeros((2, 2))).ok
    False
    """
    return _run_checks(_EXERCISES["correlate2d"], fn, time_limit)


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
    return _run_checks(_EXERCISES["conv2d"], fn, time_limit, _conv2d_cases(up_to))


def check_max_pool2d(fn, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(x, kernel_size, stride)``: max pooling of (N, C, H, W), stride None meaning kernel_size.

    Examples
    --------
    >>> check_max_pool2d(42).misconception
    'not_a_function'
    """
    return _run_checks(_EXERCISES["max_pool2d"], fn, time_limit)


def check_max_pool2d_backward(fn, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(grad_out, x, kernel_size, stride)``: the gradient of max pooling with respect to x.

    Each window's gradient goes to its first maximum in row-major order and accumulates where
    windows overlap.

    Examples
    --------
    >>> from cnnhelpers import reference
    >>> check_max_pool2d_backward(reference.max_pool2d_backward).ok
    True
    """
    return _run_checks(_EXERCISES["max_pool2d_backward"], fn, time_limit)


def check_conv2d_backward(fn, *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(grad_out, x, w, stride, padding)``, which returns ``(grad_x, grad_w, grad_b)``.

    Examples
    --------
    >>> from cnnhelpers import reference
    >>> check_conv2d_backward(reference.conv2d_backward).ok
    True
    """
    return _run_checks(_EXERCISES["conv2d_backward"], fn, time_limit)


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
        return _not_answered("conv2d_backward")
    if not callable(conv2d_backward) or not (conv2d is None or callable(conv2d)):
        return _wrong("gradient_check needs your functions themselves, as in gradient_check(conv2d_backward, "
                      "conv2d).", "not_a_function")
    layer = StudentConv2d(2, 3, 3, stride=stride, padding=padding, rng=seed, dtype=np.float64,
                          conv2d=reference.conv2d if conv2d is None else conv2d, conv2d_backward=conv2d_backward)
    layer.bias.data[:] = np.random.default_rng(seed).standard_normal(3)
    x = np.random.default_rng(seed + 1).standard_normal((2, 2, 6, 5))
    status, value = _call(lambda: gradcheck(layer, x, max_entries=30, seed=seed), (), time_limit)
    if status == "timeout":
        return _wrong(f"The gradient check did not finish within {time_limit:g} s.", "too_slow")
    if status == "raised":
        if isinstance(value, NotImplementedError):
            return _not_answered("conv2d_backward")
        return _wrong(f"The gradient check stopped: {type(value).__name__}: {value}", "raised")
    names = {"input": "grad_x", "0.StudentConv2d.weight": "grad_w", "0.StudentConv2d.bias": "grad_b"}
    value = GradcheckResult(*({names[key]: item for key, item in table.items()}
                              for table in (value.errors, value.checked, value.kinks)), value.tolerance)
    table = "\n".join("    " + line for line in repr(value).splitlines())
    if value.passed:
        return _correct(f"Your gradients agree with the finite differences (largest relative errors):\n{table}")
    return _wrong("Your gradients and the finite differences disagree where the error is above the tolerance:"
                  f"\n{table}\nThe rows whose error is large name the gradient to look at.", "gradient_check_failed")


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
