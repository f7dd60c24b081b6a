"""The Build-it checkers against implementations a student might write: right ones in several styles,
each named mistake, and garbage. The right ones are written out here, independently of the package."""

import threading
import time

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from cnnhelpers import nn, reference
from cnnhelpers.exercises import (
    Feedback,
    check_conv1d,
    check_conv2d,
    check_conv2d_backward,
    check_correlate2d,
    check_max_pool2d,
    check_max_pool2d_backward,
    gradient_check,
    train_digits_with,
)
from cnnhelpers.nn.student import StudentConv2d, with_student_conv

# -- conv1d ----------------------------------------------------------------------------------------------


def conv1d_loops(signal, kernel):
    out = []
    for i in range(len(signal) - len(kernel) + 1):
        out.append(sum(signal[i + k] * kernel[k] for k in range(len(kernel))))
    return out  # a list


def conv1d_windows(signal, kernel):
    return sliding_window_view(np.asarray(signal, np.float32), len(kernel)) @ np.asarray(kernel, np.float32)


def conv1d_numpy(signal, kernel):
    return np.correlate(signal, kernel, mode="valid")


def conv1d_flipped(signal, kernel):
    return np.convolve(signal, kernel, mode="valid")


def conv1d_short(signal, kernel):
    n, k = len(signal), len(kernel)
    return np.array([np.dot(signal[i:i + k], kernel) for i in range(n - k)])


def conv1d_long(signal, kernel):
    n, k = len(signal), len(kernel)
    out = np.zeros(n - k + 2)
    out[:n - k + 1] = np.correlate(signal, kernel, mode="valid")
    return out


@pytest.mark.parametrize("fn", [conv1d_loops, conv1d_windows, conv1d_numpy, reference.conv1d])
def test_conv1d_accepts_right_answers(fn):
    assert check_conv1d(fn).ok


@pytest.mark.parametrize("fn, key", [(conv1d_flipped, "flipped_kernel"), (conv1d_short, "output_too_small"),
                                     (conv1d_long, "output_too_large")])
def test_conv1d_names_the_mistake(fn, key):
    feedback = check_conv1d(fn)
    assert not feedback.ok and feedback.misconception == key


def test_a_wrong_answer_shows_the_smallest_failing_input_expected_and_returned():
    message = " ".join(check_conv1d(conv1d_flipped).message.replace("[", " ").replace("]", " ").split())
    assert "signal, shape (5,): 1 2 3 4 5 kernel, shape (2,): 1 2" in message  # the first, smallest input
    assert "should be (shape (4,)): 5 8 11 14" in message  # what the reference gives
    assert "returned (shape (4,)): 4 7 10 13" in message  # what the flipped kernel gives


# -- correlate2d -----------------------------------------------------------------------------------------


def correlate2d_loops(image, kernel):
    image, kernel = np.asarray(image), np.asarray(kernel)
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1), dtype=np.float32)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def correlate2d_einsum(image, kernel):
    return np.einsum("ijuv,uv->ij", sliding_window_view(image, kernel.shape), kernel)


def correlate2d_lists(image, kernel):
    kh, kw = len(kernel), len(kernel[0])
    return [[sum(image[i + u][j + v] * kernel[u][v] for u in range(kh) for v in range(kw))
             for j in range(len(image[0]) - kw + 1)] for i in range(len(image) - kh + 1)]


def correlate2d_flipped(image, kernel):
    return correlate2d_einsum(image, kernel[::-1, ::-1])


