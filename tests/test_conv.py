"""cnnhelpers.conv against the plain loops of cnnhelpers.reference, scipy.signal, the lecture's worked
examples and PyTorch; its readable version (conv.forward, conv.backward) against its fast path.

tests/reference.py covers what cnnhelpers.reference does not: per-axis stride, asymmetric padding,
dilation, and the numerical gradient.
"""

import itertools

import numpy as np
import pytest
import scipy.signal
from reference import naive_conv2d, naive_correlate2d, numerical_gradient

import cnnhelpers as ch
from cnnhelpers import conv, kernels, reference

# The lecture's 5x5 example ("Without Padding", "With Padding", "Stride 2" slides).
X5 = np.array([[1, 2, 0, 3, 1], [1, 0, 0, 2, 2], [2, 1, 2, 1, 1], [0, 0, 1, 0, 0], [1, 2, 1, 1, 1]])
K5 = np.array([[-1, 1, 2], [1, 1, 0], [-1, -2, 0]])


def rng():
    return np.random.default_rng(1234)


# --- the lecture's worked examples --------------------------------------------------------------

def test_lecture_sobel_example_gives_2():
    patch = [[3, 2, 1], [1, 2, 3], [1, 1, 1]]
    assert ch.correlate2d(patch, kernels.sobel_x).tolist() == [[2.0]]


def test_lecture_5x5_without_padding_matches_hand_sum_and_slide():
    out = ch.correlate2d(X5, K5)
    assert out.shape == (3, 3)
    assert out[0, 0] == -2  # the slide's upper-left entry
    assert out[0, 0] == np.sum(X5[:3, :3] * K5)
    np.testing.assert_array_equal(out, reference.correlate2d(X5, K5))


def test_lecture_5x5_with_padding_keeps_size_and_corner_is_minus_1():
    out = ch.correlate2d(X5, K5, padding=1)
    assert out.shape == (5, 5)
    assert out[0, 0] == -1  # the slide's upper-left entry
    np.testing.assert_array_equal(out, reference.conv2d(X5[None, None], K5[None, None], None, 1, 1)[0, 0])


def test_lecture_stride_2_without_padding():
    out = ch.correlate2d(X5, K5, stride=2)
    assert out.shape == (2, 2)
    assert out[0, 0] == -2 and out[0, 1] == 3  # as on the slide
    assert out[1, 0] == -2  # the slide prints 0 here: a slip in the lecture
    np.testing.assert_array_equal(out, reference.conv2d(X5[None, None], K5[None, None], None, 2, 0)[0, 0])


def test_lecture_stride_2_with_padding():
    out = ch.correlate2d(X5, K5, stride=2, padding=1)
    assert out.shape == (3, 3)
    assert (out[0, 0], out[0, 1], out[1, 0]) == (-1, 2, 3)  # the slide's three entries
    np.testing.assert_array_equal(out, reference.conv2d(X5[None, None], K5[None, None], None, 2, 1)[0, 0])


# --- correlate2d / convolve2d -------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["valid", "full", "same"])
def test_correlate2d_matches_scipy(mode):
    image, kernel = rng().standard_normal((17, 13)), rng().standard_normal((3, 5))
    np.testing.assert_allclose(ch.correlate2d(image, kernel, padding=mode),
                               scipy.signal.correlate2d(image, kernel, mode=mode), atol=1e-12)


@pytest.mark.parametrize("mode", ["valid", "full", "same"])
def test_convolve2d_matches_scipy_for_odd_kernels(mode):
    image, kernel = rng().standard_normal((12, 15)), rng().standard_normal((5, 3))
    np.testing.assert_allclose(ch.convolve2d(image, kernel, padding=mode),
                               scipy.signal.convolve2d(image, kernel, mode=mode), atol=1e-12)


def test_convolve2d_is_correlation_with_flipped_kernel():
    image, kernel = rng().standard_normal((9, 9)), rng().standard_normal((3, 4))
    np.testing.assert_allclose(ch.convolve2d(image, kernel, stride=2, padding=1),
                               reference.conv2d(image[None, None], kernel[None, None, ::-1, ::-1], None, 2, 1)[0, 0])


