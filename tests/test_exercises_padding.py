"""Notebook 02's checkers: the right answer passes, each named misconception is recognised."""

import numpy as np
import pytest

from cnnhelpers.exercises.padding import (
    CELL_POSITION,
    REFLECT_PADDING,
    REFLECT_ROW,
    SAME_KERNEL_SIZE,
    SIZE_QUESTION,
    check_padded_cell,
    check_padded_output_size,
    check_reflect_padding,
    check_same_padding,
)
from cnnhelpers.slides import SLIDE_INPUT, SLIDE_KERNEL

N, K, P = SIZE_QUESTION["size"], SIZE_QUESTION["kernel_size"], SIZE_QUESTION["padding"]
RIGHT_SIZE = N + 2 * P - K + 1  # stride 1


def cell(padded, kernel, position):
    """One output value by the definition: the window at ``position`` times the kernel, summed."""
    r, c = position
    kh, kw = kernel.shape
    return float(np.sum(padded[r:r + kh, c:c + kw] * kernel))


CHECKERS = [check_padded_output_size, check_same_padding, check_padded_cell, check_reflect_padding]


@pytest.mark.parametrize("checker", CHECKERS)
def test_placeholder_answer_is_not_answered_yet(checker):
    feedback = checker(None)
    assert not feedback.ok and feedback.misconception == "not_answered"
    assert "Not answered yet" in repr(feedback)


@pytest.mark.parametrize("answer", [RIGHT_SIZE, (RIGHT_SIZE, RIGHT_SIZE), float(RIGHT_SIZE), np.int64(RIGHT_SIZE)])
def test_output_size_right(answer):
    assert check_padded_output_size(answer).ok


@pytest.mark.parametrize("answer, misconception", [
    (N + P - K + 1, "padding_one_side"),
    (N - K + 1, "forgot_padding"),
    (N + 2 * P - K, "off_by_one"),
    (N + 2 * P - K + 2, "off_by_one"),
    (N, "assumed_same"),
    ("thirty", "not_a_number"),
    (-7, None),
])
def test_output_size_misconceptions(answer, misconception):
    feedback = check_padded_output_size(answer)
    assert not feedback.ok and feedback.misconception == misconception


def test_same_padding_right():
    assert check_same_padding((SAME_KERNEL_SIZE - 1) // 2).ok


@pytest.mark.parametrize("answer, misconception", [
    (SAME_KERNEL_SIZE - 1, "total_padding"),
    (SAME_KERNEL_SIZE, "kernel_size"),
    ((SAME_KERNEL_SIZE - 1) // 2 - 1, "off_by_one"),
    ((SAME_KERNEL_SIZE - 1) // 2 + 1, "off_by_one"),
    ("same", "mode_name"),
    ([1, 2], "not_a_number"),
])
def test_same_padding_misconceptions(answer, misconception):
    feedback = check_same_padding(answer)
    assert not feedback.ok and feedback.misconception == misconception


def test_padded_cell_right():
    assert check_padded_cell(cell(np.pad(SLIDE_INPUT, 1), SLIDE_KERNEL, CELL_POSITION)).ok


@pytest.mark.parametrize("answer, misconception", [
    (cell(np.pad(SLIDE_INPUT, 1), SLIDE_KERNEL[::-1, ::-1], CELL_POSITION), "flipped_kernel"),
    (cell(np.pad(SLIDE_INPUT, 1, mode="edge"), SLIDE_KERNEL, CELL_POSITION), "edge_padding"),
    (cell(SLIDE_INPUT, SLIDE_KERNEL, (2, 0)), "forgot_padding"),  # the unpadded output's bottom-left
    (cell(np.pad(SLIDE_INPUT, 1), SLIDE_KERNEL, (CELL_POSITION[0] - 1, CELL_POSITION[1])), "wrong_window"),
    (cell(np.pad(SLIDE_INPUT, 1), SLIDE_KERNEL, (CELL_POSITION[0], CELL_POSITION[1] + 1)), "wrong_window"),
    (100, None),
])
def test_padded_cell_misconceptions(answer, misconception):
    feedback = check_padded_cell(answer)
    assert not feedback.ok and feedback.misconception == misconception


def padded_row(mode):
    return list(np.pad(np.array(REFLECT_ROW), REFLECT_PADDING, mode=mode))


def test_reflect_padding_right():
    # the mirror is centred ON the edge pixel: [.., x2, x1 | x0, x1, x2, ..]
    row, p = list(REFLECT_ROW), REFLECT_PADDING
    expected = row[p:0:-1] + row + row[-2:-p - 2:-1]
    assert check_reflect_padding(expected).ok
    assert check_reflect_padding(np.array(expected)).ok


@pytest.mark.parametrize("mode, misconception", [("edge", "replicate"), ("symmetric", "mirrored_with_edge"),
                                                 ("wrap", "circular"), ("constant", "zeros")])
def test_reflect_padding_misconceptions_from_other_modes(mode, misconception):
    feedback = check_reflect_padding(padded_row(mode))
    assert not feedback.ok and feedback.misconception == misconception


def test_reflect_padding_reversed_sides():
    row, p = list(REFLECT_ROW), REFLECT_PADDING
    answer = row[1:p + 1] + row + row[-p - 1:-1]  # the right pixels, far side first
    assert check_reflect_padding(answer).misconception == "reversed_order"


@pytest.mark.parametrize("answer, misconception", [(list(REFLECT_ROW), "wrong_length"), ("abc", "not_a_number")])
def test_reflect_padding_bad_shapes(answer, misconception):
    assert check_reflect_padding(answer).misconception == misconception
