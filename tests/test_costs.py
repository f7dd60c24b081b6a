"""cnnhelpers.analysis: parameter counts, cost tables, the convolution matrix, equivariance, timing."""

import numpy as np
import pytest
import scipy.signal

import cnnhelpers as ch
from cnnhelpers import kernels
from cnnhelpers.analysis import (
    OperationCost,
    conv_parameters,
    convolution_costs,
    convolution_matrix,
    cost_table,
    dense_parameters,
    equivariance_error,
    equivariance_errors,
    median_seconds,
    neighbour_correlation,
)
from cnnhelpers.images import shift


def naive_correlate(image, kernel, stride=1, pad=0):
    """out[i, j] = sum_uv padded[i*s + u, j*s + v] * kernel[u, v], one loop per index."""
    padded = np.pad(np.asarray(image, float), pad)
    kh, kw = np.shape(kernel)
    oh, ow = (padded.shape[0] - kh) // stride + 1, (padded.shape[1] - kw) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            for u in range(kh):
                for v in range(kw):
                    out[i, j] += padded[i * stride + u, j * stride + v] * kernel[u][v]
    return out


# --- neighbour_correlation ----------------------------------------------------------------------

def test_neighbour_correlation_matches_a_pearson_formula_written_out():
    image = np.random.default_rng(4).random((6, 9)).cumsum(axis=1)  # a random walk along rows: correlated
    for distance in (1, 3):
        a, b = image[:, :-distance].ravel(), image[:, distance:].ravel()
        a, b = a - a.mean(), b - b.mean()
        pearson = np.sum(a * b) / np.sqrt(np.sum(a**2) * np.sum(b**2))
        assert neighbour_correlation(image, [distance])[0] == pytest.approx(pearson)


def test_neighbour_correlation_of_a_photo_falls_with_distance():
    from cnnhelpers.images import load_image
    near, far = neighbour_correlation(load_image("camera", size=128), [1, 40])
    assert near > 0.8 > far


def test_neighbour_correlation_rejects_a_distance_beyond_the_width():
    with pytest.raises(ValueError, match="distances must be at most W - 2 = 3"):
        neighbour_correlation(np.ones((3, 5)), [4])


# --- parameter counts ---------------------------------------------------------------------------

def test_dense_parameters_of_the_lectures_mnist_layer():
    assert dense_parameters((28, 28)) == (28 * 28) ** 2 == 614_656


def test_dense_parameters_of_the_lectures_colour_layer_is_150528_squared():
    # The slide says 224*224*3 = 1,101,760; it is 150,528.
    assert dense_parameters((224, 224, 3)) == 150_528 ** 2 == 22_658_678_784


def test_dense_parameters_with_output_size_and_bias():
    assert dense_parameters(784, 10, bias=True) == 784 * 10 + 10


def test_dense_parameters_is_an_exact_python_int_for_huge_layers():
    count = dense_parameters((4096, 4096, 3))
    assert isinstance(count, int) and count == (4096 * 4096 * 3) ** 2


def test_dense_parameters_rejects_a_zero_size():
    with pytest.raises(ValueError, match="input_shape must contain sizes >= 1"):
        dense_parameters((28, 0))


def test_dense_parameters_rejects_a_float_size():
    with pytest.raises(TypeError, match="output_shape must be an int or a tuple of ints"):
        dense_parameters(10, 2.5)


def test_conv_parameters_single_kernel_and_bank():
    assert conv_parameters(3) == 9
    assert conv_parameters((1, 3)) == 3
    assert conv_parameters(5, in_channels=3, out_channels=16, bias=True) == 5 * 5 * 3 * 16 + 16


def test_conv_parameters_rejects_zero_channels():
    with pytest.raises(ValueError, match="in_channels must be >= 1"):
        conv_parameters(3, in_channels=0)


# --- convolution_costs and cost_table ------------------------------------------------------------

def test_costs_match_the_lectures_edge_detection_table():
    costs = convolution_costs((280, 320), (1, 2))
    assert costs["convolution"] == OperationCost(2, 2 * 319 * 280, 319 * 280)
    assert costs["convolution"].operations == 319 * 280 * 3 == 267_960
    assert costs["dense matrix"].stored_floats == 320 * 280 * 319 * 280 == 8_003_072_000
    assert costs["dense matrix"].operations > 16e9
    assert costs["sparse matrix"].stored_floats == 2 * 319 * 280
    assert costs["sparse matrix"].operations == costs["convolution"].operations


@pytest.mark.parametrize("kwargs", [dict(), dict(padding=1), dict(stride=2, padding=2),
                                    dict(dilation=2, padding="same"), dict(padding="full")])
def test_costs_sparse_count_is_the_non_zeros_of_the_matrix(kwargs):
    kernel = np.arange(1.0, 10.0).reshape(3, 3)  # no zero weights: non-zeros = taps on real pixels
    matrix = convolution_matrix((7, 6), kernel, **kwargs)
    costs = convolution_costs((7, 6), 3, **kwargs)
    assert costs["sparse matrix"].stored_floats == np.count_nonzero(matrix)
    assert costs["dense matrix"].stored_floats == matrix.size


def test_costs_count_additions_as_one_less_than_terms_per_output():
    costs = convolution_costs((5, 5), 3)  # 3x3 outputs, 9 terms each
    assert costs["convolution"].additions == 9 * 8
    assert costs["dense matrix"].additions == 9 * 24