def test_same_padding_with_even_kernel_puts_extra_row_and_column_bottom_right():
    image, kernel = rng().standard_normal((6, 7)), rng().standard_normal((4, 2))
    # kernel 4x2: 3 extra rows (1 top, 2 bottom), 1 extra column (0 left, 1 right)
    np.testing.assert_allclose(ch.correlate2d(image, kernel, padding="same"),
                               naive_correlate2d(image, kernel, pads=(1, 2, 0, 1)), atol=1e-12)


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 2), ((2, 1), (1, 2), (1, 2)), (3, 2, 2),
                                                       (1, "full", (2, 3)), (1, "same", 2)])
def test_correlate2d_matches_naive_with_stride_padding_dilation(stride, padding, dilation):
    image, kernel = rng().standard_normal((14, 11)), rng().standard_normal((3, 2))
    sp, dp = np.broadcast_to(stride, 2), np.broadcast_to(dilation, 2)
    if padding == "full":
        pads = (dp[0] * 2, dp[0] * 2, dp[1], dp[1])
    elif padding == "same":  # 3x2 kernel dilated by 2 spans 5x3: 4 extra rows, 2 extra columns
        pads = (2, 2, 1, 1)
    else:
        pp = np.broadcast_to(padding, 2)
        pads = (pp[0], pp[0], pp[1], pp[1])
    np.testing.assert_allclose(ch.correlate2d(image, kernel, stride=stride, padding=padding, dilation=dilation),
                               naive_correlate2d(image, kernel, tuple(sp), pads, tuple(dp)), atol=1e-12)


# --- conv2d -------------------------------------------------------------------------------------

# (x shape, weight shape, stride, padding): single channel (its own fast path), few and 8+ channels
# (with padding 1, the input gradient of 8+ channels is a forward pass over a grad_out padded while
# it is widened; with padding 0 it is padded apart, or, into twice as many output channels, found
# by shares, as it is with padding 1 when grad_out is not widened), few input channels into many
# output channels.
REFERENCE_CASES = [((2, 1, 9, 8), (1, 1, 3, 3), 1, 0), ((1, 1, 9, 9), (1, 1, 3, 3), 2, 1),
                   ((2, 3, 8, 9), (4, 3, 3, 3), 1, 1), ((3, 2, 10, 7), (5, 2, 2, 3), 2, 0),
                   ((2, 8, 7, 6), (3, 8, 3, 2), 1, 2), ((2, 9, 8, 8), (4, 9, 3, 3), 3, 1),
                   ((2, 8, 9, 7), (4, 8, 3, 3), 1, 1), ((3, 12, 6, 6), (24, 12, 3, 3), 1, 1),
                   ((2, 8, 7, 6), (3, 8, 3, 3), 1, 0), ((2, 8, 7, 6), (16, 8, 3, 3), 1, 0),
                   ((2, 8, 7, 6), (24, 8, 3, 3), 1, 1), ((2, 1, 8, 7), (12, 1, 3, 3), 1, 1)]


@pytest.mark.parametrize("shape, weight_shape, stride, padding", REFERENCE_CASES)
def test_conv2d_and_backward_match_the_reference_loops(shape, weight_shape, stride, padding):
    r = rng()
    x, w, b = r.standard_normal(shape), r.standard_normal(weight_shape), r.standard_normal(weight_shape[0])
    out = ch.conv2d(x, w, b, stride=stride, padding=padding)
    np.testing.assert_allclose(out, reference.conv2d(x, w, b, stride, padding), atol=1e-10)
    grad_out = r.standard_normal(out.shape)
    for mine, loops in zip(ch.conv2d_backward(grad_out, x, w, stride=stride, padding=padding),
                           reference.conv2d_backward(grad_out, x, w, stride, padding), strict=True):
        np.testing.assert_allclose(mine, loops, atol=1e-10)


@pytest.mark.parametrize("shape, weight_shape, stride, padding, dilation", [
    ((2, 3, 8, 9), (4, 3, 3, 3), 1, 1, 1),
    ((3, 2, 10, 7), (5, 2, 2, 3), (2, 1), (1, 0), (1, 2)),
    ((1, 1, 9, 9), (1, 1, 3, 3), 2, 0, 1),   # the single-channel fast path
    ((2, 1, 7, 6), (1, 1, 4, 2), 1, "same", 1),
])
def test_conv2d_matches_naive_loops(shape, weight_shape, stride, padding, dilation):
    r = rng()
    x, w, b = r.standard_normal(shape), r.standard_normal(weight_shape), r.standard_normal(weight_shape[0])
    kh, kw = weight_shape[2:]
    dh, dw = np.broadcast_to(dilation, 2)
    if padding == "same":
        th, tw = dh * (kh - 1), dw * (kw - 1)
        pads = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    else:
        ph, pw = np.broadcast_to(padding, 2)
        pads = (ph, ph, pw, pw)
    expected = naive_conv2d(x, w, b, tuple(np.broadcast_to(stride, 2)), pads, (dh, dw))
    np.testing.assert_allclose(ch.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation),
                               expected, atol=1e-10)