def correlate2d_transposed(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for u in range(min(kh, kw)):
                for v in range(min(kh, kw)):
                    out[i, j] += image[i + u, j + v] * kernel[v, u]
    return out


def correlate2d_short(image, kernel):
    return correlate2d_einsum(image, kernel)[:-1, :-1]


@pytest.mark.parametrize("fn", [correlate2d_loops, correlate2d_einsum, correlate2d_lists, reference.correlate2d])
def test_correlate2d_accepts_right_answers(fn):
    assert check_correlate2d(fn).ok


@pytest.mark.parametrize("fn, key", [(correlate2d_flipped, "flipped_kernel"), (correlate2d_short, "output_too_small"),
                                     (correlate2d_transposed, "transposed_kernel")])
def test_correlate2d_names_the_mistake(fn, key):
    feedback = check_correlate2d(fn)
    assert not feedback.ok and feedback.misconception == key


# -- conv2d ----------------------------------------------------------------------------------------------


def conv2d_loops(x, w, b, stride, padding):
    """Six loops, float32, written the long way."""
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, o, oh, ow), dtype=np.float32)
    for m in range(n):
        for k in range(o):
            for i in range(oh):
                for j in range(ow):
                    total = b[k]
                    for ch in range(c):
                        total += np.sum(x[m, ch, i * stride:i * stride + kh, j * stride:j * stride + kw] * w[k, ch])
                    out[m, k, i, j] = total
    return out


def conv2d_einsum(x, w, b, stride, padding):
    x = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    windows = sliding_window_view(x, w.shape[2:], axis=(2, 3))[:, :, ::stride, ::stride]  # (N, C, OH, OW, KH, KW)
    return np.einsum("ncijuv,ocuv->noij", windows, w) + b[None, :, None, None]


def conv2d_im2col(x, w, b, stride, padding):
    x = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    o, c, kh, kw = w.shape
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    n, _, oh, ow = windows.shape[:4]
    columns = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw)
    out = columns @ w.reshape(o, -1).T + b
    return out.reshape(n, oh, ow, o).transpose(0, 3, 1, 2).tolist()  # nested lists


def _with(fn, x=lambda x, w, b, s, p: (x, w, b, s, p)):
    return lambda *args: fn(*x(*args))


conv2d_flipped = _with(conv2d_einsum, lambda x, w, b, s, p: (x, w[:, :, ::-1, ::-1], b, s, p))
conv2d_no_bias = _with(conv2d_einsum, lambda x, w, b, s, p: (x, w, 0 * b, s, p))
conv2d_stride_1 = _with(conv2d_einsum, lambda x, w, b, s, p: (x, w, b, 1, p))


def conv2d_last_channel(x, w, b, stride, padding):
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for m in range(n):
        for k in range(o):
            for i in range(oh):
                for j in range(ow):
                    for ch in range(c):  # = instead of +=
                        out[m, k, i, j] = np.sum(x[m, ch, i * stride:i * stride + kh, j * stride:j * stride + kw]
                                                 * w[k, ch]) + b[k]
    return out


def conv2d_one_side(x, w, b, stride, padding):
    x = np.pad(x, [(0, 0), (0, 0), (padding, 0), (padding, 0)])
    return conv2d_einsum(x, w, b, stride, 0)


def conv2d_windows_step_1(x, w, b, stride, padding):
    out = np.asarray(conv2d_einsum(x, w, b, 1, padding))
    oh = (x.shape[2] + 2 * padding - w.shape[2]) // stride + 1
    ow = (x.shape[3] + 2 * padding - w.shape[3]) // stride + 1
    return out[:, :, :oh, :ow]


def conv2d_short(x, w, b, stride, padding):
    return conv2d_einsum(x, w, b, stride, padding)[:, :, :-1, :-1]


def conv2d_no_padding(x, w, b, stride, padding):
    return conv2d_einsum(x, w, b, stride, 0)


@pytest.mark.parametrize("fn", [conv2d_loops, conv2d_einsum, conv2d_im2col, reference.conv2d])
def test_conv2d_accepts_right_answers(fn):
    assert check_conv2d(fn).ok


@pytest.mark.parametrize("fn, key", [
    (conv2d_flipped, "flipped_kernel"), (conv2d_no_bias, "bias_ignored"), (conv2d_stride_1, "stride_ignored"),
    (conv2d_windows_step_1, "stride_ignored"), (conv2d_last_channel, "channels_not_summed"),
    (conv2d_one_side, "padding_one_side"), (conv2d_no_padding, "padding_ignored"),
    (conv2d_short, "output_too_small")])
def test_conv2d_names_the_mistake(fn, key):
    feedback = check_conv2d(fn)
    assert not feedback.ok and feedback.misconception == key


