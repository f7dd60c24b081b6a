"""cnnhelpers.kernel_editor: the 3x3 kernel editor of notebooks 00 and 01.

Every update is called directly, as a slider would, and its result compared with SciPy; the figure
is checked through its public artists (the axes' images and texts)."""


import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.signal

from cnnhelpers import kernels
from cnnhelpers.images import lines_and_corner, load_image
from cnnhelpers.kernel_editor import WEIGHT_NAMES, KernelEditor
from cnnhelpers.plotting import IMAGE_CMAP, SIGNED_CMAP


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def weights(kernel):
    return dict(zip(WEIGHT_NAMES, np.asarray(kernel, float).ravel(), strict=True))


@pytest.fixture
def editor():
    return KernelEditor(size=64)


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


def shown_output(editor):
    """The image drawn in the output panel (the third axes of the editor's figure)."""
    return editor.live.figure.axes[2].images[0]


def test_editor_draws_the_output_it_returns(editor):
    result = editor.update(photo="camera", **weights(kernels.sobel_x))
    np.testing.assert_array_equal(shown_output(editor).get_array(), result["output"])


def test_editor_signed_output_uses_the_diverging_map_centered_on_zero(editor):
    editor.update(photo="camera", **weights(kernels.sobel_x))
    shown = shown_output(editor)
    assert shown.get_cmap().name == SIGNED_CMAP
    assert shown.norm.vmin == -shown.norm.vmax


def test_editor_non_negative_output_is_gray_from_zero(editor):
    editor.update(photo="camera", **weights(kernels.box_blur))
    assert shown_output(editor).get_cmap().name == IMAGE_CMAP
    assert shown_output(editor).norm.vmin == 0.0


def test_editor_kernel_panel_shows_the_weights(editor):
    editor.update(photo="camera", **weights(kernels.sharpen))
    kernel_ax = editor.live.figure.axes[1]
    assert [text.get_text() for text in kernel_ax.texts] == [f"{w:.2f}" for w in kernels.sharpen.ravel()]


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


def test_editor_sharpened_photo_is_gray_like_a_photo(editor):
    """Issue 12: "sharpen" overshoots below 0, but its weights sum to 1: a picture, not a signed map."""
    result = editor.update(photo="camera", **weights(kernels.sharpen))
    assert result["output"].min() < 0  # the data alone would look signed
    assert shown_output(editor).get_cmap().name == IMAGE_CMAP
