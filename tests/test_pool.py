"""cnnhelpers.pool against the plain loops of cnnhelpers.reference, finite differences and PyTorch; its
readable version (pool.max_forward, ...) against its fast path.

tests/reference.py covers what cnnhelpers.reference does not: rectangular windows, padding, average
and adaptive pooling, and the numerical gradient.
"""

import itertools

import numpy as np
import pytest
from reference import naive_adaptive_pool2d, naive_max_pool2d_backward, naive_pool2d, numerical_gradient

import cnnhelpers as ch
from cnnhelpers import pool, reference

SETTINGS = [  # kernel_size, stride, padding
    ((2, 2), (2, 2), (0, 0)),
    ((3, 3), (2, 2), (1, 1)),
    ((3, 2), (1, 2), (1, 0)),
    ((2, 3), (3, 1), (0, 1)),
]


def rng():
    return np.random.default_rng(99)


@pytest.mark.parametrize("kernel_size, stride", [(2, None), (2, 1), (3, 2), (3, None), (4, 3), (1, 1)])
def test_max_pool_and_backward_match_the_reference_loops(kernel_size, stride):
    x = rng().integers(0, 4, size=(2, 3, 9, 10)).astype(float)  # ties exercise the first-max rule
    out = ch.max_pool2d(x, kernel_size, stride)
    np.testing.assert_array_equal(out, reference.max_pool2d(x, kernel_size, stride))
    grad_out = rng().standard_normal(out.shape)
    np.testing.assert_allclose(ch.max_pool2d_backward(grad_out, x, kernel_size, stride),
                               reference.max_pool2d_backward(grad_out, x, kernel_size, stride), atol=1e-12)


@pytest.mark.parametrize("kernel_size, stride, padding", SETTINGS)
@pytest.mark.parametrize("reduce", ["max", "avg"])
def test_pooling_matches_naive_windows(kernel_size, stride, padding, reduce):
    x = rng().standard_normal((2, 3, 9, 8))
    pool = ch.max_pool2d if reduce == "max" else ch.avg_pool2d
    expected = naive_pool2d(x, kernel_size, stride, padding, reduce)
    np.testing.assert_allclose(pool(x, kernel_size, stride, padding), expected, atol=1e-12)


def test_max_pool_slide_style_grid():
    grid = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
    assert ch.max_pool2d(grid, 2).tolist() == [[6, 8], [3, 4]]
    assert ch.avg_pool2d(grid, 2).tolist() == [[3.25, 5.25], [2.0, 2.0]]


def test_stride_defaults_to_kernel_size():
    x = rng().standard_normal((7, 9))
    np.testing.assert_array_equal(ch.max_pool2d(x, 3), ch.max_pool2d(x, 3, stride=3))
    np.testing.assert_array_equal(ch.avg_pool2d(x, (2, 3)), ch.avg_pool2d(x, (2, 3), stride=(2, 3)))


@pytest.mark.parametrize("shape", [(6, 6), (3, 6, 6), (2, 3, 6, 6)])
def test_pooling_keeps_rank(shape):
    x = rng().standard_normal(shape)
    assert ch.max_pool2d(x, 2).shape == shape[:-2] + (3, 3)
    assert ch.avg_pool2d_backward(np.ones(shape[:-2] + (3, 3)), x, 2).shape == shape


def test_avg_pool_counts_padded_zeros():
    out = ch.avg_pool2d(np.ones((2, 2)), 3, stride=1, padding=1)
    assert out[0, 0] == pytest.approx(4 / 9)  # 4 ones and 5 padded zeros


def test_max_pool_padding_is_minus_infinity():
    out = ch.max_pool2d(-np.ones((2, 2)), 3, stride=1, padding=1)
    assert (out == -1).all()  # zero padding would have given 0


@pytest.mark.parametrize("kernel_size, stride, padding", SETTINGS)
def test_max_pool_backward_matches_naive_first_maximum(kernel_size, stride, padding):
    x = rng().integers(0, 3, size=(2, 2, 8, 9)).astype(float)  # many ties
    grad_out = rng().standard_normal(ch.max_pool2d(x, kernel_size, stride, padding).shape)
    np.testing.assert_allclose(ch.max_pool2d_backward(grad_out, x, kernel_size, stride, padding),
                               naive_max_pool2d_backward(grad_out, x, kernel_size, stride, padding), atol=1e-12)


