"""cnnhelpers.widgets.kernels: the kernel editor, the weighted-sum stepper and notebook 01's figures.

Every ``update`` is called directly, as a slider would, and its result compared with SciPy or a
loop written here.
"""

import matplotlib
import numpy as np
import pytest
import scipy.signal

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from cnnhelpers import correlate2d, kernels  # noqa: E402
from cnnhelpers.images import lines_and_corner, load_image, shift  # noqa: E402
from cnnhelpers.plotting import IMAGE_CMAP, SIGNED_CMAP  # noqa: E402
from cnnhelpers.widgets.kernels import (  # noqa: E402
    WEIGHT_NAMES,
    KernelEditor,
    WeightedSumStepper,
    show_convolution_matrix,
    show_detector_responses,
    show_equivariance,
    show_weighted_sum,
)

LECTURE_PATCH = [[3, 2, 1], [1, 2, 3], [1, 1, 1]]  # slide "Example: Kernel 3x3"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def weights(kernel):
    return dict(zip(WEIGHT_NAMES, np.asarray(kernel, float).ravel(), strict=True))


@pytest.fixture
def editor():
    return KernelEditor(size=64)


# --- KernelEditor.update ----------------------------------------------------------------------

def test_editor_output_is_scipys_valid_correlation(editor):
    kernel = np.random.default_rng(0).normal(size=(3, 3))
    result = editor.update(photo="camera", **weights(kernel))
    expected = scipy.signal.correlate2d(load_image("camera", size=64), kernel, mode="valid")
    np.testing.assert_allclose(result["output"], expected, atol=1e-12)


def test_editor_returns_the_kernel_from_the_nine_weights_row_major(editor):
    kernel = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(editor.update(photo="camera", **weights(kernel))["kernel"], kernel)


def test_editor_output_is_two_pixels_smaller_per_axis(editor):
    result = editor.update(photo="coffee", **weights(kernels.identity))
    assert result["output"].shape == (result["image"].shape[0] - 2, result["image"].shape[1] - 2)


def test_editor_identity_kernel_returns_the_inner_image(editor):
    result = editor.update(photo="camera", **weights(kernels.identity))
    np.testing.assert_array_equal(result["output"], result["image"][1:-1, 1:-1])


def test_editor_synthetic_image_is_lines_and_corner(editor):
    result = editor.update(photo="lines_and_corner", **weights(kernels.identity))
    np.testing.assert_array_equal(result["image"], lines_and_corner(48))


def test_editor_signed_output_uses_the_diverging_map_centred_on_zero(editor):
    editor.update(photo="camera", **weights(kernels.sobel_x))
    shown = editor._shown_out
    assert shown.get_cmap().name == SIGNED_CMAP
    assert shown.norm.vmin == -shown.norm.vmax


def test_editor_non_negative_output_is_grey_from_zero(editor):
    editor.update(photo="camera", **weights(kernels.box_blur))
    assert editor._shown_out.get_cmap().name == IMAGE_CMAP
    assert editor._shown_out.norm.vmin == 0.0


def test_editor_kernel_panel_shows_the_weights(editor):
    editor.update(photo="camera", **weights(kernels.sharpen))
    assert [text.get_text() for text in editor._kernel_texts] == [f"{w:.2f}" for w in kernels.sharpen.ravel()]


def test_editor_rejects_an_unknown_photo(editor):
    with pytest.raises(ValueError, match="photo must be one of"):
        editor.update(photo="moon", **weights(kernels.identity))


def test_editor_rejects_a_non_finite_weight(editor):
    with pytest.raises(ValueError, match="every weight must be a finite number"):
        editor.update(photo="camera", **{**weights(kernels.identity), "w11": float("nan")})


def test_editor_bad_setting_shows_a_message_not_a_traceback(editor):
    assert editor.safe_update(photo="moon", **weights(kernels.identity)) is False
    assert "cannot work" in editor.message.value and "photo must be one of" in editor.message.value


def test_editor_constructor_rejects_an_unknown_preset():
    with pytest.raises(ValueError, match="preset must be one of"):
        KernelEditor(preset="blur9")


# --- KernelEditor as a widget ------------------------------------------------------------------

def test_editor_widget_draws_a_png_on_creation(editor):
    editor.widget  # noqa: B018 - building it draws the first picture
    assert editor.live.image.value[:3] == b"\xff\xd8\xff"  # JPEG


