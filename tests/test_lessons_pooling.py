"""cnnhelpers.lessons.pooling: notebook 05's pooling figures, layer stages, shift invariance,
receptive fields and experiments.

Receptive fields by formula are checked against dependencies found by brute force, and the measured
ones against the core backward passes."""


import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnnhelpers as ch
from cnnhelpers import adaptive_avg_pool2d, kernels, max_pool2d, max_pool2d_backward
from cnnhelpers.images import load_image
from cnnhelpers.lessons.pooling import (
    BLOCKS,
    POOL_GRID,
    LayerSpec,
    PoolingExperiment,
    ReceptiveField,
    ReceptiveFieldExperiment,
    ReceptiveFieldFigure,
    adaptive_windows,
    center_position,
    describe_stack,
    draw_pooling,
    forward_stack,
    input_gradient,
    layer_stages,
    measure_receptive_field,
    measured_receptive_field,
    nonzero_box,
    output_shapes,
    pool,
    receptive_field,
    receptive_field_steps,
    receptive_window,
    relu,
    shift_stability,
    shifted_pair,
    show_adaptive_pooling,
    show_layer_stages,
    show_pooling,
    show_receptive_field,
    show_receptive_field_growth,
    show_shift_stability,
    window_positions,
)

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
    with pytest.raises(ValueError, match=r"must lie inside the 2x2 output; got \(2, 0\)"):
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
    assert fig.get_suptitle() == "max(1, 3, 4, 2) = 4   mean(1, 3, 4, 2) = 2.5"
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
    layers = [LayerSpec.conv(3), LayerSpec.max_pool(2), LayerSpec.conv(3)]
    fig = plt.figure()
    result = ReceptiveFieldFigure(fig).draw(layers, np.random.default_rng(0).random((32, 32)), (3, 4))
    assert result["window"] == result["measured"] == (6, 8, 8, 8)
    box = [p for p in fig.axes[0].patches if p.get_label() == "formula"][0]
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (7.5, 5.5, 8, 8)
    plt.close(fig)


def test_show_receptive_field_returns_a_figure_with_three_panels():
    fig = show_receptive_field([LayerSpec.conv(3)], np.zeros((10, 10)), title="t")
    assert len([ax for ax in fig.axes if ax.images]) == 3
    plt.close(fig)


def test_growth_plot_has_the_formula_sizes():
    fig = show_receptive_field_growth({"conv": [LayerSpec.conv(3)],
                                       "conv+pool": [LayerSpec.conv(3), LayerSpec.max_pool(2)]}, 4)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [3, 5, 7, 9])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [4, 10, 22, 46])
    plt.close(fig)


def test_measure_receptive_field_box_equals_the_measurement_on_a_blank_image():
    layers = [LayerSpec.conv(3, padding=1), LayerSpec.max_pool(2), LayerSpec.conv(5, dilation=2)]
    image = np.random.default_rng(3).random((40, 36))
    result = measure_receptive_field(layers, image, (2, 5))
    assert result["measured"] == measured_receptive_field(layers, image.shape, (2, 5))


def naive_correlate(image, kernel):
    kh, kw = kernel.shape
    return np.array([[np.sum(image[i:i + kh, j:j + kw] * kernel) for j in range(image.shape[1] - kw + 1)]
                     for i in range(image.shape[0] - kh + 1)])


def test_relu_keeps_positives_only():
    np.testing.assert_array_equal(relu([[-1.5, 0.0], [2.0, -0.0]]), [[0.0, 0.0], [2.0, 0.0]])


def test_stages_match_a_direct_computation():
    rng = np.random.default_rng(0)
    image = rng.random((9, 10))
    weight = np.stack([kernels.sobel_x, -kernels.sobel_x])[:, None]
    stages = layer_stages(image, weight, bias=[0.5, -0.5])
    linear0 = naive_correlate(image, kernels.sobel_x) + 0.5
    np.testing.assert_allclose(stages["linear"][0], linear0, atol=1e-12)
    np.testing.assert_allclose(stages["detector"][0], np.maximum(linear0, 0), atol=1e-12)
    detector = np.maximum(linear0, 0)
    pooled = np.array([[detector[2 * i:2 * i + 2, 2 * j:2 * j + 2].max() for j in range(4)] for i in range(3)])
    np.testing.assert_allclose(stages["pooled"][0], pooled, atol=1e-12)


