"""LiveFigure's rendering internals: the PNG encoder and the incremental redraw.

The incremental path must give exactly the pixels a full draw gives; every test here compares the
two on the same figure (the layout is frozen after the first draw, so both use the same positions).
"""

import io

import numpy as np
import pytest
from PIL import Image

from cnnhelpers.plotting import ScaledColorBar, draw_grid
from cnnhelpers.widgets import LiveFigure
from cnnhelpers.widgets._base import encode_jpeg, encode_png


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


def test_encode_png_decodes_to_the_same_pixels():
    rgb = np.random.default_rng(1).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    decoded = np.asarray(Image.open(io.BytesIO(encode_png(rgb))).convert("RGB"))
    np.testing.assert_array_equal(decoded, rgb)


def test_encode_jpeg_keeps_a_figure_close_to_its_pixels():
    live = LiveFigure(figsize=(4, 2), dpi=60)
    draw_grid(live.subplots(), np.arange(-4, 5).reshape(3, 3), title="kernel")
    rgb = live.render().copy()
    decoded = np.asarray(Image.open(io.BytesIO(encode_jpeg(rgb))).convert("RGB")).astype(int)
    assert decoded.shape == rgb.shape
    assert np.abs(decoded - rgb).mean() < 1.0  # quality 95, full colour resolution: no visible loss


@pytest.mark.parametrize(("picture_format", "magic"), [("jpeg", b"\xff\xd8\xff"), ("png", b"\x89PNG")])
def test_refresh_sends_the_chosen_format(picture_format, magic):
    live = LiveFigure(figsize=(3, 2), dpi=50, picture_format=picture_format)
    live.subplots().plot([0, 1], [1, 0])
    live.refresh()
    assert live.image.format == picture_format and bytes(live.image.value).startswith(magic)


def test_an_unknown_picture_format_is_refused_by_name():
    with pytest.raises(ValueError, match="picture_format.*'gif'"):
        LiveFigure(picture_format="gif")


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
    assert live._boxes is None  # new axes each time: nothing measured for an incremental redraw


def test_refresh_sends_a_picture_only_when_it_changed(panels):
    live, parts = panels
    live.refresh()
    sent = live.image.value
    parts["ax_in"].set_title("input")  # the same title again: marked stale, same pixels
    live.refresh()
    assert live.image.value is sent
    parts["ax_in"].set_title("changed")
    live.refresh()
    assert live.image.value != sent


@pytest.mark.parametrize("raw", [1e-3, 0.07, 0.99, 1.0, 1.01, 1.51, 3.7, 8.5, 123.0])
def test_signed_colour_bar_limit_is_the_next_nice_number(raw):
    live = LiveFigure(figsize=(3, 2), dpi=50)
    bar = ScaledColorBar(live.figure, "RdBu_r", ax=live.subplots())
    nice = bar.set_limit(raw)
    mantissa = nice / 10 ** np.floor(np.log10(nice))
    assert raw <= nice < 1.34 * raw  # never below the data, at most one nice step (2 / 1.5 the widest) above
    assert any(np.isclose(mantissa, m) for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8))
    labels = bar.colorbar.formatter.format_ticks([-1, -0.5, 0, 0.5, 1])
    scale = 10.0 ** bar._power()  # a tiny or huge limit moves its power of ten into the label
    assert float(labels[-1]) * scale == pytest.approx(nice) and float(labels[0]) * scale == pytest.approx(-nice)


def test_unsigned_colour_bar_runs_from_zero_to_the_nice_limit():
    live = LiveFigure(figsize=(3, 2), dpi=50)
    bar = ScaledColorBar(live.figure, "cividis", signed=False, ax=live.subplots())
    assert bar.set_limit(0.037) == pytest.approx(0.04)
    ticks = bar.colorbar.get_ticks()
    labels = bar.colorbar.formatter.format_ticks(ticks)
    assert ticks[0] == 0 and ticks[-1] == 1
    assert [float(label) for label in labels] == pytest.approx([0, 0.01, 0.02, 0.03, 0.04])
    assert bar.colorbar.ax.get_ylabel() == ""


def test_tiny_colour_bar_limits_move_the_power_of_ten_to_the_label():
    live = LiveFigure(figsize=(3, 2), dpi=50)
    bar = ScaledColorBar(live.figure, "cividis", signed=False, label="gradient", ax=live.subplots())
    bar.set_limit(0.00028)  # nice: 0.0003
    labels = bar.colorbar.formatter.format_ticks(bar.colorbar.get_ticks())
    assert labels == ["0", "0.75", "1.5", "2.25", "3"]
    assert bar.colorbar.ax.get_ylabel() == "gradient (×10⁻⁴)"
    bar.set_limit(0.5)
    assert bar.colorbar.ax.get_ylabel() == "gradient"
