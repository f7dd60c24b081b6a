"""Bad calls outside the core (nn, data, images, playground uploads): a clear ValueError or TypeError.

Each message names the argument, what was expected and what was given. Calls that were once
refused or silently wrong but are legal (NumPy scalars and 0-d arrays wherever a Python number is
accepted) are checked to work, with the right values.
"""

import gzip
import struct

import numpy as np
import pytest

from cnnhelpers import data, images, nn
from cnnhelpers.lessons import playground

X = np.zeros((3, 1, 4, 4), np.float32)
Y = np.array([0, 1, 0])


def model():
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 2, rng=0))


def params():
    return model().parameters()


def fit(**changes):
    m = model()
    arguments = {"optimizer": nn.SGD(m.parameters(), lr=0.1), "epochs": 1, "batch_size": 2, "progress": False,
                 **changes}
    return nn.fit(m, arguments.pop("x", X), arguments.pop("y", Y), **arguments)


BAD_CALLS = [
    # (call, expected exception, words the message must contain)
    # -- nn: empty batches, sizes, order of calls
    (lambda: fit(x=np.zeros((0, 1, 4, 4)), y=np.zeros(0, int)), ValueError, ["x", "at least one example"]),
    (lambda: nn.evaluate(model(), np.zeros((0, 1, 4, 4)), np.zeros(0, int)), ValueError,
     ["x", "at least one example"]),
    (lambda: fit(batch_size=0), ValueError, ["batch_size", "positive int", "0"]),
    (lambda: fit(epochs=1.5), TypeError, ["epochs", "int", "1.5"]),
    (lambda: nn.predict(model(), X, batch_size=0), ValueError, ["batch_size", "positive int", "0"]),
    (lambda: nn.Linear(3, 2).backward(np.ones((1, 2))), ValueError, ["Linear", "backward", "before forward"]),
    (lambda: nn.Conv2d(1, 1, 3).backward(np.ones((1, 1, 2, 2))), ValueError, ["Conv2d", "before forward"]),
    (lambda: nn.MaxPool2d(2).backward(np.ones((1, 1, 2, 2))), ValueError, ["MaxPool2d", "before forward"]),
    (lambda: nn.Flatten().backward(np.ones((1, 2))), ValueError, ["Flatten", "before forward"]),
    (lambda: nn.ReLU().backward(np.ones((1, 2))), ValueError, ["ReLU", "before forward"]),
    (lambda: model().backward(np.ones((3, 2))), ValueError, ["before forward"]),
    (lambda: _after_forward(nn.Linear(16, 2), np.zeros((3, 16))).backward(np.ones((4, 2))), ValueError,
     ["grad_out", "(3, 2)", "(4, 2)"]),
    # -- nn: optimizers
    (lambda: nn.Adam(params(), betas=(0.9,)), ValueError, ["betas", "pair", "(0.9,)"]),
    (lambda: nn.Adam(params(), betas=0.9), TypeError, ["betas", "pair", "0.9"]),
    (lambda: nn.SGD(params(), lr=float("nan")), ValueError, ["lr", "finite", "nan"]),
    (lambda: nn.SGD(params(), lr=float("inf")), ValueError, ["lr", "finite", "inf"]),
    (lambda: nn.SGD(params(), lr=-0.1), ValueError, ["lr", ">= 0", "-0.1"]),
    (lambda: nn.SGD(params(), lr="0.1"), TypeError, ["lr", "number", "'0.1'"]),
    (lambda: nn.SGD(params(), momentum=1.0), ValueError, ["momentum", "[0, 1)", "1.0"]),
    (lambda: nn.Adam(params(), betas=(float("nan"), 0.9)), ValueError, ["betas[0]", "nan"]),
    (lambda: nn.Adam(params(), eps=float("nan")), ValueError, ["eps", "nan"]),
    (lambda: nn.SGD([], lr=0.1), TypeError, ["params", "non-empty"]),
    # -- nn: what a model accepts
    (lambda: model().forward(X.astype(complex)), TypeError, ["x", "real numbers", "complex"]),
    (lambda: model().forward(np.full((3, 1, 4, 4), "a")), TypeError, ["x", "real numbers", "<U1"]),
    (lambda: model().forward(np.empty((3, 1, 4, 4), object)), TypeError, ["x", "real numbers", "object"]),
    (lambda: model().forward(np.ma.masked_array(X, mask=X == 0)), TypeError, ["x", "masked", "filled"]),
    (lambda: model().forward("abc"), TypeError, ["x", "real numbers"]),
    (lambda: nn.Flatten().forward(3.0), ValueError, ["Flatten", "batch", "0-D"]),
    (lambda: nn.Dropout().forward("abc"), TypeError, ["Dropout", "real numbers"]),
    (lambda: nn.MaxPool2d(2, padding=3), ValueError, ["padding", "half", "kernel_size"]),
    (lambda: nn.AvgPool2d((2, 4), padding=(1, 3)), ValueError, ["padding", "half", "kernel_size"]),
    (lambda: nn.Dropout(1.0), ValueError, ["p", "[0, 1)", "1.0"]),
    (lambda: nn.Dropout(float("nan")), ValueError, ["p", "nan"]),
    (lambda: nn.Dropout("0.5"), TypeError, ["p", "number", "'0.5'"]),
    (lambda: nn.Conv2d(1, 10**9, 3), ValueError, ["Conv2d", "weight", "GiB"]),
    (lambda: nn.Linear(10**6, 10**6), ValueError, ["Linear", "weight", "GiB"]),
    (lambda: nn.Parameter("abc"), TypeError, ["data", "real numbers"]),
    (lambda: nn.he_normal((2, 3), 0, np.random.default_rng(0)), ValueError, ["fan_in", "positive", "0"]),
    (lambda: nn.confusion_matrix([-1], [0], classes=2), ValueError, ["y_true", "0..1", "-1"]),
    (lambda: nn.confusion_matrix([0], [2], classes=2), ValueError, ["y_pred", "0..1", "2"]),
    (lambda: nn.confusion_matrix([0.5], [0], classes=2), TypeError, ["y_true", "integers", "float64"]),
    (lambda: nn.confusion_matrix([0], [0], classes=0), ValueError, ["classes", "positive int", "0"]),
    (lambda: nn.confusion_matrix([0], [0], classes=10**10), ValueError, ["classes", "GiB"]),
    (lambda: nn.softmax_cross_entropy(np.zeros((2, 3)), [0, 3]), ValueError, ["labels", "0..2", "3"]),
    (lambda: nn.gradcheck(nn.Linear(3, 2), np.ones((2, 3)), eps=0), ValueError, ["eps", "positive", "0"]),
    (lambda: nn.gradcheck(nn.Linear(3, 2), np.ones((2, 3)), max_entries=0), ValueError, ["max_entries", "0"]),
    (lambda: nn.blas_threads("two"), TypeError, ["threads", "positive int", "'two'"]),
    (lambda: fit(augment="flip"), TypeError, ["augment", "callable", "'flip'"]),
    (lambda: fit(optimizer="sgd"), TypeError, ["optimizer", "SGD or Adam", "'sgd'"]),
    (lambda: fit(validation=(X,)), ValueError, ["validation", "(x_val, y_val)"]),
    (lambda: model().summary((1, 10**6, 10**6)), ValueError, ["input_shape", "GiB"]),
    (lambda: model().summary("abc"), TypeError, ["input_shape", "tuple of positive ints"]),
    # -- data
    (lambda: data.to_batch(np.zeros((2, 28, 28), np.uint8), dtype=np.uint8), TypeError,
     ["dtype", "float32 or float64", "uint8"]),
    (lambda: data.to_batch(np.zeros((2, 28, 28), complex)), TypeError, ["images", "real numbers", "complex"]),
    (lambda: data.to_batch(np.ma.masked_array(np.zeros((1, 2, 2)))), TypeError, ["images", "masked"]),
    (lambda: data.shift_and_rotate(np.eye(3), angle=float("nan")), ValueError, ["angle", "finite", "nan"]),
    (lambda: data.shift_and_rotate(np.eye(3), dx=float("inf")), ValueError, ["dx", "finite", "inf"]),
    (lambda: data.shift_and_rotate(np.eye(3), dy="1"), TypeError, ["dy", "number", "'1'"]),
    (lambda: data.random_shifts(np.zeros((2, 4, 4)), 0), TypeError, ["rng", "Generator", "0"]),
    (lambda: data.random_shifts(np.zeros((2, 4, 4)), np.random.default_rng(0), max_shift=-1), ValueError,
     ["max_shift", ">= 0", "-1"]),
    (lambda: data.random_shifts(np.zeros((2, 4, 4)), np.random.default_rng(0), max_shift=10**9), ValueError,
     ["max_shift", "GiB"]),
    (lambda: data.random_shifts(np.zeros(4), np.random.default_rng(0)), ValueError, ["images", "(N, H, W)", "1-D"]),
    (lambda: data.stratified_split([0, 1], 1.5), TypeError, ["test_size", "int", "1.5"]),
    (lambda: data.load_mnist5k(test_size=0), ValueError, ["test_size", "0"]),
    (lambda: data.load_mnist_idx(".", kind="validation"), ValueError, ["kind", "'validation'"]),
    # -- images
    (lambda: images.load_image("camera", dtype=np.uint8), TypeError, ["dtype", "float32 or float64", "uint8"]),
    (lambda: images.load_image("camera", size=(64,)), ValueError, ["size", "(height, width)", "(64,)"]),
    (lambda: images.load_image("camera", size=0), ValueError, ["size", "positive", "0"]),
    (lambda: images.load_image("camera", size=1.5), TypeError, ["size", "int", "1.5"]),
    (lambda: images.load_image("camera", size=10**6), ValueError, ["size", "GiB"]),
    (lambda: images.load_image("dog"), ValueError, ["name", "'dog'", "camera"]),
    (lambda: images.load_image(["camera"]), ValueError, ["name", "['camera']"]),
    (lambda: images.lines_and_corner(10**6), ValueError, ["size", "GiB"]),
    (lambda: images.shift(np.ma.masked_array(np.eye(3)), (1, 0)), TypeError, ["image", "masked"]),
    (lambda: images.shift(np.eye(3), (1, 0), fill=float("nan")), ValueError, ["fill", "finite", "nan"]),
    (lambda: images.shift(np.eye(3).astype(complex), (1, 0)), TypeError, ["image", "real numbers", "complex"]),
    (lambda: images.downscale(np.full((4, 4), "a"), 2), TypeError, ["image", "real numbers"]),
]


