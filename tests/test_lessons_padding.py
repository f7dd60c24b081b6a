"""cnnhelpers.lessons.padding: notebook 02's padding modes, figures and the padding experiment."""


import numpy as np
import pytest
from reference import naive_correlate2d

import cnnhelpers as ch
from cnnhelpers.images import load_image
from cnnhelpers.lessons.padding import (
    PADDING_MODES,
    PaddingExperiment,
    center_mask,
    correlate2d_padded,
    pad2d,
    padding_mode_errors,
    same_padding,
    show_padding_modes,
)
from cnnhelpers.slides import SLIDE_INPUT


def source_index(i, size, mode):
    """Which original index a padded position ``i`` (may be < 0 or >= size) copies, or None for zero."""
    if 0 <= i < size:
        return i
    if mode == "zeros":
        return None
    if mode == "replicate":
        return min(max(i, 0), size - 1)
    if mode == "circular":
        return i % size
    if mode == "reflect":  # mirror around index 0 and size-1, edge not repeated
        return -i if i < 0 else 2 * (size - 1) - i
    raise AssertionError(mode)


def naive_pad(x, top, bottom, left, right, mode):
    x = np.asarray(x)
    height, width = x.shape
    out = np.zeros((height + top + bottom, width + left + right), dtype=x.dtype)
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            sr, sc = source_index(r - top, height, mode), source_index(c - left, width, mode)
            out[r, c] = 0 if sr is None or sc is None else x[sr, sc]
    return out


def rng():
    return np.random.default_rng(7)


@pytest.mark.parametrize("mode", list(PADDING_MODES))
@pytest.mark.parametrize("padding, pads", [(1, (1, 1, 1, 1)), ((2, 1), (2, 2, 1, 1)),
                                           ((3, 0, 1, 2), (1, 2, 3, 0))])  # torch order -> (t, b, l, r)
def test_pad2d_matches_index_mapping_reference(mode, padding, pads):
    x = rng().integers(-5, 6, size=(4, 5))
    np.testing.assert_array_equal(pad2d(x, padding, mode), naive_pad(x, *pads, mode))


@pytest.mark.parametrize("mode", list(PADDING_MODES))
def test_pad2d_matches_np_pad(mode):
    x = rng().normal(size=(2, 3, 6, 5))
    expected = np.pad(x, ((0, 0), (0, 0), (2, 2), (3, 3)), mode=PADDING_MODES[mode])
    np.testing.assert_array_equal(pad2d(x, (2, 3), mode), expected)


@pytest.mark.parametrize("mode, torch_mode", [("zeros", "constant"), ("reflect", "reflect"),
                                              ("replicate", "replicate"), ("circular", "circular")])
def test_pad2d_matches_pytorch_f_pad(mode, torch_mode):
    torch = pytest.importorskip("torch")
    x = rng().normal(size=(1, 2, 5, 6))
    padding = (3, 1, 2, 4)  # (left, right, top, bottom), as torch.nn.functional.pad
    expected = torch.nn.functional.pad(torch.tensor(x), padding, mode=torch_mode).numpy()
    np.testing.assert_array_equal(pad2d(x, padding, mode), expected)


def test_pad2d_docstring_row():
    assert pad2d([[1, 2, 3]], (0, 2), "reflect").tolist() == [[3, 2, 1, 2, 3, 2, 1]]


def test_pad2d_keeps_dtype_and_input():
    x = np.arange(12, dtype=np.int32).reshape(3, 4)
    before = x.copy()
    out = pad2d(x, 1, "replicate")
    assert out.dtype == np.int32
    np.testing.assert_array_equal(x, before)


def test_pad2d_zero_padding_is_a_copy_of_the_input():
    x = rng().normal(size=(3, 3))
    out = pad2d(x, 0, "reflect")
    np.testing.assert_array_equal(out, x)
    assert not np.shares_memory(out, x)


@pytest.mark.parametrize("mode, padding, match", [
    ("reflect", 3, "reflect.*smaller than the input's height"),
    ("circular", 4, "circular.*at most"),
    ("mirror", 1, "mode must be one of"),
    ("zeros", -1, "padding must be >= 0"),
])
def test_pad2d_rejects_impossible_settings(mode, padding, match):
    with pytest.raises(ValueError, match=match):
        pad2d(np.zeros((3, 8)), padding, mode)


