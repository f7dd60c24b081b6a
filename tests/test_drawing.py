"""The drawing machinery (``cnnhelpers._drawing``) only draws faster: it must give plain matplotlib's picture.

Every experiment is stepped through its sliders twice, with the machinery on and off, and the
pictures compared; each trick is compared with matplotlib on its own; and matplotlib is made to
behave differently (an internal gone or changed) to check that the experiments still draw.
"""

import os
import subprocess
import sys

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.text import Text

from cnnhelpers import _drawing
from cnnhelpers._drawing import FastImage, StampedText, enabled, speed_up_images, works
from cnnhelpers.kernel_editor import KernelEditor
from cnnhelpers.lessons.cnn import ShiftRotateExplorer, TrainingScrubber
from cnnhelpers.lessons.depth import ChannelMixer
from cnnhelpers.lessons.kernels import WeightedSumStepper
from cnnhelpers.lessons.padding import PaddingExperiment
from cnnhelpers.lessons.playground import KernelPlayground
from cnnhelpers.lessons.pooling import PoolingExperiment, ReceptiveFieldExperiment
from cnnhelpers.lessons.stride import StrideExperiment
from cnnhelpers.live import LiveFigure
from cnnhelpers.plotting import draw_grid


def shift_rotate_explorer():
    from cnnhelpers import nn
    from cnnhelpers.data import load_mnist5k

    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 14 * 14, 10, rng=rng))
    digits = load_mnist5k()
    return ShiftRotateExplorer(model, digits.x_test[:20], digits.y_test[:20], index=0)


def training_scrubber():
    rng = np.random.default_rng(3)
    shots = [{"filters": rng.normal(size=(6, 1, 3, 3)) * (e + 1), "maps": rng.random((6, 14, 14)) * e}
             for e in range(3)]
    return TrainingScrubber(shots, accuracies=[0.5, 0.8])


EXPERIMENTS = {
    "KernelEditor": lambda: KernelEditor(photo="camera", preset="sharpen"),
    "WeightedSumStepper": lambda: WeightedSumStepper(np.arange(9.0).reshape(3, 3), np.eye(3)),
    "PaddingExperiment": PaddingExperiment,
    "StrideExperiment": StrideExperiment,
    "ChannelMixer": ChannelMixer,
    "PoolingExperiment": PoolingExperiment,
    "ReceptiveFieldExperiment": ReceptiveFieldExperiment,
    "ShiftRotateExplorer": shift_rotate_explorer,
    "TrainingScrubber": training_scrubber,
    "KernelPlayground": KernelPlayground,
}


def canvas_rgb(live: LiveFigure) -> np.ndarray:
    """The picture on the canvas now (what ``refresh`` last encoded), as int RGB (H, W, 3)."""
    return np.asarray(live.figure.canvas.buffer_rgba())[..., :3].astype(int)


def slider_walk(make) -> tuple[list[np.ndarray], LiveFigure]:
    """Build an experiment and move each of its sliders (four at most) one step and back, as a student does.

    Returns the picture after every step (the first ones are full draws, later ones incremental
    when the machinery is on), and the experiment's LiveFigure.
    """
    experiment = make()
    _ = experiment.widget  # builds the controls and draws the first picture
    # Positions stay those of the first picture in both runs: with the machinery on, the layout
    # engine runs only in full draws (see IncrementalDrawing), off at every draw.
    experiment.live.figure.set_layout_engine("none")
    pictures = [canvas_rgb(experiment.live)]
    sliders = [control for control in experiment.controls.values()
               if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)) and not control.disabled]
    for slider in sliders[:4]:  # (the kernel editor's nine weights all redraw the same panels)
        start = slider.value
        slider.value = start + slider.step if start + slider.step <= slider.max else start - slider.step
        pictures.append(canvas_rgb(experiment.live))
        slider.value = start
        pictures.append(canvas_rgb(experiment.live))
    assert experiment.message.value == ""  # no setting on the way was refused
    return pictures, experiment.live