def test_average_mode_and_stride():
    image = np.arange(64.0).reshape(8, 8)
    stages = layer_stages(image, np.ones((1, 1, 1, 1)), pool_size=3, pool_stride=2, mode="avg")
    expected = np.array([[image[2 * i:2 * i + 3, 2 * j:2 * j + 3].mean() for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(stages["pooled"][0], expected)


def test_a_kernel_and_its_negative_split_the_signed_response():
    # ReLU keeps one polarity: a kernel and its negative together keep everything.
    rng = np.random.default_rng(1)
    image = rng.random((12, 12))
    stages = layer_stages(image, np.stack([kernels.sobel_x, -kernels.sobel_x])[:, None])
    np.testing.assert_allclose(stages["detector"][0] - stages["detector"][1], stages["linear"][0])


def test_channel_mismatch_is_readable():
    with pytest.raises(ValueError, match="channels"):
        layer_stages(np.zeros((3, 8, 8)), np.zeros((2, 1, 3, 3)))


def test_show_layer_stages_has_three_panels_per_kernel_and_shapes_in_titles():
    stages = layer_stages(np.zeros((10, 10)), np.zeros((2, 1, 3, 3)))
    fig = show_layer_stages(stages, ["a", "b"])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 6 and "8x8" in titles[0] and "4x4" in titles[2]
    plt.close(fig)


def naive_max_pool(x, k):
    out = np.zeros((x.shape[0] // k, x.shape[1] // k))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].max()
    return out


def test_shifted_pair_moves_content_right():
    rng = np.random.default_rng(0)
    fmap = rng.random((12, 12))
    original, moved = shifted_pair(fmap, 2, 3)
    np.testing.assert_array_equal(moved[:, 2:], original[:, :-2])


def test_shifted_pair_moves_content_down():
    fmap = np.arange(100.0).reshape(10, 10)
    original, moved = shifted_pair(fmap, 1, 2, axis=0)
    np.testing.assert_array_equal(moved[1:], original[:-1])


def test_dots_inside_their_pooling_blocks_survive_a_small_shift():
    dots = np.zeros((40, 40))
    dots[1::4, 1::4] = 1.0  # one dot per 4x4 block, 1 px from its left edge
    result = shift_stability(dots, [0, 1, 2], mode="max", kernel_size=4)
    np.testing.assert_array_equal(result["unchanged"], [1.0, 1.0, 1.0])


def test_without_pooling_every_active_value_changes():
    dots = np.zeros((40, 40))
    dots[1::4, 1::4] = 1.0
    result = shift_stability(dots, [0, 1], mode=None)
    np.testing.assert_array_equal(result["unchanged"], [1.0, 0.0])


def test_unchanged_and_correlation_match_a_reference():
    rng = np.random.default_rng(3)
    fmap = np.maximum(rng.normal(size=(30, 30)), 0)
    shift, margin = 1, 3
    a = fmap[margin:-margin, margin:-margin]
    b = fmap[margin:-margin, margin - shift:30 - margin - shift]
    pa, pb = naive_max_pool(a, 2), naive_max_pool(b, 2)
    active = (pa != 0) | (pb != 0)
    expected_unchanged = np.mean((pa == pb)[active])
    expected_correlation = np.corrcoef(pa.ravel(), pb.ravel())[0, 1]
    result = shift_stability(fmap, [0, 1, 3], mode="max", kernel_size=2)
    assert result["unchanged"][1] == pytest.approx(expected_unchanged)
    assert result["correlation"][1] == pytest.approx(expected_correlation)


def test_max_pooling_is_more_stable_than_no_pooling_on_a_photo():
    photo = load_image("camera", size=96)
    edges = np.maximum(np.diff(photo, axis=1), 0)
    pooled = shift_stability(edges, [1], mode="max", kernel_size=4)
    raw = shift_stability(edges, [1], mode=None)
    assert pooled["unchanged"][0] > raw["unchanged"][0]
    assert pooled["correlation"][0] > raw["correlation"][0]


def test_shift_by_the_stride_shifts_the_pooled_output_by_one():
    rng = np.random.default_rng(4)
    fmap = rng.random((20, 20))
    original, moved = shifted_pair(fmap, 2, 2)
    np.testing.assert_array_equal(max_pool2d(moved, 2)[:, 1:], max_pool2d(original, 2)[:, :-1])


def test_constant_map_has_undefined_correlation():
    result = shift_stability(np.ones((10, 10)), [0, 1], mode=None)
    assert np.isnan(result["correlation"]).all()


@pytest.mark.parametrize("kwargs, match", [
    (dict(shifts=[-1]), r"shifts\[0\] must be an int >= 0; got -1"),
    (dict(shifts=[]), "shifts must be"),
    (dict(mode="min"), "mode must be one of"),
    (dict(axis=2), "axis must be"),
])
def test_bad_arguments_are_readable(kwargs, match):
    with pytest.raises(ValueError, match=match):
        shift_stability(np.ones((12, 12)), **{"shifts": [0, 1], **kwargs})


def test_map_too_small_for_the_shifts_is_readable():
    with pytest.raises(ValueError, match="too small"):
        shift_stability(np.ones((6, 6)), [0, 3])


def test_plot_has_one_line_per_setting_in_each_panel():
    import matplotlib.pyplot as plt
    dots = np.zeros((20, 20))
    dots[1::4, 1::4] = 1.0
    fig = show_shift_stability({"none": shift_stability(dots, mode=None), "max": shift_stability(dots)})
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    plt.close(fig)


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

VGG_LIKE = [LayerSpec.conv(3, padding=1), LayerSpec.conv(3, padding=1), LayerSpec.max_pool(2),
            LayerSpec.conv(3, padding=1), LayerSpec.conv(3, padding=1), LayerSpec.max_pool(2)]


def test_formula_worked_example():
    # 1 -> 3 -> 5 (two 3x3 convs), pool 2: +1 -> 6, jump 2; conv 3: +2*2 -> 10.
    steps = receptive_field_steps([LayerSpec.conv(3), LayerSpec.conv(3), LayerSpec.max_pool(2), LayerSpec.conv(3)])
    assert [step.size for step in steps] == [1, 3, 5, 6, 10]
    assert [step.jump for step in steps] == [1, 1, 1, 2, 2]


def test_formula_padding_moves_the_start_outside_the_image():
    assert receptive_field([LayerSpec.conv(3, padding=1), LayerSpec.conv(3, padding=1)]) == ReceptiveField(5, 1, -2)


def test_formula_dilation_widens_the_window():
    assert receptive_field([LayerSpec.conv(3, dilation=2)]).size == 5
    assert receptive_field([LayerSpec.conv(3, dilation=2), LayerSpec.conv(3, dilation=4)]).size == 13


def test_vgg_like_stack_size_matches_hand_count():
    # size: conv3 +2, conv3 +2, pool2 +1 (jump 2), conv3 +4, conv3 +4, pool2 +2 -> 1+2+2+1+4+4+2.
    # start: each padding-1 conv moves it out by one jump: -1, -1, then -2, -2 after the pool.
    assert receptive_field(VGG_LIKE) == ReceptiveField(16, 4, -6)


def test_output_shapes_follow_each_layer():
    assert output_shapes(VGG_LIKE, (32, 20)) == [(32, 20), (32, 20), (32, 20), (16, 10), (16, 10), (16, 10),
                                                 (8, 5)]


def test_output_shapes_names_the_layer_that_does_not_fit():
    with pytest.raises(ValueError, match="layer 2"):
        output_shapes([LayerSpec.conv(3), LayerSpec.conv(5)], 6)


@pytest.mark.parametrize("layers", [
    VGG_LIKE,
    [LayerSpec.conv(5, stride=2), LayerSpec.conv(3), LayerSpec.avg_pool(3, stride=2, padding=1)],
    [LayerSpec.conv(3, padding=2, dilation=2), LayerSpec.max_pool(3, stride=2), LayerSpec.conv(3, stride=2)],
    [LayerSpec.conv(3, stride=2, padding=1), LayerSpec.max_pool(2, stride=1), LayerSpec.conv(1)],
])
def test_measured_footprint_equals_brute_force_dependencies(layers):
    masks = dependency_masks(layers, 20, 18)
    for position in [(0, 0), center_position(layers, (20, 18)), (masks.shape[0] - 1, masks.shape[1] - 1)]:
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
        layers.append(LayerSpec(kind, kernel, stride, padding))
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
    grad = input_gradient([LayerSpec.max_pool(2)], image, (1, 1))
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
    np.testing.assert_array_equal(input_gradient([LayerSpec.max_pool(2)], image, (1, 2)),
                                  max_pool2d_backward(grad_out, image, 2))


def test_gradient_sums_to_one_without_padding():
    # Every layer averages (mean conv kernels, avg pools): the weights of one unit sum to 1.
    layers = [LayerSpec.conv(3), LayerSpec.avg_pool(2), LayerSpec.conv(5, stride=2)]
    assert input_gradient(layers, np.zeros((30, 30)), (3, 4)).sum() == pytest.approx(1.0)


def test_forward_stack_conv_is_a_mean_filter():
    image = np.arange(25.0).reshape(5, 5)
    out = forward_stack([LayerSpec.conv(3)], image)[1]
    reference = np.array([[image[i:i + 3, j:j + 3].mean() for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(out, reference)


def test_forward_stack_does_not_modify_the_input():
    image = np.arange(36.0).reshape(6, 6)
    before = image.copy()
    input_gradient([LayerSpec.conv(3), LayerSpec.max_pool(2)], image)
    np.testing.assert_array_equal(image, before)


def test_position_outside_the_output_is_a_readable_error():
    with pytest.raises(ValueError, match="position must lie inside the 4x4 output"):
        receptive_window([LayerSpec.max_pool(2)], (4, 0), 8)


def test_unit_that_sees_only_padding_is_a_readable_error():
    with pytest.raises(ValueError, match="sees only padding"):
        measured_receptive_field([LayerSpec.conv(3, padding=3)], 4, (0, 0))


@pytest.mark.parametrize("make, match", [
    (lambda: LayerSpec("pool", 2), "kind must be one of"),
    (lambda: LayerSpec.conv(0), "kernel_size must be >= 1"),
    (lambda: LayerSpec.max_pool(2, padding=2), "at most kernel_size // 2"),
    (lambda: LayerSpec("max_pool", 3, 1, 0, 2), "dilation is for conv layers only"),
])
def test_bad_layer_is_a_readable_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_layer_of_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match=r"layers\[1\] must be a LayerSpec"):
        receptive_field([LayerSpec.conv(3), ("conv", 3)])


def test_layer_description_reads_like_the_slides():
    assert str(LayerSpec.conv(3, padding=1)) == "conv 3x3, padding 1"
    assert str(LayerSpec.max_pool(3, stride=2)) == "max pool 3x3, stride 2"
    assert str(LayerSpec.conv(3, dilation=2)) == "conv 3x3, dilation 2"


def whole_image_gradient(layers, image, position, footprint):
    """The gradient of one output unit, chained through the core backward passes over the whole image."""
    activations = forward_stack(layers, image)
    grad = np.zeros(activations[-1].shape)
    grad[position] = 1.0
    for layer, x in zip(reversed(layers), reversed(activations[:-1]), strict=True):
        if layer.kind == "conv":
            weight = np.full((1, 1, layer.kernel_size, layer.kernel_size), 1.0 / layer.kernel_size**2)
            grad = ch.conv2d_backward(grad[None], x[None], weight, stride=layer.stride, padding=layer.padding,
                                      dilation=layer.dilation)[0][0]
        elif layer.kind == "max_pool" and not footprint:
            grad = ch.max_pool2d_backward(grad, x, layer.kernel_size, layer.stride, layer.padding)
        else:
            grad = ch.avg_pool2d_backward(grad, x, layer.kernel_size, layer.stride, layer.padding)
    return grad


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(["conv", "max_pool", "avg_pool"]), st.integers(1, 4),
                          st.integers(1, 3), st.integers(0, 2), st.integers(1, 2)), min_size=1, max_size=4),
       st.integers(14, 30), st.integers(0, 10_000))
def test_gradient_on_the_visible_crop_equals_the_gradient_on_the_whole_image(specs, size, seed):
    layers = []
    for kind, kernel, stride, padding, dilation in specs:
        if kind == "conv":
            layers.append(LayerSpec.conv(kernel, stride, padding, dilation))
        else:
            layers.append(LayerSpec(kind, kernel, stride, min(padding, kernel // 2)))
    try:
        out_h, out_w = output_shapes(layers, (size, size + 3))[-1]
    except ValueError:
        return
    image = np.random.default_rng(seed).random((size, size + 3))
    for position in [(0, 0), (out_h // 2, out_w // 2), (out_h - 1, out_w - 1)]:
        for footprint in (False, True):
            whole = whole_image_gradient(layers, image, position, footprint)
            np.testing.assert_allclose(input_gradient(layers, image, position, footprint=footprint), whole,
                                       rtol=1e-12, atol=1e-15)


def test_gradient_of_a_unit_that_sees_only_padding_is_zero():
    grad = input_gradient([LayerSpec.conv(1, padding=1)], np.ones((5, 5)), (0, 0))
    assert grad.shape == (5, 5) and not grad.any()


def test_nonzero_box_of_an_all_zero_gradient_is_a_readable_error():
    with pytest.raises(ValueError, match="sees only padding"):
        nonzero_box(np.zeros((3, 3)), (0, 0))


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
    text = describe_stack([LayerSpec.conv(3, padding=1), LayerSpec.avg_pool(2)])
    assert text.splitlines()[1].endswith("receptive field 4, jump 2")