def test_pad2d_allows_circular_padding_equal_to_size():
    np.testing.assert_array_equal(pad2d([[1, 2]], (0, 2), "circular"), [[1, 2, 1, 2, 1, 2]])


@pytest.mark.parametrize("x, error, match", [
    (np.zeros(4), ValueError, "at least 2 axes"),
    (np.array([["a"]]), TypeError, "real numbers"),
])
def test_pad2d_rejects_bad_arrays(x, error, match):
    with pytest.raises(error, match=match):
        pad2d(x, 1)


def test_pad2d_rejects_string_padding():
    with pytest.raises(TypeError, match="padding must be an int"):
        pad2d(np.zeros((3, 3)), "same")


@pytest.mark.parametrize("kernel_size, dilation, expected", [
    (3, 1, (1, 1, 1, 1)), (5, 1, (2, 2, 2, 2)), (4, 1, (1, 2, 1, 2)), ((1, 3), 1, (0, 0, 1, 1)),
    (3, 3, (3, 3, 3, 3)),
])
def test_same_padding_amounts(kernel_size, dilation, expected):
    assert same_padding(kernel_size, dilation) == expected


@pytest.mark.parametrize("kernel_shape", [(3, 3), (4, 4), (1, 3), (3, 1), (2, 5)])
def test_same_padding_keeps_the_size(kernel_shape):
    top, bottom, left, right = same_padding(kernel_shape)
    out = naive_correlate2d(np.ones((7, 6)), np.ones(kernel_shape), pads=(top, bottom, left, right))
    assert out.shape == (7, 6)


def test_correlate2d_padded_with_zeros_equals_correlate2d():
    x, k = rng().normal(size=(6, 7)), rng().normal(size=(3, 2))
    np.testing.assert_allclose(correlate2d_padded(x, k, padding=(1, 2), stride=2),
                               ch.correlate2d(x, k, padding=(1, 2), stride=2))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_correlate2d_padded_equals_naive_on_padded_input(mode):
    x, k = rng().normal(size=(6, 7)), rng().normal(size=(3, 3))
    expected = naive_correlate2d(naive_pad(x, 1, 1, 1, 1, mode), k)
    np.testing.assert_allclose(correlate2d_padded(x, k, padding="same", padding_mode=mode), expected)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_correlate2d_padded_matches_pytorch_padding_mode(mode):
    torch = pytest.importorskip("torch")
    x, k = rng().normal(size=(8, 9)), rng().normal(size=(3, 5))
    layer = torch.nn.Conv2d(1, 1, (3, 5), stride=2, padding=(1, 2), padding_mode=mode, bias=False).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(k)[None, None])
        expected = layer(torch.tensor(x)[None, None])[0, 0].numpy()
    np.testing.assert_allclose(correlate2d_padded(x, k, padding=(1, 2), stride=2, padding_mode=mode), expected)


def test_blurring_a_constant_image_darkens_the_border_only_with_zeros():
    flat, box = np.ones((5, 5)), np.ones((3, 3)) / 9
    assert correlate2d_padded(flat, box, padding=1)[0, 0] == pytest.approx(4 / 9)
    for mode in ("reflect", "replicate", "circular"):
        np.testing.assert_allclose(correlate2d_padded(flat, box, padding=1, padding_mode=mode), 1.0)


@pytest.mark.parametrize("shape, kernel_size, padding", [((5, 5), 3, 0), ((6, 7), 5, 0), ((6, 7), 5, 1),
                                                         ((5, 5), 3, 1), ((6, 6), 4, 0), ((4, 4), (1, 3), 0)])
def test_center_mask_matches_brute_force(shape, kernel_size, padding):
    kh, kw = (kernel_size, kernel_size) if np.isscalar(kernel_size) else kernel_size
    expected = np.zeros(shape, dtype=bool)
    out_h, out_w = shape[0] + 2 * padding - kh + 1, shape[1] + 2 * padding - kw + 1
    for i in range(out_h):
        for j in range(out_w):
            r, c = i - padding + (kh - 1) // 2, j - padding + (kw - 1) // 2
            if 0 <= r < shape[0] and 0 <= c < shape[1]:
                expected[r, c] = True
    np.testing.assert_array_equal(center_mask(shape, kernel_size, padding), expected)


