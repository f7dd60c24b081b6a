"""cnnhelpers.plotting: the helpers the lessons share (position check, text tables, panel row)."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnhelpers import kernels
from cnnhelpers.live import LiveFigure
from cnnhelpers.plotting import (
    IMAGE_CMAP,
    SIGNED_CMAP,
    check_position,
    color_scale,
    draw_grid,
    format_table,
    is_signed,
    panel_row,
    show_images,
    show_kernel_step,
)


def test_format_table_aligns_columns():
    assert format_table([{"a": 1, "bb": "x"}, {"a": 100, "bb": "yy"}]).splitlines() == [
        "  a  bb", "---  --", "  1   x", "100  yy"]


def test_format_table_rejects_non_dict_rows():
    with pytest.raises(TypeError, match="rows must be a list of dicts"):
        format_table([1, 2])


def test_format_table_left_aligns_the_leading_columns_and_can_leave_out_the_rule():
    rows = [{"layer": "conv", "shape": "5x5x3", "total": "1,216"}, {"layer": "fc", "shape": "1x1", "total": "10"}]
    assert format_table(rows, left=2, rule=False).splitlines() == [
        "layer  shape  total", "conv   5x5x3  1,216", "fc     1x1       10"]


@pytest.mark.parametrize("position", [(0, 0), (2, 3), [1, 1], np.array([2, 0]), (np.int64(1), np.int32(2))])
def test_check_position_returns_plain_ints_inside_the_output(position):
    row, col = check_position(position, (3, 4))
    assert (type(row), type(col)) == (int, int) and (row, col) == tuple(int(v) for v in position)


@pytest.mark.parametrize("position, error, match", [
    ((3, 0), ValueError, r"position must lie inside the 3x4 output; got \(3, 0\)"),
    ((0, -1), ValueError, "must lie inside"),
    ((1,), ValueError, r"must be a pair \(row, col\)"),
    ((1.0, 2), TypeError, "pair of ints"),
    ((True, 0), TypeError, "pair of ints"),
])
def test_check_position_says_what_is_wrong(position, error, match):
    with pytest.raises(error, match=match):
        check_position(position, (3, 4))


def test_check_position_names_the_argument():
    with pytest.raises(ValueError, match="window must lie inside"):
        check_position((5, 5), (2, 2), "window")


def test_panel_row_gives_fixed_panels_with_stamped_titles():
    live = LiveFigure(figsize=(8, 3))
    axes = panel_row(live, 3, left=0.05, right=0.95)
    axes[0].set_title("padding 1")
    before = [ax.get_position().bounds for ax in axes]
    picture = live.render()
    assert len(axes) == 3 and axes[0].get_position().x0 == pytest.approx(0.05)
    assert [ax.get_position().bounds for ax in axes] == before  # no layout engine moved them
    assert (picture[:20] < 128).any()  # the stamped title is drawn above the panels


# --- the colour language ------------------------------------------------------------------------




def cell_brightness(ax, shape):
    """Mean brightness of each cell's centre pixel in the rendered axes, (H, W)."""
    fig = ax.figure
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float).mean(axis=2)
    rows, cols = shape
    values = np.empty(shape)
    for i in range(rows):
        for j in range(cols):
            # a point a quarter cell from the centre: off the number written there
            x, y = ax.transData.transform((j + 0.3, i + 0.3))
            values[i, j] = pixels[int(round(fig.bbox.height - y)), int(round(x))]
    return values


def test_gray_grid_draws_larger_values_brighter():
    fig, ax = plt.subplots(figsize=(3, 3), dpi=100)
    values = np.array([[3, 2, 1], [1, 2, 3], [0, 0, 0]])
    draw_grid(ax, values)
    brightness = cell_brightness(ax, values.shape)
    order = np.argsort(values.ravel(), kind="stable")
    assert np.all(np.diff(brightness.ravel()[order]) >= 0)
    assert brightness[0, 0] > brightness[0, 2] + 100  # 3 bright, 1 dark
    plt.close(fig)


def test_grid_numbers_are_readable_white_on_dark_black_on_light():
    fig, ax = plt.subplots()
    draw_grid(ax, np.array([[0.0, 9.0]]))
    colors = [matplotlib.colors.to_hex(text.get_color()) for text in ax.texts]
    assert colors == ["#ffffff", "#000000"]  # 0 is a black cell, 9 a white one
    plt.close(fig)


def test_signed_grid_uses_the_diverging_map_centred_on_zero():
    fig, ax = plt.subplots()
    image = draw_grid(ax, np.array([[-1.0, 0.0, 4.0]]))
    assert image.get_cmap().name == SIGNED_CMAP
    assert image.norm(0.0) == pytest.approx(0.5)
    assert image.norm.vmin == -image.norm.vmax
    plt.close(fig)