def test_conv2d_in_notebook_02_checks_padding_only():
    """A function that ignores stride and channels is right as far as notebook 02 goes."""
    def padding_only(x, w, b, stride, padding):
        return conv2d_einsum(x[:, :1], w[:, :1], b, 1, padding)

    assert check_conv2d(padding_only, up_to="padding").ok
    assert check_conv2d(padding_only, up_to="stride").misconception == "stride_ignored"
    assert check_conv2d(padding_only).misconception == "stride_ignored"
    with pytest.raises(ValueError, match="up_to"):
        check_conv2d(padding_only, up_to="depth")


# -- max_pool2d ------------------------------------------------------------------------------------------


def max_pool2d_loops(x, kernel_size, stride):
    stride = stride or kernel_size
    n, c, h, w = x.shape
    oh, ow = (h - kernel_size) // stride + 1, (w - kernel_size) // stride + 1
    out = np.empty((n, c, oh, ow), dtype=np.float32)
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size].max(
                axis=(2, 3))
    return out


def max_pool2d_windows(x, kernel_size, stride):
    stride = kernel_size if stride is None else stride
    windows = sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.max(axis=(4, 5))


def max_pool2d_average(x, kernel_size, stride):
    stride = kernel_size if stride is None else stride
    return sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))[:, :, ::stride, ::stride].mean(axis=(4, 5))


def max_pool2d_stride_1(x, kernel_size, stride):
    return max_pool2d_windows(x, kernel_size, 1)


def max_pool2d_none_is_1(x, kernel_size, stride):
    return max_pool2d_windows(x, kernel_size, 1 if stride is None else stride)


def max_pool2d_ceil(x, kernel_size, stride):
    stride = kernel_size if stride is None else stride
    n, c, h, w = x.shape
    oh, ow = -(-(h - kernel_size) // stride) + 1, -(-(w - kernel_size) // stride) + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size].max(
                axis=(2, 3))
    return out


@pytest.mark.parametrize("fn", [max_pool2d_loops, max_pool2d_windows, reference.max_pool2d])
def test_max_pool2d_accepts_right_answers(fn):
    assert check_max_pool2d(fn).ok


@pytest.mark.parametrize("fn, key", [(max_pool2d_average, "used_average"), (max_pool2d_stride_1, "stride_ignored"),
                                     (max_pool2d_none_is_1, "stride_default"), (max_pool2d_ceil, "output_too_large")])
def test_max_pool2d_names_the_mistake(fn, key):
    feedback = check_max_pool2d(fn)
    assert not feedback.ok and feedback.misconception == key


# -- max_pool2d_backward ---------------------------------------------------------------------------------


def _pool_backward(grad_out, x, kernel_size, stride, rule):
    """A student's loop; ``rule(window, g, target)`` puts window's gradient ``g`` into ``target`` (a view)."""
    stride = kernel_size if stride is None else stride
    grad_x = np.zeros(x.shape, dtype=np.float32)
    n, c, oh, ow = grad_out.shape
    for m in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    rows = slice(i * stride, i * stride + kernel_size)
                    cols = slice(j * stride, j * stride + kernel_size)
                    rule(x[m, ch, rows, cols], grad_out[m, ch, i, j], grad_x[m, ch, rows, cols])
    return grad_x


def _to_first_max(window, g, target):
    u, v = divmod(int(np.argmax(window)), window.shape[1])
    target[u, v] += g


def max_pool2d_backward_loops(grad_out, x, kernel_size, stride):
    return _pool_backward(grad_out, x, kernel_size, stride, _to_first_max)


def max_pool2d_backward_vectorised(grad_out, x, kernel_size, stride):
    stride = kernel_size if stride is None else stride
    windows = sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))[:, :, ::stride, ::stride]
    n, c, oh, ow = grad_out.shape
    first = windows.reshape(n, c, oh, ow, -1).argmax(axis=-1)
    rows = np.arange(oh)[:, None] * stride + first // kernel_size
    cols = np.arange(ow)[None, :] * stride + first % kernel_size
    grad_x = np.zeros_like(x)
    np.add.at(grad_x, (np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], rows, cols), grad_out)
    return grad_x


def _spread(window, g, target):
    target += g


def _divided(window, g, target):
    target += g / window.size