def test_padding_mode_errors_against_direct_computation():
    photo = rng().normal(size=(20, 20))
    kernel = rng().normal(size=(3, 3))
    crop = (4, 5, 8, 9)
    truth = naive_correlate2d(photo, kernel, pads=(1, 1, 1, 1))[4:12, 5:14]
    band = np.ones((8, 9), dtype=bool)
    band[1:-1, 1:-1] = False
    for mode, error in padding_mode_errors(photo, kernel, crop).items():
        guessed = naive_correlate2d(naive_pad(photo[4:12, 5:14], 1, 1, 1, 1, mode), kernel)
        assert error == pytest.approx(np.abs(guessed - truth)[band].mean())


def test_padding_mode_errors_rejects_a_crop_at_the_edge():
    with pytest.raises(ValueError, match="crop"):
        padding_mode_errors(np.zeros((10, 10)), np.ones((3, 3)), (0, 2, 5, 5))


def test_show_padding_modes_draws_a_padded_image_and_an_output_per_mode():
    import matplotlib.pyplot as plt

    fig = show_padding_modes(np.eye(8), np.ones((3, 3)) / 9, corner=4)
    titles = [ax.get_title() for ax in fig.axes]
    plt.close(fig)
    assert titles[:4] == [f"padded: {m!r}" for m in PADDING_MODES]
    assert titles[4:8] == [f"output ({m})" for m in PADDING_MODES]

NP_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@pytest.fixture(scope="module")
def experiment():
    return PaddingExperiment(size=64)


@pytest.mark.parametrize("mode", list(NP_MODES))
def test_grid_output_is_the_window_sum_of_the_padded_grid(experiment, mode):
    result = experiment.update(kernel_size=3, padding=2, mode=mode)
    padded = np.pad(SLIDE_INPUT, 2, mode=NP_MODES[mode])
    np.testing.assert_array_equal(result["padded_grid"], padded)
    np.testing.assert_array_equal(result["grid_output"], naive_correlate2d(padded, np.ones((3, 3))))


def test_photo_output_is_a_box_blur_of_the_padded_photo(experiment):
    result = experiment.update(kernel_size=4, padding=1, mode="replicate")
    padded = np.pad(load_image("camera", size=64), 1, mode="edge")
    np.testing.assert_allclose(result["photo_output"], naive_correlate2d(padded, np.ones((4, 4)) / 16))


@pytest.mark.parametrize("kernel_size, padding, shape", [(3, 0, (3, 3)), (3, 1, (5, 5)), (1, 4, (13, 13)),
                                                         (6, 2, (4, 4))])
def test_grid_output_size_follows_the_formula(experiment, kernel_size, padding, shape):
    assert experiment.update(kernel_size=kernel_size, padding=padding, mode="zeros")["grid_output"].shape == shape


def test_full_size_photo_by_default():
    assert PaddingExperiment().update(kernel_size=3, padding=0, mode="zeros")["photo_output"].shape == (510, 510)


def test_kernel_larger_than_padded_grid_is_a_readable_error(experiment):
    with pytest.raises(ValueError, match="7x7 kernel does not fit in the 5x5 grid padded by 0.*at least 1 of "
                                         "padding"):
        experiment.update(kernel_size=7, padding=0, mode="zeros")


def test_safe_update_shows_the_message_instead_of_raising(experiment):
    assert experiment.safe_update(kernel_size=6, padding=0, mode="reflect") is False
    assert "does not fit" in experiment.message.value


def test_figure_has_grid_output_and_photo_panels(experiment):
    experiment.update(kernel_size=3, padding=1, mode="circular")
    titles = [ax.get_title() for ax in experiment.live.figure.axes]
    assert titles == ["'circular' padding 1", "sum of each 3x3 window", "photo's corner, padded", "3x3 blur, corner"]
    assert experiment.live.image.value[:3] == b"\xff\xd8\xff"  # JPEG


def test_widget_builds_and_draws_the_initial_setting():
    experiment = PaddingExperiment(size=32)
    widget = experiment.widget
    assert set(experiment.controls) == {"kernel_size", "padding", "mode"}
    assert experiment.live.image in widget.children
    assert experiment.message.value == ""


def test_sliders_redraw_while_dragging(experiment):
    import ipywidgets as widgets

    sliders = [c for c in experiment.controls.values() if isinstance(c, (widgets.IntSlider, widgets.FloatSlider))]
    assert sliders and all(slider.continuous_update for slider in sliders)
