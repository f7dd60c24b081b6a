"""invariance: the shifted pair and the stability measures, against explicit references."""

import numpy as np
import pytest

from cnnhelpers import max_pool2d
from cnnhelpers.invariance import plot_shift_stability, shift_stability, shifted_pair


def naive_max_pool(x, k):
    out = np.zeros((x.shape[0] // k, x.shape[1] // k))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].max()
    return out


def test_shifted_pair_moves_content_right():
    rng = np.random.default_rng(0)
    fmap = rng.random((12, 12))
    original, moved = shifted_pair(fmap, 2, 3)
    np.testing.assert_array_equal(moved[:, 2:], original[:, :-2])


def test_shifted_pair_moves_content_down():
    fmap = np.arange(100.0).reshape(10, 10)
    original, moved = shifted_pair(fmap, 1, 2, axis=0)
    np.testing.assert_array_equal(moved[1:], original[:-1])


def test_dots_inside_their_pooling_blocks_survive_a_small_shift():
    dots = np.zeros((40, 40))
    dots[1::4, 1::4] = 1.0  # one dot per 4x4 block, 1 px from its left edge
    result = shift_stability(dots, [0, 1, 2], mode="max", kernel_size=4)
    np.testing.assert_array_equal(result["unchanged"], [1.0, 1.0, 1.0])


def test_without_pooling_every_active_value_changes():
    dots = np.zeros((40, 40))
    dots[1::4, 1::4] = 1.0
    result = shift_stability(dots, [0, 1], mode=None)
    np.testing.assert_array_equal(result["unchanged"], [1.0, 0.0])


def test_unchanged_and_correlation_match_a_reference():
    rng = np.random.default_rng(3)
    fmap = np.maximum(rng.normal(size=(30, 30)), 0)
    shift, margin = 1, 3
    a = fmap[margin:-margin, margin:-margin]
    b = fmap[margin:-margin, margin - shift:30 - margin - shift]
    pa, pb = naive_max_pool(a, 2), naive_max_pool(b, 2)
    active = (pa != 0) | (pb != 0)
    expected_unchanged = np.mean((pa == pb)[active])
    expected_correlation = np.corrcoef(pa.ravel(), pb.ravel())[0, 1]
    result = shift_stability(fmap, [0, 1, 3], mode="max", kernel_size=2)
    assert result["unchanged"][1] == pytest.approx(expected_unchanged)
    assert result["correlation"][1] == pytest.approx(expected_correlation)


def test_max_pooling_is_more_stable_than_no_pooling_on_a_photo():
    from cnnhelpers.images import load_image
    photo = load_image("camera", size=96)
    edges = np.maximum(np.diff(photo, axis=1), 0)
    pooled = shift_stability(edges, [1], mode="max", kernel_size=4)
    raw = shift_stability(edges, [1], mode=None)
    assert pooled["unchanged"][0] > raw["unchanged"][0]
    assert pooled["correlation"][0] > raw["correlation"][0]


def test_shift_by_the_stride_shifts_the_pooled_output_by_one():
    rng = np.random.default_rng(4)
    fmap = rng.random((20, 20))
    original, moved = shifted_pair(fmap, 2, 2)
    np.testing.assert_array_equal(max_pool2d(moved, 2)[:, 1:], max_pool2d(original, 2)[:, :-1])


def test_constant_map_has_undefined_correlation():
    result = shift_stability(np.ones((10, 10)), [0, 1], mode=None)
    assert np.isnan(result["correlation"]).all()


@pytest.mark.parametrize("kwargs, match", [
    (dict(shifts=[-1]), "shifts must be"),
    (dict(shifts=[]), "shifts must be"),
    (dict(mode="min"), "mode must be one of"),
    (dict(axis=2), "axis must be"),
])
def test_bad_arguments_are_readable(kwargs, match):
    with pytest.raises(ValueError, match=match):
        shift_stability(np.ones((12, 12)), **{"shifts": [0, 1], **kwargs})


def test_map_too_small_for_the_shifts_is_readable():
    with pytest.raises(ValueError, match="too small"):
        shift_stability(np.ones((6, 6)), [0, 3])


def test_plot_has_one_line_per_setting_in_each_panel():
    import matplotlib.pyplot as plt
    dots = np.zeros((20, 20))
    dots[1::4, 1::4] = 1.0
    fig = plot_shift_stability({"none": shift_stability(dots, mode=None), "max": shift_stability(dots)})
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    plt.close(fig)
