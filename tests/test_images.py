"""cnnhelpers.images: the synthetic detector image, whole-pixel shifts and block downscaling."""

import numpy as np
import pytest

from cnnhelpers.images import downscale, lines_and_corner, shift

# --- lines_and_corner ---------------------------------------------------------------------------


@pytest.mark.parametrize("size, margin", [(8, 1), (12, 1), (48, 4)])
def test_lines_and_corner_has_the_three_patterns_where_documented(size, margin):
    image = lines_and_corner(size)
    expected = np.zeros((size, size))
    for row in range(margin, size - margin):
        expected[row, margin] = 1
    for col in range(3 * margin, size - margin):
        expected[margin, col] = 1
    for row in range(size // 2, size - margin):
        for col in range(size // 2, size - margin):
            expected[row, col] = 1
    np.testing.assert_array_equal(image, expected)


def test_lines_and_corner_rejects_a_size_below_8():
    with pytest.raises(ValueError, match="size must be >= 8"):
        lines_and_corner(7)


def test_lines_and_corner_rejects_a_float_size():
    with pytest.raises(TypeError, match="size must be an int"):
        lines_and_corner(12.0)


# --- shift --------------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [(0, 0), (2, 1), (-1, 3), (3, -2), (-4, -4), (10, 0)])
def test_shift_matches_a_loop(offset):
    image = np.random.default_rng(0).random((5, 6))
    expected = np.zeros_like(image)
    for i in range(5):
        for j in range(6):
            if 0 <= i + offset[0] < 5 and 0 <= j + offset[1] < 6:
                expected[i + offset[0], j + offset[1]] = image[i, j]
    np.testing.assert_array_equal(shift(image, offset), expected)


def test_shift_fills_with_the_given_value():
    assert shift(np.zeros((3, 3)), (1, 0), fill=7.0)[0].tolist() == [7.0, 7.0, 7.0]


def test_shift_moves_every_channel_of_a_colour_image():
    image = np.random.default_rng(1).random((4, 4, 3))
    out = shift(image, (1, 1))
    np.testing.assert_array_equal(out[1:, 1:], image[:-1, :-1])


def test_shift_does_not_modify_its_input():
    image = np.arange(9.0).reshape(3, 3)
    shift(image, (1, 1))
    np.testing.assert_array_equal(image, np.arange(9.0).reshape(3, 3))


def test_shift_of_integers_gives_floats():
    assert shift(np.ones((2, 2), dtype=np.uint8), (0, 1)).dtype == np.float64


def test_shift_rejects_a_single_int_offset():
    with pytest.raises(TypeError, match="offset must be a pair of ints"):
        shift(np.zeros((3, 3)), 1)


def test_shift_rejects_a_1d_image():
    with pytest.raises(ValueError, match="image must be 2-D"):
        shift(np.zeros(3), (1, 1))


# --- downscale ----------------------------------------------------------------------------------


def test_downscale_averages_blocks_like_a_loop():
    image = np.random.default_rng(2).random((7, 9))  # 7x9: the last row and column are dropped
    expected = np.zeros((2, 3))
    for i in range(2):
        for j in range(3):
            expected[i, j] = image[3 * i:3 * i + 3, 3 * j:3 * j + 3].mean()
    np.testing.assert_allclose(downscale(image, 3), expected)


def test_downscale_by_1_is_the_identity():
    image = np.random.default_rng(3).random((4, 5))
    np.testing.assert_array_equal(downscale(image, 1), image)


def test_downscale_rejects_a_factor_larger_than_the_image():
    with pytest.raises(ValueError, match="factor must be between 1 and 4"):
        downscale(np.zeros((4, 6)), 5)


def test_downscale_rejects_a_float_factor():
    with pytest.raises(TypeError, match="factor must be an int"):
        downscale(np.zeros((4, 4)), 2.0)
