"""Property tests (hypothesis, bounded): the algebra convolution must obey, on random settings, and
agreement with the plain loops of cnnhelpers.reference and the readable versions in conv.py/pool.py."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import numerical_gradient

import cnnhelpers as ch
from cnnhelpers import conv, pool, reference

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def conv_case(draw, max_stride=3):
    """Random small shapes and settings for which the kernel fits the padded input."""
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    sh, sw = draw(st.integers(1, max_stride)), draw(st.integers(1, max_stride))
    height = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 12))
    width = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 12))
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    r = np.random.default_rng(seed)
    x = r.standard_normal((n, c, height, width))
    w = r.standard_normal((o, c, kh, kw))
    return x, w, dict(stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw)), r


@SETTINGS
@given(conv_case(), st.floats(-3, 3), st.floats(-3, 3))
def test_linearity(case, a, b):
    x, w, kwargs, r = case
    y = r.standard_normal(x.shape)
    np.testing.assert_allclose(ch.conv2d(a * x + b * y, w, **kwargs),
                               a * ch.conv2d(x, w, **kwargs) + b * ch.conv2d(y, w, **kwargs), atol=1e-9)


@SETTINGS
@given(conv_case(max_stride=1), st.integers(0, 3), st.integers(0, 3))
def test_translation_equivariance(case, dy, dx):
    """Shift the input by (dy, dx): the valid output shifts by the same amount."""
    x, w, kwargs, _ = case
    kwargs = dict(kwargs, padding=0)
    x = np.pad(x, ((0, 0), (0, 0), (0, 8), (0, 8)))  # room to shift into, and the kernel fits unpadded
    shifted = np.roll(x, (dy, dx), axis=(2, 3))
    out, out_shifted = ch.conv2d(x, w, **kwargs), ch.conv2d(shifted, w, **kwargs)
    oh, ow = out.shape[-2:]
    # compare away from the wrap-around: rows dy.. and cols dx.. of the shifted output
    np.testing.assert_allclose(out_shifted[..., dy:, dx:], out[..., :oh - dy, :ow - dx], atol=1e-9)


@SETTINGS
@given(conv_case())
def test_strided_output_is_stride_1_output_subsampled(case):
    x, w, kwargs, _ = case
    sh, sw = kwargs["stride"]
    dense = ch.conv2d(x, w, **dict(kwargs, stride=1))
    np.testing.assert_allclose(ch.conv2d(x, w, **kwargs), dense[..., ::sh, ::sw], atol=1e-9)


@SETTINGS
@given(conv_case())
def test_conv_output_size_equals_actual_shape(case):
    x, w, kwargs, _ = case
    out = ch.conv2d(x, w, **kwargs)
    for axis in (0, 1):
        assert out.shape[2 + axis] == ch.conv_output_size(x.shape[2 + axis], w.shape[2 + axis], kwargs["stride"][axis],
                                                          kwargs["padding"][axis], kwargs["dilation"][axis])


@settings(max_examples=15, deadline=None)
@given(conv_case())
def test_gradients_match_central_differences(case):
    x, w, kwargs, r = case
    grad_out = r.standard_normal(ch.conv2d(x, w, **kwargs).shape)
    gx, gw, _ = ch.conv2d_backward(grad_out, x, w, **kwargs)
    np.testing.assert_allclose(gx, numerical_gradient(lambda v: np.sum(grad_out * ch.conv2d(v, w, **kwargs)), x),
                               atol=1e-5)
    np.testing.assert_allclose(gw, numerical_gradient(lambda v: np.sum(grad_out * ch.conv2d(x, v, **kwargs)), w),
                               atol=1e-5)


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(0, 2**31 - 1))
def test_pool_output_size_equals_actual_shape(kernel, stride, padding, seed):
    padding = min(padding, kernel // 2)
    x = np.random.default_rng(seed).standard_normal((2, 11, 9))
    out = ch.max_pool2d(x, kernel, stride, padding)
    expected = tuple(ch.conv_output_size(size, kernel, stride, padding) for size in (11, 9))
    assert out.shape[1:] == expected


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2), st.integers(1, 3),
       st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_conv2d_and_backward_match_the_reference_loops(k, stride, padding, n, c, o, seed):
    """Square kernels, one stride and one padding for both axes: what cnnhelpers.reference takes."""
    r = np.random.default_rng(seed)
    size = int(r.integers(max(1, k - 2 * padding), 9))
    x, w, b = r.standard_normal((n, c, size, size + 1)), r.standard_normal((o, c, k, k)), r.standard_normal(o)
    out = ch.conv2d(x, w, b, stride=stride, padding=padding)
    np.testing.assert_allclose(out, reference.conv2d(x, w, b, stride, padding), atol=1e-10)
    grad_out = r.standard_normal(out.shape)
    for mine, loops in zip(ch.conv2d_backward(grad_out, x, w, stride=stride, padding=padding),
                           reference.conv2d_backward(grad_out, x, w, stride, padding), strict=True):
        np.testing.assert_allclose(mine, loops, atol=1e-10)


@SETTINGS
@given(conv_case())
def test_readable_conv_equals_fast_conv(case):
    """conv.forward and conv.backward (the idea) give the numbers of the public, fast functions."""
    x, w, kwargs, r = case
    (ph, pw), stride, dilation = kwargs["padding"], kwargs["stride"], kwargs["dilation"]
    xp = np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    out = conv.forward(xp, w, stride, dilation)
    np.testing.assert_allclose(out, ch.conv2d(x, w, **kwargs), atol=1e-10)
    grad_out = r.standard_normal(out.shape)
    grad_xp, grad_w, grad_b = conv.backward(grad_out, xp, w, stride, dilation)
    gx, gw, gb = ch.conv2d_backward(grad_out, x, w, **kwargs)
    np.testing.assert_allclose(grad_xp[..., ph:ph + x.shape[2], pw:pw + x.shape[3]], gx, atol=1e-10)
    np.testing.assert_allclose(grad_w, gw, atol=1e-10)
    np.testing.assert_allclose(grad_b, gb, atol=1e-10)


@SETTINGS
@given(st.integers(1, 4), st.one_of(st.none(), st.integers(1, 3)), st.integers(0, 2**31 - 1))
def test_max_pool_and_backward_match_the_reference_loops(kernel, stride, seed):
    r = np.random.default_rng(seed)
    x = r.integers(0, 3, size=(2, 2, int(r.integers(kernel, 10)), int(r.integers(kernel, 10)))).astype(float)
    out = ch.max_pool2d(x, kernel, stride)
    np.testing.assert_array_equal(out, reference.max_pool2d(x, kernel, stride))
    np.testing.assert_array_equal(out, pool.max_forward(x, (kernel, kernel), (stride or kernel,) * 2))
    grad_out = r.standard_normal(out.shape)
    np.testing.assert_allclose(ch.max_pool2d_backward(grad_out, x, kernel, stride),
                               reference.max_pool2d_backward(grad_out, x, kernel, stride), atol=1e-12)
