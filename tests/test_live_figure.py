"""LiveFigure's pictures (PNG and JPEG encoders, when one is sent) and the colour bars the experiments use.

The incremental redraw behind ``render`` is tested in ``tests/test_drawing.py``.
"""

import io

import numpy as np
import pytest
from PIL import Image

from cnnhelpers.live import LiveFigure, encode_jpeg, encode_png
from cnnhelpers.plotting import ScaledColorBar, draw_grid


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


def test_refresh_sends_a_picture_only_when_it_changed():
    live = LiveFigure(figsize=(4, 2), dpi=50)
    ax = live.subplots()
    ax.set_title("input")
    live.refresh()
    sent = live.image.value
    ax.set_title("input")  # the same title again: marked stale, same pixels
    live.refresh()
    assert live.image.value is sent
    ax.set_title("changed")
    live.refresh()
    assert live.image.value != sent


def power_in_label(label: str) -> int:
    """The power of ten a colour bar label such as "(×10⁻⁴)" announces; 0 when it has none."""
    if "×10" not in label:
        return 0
    digits = label.split("×10")[1].rstrip(")").translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
    return int(digits)


@pytest.mark.parametrize("raw", [1e-3, 0.07, 0.99, 1.0, 1.01, 1.51, 3.7, 8.5, 123.0])
def test_signed_colour_bar_limit_is_the_next_nice_number(raw):
    live = LiveFigure(figsize=(3, 2), dpi=50)
    bar = ScaledColorBar(live.figure, "RdBu_r", ax=live.subplots())
    nice = bar.set_limit(raw)
    mantissa = nice / 10 ** np.floor(np.log10(nice))
    assert raw <= nice < 1.34 * raw  # never below the data, at most one nice step (2 / 1.5 the widest) above
    assert any(np.isclose(mantissa, m) for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8))
    labels = bar.colorbar.formatter.format_ticks([-1, -0.5, 0, 0.5, 1])
    scale = 10.0 ** power_in_label(bar.colorbar.ax.get_ylabel())  # a tiny or huge limit moves it there
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