def assert_same_picture(fast: np.ndarray, plain: np.ndarray) -> None:
    """Same size, and the same picture up to antialiasing.

    Text is pasted at whole pixels, cell edges may round to either side, a photograph shrunk into
    its panel is box-filtered: single pixels differ, but the mean difference stays under 2 (of 255),
    under 2% of the pixels differ by more than a quarter of the range, and the mean colours of no 8x8
    block differ by 48 or more (a missing or left-over title or number would).
    """
    assert fast.shape == plain.shape
    difference = np.abs(fast - plain)
    assert difference.mean() < 2
    assert (difference.max(axis=2) > 64).mean() < 0.02
    height, width = (fast.shape[0] // 8) * 8, (fast.shape[1] // 8) * 8
    blocks = (fast - plain)[:height, :width].reshape(height // 8, 8, width // 8, 8, 3).mean(axis=(1, 3))
    assert np.abs(blocks).max() < 48


def test_the_comparison_sees_a_left_over_title():
    live = LiveFigure(figsize=(6, 3), dpi=90)
    ax = live.subplots()
    draw_grid(ax, np.arange(9.0).reshape(3, 3), title="padding 1")
    live.render()
    with_title = canvas_rgb(live)
    ax.set_title("")
    live.render()
    with pytest.raises(AssertionError):
        assert_same_picture(with_title, canvas_rgb(live))


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_every_experiment_draws_the_same_picture_with_the_machinery_off(name):
    fast, live = slider_walk(EXPERIMENTS[name])
    assert live.partial_draws > 0  # the incremental path was exercised
    with enabled(False):
        plain, plain_live = slider_walk(EXPERIMENTS[name])
    assert plain_live.partial_draws == 0
    assert len(fast) == len(plain) > 1
    for step, (picture_fast, picture_plain) in enumerate(zip(fast, plain, strict=True)):
        try:
            assert_same_picture(picture_fast, picture_plain)
        except AssertionError as error:
            raise AssertionError(f"{name}, picture {step}: {error}") from None


def test_the_installed_matplotlib_passes_every_check():
    """Fails (the experiments still draw, more slowly) when a matplotlib release changes what a trick relies on."""
    assert {trick: works(trick) for trick in _drawing.TRICKS} == dict.fromkeys(_drawing.TRICKS, True)


def test_the_environment_variable_switches_the_machinery_off():
    code = ("from cnnhelpers import _drawing; from cnnhelpers.live import LiveFigure; "
            "live = LiveFigure(figsize=(2, 1)); live.subplots().set_title('t'); [live.render() for _ in range(4)]; "
            "print(_drawing.is_enabled(), live.partial_draws)")
    env = {**os.environ, "CNNHELPERS_PLAIN_DRAWING": "1"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "0"]


# -- When matplotlib behaves differently ------------------------------------------------------------

@pytest.fixture
def another_matplotlib(monkeypatch):
    """Forget the checks' results, so that they run again under the changes a test makes."""
    monkeypatch.setattr(_drawing, "_checked", {})
    return monkeypatch


def padding_pictures() -> list[np.ndarray]:
    """PaddingExperiment's pictures: stamped titles, grids of numbers, images, incremental redraws."""
    return slider_walk(PaddingExperiment)[0]


@pytest.fixture(scope="module")
def plain_padding_pictures():
    with enabled(False):
        return padding_pictures()


def test_titles_placed_again_when_their_flag_no_longer_freezes_them(another_matplotlib, plain_padding_pictures):
    original = Axes._update_title_position

    def ignoring_the_flag(self, renderer):  # as if matplotlib no longer read ``_autotitlepos``
        saved = self.__dict__.get("_autotitlepos")
        self._autotitlepos = True
        try:
            original(self, renderer)
        finally:
            self._autotitlepos = saved
    another_matplotlib.setattr(Axes, "_update_title_position", ignoring_the_flag)
    assert works("title_freeze") is False
    for fast, plain in zip(padding_pictures(), plain_padding_pictures, strict=True):
        assert_same_picture(fast, plain)


def test_images_drawn_by_matplotlib_when_the_numpy_path_would_differ(another_matplotlib, plain_padding_pictures):
    resample = _drawing._resample_axis

    def off_by_one_cell(values, edges, axis):  # as if matplotlib rounded image pixels another way
        return resample(values, edges + 1, axis)
    another_matplotlib.setattr(_drawing, "_resample_axis", off_by_one_cell)
    assert works("fast_image") is False
    for fast, plain in zip(padding_pictures(), plain_padding_pictures, strict=True):
        assert_same_picture(fast, plain)


def test_text_drawn_by_matplotlib_when_the_agg_renderer_takes_images_differently(another_matplotlib,
                                                                                   plain_padding_pictures):
    original = RendererAgg.__init__

    def upside_down(self, *args, **kwargs):  # as if Agg took image rows top-down
        original(self, *args, **kwargs)
        draw_image = self.draw_image
        self.draw_image = lambda gc, x, y, im, *more: draw_image(gc, x, y, np.ascontiguousarray(im[::-1]), *more)
    another_matplotlib.setattr(RendererAgg, "__init__", upside_down)
    another_matplotlib.setattr(_drawing, "_STAMPS", {})
    assert works("stamped_text") is False
    with enabled(False):
        plain = padding_pictures()  # images are upside down too now, drawn plainly
    for fast, reference in zip(padding_pictures(), plain, strict=True):
        assert_same_picture(fast, reference)


def test_full_draws_when_the_canvas_cannot_be_painted_over(another_matplotlib, plain_padding_pictures):
    original = RendererAgg.buffer_rgba

    def read_only(self):  # as if Agg handed out a copy of its pixels
        pixels = np.array(original(self))
        pixels.flags.writeable = False
        return pixels
    another_matplotlib.setattr(RendererAgg, "buffer_rgba", read_only)
    assert works("partial_redraw") is False
    pictures, live = slider_walk(PaddingExperiment)
    assert live.partial_draws == 0
    for fast, plain in zip(pictures, plain_padding_pictures, strict=True):
        assert_same_picture(fast, plain)


def test_a_check_that_raises_switches_its_trick_off(another_matplotlib):
    def broken():
        raise AttributeError("'Axes' object has no attribute '_autotitlepos'")
    another_matplotlib.setitem(_drawing.TRICKS, "title_freeze", broken)
    assert works("title_freeze") is False
    assert works("stamped_text") is True


# -- Incremental redraws: exactly the pixels of a full draw ------------------------------------------
# (the layout is frozen after the first draw, so both use the same positions)

def full_draw_pixels(live: LiveFigure) -> np.ndarray:
    """What a full draw of the figure's current state gives (the reference)."""
    live.figure.canvas.draw()
    return np.asarray(live.figure.canvas.buffer_rgba())[..., :3].copy()


@pytest.fixture
def panels():
    """An image with a colour bar, an annotated grid and a second image, as the experiments build them."""
    rng = np.random.default_rng(0)
    live = LiveFigure(figsize=(9, 3.5), dpi=60)
    ax_in, ax_grid, ax_out = live.subplots(1, 3)
    shown_in = ax_in.imshow(rng.random((40, 40)), cmap="gray")
    shown_out = ax_out.imshow(rng.random((40, 40)), cmap="RdBu_r", vmin=-1, vmax=1)
    live.figure.colorbar(shown_out, ax=ax_out)
    cells = draw_grid(ax_grid, rng.integers(-3, 4, (3, 3)), title="kernel")
    ax_in.set_title("input")
    live.render()
    live.figure.set_layout_engine("none")  # keep the positions of the first draw for the comparisons
    live.render()  # the second draw of the same axes measures them: from now on, redraws are incremental
    return live, {"in": shown_in, "out": shown_out, "cells": cells, "ax_in": ax_in, "ax_grid": ax_grid,
                  "ax_out": ax_out, "rng": rng}


def test_changing_one_image_redraws_only_part_and_matches_a_full_draw(panels):
    live, parts = panels
    full_before = live.full_draws
    parts["out"].set_data(parts["rng"].random((40, 40)) * 2 - 1)
    parts["ax_out"].set_title("new")
    incremental = live.render().copy()
    assert (live.full_draws, live.partial_draws) == (full_before, 1)
    np.testing.assert_array_equal(incremental, full_draw_pixels(live))


def test_a_shorter_title_leaves_no_trace_of_the_longer_one(panels):
    live, parts = panels
    parts["ax_in"].set_title("a long title that reaches far to the side")
    live.render()
    parts["ax_in"].set_title("x")
    incremental = live.render().copy()
    np.testing.assert_array_equal(incremental, full_draw_pixels(live))


def test_new_colour_limits_redraw_the_colour_bar_too(panels):
    live, parts = panels
    parts["out"].set_clim(-250.5, 1e4)  # wider tick labels on the colour bar
    incremental = live.render().copy()
    np.testing.assert_array_equal(incremental, full_draw_pixels(live))


def test_an_image_of_another_shape_matches_a_full_draw(panels):
    live, parts = panels
    smaller = parts["rng"].random((13, 29))
    parts["in"].set_data(smaller)
    parts["in"].set_extent((-0.5, 28.5, 12.5, -0.5))
    parts["ax_in"].set_title(f"{smaller.shape}")
    incremental = live.render().copy()
    np.testing.assert_array_equal(incremental, full_draw_pixels(live))


def test_grid_numbers_and_colours_change_in_place(panels):
    live, parts = panels
    values = parts["rng"].integers(-9, 10, (3, 3))
    parts["cells"].set_data(values)
    for text, value in zip(parts["ax_grid"].texts, values.ravel(), strict=True):
        text.set_text(f"{value}")
    incremental = live.render().copy()
    np.testing.assert_array_equal(incremental, full_draw_pixels(live))


def test_a_title_growing_over_the_neighbours_gives_the_pixels_of_a_full_draw(panels):
    live, parts = panels
    parts["ax_grid"].set_title("a title far too long for its panel, reaching over both neighbours")
    incremental = live.render().copy()
    np.testing.assert_array_equal(incremental, full_draw_pixels(live))


def test_a_new_figure_title_forces_a_full_draw(panels):
    live, _ = panels
    draws = live.full_draws
    live.figure.suptitle("new figure title")
    live.render()
    assert live.full_draws == draws + 1


def test_a_changed_figure_title_redraws_only_itself_and_matches_a_full_draw(panels):
    live, _ = panels
    live.figure.suptitle("sum = 1 + 2 + 3 = 6, a long figure title")
    live.render()
    live.render()  # the second draw of the same artists measures them
    draws = (live.full_draws, live.partial_draws)
    live.figure.suptitle("sum = 7")  # shorter: the longer one must leave no trace
    incremental = live.render().copy()
    assert (live.full_draws, live.partial_draws) == (draws[0], draws[1] + 1)
    np.testing.assert_array_equal(incremental, full_draw_pixels(live))


def test_rebuilt_axes_get_a_full_draw_with_layout():
    live = LiveFigure(figsize=(4, 3), dpi=50)
    live.subplots().imshow(np.eye(4))
    live.render()
    live.figure.clear()
    live.subplots(1, 2)[1].imshow(np.eye(3))
    live.render()
    assert (live.full_draws, live.partial_draws) == (2, 0)
    live.figure.axes[1].set_title("changed")
    np.testing.assert_array_equal(live.render().copy(), full_draw_pixels(live))


# -- FastImage against matplotlib's resampler --------------------------------------------------------

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

    def build(ax):
        cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="lime", under="black", over="yellow")
        ax.imshow(data, cmap=cmap, norm=TwoSlopeNorm(0, -1, 1), interpolation="nearest")
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


# -- StampedText against matplotlib's Text -----------------------------------------------------------

def pixels_of(text_class, **text_kw) -> np.ndarray:
    figure = Figure(figsize=(3, 2), dpi=80)
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    ax.set_axis_off()
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 2)
    for k, label in enumerate(["-12", "7", "0.25", "Ag"]):
        ax.add_artist(text_class(k + 0.5, 1, label, fontsize=14, **text_kw))
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., :3].astype(int)