def test_max_pool_backward_tie_goes_to_first_in_row_major_order():
    x = np.array([[2.0, 5.0], [5.0, 5.0]])
    assert ch.max_pool2d_backward(np.ones((1, 1)), x, 2).tolist() == [[0, 1], [0, 0]]


def test_max_pool_backward_all_minus_infinity_goes_to_first_real_pixel():
    x = np.full((2, 2), -np.inf)
    grad = ch.max_pool2d_backward(np.ones((2, 2)), x, 3, stride=1, padding=1)
    assert grad.sum() == 4 and grad[0, 0] == 4  # every window's first real pixel is (0, 0)


@pytest.mark.parametrize("kernel_size, stride, padding", SETTINGS)
def test_avg_pool_backward_matches_finite_differences(kernel_size, stride, padding):
    x = rng().standard_normal((1, 2, 7, 8))
    grad_out = rng().standard_normal(ch.avg_pool2d(x, kernel_size, stride, padding).shape)
    expected = numerical_gradient(lambda v: np.sum(grad_out * ch.avg_pool2d(v, kernel_size, stride, padding)), x)
    np.testing.assert_allclose(ch.avg_pool2d_backward(grad_out, x, kernel_size, stride, padding), expected, atol=1e-7)


def test_max_pool_backward_matches_finite_differences_without_ties():
    x = rng().permutation(64).reshape(1, 1, 8, 8).astype(float)  # distinct values: differentiable
    grad_out = rng().standard_normal((1, 1, 4, 4))
    expected = numerical_gradient(lambda v: np.sum(grad_out * ch.max_pool2d(v, 3, 2, 1)), x, eps=1e-3)
    np.testing.assert_allclose(ch.max_pool2d_backward(grad_out, x, 3, 2, 1), expected, atol=1e-6)


@pytest.mark.parametrize("shape, output_size", [((2, 3, 10, 7), (3, 4)), ((13, 5), (4, 5)), ((3, 9, 9), (1, 1)),
                                                ((1, 1, 5, 5), (8, 8)), ((4, 11, 6), (11, 6))])
@pytest.mark.parametrize("reduce", ["max", "avg"])
def test_adaptive_pooling_matches_naive_windows(shape, output_size, reduce):
    x = rng().standard_normal(shape)
    pool = ch.adaptive_max_pool2d if reduce == "max" else ch.adaptive_avg_pool2d
    out = pool(x, output_size)
    assert out.shape == shape[:-2] + output_size
    np.testing.assert_allclose(out, naive_adaptive_pool2d(x, output_size, reduce), atol=1e-12)


def test_adaptive_pooling_gives_fixed_size_for_any_input():
    for height, width in [(28, 28), (31, 17), (100, 64), (7, 7)]:
        assert ch.adaptive_avg_pool2d(np.ones((3, height, width)), 7).shape == (3, 7, 7)


def test_adaptive_pool_none_keeps_axis():
    assert ch.adaptive_max_pool2d(np.ones((2, 9, 6)), (3, None)).shape == (2, 3, 6)


def test_nan_propagates_through_max_pool():
    x = np.zeros((4, 4))
    x[0, 1] = np.nan
    out = ch.max_pool2d(x, 2)
    assert np.isnan(out[0, 0]) and not np.isnan(out[1, 1])


def test_float32_stays_float32():
    x = np.ones((1, 1, 4, 4), np.float32)
    assert ch.max_pool2d(x, 2).dtype == np.float32
    assert ch.avg_pool2d(x, 2).dtype == np.float32
    assert ch.adaptive_avg_pool2d(x, 3).dtype == np.float32
    assert ch.max_pool2d_backward(np.ones((1, 1, 2, 2), np.float32), x, 2).dtype == np.float32