def _after_forward(layer, x):
    layer.forward(x)
    return layer


@pytest.mark.parametrize("call, error, words", BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_call_raises_clear_error(call, error, words):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} missing from: {message}"


# -- NumPy scalars and 0-d arrays are numbers ----------------------------------------------------

NUMPY_NUMBERS = [
    lambda: nn.Dropout(np.float32(0.5)).p == 0.5,
    lambda: nn.Dropout(np.array(0.25)).p == 0.25,
    lambda: nn.SGD(params(), lr=np.float32(0.5)).lr == 0.5,
    lambda: nn.SGD(params(), lr=np.array(0.5), momentum=np.float64(0.9)).momentum == 0.9,
    lambda: nn.Adam(params(), lr=np.float64(0.01), betas=np.array([0.9, 0.99]), eps=np.float32(1e-8)).betas
    == (0.9, 0.99),
    lambda: fit(epochs=np.int64(2), batch_size=np.int32(2)).epochs == 2,
    lambda: fit(epochs=np.array(1)).epochs == 1,
    lambda: nn.Linear(np.int64(3), np.int8(2)).weight.shape == (2, 3),
    lambda: nn.Conv2d(np.int64(1), 2, np.int64(3)).weight.shape == (2, 1, 3, 3),
    lambda: nn.predict(model(), X, batch_size=np.int64(2)).shape == (3, 2),
    lambda: nn.confusion_matrix([0, 1], [1, 1], classes=np.int64(2)).tolist() == [[0, 1], [0, 1]],
    lambda: images.load_image("camera", size=np.int64(16)).shape == (16, 16),
    lambda: images.lines_and_corner(np.int64(8)).shape == (8, 8),
    lambda: data.shift_and_rotate(np.eye(3), dx=np.float32(1), angle=np.array(0.0))[0, 1] == 1,
    lambda: data.stratified_split([0, 0, 1, 1], np.int64(2))[1].size == 2,
    lambda: data.random_shifts(np.ones((2, 3, 3)), np.random.default_rng(0), max_shift=np.int64(0)).sum() == 18,
]