def test_color_scale_decides_by_the_kernels_sum_when_given():
    overshooting = np.array([[-0.2, 0.5], [1.3, 0.9]])  # a sharpened photo: weights sum to 1
    assert color_scale(overshooting, kernel=kernels.sharpen).cmap == IMAGE_CMAP
    assert color_scale(np.array([[0.0, 1.0]]), kernel=kernels.sobel_x).cmap == SIGNED_CMAP  # sum 0
    assert color_scale(overshooting).cmap == SIGNED_CMAP  # no kernel: the data decides
    assert is_signed(kernel=kernels.box_blur) is False and is_signed(kernel=kernels.laplacian) is True
    learned_edge = kernels.sobel_x + 0.01  # a learned filter's weights never sum to exactly zero
    assert is_signed(kernel=learned_edge) is True


def test_gray_scale_runs_from_zero_black_to_the_largest_value_white():
    scale = color_scale(np.array([[2.0, 5.0]]))
    assert (scale.norm.vmin, scale.norm.vmax) == (0.0, 5.0)
    assert scale.rgba([0.0])[0][:3].tolist() == [0.0, 0.0, 0.0]
    assert scale.rgba([5.0])[0][:3].tolist() == [1.0, 1.0, 1.0]


def test_show_images_draws_unsigned_results_gray_and_signed_ones_diverging_with_a_colour_bar():
    photo = np.linspace(0, 1, 64).reshape(8, 8)
    fig = show_images([photo, photo * 3, photo - 0.5], ["photo", "unsigned", "signed"])
    images = [ax.images[0] for ax in fig.axes if ax.images and ax.get_title()]
    assert [image.get_cmap().name for image in images] == [IMAGE_CMAP, IMAGE_CMAP, SIGNED_CMAP]
    assert images[2].norm(0.0) == pytest.approx(0.5)
    assert len(fig.axes) == 6  # every panel has its colour bar
    plt.close(fig)


def test_kernel_step_draws_the_input_gray_and_a_zero_sum_output_signed():
    fig = show_kernel_step(np.array([[3, 2, 1], [1, 2, 3], [1, 1, 1]]), kernels.sobel_x)
    input_ax, kernel_ax, output_ax = fig.axes
    assert input_ax.images[0].get_cmap().name == IMAGE_CMAP
    assert kernel_ax.images[0].get_cmap().name == SIGNED_CMAP
    assert output_ax.images[0].get_cmap().name == SIGNED_CMAP
    plt.close(fig)


def test_kernel_step_draws_a_blurred_output_gray():
    fig = show_kernel_step(np.arange(16.0).reshape(4, 4), kernels.box_blur)
    assert fig.axes[2].images[0].get_cmap().name == IMAGE_CMAP
    plt.close(fig)


def test_kernel_step_shows_the_signs_of_a_number_grid_whatever_the_kernels_sum():
    kernel = np.array([[-1, 1, 2], [1, 1, 0], [-1, -2, 0]])  # the slides' K: weights sum to 1
    image = np.array([[1, 2, 0, 3, 1], [1, 0, 0, 2, 2], [2, 1, 2, 1, 1], [0, 0, 1, 0, 0], [1, 2, 1, 1, 1]])
    fig = show_kernel_step(image, kernel)
    assert fig.axes[2].images[0].get_cmap().name == SIGNED_CMAP  # its output has -2: red and blue
    plt.close(fig)


def test_inline_figures_carry_their_title_as_alt_text():
    from functools import partial

    from IPython.core.formatters import DisplayFormatter
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    from cnnhelpers.plotting import register_alt_text

    formatter = DisplayFormatter()
    formatter.formatters["image/png"].for_type(Figure, partial(print_figure, fmt="png", base64=True))
    assert register_alt_text(formatter) is True
    fig = show_images([np.zeros((4, 4)), np.ones((4, 4))], ["input", "output"], suptitle="a\nblur")
    data, metadata = formatter.format(fig)
    assert "image/png" in data and metadata["image/png"] == {"alt": "a blur"}
    plt.close(fig)


def test_alt_text_is_not_added_where_no_png_printer_is_registered():
    from IPython.core.formatters import DisplayFormatter

    from cnnhelpers.plotting import register_alt_text

    assert register_alt_text(DisplayFormatter()) is False


def test_grid_accepts_a_colormap_object_and_reads_its_cell_colours():
    from matplotlib.colors import ListedColormap

    fig, ax = plt.subplots()
    draw_grid(ax, np.array([[1.0, 2.0]]), cmap=ListedColormap(["white"]))
    assert [text.get_color() for text in ax.texts] == ["black", "black"]
    plt.close(fig)
