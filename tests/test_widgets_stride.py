"""StrideExperiment.update, called directly: grid, formula text, photo; impossible settings are words."""

import numpy as np
import pytest
from reference import naive_correlate2d

from cnnhelpers.images import load_image
from cnnhelpers.slides import SLIDE_INPUT, SLIDE_KERNEL
from cnnhelpers.widgets.stride import StrideExperiment, grid_for_size, kernel_for_size


@pytest.fixture(scope="module")
def experiment():
    return StrideExperiment(size=64)


def test_slide_stride_2_example(experiment):
    result = experiment.update(size=5, kernel_size=3, stride=2, padding=0, dilation=1)
    assert result["output"].tolist() == [[-2, 3], [-2, -1]]  # the slide prints 0 bottom-left; it is -2


@pytest.mark.parametrize("size, kernel_size, stride, padding, dilation", [
    (7, 3, 2, 1, 1), (8, 2, 3, 0, 1), (10, 3, 1, 2, 3), (6, 5, 1, "same", 1), (9, 3, 2, "full", 2)])
def test_grid_output_matches_naive_reference(experiment, size, kernel_size, stride, padding, dilation):
    result = experiment.update(size=size, kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)
    span = dilation * (kernel_size - 1)
    pads = {"same": (span // 2, span - span // 2), "full": (span, span)}.get(padding, (padding, padding))
    expected = naive_correlate2d(grid_for_size(size), kernel_for_size(kernel_size), stride=(stride, stride),
                                 pads=pads + pads, dilation=(dilation, dilation))
    np.testing.assert_array_equal(result["output"], expected)


def test_formula_text_has_the_numbers_and_the_result(experiment):
    result = experiment.update(size=7, kernel_size=3, stride=2, padding=1, dilation=2)
    assert result["formula"] == "floor((7 + 2·1 − 2·(3 − 1) − 1) / 2) + 1 = floor(4 / 2) + 1 = 3"
    assert result["output"].shape == (3, 3)
    assert "floor(4 / 2) + 1 = 3" in experiment.formula.value


def test_photo_output_is_a_strided_box_blur(experiment):
    result = experiment.update(size=5, kernel_size=2, stride=3, padding=1, dilation=2)
    photo = np.pad(load_image("camera", size=64), 1)
    expected = naive_correlate2d(photo, np.ones((2, 2)) / 4, stride=(3, 3), dilation=(2, 2))
    np.testing.assert_allclose(result["photo_output"], expected)


def test_unused_cells_are_the_rows_and_columns_the_floor_drops(experiment):
    result = experiment.update(size=6, kernel_size=3, stride=2, padding=0, dilation=1)
    expected = np.zeros((6, 6), dtype=bool)
    expected[5, :] = expected[:, 5] = True  # windows start at 0 and 2 and cover up to index 4
    np.testing.assert_array_equal(result["unused"], expected)


def test_same_padding_with_stride_is_a_readable_error(experiment):
    with pytest.raises(ValueError, match="'same' keeps the size only at stride 1"):
        experiment.update(size=5, kernel_size=3, stride=2, padding="same", dilation=1)


def test_kernel_larger_than_padded_input_is_a_readable_error(experiment):
    with pytest.raises(ValueError, match="gives no output: the kernel spans 9 pixels.*only 5"):
        experiment.update(size=3, kernel_size=5, stride=1, padding=1, dilation=2)


def test_safe_update_shows_the_message_and_clears_the_formula(experiment):
    assert experiment.safe_update(size=3, kernel_size=5, stride=1, padding=0, dilation=1) is False
    assert "no output" in experiment.message.value
    assert experiment.formula.value == ""


def test_grid_and_kernel_for_size():
    np.testing.assert_array_equal(grid_for_size(5), SLIDE_INPUT)
    np.testing.assert_array_equal(grid_for_size(7)[5:, :5], SLIDE_INPUT[:2])
    np.testing.assert_array_equal(kernel_for_size(3), SLIDE_KERNEL)
    np.testing.assert_array_equal(kernel_for_size(4), np.ones((4, 4)))


def test_widget_builds_with_formula_above_the_figure():
    experiment = StrideExperiment(size=32)
    widget = experiment.widget
    assert set(experiment.controls) == {"size", "kernel_size", "stride", "padding", "dilation"}
    assert widget.children[-2:] == (experiment.formula, experiment.live.image)
    assert experiment.formula.value.endswith("= 3</div>")  # the initial setting: the slide "Stride 2 - With Padding"