@pytest.mark.parametrize("call", NUMPY_NUMBERS, ids=range(len(NUMPY_NUMBERS)))
def test_numpy_scalars_are_accepted_where_numbers_are(call):
    assert call()


def test_predict_on_an_empty_batch_gives_an_empty_result_as_pytorch():
    conv_model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                               nn.Linear(8, 3, rng=0))
    assert nn.predict(conv_model, np.zeros((0, 1, 4, 4))).shape == (0, 3)
    assert nn.predict(model(), np.zeros((0, 1, 4, 4))).shape == (0, 2)


def test_a_complex_batch_was_not_silently_cast():
    """The model refuses complex input (it used to drop the imaginary part and go on)."""
    with pytest.raises(TypeError):
        model().forward(np.ones((3, 1, 4, 4)) * 1j)


# -- silently wrong answers that are now right -----------------------------------------------------

def test_to_batch_scales_uint8_to_0_1_in_float64():
    out = data.to_batch(np.array([[[0, 51], [102, 255]]], np.uint8), dtype=np.float64)
    np.testing.assert_array_equal(out[0, 0], [[0.0, 0.2], [0.4, 1.0]])


def test_load_image_size_pair_gives_that_shape():
    assert images.load_image("coins", size=(30, 40)).shape == (30, 40)


