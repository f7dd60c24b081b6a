"""cnnhelpers.data: the shipped digits and their checksum, the split, IDX files written here, and the moves."""

import gzip
import hashlib
import shutil

import numpy as np
import pytest

from cnnhelpers import data

# --- the shipped 5,000 digits ---------------------------------------------------------------------

def test_shipped_file_has_the_documented_checksum():
    content = (data.DATA_DIR / "mnist5k.npz").read_bytes()
    assert hashlib.sha256(content).hexdigest() == data.MNIST5K_SHA256
    readme = (data.DATA_DIR / "README.md").read_text()
    assert data.MNIST5K_SHA256 in readme


def test_load_mnist5k_gives_4000_train_and_1000_test_digits_stratified():
    digits = data.load_mnist5k()
    assert digits.x_train.shape == (4000, 28, 28) and digits.x_test.shape == (1000, 28, 28)
    assert digits.x_train.dtype == np.uint8
    assert np.bincount(digits.y_train).tolist() == [400] * 10
    assert np.bincount(digits.y_test).tolist() == [100] * 10


def test_train_and_test_together_are_the_whole_file_without_overlap():
    digits = data.load_mnist5k()
    with np.load(data.DATA_DIR / "mnist5k.npz") as archive:
        images = archive["images"]
    combined = np.concatenate([digits.x_train, digits.x_test]).reshape(5000, -1)
    assert len({row.tobytes() for row in combined}) == len({row.tobytes() for row in images.reshape(5000, -1)})
    assert sorted(row.tobytes() for row in combined) == sorted(row.tobytes() for row in images.reshape(5000, -1))


def test_split_is_reproducible_and_depends_on_the_seed():
    a, b, c = data.load_mnist5k(seed=0), data.load_mnist5k(seed=0), data.load_mnist5k(seed=1)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    assert not np.array_equal(a.x_test, c.x_test)


def test_missing_file_raises_file_not_found_with_a_way_out(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.*git checkout"):
        data.load_mnist5k(tmp_path / "mnist5k.npz")


def test_corrupt_file_raises_value_error_naming_the_checksum(tmp_path):
    copy = tmp_path / "mnist5k.npz"
    shutil.copy(data.DATA_DIR / "mnist5k.npz", copy)
    content = bytearray(copy.read_bytes())
    content[len(content) // 2] ^= 0xFF  # one flipped byte
    copy.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="damaged or was changed: its SHA-256"):
        data.load_mnist5k(copy)


def test_truncated_file_is_reported_as_damaged(tmp_path):
    copy = tmp_path / "mnist5k.npz"
    copy.write_bytes((data.DATA_DIR / "mnist5k.npz").read_bytes()[:1000])
    with pytest.raises(ValueError, match="damaged"):
        data.load_mnist5k(copy)


# --- stratified split -------------------------------------------------------------------------------

def test_stratified_split_uses_largest_remainders_for_uneven_classes():
    labels = np.array([0] * 5 + [1] * 3 + [2] * 2)  # shares of 4 test items: 2.0, 1.2, 0.8
    train, test = data.stratified_split(labels, 4)
    assert np.bincount(labels[test], minlength=3).tolist() == [2, 1, 1]
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(10))


def test_stratified_split_rejects_impossible_test_size():
    with pytest.raises(ValueError, match="test_size"):
        data.stratified_split(np.array([0, 1, 1]), 3)


# --- IDX files ---------------------------------------------------------------------------------------

