"""Reference implementations: every operation of the series as plain loops.

Each function is the definition of its operation written out one index at a time, short enough to
read on one screen and to check by hand against a worked example. They are slow on purpose:

- the tests use them as the oracle for the fast versions in :mod:`cnnhelpers.conv` and
  :mod:`cnnhelpers.pool`;
- the notebooks' Build-it sections use them as the model solutions, to open after trying.

Conventions (the same as the Build-it exercises): arguments are positional; ``padding`` is zero
padding of that many rows and columns on all four sides; the output size is floored; results are
float64. Nothing is validated and nothing is optimised: these functions are the algorithm.

>>> conv1d([1, 2, 3, 4], [1, -1])
array([-1., -1., -1.])
>>> correlate2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, 1]])
array([[ 6.,  8.],
       [12., 14.]])
"""

import numpy as np

__all__ = ["conv1d", "correlate2d", "conv2d", "conv2d_backward", "max_pool2d", "max_pool2d_backward"]


def conv1d(signal, kernel):
    """Valid 1-D cross-correlation: ``out[i] = sum_k signal[i + k] * kernel[k]``, length ``n - k + 1``."""
    signal, kernel = np.asarray(signal, float), np.asarray(kernel, float)
    out = np.zeros(len(signal) - len(kernel) + 1)
    for i in range(len(out)):
        for k in range(len(kernel)):
            out[i] += signal[i + k] * kernel[k]
    return out


def correlate2d(image, kernel):
    """Valid 2-D cross-correlation of an (H, W) image with a (KH, KW) kernel -> (H-KH+1, W-KW+1)."""
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for u in range(kh):
                for v in range(kw):
                    out[i, j] += image[i + u, j + v] * kernel[u, v]
    return out


def _pad(x, padding):
    """Zero padding of ``padding`` rows and columns on all four sides of the last two axes."""
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(padding, padding)] * 2)


def conv2d(x, w, b, stride, padding):
    """A convolutional layer's forward pass.

    x: (N, C, H, W) inputs; w: (O, C, KH, KW) kernels; b: (O,) biases or None.
    Returns (N, O, OH, OW) with ``OH = (H + 2*padding - KH) // stride + 1`` (OW likewise).
    """
    x, w = _pad(np.asarray(x, float), padding), np.asarray(w, float)
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for image in range(n):
        for k in range(o):
            for i in range(oh):
                for j in range(ow):
                    window = x[image, :, i * stride:i * stride + kh, j * stride:j * stride + kw]  # (C, KH, KW)
                    out[image, k, i, j] = np.sum(window * w[k])
            if b is not None:
                out[image, k] += b[k]
    return out


def conv2d_backward(grad_out, x, w, stride, padding):
    """Gradients of ``sum(grad_out * conv2d(x, w, b, stride, padding))``.

    Every output cell ``out[n, k, i, j]`` was a weighted sum of one window of ``x``; its gradient
    flows back to each input of that sum. Returns ``(grad_x, grad_w, grad_b)`` shaped like
    ``x`` (N, C, H, W), ``w`` (O, C, KH, KW) and ``b`` (O,).
    """
    grad_out, w = np.asarray(grad_out, float), np.asarray(w, float)
    x = np.asarray(x, float)
    padded = _pad(x, padding)
    kh, kw = w.shape[2:]
    grad_padded = np.zeros_like(padded)
    grad_w = np.zeros_like(w)
    n, o, oh, ow = grad_out.shape
    for image in range(n):
        for k in range(o):
            for i in range(oh):
                for j in range(ow):
                    rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
                    g = grad_out[image, k, i, j]
                    grad_padded[image, :, rows, cols] += g * w[k]  # d out / d window = w[k]
                    grad_w[k] += g * padded[image, :, rows, cols]  # d out / d w[k] = window
    grad_b = grad_out.sum(axis=(0, 2, 3))
    h, wd = x.shape[2:]
    grad_x = grad_padded[:, :, padding:padding + h, padding:padding + wd]
    return grad_x, grad_w, grad_b


def max_pool2d(x, kernel_size, stride):
    """Max pooling of (N, C, H, W) in (kernel_size x kernel_size) windows; stride None means kernel_size."""
    x = np.asarray(x, float)
    stride = kernel_size if stride is None else stride
    n, c, h, w = x.shape
    oh, ow = (h - kernel_size) // stride + 1, (w - kernel_size) // stride + 1
    out = np.zeros((n, c, oh, ow))
    for image in range(n):
        for channel in range(c):
            for i in range(oh):
                for j in range(ow):
                    window = x[image, channel, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size]
                    out[image, channel, i, j] = window.max()
    return out


def max_pool2d_backward(grad_out, x, kernel_size, stride):
    """Gradient of max pooling with respect to x (N, C, H, W).

    Each window's gradient goes to its first maximum in row-major order (as PyTorch does; where
    several cells tie, the derivative is not defined and this is the convention). Where windows
    overlap, a cell collects the gradient of every window it is the maximum of.
    """
    grad_out, x = np.asarray(grad_out, float), np.asarray(x, float)
    stride = kernel_size if stride is None else stride
    grad_x = np.zeros_like(x)
    n, c, oh, ow = grad_out.shape
    for image in range(n):
        for channel in range(c):
            for i in range(oh):
                for j in range(ow):
                    window = x[image, channel, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size]
                    u, v = np.unravel_index(np.argmax(window), window.shape)  # first maximum, row-major
                    grad_x[image, channel, i * stride + u, j * stride + v] += grad_out[image, channel, i, j]
    return grad_x
