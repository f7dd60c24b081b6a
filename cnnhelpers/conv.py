"""Convolution (cross-correlation, as in deep learning), forward and backward, in NumPy.

Layouts follow PyTorch: images are ``(N, C, H, W)``, weights ``(O, C, KH, KW)``. The idea is three
steps, written out in :func:`forward` and :func:`backward` just below:

1. **pad** the input with zeros;
2. **view every window** the kernel visits: a strided view of the padded input, no copy;
3. **one matrix product** multiplies every window by every kernel and sums over ``C, KH, KW``.

The backward pass runs the same product the other way round. The public functions
(:func:`conv2d`, :func:`conv2d_backward`, :func:`correlate2d`, ...) check their arguments
(:mod:`cnnhelpers._validate`), then hand the work to :mod:`cnnhelpers._fast_conv`, which computes the
same numbers faster; empty inputs go through :func:`forward` and :func:`backward` themselves. The tests
hold both to the plain loops of :mod:`cnnhelpers.reference`.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import _fast_conv
from ._fast_conv import offset_slices, output_shape  # noqa: F401 (offset_slices: used by the lessons' figures)
from ._validate import as_float_array, check_allocation, check_ndim, check_window_fits, count, padding_amounts, pair

__all__ = ["conv_output_size", "correlate2d", "convolve2d", "conv2d", "conv2d_backward"]


def windows(xp: np.ndarray, kernel_size, stride=(1, 1), dilation=(1, 1)) -> np.ndarray:
    """Every window of the padded ``xp`` (..., Hp, Wp), as a read-only view (..., OH, OW, KH, KW).

    >>> windows(np.arange(16).reshape(4, 4), (2, 2), stride=(2, 2))[1, 0]
    array([[ 8,  9],
           [12, 13]])
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)  # a dilated kernel covers this many rows and columns
    every = sliding_window_view(xp, span, axis=(-2, -1))  # (..., Hp-span+1, Wp-span+1, spanH, spanW)
    return every[..., ::sh, ::sw, ::dh, ::dw]  # (..., OH, OW, KH, KW)