def test_integer_images_keep_their_values_after_to_batch():
    """A uint8 batch is divided by 255: the brightest pixel is 1, nothing else is clipped."""
    batch = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    assert data.to_batch(batch).max() == 1.0 and np.unique(data.to_batch(batch)).size == 256


# -- allocation guards in data -------------------------------------------------------------------

def idx_header(type_code: int, shape) -> bytes:
    return b"\x00\x00" + bytes([type_code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


def test_read_idx_checks_the_header_before_decompressing(tmp_path):
    """A gzip bomb with a wrong magic number fails at once, reading only the first bytes."""
    path = tmp_path / "bomb.gz"
    with gzip.open(path, "wb", compresslevel=1) as stream:
        stream.write(b"PK\x03\x04")  # not IDX
        chunk = bytes(2**20)
        for _ in range(64):  # 64 MB of zeros: enough to show that nothing past the header is read
            stream.write(chunk)
    with pytest.raises(ValueError, match="not an IDX file"):
        data.read_idx(path)


def test_read_idx_refuses_a_shape_whose_size_overflows(tmp_path):
    path = tmp_path / "huge-idx3-ubyte"
    path.write_bytes(idx_header(0x0D, (2**31, 2**31, 2**31)) + bytes(16))
    with pytest.raises(ValueError, match=r"header announces shape \(2147483648, 2147483648, 2147483648\)"):
        data.read_idx(path)


def test_read_idx_refuses_a_gzip_whose_content_is_longer_than_its_header_says(tmp_path):
    path = tmp_path / "long-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_header(0x08, (3,)) + bytes(10**6)))
    with pytest.raises(ValueError, match="more bytes follow"):
        data.read_idx(path)


def test_read_idx_reads_a_gzip_file_in_native_byte_order(tmp_path):
    values = np.array([[1.5, -2.0], [3.25, 0.0]], dtype=">f4")
    path = tmp_path / "floats-idx2-ubyte.gz"
    path.write_bytes(gzip.compress(idx_header(0x0D, values.shape) + values.tobytes()))
    out = data.read_idx(path)
    assert out.dtype == np.float32 and out.dtype.isnative
    np.testing.assert_array_equal(out, values)


def test_load_mnist5k_loads_the_bytes_it_verified(monkeypatch):
    """The file is read once: swapping it after the checksum cannot slip unverified data in."""
    from pathlib import Path

    reads = []
    original = Path.read_bytes

    def counting_read_bytes(self):
        reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting_read_bytes)
    monkeypatch.setattr(np, "load", _refuse_paths(np.load))
    digits = data.load_mnist5k()
    assert len(reads) == 1 and digits.x_train.shape == (4000, 28, 28)


def _refuse_paths(load):
    def load_from_memory_only(source, *args, **kwargs):
        assert not isinstance(source, (str, bytes)) and not hasattr(source, "__fspath__"), "np.load opened a path"
        return load(source, *args, **kwargs)
    return load_from_memory_only


# -- playground uploads: every bad file is a sentence, decided from the header ----------------------



def png_header_only(width: int, height: int, bit_depth: int = 8, colour_type: int = 0) -> bytes:
    """A PNG that announces ``width`` x ``height`` pixels and holds none: only the header is ever read."""
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def bmp_header_only(width: int, height: int) -> bytes:
    """The 54 bytes of a 24-bit BMP header that claims ``width`` x ``height`` pixels."""
    return b"BM" + struct.pack("<IHHI", 54, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24,
                                                                     0, 0, 0, 0, 0, 0)


def float_tiff(values) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(values, np.float32), mode="F").save(buffer, format="TIFF")
    return buffer.getvalue()


