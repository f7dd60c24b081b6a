"""FastImage: the NumPy path that turns slider pictures' images into pixels.

Compared against matplotlib's own drawing of the same image (grids: exact pixels) and against block
means computed here (a photograph shrunk into its panel).
"""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from cnnhelpers.plotting import draw_grid
from cnnhelpers.widgets._fast_image import FastImage, speed_up_images


def drawn(build, fast: bool, size=(4, 3), dpi=90, **axes_kw):
    """RGB pixels of a figure with one axes built by ``build(ax)``, drawn by matplotlib or FastImage."""
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8), **axes_kw)
    build(ax)
    if fast:
        speed_up_images(fig)
        assert all(type(image) is FastImage for image in ax.images)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


@pytest.mark.parametrize("values", [np.arange(-12.0, 13.0).reshape(5, 5),
                                    np.where(np.eye(4) > 0, np.nan, np.arange(16.0).reshape(4, 4)),
                                    np.array([[0.0, 1.0, 2.0]])])
def test_a_grid_gives_matplotlibs_pixels(values):
    def build(ax):
        return draw_grid(ax, values)
    np.testing.assert_array_equal(drawn(build, fast=True), drawn(build, fast=False))


def test_an_upsampled_image_takes_the_cell_under_each_pixel_centre():
    data = np.random.default_rng(0).random((28, 28))

    def build(ax):
        return ax.imshow(data, cmap="cividis", interpolation="nearest")
    fast, reference = drawn(build, fast=True), drawn(build, fast=False)
    differing = np.abs(fast - reference).max(axis=2) > 0
    assert differing.mean() < 0.01  # at most a pixel row or column on a cell edge rounds the other way


def test_a_shrunk_image_shows_the_mean_of_the_cells_each_pixel_covers():
    rng = np.random.default_rng(1)
    data = rng.random((120, 120))
    fig = Figure(figsize=(1, 1), dpi=60)  # 60x60 pixels for 120x120 cells: 2x2 cells per pixel
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.imshow(data, cmap="gray", vmin=0, vmax=1)
    speed_up_images(fig)
    fig.canvas.draw()
    grey = np.asarray(fig.canvas.buffer_rgba())[..., 0].astype(float)
    means = data.reshape(60, 2, 60, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(grey / 255, means, atol=2 / 255)  # the colour table has 256 greys


def test_nan_under_and_over_get_the_colour_maps_bad_under_and_over_colours():
    data = np.array([[np.nan, -5.0, 0.0, 5.0]])
    shown = {}

    def build(ax):
        cmap = __import__("matplotlib").colormaps["RdBu_r"].with_extremes(bad="lime", under="black", over="yellow")
        shown["image"] = ax.imshow(data, cmap=cmap, norm=TwoSlopeNorm(0, -1, 1), interpolation="nearest")
    pixels = drawn(build, fast=True, size=(4, 1.2), dpi=50)
    rows = pixels[pixels.shape[0] // 2]
    colours = {tuple(rows[x]) for x in np.linspace(40, 160, 4).astype(int)}  # one pixel inside each cell
    assert {(0, 255, 0), (0, 0, 0), (255, 255, 0)} <= colours
    np.testing.assert_array_equal(pixels, drawn(build, fast=False, size=(4, 1.2), dpi=50))


def test_what_it_cannot_do_is_left_to_matplotlib():
    data = np.random.default_rng(2).random((6, 6))

    def build(ax):
        ax.imshow(data, alpha=0.5, interpolation="bicubic")  # transparency and a smooth filter
    np.testing.assert_array_equal(drawn(build, fast=True), drawn(build, fast=False))


def test_a_second_grid_on_the_same_axes_reuses_the_artists_and_matches_a_fresh_one():
    first, second = np.arange(9.0).reshape(3, 3), np.arange(-10.0, 15.0).reshape(5, 5)

    def again(ax):
        draw_grid(ax, first, highlight=(0, 0, 2, 2))
        texts = list(ax.texts)
        draw_grid(ax, second, title="second", highlight=(1, 1, 2, 2))
        assert ax.texts[:len(texts)] == texts  # the first grid's numbers were reused
        assert sum(text.get_visible() for text in ax.texts) == second.size

    def fresh(ax):
        draw_grid(ax, second, title="second", highlight=(1, 1, 2, 2))
    np.testing.assert_array_equal(drawn(again, fast=False), drawn(fresh, fast=False))