def forward(xp: np.ndarray, weight: np.ndarray, stride=(1, 1), dilation=(1, 1)) -> np.ndarray:
    """Convolution of an already padded ``xp`` (N, C, Hp, Wp) with ``weight`` (O, C, KH, KW) -> (N, O, OH, OW).

    >>> forward(np.arange(9.0).reshape(1, 1, 3, 3), np.ones((1, 1, 2, 2)))[0, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    cols = windows(xp, weight.shape[2:], stride, dilation)  # (N, C, OH, OW, KH, KW)
    out = np.tensordot(cols, weight, axes=([1, 4, 5], [1, 2, 3]))  # (N, OH, OW, O): sum over C, KH, KW
    return out.transpose(0, 3, 1, 2)  # (N, O, OH, OW)


def backward(grad_out: np.ndarray, xp: np.ndarray, weight: np.ndarray, stride=(1, 1), dilation=(1, 1)):
    """Gradients of ``sum(grad_out * forward(xp, weight))``: ``(grad_xp, grad_weight, grad_bias)``.

    ``grad_out`` is (N, O, OH, OW); ``grad_xp`` is shaped like the padded ``xp`` (crop it to get
    the gradient of the unpadded input).
    """
    kh, kw = weight.shape[2:]
    oh, ow = grad_out.shape[2:]
    cols = windows(xp, (kh, kw), stride, dilation)  # (N, C, OH, OW, KH, KW)
    # Each weight multiplied one value in every window: its gradient sums grad_out * that value.
    grad_weight = np.tensordot(grad_out, cols, axes=([0, 2, 3], [0, 2, 3]))  # (O, C, KH, KW)
    grad_bias = grad_out.sum(axis=(0, 2, 3))  # (O,)
    # Each window value was multiplied by its weight: it gets grad_out * weight, summed over O ...
    grad_cols = np.tensordot(grad_out, weight, axes=([1], [0]))  # (N, OH, OW, C, KH, KW)
    # ... and goes back to the pixel it was read from: kernel offset (u, v) of window (i, j) read
    # xp[..., i*sh + u*dh, j*sw + v*dw], so over all windows offset (u, v) read one strided slice.
    (sh, sw), (dh, dw) = stride, dilation
    grad_xp = np.zeros(xp.shape, dtype=np.result_type(grad_out, weight))
    for u in range(kh):
        for v in range(kw):
            rows = slice(u * dh, u * dh + sh * (oh - 1) + 1, sh)  # OH rows
            columns = slice(v * dw, v * dw + sw * (ow - 1) + 1, sw)  # OW columns
            grad_xp[:, :, rows, columns] += grad_cols[..., u, v].transpose(0, 3, 1, 2)  # (N, C, OH, OW)
    return grad_xp, grad_weight, grad_bias


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int | str = 0,
                     dilation: int = 1) -> int:
    """Length of a convolution's (or pooling's) output along one axis.

    ``floor((size + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``

    Parameters
    ----------
    size : int
        Input length (height or width), >= 1.
    kernel_size, stride, dilation : int
        Each >= 1.
    padding : int or {"valid", "same", "full"}
        Zeros added on each side (>= 0), or a mode: "valid" is 0, "same" keeps ``size``
        (stride must be 1), "full" is ``dilation*(kernel_size-1)``.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If an argument is not an int (a bool, a float or a pair is not accepted: one axis at a time).
    ValueError
        If an argument is out of range or the kernel is larger than the padded input.

    Examples
    --------
    >>> conv_output_size(5, 3), conv_output_size(5, 3, padding=1), conv_output_size(5, 3, stride=2)
    (3, 5, 2)
    """
    size = count(size, "size")
    kernel = count(kernel_size, "kernel_size")
    step = count(stride, "stride")
    dil = count(dilation, "dilation")
    if not isinstance(padding, str):
        padding = (count(padding, "padding", minimum=0), 0)
    top, bottom, _, _ = padding_amounts(padding, (kernel, 1), (dil, 1), (step, 1), allow_full=True)
    check_window_fits((size, 1), (top, bottom, 0, 0), (kernel, 1), (dil, 1), "kernel")
    return (size + top + bottom - dil * (kernel - 1) - 1) // step + 1


def _compute_forward(x, weight, stride, pads, dilation):
    """Checked (N, C, H, W) and (O, C, KH, KW) -> (N, O, OH, OW): the fast path, or the idea when empty."""
    if x.size and weight.size:
        return _fast_conv.conv_forward(x, weight, stride, pads, dilation)
    xp = np.pad(x, [(0, 0), (0, 0), pads[:2], pads[2:]])
    return np.ascontiguousarray(forward(xp, weight, stride, dilation), dtype=x.dtype)


def _compute_backward(grad_out, x, weight, stride, pads, dilation, input_grad):
    """Checked arrays -> ``(grad_x or None, grad_weight, grad_bias)``: the fast path, or the idea when empty."""
    if x.size and weight.size:
        return _fast_conv.conv_backward(grad_out, x, weight, stride, pads, dilation, input_grad)
    xp = np.pad(x, [(0, 0), (0, 0), pads[:2], pads[2:]])
    grad_xp, grad_weight, grad_bias = backward(grad_out, xp, weight, stride, dilation)
    grad_x = np.ascontiguousarray(grad_xp[..., pads[0]:pads[0] + x.shape[2], pads[2]:pads[2] + x.shape[3]])
    return (grad_x if input_grad else None), grad_weight.astype(x.dtype), grad_bias.astype(x.dtype)


def _check_conv(x, weight, stride, padding, dilation, allow_full=False):
    """Validate conv arguments; return ``(x4, weight, stride, pads, dilation, batched)``."""
    x = as_float_array(x, "x")
    weight = as_float_array(weight, "weight")
    check_ndim(x, "x", (3, 4), "(C, H, W) or (N, C, H, W)")
    check_ndim(weight, "weight", (4,), "(O, C, KH, KW)")
    batched = x.ndim == 4
    x4 = x if batched else x[None]
    if weight.shape[1] != x4.shape[1]:
        raise ValueError(f"x has {x4.shape[1]} channels but weight expects {weight.shape[1]} "
                         f"(x shape {x.shape}, weight shape {weight.shape}); they must be equal")
    if 0 in weight.shape[2:]:
        raise ValueError(f"weight's kernel must be at least 1x1; got weight shape {weight.shape}")
    stride = pair(stride, "stride")
    dilation = pair(dilation, "dilation")
    kernel_size = weight.shape[2:]
    pads = padding_amounts(padding, kernel_size, dilation, stride, allow_full=allow_full)
    check_window_fits(x4.shape[2:], pads, kernel_size, dilation, "kernel")
    padded = (x4.shape[2] + pads[0] + pads[1], x4.shape[3] + pads[2] + pads[3])
    dtype = np.result_type(x4.dtype, weight.dtype)
    if any(pads):
        check_allocation((*x4.shape[:2], *padded), dtype, "the padded input", f"padding={padding!r}")
    out_hw = output_shape(padded, kernel_size, stride, dilation)
    check_allocation((x4.shape[0], weight.shape[0], *out_hw), dtype, "an output",
                     f"x of shape {x.shape} with weight of shape {weight.shape}")
    # A stride longer than the padded input leaves one window along that axis, whatever its value.
    stride = tuple(min(s, p) for s, p in zip(stride, padded, strict=True))
    return x4.astype(dtype, copy=False), weight.astype(dtype, copy=False), stride, pads, dilation, batched


def conv2d(x, weight, bias=None, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """2-D convolution of a batch of multi-channel images, as ``torch.nn.functional.conv2d``.

    ``out[n, o, i, j] = bias[o] + sum_{c,u,v} xpad[n, c, i*sh + u*dh, j*sw + v*dw] * weight[o, c, u, v]``

    Parameters
    ----------
    x : array of shape (N, C, H, W) or (C, H, W)
    weight : array of shape (O, C, KH, KW)
    bias : array of shape (O,), optional
    stride, dilation : int or (int, int), each >= 1
    padding : int, (int, int), "valid" or "same"
        Zeros added on both sides; "same" keeps H and W (stride 1 only; the odd extra row and
        column go at the bottom and right, as in PyTorch).

    Returns
    -------
    out : array of shape (N, O, OH, OW), or (O, OH, OW) for an unbatched ``x``
        float32 if every input is float32, else float64.

    Raises
    ------
    TypeError, ValueError
        Wrong ranks, channel counts that differ, a bias of the wrong length, bad stride/padding/
        dilation, or a kernel larger than the padded input.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d(x, np.ones((1, 1, 2, 2)), stride=2)[0, 0]
    array([[10., 18.],
           [42., 50.]])
    """
    x4, weight, stride, pads, dilation, batched = _check_conv(x, weight, stride, padding, dilation)
    out = _compute_forward(x4, weight, stride, pads, dilation)
    if bias is not None:
        given_floats = isinstance(bias, np.ndarray) and bias.dtype.kind == "f"
        bias = as_float_array(bias, "bias")
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"bias must have shape ({weight.shape[0]},) to match weight's "
                             f"{weight.shape[0]} output channels; got shape {bias.shape}")
        if not given_floats:  # a list or integers carry no precision of their own: keep the output's
            bias = bias.astype(out.dtype)
        if np.result_type(out, bias) == out.dtype:
            out += bias[:, None, None]  # out is ours, fresh: no need for a second array
        else:
            out = out + bias[:, None, None]  # float arrays promote as in NumPy: float32 stays float32 if all are
    return out if batched else out[0]


def conv2d_backward(grad_out, x, weight, *, stride=1, padding=0, dilation=1, input_grad: bool = True):
    """Gradients of ``sum(grad_out * conv2d(x, weight, bias, ...))``.

    Parameters
    ----------
    grad_out : array shaped like ``conv2d(x, weight, ...)``: (N, O, OH, OW) or (O, OH, OW)
    x, weight, stride, padding, dilation
        As given to :func:`conv2d`.
    input_grad : bool
        False skips ``grad_x`` (returned as None): a network's first layer never needs it.

    Returns
    -------
    grad_x : array shaped like ``x`` (None when ``input_grad`` is False)
    grad_weight : array of shape (O, C, KH, KW)
    grad_bias : array of shape (O,)

    Raises
    ------
    TypeError, ValueError
        As :func:`conv2d`, or if ``grad_out`` does not have the shape of the forward output.

    Examples
    --------
    >>> x, w = np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))
    >>> gx, gw, gb = conv2d_backward(np.ones((1, 1, 2, 2)), x, w)
    >>> gx[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    x4, weight, stride, pads, dilation, batched = _check_conv(x, weight, stride, padding, dilation)
    grad_out = as_float_array(grad_out, "grad_out")
    padded = (x4.shape[2] + pads[0] + pads[1], x4.shape[3] + pads[2] + pads[3])
    expected = (x4.shape[0], weight.shape[0], *output_shape(padded, weight.shape[2:], stride, dilation))
    if grad_out.shape != (expected if batched else expected[1:]):
        raise ValueError(f"grad_out must have the forward output's shape "
                         f"{expected if batched else expected[1:]}; got {grad_out.shape}")
    grad_out = grad_out.astype(x4.dtype, copy=False).reshape(expected)
    grad_x, grad_weight, grad_bias = _compute_backward(grad_out, x4, weight, stride, pads, dilation, input_grad)
    if grad_x is not None and not batched:
        grad_x = grad_x[0]
    return grad_x, grad_weight, grad_bias


def correlate2d(image, kernel, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Cross-correlate one 2-D image with one 2-D kernel (what deep learning calls convolution).

    ``out[i, j] = sum_{u,v} padded[i*sh + u*dh, j*sw + v*dw] * kernel[u, v]``

    Parameters
    ----------
    image : array of shape (H, W)
    kernel : array of shape (KH, KW)
    stride, dilation : int or (int, int), each >= 1
    padding : int, (int, int), "valid", "same" or "full"
        "full" pads ``dilation*(kernel_size-1)`` on each side: every partial overlap.

    Returns
    -------
    out : array of shape (OH, OW)

    Raises
    ------
    TypeError, ValueError
        If ``image`` or ``kernel`` is not 2-D, or for bad stride/padding/dilation, or a kernel
        larger than the padded image.

    Examples
    --------
    The lecture's worked example: a 3x3 patch and the Sobel kernel give 2.

    >>> correlate2d([[3, 2, 1], [1, 2, 3], [1, 1, 1]], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    array([[2.]])
    """
    image = as_float_array(image, "image")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(image, "image", (2,), "(H, W)")
    check_ndim(kernel, "kernel", (2,), "(KH, KW)")
    x4, weight, stride, pads, dilation, _ = _check_conv(image[None, None], kernel[None, None], stride,
                                                         padding, dilation, allow_full=True)
    return _compute_forward(x4, weight, stride, pads, dilation)[0, 0]


def convolve2d(image, kernel, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """True (mathematician's) convolution: :func:`correlate2d` with the kernel flipped in both axes.

    Same parameters, returns and errors as :func:`correlate2d`.

    Examples
    --------
    >>> convolve2d([[0, 0, 0], [0, 1, 0], [0, 0, 0]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]], padding=1)
    array([[1., 2., 3.],
           [4., 5., 6.],
           [7., 8., 9.]])
    """
    kernel = as_float_array(kernel, "kernel")
    check_ndim(kernel, "kernel", (2,), "(KH, KW)")
    return correlate2d(image, kernel[::-1, ::-1], stride=stride, padding=padding, dilation=dilation)