BAD_UPLOADS = [
    # (file name, content, words of the sentence)
    ("bomb.bmp", bmp_header_only(30000, 30000), ["bomb.bmp", "decompression bomb", "50 megapixels"]),
    ("huge.png", png_header_only(20000, 20000), ["huge.png", "megapixels"]),
    ("strip.png", png_header_only(6_250_000, 8), ["strip.png", "6250000x8", "16 times longer"]),
    ("tall.png", png_header_only(64, 780_000), ["tall.png", "64x780000", "longer than"]),
    ("ribbon.png", png_header_only(2_500_000, 20), ["ribbon.png", "times longer"]),
    ("deep.png", png_header_only(6000, 6000), ["deep.png", "decoding it would take", "32 MB"]),
    ("cut.png", png_header_only(100, 100), ["cut.png", "could not be decoded"]),
    ("garbage.jpg", b"\xff\xd8\xff\xe0" + bytes(100), ["garbage.jpg", "not an image the playground can read"]),
    ("empty.png", b"", ["empty.png", "is empty"]),
    ("tiny.png", png_header_only(4, 30), ["tiny.png", "at least 8 pixels"]),
]


@pytest.mark.parametrize("name, content, words", BAD_UPLOADS, ids=[case[0] for case in BAD_UPLOADS])
def test_a_bad_upload_is_a_sentence(name, content, words):
    with pytest.raises(ValueError) as info:
        playground.decode_upload(content, name)
    for word in words:
        assert word in str(info.value), f"{word!r} missing from: {info.value}"


@pytest.fixture(scope="module")
def app():
    app = playground.KernelPlayground()
    assert app.widget is not None
    return app


@pytest.mark.parametrize("name, content, words", BAD_UPLOADS[:3], ids=[case[0] for case in BAD_UPLOADS[:3]])
def test_the_widget_answers_a_bad_upload_in_words_and_keeps_its_image(app, name, content, words):
    before = app.controls["photo"].value
    assert not app.load_upload(name, content)
    assert words[1] in app.upload_note.value and app.controls["photo"].value == before


def test_nan_and_inf_pixels_are_counted_and_shown_as_holes_not_black(app):
    values = np.tile(np.linspace(0.0, 8.0, 20), (12, 1))
    values[2, 3], values[5, 5] = np.nan, np.inf
    image, note = playground.decode_upload(float_tiff(values), "holes.tif")
    assert "2 pixels are not numbers (1 NaN, 1 infinite)" in note and "0 to 8" in note
    expected = values / 8.0
    expected[5, 5] = np.nan
    np.testing.assert_allclose(image, expected, atol=1e-7)  # NaN where the holes are, the ramp elsewhere
    assert app.load_upload("holes.tif", float_tiff(values))
    result = app.update(**{**app.current_values(), "kernel": np.ones((3, 3)), "padding": 0, "stride": 1,
                           "dilation": 1, "pooling": "none"})
    holes = np.isnan(result["output"])
    assert holes[0:3, 1:4].all() and holes[3:6, 3:6].all() and holes.sum() == 18  # the 3x3 outputs touching each
    low, high = app._panels[2][1].get_clim()
    assert np.isfinite([low, high]).all() and high > 0  # colour limits from the numbers, not the holes
    app.controls["photo"].value = "camera"


def test_a_huge_kernel_weight_is_a_sentence_not_a_matplotlib_error(app):
    app.controls["photo"].value = "camera"
    app.controls["kernel"].set_kernel(np.full((3, 3), 1e308))
    assert "overflows" in app.message.value and "1e+308" in app.message.value
    assert "Axis limits" not in app.message.value
    app.controls["kernel"].set_kernel(np.zeros((3, 3)))


def test_a_kernel_larger_than_the_image_says_so_in_the_students_words(app):
    with pytest.raises(ValueError, match="a 5x5 kernel does not fit a 4x4 image with padding 0"):
        app.output_sizes(4, 4, 5, 0, 1, 1, "none", 2)
    with pytest.raises(ValueError, match=r"a 3x3 kernel \(dilated to 9x9\) does not fit a 8x12 image with padding 0"):
        app.output_sizes(8, 12, 3, 0, 1, 4, "none", 2)
