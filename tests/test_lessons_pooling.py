"""Receptive fields: the formula and the gradient measurement against a brute-force reference.

The reference propagates, layer by layer, the SET of input pixels each unit depends on: a unit
depends on the union of what the (non-padding) units in its window depend on. That is the
definition of the receptive field, computed with no formula and no gradient.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnhelpers import max_pool2d_backward
from cnnhelpers.receptive_field import (
    Layer,
    ReceptiveField,
    centre_position,
    forward_stack,
    input_gradient,
    measured_receptive_field,
    output_shapes,
    receptive_field,
    receptive_field_steps,
    receptive_window,
)


def dependency_masks(layers, height, width):
    """masks[i, j] = boolean (H, W) mask of the input pixels unit (i, j) of the last layer depends on."""
    masks = np.zeros((height, width, height, width), dtype=bool)
    for i in range(height):
        for j in range(width):
            masks[i, j, i, j] = True
    for layer in layers:
        span, s, p, d = layer.span, layer.stride, layer.padding, layer.dilation
        in_h, in_w = masks.shape[:2]
        out_h, out_w = (in_h + 2 * p - span) // s + 1, (in_w + 2 * p - span) // s + 1
        new = np.zeros((out_h, out_w, height, width), dtype=bool)
        for i in range(out_h):
            for j in range(out_w):
                for u in range(layer.kernel_size):
                    for v in range(layer.kernel_size):
                        r, c = i * s + u * d - p, j * s + v * d - p
                        if 0 <= r < in_h and 0 <= c < in_w:  # padding depends on nothing
                            new[i, j] |= masks[r, c]
        masks = new
    return masks


def bounding_box(mask):
    rows, cols = np.nonzero(mask)
    return rows.min(), cols.min(), rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


VGG_LIKE = [Layer.conv(3, padding=1), Layer.conv(3, padding=1), Layer.max_pool(2),
            Layer.conv(3, padding=1), Layer.conv(3, padding=1), Layer.max_pool(2)]


def test_formula_worked_example():
    # 1 -> 3 -> 5 (two 3x3 convs), pool 2: +1 -> 6, jump 2; conv 3: +2*2 -> 10.
    steps = receptive_field_steps([Layer.conv(3), Layer.conv(3), Layer.max_pool(2), Layer.conv(3)])
    assert [step.size for step in steps] == [1, 3, 5, 6, 10]
    assert [step.jump for step in steps] == [1, 1, 1, 2, 2]


def test_formula_padding_moves_the_start_outside_the_image():
    assert receptive_field([Layer.conv(3, padding=1), Layer.conv(3, padding=1)]) == ReceptiveField(5, 1, -2)


def test_formula_dilation_widens_the_window():
    assert receptive_field([Layer.conv(3, dilation=2)]).size == 5
    assert receptive_field([Layer.conv(3, dilation=2), Layer.conv(3, dilation=4)]).size == 13


def test_vgg_like_stack_size_matches_hand_count():
    # size: conv3 +2, conv3 +2, pool2 +1 (jump 2), conv3 +4, conv3 +4, pool2 +2 -> 1+2+2+1+4+4+2.
    # start: each padding-1 conv moves it out by one jump: -1, -1, then -2, -2 after the pool.
    assert receptive_field(VGG_LIKE) == ReceptiveField(16, 4, -6)


def test_output_shapes_follow_each_layer():
    assert output_shapes(VGG_LIKE, (32, 20)) == [(32, 20), (32, 20), (32, 20), (16, 10), (16, 10), (16, 10),
                                                 (8, 5)]


def test_output_shapes_names_the_layer_that_does_not_fit():
    with pytest.raises(ValueError, match="layer 2"):
        output_shapes([Layer.conv(3), Layer.conv(5)], 6)


@pytest.mark.parametrize("layers", [
    VGG_LIKE,
    [Layer.conv(5, stride=2), Layer.conv(3), Layer.avg_pool(3, stride=2, padding=1)],
    [Layer.conv(3, padding=2, dilation=2), Layer.max_pool(3, stride=2), Layer.conv(3, stride=2)],
    [Layer.conv(3, stride=2, padding=1), Layer.max_pool(2, stride=1), Layer.conv(1)],
])
def test_measured_footprint_equals_brute_force_dependencies(layers):
    masks = dependency_masks(layers, 20, 18)
    for position in [(0, 0), centre_position(layers, (20, 18)), (masks.shape[0] - 1, masks.shape[1] - 1)]:
        grad = input_gradient(layers, np.zeros((20, 18)), position, footprint=True)
        np.testing.assert_array_equal(grad > 0, masks[position])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(["conv", "max_pool", "avg_pool"]), st.integers(1, 4),
                          st.integers(1, 3), st.integers(0, 2)), min_size=1, max_size=4),
       st.integers(12, 22))
def test_formula_window_is_the_bounding_box_of_the_dependencies(specs, size):
    layers = []
    for kind, kernel, stride, padding in specs:
        stride = min(stride, kernel)  # no holes: every stride at most its kernel
        padding = min(padding, kernel // 2) if kind != "conv" else padding
        layers.append(Layer(kind, kernel, stride, padding))
    try:
        out_h, out_w = output_shapes(layers, (size, size))[-1]
    except ValueError:
        return  # the stack does not fit this input: nothing to compare
    masks = dependency_masks(layers, size, size)
    for position in [(0, 0), (out_h // 2, out_w // 2), (out_h - 1, out_w - 1)]:
        if masks[position].any():
            assert receptive_window(layers, position, size) == bounding_box(masks[position])
            assert measured_receptive_field(layers, size, position) == bounding_box(masks[position])


def test_clipped_window_is_the_formula_window_cut_to_the_image_for_an_inner_unit():
    top, left, height, width = receptive_window(VGG_LIKE, (3, 5), 32, clip=False)
    assert receptive_window(VGG_LIKE, (3, 5), 32) == (top, left, height, width)
    assert (top, left) == (-6 + 3 * 4, -6 + 5 * 4)


def test_receptive_window_unclipped_has_the_formula_size():
    top, left, height, width = receptive_window(VGG_LIKE, (0, 0), 32, clip=False)
    assert (top, left, height, width) == (-6, -6, 16, 16)


def test_true_gradient_through_max_pool_picks_the_winner():
    image = np.array([[0, 1, 0, 0], [0, 0, 0, 5], [2, 0, 0, 0], [0, 0, 3, 0]], dtype=float)
    grad = input_gradient([Layer.max_pool(2)], image, (1, 1))
    expected = np.zeros((4, 4))
    expected[3, 2] = 1
    np.testing.assert_array_equal(grad, expected)


def test_true_gradient_lies_inside_the_footprint():
    rng = np.random.default_rng(0)
    image = rng.random((24, 24))
    grad = input_gradient(VGG_LIKE, image, (2, 3))
    footprint = input_gradient(VGG_LIKE, image, (2, 3), footprint=True)
    assert np.all(footprint[grad > 0] > 0)
    assert (grad > 0).sum() < (footprint > 0).sum()  # max pooling keeps only the winners' paths


def test_true_gradient_of_one_max_pool_equals_the_core_backward():
    rng = np.random.default_rng(1)
    image = rng.random((6, 6))
    grad_out = np.zeros((3, 3))
    grad_out[1, 2] = 1
    np.testing.assert_array_equal(input_gradient([Layer.max_pool(2)], image, (1, 2)),
                                  max_pool2d_backward(grad_out, image, 2))


def test_gradient_sums_to_one_without_padding():
    # Every layer averages (mean conv kernels, avg pools): the weights of one unit sum to 1.
    layers = [Layer.conv(3), Layer.avg_pool(2), Layer.conv(5, stride=2)]
    assert input_gradient(layers, np.zeros((30, 30)), (3, 4)).sum() == pytest.approx(1.0)


def test_forward_stack_conv_is_a_mean_filter():
    image = np.arange(25.0).reshape(5, 5)
    out = forward_stack([Layer.conv(3)], image)[1]
    reference = np.array([[image[i:i + 3, j:j + 3].mean() for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(out, reference)


def test_forward_stack_does_not_modify_the_input():
    image = np.arange(36.0).reshape(6, 6)
    before = image.copy()
    input_gradient([Layer.conv(3), Layer.max_pool(2)], image)
    np.testing.assert_array_equal(image, before)


def test_position_outside_the_output_is_a_readable_error():
    with pytest.raises(ValueError, match="position must lie inside the 4x4 output"):
        receptive_window([Layer.max_pool(2)], (4, 0), 8)


def test_unit_that_sees_only_padding_is_a_readable_error():
    with pytest.raises(ValueError, match="sees only padding"):
        measured_receptive_field([Layer.conv(3, padding=3)], 4, (0, 0))


@pytest.mark.parametrize("make, match", [
    (lambda: Layer("pool", 2), "kind must be one of"),
    (lambda: Layer.conv(0), "kernel_size must be >= 1"),
    (lambda: Layer.max_pool(2, padding=2), "at most kernel_size // 2"),
    (lambda: Layer("max_pool", 3, 1, 0, 2), "dilation is for conv layers only"),
])
def test_bad_layer_is_a_readable_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_layer_of_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match=r"layers\[1\] must be a Layer"):
        receptive_field([Layer.conv(3), ("conv", 3)])


def test_layer_description_reads_like_the_slides():
    assert str(Layer.conv(3, padding=1)) == "conv 3x3, padding 1"
    assert str(Layer.max_pool(3, stride=2)) == "max pool 3x3, stride 2"
    assert str(Layer.conv(3, dilation=2)) == "conv 3x3, dilation 2"


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(["conv", "max_pool", "avg_pool"]), st.integers(1, 4),
                          st.integers(1, 3), st.integers(0, 2), st.integers(1, 2)), min_size=1, max_size=4),
       st.integers(14, 30), st.integers(0, 10_000))
def test_gradient_on_the_visible_crop_equals_the_gradient_on_the_whole_image(specs, size, seed):
    from cnnhelpers.receptive_field import _backward_through
    layers = []
    for kind, kernel, stride, padding, dilation in specs:
        if kind == "conv":
            layers.append(Layer.conv(kernel, stride, padding, dilation))
        else:
            layers.append(Layer(kind, kernel, stride, min(padding, kernel // 2)))
    try:
        out_h, out_w = output_shapes(layers, (size, size + 3))[-1]
    except ValueError:
        return
    image = np.random.default_rng(seed).random((size, size + 3))
    for position in [(0, 0), (out_h // 2, out_w // 2), (out_h - 1, out_w - 1)]:
        for footprint in (False, True):
            whole = _backward_through(layers, image, position, footprint)
            np.testing.assert_allclose(input_gradient(layers, image, position, footprint=footprint), whole,
                                       rtol=1e-12, atol=1e-15)


def test_gradient_of_a_unit_that_sees_only_padding_is_zero():
    grad = input_gradient([Layer.conv(1, padding=1)], np.ones((5, 5)), (0, 0))
    assert grad.shape == (5, 5) and not grad.any()


def test_nonzero_box_of_an_all_zero_gradient_is_a_readable_error():
    from cnnhelpers.receptive_field import nonzero_box
    with pytest.raises(ValueError, match="sees only padding"):
        nonzero_box(np.zeros((3, 3)), (0, 0))