def _all_ties(window, g, target):
    target[window == window.max()] += g


def _assigned(window, g, target):
    u, v = divmod(int(np.argmax(window)), window.shape[1])
    target[u, v] = g


def _last_tie(window, g, target):
    best = (0, 0)
    for u in range(window.shape[0]):
        for v in range(window.shape[1]):
            if window[u, v] >= window[best]:
                best = (u, v)
    target[best] += g


def max_pool2d_backward_stride_1(grad_out, x, kernel_size, stride):
    return _pool_backward(grad_out, x, kernel_size, 1, _to_first_max)


@pytest.mark.parametrize("fn", [max_pool2d_backward_loops, max_pool2d_backward_vectorised,
                                reference.max_pool2d_backward])
def test_max_pool2d_backward_accepts_right_answers(fn):
    assert check_max_pool2d_backward(fn).ok


@pytest.mark.parametrize("rule, key", [(_spread, "spread_over_window"), (_divided, "divided_by_window"),
                                       (_all_ties, "all_tied_maxima"), (_assigned, "overwritten_on_overlap"),
                                       (_last_tie, "last_tied_maximum")])
def test_max_pool2d_backward_names_the_mistake(rule, key):
    feedback = check_max_pool2d_backward(lambda g, x, k, s: _pool_backward(g, x, k, s, rule))
    assert not feedback.ok and feedback.misconception == key


def test_max_pool2d_backward_names_ignored_stride():
    assert check_max_pool2d_backward(max_pool2d_backward_stride_1).misconception == "stride_ignored"


# -- conv2d_backward -------------------------------------------------------------------------------------


def conv2d_backward_loops(grad_out, x, w, stride, padding, *, flip=False, batch="sum", bias_axes=(0, 2, 3),
                          step=None):
    """The student's six loops; the keywords switch on one mistake each."""
    step = stride if step is None else step
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kernel = w[:, :, ::-1, ::-1] if flip else w
    grad_xp, grad_w = np.zeros_like(xp), np.zeros_like(w)
    n, o, oh, ow = grad_out.shape
    kh, kw = w.shape[2:]
    for m in range(n):
        per_image = np.zeros_like(w)
        for k in range(o):
            for i in range(oh):
                for j in range(ow):
                    rows, cols = slice(i * step, i * step + kh), slice(j * step, j * step + kw)
                    grad_xp[m, :, rows, cols] += grad_out[m, k, i, j] * kernel[k]
                    per_image[k] += grad_out[m, k, i, j] * xp[m, :, rows, cols]
        grad_w = grad_w + per_image if batch == "sum" else per_image
    grad_b = grad_out.sum(axis=bias_axes)
    return grad_xp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]], grad_w, grad_b


def conv2d_backward_einsum(grad_out, x, w, stride, padding):
    xp = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    kh, kw = w.shape[2:]
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]  # (N, C, OH, OW, KH, KW)
    grad_w = np.einsum("noij,ncijuv->ocuv", grad_out, windows)
    grad_windows = np.einsum("noij,ocuv->ncijuv", grad_out, w)
    grad_xp = np.zeros_like(xp)
    oh, ow = grad_out.shape[2:]
    for u in range(kh):
        for v in range(kw):
            grad_xp[:, :, u:u + stride * oh:stride, v:v + stride * ow:stride] += grad_windows[..., u, v]
    h, wd = x.shape[2:]
    return [grad_xp[:, :, padding:padding + h, padding:padding + wd].astype(np.float32), grad_w.tolist(),
            grad_out.sum(axis=(0, 2, 3))]  # a list of mixed types


@pytest.mark.parametrize("fn", [conv2d_backward_loops, conv2d_backward_einsum, reference.conv2d_backward])
def test_conv2d_backward_accepts_right_answers(fn):
    assert check_conv2d_backward(fn).ok


@pytest.mark.parametrize("options, key", [
    ({"flip": True}, "grad_x_unflipped_kernel"), ({"batch": "last"}, "grad_w_not_summed_over_batch"),
    ({"bias_axes": (0,)}, "grad_b_wrong_axes"), ({"bias_axes": (2, 3)}, "grad_b_wrong_axes"),
    ({"bias_axes": None}, "grad_b_wrong_axes"), ({"step": 1}, "stride_ignored")])
