"""cnnhelpers.lessons.stride: notebook 03's strided windows, stride = correlation then downsampling,
and the stride experiment."""


import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from reference import naive_correlate2d

import cnnhelpers as ch
from cnnhelpers.images import load_image
from cnnhelpers.lessons.stride import (
    StrideExperiment,
    correlate_then_downsample,
    draw_strided_windows,
    grid_for_size,
    kernel_for_size,
    show_strided_windows,
    strided_windows,
)
from cnnhelpers.plotting import HIGHLIGHT
from cnnhelpers.slides import SLIDE_INPUT, SLIDE_KERNEL


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
def test_strided_windows_unused_cells_match_brute_force(shape, stride, padding, dilation):
    info = strided_windows(np.ones(shape), np.ones((3, 3)), stride=stride, padding=padding, dilation=dilation)
    read = read_cells(shape, (3, 3), stride, (padding,) * 4, dilation)
    expected = np.array([[(r + padding, c + padding) not in read for c in range(shape[1])] for r in range(shape[0])])
    np.testing.assert_array_equal(info["unused"], expected)


def test_strided_windows_output_is_the_strided_correlation():
    x, k = rng().integers(0, 4, size=(7, 7)), rng().integers(-2, 3, size=(3, 3))
    info = strided_windows(x, k, stride=2, padding=1)
    np.testing.assert_array_equal(info["output"], naive_correlate2d(x, k, stride=(2, 2), pads=(1, 1, 1, 1)))
    assert info["padded"].shape == (9, 9)


def test_draw_strided_windows_shades_every_unused_cell_and_outlines_the_window():
    fig, axes = plt.subplots(1, 3)
    draw_strided_windows(axes, np.ones((6, 6)), np.ones((3, 3)), stride=2)
    unused = strided_windows(np.ones((6, 6)), np.ones((3, 3)), stride=2)["unused"]
    shaded = [p for p in axes[0].patches if p.get_alpha() == 0.45]
    outlined = [p for p in axes[0].patches if p.get_edgecolor()[:3] == to_rgb(HIGHLIGHT) and not p.get_fill()]
    plt.close(fig)
    assert len(shaded) == unused.sum() == 11  # the last row and column: 6 + 6 - 1
    assert len(outlined) >= 9  # the kernel's nine taps (draw_grid may outline the output cell too)


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


def test_sliders_redraw_while_dragging(experiment):
    import ipywidgets as widgets

    sliders = [c for c in experiment.controls.values() if isinstance(c, (widgets.IntSlider, widgets.FloatSlider))]
    assert sliders and all(slider.continuous_update for slider in sliders)