def test_editor_preset_moves_the_sliders_with_one_redraw(editor, monkeypatch):
    editor.widget  # noqa: B018
    calls = []
    original = editor.update
    monkeypatch.setattr(editor, "update", lambda **values: calls.append(values) or original(**values))
    editor.preset.value = "emboss"
    assert len(calls) == 1
    current = np.array([editor.controls[name].value for name in WEIGHT_NAMES]).reshape(3, 3)
    np.testing.assert_array_equal(current, kernels.emboss)


def test_editor_moving_a_slider_labels_the_kernel_custom(editor):
    editor.widget  # noqa: B018
    editor.controls["w00"].value = 3.5
    assert editor.preset.value == "custom"


def test_editor_moving_back_to_a_preset_names_it(editor):
    editor.widget  # noqa: B018
    editor.apply_preset("laplacian")
    assert editor.matching_preset() == "laplacian" and editor.preset.value == "laplacian"


# --- the weighted sum --------------------------------------------------------------------------

def loop_products(patch, kernel):
    return [[patch[u][v] * kernel[u][v] for v in range(3)] for u in range(3)]


def test_stepper_all_steps_give_the_lectures_2():
    result = WeightedSumStepper(LECTURE_PATCH, kernels.sobel_x).update(steps=9)
    assert result["partial_sum"] == 2.0
    np.testing.assert_array_equal(result["products"], loop_products(LECTURE_PATCH, kernels.sobel_x))


@pytest.mark.parametrize("steps", [0, 1, 4, 8])
def test_stepper_partial_sum_is_the_first_products(steps):
    flat = np.ravel(loop_products(LECTURE_PATCH, kernels.sobel_x))
    result = WeightedSumStepper(LECTURE_PATCH, kernels.sobel_x).update(steps=steps)
    assert result["partial_sum"] == sum(flat[:steps])


def test_stepper_shows_only_the_first_products_and_spells_them_out():
    stepper = WeightedSumStepper(LECTURE_PATCH, kernels.sobel_x)
    stepper.update(steps=4)
    assert [text.get_visible() for text in stepper._product_texts] == [True] * 4 + [False] * 5
    assert stepper._sum_text.get_text() == "-4"  # -3 + 0 + 1 - 2
    assert stepper.live.figure._suptitle.get_text() == "3·(-1) + 2·0 + 1·1 + 1·(-2) = -4"


def test_stepper_rejects_more_steps_than_products():
    with pytest.raises(ValueError, match="steps must be between 0 and 9"):
        WeightedSumStepper(LECTURE_PATCH, kernels.sobel_x).update(steps=10)


def test_weighted_sum_title_spells_out_the_lectures_sum():
    fig = show_weighted_sum(LECTURE_PATCH, kernels.sobel_x)
    assert fig._suptitle.get_text() == "3·(-1) + 2·0 + 1·1 + 1·(-2) + 2·0 + 3·2 + 1·(-1) + 1·0 + 1·1 = 2"


def test_weighted_sum_rejects_shapes_that_differ():
    with pytest.raises(ValueError, match="patch must have the kernel's shape"):
        show_weighted_sum(np.ones((2, 3)), kernels.sobel_x)


# --- the other figures ---------------------------------------------------------------------------

def test_detector_responses_are_padded_correlations_and_the_corner_peaks_at_the_square():
    image = lines_and_corner(12)
    detectors = {"vertical_line": kernels.vertical_line, "corner": kernels.corner}
    _, responses = show_detector_responses(image, detectors)
    padded = np.pad(image, 1)
    expected = np.array([[np.sum(padded[i:i + 3, j:j + 3] * kernels.corner) for j in range(12)] for i in range(12)])
    np.testing.assert_array_equal(responses["corner"], expected)
    assert [tuple(p) for p in np.argwhere(responses["corner"] == responses["corner"].max())] == [(6, 6)]


def test_convolution_matrix_figure_rejects_a_vector():
    with pytest.raises(ValueError, match="matrix must be 2-D"):
        show_convolution_matrix(np.ones(4))


def test_equivariance_figure_reports_zero_for_a_shift_inside_the_margin():
    image = np.random.default_rng(1).random((32, 32))
    _, error = show_equivariance(image, lambda x: correlate2d(x, kernels.sobel_x, padding="same"),
                                 lambda x: shift(x, (2, 2)), margin=4)
    assert error == 0.0
