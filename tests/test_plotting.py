"""cnnhelpers.plotting: the helpers the lessons share (position check, text tables, panel row)."""

import numpy as np
import pytest

from cnnhelpers.live import LiveFigure
from cnnhelpers.plotting import check_position, format_table, panel_row


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