def test_conv2d_sums_channels():
    r = rng()
    x, w = r.standard_normal((3, 6, 6)), r.standard_normal((1, 3, 3, 3))
    per_channel = sum(ch.correlate2d(x[c], w[0, c]) for c in range(3))
    np.testing.assert_allclose(ch.conv2d(x, w)[0], per_channel, atol=1e-12)


def test_conv2d_unbatched_input_gives_unbatched_output():
    r = rng()
    x, w = r.standard_normal((2, 5, 5)), r.standard_normal((3, 2, 3, 3))
    out = ch.conv2d(x, w, padding=1)
    assert out.shape == (3, 5, 5)
    np.testing.assert_allclose(out, ch.conv2d(x[None], w, padding=1)[0])


def test_backward_in_row_blocks_matches_the_reference_loops(monkeypatch):
    # Blocks of rows of one image: grad_out is widened and padded a block of rows at a time.
    from cnnhelpers import _fast_conv as fast
    r = rng()
    x, w = r.standard_normal((2, 8, 12, 10)), r.standard_normal((3, 8, 3, 3))
    grad_out = r.standard_normal((2, 3, 12, 10))
    monkeypatch.setattr(fast, "_COLS_BUDGET_BYTES", 5000)
    for mine, loops in zip(ch.conv2d_backward(grad_out, x, w, padding=1),
                           reference.conv2d_backward(grad_out, x, w, 1, 1), strict=True):
        np.testing.assert_allclose(mine, loops, atol=1e-10)


def test_conv2d_large_batch_is_split_into_blocks_without_changing_the_result(monkeypatch):
    from cnnhelpers import _fast_conv as fast
    r = rng()
    x, w = r.standard_normal((4, 3, 20, 20)), r.standard_normal((2, 3, 3, 3))
    whole = ch.conv2d(x, w, padding=1)
    monkeypatch.setattr(fast, "_COLS_BUDGET_BYTES", 5000)  # forces many row blocks
    np.testing.assert_allclose(ch.conv2d(x, w, padding=1), whole, atol=1e-12)
    gx, gw, _ = ch.conv2d_backward(np.ones_like(whole), x, w, padding=1)
    monkeypatch.setattr(fast, "_COLS_BUDGET_BYTES", 64 * 2**20)
    gx2, gw2, _ = ch.conv2d_backward(np.ones_like(whole), x, w, padding=1)
    np.testing.assert_allclose(gx, gx2, atol=1e-12)
    np.testing.assert_allclose(gw, gw2, atol=1e-12)


def test_empty_batch_gives_empty_result_of_right_shape():
    out = ch.conv2d(np.zeros((0, 3, 8, 8)), np.zeros((5, 3, 3, 3)), stride=2, padding=1)
    assert out.shape == (0, 5, 4, 4)
    gx, gw, gb = ch.conv2d_backward(np.zeros((0, 5, 4, 4)), np.zeros((0, 3, 8, 8)), np.zeros((5, 3, 3, 3)),
                                    stride=2, padding=1)
    assert gx.shape == (0, 3, 8, 8) and gw.shape == (5, 3, 3, 3) and gb.shape == (5,)
    assert not gw.any() and not gb.any()


# --- dtypes and inputs --------------------------------------------------------------------------

def test_float32_in_float32_out_and_float64_in_float64_out():
    x, w = np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3))
    assert ch.conv2d(x.astype(np.float32), w.astype(np.float32)).dtype == np.float32
    assert ch.conv2d(x, w).dtype == np.float64
    grads = ch.conv2d_backward(np.ones((1, 3, 3, 3), np.float32), x.astype(np.float32), w.astype(np.float32))
    assert [g.dtype for g in grads] == [np.float32] * 3
    assert ch.correlate2d(np.ones((4, 4), np.float32), np.ones((2, 2), np.float32)).dtype == np.float32


