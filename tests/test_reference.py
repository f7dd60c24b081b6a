"""cnnhelpers.reference, the oracle of the other tests, checked against independent sources:
worked examples by hand, scipy.signal, numpy.correlate and PyTorch (skipped when not installed)."""

import numpy as np
import pytest
import scipy.signal

from cnnhelpers import reference

# The lecture's 5x5 example ("Without Padding", "With Padding", "Stride 2" slides).
X5 = np.array([[1, 2, 0, 3, 1], [1, 0, 0, 2, 2], [2, 1, 2, 1, 1], [0, 0, 1, 0, 0], [1, 2, 1, 1, 1]])
K5 = np.array([[-1, 1, 2], [1, 1, 0], [-1, -2, 0]])
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def rng():
    return np.random.default_rng(2024)


# --- worked examples ----------------------------------------------------------------------------

def test_conv1d_by_hand():
    # out[i] = signal[i] - signal[i+1] for the kernel [1, -1]
    assert reference.conv1d([1, 2, 4, 7], [1, -1]).tolist() == [-1.0, -2.0, -3.0]
    assert reference.conv1d([1, 2, 3], [1, 1, 1]).tolist() == [6.0]


def test_lecture_sobel_patch_gives_2():
    patch = [[3, 2, 1], [1, 2, 3], [1, 1, 1]]
    assert reference.correlate2d(patch, SOBEL_X).tolist() == [[2.0]]  # -3 + 1 - 2 + 6 - 1 + 1


def test_lecture_5x5_example_corners():
    x, k = X5[None, None], K5[None, None]
    assert reference.correlate2d(X5, K5)[0, 0] == -2  # "Without Padding"
    assert reference.conv2d(x, k, None, 1, 1)[0, 0, 0, 0] == -1  # "With Padding"
    strided = reference.conv2d(x, k, None, 2, 0)[0, 0]
    assert strided[0, 0] == -2 and strided[0, 1] == 3  # "Stride 2"


def test_max_pool_slide_grid_and_first_maximum():
    grid = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])[None, None]
    assert reference.max_pool2d(grid, 2, None)[0, 0].tolist() == [[6, 8], [3, 4]]
    ties = np.array([[2.0, 5.0], [5.0, 5.0]])[None, None]
    assert reference.max_pool2d_backward(np.ones((1, 1, 1, 1)), ties, 2, None)[0, 0].tolist() == [[0, 1], [0, 0]]


def test_conv2d_backward_by_hand():
    x, w = np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))
    grad_x, grad_w, grad_b = reference.conv2d_backward(np.ones((1, 1, 2, 2)), x, w, 1, 0)
    assert grad_x[0, 0].tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]  # how many windows cover each pixel
    assert grad_w[0, 0].tolist() == [[4, 4], [4, 4]] and grad_b.tolist() == [4]


# --- scipy.signal and numpy ---------------------------------------------------------------------

def test_conv1d_matches_numpy_correlate():
    signal, kernel = rng().standard_normal(20), rng().standard_normal(5)
    np.testing.assert_allclose(reference.conv1d(signal, kernel), np.correlate(signal, kernel, "valid"), atol=1e-12)


@pytest.mark.parametrize("image_shape, kernel_shape", [((7, 9), (3, 3)), ((12, 5), (4, 2)), ((6, 6), (6, 6)),
                                                       ((5, 8), (1, 1))])
def test_correlate2d_matches_scipy(image_shape, kernel_shape):
    image, kernel = rng().standard_normal(image_shape), rng().standard_normal(kernel_shape)
    np.testing.assert_allclose(reference.correlate2d(image, kernel),
                               scipy.signal.correlate2d(image, kernel, mode="valid"), atol=1e-12)


@pytest.mark.parametrize("stride, padding", [(1, 0), (1, 2), (2, 1), (3, 0)])
def test_conv2d_matches_scipy_channel_by_channel(stride, padding):
    r = rng()
    x, w, b = r.standard_normal((2, 3, 9, 8)), r.standard_normal((4, 3, 3, 2)), r.standard_normal(4)
    padded = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    expected = np.array([[sum(scipy.signal.correlate2d(padded[n, c], w[o, c], mode="valid") for c in range(3)) + b[o]
                          for o in range(4)] for n in range(2)])[..., ::stride, ::stride]
    np.testing.assert_allclose(reference.conv2d(x, w, b, stride, padding), expected, atol=1e-12)


