"""PaddingExperiment.update, called directly: its numbers are padded box sums; bad settings are words."""

import numpy as np
import pytest
from reference import naive_correlate2d

from cnnhelpers.images import load_image
from cnnhelpers.slides import SLIDE_INPUT
from cnnhelpers.widgets.padding import PaddingExperiment

NP_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@pytest.fixture(scope="module")
def experiment():
    return PaddingExperiment(size=64)


@pytest.mark.parametrize("mode", list(NP_MODES))
def test_grid_output_is_the_window_sum_of_the_padded_grid(experiment, mode):
    result = experiment.update(kernel_size=3, padding=2, mode=mode)
    padded = np.pad(SLIDE_INPUT, 2, mode=NP_MODES[mode])
    np.testing.assert_array_equal(result["padded_grid"], padded)
    np.testing.assert_array_equal(result["grid_output"], naive_correlate2d(padded, np.ones((3, 3))))


def test_photo_output_is_a_box_blur_of_the_padded_photo(experiment):
    result = experiment.update(kernel_size=4, padding=1, mode="replicate")
    padded = np.pad(load_image("camera", size=64), 1, mode="edge")
    np.testing.assert_allclose(result["photo_output"], naive_correlate2d(padded, np.ones((4, 4)) / 16))


@pytest.mark.parametrize("kernel_size, padding, shape", [(3, 0, (3, 3)), (3, 1, (5, 5)), (1, 4, (13, 13)),
                                                         (6, 2, (4, 4))])
def test_grid_output_size_follows_the_formula(experiment, kernel_size, padding, shape):
    assert experiment.update(kernel_size=kernel_size, padding=padding, mode="zeros")["grid_output"].shape == shape


def test_full_size_photo_by_default():
    assert PaddingExperiment().update(kernel_size=3, padding=0, mode="zeros")["photo_output"].shape == (510, 510)


def test_kernel_larger_than_padded_grid_is_a_readable_error(experiment):
    with pytest.raises(ValueError, match="7x7 kernel does not fit in the 5x5 grid padded by 0.*at least 1 of "
                                         "padding"):
        experiment.update(kernel_size=7, padding=0, mode="zeros")


def test_safe_update_shows_the_message_instead_of_raising(experiment):
    assert experiment.safe_update(kernel_size=6, padding=0, mode="reflect") is False
    assert "does not fit" in experiment.message.value


def test_figure_has_grid_output_and_photo_panels(experiment):
    experiment.update(kernel_size=3, padding=1, mode="circular")
    titles = [ax.get_title() for ax in experiment.live.figure.axes]
    assert titles == ["'circular' padding 1", "sum of each 3x3 window", "photo's corner, padded", "3x3 blur, corner"]
    assert experiment.live.image.value[:3] == b"\xff\xd8\xff"  # JPEG


def test_widget_builds_and_draws_the_initial_setting():
    experiment = PaddingExperiment(size=32)
    widget = experiment.widget
    assert set(experiment.controls) == {"kernel_size", "padding", "mode"}
    assert experiment.live.image in widget.children
    assert experiment.message.value == ""
