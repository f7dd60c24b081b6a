"""cnnhelpers.costs: parameter counts, operation counts and median_seconds."""

import numpy as np
import pytest

from cnnhelpers import costs
from cnnhelpers.costs import OperationCost, conv_parameters, convolution_costs, dense_parameters, median_seconds


def test_dense_parameters_of_the_lectures_mnist_layer():
    assert dense_parameters((28, 28)) == (28 * 28) ** 2 == 614_656


def test_dense_parameters_of_the_lectures_color_layer_is_150528_squared():
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


def test_costs_match_the_lectures_edge_detection_table():
    costs = convolution_costs((280, 320), (1, 2))
    assert costs["convolution"] == OperationCost(2, 2 * 319 * 280, 319 * 280)
    assert costs["convolution"].operations == 319 * 280 * 3 == 267_960
    assert costs["dense matrix"].stored_floats == 320 * 280 * 319 * 280 == 8_003_072_000
    assert costs["dense matrix"].operations > 16e9
    assert costs["sparse matrix"].stored_floats == 2 * 319 * 280
    assert costs["sparse matrix"].operations == costs["convolution"].operations


def test_costs_count_additions_as_one_less_than_terms_per_output():
    costs = convolution_costs((5, 5), 3)  # 3x3 outputs, 9 terms each
    assert costs["convolution"].additions == 9 * 8
    assert costs["dense matrix"].additions == 9 * 24


def test_costs_reject_a_kernel_larger_than_the_image():
    with pytest.raises(ValueError, match="larger than the padded input"):
        convolution_costs((2, 2), 3)


def test_median_seconds_calls_warm_up_plus_repeat_times_number():
    calls = []
    median_seconds(calls.append, 1, repeat=3, number=4)
    assert len(calls) == 1 + 3 * 4


def test_median_seconds_is_the_median_of_the_rounds_per_call(monkeypatch):
    clock = iter([0.0, 2.0, 10.0, 11.0, 20.0, 26.0])  # rounds of 2, 1 and 6 seconds: 1, 0.5 and 3 per call
    monkeypatch.setattr(costs.time, "perf_counter", lambda: next(clock))
    assert median_seconds(lambda: None, repeat=3, number=2) == 1.0


def test_median_seconds_rejects_zero_repeats():
    with pytest.raises(ValueError, match="repeat must be an int from 1 to 1,000,000; got 0"):
        median_seconds(np.ones, 3, repeat=0)