def test_conv2d_backward_input_gradient_is_scipy_full_convolution():
    """Stride 1, no padding: grad_x = full convolution of grad_out with the kernel (summed over O)."""
    r = rng()
    x, w = r.standard_normal((1, 2, 7, 6)), r.standard_normal((3, 2, 3, 2))
    grad_out = r.standard_normal((1, 3, 5, 5))
    grad_x, grad_w, _ = reference.conv2d_backward(grad_out, x, w, 1, 0)
    expected_x = [sum(scipy.signal.convolve2d(grad_out[0, o], w[o, c], mode="full") for o in range(3))
                  for c in range(2)]
    np.testing.assert_allclose(grad_x[0], expected_x, atol=1e-12)
    expected_w = [[scipy.signal.correlate2d(x[0, c], grad_out[0, o], mode="valid") for c in range(2)] for o in range(3)]
    np.testing.assert_allclose(grad_w, expected_w, atol=1e-12)


# --- PyTorch ------------------------------------------------------------------------------------

@pytest.mark.parametrize("x_shape, w_shape, stride, padding", [
    ((2, 3, 8, 9), (4, 3, 3, 3), 1, 0), ((1, 2, 9, 9), (3, 2, 3, 3), 2, 1), ((2, 1, 7, 10), (2, 1, 2, 4), 3, 2),
])
def test_conv2d_and_backward_match_pytorch(x_shape, w_shape, stride, padding):
    torch = pytest.importorskip("torch")
    r = rng()
    x, w, b = r.standard_normal(x_shape), r.standard_normal(w_shape), r.standard_normal(w_shape[0])
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out_t = torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=padding)
    grad_out = r.standard_normal(tuple(out_t.shape))
    out_t.backward(torch.tensor(grad_out))
    np.testing.assert_allclose(reference.conv2d(x, w, b, stride, padding), out_t.detach().numpy(), atol=1e-12)
    for mine, theirs in zip(reference.conv2d_backward(grad_out, x, w, stride, padding), (xt.grad, wt.grad, bt.grad),
                            strict=True):
        np.testing.assert_allclose(mine, theirs.numpy(), atol=1e-12)


@pytest.mark.parametrize("kernel_size, stride", [(2, None), (3, 1), (3, 2), (2, 3)])
def test_max_pool2d_and_backward_match_pytorch(kernel_size, stride):
    torch = pytest.importorskip("torch")
    x = rng().integers(0, 4, size=(2, 3, 9, 8)).astype(float)  # ties: the first maximum, row-major
    xt = torch.tensor(x, requires_grad=True)
    out_t = torch.nn.functional.max_pool2d(xt, kernel_size, stride)
    grad_out = rng().standard_normal(tuple(out_t.shape))
    out_t.backward(torch.tensor(grad_out))
    np.testing.assert_array_equal(reference.max_pool2d(x, kernel_size, stride), out_t.detach().numpy())
    np.testing.assert_allclose(reference.max_pool2d_backward(grad_out, x, kernel_size, stride), xt.grad.numpy(),
                               atol=1e-12)


def test_results_are_float64_and_inputs_unchanged():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 2, 2), dtype=np.int64)
    kept = x.copy(), w.copy()
    results = [reference.conv2d(x, w, None, 1, 0), *reference.conv2d_backward(np.ones((1, 1, 3, 3)), x, w, 1, 0),
               reference.max_pool2d(x, 2, None), reference.correlate2d(x[0, 0], w[0, 0]),
               reference.conv1d(x[0, 0, 0], w[0, 0, 0])]
    assert all(result.dtype == np.float64 for result in results)
    np.testing.assert_array_equal(x, kept[0])
    np.testing.assert_array_equal(w, kept[1])
