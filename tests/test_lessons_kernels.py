"""cnnhelpers.lessons.kernels: notebook 01's computations (neighbour correlation, the convolution
matrix, equivariance), its figures and the weighted-sum stepper.

Computations are compared with SciPy or loops written here; figures are checked by what they show."""


import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.signal

import cnnhelpers as ch
from cnnhelpers import correlate2d, kernels
from cnnhelpers.costs import OperationCost, convolution_costs
from cnnhelpers.images import lines_and_corner, load_image, shift
from cnnhelpers.lessons.kernels import (
    WeightedSumStepper,
    convolution_matrix,
    cost_table,
    detector_responses,
    equivariance_error,
    equivariance_errors,
    neighbor_correlation,
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
    _, _, products_ax, sum_ax = stepper.live.figure.axes
    assert [text.get_visible() for text in products_ax.texts] == [True] * 4 + [False] * 5
    assert [text.get_text() for text in sum_ax.texts] == ["-4"]  # -3 + 0 + 1 - 2
    assert stepper.live.figure.get_suptitle() == "3·(-1) + 2·0 + 1·1 + 1·(-2) = -4"


def test_stepper_rejects_more_steps_than_products():
    with pytest.raises(ValueError, match="steps must be an int from 0 to 9; got 10"):
        WeightedSumStepper(LECTURE_PATCH, kernels.sobel_x).update(steps=10)


def test_weighted_sum_title_spells_out_the_lectures_sum():
    fig = show_weighted_sum(LECTURE_PATCH, kernels.sobel_x)
    assert fig.get_suptitle() == "3·(-1) + 2·0 + 1·1 + 1·(-2) + 2·0 + 3·2 + 1·(-1) + 1·0 + 1·1 = 2"


def test_weighted_sum_rejects_shapes_that_differ():
    with pytest.raises(ValueError, match="patch must have the kernel's shape"):
        show_weighted_sum(np.ones((2, 3)), kernels.sobel_x)


def test_detector_responses_are_padded_correlations_and_the_corner_peaks_at_the_square():
    image = lines_and_corner(12)
    detectors = {"vertical_line": kernels.vertical_line, "corner": kernels.corner}
    responses = detector_responses(image, detectors)
    padded = np.pad(image, 1)
    expected = np.array([[np.sum(padded[i:i + 3, j:j + 3] * kernels.corner) for j in range(12)] for i in range(12)])
    np.testing.assert_array_equal(responses["corner"], expected)
    assert [tuple(p) for p in np.argwhere(responses["corner"] == responses["corner"].max())] == [(6, 6)]


def test_detector_figure_titles_give_each_maximum_and_where_it_is():
    image = lines_and_corner(12)
    fig = show_detector_responses(image, {"corner": kernels.corner})
    peak = detector_responses(image, {"corner": kernels.corner})["corner"].max()
    assert [ax.get_title() for ax in fig.axes] == ["input", f"corner: max {peak:g} at 1 pixel"]


def test_convolution_matrix_figure_rejects_a_vector():
    with pytest.raises(ValueError, match="matrix must be 2-D"):
        show_convolution_matrix(np.ones(4))


def test_equivariance_figure_reports_zero_for_a_shift_inside_the_margin():
    image = np.random.default_rng(1).random((32, 32))
    fig = show_equivariance(image, lambda x: correlate2d(x, kernels.sobel_x, padding="same"),
                            lambda x: shift(x, (2, 2)), margin=4)
    assert fig.get_suptitle() == "transform: relative difference 0 (inside a 4-pixel border)"


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


def test_neighbor_correlation_matches_a_pearson_formula_written_out():
    image = np.random.default_rng(4).random((6, 9)).cumsum(axis=1)  # a random walk along rows: correlated
    for distance in (1, 3):
        a, b = image[:, :-distance].ravel(), image[:, distance:].ravel()
        a, b = a - a.mean(), b - b.mean()
        pearson = np.sum(a * b) / np.sqrt(np.sum(a**2) * np.sum(b**2))
        assert neighbor_correlation(image, [distance])[0] == pytest.approx(pearson)


def test_neighbor_correlation_of_a_photo_falls_with_distance():
    near, far = neighbor_correlation(load_image("camera", size=128), [1, 40])
    assert near > 0.8 > far


def test_neighbor_correlation_rejects_a_distance_beyond_the_width():
    with pytest.raises(ValueError, match="distances must be at most W - 2 = 3"):
        neighbor_correlation(np.ones((3, 5)), [4])


def test_cost_table_is_aligned_with_thousands_separators():
    table = cost_table({"a": OperationCost(1, 2000, 3), "long name": OperationCost(40, 5, 6)})
    assert table.splitlines() == [
        "           stored floats  multiplications  additions  operations",
        "a                      1            2,000          3       2,003",
        "long name             40                5          6          11",
    ]


@pytest.mark.parametrize("kwargs", [dict(), dict(padding=1), dict(stride=2, padding=2),
                                    dict(dilation=2, padding="same"), dict(padding="full")])
def test_costs_sparse_count_is_the_non_zeros_of_the_matrix(kwargs):
    kernel = np.arange(1.0, 10.0).reshape(3, 3)  # no zero weights: non-zeros = taps on real pixels
    matrix = convolution_matrix((7, 6), kernel, **kwargs)
    costs = convolution_costs((7, 6), 3, **kwargs)
    assert costs["sparse matrix"].stored_floats == np.count_nonzero(matrix)
    assert costs["dense matrix"].stored_floats == matrix.size


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


def test_flip_figure_titles_say_what_is_shown_a_response_to_one_bright_pixel():
    from cnnhelpers.lessons.kernels import IMPULSE_TITLES, show_impulse_responses

    fig = show_impulse_responses(np.arange(1, 10).reshape(3, 3))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[2:] == [IMPULSE_TITLES["correlation"], IMPULSE_TITLES["convolution"]]
    assert all("response to one bright pixel" in title for title in titles[2:])
    assert "flipped" in titles[2] and "as it is" in titles[3]
    correlation_grid = fig.axes[2].images[0].get_array()
    np.testing.assert_array_equal(correlation_grid[1:4, 1:4], np.arange(1, 10).reshape(3, 3)[::-1, ::-1])
    plt.close(fig)


def test_stepper_title_fits_over_its_single_cell():
    stepper = WeightedSumStepper(np.ones((3, 3)), kernels.sobel_x)
    stepper.update(steps=4)
    sum_ax = stepper.live.figure.axes[3]
    renderer = stepper.live.figure.canvas.get_renderer()
    stepper.live.figure.canvas.draw()
    title = sum_ax.title.get_window_extent(renderer)
    figure_width = stepper.live.figure.bbox.width
    assert "running" in sum_ax.get_title() and title.x1 <= figure_width  # not clipped at the right edge


# -- Build it: a 1-D signal, and correlate2d timed ----------------------------------------------------------------


def test_the_stock_prices_are_a_daily_signal_from_matplotlib():
    from cnnhelpers.lessons.kernels import load_stock_prices

    dates, prices = load_stock_prices()
    assert dates.shape == prices.shape == (1047,)
    assert np.all(np.diff(dates) >= np.timedelta64(1, "D"))  # one sample per trading day, in order
    assert prices.dtype == float and np.all(prices > 0)


def test_gaussian_kernels_smooth_and_differentiate():
    from cnnhelpers.lessons.kernels import gaussian_1d

    bell, slope = gaussian_1d(2.0), gaussian_1d(2.0, derivative=True)
    assert bell.shape == slope.shape == (13,)
    assert bell.sum() == pytest.approx(1) and np.allclose(bell, bell[::-1]) and bell.argmax() == 6
    ramp = 3.0 * np.arange(40.0) + 5  # rising by 3 per sample
    np.testing.assert_allclose(np.correlate(ramp, slope, mode="valid"), 3.0)  # cross-correlation: no flip
    np.testing.assert_allclose(np.correlate(ramp, bell, mode="valid"), ramp[6:-6])  # a line stays a line
    with pytest.raises(ValueError, match="sigma"):
        gaussian_1d(0)


def test_the_signal_figure_draws_each_output_under_its_windows_centre():
    from cnnhelpers.lessons.kernels import show_filtered_signal

    signal = np.arange(30.0) ** 2
    days = np.arange(30)
    fig = show_filtered_signal(days, signal, {"box": np.ones(5) / 5}, {"slope": [-0.5, 0, 0.5]})
    top, bottom = fig.axes[:2]
    raw, box = top.lines
    np.testing.assert_array_equal(raw.get_ydata(), signal)
    np.testing.assert_allclose(box.get_ydata(), np.convolve(signal, np.ones(5) / 5, mode="valid"))
    np.testing.assert_array_equal(box.get_xdata(), days[2:-2])  # the centre of each 5-day window
    slope = bottom.lines[0]
    np.testing.assert_allclose(slope.get_ydata(), 2 * days[1:-1])  # d(t^2)/dt = 2t, at the window's centre
    plt.close(fig)


def test_timing_stands_in_for_unwritten_functions_and_says_so(capsys):
    from cnnhelpers.lessons.kernels import time_correlate2d

    def unwritten(image, kernel):
        raise NotImplementedError

    seconds = time_correlate2d(unwritten, lambda image, kernel: correlate2d(image, kernel), np.ones((12, 12)),
                               np.ones((3, 3)), repeat=1)
    assert set(seconds) == {"loops", "vectorised"} and all(value > 0 for value in seconds.values())
    printed = capsys.readouterr().out
    assert "not written yet: timing the model solution" in printed and "yours" in printed