def test_uint8_image_with_sobel_gives_negative_values_not_wraparound():
    image = np.array([[0, 0, 255, 255]] * 4, dtype=np.uint8)[:, ::-1]  # bright left, dark right
    out = ch.correlate2d(image, kernels.sobel_x.astype(int))
    assert out.dtype == np.float64
    assert out.min() == -1020  # 255 * (1 + 2 + 1), negative: no uint8 wrap-around


def test_inputs_are_not_modified():
    r = rng()
    x, w, b = r.standard_normal((2, 3, 6, 6)), r.standard_normal((4, 3, 3, 3)), r.standard_normal(4)
    copies = [a.copy() for a in (x, w, b)]
    out = ch.conv2d(x, w, b, padding=1)
    ch.conv2d_backward(np.ones_like(out), x, w, padding=1)
    for original, copy in zip((x, w, b), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


def test_accepts_nested_lists():
    assert ch.conv2d([[[[1, 2], [3, 4]]]], [[[[1, 1], [1, 1]]]]).tolist() == [[[[10.0]]]]


def test_nan_propagates_like_data():
    image = np.ones((5, 5))
    image[2, 2] = np.nan
    out = ch.correlate2d(image, np.ones((3, 3)))
    assert np.isnan(out).all()  # every 3x3 window of a 5x5 image covers the centre
    assert np.isfinite(ch.correlate2d(image, np.ones((3, 3)), padding=1)[0, 0])


# --- conv_output_size ---------------------------------------------------------------------------

@pytest.mark.parametrize("size, kernel_size, stride, padding, dilation", [
    (5, 3, 1, 0, 1), (5, 3, 1, 1, 1), (5, 3, 2, 0, 1), (5, 3, 2, 1, 1), (28, 5, 1, 2, 1), (32, 3, 2, 1, 2),
    (7, 1, 3, 0, 1), (10, 4, 3, 1, 2)])
def test_conv_output_size_matches_formula_and_real_output(size, kernel_size, stride, padding, dilation):
    expected = (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    assert ch.conv_output_size(size, kernel_size, stride, padding, dilation) == expected
    out = ch.correlate2d(np.zeros((size, size)), np.zeros((kernel_size, kernel_size)), stride=stride,
                         padding=padding, dilation=dilation)
    assert out.shape == (expected, expected)


def test_conv_output_size_modes():
    assert ch.conv_output_size(7, 3, padding="valid") == 5
    assert ch.conv_output_size(7, 4, padding="same") == 7
    assert ch.conv_output_size(7, 3, padding="full", dilation=2) == 11


# --- backward -----------------------------------------------------------------------------------

@pytest.mark.parametrize("channels", [2, 8])  # 8+ channels take the full-correlation path for grad_x
@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), ((1, 2), (2, 1), (2, 1)), (1, "same", 1),
                                                       (1, "same", 2), (1, (3, 1), 1), (1, (0, 2), (2, 1))])
def test_conv2d_backward_matches_finite_differences(stride, padding, dilation, channels):
    r = rng()
    x, w, b = r.standard_normal((2, channels, 6, 5)), r.standard_normal((3, channels, 3, 2)), r.standard_normal(3)
    kwargs = dict(stride=stride, padding=padding, dilation=dilation)
    grad_out = r.standard_normal(ch.conv2d(x, w, b, **kwargs).shape)
    gx, gw, gb = ch.conv2d_backward(grad_out, x, w, **kwargs)
    np.testing.assert_allclose(gx, numerical_gradient(lambda v: np.sum(grad_out * ch.conv2d(v, w, b, **kwargs)), x),
                               atol=1e-6)
    np.testing.assert_allclose(gw, numerical_gradient(lambda v: np.sum(grad_out * ch.conv2d(x, v, b, **kwargs)), w),
                               atol=1e-6)
    np.testing.assert_allclose(gb, numerical_gradient(lambda v: np.sum(grad_out * ch.conv2d(x, w, v, **kwargs)), b),
                               atol=1e-6)


def test_input_gradient_is_full_correlation_with_flipped_kernel():
    r = rng()
    x, k = r.standard_normal((6, 6)), r.standard_normal((3, 3))
    grad_out = r.standard_normal((4, 4))
    gx, _, _ = ch.conv2d_backward(grad_out[None, None], x[None, None], k[None, None])
    np.testing.assert_allclose(gx[0, 0], ch.correlate2d(grad_out, k[::-1, ::-1], padding="full"), atol=1e-12)


