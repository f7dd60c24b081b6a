"""Checkers of notebook 04: each right answer passes, each named misconception is recognised.

The right answers are computed here independently, with explicit loops.
"""

import numpy as np
import pytest

from cnnhelpers.exercises.depth import (
    ROUNDING_TOLERANCE,
    TWO_CHANNEL_BIAS,
    TWO_CHANNEL_INPUT,
    TWO_CHANNEL_KERNEL,
    TWO_CHANNEL_POSITION,
    check_average_weight,
    check_first_layer_parameters,
    check_second_layer_parameters,
    check_two_channel_pixel,
)


def two_channel_value(position, flip=False, channels=(0, 1), bias=TWO_CHANNEL_BIAS):
    row, col = position
    total = 0
    for c in channels:
        kernel = TWO_CHANNEL_KERNEL[c][::-1, ::-1] if flip else TWO_CHANNEL_KERNEL[c]
        for u in range(3):
            for v in range(3):
                total += TWO_CHANNEL_INPUT[c, row + u, col + v] * kernel[u, v]
    return total + bias


# ---- first layer: 16 kernels of 5x5 on RGB ----
@pytest.mark.parametrize("answer, key", [
    (16 * 5 * 5 * 3, "forgot_biases"),
    (16 * 5 * 5 + 16, "forgot_input_depth"),
    (16 * 5 * 5, "forgot_input_depth"),
    (5 * 5 * 3 + 1, "one_kernel_only"),
    (16 * 5 * 5 * 3 + 3, "bias_count_wrong"),
    (None, "not_answered"),
    ("many", "not_a_number"),
])
def test_first_layer_misconceptions(answer, key):
    feedback = check_first_layer_parameters(answer)
    assert not feedback.ok and feedback.misconception == key


def test_first_layer_right_answer():
    assert check_first_layer_parameters(1216).ok
    assert check_first_layer_parameters(np.int64(1216)).ok


def test_first_layer_unknown_wrong_answer_gets_a_hint_without_the_answer():
    feedback = check_first_layer_parameters(1000)
    assert not feedback.ok and feedback.misconception is None and "1216" not in feedback.message


# ---- second layer: 32 kernels of 3x3 on the 16-channel output ----
@pytest.mark.parametrize("answer, key", [
    (32 * 3 * 3 * 3 + 32, "used_image_depth"),
    (32 * 3 * 3 * 16, "forgot_biases"),
    (32 * 3 * 3 + 32, "forgot_input_depth"),
    (3 * 3 * 16 + 1, "one_kernel_only"),
    (32 * 3 * 3 * 16 + 16, "bias_count_wrong"),
])
def test_second_layer_misconceptions(answer, key):
    feedback = check_second_layer_parameters(answer)
    assert not feedback.ok and feedback.misconception == key


def test_second_layer_right_answer():
    assert check_second_layer_parameters(32 * (3 * 3 * 16 + 1)).ok


# ---- two-channel pixel ----
def test_two_channel_right_answer():
    assert check_two_channel_pixel(two_channel_value(TWO_CHANNEL_POSITION)).ok


def test_two_channel_right_answer_as_numpy_float():
    assert check_two_channel_pixel(np.float32(two_channel_value(TWO_CHANNEL_POSITION))).ok


@pytest.mark.parametrize("make, key", [
    (lambda p: two_channel_value(p, flip=True), "flipped_kernel"),
    (lambda p: two_channel_value(p, bias=0), "forgot_bias"),
    (lambda p: two_channel_value(p, channels=(0,), bias=0), "channels_not_summed"),
    (lambda p: two_channel_value(p, channels=(1,), bias=0), "channels_not_summed"),
    (lambda p: two_channel_value(p, channels=(0,)), "channels_not_summed"),
    (lambda p: (two_channel_value(p, bias=0)) / 2 + TWO_CHANNEL_BIAS, "channels_averaged"),
    (lambda p: two_channel_value((p[1], p[0])), "wrong_position"),
    (lambda p: None, "not_answered"),
    (lambda p: "four", "not_a_number"),
])
def test_two_channel_misconceptions(make, key):
    feedback = check_two_channel_pixel(make(TWO_CHANNEL_POSITION))
    assert not feedback.ok and feedback.misconception == key


