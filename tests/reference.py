"""Naive loop references for what :mod:`cnnhelpers.reference` does not cover, and a numerical gradient.

``cnnhelpers.reference`` is the oracle wherever it applies (square kernels, one stride and one
padding for both axes, no dilation, max pooling without padding). These loops cover the rest of the
API: per-axis stride, asymmetric padding, dilation, average and padded pooling, adaptive pooling.
They are deliberately slow and obvious: one Python loop per index of the formula.
"""

import numpy as np


def pad_zeros(x, top, bottom, left, right, value=0.0):
    height, width = x.shape[-2:]
    out = np.full(x.shape[:-2] + (height + top + bottom, width + left + right), value)
    out[..., top:top + height, left:left + width] = x
    return out


def naive_correlate2d(image, kernel, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1)):
    """out[i, j] = sum_uv padded[i*sh + u*dh, j*sw + v*dw] * kernel[u, v]"""
    padded = pad_zeros(np.asarray(image, float), *pads)
    kh, kw = np.shape(kernel)
    oh = (padded.shape[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (padded.shape[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            for u in range(kh):
                for v in range(kw):
                    out[i, j] += padded[i * stride[0] + u * dilation[0], j * stride[1] + v * dilation[1]] * kernel[u][v]
    return out


def naive_conv2d(x, weight, bias=None, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1)):
    """(N, C, H, W) x (O, C, KH, KW) -> (N, O, OH, OW), summing per-channel correlations."""
    n, c = x.shape[:2]
    o = weight.shape[0]
    maps = [[sum(naive_correlate2d(x[b, ch], weight[k, ch], stride, pads, dilation) for ch in range(c))
             for k in range(o)] for b in range(n)]
    out = np.array(maps, dtype=float)
    if bias is not None:
        out += np.asarray(bias)[None, :, None, None]
    return out


def naive_pool2d(x, kernel_size, stride, padding, reduce):
    """Pooling over the last two axes by explicit windows; max pads with -inf, avg with zeros."""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    fill = -np.inf if reduce == "max" else 0.0
    padded = pad_zeros(np.asarray(x, float), ph, ph, pw, pw, value=fill)
    oh = (padded.shape[-2] - kh) // sh + 1
    ow = (padded.shape[-1] - kw) // sw + 1
    out = np.zeros(x.shape[:-2] + (oh, ow))
    for index in np.ndindex(*x.shape[:-2]):
        for i in range(oh):
            for j in range(ow):
                window = padded[index][i * sh:i * sh + kh, j * sw:j * sw + kw]
                out[index + (i, j)] = window.max() if reduce == "max" else window.sum() / (kh * kw)
    return out


def naive_max_pool2d_backward(grad_out, x, kernel_size, stride, padding):
    """Each window's gradient to its first maximum in row-major order (padding never wins)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    x = np.asarray(x, float)
    grad = np.zeros_like(x)
    height, width = x.shape[-2:]
    for index in np.ndindex(*x.shape[:-2]):
        for i in range(grad_out.shape[-2]):
            for j in range(grad_out.shape[-1]):
                best, where = -np.inf, None
                for u in range(kh):
                    for v in range(kw):
                        r, c = i * sh + u - ph, j * sw + v - pw
                        if 0 <= r < height and 0 <= c < width and (where is None or x[index][r, c] > best):
                            best, where = x[index][r, c], (r, c)
                grad[index][where] += grad_out[index][i, j]
    return grad


def naive_adaptive_pool2d(x, output_size, reduce):
    oh, ow = output_size
    height, width = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        r0, r1 = (i * height) // oh, -(-((i + 1) * height) // oh)
        for j in range(ow):
            c0, c1 = (j * width) // ow, -(-((j + 1) * width) // ow)
            window = x[..., r0:r1, c0:c1]
            out[..., i, j] = window.max(axis=(-2, -1)) if reduce == "max" else window.mean(axis=(-2, -1))
    return out


def numerical_gradient(f, x, eps=1e-6):
    """Central finite differences of the scalar function f at x (float64)."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        saved = x[index]
        x[index] = saved + eps
        high = f(x)
        x[index] = saved - eps
        low = f(x)
        x[index] = saved
        grad[index] = (high - low) / (2 * eps)
    return grad