def test_conv2d_backward_names_the_mistake(options, key):
    feedback = check_conv2d_backward(lambda *args: conv2d_backward_loops(*args, **options))
    assert not feedback.ok and feedback.misconception == key


def test_conv2d_backward_says_which_gradient_is_wrong():
    message = check_conv2d_backward(lambda *args: conv2d_backward_loops(*args, bias_axes=(0,))).message
    assert "grad_b should be" in message


def test_gradient_check_passes_right_gradients_and_fails_wrong_ones():
    assert gradient_check(reference.conv2d_backward).ok
    assert gradient_check(conv2d_backward_einsum, conv2d_einsum, stride=2).ok
    flipped = gradient_check(lambda *args: conv2d_backward_loops(*args, flip=True))
    assert not flipped.ok and flipped.misconception == "gradient_check_failed"
    assert "grad_x" in flipped.message
    assert gradient_check(None).misconception == "not_answered"


# -- garbage: always a Feedback, never an exception --------------------------------------------------------


CHECKERS = [check_conv1d, check_correlate2d, check_conv2d, check_max_pool2d, check_max_pool2d_backward,
            check_conv2d_backward]


def stub(*args):
    raise NotImplementedError


def raises(*args):
    return {}["missing"]


def returns_none(*args):
    out = np.zeros(3)
    out[0] = 1


def wrong_shape(*args):
    return np.zeros((2, 3, 4, 5, 6))


def text(*args):
    return "the answer"


def generator(*args):
    return (value for value in range(3))


def list_of_none(*args):
    return [None, None, None]


def modifies_input(*args):
    args[0][...] = 0
    return np.zeros(3)


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("fn, key", [(None, "not_answered"), (stub, "not_answered"), (42, "not_a_function"),
                                     ("conv2d", "not_a_function"), (raises, "raised"),
                                     (returns_none, "returned_none"), (text, "not_an_array"),
                                     (generator, "not_an_array"), (list_of_none, None),
                                     (modifies_input, "modified_input")])
def test_garbage_gets_words_not_exceptions(checker, fn, key):
    feedback = checker(fn)
    assert isinstance(feedback, Feedback) and not feedback
    if key is not None:
        assert feedback.misconception == key


@pytest.mark.parametrize("checker", CHECKERS)
def test_wrong_shape_is_named(checker):
    feedback = checker(wrong_shape)
    assert not feedback.ok and feedback.misconception in ("wrong_shape", "not_an_array")
    assert "shape" in feedback.message


def test_the_exception_and_its_input_are_named():
    message = check_max_pool2d(raises).message
    assert "KeyError" in message and "kernel_size = 2" in message


def test_a_function_with_other_arguments_is_told_the_call():
    feedback = check_conv2d(lambda x, w: x)
    assert feedback.misconception == "wrong_arguments" and "conv2d(x, w, b, stride, padding)" in feedback.message


def test_nan_is_named():
    def with_nan(signal, kernel):
        out = np.asarray(conv1d_numpy(signal, kernel), float)
        out[-1] = np.nan
        return out

    assert check_conv1d(with_nan).misconception == "nan"


def test_an_endless_loop_is_stopped():
    def endless(signal, kernel):
        while True:
            pass

    feedback = check_conv1d(endless, time_limit=0.2)
    assert not feedback.ok and feedback.misconception == "too_slow"
    assert "0.2 s" in feedback.message


def test_an_endless_loop_outside_the_main_thread_is_abandoned():
    stop = threading.Event()

    def endless(signal, kernel):
        while not stop.is_set():
            pass

    result = []
    thread = threading.Thread(target=lambda: result.append(check_conv1d(endless, time_limit=0.2)))
    thread.start()
    thread.join(10)
    stop.set()
    assert result and result[0].misconception == "too_slow" and "background" in result[0].message


def test_a_stub_raising_later_is_an_error_not_unanswered():
    def half_done(signal, kernel):
        if len(signal) > 5:
            raise NotImplementedError("long signals")
        return conv1d_numpy(signal, kernel)

    assert check_conv1d(half_done).misconception == "raised"


