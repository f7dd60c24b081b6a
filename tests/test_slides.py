"""The lecture's 5x5 example: the slides' numbers, recomputed by hand-written sums."""

import numpy as np
import pytest

import cnnhelpers as ch
from cnnhelpers.slides import SLIDE_INPUT, SLIDE_KERNEL


def window_sum(padded, top, left):
    return int(sum(padded[top + u, left + v] * SLIDE_KERNEL[u, v] for u in range(3) for v in range(3)))


def test_without_padding_upper_left_is_minus_2_as_on_the_slide():
    assert window_sum(SLIDE_INPUT, 0, 0) == -2 == ch.correlate2d(SLIDE_INPUT, SLIDE_KERNEL)[0, 0]


def test_with_padding_upper_left_is_minus_1_as_on_the_slide():
    padded = np.pad(SLIDE_INPUT, 1)
    assert window_sum(padded, 0, 0) == -1 == ch.correlate2d(SLIDE_INPUT, SLIDE_KERNEL, padding=1)[0, 0]


def test_stride_2_no_padding_bottom_left_is_minus_2_not_0_as_printed():
    # The slide "Stride 2 - No Padding" prints 0 here; the window rows 2-4, cols 0-2 give -2.
    assert window_sum(SLIDE_INPUT, 2, 0) == -2
    assert ch.correlate2d(SLIDE_INPUT, SLIDE_KERNEL, stride=2).tolist() == [[-2, 3], [-2, -1]]


def test_stride_2_with_padding_matches_the_slides_three_printed_values():
    out = ch.correlate2d(SLIDE_INPUT, SLIDE_KERNEL, stride=2, padding=1)
    assert (out[0, 0], out[0, 1], out[1, 0]) == (-1, 2, 3)


def test_slide_arrays_are_read_only():
    with pytest.raises(ValueError):
        SLIDE_INPUT[0, 0] = 5