# --- PyTorch as an extra oracle -----------------------------------------------------------------

@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 2e-4)])
@pytest.mark.parametrize("shape, weight_shape, stride, padding, dilation", [
    ((4, 3, 16, 15), (6, 3, 3, 3), 1, 1, 1),
    ((2, 4, 13, 17), (3, 4, 5, 2), (2, 3), (2, 1), (1, 2)),
    ((3, 2, 12, 12), (4, 2, 4, 4), 1, "same", 2),
    ((1, 1, 20, 20), (1, 1, 3, 3), 2, 1, 1),
    ((3, 9, 11, 10), (5, 9, 3, 2), 1, "same", (2, 1)),
    ((2, 8, 12, 9), (4, 8, 3, 3), 1, (2, 1), 1),
])
def test_conv2d_and_backward_match_pytorch(dtype, tol, shape, weight_shape, stride, padding, dilation):
    torch = pytest.importorskip("torch")
    r = rng()
    x, w = r.standard_normal(shape).astype(dtype), r.standard_normal(weight_shape).astype(dtype)
    b = r.standard_normal(weight_shape[0]).astype(dtype)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    kwargs = dict(stride=stride, padding=padding, dilation=dilation)
    out_t = torch.nn.functional.conv2d(xt, wt, bt, **kwargs)
    grad_out = r.standard_normal(tuple(out_t.shape)).astype(dtype)
    (out_t * torch.tensor(grad_out)).sum().backward()
    out = ch.conv2d(x, w, b, **kwargs)
    grads = ch.conv2d_backward(grad_out, x, w, **kwargs)
    assert out.dtype == dtype
    for mine, theirs in zip((out, *grads), (out_t.detach(), xt.grad, wt.grad, bt.grad), strict=True):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=tol, atol=tol)


def test_backward_can_skip_the_input_gradient():
    r = rng()
    x, w = r.standard_normal((2, 3, 7, 7)), r.standard_normal((4, 3, 3, 3))
    grad_out = r.standard_normal((2, 4, 7, 7))
    gx, gw, gb = ch.conv2d_backward(grad_out, x, w, padding=1)
    none, gw2, gb2 = ch.conv2d_backward(grad_out, x, w, padding=1, input_grad=False)
    assert none is None
    np.testing.assert_array_equal(gw, gw2)
    np.testing.assert_array_equal(gb, gb2)


def test_bias_dtype_follows_numpy_for_float_arrays_and_the_output_for_lists():
    x, w = np.ones((1, 2, 4, 4), np.float32), np.ones((3, 2, 3, 3), np.float32)
    assert ch.conv2d(x, w, np.zeros(3, np.float32)).dtype == np.float32
    assert ch.conv2d(x, w, [0.5, 1, 2]).dtype == np.float32  # a list: no precision of its own
    assert ch.conv2d(x, w, np.zeros(3)).dtype == np.float64  # a float64 array promotes, as in NumPy
    np.testing.assert_allclose(ch.conv2d(x, w, [0.5, 1, 2])[0, :, 0, 0], [18.5, 19, 20])


@pytest.mark.parametrize("channels", [(1, 1), (3, 8)])
def test_results_do_not_share_the_reused_scratch_memory(channels):
    """Temporaries are reused from call to call; a returned array must never be one of them."""
    rng = np.random.default_rng(7)
    c, o = channels
    x1, x2 = rng.standard_normal((2, 1, c, 40, 40))
    w = rng.standard_normal((o, c, 3, 3))
    first = ch.conv2d(x1, w, padding=1)
    kept = first.copy()
    second = ch.conv2d(x2, w, padding=1)
    assert not np.shares_memory(first, second)
    np.testing.assert_array_equal(first, kept)
    np.testing.assert_allclose(second, reference.conv2d(x2, w, None, 1, 1), rtol=1e-10, atol=1e-10)


# --- the idea (conv.forward, conv.backward) is the fast path's algorithm ---------------------------