def test_two_channel_misconception_values_are_distinct():
    # Otherwise a checker could name the wrong misconception.
    p = TWO_CHANNEL_POSITION
    values = [two_channel_value(p), two_channel_value(p, flip=True), two_channel_value(p, bias=0),
              two_channel_value(p, channels=(0,), bias=0), two_channel_value(p, channels=(1,), bias=0),
              two_channel_value(p, channels=(0,)), two_channel_value(p, channels=(1,)),
              two_channel_value(p, bias=0) / 2 + 1, two_channel_value(p, bias=0) / 2]
    assert len(set(values)) == len(values)


def test_two_channel_yes_no_answer_is_not_a_number():
    feedback = check_two_channel_pixel(True)
    assert feedback.misconception == "not_a_number" and "not a number" in feedback.message


# ---- 1x1 averaging weight ----
def test_average_weight_right_answer():
    feedback = check_average_weight(np.ones((1, 3, 1, 1)) / 3)
    assert feedback.ok and "rounded" not in feedback.message


@pytest.mark.parametrize("third", [0.33, 0.333, 0.3333, 0.334, 1 / 3 + ROUNDING_TOLERANCE * 0.99])
def test_average_weight_a_third_rounded_is_right_and_the_message_says_so(third):
    feedback = check_average_weight(np.full((1, 3, 1, 1), third))
    assert feedback.ok and "rounded" in feedback.message and "fine" in feedback.message


def test_average_weight_tolerance_is_what_the_message_says():
    assert ROUNDING_TOLERANCE == 0.005 and str(ROUNDING_TOLERANCE) in check_average_weight(
        np.full((1, 3, 1, 1), 0.33)).message
    assert not check_average_weight(np.full((1, 3, 1, 1), 1 / 3 + 0.006)).ok


@pytest.mark.parametrize("third", [0.3, 0.34, 0.35])
def test_average_weight_a_third_rounded_too_far_is_its_own_misconception(third):
    # not "a mean divides the sum by the number of channels": the student did divide by 3
    feedback = check_average_weight(np.full((1, 3, 1, 1), third))
    assert not feedback.ok and feedback.misconception == "rounded_too_far"


@pytest.mark.parametrize("answer, key", [
    (np.ones((3, 1, 1, 1)) / 3, "swapped_in_out"),
    (np.ones((1, 3, 3, 3)) / 27, "kernel_not_1x1"),
    (np.ones(3) / 3, "not_oihw"),
    (np.ones((1, 3, 1, 1)), "not_normalised"),
    (np.array([1.0, 0, 0]).reshape(1, 3, 1, 1), "one_channel_only"),
    (np.array([0.2125, 0.7154, 0.0721]).reshape(1, 3, 1, 1), "unequal_weights"),
    (np.ones((2, 2)), "wrong_shape"),
    (None, "not_answered"),
])
def test_average_weight_misconceptions(answer, key):
    feedback = check_average_weight(answer)
    assert not feedback.ok and feedback.misconception == key


def test_checker_does_not_modify_the_answer():
    answer = np.ones((1, 3, 1, 1))
    check_average_weight(answer)
    np.testing.assert_array_equal(answer, np.ones((1, 3, 1, 1)))


def test_problem_figure_shows_both_channels_and_kernels():
    import matplotlib.pyplot as plt

    from cnnhelpers.exercises.depth import show_two_channel_problem
    fig = show_two_channel_problem()
    assert len(fig.axes) == 4 and "output[0, 1]" in fig.get_suptitle()
    plt.close(fig)
