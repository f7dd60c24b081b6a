"""layer_stages: convolution, ReLU, pooling, each checked against a direct computation."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnhelpers import kernels
from cnnhelpers.layer_stages import layer_stages, relu, show_layer_stages


def naive_correlate(image, kernel):
    kh, kw = kernel.shape
    return np.array([[np.sum(image[i:i + kh, j:j + kw] * kernel) for j in range(image.shape[1] - kw + 1)]
                     for i in range(image.shape[0] - kh + 1)])


def test_relu_keeps_positives_only():
    np.testing.assert_array_equal(relu([[-1.5, 0.0], [2.0, -0.0]]), [[0.0, 0.0], [2.0, 0.0]])


def test_stages_match_a_direct_computation():
    rng = np.random.default_rng(0)
    image = rng.random((9, 10))
    weight = np.stack([kernels.sobel_x, -kernels.sobel_x])[:, None]
    stages = layer_stages(image, weight, bias=[0.5, -0.5])
    linear0 = naive_correlate(image, kernels.sobel_x) + 0.5
    np.testing.assert_allclose(stages["linear"][0], linear0, atol=1e-12)
    np.testing.assert_allclose(stages["detector"][0], np.maximum(linear0, 0), atol=1e-12)
    detector = np.maximum(linear0, 0)
    pooled = np.array([[detector[2 * i:2 * i + 2, 2 * j:2 * j + 2].max() for j in range(4)] for i in range(3)])
    np.testing.assert_allclose(stages["pooled"][0], pooled, atol=1e-12)


def test_average_mode_and_stride():
    image = np.arange(64.0).reshape(8, 8)
    stages = layer_stages(image, np.ones((1, 1, 1, 1)), pool_size=3, pool_stride=2, mode="avg")
    expected = np.array([[image[2 * i:2 * i + 3, 2 * j:2 * j + 3].mean() for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(stages["pooled"][0], expected)


def test_a_kernel_and_its_negative_split_the_signed_response():
    # ReLU keeps one polarity: a kernel and its negative together keep everything.
    rng = np.random.default_rng(1)
    image = rng.random((12, 12))
    stages = layer_stages(image, np.stack([kernels.sobel_x, -kernels.sobel_x])[:, None])
    np.testing.assert_allclose(stages["detector"][0] - stages["detector"][1], stages["linear"][0])


def test_channel_mismatch_is_readable():
    with pytest.raises(ValueError, match="channels"):
        layer_stages(np.zeros((3, 8, 8)), np.zeros((2, 1, 3, 3)))


def test_show_layer_stages_has_three_panels_per_kernel_and_shapes_in_titles():
    stages = layer_stages(np.zeros((10, 10)), np.zeros((2, 1, 3, 3)))
    fig = show_layer_stages(stages, ["a", "b"])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 6 and "8x8" in titles[0] and "4x4" in titles[2]
    plt.close(fig)