def test_feedback_html_keeps_line_breaks():
    html = check_conv1d(conv1d_flipped)._repr_html_()
    assert "white-space:pre-wrap" in html and "monospace" in html


# -- the student's functions inside a network ----------------------------------------------------------------


def test_student_conv2d_gives_the_library_layer_outputs_and_gradients():
    rng = np.random.default_rng(0)
    library = nn.Conv2d(2, 3, 3, stride=2, padding=1, rng=0, dtype=np.float64)
    student = StudentConv2d.like(library, reference.conv2d, reference.conv2d_backward)
    x = rng.standard_normal((2, 2, 7, 6))
    library.bias.data[:] = [1.0, -2.0, 0.5]
    np.testing.assert_allclose(student(x), library(x), atol=1e-12)
    grad_out = rng.standard_normal(library(x).shape)
    grad_x = library.backward(grad_out)
    weight_grad, bias_grad = library.weight.grad, library.bias.grad
    np.testing.assert_allclose(student.backward(grad_out), grad_x, atol=1e-12)
    np.testing.assert_allclose(student.weight.grad, weight_grad, atol=1e-12)
    np.testing.assert_allclose(student.bias.grad, bias_grad, atol=1e-12)


def test_a_network_with_the_reference_loops_trains_like_the_library():
    rng = np.random.default_rng(1)
    x = rng.random((16, 1, 8, 8)).astype(np.float32)
    y = (x[:, 0, :4].mean(axis=(1, 2)) > x[:, 0, 4:].mean(axis=(1, 2))).astype(np.int64)  # top half brighter?
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(2 * 4 * 4, 2, rng=3))
    student = with_student_conv(model, reference.conv2d, reference.conv2d_backward)
    assert isinstance(student.layers[0], StudentConv2d) and not isinstance(model.layers[0], StudentConv2d)
    for net in (model, student):
        nn.fit(net, x, y, optimizer=nn.Adam(net.parameters(), lr=1e-2), epochs=3, batch_size=8, rng=4,
               progress=False)
    np.testing.assert_allclose(student.layers[0].weight.data, model.layers[0].weight.data, atol=1e-4)
    np.testing.assert_allclose(student.forward(x), model.forward(x), atol=1e-4)
    assert not np.allclose(student.layers[0].weight.data, nn.Conv2d(1, 2, 3, padding=1, rng=2).weight.data)


def test_student_conv2d_refuses_padding_it_cannot_pass_on():
    with pytest.raises(ValueError, match="padding"):
        StudentConv2d(1, 2, 3, padding="same", conv2d=reference.conv2d, conv2d_backward=reference.conv2d_backward)


def test_training_on_the_digits_uses_the_library_in_place_of_missing_functions(capsys):
    run = train_digits_with(None, None, progress=False)
    assert run.used == {"conv2d": "the library's", "conv2d_backward": "the library's"}
    assert run.train_digits == 4000 and run.test_digits == 1000 and run.accuracy > 0.8
    assert "not written yet" in capsys.readouterr().out


def test_training_on_the_digits_with_the_students_vectorised_functions(capsys):
    run = train_digits_with(conv2d_einsum, conv2d_backward_einsum, time_budget=300, progress=False)
    assert run.used == {"conv2d": "yours", "conv2d_backward": "yours"}
    assert run.train_digits == 4000 and run.accuracy > 0.8


def test_training_on_the_digits_replaces_a_wrong_function_and_says_so(capsys):
    run = train_digits_with(conv2d_flipped, conv2d_backward_einsum, time_budget=300, progress=False)
    assert run.used == {"conv2d": "the library's", "conv2d_backward": "yours"}
    assert "check_conv2d(conv2d)" in capsys.readouterr().out


def test_slow_functions_train_on_part_of_the_digits(capsys):
    def slow_conv2d(*args):
        time.sleep(0.05)
        return conv2d_einsum(*args)

    run = train_digits_with(slow_conv2d, conv2d_backward_einsum, time_budget=2, progress=False)
    assert run.used["conv2d"] == "yours"
    assert 32 <= run.train_digits < 4000 and run.test_digits < 1000
    assert "trains on" in capsys.readouterr().out