@pytest.mark.parametrize("shape, weight_shape, stride, padding, dilation", [
    ((2, 1, 9, 8), (1, 1, 3, 3), (1, 1), (0, 0, 0, 0), (1, 1)),
    ((2, 3, 8, 9), (4, 3, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),
    ((3, 2, 10, 7), (5, 2, 2, 3), (2, 1), (1, 1, 0, 0), (1, 2)),
    ((2, 9, 11, 10), (5, 9, 3, 2), (1, 1), (2, 2, 1, 1), (2, 1)),
    ((1, 4, 12, 12), (2, 4, 4, 4), (3, 2), (1, 2, 0, 1), (1, 1)),
])
def test_readable_forward_and_backward_match_the_fast_path(shape, weight_shape, stride, padding, dilation):
    r = rng()
    x, w = r.standard_normal(shape), r.standard_normal(weight_shape)
    xp = np.pad(x, [(0, 0), (0, 0), padding[:2], padding[2:]])
    out = conv.forward(xp, w, stride, dilation)
    np.testing.assert_allclose(out, naive_conv2d(x, w, None, stride, padding, dilation), atol=1e-10)
    np.testing.assert_allclose(ch.conv2d(xp, w, stride=stride, dilation=dilation), out, atol=1e-10)
    grad_out = r.standard_normal(out.shape)
    grad_xp, grad_w, grad_b = conv.backward(grad_out, xp, w, stride, dilation)
    fast = ch.conv2d_backward(grad_out, xp, w, stride=stride, dilation=dilation)
    for mine, theirs in zip((grad_xp, grad_w, grad_b), fast, strict=True):
        np.testing.assert_allclose(mine, theirs, atol=1e-10)


def test_windows_view_reads_every_window():
    x = np.arange(30.0).reshape(5, 6)
    view = conv.windows(x, (2, 3), stride=(2, 1), dilation=(2, 1))  # (OH, OW, KH, KW)
    assert view.shape == (2, 4, 2, 3)
    np.testing.assert_array_equal(view[1, 2], x[2:5:2, 2:5])


@pytest.mark.parametrize("x_shape, w_shape", [((2, 0, 5, 5), (3, 0, 3, 3)), ((0, 2, 5, 5), (3, 2, 3, 3)),
                                              ((2, 2, 5, 5), (0, 2, 3, 3))])
def test_empty_channels_and_batches_give_zeros_and_empty_gradients(x_shape, w_shape):
    x, w = np.ones(x_shape), np.ones(w_shape)
    out = ch.conv2d(x, w, np.arange(w_shape[0], dtype=float), padding=1)
    assert out.shape == (x_shape[0], w_shape[0], 5, 5)
    np.testing.assert_array_equal(out, np.broadcast_to(np.arange(w_shape[0])[:, None, None], out.shape))
    gx, gw, gb = ch.conv2d_backward(np.ones(out.shape), x, w, padding=1)
    assert gx.shape == x_shape and gw.shape == w_shape and gb.shape == (w_shape[0],)
    assert not gx.any() and not gw.any()
    np.testing.assert_array_equal(gb, np.full(w_shape[0], x_shape[0] * 25.0))


# --- special values: NaN and inf propagate exactly as in PyTorch -----------------------------------

SPECIAL_CASES = list(itertools.product(["x", "weight", "grad_out"], [np.nan, np.inf, -np.inf],
                                       [1, 3, 8], [(1, 0), (1, 1), (2, 1), (1, 2)]))


def _with_special_value(which, value, channels, stride, padding, seed):
    r = np.random.default_rng(seed)
    x, w = r.standard_normal((2, channels, 7, 8)), r.standard_normal((3, channels, 3, 3))
    grad_out = r.standard_normal(reference.conv2d(x, w, None, stride, padding).shape)
    target = {"x": x, "weight": w, "grad_out": grad_out}[which]
    target[tuple(r.integers(0, n) for n in target.shape)] = value
    return x, w, grad_out


def assert_same_special_values(mine, theirs):
    """The same NaN, the same infinities (with signs), the finite values close."""
    np.testing.assert_array_equal(np.isnan(mine), np.isnan(theirs))
    np.testing.assert_array_equal(np.where(np.isinf(mine), mine, 0), np.where(np.isinf(theirs), theirs, 0))
    np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-9)  # NaN where NaN (equal_nan)


