"""cnnhelpers.exercises.kernels: every checker with the right answer and with each misconception."""

import numpy as np
import pytest

from cnnhelpers.exercises.kernels import (
    CORNER_PATCHES,
    FLIP_KERNEL,
    OUTPUT_IMAGE,
    OUTPUT_KERNEL,
    OUTPUT_POSITION,
    check_corner_patch,
    check_flipped_kernel,
    check_output_value,
    check_parameter_counts,
)

CORNER = [[-1, -1, -1], [-1, 1, 1], [-1, 1, 1]]  # the lecture's corner detector, as printed


def window_sum(image, kernel, top, left):
    """Sum of products of the 3x3 window whose top-left pixel is (top, left), one loop per index."""
    return sum(image[top + u][left + v] * kernel[u][v] for u in range(3) for v in range(3))


# --- exercise 1: one output value by hand ----------------------------------------------------------

ROW, COL = OUTPUT_POSITION
RIGHT_VALUE = window_sum(OUTPUT_IMAGE, OUTPUT_KERNEL, ROW, COL)


def test_output_value_right_answer():
    assert check_output_value(RIGHT_VALUE).ok


def test_output_value_accepts_a_numpy_scalar():
    assert check_output_value(np.float64(RIGHT_VALUE)).ok


def test_output_value_flipped_kernel():
    flipped = [row[::-1] for row in OUTPUT_KERNEL[::-1].tolist()]
    assert check_output_value(window_sum(OUTPUT_IMAGE, flipped, ROW, COL)).misconception == "flipped_kernel"


def test_output_value_transposed_kernel():
    transposed = OUTPUT_KERNEL.T.tolist()
    assert check_output_value(window_sum(OUTPUT_IMAGE, transposed, ROW, COL)).misconception == "transposed_kernel"


def test_output_value_centred_window():
    assert check_output_value(window_sum(OUTPUT_IMAGE, OUTPUT_KERNEL, ROW - 1, COL - 1)).misconception == \
        "centred_window"


def test_output_value_swapped_row_and_col():
    assert check_output_value(window_sum(OUTPUT_IMAGE, OUTPUT_KERNEL, COL, ROW)).misconception == "swapped_row_col"


# Leaving out a zero product changes nothing, so only the non-zero ones are mistakes.
NONZERO_TERMS = [(u, v) for u in range(3) for v in range(3) if OUTPUT_IMAGE[ROW + u][COL + v] * OUTPUT_KERNEL[u][v]]


@pytest.mark.parametrize("u, v", NONZERO_TERMS)
def test_output_value_forgot_a_term(u, v):
    term = OUTPUT_IMAGE[ROW + u][COL + v] * OUTPUT_KERNEL[u][v]
    assert check_output_value(RIGHT_VALUE - term).misconception == "forgot_term"


def test_output_value_unrecognised_wrong_answer_names_no_misconception():
    feedback = check_output_value(1000)
    assert not feedback.ok and feedback.misconception is None


def test_output_value_not_answered_yet():
    assert check_output_value(None).misconception == "not_answered"


def test_output_value_text_is_not_a_number():
    assert check_output_value("ten").misconception == "not_a_number"


def test_output_value_feedback_never_contains_the_answer():
    for answer in (None, 1000, window_sum(OUTPUT_IMAGE, OUTPUT_KERNEL.T.tolist(), ROW, COL)):
        assert f" {RIGHT_VALUE} " not in f" {check_output_value(answer).message} "


def test_output_value_misconceptions_are_distinct_numbers():
    flipped = [row[::-1] for row in OUTPUT_KERNEL[::-1].tolist()]
    values = {RIGHT_VALUE, window_sum(OUTPUT_IMAGE, flipped, ROW, COL),
              window_sum(OUTPUT_IMAGE, OUTPUT_KERNEL.T.tolist(), ROW, COL),
              window_sum(OUTPUT_IMAGE, OUTPUT_KERNEL, ROW - 1, COL - 1),
              window_sum(OUTPUT_IMAGE, OUTPUT_KERNEL, COL, ROW)}
    assert len(values) == 5  # otherwise the checker could not tell the mistakes apart


# --- exercise 2: the corner detector ----------------------------------------------------------------

def strongest_patch():
    return max(CORNER_PATCHES, key=lambda name: window_sum(CORNER_PATCHES[name], CORNER, 0, 0))


def test_corner_patch_right_answer_in_either_case():
    assert check_corner_patch(strongest_patch()).ok
    assert check_corner_patch(strongest_patch().lower()).ok


@pytest.mark.parametrize("letter, key", [("A", "brightest_patch"), ("B", "rotated_corner"), ("D", "line")])
def test_corner_patch_misconceptions(letter, key):
    assert check_corner_patch(letter).misconception == key


def test_corner_patch_brightest_is_a_really_brighter_patch():
    assert CORNER_PATCHES["A"].sum() == max(patch.sum() for patch in CORNER_PATCHES.values())


def test_corner_patch_not_a_letter():
    assert check_corner_patch("E").misconception == "not_a_choice"


def test_corner_patch_not_answered_yet():
    assert check_corner_patch(None).misconception == "not_answered"


# --- exercise 3: parameter counts -------------------------------------------------------------------

PIXELS = 64 * 64


def test_parameter_counts_right_answer():
    assert check_parameter_counts(PIXELS * PIXELS, 3 * 3).ok


@pytest.mark.parametrize("dense, key", [(PIXELS, "one_weight_per_pixel"), (2 * PIXELS, "added_not_multiplied"),
                                        (PIXELS * PIXELS + PIXELS, "counted_bias")])
def test_parameter_counts_dense_misconceptions(dense, key):
    assert check_parameter_counts(dense, 9).misconception == key


@pytest.mark.parametrize("conv, key", [(9 * PIXELS, "no_weight_sharing"), (9 * 62 * 62, "no_weight_sharing"),
                                       (10, "counted_bias"), (PIXELS, "one_weight_per_pixel")])
def test_parameter_counts_conv_misconceptions(conv, key):
    assert check_parameter_counts(PIXELS * PIXELS, conv).misconception == key


def test_parameter_counts_says_which_count_is_right():
    assert "convolution count is right" in check_parameter_counts(PIXELS, 9).message


def test_parameter_counts_not_answered_yet():
    assert check_parameter_counts(None, None).misconception == "not_answered"


# --- exercise 4: the flip ---------------------------------------------------------------------------

def test_flipped_kernel_right_answer():
    rotated = [row[::-1] for row in FLIP_KERNEL.tolist()[::-1]]
    assert check_flipped_kernel(rotated).ok


@pytest.mark.parametrize("transform, key", [
    (lambda k: k, "no_flip"),
    (lambda k: k.T, "transposed_kernel"),
    (lambda k: k[::-1, :], "flipped_rows_only"),
    (lambda k: k[:, ::-1], "flipped_columns_only"),
])
def test_flipped_kernel_misconceptions(transform, key):
    assert check_flipped_kernel(transform(np.array(FLIP_KERNEL))).misconception == key


def test_flipped_kernel_wrong_shape():
    assert check_flipped_kernel(np.ones((2, 3))).misconception == "wrong_shape"


def test_flipped_kernel_not_answered_yet():
    assert check_flipped_kernel(None).misconception == "not_answered"


def test_flipped_kernel_unrecognised_wrong_answer_names_no_misconception():
    feedback = check_flipped_kernel(np.zeros((3, 3)))
    assert not feedback.ok and feedback.misconception is None