@pytest.mark.parametrize("alignment", [{"ha": "center", "va": "center"}, {"ha": "left", "va": "baseline"},
                                       {"ha": "right", "va": "top", "color": "red"}])
def test_stamped_text_puts_the_same_ink_in_the_same_place(alignment):
    plain, stamped = pixels_of(Text, **alignment), pixels_of(StampedText, **alignment)
    ink_plain, ink_stamped = plain.min(axis=-1) < 160, stamped.min(axis=-1) < 160
    assert ink_plain.sum() > 100
    for axis in (0, 1):  # the ink spans the same rows and columns, to within a pixel (sub-pixel placement)
        spans = [np.flatnonzero(ink.any(axis=axis))[[0, -1]] for ink in (ink_plain, ink_stamped)]
        assert np.abs(spans[0] - spans[1]).max() <= 1
    assert np.abs(plain - stamped).mean() < 3
    with enabled(False):
        np.testing.assert_array_equal(pixels_of(StampedText, **alignment), plain)


def test_rotated_text_is_drawn_the_ordinary_way():
    rotated = {"rotation": 30, "ha": "center", "va": "center"}
    np.testing.assert_array_equal(pixels_of(Text, **rotated), pixels_of(StampedText, **rotated))


def test_grid_numbers_are_still_texts_that_can_be_read_and_changed():
    figure = Figure()
    ax = figure.subplots()
    draw_grid(ax, [[1, -2], [3, 4]])
    assert [t.get_text() for t in ax.texts] == ["1", "-2", "3", "4"]
    assert all(isinstance(t, Text) for t in ax.texts)
