"""cnnhelpers.stride: convolve-then-downsample equals the strided convolution; the window picture."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from reference import naive_correlate2d

import cnnhelpers as ch
from cnnhelpers.stride import correlate_then_downsample, draw_strided_windows, show_strided_windows


def rng():
    return np.random.default_rng(11)


@pytest.mark.parametrize("stride, padding, dilation", [(2, 0, 1), (3, 1, 1), ((2, 3), (1, 0), 1), (2, 2, 2),
                                                       (4, 0, 3)])
def test_correlate_then_downsample_equals_naive_strided(stride, padding, dilation):
    x, k = rng().normal(size=(17, 19)), rng().normal(size=(3, 4))
    s = (stride, stride) if np.isscalar(stride) else stride
    p = (padding, padding) if np.isscalar(padding) else padding
    expected = naive_correlate2d(x, k, stride=s, pads=(p[0], p[0], p[1], p[1]), dilation=(dilation, dilation))
    np.testing.assert_allclose(correlate_then_downsample(x, k, stride, padding=padding, dilation=dilation), expected)


def test_correlate_then_downsample_is_exactly_equal_to_correlate2d():
    x, k = rng().normal(size=(64, 64)), rng().normal(size=(3, 3))
    assert np.array_equal(correlate_then_downsample(x, k, 2, padding=1), ch.correlate2d(x, k, stride=2, padding=1))


def test_correlate_then_downsample_refuses_a_padding_mode():
    with pytest.raises(TypeError, match="padding must be an int"):
        correlate_then_downsample(np.zeros((5, 5)), np.ones((3, 3)), 2, padding="same")


def read_cells(shape, kernel_shape, stride, pads, dilation):
    """Set of padded (row, col) any window reads, by the naive loop of the definition."""
    padded = (shape[0] + pads[0] + pads[1], shape[1] + pads[2] + pads[3])
    oh = (padded[0] - dilation * (kernel_shape[0] - 1) - 1) // stride + 1
    ow = (padded[1] - dilation * (kernel_shape[1] - 1) - 1) // stride + 1
    return {(i * stride + u * dilation, j * stride + v * dilation) for i in range(oh) for j in range(ow)
            for u in range(kernel_shape[0]) for v in range(kernel_shape[1])}


@pytest.mark.parametrize("shape, stride, padding, dilation", [((6, 6), 2, 0, 1), ((7, 8), 2, 1, 2),
                                                              ((5, 5), 3, 0, 1), ((5, 5), 1, 0, 1)])
def test_draw_strided_windows_unused_cells_match_brute_force(shape, stride, padding, dilation):
    fig, axes = plt.subplots(1, 3)
    info = draw_strided_windows(axes, np.ones(shape), np.ones((3, 3)), stride=stride, padding=padding,
                                dilation=dilation)
    plt.close(fig)
    read = read_cells(shape, (3, 3), stride, (padding,) * 4, dilation)
    expected = np.array([[(r + padding, c + padding) not in read for c in range(shape[1])] for r in range(shape[0])])
    np.testing.assert_array_equal(info["unused"], expected)


def test_draw_strided_windows_output_is_the_strided_correlation():
    x, k = rng().integers(0, 4, size=(7, 7)), rng().integers(-2, 3, size=(3, 3))
    fig, axes = plt.subplots(1, 3)
    info = draw_strided_windows(axes, x, k, stride=2, padding=1)
    plt.close(fig)
    np.testing.assert_array_equal(info["output"], naive_correlate2d(x, k, stride=(2, 2), pads=(1, 1, 1, 1)))
    assert info["padded"].shape == (9, 9)


def test_draw_strided_windows_rejects_a_position_outside_the_output():
    fig, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="position must lie inside the 2x2 output"):
        draw_strided_windows(axes, np.ones((5, 5)), np.ones((3, 3)), stride=2, position=(2, 0))
    plt.close(fig)


def test_show_strided_windows_titles_give_the_sizes():
    fig = show_strided_windows(np.ones((5, 6)), np.ones((3, 3)), stride=2, padding=1)
    titles = [ax.get_title() for ax in fig.axes]
    plt.close(fig)
    assert titles == ["input 5x6, padded to 7x8", "kernel 3x3", "output 3x3"]


def test_draw_strided_windows_hides_numbers_on_large_grids_only():
    fig, axes = plt.subplots(1, 3)
    draw_strided_windows(axes, np.ones((4, 4)), np.ones((3, 3)), padding=1, max_numbers=6)
    small = [t.get_text() for t in axes[0].texts]
    for ax in axes:
        ax.clear()
    draw_strided_windows(axes, np.ones((8, 8)), np.ones((3, 3)), padding=1, max_numbers=6)
    large = [t.get_text() for t in axes[0].texts]
    plt.close(fig)
    assert small.count("1") == 16 and not any(large)
