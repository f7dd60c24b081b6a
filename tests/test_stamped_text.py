"""StampedText must look like matplotlib's Text (it only draws faster) and stay a Text."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from cnnhelpers.plotting import draw_grid
from cnnhelpers.stamped_text import StampedText


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


def test_rotated_text_is_drawn_the_ordinary_way():
    rotated = {"rotation": 30, "ha": "center", "va": "center"}
    np.testing.assert_array_equal(pixels_of(Text, **rotated), pixels_of(StampedText, **rotated))


def test_grid_numbers_are_still_texts_that_can_be_read_and_changed():
    figure = Figure()
    ax = figure.subplots()
    draw_grid(ax, [[1, -2], [3, 4]])
    assert [t.get_text() for t in ax.texts] == ["1", "-2", "3", "4"]
    assert all(isinstance(t, StampedText) for t in ax.texts)