@pytest.mark.parametrize("shape", [(0, 3, 8, 8), (2, 0, 8, 8)])
def test_empty_batch_or_channels(shape):
    empty = np.zeros(shape)
    out_shape = shape[:2] + (4, 4)
    for forward in (ch.max_pool2d, ch.avg_pool2d):
        out = forward(empty, 3, 2, 1)
        assert out.shape == out_shape and out.dtype == np.float64
    for backward in (ch.max_pool2d_backward, ch.avg_pool2d_backward):
        assert backward(np.zeros(out_shape), empty, 3, 2, 1).shape == shape


# --- PyTorch as an extra oracle -----------------------------------------------------------------

@pytest.mark.parametrize("kernel_size, stride, padding", SETTINGS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pooling_forward_backward_match_pytorch(kernel_size, stride, padding, dtype):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = rng().integers(0, 4, size=(2, 3, 9, 10)).astype(dtype)  # ties exercise the first-max rule
    for forward, backward, theirs in [(ch.max_pool2d, ch.max_pool2d_backward, F.max_pool2d),
                                      (ch.avg_pool2d, ch.avg_pool2d_backward, F.avg_pool2d)]:
        xt = torch.tensor(x, requires_grad=True)
        out_t = theirs(xt, kernel_size, stride, padding)
        grad_out = rng().standard_normal(tuple(out_t.shape)).astype(dtype)
        (out_t * torch.tensor(grad_out)).sum().backward()
        np.testing.assert_allclose(forward(x, kernel_size, stride, padding), out_t.detach().numpy(), rtol=1e-6)
        np.testing.assert_allclose(backward(grad_out, x, kernel_size, stride, padding), xt.grad.numpy(),
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("output_size", [(3, 4), (5, 5), (1, 2), (9, 12)])
def test_adaptive_pooling_matches_pytorch(output_size):
    torch = pytest.importorskip("torch")
    x = rng().standard_normal((2, 3, 9, 11))
    xt = torch.tensor(x)
    np.testing.assert_allclose(ch.adaptive_avg_pool2d(x, output_size),
                               torch.nn.functional.adaptive_avg_pool2d(xt, output_size).numpy(), atol=1e-12)
    np.testing.assert_allclose(ch.adaptive_max_pool2d(x, output_size),
                               torch.nn.functional.adaptive_max_pool2d(xt, output_size).numpy(), atol=1e-12)


@pytest.mark.parametrize("kernel_size, stride", [(2, 2), (3, 1)])
def test_max_pool_backward_with_nan_follows_pytorch(kernel_size, stride):
    torch = pytest.importorskip("torch")
    x = rng().standard_normal((1, 2, 6, 6))
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = np.nan  # two NaNs in one window: PyTorch sends the gradient to the last
    x[0, 1, 3, 3] = np.nan
    xt = torch.tensor(x, requires_grad=True)
    out_t = torch.nn.functional.max_pool2d(xt, kernel_size, stride)
    grad_out = rng().standard_normal(tuple(out_t.shape))
    (out_t * torch.tensor(grad_out)).sum().backward()
    np.testing.assert_array_equal(np.isnan(ch.max_pool2d(x, kernel_size, stride)), np.isnan(out_t.detach().numpy()))
    np.testing.assert_allclose(ch.max_pool2d_backward(grad_out, x, kernel_size, stride), xt.grad.numpy(), atol=1e-12)


# --- the idea (window view and a reduction) is the fast path's algorithm ---------------------------

@pytest.mark.parametrize("kernel_size, stride, padding", SETTINGS)
def test_readable_pooling_matches_the_fast_path(kernel_size, stride, padding):
    x = rng().integers(0, 4, size=(2, 3, 9, 8)).astype(float)  # ties: the first maximum wins in both
    pads = [(0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2]
    xp_max, xp_avg = np.pad(x, pads, constant_values=-np.inf), np.pad(x, pads)
    out = pool.max_forward(xp_max, kernel_size, stride)
    np.testing.assert_array_equal(out, ch.max_pool2d(x, kernel_size, stride, padding))
    np.testing.assert_allclose(pool.avg_forward(xp_avg, kernel_size, stride),
                               ch.avg_pool2d(x, kernel_size, stride, padding), atol=1e-12)
    grad_out = rng().standard_normal(out.shape)
    crop = (..., slice(padding[0], padding[0] + 9), slice(padding[1], padding[1] + 8))
    np.testing.assert_allclose(pool.max_backward(grad_out, xp_max, kernel_size, stride)[crop],
                               ch.max_pool2d_backward(grad_out, x, kernel_size, stride, padding), atol=1e-12)
    np.testing.assert_allclose(pool.avg_backward(grad_out, xp_avg.shape, kernel_size, stride)[crop],
                               ch.avg_pool2d_backward(grad_out, x, kernel_size, stride, padding), atol=1e-12)


# --- special values: NaN and inf propagate exactly as in PyTorch -----------------------------------

POOL_SPECIAL = list(itertools.product(["x", "grad_out"], [np.nan, np.inf, -np.inf],
                                      [(2, None, 0), (3, 1, 1), (3, 2, 1), (2, 1, 0), (3, 3, 0)]))


def _pool_case(which, value, kernel_size, stride, padding, seed):
    r = np.random.default_rng(seed)
    x = r.standard_normal((2, 2, 7, 8))
    out_shape = ch.max_pool2d(x, kernel_size, stride, padding).shape
    grad_out = r.standard_normal(out_shape)
    target = x if which == "x" else grad_out
    for _ in range(2):  # sometimes two in one window
        target[tuple(r.integers(0, n) for n in target.shape)] = value
    return x, grad_out


@pytest.mark.parametrize("which, value, settings", POOL_SPECIAL)
@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_pooling_special_values_match_pytorch(which, value, settings):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    kernel_size, stride, padding = settings
    for seed in range(4):
        x, grad_out = _pool_case(which, value, kernel_size, stride, padding, seed)
        for forward, backward, theirs in [(ch.max_pool2d, ch.max_pool2d_backward, F.max_pool2d),
                                          (ch.avg_pool2d, ch.avg_pool2d_backward, F.avg_pool2d)]:
            xt = torch.tensor(x, requires_grad=True)
            out_t = theirs(xt, kernel_size, stride, padding)
            out_t.backward(torch.tensor(grad_out))
            # assert_array_equal: NaN where NaN, the same infinities, the same numbers
            np.testing.assert_allclose(forward(x, kernel_size, stride, padding), out_t.detach().numpy(), rtol=1e-12)
            np.testing.assert_allclose(backward(grad_out, x, kernel_size, stride, padding), xt.grad.numpy(),
                                       rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("which, value, settings", [case for case in POOL_SPECIAL if case[2][2] == 0])
@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_max_pooling_special_values_match_the_reference_loops(which, value, settings):
    kernel_size, stride, _ = settings
    for seed in range(4):
        x, grad_out = _pool_case(which, value, kernel_size, stride, 0, seed)
        np.testing.assert_array_equal(ch.max_pool2d(x, kernel_size, stride),
                                      reference.max_pool2d(x, kernel_size, stride))
        if np.isnan(x).sum() < 2:  # several NaN in a window: PyTorch's last-NaN rule, not np.argmax's first
            np.testing.assert_allclose(ch.max_pool2d_backward(grad_out, x, kernel_size, stride),  # NaN where NaN
                                       reference.max_pool2d_backward(grad_out, x, kernel_size, stride), rtol=1e-12)


# --- bad and unusual input -------------------------------------------------------------------------

def test_max_pool_backward_with_a_window_over_181x181():
    x = np.zeros((1, 200, 200))
    x[0, 150, 190] = 1.0  # offset 150*200 + 190 = 30190 of the single window; more offsets than int16 holds
    grad = ch.max_pool2d_backward(np.full((1, 1, 1), 5.0), x, 200)
    assert grad[0, 150, 190] == 5 and grad.sum() == 5
    x[0, 150, 190] = 0.0  # all equal: the first pixel wins
    assert ch.max_pool2d_backward(np.ones((1, 1, 1)), x, 200)[0, 0, 0] == 1


def test_numpy_integers_and_0d_arrays_are_ints():
    x = rng().standard_normal((3, 8, 8))
    expected = ch.max_pool2d(x, 2, 2, 1)
    np.testing.assert_array_equal(ch.max_pool2d(x, np.array(2), np.int64(2), np.array(1)), expected)
    np.testing.assert_array_equal(ch.avg_pool2d(x, np.int32(2)), ch.avg_pool2d(x, 2))
    assert ch.adaptive_avg_pool2d(x, np.array(3)).shape == (3, 3, 3)


def test_big_endian_float32_gives_native_float32():
    x = np.arange(16, dtype=">f4").reshape(1, 4, 4)
    grad = np.ones((1, 2, 2), dtype=">f4")
    results = [ch.max_pool2d(x, 2), ch.avg_pool2d(x, 2), ch.max_pool2d_backward(grad, x, 2),
               ch.avg_pool2d_backward(grad, x, 2), ch.adaptive_avg_pool2d(x, 2), ch.adaptive_max_pool2d(x, 2)]
    for result in results:
        assert result.dtype == np.dtype(np.float32) and result.dtype.isnative
    np.testing.assert_array_equal(results[0], [[[5, 7], [13, 15]]])


def test_a_stride_longer_than_the_input_gives_one_window():
    x = np.arange(25.0).reshape(5, 5)
    np.testing.assert_array_equal(ch.max_pool2d(x, 2, stride=2**61), [[6.0]])
    np.testing.assert_array_equal(ch.avg_pool2d(x, 2, stride=(1, 2**61)), [[3.0], [8.0], [13.0], [18.0]])
    grad = ch.max_pool2d_backward(np.ones((1, 1)), x, 2, stride=2**61)
    assert grad[1, 1] == 1 and grad.sum() == 1


# --- nn.MaxPool2d keeps what its backward pass reuses -----------------------------------------------

@pytest.mark.parametrize("kernel_size, stride", [(2, None), (3, None), ((2, 3), None), (2, 1), (3, 2)])
@pytest.mark.parametrize("special", [None, ("x", np.nan), ("x", np.inf), ("x", -np.inf), ("grad_out", np.inf),
                                     ("grad_out", np.nan), ("ties", 0.0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_max_pool_layer_matches_the_functions_bit_for_bit(kernel_size, stride, special, dtype):
    """The layer's forward keeps each window offset's values side by side for its backward (tiling windows)."""
    from cnnhelpers import nn
    r = np.random.default_rng(3)
    x = r.standard_normal((3, 2, 9, 8)).astype(dtype)  # 9 rows: with 2x2 windows the last row is in none
    if special == ("ties", 0.0):
        x = np.maximum(x, 0)  # after a ReLU: many windows of zeros, whose first value wins
    layer = nn.MaxPool2d(kernel_size, stride)
    out = layer.forward(x)
    grad_out = r.standard_normal(out.shape).astype(dtype)
    if special and special[0] in ("x", "grad_out"):
        target = x if special[0] == "x" else grad_out
        for _ in range(3):
            target[tuple(r.integers(0, n) for n in target.shape)] = special[1]
        out = layer.forward(x)
    np.testing.assert_array_equal(out, ch.max_pool2d(x, kernel_size, stride))
    np.testing.assert_array_equal(layer.backward(grad_out), ch.max_pool2d_backward(grad_out, x, kernel_size, stride))
    if special is None or special[0] == "ties":
        window = tuple(int(k) for k in np.broadcast_to(kernel_size, 2))
        step = tuple(int(s) for s in np.broadcast_to(stride or kernel_size, 2))
        expected = naive_max_pool2d_backward(grad_out, x, window, step, (0, 0))
        np.testing.assert_allclose(layer.backward(grad_out), expected, atol=1e-6)
    layer.training = False  # as model.eval() sets it: nothing extra is kept, and a backward pass still works
    np.testing.assert_array_equal(layer.forward(x), ch.max_pool2d(x, kernel_size, stride))
    np.testing.assert_array_equal(layer.backward(grad_out), ch.max_pool2d_backward(grad_out, x, kernel_size, stride))