def test_costs_reject_a_kernel_larger_than_the_image():
    with pytest.raises(ValueError, match="larger than the padded input"):
        convolution_costs((2, 2), 3)


def test_cost_table_is_aligned_with_thousands_separators():
    table = cost_table({"a": OperationCost(1, 2000, 3), "long name": OperationCost(40, 5, 6)})
    assert table.splitlines() == [
        "           stored floats  multiplications  additions  operations",
        "a                      1            2,000          3       2,003",
        "long name             40                5          6          11",
    ]


# --- convolution_matrix ------------------------------------------------------------------------

@pytest.mark.parametrize("stride, pad", [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2)])
def test_convolution_matrix_times_image_is_the_correlation(stride, pad):
    rng = np.random.default_rng(5)
    image, kernel = rng.normal(size=(7, 8)), rng.normal(size=(3, 2))
    matrix = convolution_matrix(image.shape, kernel, stride=stride, padding=pad)
    expected = naive_correlate(image, kernel, stride, pad)
    np.testing.assert_allclose(matrix @ image.ravel(), expected.ravel(), atol=1e-12)


def test_convolution_matrix_with_dilation_matches_scipy_on_a_dilated_kernel():
    rng = np.random.default_rng(6)
    image, kernel = rng.normal(size=(9, 9)), rng.normal(size=(3, 3))
    dilated = np.zeros((5, 5))
    dilated[::2, ::2] = kernel
    expected = scipy.signal.correlate2d(image, dilated, mode="valid")
    matrix = convolution_matrix(image.shape, kernel, dilation=2)
    np.testing.assert_allclose(matrix @ image.ravel(), expected.ravel(), atol=1e-12)


def test_convolution_matrix_of_the_edge_kernel_has_two_nonzeros_per_row():
    matrix = convolution_matrix((4, 5), [[-1, 1]])
    assert matrix.shape == (4 * 4, 4 * 5)
    assert (np.count_nonzero(matrix, axis=1) == 2).all()


def test_convolution_matrix_keeps_float32():
    assert convolution_matrix((4, 4), np.ones((2, 2), np.float32)).dtype == np.float32


def test_convolution_matrix_refuses_a_matrix_above_max_entries():
    with pytest.raises(ValueError, match="8,003,072,000 entries"):
        convolution_matrix((280, 320), [[-1, 1]])


def test_convolution_matrix_rejects_a_1d_kernel():
    with pytest.raises(ValueError, match="kernel must be 2-D"):
        convolution_matrix((4, 4), [1, 2, 3])


# --- equivariance_error -----------------------------------------------------------------------

def sobel_same(image):
    return ch.correlate2d(image, kernels.sobel_x, padding="same")


def test_correlation_is_shift_equivariant_away_from_the_border():
    image = np.random.default_rng(7).random((40, 40))
    assert equivariance_error(sobel_same, lambda x: shift(x, (3, -2)), image, margin=4) == 0.0


def test_shift_equivariance_fails_at_the_border_without_margin():
    image = np.random.default_rng(7).random((40, 40))
    assert equivariance_error(sobel_same, lambda x: shift(x, (3, -2)), image) > 0.1


def test_sobel_is_not_rotation_equivariant_but_the_laplacian_is_for_90_degrees():
    image = np.random.default_rng(8).random((30, 30))
    laplacian = lambda x: ch.correlate2d(x, kernels.laplacian, padding="same")  # noqa: E731
    assert equivariance_error(sobel_same, np.rot90, image) > 0.5
    assert equivariance_error(laplacian, np.rot90, image) < 1e-12


def test_equivariance_error_is_relative_to_the_output():
    image = np.zeros((5, 5))
    image[2, 2] = 1.0
    # operation doubles; transform adds 1: 2(x+1) vs 2x+1 differ by 1, reference max is 3
    assert equivariance_error(lambda x: 2 * x, lambda x: x + 1, image) == pytest.approx(1 / 3)


def test_equivariance_error_rejects_shapes_that_differ():
    with pytest.raises(ValueError, match="must be equal"):
        equivariance_error(np.transpose, lambda x: x[1:], np.ones((8, 8)))


def test_equivariance_error_rejects_a_margin_that_leaves_nothing():
    with pytest.raises(ValueError, match="margin must leave pixels"):
        equivariance_error(lambda x: x, lambda x: x, np.ones((6, 6)), margin=3)


def test_equivariance_errors_fills_the_table_with_single_measurements():
    image = np.random.default_rng(9).random((20, 20))
    named = {"sobel_x": kernels.sobel_x, "laplacian": kernels.laplacian}
    transforms = {"rotate": np.rot90, "shift": lambda x: shift(x, (1, 2))}
    table = equivariance_errors(image, named, transforms, margin=3)
    for name, kernel in named.items():
        for label, transform in transforms.items():
            single = equivariance_error(lambda x, k=kernel: ch.correlate2d(x, k, padding="same"), transform, image,
                                        margin=3)
            assert table[name][label] == single


# --- median_seconds ----------------------------------------------------------------------------

def test_median_seconds_calls_warm_up_plus_repeat_times_number():
    calls = []
    median_seconds(calls.append, 1, repeat=3, number=4)
    assert len(calls) == 1 + 3 * 4


def test_median_seconds_returns_a_non_negative_float():
    assert median_seconds(np.ones, 3) >= 0.0


def test_median_seconds_rejects_zero_repeats():
    with pytest.raises(ValueError, match="repeat must be >= 1"):
        median_seconds(np.ones, 3, repeat=0)
