"""Notebook 03's checkers: the right answer passes, each named misconception is recognised."""

import pytest

from cnnhelpers.exercises.stride import (
    DILATION_QUESTION,
    STRIDE_QUESTION,
    TARGET_QUESTION,
    check_dilated_output_size,
    check_stride_and_padding,
    check_strided_output_size,
)

N, K, S = STRIDE_QUESTION["size"], STRIDE_QUESTION["kernel_size"], STRIDE_QUESTION["stride"]
RIGHT_STRIDED = (N - K) // S + 1  # no padding
DN, DK, DD = DILATION_QUESTION["size"], DILATION_QUESTION["kernel_size"], DILATION_QUESTION["dilation"]
RIGHT_DILATED = DN - (DD * (DK - 1) + 1) + 1
TN, TO, TK = TARGET_QUESTION["size"], TARGET_QUESTION["output_size"], TARGET_QUESTION["kernel_size"]


def out_size(size, kernel, stride, padding):
    """Count the window positions one by one."""
    return sum(1 for start in range(0, size + 2 * padding, stride) if start + kernel <= size + 2 * padding)


@pytest.mark.parametrize("checker, args", [(check_strided_output_size, (None,)),
                                           (check_dilated_output_size, (None,)),
                                           (check_stride_and_padding, (None, None)),
                                           (check_stride_and_padding, (2, None))])
def test_placeholder_answer_is_not_answered_yet(checker, args):
    feedback = checker(*args)
    assert not feedback.ok and feedback.misconception == "not_answered"


def test_strided_size_numbers_separate_the_stride_1_size_divided_by_the_stride():
    # with 28x28 (the old numbers) the stride-1 size 24 over the stride 2 was the right answer, 12
    assert (N - K + 1) / S != RIGHT_STRIDED
    assert len({RIGHT_STRIDED, (N - K + 1) / S, (N - K) // S, N // S, N / S, N - K + 1}) == 6


def test_strided_size_right():
    assert check_strided_output_size(RIGHT_STRIDED).ok
    assert check_strided_output_size((RIGHT_STRIDED, RIGHT_STRIDED)).ok


@pytest.mark.parametrize("answer, misconception", [
    ((N - K + 1) / S, "divided_stride_1_size"),
    (RIGHT_STRIDED + 0.5, "forgot_floor"),
    ((N - K) // S, "off_by_one"),
    (N // S, "divided_input"),
    (N / S, "divided_input"),
    (N - K + 1, "ignored_stride"),
    ("twelve", "not_a_number"),
    (3, None),
])
def test_strided_size_misconceptions(answer, misconception):
    feedback = check_strided_output_size(answer)
    assert not feedback.ok and feedback.misconception == misconception


def test_dilated_size_right():
    assert check_dilated_output_size(RIGHT_DILATED).ok


@pytest.mark.parametrize("answer, misconception", [
    (DN - DK + 1, "ignored_dilation"),
    (DN - DD * DK + 1, "span_dilation_times_kernel"),
    (RIGHT_DILATED - 1, "off_by_one"),
    (RIGHT_DILATED + 1, "off_by_one"),
    ("twenty", "not_a_number"),
    (1, None),
])
def test_dilated_size_misconceptions(answer, misconception):
    feedback = check_dilated_output_size(answer)
    assert not feedback.ok and feedback.misconception == misconception


def test_stride_and_padding_right():
    answers = [(s, p) for s in range(1, 5) for p in range(4) if out_size(TN, TK, s, p) == TO]
    assert answers
    for stride, padding in answers:
        assert check_stride_and_padding(stride, padding).ok


@pytest.mark.parametrize("stride, padding, misconception", [
    (1, 0, "stride_one"),
    (1, "same", "stride_one"),
    (2, "same", "same_with_stride"),
    (2, 0, "forgot_padding"),
    (2, 2, "too_much_padding"),
    (4, 1, "stride_too_large"),
    (0, 1, "not_a_number"),
    (2, -1, "not_a_number"),
])
def test_stride_and_padding_misconceptions(stride, padding, misconception):
    feedback = check_stride_and_padding(stride, padding)
    assert not feedback.ok and feedback.misconception == misconception


def test_stride_and_padding_misconception_sizes_are_what_the_messages_say():
    assert out_size(TN, TK, 2, 0) == TO - 1  # "forgot_padding": one short
    assert out_size(TN, TK, 2, 2) == TO + 1  # "too_much_padding"


def test_stride_and_padding_answers_huge_numbers_in_words():
    assert check_stride_and_padding(2, 10**400).misconception == "too_much_padding"
    assert check_stride_and_padding(10**400, 1).misconception == "stride_too_large"
