"""Checkers of notebook 05: each right answer passes, each named misconception is recognised.

The right answers are computed here with explicit loops, independently of the checkers.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnhelpers.exercises.pooling import (
    OVERLAP_GRID,
    POOL_GRID,
    SIZE_QUESTION,
    check_max_pool_grid,
    check_overlapping_pool,
    check_pooled_size,
    check_receptive_field,
    show_pooling_problems,
)


def loop_pool(grid, k, s, reduce=np.max):
    n = (grid.shape[0] - k) // s + 1
    return [[float(reduce(grid[i * s:i * s + k, j * s:j * s + k])) for j in range(n)] for i in range(n)]


# ---- 1: 2x2 max pool ----
def test_max_pool_grid_right_answer_as_nested_lists():
    assert check_max_pool_grid(loop_pool(POOL_GRID, 2, 2)).ok


@pytest.mark.parametrize("make, key", [
    (lambda: loop_pool(POOL_GRID, 2, 2, np.mean), "used_average"),
    (lambda: loop_pool(POOL_GRID, 2, 1), "used_stride_1"),
    (lambda: loop_pool(POOL_GRID, 2, 2, np.min), "used_minimum"),
    (lambda: loop_pool(POOL_GRID, 2, 2, np.sum), "used_sum"),
    (lambda: POOL_GRID[::2, ::2].tolist(), "kept_top_left"),
    (lambda: np.array(loop_pool(POOL_GRID, 2, 2)).T, "transposed"),
    (lambda: [1, 2, 3, 4], "wrong_shape"),
    (lambda: None, "not_answered"),
    (lambda: [["a", "b"], ["c", "d"]], "not_a_number"),
])
def test_max_pool_grid_misconceptions(make, key):
    feedback = check_max_pool_grid(make())
    assert not feedback.ok and feedback.misconception == key


def test_max_pool_grid_unknown_wrong_answer_gets_a_hint():
    feedback = check_max_pool_grid([[0, 0], [0, 0]])
    assert not feedback.ok and feedback.misconception is None


# ---- 2: 3x3 max pool, stride 2 ----
def test_overlapping_pool_right_answer():
    assert check_overlapping_pool(np.array(loop_pool(OVERLAP_GRID, 3, 2))).ok


@pytest.mark.parametrize("make, key", [
    (lambda: loop_pool(OVERLAP_GRID, 3, 3), "non_overlapping"),
    (lambda: loop_pool(OVERLAP_GRID, 3, 1), "used_stride_1"),
    (lambda: loop_pool(OVERLAP_GRID, 3, 2, np.mean), "used_average"),
    (lambda: loop_pool(OVERLAP_GRID, 2, 2), "window_2x2"),
    (lambda: np.array(loop_pool(OVERLAP_GRID, 3, 2)).T, "transposed"),
    (lambda: np.zeros((2, 3)), "wrong_shape"),
    (lambda: None, "not_answered"),
])
def test_overlapping_pool_misconceptions(make, key):
    feedback = check_overlapping_pool(make())
    assert not feedback.ok and feedback.misconception == key


@pytest.mark.parametrize("answer", [float("nan"), True, np.nan, "8"])
def test_overlapping_pool_says_an_answer_that_is_not_a_number_is_not_a_number(answer):
    # it used to say "That is a single window..." to nan and True
    feedback = check_overlapping_pool(answer)
    assert feedback.misconception == "not_a_number" and "single window" not in feedback.message


# ---- 3: output size of pooling, SIZE_QUESTION (21x21 map, 5x5 window, stride 2) ----
N, K, S = SIZE_QUESTION["size"], SIZE_QUESTION["kernel_size"], SIZE_QUESTION["stride"]


def count_windows(size, k, s):
    return sum(1 for start in range(0, size, s) if start + k <= size)


def test_pooled_size_right_answer():
    assert check_pooled_size(count_windows(N, K, S)).ok


def test_pooled_size_numbers_separate_the_stride_1_size_divided_by_the_stride():
    # "count the windows for stride 1, divide by the stride" must not land on the right answer
    assert (N - K + 1) / S != count_windows(N, K, S)


@pytest.mark.parametrize("answer, key", [
    ((N - K + 1) / S, "divided_stride_1_size"),
    (count_windows(N, K, S) - 1, "forgot_plus_one"),
    (N // S, "ignored_window_size"),
    (N / S, "ignored_window_size"),
    (count_windows(N, K, 1), "ignored_stride"),
    (N // K, "non_overlapping"),
    (None, "not_answered"),
    (7.25, "not_a_number"),
    ("ten", "not_a_number"),
])
def test_pooled_size_misconceptions(answer, key):
    feedback = check_pooled_size(answer)
    assert not feedback.ok and feedback.misconception == key


# ---- 4: receptive field of conv3, conv3, pool2, conv3 ----
def receptive_field_by_hand():
    # Walk down from one output unit: the input rows it reads, layer by layer.
    first, last = 0, 0
    for k, s in reversed([(3, 1), (3, 1), (2, 2), (3, 1)]):
        first, last = first * s, last * s + k - 1
    return last - first + 1


def test_receptive_field_right_answer():
    assert check_receptive_field(receptive_field_by_hand()).ok


@pytest.mark.parametrize("answer, key", [
    (8, "ignored_jump"),
    (7, "ignored_pool"),
    (3 + 3 + 2 + 3, "summed_kernel_sizes"),
    (3 * 3 * 2 * 3, "multiplied_kernel_sizes"),
    (3, "last_layer_only"),
    (None, "not_answered"),
    ("ten", "not_a_number"),
])
def test_receptive_field_misconceptions(answer, key):
    feedback = check_receptive_field(answer)
    assert not feedback.ok and feedback.misconception == key


def test_wrong_messages_never_contain_the_answer():
    assert str(receptive_field_by_hand()) not in check_receptive_field(8).message
    right = count_windows(N, K, S)
    assert str(right) not in check_pooled_size(right + 2).message


def test_problem_figure_draws_both_grids():
    fig = show_pooling_problems()
    assert len(fig.axes) == 2
    plt.close(fig)
