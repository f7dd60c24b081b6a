"""The kernel playground: its computation against independent references, its kernel controls, uploads."""

import io

import numpy as np
import pytest
from PIL import Image

from cnnhelpers.kernels import KERNELS
from cnnhelpers.lessons import playground
from cnnhelpers.lessons.playground import KernelPlayground, decode_upload, embed_kernel


def naive_correlate(image, kernel, stride, padding, dilation):
    """out[i, j] = sum_uv padded[i*s + u*d, j*s + v*d] * kernel[u, v], by loops."""
    padded = np.pad(image, padding)
    k = kernel.shape[0]
    span = dilation * (k - 1) + 1
    rows = (padded.shape[0] - span) // stride + 1
    cols = (padded.shape[1] - span) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            for u in range(k):
                for v in range(k):
                    out[i, j] += padded[i * stride + u * dilation, j * stride + v * dilation] * kernel[u, v]
    return out


def png_bytes(array, mode=None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def app():
    app = KernelPlayground()
    assert app.widget is not None  # builds the controls and draws once
    return app


@pytest.fixture
def small_app():
    """A playground showing an uploaded 12x10 image: fast to check against loops."""
    app = KernelPlayground()
    assert app.widget is not None
    rng = np.random.default_rng(3)
    assert app.load_upload("small.png", png_bytes(rng.integers(0, 256, (12, 10), dtype=np.uint8)))
    return app


def settings(app, **changes):
    return {**app.current_values(), **changes}


def test_output_matches_a_loop_with_stride_padding_and_dilation(small_app):
    kernel = np.arange(25.0).reshape(5, 5) - 12
    result = small_app.update(**settings(small_app, kernel=kernel, padding=2, stride=2, dilation=2,
                                         pooling="none"))
    expected = naive_correlate(result["image"], kernel, stride=2, padding=2, dilation=2)
    np.testing.assert_allclose(result["output"], expected, atol=1e-12)


def test_max_pooling_takes_the_maximum_of_each_block(small_app):
    result = small_app.update(**settings(small_app, kernel=KERNELS["sharpen"], padding=1, stride=1, dilation=1,
                                         pooling="max", pool_size=3))
    out = result["output"]  # (12, 10)
    expected = np.array([[out[i:i + 3, j:j + 3].max() for j in range(0, 9, 3)] for i in range(0, 12, 3)])
    np.testing.assert_array_equal(result["pooled"], expected)


def test_average_pooling_takes_the_mean_of_each_block(small_app):
    result = small_app.update(**settings(small_app, kernel=KERNELS["box_blur"], padding=0, stride=1, dilation=1,
                                         pooling="average", pool_size=2))
    out = result["output"]  # (10, 8)
    expected = out.reshape(5, 2, 4, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(result["pooled"], expected, atol=1e-12)


def test_formula_shows_the_evaluated_output_size(app):
    result = app.update(**settings(app, photo="camera", kernel=KERNELS["box_blur"], padding=0, stride=2,
                                   dilation=1, pooling="max", pool_size=2))
    assert result["output"].shape == ((512 - 3) // 2 + 1,) * 2 == (255, 255)
    assert result["sizes"] == {"conv": (255, 255), "pool": (127, 127)}
    assert "⌊(512 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 = <b>255</b>" in app.formula.value
    assert "<b>127</b>" in app.formula.value


def test_every_preset_fills_the_3x3_editor(app):
    app.kernel_size.value = "3x3"
    for name, kernel in KERNELS.items():
        app.preset.value = name
        np.testing.assert_array_equal(np.array(app.controls["kernel"].value), kernel, err_msg=name)


def test_every_preset_is_centred_in_the_5x5_editor(app):
    app.kernel_size.value = "5x5"
    try:
        for name, kernel in KERNELS.items():
            app.preset.value = name
            shown = np.array(app.controls["kernel"].value)
            assert shown.shape == (5, 5)
            np.testing.assert_array_equal(shown[1:4, 1:4], kernel, err_msg=name)
            assert not shown[[0, 4], :].any() and not shown[:, [0, 4]].any(), name
    finally:
        app.kernel_size.value = "3x3"


def test_editing_a_weight_makes_the_preset_custom_and_changes_the_output(app):
    app.preset.value = "identity"
    before = app.update(**app.current_values())["output"]
    app.controls["kernel"]._cells[0].value = 2.0  # the browser edits the top-left cell
    assert app.preset.value == "custom"
    assert app.controls["kernel"].value[0][0] == 2.0
    after = app.update(**app.current_values())["output"]
    assert not np.allclose(before, after)
    app.preset.value = "sobel_x"


def test_a_custom_5x5_kernel_keeps_its_centre_when_switched_to_3x3(app):
    app.kernel_size.value = "5x5"
    custom = np.arange(25.0).reshape(5, 5)
    app.controls["kernel"].set_kernel(custom)
    assert app.preset.value == "custom"
    app.kernel_size.value = "3x3"
    np.testing.assert_array_equal(np.array(app.controls["kernel"].value), custom[1:4, 1:4])
    app.preset.value = "sobel_x"


def test_embed_kernel_rejects_an_even_kernel():
    with pytest.raises(ValueError, match="odd side"):
        embed_kernel(np.ones((2, 2)), 5)


def test_an_impossible_setting_is_a_message_not_an_exception(small_app):
    values = settings(small_app, kernel=embed_kernel(KERNELS["sobel_x"], 5), padding=0, stride=1, dilation=4,
                      pooling="none")
    with pytest.raises(ValueError, match="kernel"):
        small_app.update(**values)
    assert small_app.safe_update(**values) is False
    assert "cannot work" in small_app.message.value


def test_a_pool_larger_than_the_output_is_a_readable_error(small_app):
    with pytest.raises(ValueError, match="pooling window does not fit"):
        small_app.update(**settings(small_app, kernel=embed_kernel(KERNELS["sobel_x"], 5), padding=0, stride=4,
                                    dilation=1, pooling="max", pool_size=4))


def test_an_empty_kernel_cell_is_a_readable_error(app):
    kernel = np.array(KERNELS["sharpen"])
    kernel[1, 1] = np.nan
    with pytest.raises(ValueError, match="weight must be a number"):
        app.update(**settings(app, kernel=kernel))


def test_colour_upload_is_shown_in_grey_and_selected(app):
    rgb = np.zeros((30, 40, 3), dtype=np.uint8)
    rgb[..., 0] = 255  # pure red: luminance 0.2125
    assert app.load_upload("red.png", png_bytes(rgb))
    assert app.controls["photo"].value == "upload: red.png"
    assert "colour image of 40x30 pixels, shown in grey" in app.upload_note.value
    result = app.update(**app.current_values())
    np.testing.assert_allclose(result["image"], 0.2125, atol=1e-3)
    app.controls["photo"].value = "camera"


def test_grey_upload_keeps_its_values(app):
    grey = np.arange(0, 240, dtype=np.uint8).reshape(12, 20)
    image, note = decode_upload(png_bytes(grey), "ramp.png")
    np.testing.assert_allclose(image, grey / 255.0)
    assert note.startswith("ramp.png: a grey image of 20x12 pixels")


def test_sixteen_bit_upload_is_scaled_to_0_1():
    deep = (np.arange(100, dtype=np.uint16).reshape(10, 10) * 600)
    image, note = decode_upload(png_bytes(deep), "deep.png")
    np.testing.assert_allclose(image, deep / deep.max(), atol=1e-12)
    assert "scaled to 0..1" in note


def test_a_large_upload_is_downscaled_with_a_message():
    big = np.random.default_rng(0).integers(0, 256, (600, 1500), dtype=np.uint8)
    image, note = decode_upload(png_bytes(big), "wide.png")
    assert image.shape == (205, 512)
    assert "downscaled to 512x205" in note


def test_a_file_that_is_not_an_image_gets_a_message(app):
    before = app.controls["photo"].value
    assert not app.load_upload("notes.txt", b"this is text, not pixels")
    assert "is not an image the playground can read" in app.upload_note.value
    assert app.controls["photo"].value == before


def test_an_empty_file_gets_a_message():
    with pytest.raises(ValueError, match="is empty"):
        decode_upload(b"", "empty.png")


def test_a_damaged_image_gets_a_message():
    truncated = png_bytes(np.zeros((50, 50), dtype=np.uint8))[:60]
    with pytest.raises(ValueError, match="could not be decoded"):
        decode_upload(truncated, "cut.png")


def test_too_many_pixels_are_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(playground, "MAX_UPLOAD_PIXELS", 1000)
    with pytest.raises(ValueError, match="megapixels"):
        decode_upload(png_bytes(np.zeros((40, 40), dtype=np.uint8)), "many.png")


def test_a_too_large_file_is_refused(monkeypatch):
    monkeypatch.setattr(playground, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(ValueError, match="MB"):
        decode_upload(png_bytes(np.random.default_rng(0).integers(0, 256, (40, 40), dtype=np.uint8)), "big.png")


def test_a_tiny_image_is_refused():
    with pytest.raises(ValueError, match="at least 8 pixels"):
        decode_upload(png_bytes(np.zeros((4, 30), dtype=np.uint8)), "tiny.png")


def test_the_upload_widget_value_is_handled(app):
    content = memoryview(png_bytes(np.full((16, 16), 128, dtype=np.uint8)))  # what ipywidgets 8 delivers
    app._on_upload({"new": ({"name": "grey.png", "type": "image/png", "size": len(content), "content": content},)})
    assert app.controls["photo"].value == "upload: grey.png"
    app.controls["photo"].value = "camera"
