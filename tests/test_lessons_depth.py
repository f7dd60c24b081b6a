"""cnnhelpers.lessons.depth: notebook 04's channels, deep kernels, tables, figures and the channel mixer."""


import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnhelpers import conv2d, correlate2d, kernels
from cnnhelpers.images import load_image
from cnnhelpers.lessons.depth import (
    LUMINANCE,
    ChannelMixer,
    channel_contributions,
    channels_first,
    gray_weight,
    kernel_bank,
    parameter_table,
    rgb_to_cmyk,
    show_channel_sum,
    show_feature_maps,
    show_kernel_bank,
)


def naive_correlate(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def test_channels_first_moves_the_channel_axis():
    image = np.arange(24.0).reshape(2, 4, 3)
    moved = channels_first(image)
    assert moved.shape == (3, 2, 4)
    assert moved[2, 1, 3] == image[1, 3, 2]


def test_cmyk_of_primary_colors():
    rgb = np.array([[[1, 1, 1], [0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 0]]], dtype=float)
    expected = np.array([[[0, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]], dtype=float)
    np.testing.assert_array_equal(rgb_to_cmyk(rgb), expected)


def test_cmyk_round_trips_to_rgb():
    rng = np.random.default_rng(0)
    rgb = rng.random((5, 6, 3))
    cmyk = rgb_to_cmyk(rgb)
    back = (1 - cmyk[..., :3]) * (1 - cmyk[..., 3:])  # the standard inverse formula
    np.testing.assert_allclose(back, rgb, atol=1e-12)


def test_cmyk_rejects_values_outside_unit_range():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        rgb_to_cmyk(np.full((2, 2, 3), 255.0))


def test_cmyk_rejects_wrong_channel_count():
    with pytest.raises(ValueError, match="3 channels"):
        rgb_to_cmyk(np.zeros((2, 2, 4)))


def test_gray_weight_as_1x1_conv_equals_skimage_gray():
    rgb = load_image("astronaut", gray=False, size=64)
    gray = conv2d(channels_first(rgb), gray_weight())[0]
    from skimage.color import rgb2gray
    np.testing.assert_allclose(gray, rgb2gray(rgb), atol=1e-12)


def test_gray_weight_shape_and_values():
    weight = gray_weight()
    assert weight.shape == (1, 3, 1, 1)
    np.testing.assert_array_equal(weight.ravel(), LUMINANCE)


def test_kernel_bank_from_names_scales_and_none():
    bank = kernel_bank([["sobel_x", None, ("box_blur", 2.0)], [None, "sobel_y", None]])
    assert bank.shape == (2, 3, 3, 3)
    np.testing.assert_array_equal(bank[0, 0], kernels.sobel_x)
    np.testing.assert_array_equal(bank[0, 1], np.zeros((3, 3)))
    np.testing.assert_allclose(bank[0, 2], 2 * kernels.box_blur)
    np.testing.assert_array_equal(bank[1, 1], kernels.sobel_y)


def test_kernel_bank_accepts_arrays():
    bank = kernel_bank([[np.ones((1, 2)), None]], channels=2)
    np.testing.assert_array_equal(bank, [[[[1, 1]], [[0, 0]]]])


def test_kernel_bank_returns_a_writable_copy():
    bank = kernel_bank([["sobel_x"] * 3])
    bank[0, 0, 0, 0] = 100.0
    assert kernels.sobel_x[0, 0] == -1


@pytest.mark.parametrize("rows, match", [
    ([["sobel_x", "sobel_x"]], "one kernel per input channel"),
    ([["nope", None, None]], "must name one of"),
    ([["sobel_x", np.ones((2, 2)), None]], "same size"),
    ([[None, None, None]], "at least one"),
])
def test_kernel_bank_bad_rows_are_readable_errors(rows, match):
    with pytest.raises(ValueError, match=match):
        kernel_bank(rows)


def test_channel_contributions_are_naive_per_channel_correlations():
    rng = np.random.default_rng(1)
    x, kernel = rng.normal(size=(3, 7, 6)), rng.normal(size=(3, 3, 2))
    parts = channel_contributions(x, kernel)
    for c in range(3):
        np.testing.assert_allclose(parts[c], naive_correlate(x[c], kernel[c]))


def test_channel_contributions_sum_to_conv2d():
    rng = np.random.default_rng(2)
    x, weight = rng.normal(size=(3, 9, 8)), rng.normal(size=(4, 3, 3, 3))
    out = conv2d(x, weight)
    for o in range(4):
        np.testing.assert_allclose(channel_contributions(x, weight[o]).sum(axis=0), out[o], atol=1e-12)


def test_channel_contributions_depth_mismatch_is_readable():
    with pytest.raises(ValueError, match="as deep as x"):
        channel_contributions(np.zeros((3, 5, 5)), np.zeros((2, 3, 3)))


def test_show_channel_sum_title_spells_out_the_sum():
    x = np.stack([np.eye(3), 2 * np.eye(3)])
    kernel = np.ones((2, 2, 2))
    fig = show_channel_sum(x, kernel, bias=-1, position=(0, 0))
    # channel 0: 1+0+0+1 = 2; channel 1: 4; sum 6, bias -1 -> 5
    assert fig.get_suptitle() == "output[0, 0] = 2 + 4 + (-1) = 5"
    plt.close(fig)


def test_show_channel_sum_position_outside_is_readable():
    with pytest.raises(ValueError, match="position must lie inside"):
        show_channel_sum(np.zeros((2, 3, 3)), np.zeros((2, 2, 2)), position=(2, 0))


def test_show_kernel_bank_draws_one_axes_per_slice():
    fig = show_kernel_bank(np.zeros((2, 3, 3, 3)), names=["a", "b"])
    assert len(fig.axes) == 6
    plt.close(fig)


def test_show_feature_maps_shares_one_symmetric_scale():
    maps = np.stack([np.full((4, 4), -1.0), np.full((4, 4), 3.0)])
    fig = show_feature_maps(maps, limit=3.0)
    norms = {(image.norm.vmin, image.norm.vmax) for ax in fig.axes for image in ax.images}
    assert norms == {(-3.0, 3.0)}
    plt.close(fig)


def test_parameter_table_totals_are_weights_plus_biases():
    table = parameter_table([("a", 3, 64, 3), ("b", 512, 512, 3)])
    lines = table.splitlines()
    assert lines[1].split()[-1] == f"{64 * 3 * 3 * 3 + 64:,}"
    assert lines[2].split()[-1] == f"{512 * 3 * 3 * 512 + 512:,}"
    assert lines[2].split()[1] == "3x3x512"


def test_show_feature_maps_own_scales_when_not_shared():
    maps = np.stack([np.full((4, 4), -1.0), np.full((4, 4), 3.0)])
    fig = show_feature_maps(maps, shared=False)
    limits = [ax.images[0].norm.vmax for ax in fig.axes if ax.images and ax.get_title()]
    assert limits == [1.0, 3.0]
    plt.close(fig)


def test_parameter_table_rejects_short_rows():
    with pytest.raises(ValueError, match=r"layers\[0\] must be"):
        parameter_table([("a", 3, 64)])

SETTINGS = dict(photo="astronaut", red_kernel="sobel_x", red_weight=1.0, green_kernel="box_blur",
                green_weight=-0.5, blue_kernel="laplacian", blue_weight=2.0)


@pytest.fixture(scope="module")
def mixer():
    return ChannelMixer(photos=("astronaut", "coffee"), size=40)


def test_output_is_conv2d_with_the_chosen_deep_kernel(mixer):
    result = mixer.update(**SETTINGS)
    weight = np.stack([kernels.sobel_x, -0.5 * kernels.box_blur, 2.0 * kernels.laplacian])[None]
    x = channels_first(load_image("astronaut", gray=False, size=40))
    np.testing.assert_allclose(result["weight"], weight)
    np.testing.assert_allclose(result["output"], conv2d(x, weight)[0], atol=1e-12)


def test_each_contribution_is_that_channel_alone(mixer):
    result = mixer.update(**SETTINGS)
    green = load_image("astronaut", gray=False, size=40)[..., 1]
    np.testing.assert_allclose(result["contributions"][1], -0.5 * correlate2d(green, kernels.box_blur), atol=1e-12)


def test_zero_weight_silences_a_channel(mixer):
    result = mixer.update(**{**SETTINGS, "blue_weight": 0.0})
    assert not result["contributions"][2].any()


def test_other_photo_changes_the_shape(mixer):
    result = mixer.update(**{**SETTINGS, "photo": "coffee"})
    assert result["output"].shape == (40 - 2, 60 - 2)


def test_update_draws_the_sum_in_the_last_panel(mixer):
    result = mixer.update(**SETTINGS)
    np.testing.assert_array_equal(mixer.live.figure.axes[4].images[0].get_array(), result["output"])


def test_unknown_photo_is_a_readable_message_not_a_traceback(mixer):
    assert mixer.safe_update(**{**SETTINGS, "photo": "moon"}) is False
    assert "photo must be one of" in mixer.message.value


def test_widget_builds_with_controls_for_every_argument(mixer):
    box = mixer.widget
    assert set(mixer.controls) == set(SETTINGS)
    assert mixer.live.image.value  # the first picture was rendered
    assert box.children[0].children  # the controls row


def test_constructor_rejects_unknown_photos():
    with pytest.raises(ValueError, match="photos must be names"):
        ChannelMixer(photos=("nope",))
