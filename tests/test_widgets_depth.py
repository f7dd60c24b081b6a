"""ChannelMixer.update, called directly: its numbers are conv2d's, its bad settings are words."""

import numpy as np
import pytest

from cnnhelpers import conv2d, correlate2d, kernels
from cnnhelpers.channels import channels_first
from cnnhelpers.images import load_image
from cnnhelpers.widgets.depth import ChannelMixer

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
