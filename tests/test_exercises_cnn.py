"""Checkers of notebook 06: each right answer passes, each named misconception is recognised.

The right answers are computed here independently, with explicit loops.
"""

import numpy as np
import pytest

from cnnhelpers.exercises.cnn import (
    CONV_GRAD_OUT,
    CONV_INPUT_SHAPE,
    CONV_KERNEL,
    LABEL,
    LOGITS,
    POOL_GRAD,
    POOL_INPUT,
    check_conv_input_gradient,
    check_cross_entropy_gradient,
    check_flatten_size,
    check_max_pool_gradient,
    show_backprop_problems,
)


def lenet_size(padding=0, pools=2, channels=16, extra=0, size=28):
    for pool in (2, pools):
        size = (size + 2 * padding - 5 + 1 - extra) // pool
    return channels * size * size


# ---- exercise 1: LeNet-5's flatten size ----
def test_flatten_size_right_answer():
    assert lenet_size() == 16 * 4 * 4
    assert check_flatten_size(256).ok


@pytest.mark.parametrize("answer, key", [
    (16 * 7 * 7, "same_padding"),
    (lenet_size(extra=1), "off_by_one"),
    (16 * 20 * 20, "pooling_forgotten"),
    (16 * 8 * 8, "pooling_forgotten"),
    (4 * 4, "channels_forgotten"),
    (6 * 4 * 4, "wrong_channels"),
    (None, "not_answered"),
    ("256", "not_a_number"),
    (255, "other"),
    (lenet_size(size=32), "classic_lenet_input"),
])
def test_flatten_size_misconceptions(answer, key):
    feedback = check_flatten_size(answer)
    assert not feedback.ok and feedback.misconception == key


def test_flatten_size_names_the_classic_lenet_figure_and_its_input():
    assert lenet_size(size=32) == 16 * 5 * 5 == 400
    message = check_flatten_size(400).message
    assert "32x32" in message and "28x28" in message


# ---- exercise 2: where max pooling sends its gradient ----
def max_pool_backward_by_hand(pick="max", value=None):
    out = np.zeros((4, 4))
    for i in range(2):
        for j in range(2):
            window = [(2 * i + u, 2 * j + v) for u in range(2) for v in range(2)]
            chooser = max if pick == "max" else min
            r, c = chooser(window, key=lambda rc: POOL_INPUT[rc])
            out[r, c] = POOL_GRAD[i, j] if value is None else value
    return out


def test_max_pool_gradient_right_answer():
    assert check_max_pool_gradient(max_pool_backward_by_hand()).ok


@pytest.mark.parametrize("answer, key", [
    (np.repeat(np.repeat(POOL_GRAD / 4, 2, axis=0), 2, axis=1), "spread_evenly"),
    (np.repeat(np.repeat(POOL_GRAD, 2, axis=0), 2, axis=1), "copied_to_all"),
    (max_pool_backward_by_hand("min"), "sent_to_minimum"),
    (max_pool_backward_by_hand(value=1), "mask_only"),
    (np.zeros((2, 2)), "wrong_shape"),
    (None, "not_answered"),
    (np.ones((4, 4)), "other"),
])
def test_max_pool_gradient_misconceptions(answer, key):
    feedback = check_max_pool_gradient(answer)
    assert not feedback.ok and feedback.misconception == key


# ---- exercise 3: the input gradient of a convolution ----
def conv_input_gradient_by_hand(kernel=CONV_KERNEL):
    """Scatter: output (i, j) was sum_uv x[i+u, j+v] k[u, v], so x[i+u, j+v] receives g[i, j] k[u, v]."""
    grad = np.zeros(CONV_INPUT_SHAPE)
    for i in range(2):
        for j in range(2):
            for u in range(2):
                for v in range(2):
                    grad[i + u, j + v] += CONV_GRAD_OUT[i, j] * kernel[u, v]
    return grad


def full_correlation(kernel):
    padded = np.pad(CONV_GRAD_OUT, 1)
    return np.array([[np.sum(padded[i:i + 2, j:j + 2] * kernel) for j in range(3)] for i in range(3)])


def test_conv_input_gradient_right_answer():
    assert check_conv_input_gradient(conv_input_gradient_by_hand()).ok
    np.testing.assert_array_equal(conv_input_gradient_by_hand(), full_correlation(CONV_KERNEL[::-1, ::-1]))


@pytest.mark.parametrize("answer, key", [
    (full_correlation(CONV_KERNEL), "kernel_not_flipped"),
    (full_correlation(CONV_KERNEL[::-1]), "flipped_one_axis"),
    (full_correlation(CONV_KERNEL[:, ::-1]), "flipped_one_axis"),
    (full_correlation(CONV_KERNEL.T), "transposed_kernel"),
    (np.zeros((1, 1)), "wrong_shape"),
    (None, "not_answered"),
    (np.ones((3, 3)), "other"),
])
def test_conv_input_gradient_misconceptions(answer, key):
    feedback = check_conv_input_gradient(answer)
    assert not feedback.ok and feedback.misconception == key


# ---- exercise 4: the gradient of softmax cross-entropy ----
def test_cross_entropy_gradient_right_answer():
    probabilities = np.exp(LOGITS) / np.exp(LOGITS).sum()
    np.testing.assert_allclose(probabilities, [0.5, 0.3, 0.2])
    assert check_cross_entropy_gradient([0.5, 0.3 - 1, 0.2]).ok


@pytest.mark.parametrize("answer, key", [
    ([0.5, 0.3, 0.2], "forgot_one_hot"),
    ([-0.5, 0.7, -0.2], "sign_flipped"),
    (LOGITS - np.eye(3)[LABEL], "not_softmaxed"),
    ([-0.5, 0.3, 0.2], "wrong_class"),
    ([0.5, -0.7], "wrong_shape"),
    (None, "not_answered"),
    ([0.1, 0.1, 0.1], "other"),
])
def test_cross_entropy_gradient_misconceptions(answer, key):
    feedback = check_cross_entropy_gradient(answer)
    assert not feedback.ok and feedback.misconception == key


@pytest.mark.parametrize("checker", [check_max_pool_gradient, check_conv_input_gradient,
                                     check_cross_entropy_gradient])
@pytest.mark.parametrize("answer", [[[1, 2], [3]], (np.ones(2), np.ones(3)), 10**400, "[[1, 2], [3, 4]]"],
                         ids=["ragged", "tuple_of_arrays", "huge_int", "text"])
def test_gradient_checkers_answer_what_a_student_can_type(checker, answer):
    # issue 13: these raised (np.shape of a ragged list; a float of 10**400)
    feedback = checker(answer)
    assert not feedback.ok and feedback.misconception in {"not_a_number", "wrong_shape"}


def test_no_checker_gives_the_answer_away():
    messages = [check_max_pool_gradient(np.ones((4, 4))).message, check_conv_input_gradient(np.ones((3, 3))).message,
                check_cross_entropy_gradient([0.1, 0.1, 0.1]).message, check_flatten_size(1).message]
    assert not any("256" in m or "-0.7" in m for m in messages)


def test_problem_figure_draws_the_four_grids_of_the_exercises():
    fig = show_backprop_problems()
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 4
    np.testing.assert_array_equal(shown[0].images[0].get_array(), POOL_INPUT)
    np.testing.assert_array_equal(shown[3].images[0].get_array(), CONV_GRAD_OUT)
