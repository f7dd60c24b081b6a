"""PoolingExperiment and ReceptiveFieldExperiment, their update called directly."""

import numpy as np
import pytest

from cnnhelpers.images import load_image
from cnnhelpers.receptive_field import Layer, receptive_field
from cnnhelpers.widgets.pooling import (
    BLOCKS,
    POOL_GRID,
    PoolingExperiment,
    ReceptiveFieldExperiment,
)


def naive_pool(x, k, s, reduce):
    out_h, out_w = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    return np.array([[reduce(x[i * s:i * s + k, j * s:j * s + k]) for j in range(out_w)] for i in range(out_h)])


@pytest.fixture(scope="module")
def pooling():
    return PoolingExperiment()


@pytest.fixture(scope="module")
def receptive():
    return ReceptiveFieldExperiment()


@pytest.mark.parametrize("mode, reduce", [("max", np.max), ("avg", np.mean)])
@pytest.mark.parametrize("kernel_size, stride", [(2, 2), (3, 2), (2, 3), (6, 1)])
def test_grid_output_matches_a_loop(pooling, mode, reduce, kernel_size, stride):
    result = pooling.update(mode=mode, kernel_size=kernel_size, stride=stride)
    np.testing.assert_allclose(result["grid_output"], naive_pool(POOL_GRID, kernel_size, stride, reduce))


def test_photo_output_and_reduction(pooling):
    result = pooling.update(mode="max", kernel_size=3, stride=2)
    photo = load_image("camera")
    assert result["photo_output"].shape == (255, 255)
    assert result["reduction"] == pytest.approx(photo.size / 255**2)
    np.testing.assert_allclose(result["photo_output"][10, 20], photo[20:23, 40:43].max())


def test_summary_line_shows_the_formula_with_numbers(pooling):
    pooling.update(mode="avg", kernel_size=3, stride=2)
    assert "floor((512 - 3) / 2) + 1 = 255" in pooling.summary.value
    assert "overlapping" in pooling.summary.value


def test_window_larger_than_grid_is_a_message_not_a_traceback(pooling):
    assert pooling.safe_update(mode="max", kernel_size=7, stride=1) is False
    assert "larger than the padded input" in pooling.message.value


def test_unknown_mode_is_a_message(pooling):
    assert pooling.safe_update(mode="median", kernel_size=2, stride=2) is False
    assert "mode must be one of" in pooling.message.value


def test_pooling_widget_builds(pooling):
    pooling.widget  # noqa: B018 - builds the controls and draws once
    assert pooling.live.image.value and set(pooling.controls) == {"mode", "kernel_size", "stride"}


@pytest.mark.parametrize("block", list(BLOCKS))
def test_formula_and_measurement_agree_for_every_block(receptive, block):
    result = receptive.update(block=block, blocks=3, row=0.5, col=0.5)
    assert result["size"] == receptive_field(list(BLOCKS[block]) * 3).size
    top, left, height, width = result["window"]
    assert result["measured"] == result["window"]
    assert height == width == result["size"]  # an inner unit: nothing is cut by the border


def test_corner_unit_has_its_window_cut_by_the_border(receptive):
    result = receptive.update(block="2 x conv 3x3 + max pool 2x2 (VGG)", blocks=2, row=0.0, col=0.0)
    assert result["position"] == (0, 0)
    assert result["window"][:2] == (0, 0) and result["window"][2] < result["size"]


def test_footprint_is_zero_outside_the_window(receptive):
    result = receptive.update(block="conv 3x3 + max pool 2x2", blocks=2, row=0.3, col=0.7)
    top, left, height, width = result["window"]
    outside = result["footprint"].copy()
    outside[top:top + height, left:left + width] = 0
    assert not outside.any() and result["footprint"][top:top + height, left:left + width].all()


def test_table_lists_every_layer(receptive):
    receptive.update(block="conv 3x3", blocks=4, row=0.5, col=0.5)
    assert receptive.table.value.count("layer ") == 4
    assert "receptive field 9x9 by formula" in receptive.table.value


def test_unknown_block_is_a_message(receptive):
    assert receptive.safe_update(block="transformer", blocks=1, row=0.5, col=0.5) is False
    assert "block must be one of" in receptive.message.value


def test_describe_stack_lines():
    from cnnhelpers.receptive_field import describe_stack
    text = describe_stack([Layer.conv(3, padding=1), Layer.avg_pool(2)])
    assert text.splitlines()[1].endswith("receptive field 4, jump 2")