def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """The IDX format written by hand: 0, 0, type code, rank, big-endian sizes, big-endian values."""
    header = bytes([0, 0, code, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def test_read_idx_reads_uint8_images(tmp_path):
    images = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)
    (tmp_path / "x-idx3-ubyte").write_bytes(idx_bytes(images, 0x08))
    np.testing.assert_array_equal(data.read_idx(tmp_path / "x-idx3-ubyte"), images)


def test_read_idx_reads_gzip_and_big_endian_int32(tmp_path):
    values = np.array([[1, -2, 70000], [3, 4, -5]], dtype=np.int32)
    (tmp_path / "v.gz").write_bytes(gzip.compress(idx_bytes(values, 0x0C)))
    result = data.read_idx(tmp_path / "v.gz")
    np.testing.assert_array_equal(result, values)
    assert result.dtype.isnative


def test_read_idx_rejects_a_file_that_is_not_idx(tmp_path):
    (tmp_path / "bad").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(ValueError, match="not an IDX file"):
        data.read_idx(tmp_path / "bad")


def test_read_idx_rejects_truncated_data(tmp_path):
    (tmp_path / "short").write_bytes(idx_bytes(np.zeros((2, 3, 3), np.uint8), 0x08)[:-1])
    with pytest.raises(ValueError, match=r"announces shape \(2, 3, 3\)"):
        data.read_idx(tmp_path / "short")


def test_load_mnist_idx_finds_train_and_test_files_in_either_spelling(tmp_path):
    generator = np.random.default_rng(0)
    train_x, train_y = generator.integers(0, 256, (4, 28, 28), dtype=np.uint8), np.array([3, 1, 4, 1], np.uint8)
    test_x, test_y = generator.integers(0, 256, (2, 28, 28), dtype=np.uint8), np.array([5, 9], np.uint8)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(train_x, 0x08)))
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(train_y, 0x08)))
    (tmp_path / "t10k-images.idx3-ubyte").write_bytes(idx_bytes(test_x, 0x08))
    (tmp_path / "t10k-labels.idx1-ubyte").write_bytes(idx_bytes(test_y, 0x08))
    images, labels = data.load_mnist_idx(tmp_path, "train")
    np.testing.assert_array_equal(images, train_x)
    assert labels.tolist() == [3, 1, 4, 1]
    images, labels = data.load_mnist_idx(tmp_path, "test")
    np.testing.assert_array_equal(images, test_x)
    assert labels.tolist() == [5, 9]


def test_load_mnist_idx_names_the_files_it_looked_for(tmp_path):
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte.gz"):
        data.load_mnist_idx(tmp_path, "test")


def test_load_mnist_idx_rejects_mismatched_counts(tmp_path):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(np.zeros((3, 2, 2), np.uint8), 0x08))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(2, np.uint8), 0x08))
    with pytest.raises(ValueError, match="3 train images but 2 labels"):
        data.load_mnist_idx(tmp_path)


# --- moving digits ---------------------------------------------------------------------------------------

def shifted(image, dy, dx):
    """Reference: move content down by dy and right by dx, zeros where nothing comes in."""
    out = np.zeros_like(image)
    height, width = image.shape
    for i in range(height):
        for j in range(width):
            if 0 <= i - dy < height and 0 <= j - dx < width:
                out[i, j] = image[i - dy, j - dx]
    return out


def test_random_shifts_moves_each_image_by_at_most_max_shift():
    images = np.random.default_rng(0).random((20, 1, 6, 6)).astype(np.float32)
    before = images.copy()
    out = data.random_shifts(images, np.random.default_rng(1), max_shift=2)
    np.testing.assert_array_equal(images, before)  # input untouched
    moves = set()
    for original, moved in zip(images[:, 0], out[:, 0], strict=True):
        found = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                 if np.array_equal(shifted(original, dy, dx), moved)]
        assert len(found) == 1
        moves.add(found[0])
    assert len(moves) > 5  # really random


def test_shift_and_rotate_by_whole_pixels_is_a_plain_shift():
    image = np.random.default_rng(0).random((7, 7))
    np.testing.assert_allclose(data.shift_and_rotate(image, dx=2, dy=-1), shifted(image, -1, 2), atol=1e-12)


def test_shift_and_rotate_by_90_degrees_turns_anticlockwise():
    image = np.random.default_rng(0).random((6, 6))
    np.testing.assert_allclose(data.shift_and_rotate(image, angle=90), np.rot90(image), atol=1e-12)


def test_to_batch_scales_uint8_to_unit_interval():
    batch = data.to_batch(np.array([[[0, 255]]], np.uint8))
    assert batch.shape == (1, 1, 1, 2) and batch.dtype == np.float32
    assert batch.ravel().tolist() == [0.0, 1.0]