@pytest.mark.parametrize("which, value, channels, stride_padding", SPECIAL_CASES)
@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_special_values_propagate_as_in_the_reference_loops(which, value, channels, stride_padding):
    stride, padding = stride_padding
    for seed in range(3):
        x, w, grad_out = _with_special_value(which, value, channels, stride, padding, seed)
        assert_same_special_values(ch.conv2d(x, w, stride=stride, padding=padding),
                                   reference.conv2d(x, w, None, stride, padding))
        for mine, loops in zip(ch.conv2d_backward(grad_out, x, w, stride=stride, padding=padding),
                               reference.conv2d_backward(grad_out, x, w, stride, padding), strict=True):
            assert_same_special_values(mine, loops)


@pytest.mark.parametrize("which, value, channels, stride_padding", SPECIAL_CASES)
@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_special_values_propagate_as_in_pytorch(which, value, channels, stride_padding):
    torch = pytest.importorskip("torch")
    stride, padding = stride_padding
    for seed in range(3):
        x, w, grad_out = _with_special_value(which, value, channels, stride, padding, seed)
        xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
        out_t = torch.nn.functional.conv2d(xt, wt, stride=stride, padding=padding)
        out_t.backward(torch.tensor(grad_out))
        assert_same_special_values(ch.conv2d(x, w, stride=stride, padding=padding), out_t.detach().numpy())
        grad_x, grad_w, _ = ch.conv2d_backward(grad_out, x, w, stride=stride, padding=padding)
        assert_same_special_values(grad_x, xt.grad.numpy())
        assert_same_special_values(grad_w, wt.grad.numpy())


def test_one_nan_in_x_gives_nan_in_the_weight_gradient_only_where_it_was_read():
    x = np.ones((1, 1, 5, 5))
    x[0, 0, 0, 4] = np.nan  # the top-right corner: read by weight[0, 0, 0, 2] only
    _, grad_w, _ = ch.conv2d_backward(np.ones((1, 1, 3, 3)), x, np.ones((1, 1, 3, 3)))
    assert np.isnan(grad_w).sum() == 1 and np.isnan(grad_w[0, 0, 0, 2])


def test_an_inf_weight_makes_nan_in_the_input_gradient_only_where_it_met_a_zero():
    w = np.ones((1, 8, 3, 3))
    w[0, 0, 1, 1] = np.inf
    grad_x, _, _ = ch.conv2d_backward(np.ones((1, 1, 3, 3)), np.ones((1, 8, 5, 5)), w)
    assert np.isinf(grad_x[0, 0, 1:4, 1:4]).all()  # the centre tap read these pixels
    assert np.isfinite(np.delete(grad_x.reshape(-1), [6, 7, 8, 11, 12, 13, 16, 17, 18])).all()


# --- bad and unusual input -------------------------------------------------------------------------

def test_big_endian_float32_gives_native_float32():
    x, w = np.ones((1, 2, 5, 5), dtype=">f4"), np.ones((3, 2, 3, 3), dtype=">f4")
    for result in (ch.conv2d(x, w), *ch.conv2d_backward(np.ones((1, 3, 3, 3), ">f4"), x, w),
                   ch.correlate2d(x[0, 0], w[0, 0]), ch.convolve2d(x[0, 0], w[0, 0])):
        assert result.dtype == np.dtype(np.float32) and result.dtype.isnative
    np.testing.assert_array_equal(ch.conv2d(x, w), 18.0)


def test_numpy_integers_and_0d_arrays_are_ints():
    image, kernel = np.arange(25.0).reshape(5, 5), np.ones((3, 3))
    expected = ch.correlate2d(image, kernel, stride=2, padding=1)
    np.testing.assert_array_equal(ch.correlate2d(image, kernel, stride=np.int64(2), padding=np.array(1)), expected)
    assert ch.conv_output_size(np.int32(5), np.array(3), stride=np.uint8(2)) == 2


def test_a_stride_longer_than_the_input_gives_one_window():
    image = np.arange(25.0).reshape(5, 5)
    np.testing.assert_array_equal(ch.correlate2d(image, np.ones((2, 2)), stride=2**61), [[12.0]])
    x = image[None, None]
    out = ch.conv2d(x, np.ones((1, 1, 2, 2)), stride=(1, 2**61))
    np.testing.assert_array_equal(out[0, 0, :, 0], [12.0, 32.0, 52.0, 72.0])
    gx, _, _ = ch.conv2d_backward(np.ones((1, 1, 4, 1)), x, np.ones((1, 1, 2, 2)), stride=(1, 2**61))
    assert gx[0, 0, :, :2].sum() == 16 and not gx[0, 0, :, 2:].any()
