"""pooling_figures: windows, winners and receptive-field drawings carry the right numbers."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnhelpers import adaptive_avg_pool2d
from cnnhelpers.pooling_figures import (
    ReceptiveFieldFigure,
    adaptive_windows,
    draw_pooling,
    pool,
    show_adaptive_pooling,
    show_pooling,
    show_receptive_field,
    window_positions,
)
from cnnhelpers.receptive_field import Layer

GRID = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [3, 3, 1, 6]], dtype=float)


def test_pool_by_name_matches_a_loop():
    expected = np.array([[GRID[2 * i:2 * i + 2, 2 * j:2 * j + 2].mean() for j in range(2)] for i in range(2)])
    np.testing.assert_allclose(pool(GRID, "avg", 2), expected)


def test_pool_unknown_mode_is_readable():
    with pytest.raises(ValueError, match="mode must be one of"):
        pool(GRID, "median", 2)


def test_adaptive_windows_follow_floor_and_ceil():
    size, out = 11, 4
    expected = [(int(np.floor(i * size / out)), int(np.ceil((i + 1) * size / out))) for i in range(out)]
    assert adaptive_windows(size, out) == expected


def test_adaptive_windows_give_the_adaptive_pool_values():
    rng = np.random.default_rng(2)
    image = rng.random((13, 9))
    rows, cols = adaptive_windows(13, 4), adaptive_windows(9, 3)
    expected = np.array([[image[r0:r1, c0:c1].mean() for c0, c1 in cols] for r0, r1 in rows])
    np.testing.assert_allclose(adaptive_avg_pool2d(image, (4, 3)), expected)


def test_window_positions_all_and_first():
    assert window_positions((2, 3), "all") == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert window_positions((2, 3), "first") == [(0, 0), (0, 1)]


def test_window_positions_outside_is_readable():
    with pytest.raises(ValueError, match="outside"):
        window_positions((2, 2), [(2, 0)])


def test_draw_pooling_marks_each_windows_first_maximum_in_bold():
    fig, axes = plt.subplots(1, 2)
    draw_pooling(axes[0], axes[1:], GRID, 2)
    bold = sorted((round(t.get_position()[1]), round(t.get_position()[0])) for t in axes[0].texts
                  if t.get_fontweight() == "bold")
    assert bold == [(1, 0), (1, 3), (2, 2), (3, 0)]  # 4 | 5 | 7 | 3 (the first of the two 3s)
    plt.close(fig)


def test_show_pooling_title_spells_out_the_first_window():
    fig = show_pooling(GRID, 2, modes=("max", "avg"))
    assert fig._suptitle.get_text() == "max(1, 3, 4, 2) = 4   mean(1, 3, 4, 2) = 2.5"
    plt.close(fig)


def test_show_pooling_with_overlap_outlines_overlapping_windows():
    fig = show_pooling(np.arange(25.0).reshape(5, 5), 3, 2, windows="first")
    rectangles = [p for p in fig.axes[0].patches if not p.get_fill()]
    assert [r.get_x() < rectangles[0].get_x() + 3 for r in rectangles[1:]] == [True]  # they overlap
    plt.close(fig)


def test_show_pooling_window_too_big_is_readable():
    with pytest.raises(ValueError, match="larger than"):
        show_pooling(GRID, 5)


def test_show_adaptive_pooling_gives_the_same_size_for_every_photo():
    fig = show_adaptive_pooling([np.zeros((30, 40)), np.zeros((17, 23))], ["a", "b"], 5)
    shapes = [ax.images[0].get_array().shape for ax in fig.axes[2:]]
    assert shapes == [(5, 5), (5, 5)]
    plt.close(fig)


def test_receptive_field_figure_draws_the_formula_window():
    layers = [Layer.conv(3), Layer.max_pool(2), Layer.conv(3)]
    fig = plt.figure()
    result = ReceptiveFieldFigure(fig).draw(layers, np.random.default_rng(0).random((32, 32)), (3, 4))
    assert result["window"] == result["measured"] == (6, 8, 8, 8)
    box = [p for p in fig.axes[0].patches if p.get_label() == "formula"][0]
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (7.5, 5.5, 8, 8)
    plt.close(fig)


def test_show_receptive_field_returns_a_figure_with_three_panels():
    fig = show_receptive_field([Layer.conv(3)], np.zeros((10, 10)), title="t")
    assert len([ax for ax in fig.axes if ax.images]) == 3
    plt.close(fig)


def test_growth_plot_has_the_formula_sizes():
    from cnnhelpers.pooling_figures import plot_receptive_field_growth
    ax = plot_receptive_field_growth({"conv": [Layer.conv(3)], "conv+pool": [Layer.conv(3), Layer.max_pool(2)]}, 4)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [3, 5, 7, 9])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [4, 10, 22, 46])
    plt.close(ax.figure)


def test_measure_receptive_field_box_equals_the_measurement_on_a_blank_image():
    from cnnhelpers.pooling_figures import measure_receptive_field
    from cnnhelpers.receptive_field import measured_receptive_field
    layers = [Layer.conv(3, padding=1), Layer.max_pool(2), Layer.conv(5, dilation=2)]
    image = np.random.default_rng(3).random((40, 36))
    result = measure_receptive_field(layers, image, (2, 5))
    assert result["measured"] == measured_receptive_field(layers, image.shape, (2, 5))
