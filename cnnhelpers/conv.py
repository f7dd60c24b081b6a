"""Convolution (cross-correlation, as in deep learning), forward and backward, in vectorised NumPy.

Layouts follow PyTorch: images are ``(N, C, H, W)`` and weights ``(O, C, KH, KW)``. The forward
pass is im2col built from a strided view, then ONE matrix product with the output channels as the
rows: ``weight.reshape(O, C*KH*KW) @ cols``. The backward pass is the same two ideas run in reverse.
"""

from __future__ import annotations

import itertools
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._validate import as_float_array, check_ndim, check_window_fits, padding_amounts, pair

__all__ = ["conv_output_size", "correlate2d", "convolve2d", "conv2d", "conv2d_backward"]

# im2col matrices are built a block of images (or of output rows) at a time, each within this size.
_COLS_BUDGET_BYTES = 2**20  # measured: 1 MiB beats 256 KiB and 4 MiB on W1-W4

# The input gradient's per-offset shares are computed a block of positions at a time, within this.
_INPUT_GRAD_BUDGET_BYTES = 4 * 2**20  # measured on W2: 15 ms, against 19 ms at 1 MiB and 58 ms unblocked

# Scratch buffers reused from call to call, per thread: fresh memory costs a page fault per 4 KiB,
# which took a third of W1's time. Buffers above the cap are allocated afresh and freed.
_WORKSPACE = threading.local()
_WORKSPACE_MAX_BYTES = 4 * 2**20


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
        If an argument is not an int (a bool or a float is not accepted).
    ValueError
        If an argument is out of range or the kernel is larger than the padded input.

    Examples
    --------
    >>> conv_output_size(5, 3), conv_output_size(5, 3, padding=1), conv_output_size(5, 3, stride=2)
    (3, 5, 2)
    """
    (size, _) = pair(size, "size", minimum=1)
    (kernel, _) = pair(kernel_size, "kernel_size", minimum=1)
    (step, _) = pair(stride, "stride", minimum=1)
    (dil, _) = pair(dilation, "dilation", minimum=1)
    top, bottom, _, _ = padding_amounts(padding if isinstance(padding, str) else (padding, 0),
                                        (kernel, 1), (dil, 1), (step, 1), allow_full=True)
    check_window_fits((size, 1), (top, bottom, 0, 0), (kernel, 1), (dil, 1), "kernel")
    return (size + top + bottom - dil * (kernel - 1) - 1) // step + 1


def _pad(x: np.ndarray, pads: tuple[int, int, int, int], value: float = 0.0) -> np.ndarray:
    """Pad the last two axes by ``(top, bottom, left, right)`` with ``value``."""
    if not any(pads):
        return x
    top, bottom, left, right = pads
    height, width = x.shape[-2:]
    out = np.full(x.shape[:-2] + (height + top + bottom, width + left + right), value, dtype=x.dtype)
    out[..., top:top + height, left:left + width] = x
    return out


def _scratch(purpose: str, size: int, dtype) -> np.ndarray:
    """A flat uninitialised buffer of ``size`` elements, the same memory each call for ``purpose``.

    Only for temporaries that never leave the function that asked: the next call overwrites it.
    """
    dtype = np.dtype(dtype)
    if size * dtype.itemsize > _WORKSPACE_MAX_BYTES:
        return np.empty(size, dtype=dtype)
    buffers = _WORKSPACE.__dict__.setdefault("buffers", {})
    buffer = buffers.get((purpose, dtype))
    if buffer is None or buffer.size < size:
        buffer = buffers[(purpose, dtype)] = np.empty(size, dtype=dtype)
    return buffer[:size]


def _output_shape(padded: tuple[int, int], kernel_size, stride, dilation) -> tuple[int, int]:
    settings = zip(padded, kernel_size, stride, dilation, strict=True)
    return tuple((p - d * (k - 1) - 1) // s + 1 for p, k, s, d in settings)


def window_view(xp: np.ndarray, kernel_size, stride, dilation, out_hw) -> np.ndarray:
    """Read-only strided view ``(..., KH, KW, OH, OW)`` of every window of the padded ``xp``."""
    *lead, _, _ = xp.shape
    row_step, col_step = xp.strides[-2:]
    strides = xp.strides[:-2] + (row_step * dilation[0], col_step * dilation[1],
                                 row_step * stride[0], col_step * stride[1])
    return as_strided(xp, shape=(*lead, *kernel_size, *out_hw), strides=strides, writeable=False)


def offset_slices(offset: tuple[int, int], stride, dilation, out_hw) -> tuple[slice, slice]:
    """Slices of the padded input that kernel offset ``(u, v)`` touches across all windows."""
    (u, v), (sh, sw), (dh, dw), (oh, ow) = offset, stride, dilation, out_hw
    return (slice(u * dh, u * dh + sh * (oh - 1) + 1, sh), slice(v * dw, v * dw + sw * (ow - 1) + 1, sw))


def _blocks(n: int, out_h: int, bytes_per_row: int):
    """Split the batch, then the output rows, into blocks whose im2col matrix fits the budget.

    ``bytes_per_row`` is the im2col size of one output row of one image. Whole images are grouped
    while they fit (large products for the BLAS); a single large image is split by rows.
    """
    per_image = bytes_per_row * out_h
    if per_image <= _COLS_BUDGET_BYTES:
        images = max(1, _COLS_BUDGET_BYTES // max(per_image, 1))
        return [(b, min(b + images, n), 0, out_h) for b in range(0, n, images)]
    rows = max(1, _COLS_BUDGET_BYTES // max(bytes_per_row, 1))
    return [(b, b + 1, r, min(r + rows, out_h)) for b in range(n) for r in range(0, out_h, rows)]


def wide_window_view(xp: np.ndarray, kernel_size, dilation) -> np.ndarray:
    """Stride-1 windows along the flattened padded rows, a read-only view (N, C, KH, KW, L).

    Position ``p = i*Wp + j`` (``Wp`` the padded width) is the window of output ``(i, j)`` for
    ``j < OW``; the last ``Wp - OW`` positions of each row straddle two rows and are discarded.
    Computing those few extra columns makes every im2col row one contiguous run of ``L`` numbers,
    which copies several times faster than ``OH`` runs of ``OW``.
    """
    xp = np.ascontiguousarray(xp)
    n, c, padded_h, padded_w = xp.shape
    (kh, kw), (dh, dw) = kernel_size, dilation
    length = (padded_h - dh * (kh - 1)) * padded_w - dw * (kw - 1)
    sn, sc, sh, sw = xp.strides
    return as_strided(xp, shape=(n, c, kh, kw, length), strides=(sn, sc, dh * sh, dw * sw, sw), writeable=False)


def _im2col_blocks(windows: np.ndarray, row_length: int | None = None):
    """Yield ``(b0, b1, start, stop, cols)``: the im2col matrix of each block of the batch and rows.

    ``windows`` is the (N, C, KH, KW, OH, OW) view, or with ``row_length`` (the padded width) the
    (N, C, KH, KW, L) view of :func:`wide_window_view`. ``cols`` has shape (n, C*KH*KW, stop-start)
    and covers output positions ``start:stop`` of images ``b0:b1``, positions counted row-major.
    Every block is copied into the same buffer: one allocation per call, a buffer that stays in
    the cache (fresh large arrays would cost a page fault per 4 KiB on every call).
    """
    n, c, kh, kw = windows.shape[:4]
    if row_length is None:
        out_h, per_row = windows.shape[4:]
    else:
        length, per_row = windows.shape[4], row_length
        out_h = -(-length // row_length)
    blocks = _blocks(n, out_h, c * kh * kw * per_row * windows.itemsize)
    b0, b1, r0, r1 = blocks[0]
    buffer = _scratch("im2col", (b1 - b0) * c * kh * kw * (r1 - r0) * per_row, windows.dtype)
    for b0, b1, r0, r1 in blocks:
        if row_length is None:
            start, stop, source = r0 * per_row, r1 * per_row, windows[b0:b1, ..., r0:r1, :]
        else:
            start, stop = r0 * per_row, min(r1 * per_row, length)
            source = windows[b0:b1, ..., start:stop]
        cols = buffer[:source.size].reshape(source.shape)
        np.copyto(cols, source)
        yield b0, b1, start, stop, cols.reshape(b1 - b0, c * kh * kw, stop - start)


def _conv_forward(x, weight, stride, pads, dilation):
    """Core forward pass on checked arrays: ``x`` (N, C, H, W), ``weight`` (O, C, KH, KW)."""
    n, c = x.shape[:2]
    o, _, kh, kw = weight.shape
    xp = _pad(x, pads)
    oh, ow = _output_shape(xp.shape[-2:], (kh, kw), stride, dilation)
    out = np.empty((n, o, oh, ow), dtype=x.dtype)
    if n == 0 or o == 0:
        return out
    if c * o == 1:
        # One input and one output channel: KH*KW scaled slices beat a (1, KH*KW) @ (KH*KW, P) product.
        if stride == (1, 1):  # slices of the flattened padded rows are contiguous: ~40% faster
            padded_w = xp.shape[-1]
            flat = np.ascontiguousarray(xp).reshape(n, -1)
            length = oh * padded_w - dilation[1] * (kw - 1)
            wide = _scratch("taps", n * oh * padded_w, x.dtype).reshape(n, oh * padded_w)  # last Wp - OW per row unused
            target, scratch = wide[:, :length], _scratch("tap", n * length, x.dtype).reshape(n, length)
            for k, (u, v) in enumerate(itertools.product(range(kh), range(kw))):
                start = u * dilation[0] * padded_w + v * dilation[1]
                np.multiply(flat[:, start:start + length], weight[0, 0, u, v], out=target if k == 0 else scratch)
                if k:
                    target += scratch
            out[:, 0] = wide.reshape(n, oh, padded_w)[..., :ow]
            return out
        scratch = np.empty((n, oh, ow), dtype=x.dtype)
        for k, (u, v) in enumerate(itertools.product(range(kh), range(kw))):
            rows, cols = offset_slices((u, v), stride, dilation, (oh, ow))
            np.multiply(xp[:, 0, rows, cols], weight[0, 0, u, v], out=out[:, 0] if k == 0 else scratch)
            if k:
                out[:, 0] += scratch
        return out
    w_rows = weight.reshape(o, c * kh * kw)
    if stride == (1, 1):
        padded_w = xp.shape[-1]
        wide = _scratch("wide", n * o * oh * padded_w, x.dtype).reshape(n, o, oh * padded_w)  # last Wp - OW unused
        for b0, b1, start, stop, cols in _im2col_blocks(wide_window_view(xp, (kh, kw), dilation), padded_w):
            np.matmul(w_rows, cols, out=wide[b0:b1, :, start:stop])  # (O, CKK) @ (n, CKK, positions)
        out[...] = wide.reshape(n, o, oh, padded_w)[..., :ow]
        return out
    flat = out.reshape(n, o, oh * ow)
    for b0, b1, start, stop, cols in _im2col_blocks(window_view(xp, (kh, kw), stride, dilation, (oh, ow))):
        np.matmul(w_rows, cols, out=flat[b0:b1, :, start:stop])  # straight into the output
    return out


def _conv_backward(grad_out, x, weight, stride, pads, dilation, input_grad=True):
    """Core backward pass on checked arrays; returns ``(grad_x or None, grad_weight, grad_bias)``."""
    n, c, height, width = x.shape
    o, _, kh, kw = weight.shape
    oh, ow = grad_out.shape[-2:]
    grad_bias = grad_out.sum(axis=(0, 2, 3))
    xp = _pad(x, pads)
    grad_weight = np.zeros(weight.shape, dtype=x.dtype)
    if n == 0:
        return (np.zeros(x.shape, dtype=x.dtype) if input_grad else None), grad_weight, grad_bias
    # grad_weight: grad_out rows times im2col columns, summed over the batch.
    if stride == (1, 1):
        row_length = xp.shape[-1]
        windows = wide_window_view(xp, (kh, kw), dilation)
        g_flat = np.zeros((n, o, oh, row_length), dtype=x.dtype)  # discarded columns get zero gradient
        g_flat[..., :ow] = grad_out
        g_flat = g_flat.reshape(n, o, oh * row_length)
    else:
        row_length, windows = None, window_view(xp, (kh, kw), stride, dilation, (oh, ow))
        g_flat = grad_out.reshape(n, o, oh * ow)
    grad_w_rows = grad_weight.reshape(o, c * kh * kw)
    for b0, b1, start, stop, cols in _im2col_blocks(windows, row_length):
        # (O, P) @ (P, CKK) per image: the BLAS reads cols transposed in place (tensordot would copy it)
        grad_w_rows += np.matmul(g_flat[b0:b1, :, start:stop], cols.transpose(0, 2, 1)).sum(axis=0)
    if not input_grad:
        return None, grad_weight, grad_bias
    grad_x = _conv_input_grad(grad_out, weight, xp.shape, stride, pads, dilation, (height, width))
    return grad_x, grad_weight, grad_bias


def _conv_input_grad(grad_out, weight, padded_shape, stride, pads, dilation, size):
    """Gradient with respect to the (unpadded) input, shape (N, C, H, W)."""
    n, o, oh, ow = grad_out.shape
    _, c, kh, kw = weight.shape
    spans = (dilation[0] * (kh - 1), dilation[1] * (kw - 1))
    full_pads = (spans[0] - pads[0], spans[0] - pads[1], spans[1] - pads[2], spans[1] - pads[3])
    if stride == (1, 1) and c >= 8 and min(full_pads) >= 0:
        # Stride 1: the input gradient is a full correlation of grad_out with the flipped kernel,
        # channels swapped. For 8+ input channels this one product beats the per-offset loop below.
        flipped = np.ascontiguousarray(weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])  # (C, O, KH, KW)
        return _conv_forward(grad_out, flipped, (1, 1), full_pads, dilation)
    grad_xp = np.zeros(padded_shape, dtype=grad_out.dtype)
    if stride == (1, 1):
        # Kernel offset (u, v) adds W[:, :, u, v].T @ grad_out to a contiguous run of the flattened
        # padded rows (grad_out gets zero columns where those runs straddle two rows). A block of
        # positions at a time, ONE product gives every offset's share: (KH*KW*C, O) @ (O, block).
        padded_w = padded_shape[-1]
        length = oh * padded_w - dilation[1] * (kw - 1)
        g_wide = np.zeros((n, o, oh, padded_w), dtype=grad_out.dtype)
        g_wide[..., :ow] = grad_out
        g_wide = g_wide.reshape(n, o, oh * padded_w)
        flat = grad_xp.reshape(n, c, -1)
        taps = kh * kw
        w_taps = np.ascontiguousarray(weight.transpose(2, 3, 1, 0)).reshape(taps * c, o)  # rows (u, v, c)
        starts = [u * dilation[0] * padded_w + v * dilation[1] for u in range(kh) for v in range(kw)]
        block = max(256, _INPUT_GRAD_BUDGET_BYTES // (n * taps * c * grad_out.itemsize))  # measured on W1-W3a
        shares = _scratch("shares", n * taps * c * block, grad_out.dtype).reshape(n, taps * c, block)
        for p0 in range(0, length, block):
            p1 = min(p0 + block, length)
            part = np.matmul(w_taps, g_wide[..., p0:p1], out=shares[..., :p1 - p0])  # (N, KK*C, positions)
            part = part.reshape(n, taps, c, p1 - p0)
            for k, start in enumerate(starts):
                flat[..., start + p0:start + p1] += part[:, k]
        return np.ascontiguousarray(grad_xp[..., pads[0]:pads[0] + size[0], pads[2]:pads[2] + size[1]])
    # Each kernel offset scatters W[:, :, u, v].T @ grad_out into its strided slice.
    g_rows = grad_out.reshape(n, o, oh * ow)
    contribution = np.empty((n, c, oh * ow), dtype=grad_out.dtype)
    for u in range(kh):
        for v in range(kw):
            rows, cols = offset_slices((u, v), stride, dilation, (oh, ow))
            np.matmul(weight[:, :, u, v].T, g_rows, out=contribution)  # (N, C, OH*OW)
            grad_xp[:, :, rows, cols] += contribution.reshape(n, c, oh, ow)
    grad_x = grad_xp[..., pads[0]:pads[0] + size[0], pads[2]:pads[2] + size[1]]
    return np.ascontiguousarray(grad_x)


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
    dtype = np.result_type(x4.dtype, weight.dtype)
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
    out = _conv_forward(x4, weight, stride, pads, dilation)
    if bias is not None:
        given_floats = isinstance(bias, np.ndarray) and bias.dtype.kind == "f"
        bias = as_float_array(bias, "bias")
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"bias must have shape ({weight.shape[0]},) to match weight's "
                             f"{weight.shape[0]} output channels; got shape {bias.shape}")
        if not given_floats:  # a list or integers carry no precision of their own: keep the output's
            bias = bias.astype(out.dtype)
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
    expected = (x4.shape[0], weight.shape[0], *_output_shape(padded, weight.shape[2:], stride, dilation))
    if grad_out.shape != (expected if batched else expected[1:]):
        raise ValueError(f"grad_out must have the forward output's shape "
                         f"{expected if batched else expected[1:]}; got {grad_out.shape}")
    grad_out = grad_out.astype(x4.dtype, copy=False).reshape(expected)
    grad_x, grad_weight, grad_bias = _conv_backward(grad_out, x4, weight, stride, pads, dilation, input_grad)
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
    return _conv_forward(x4, weight, stride, pads, dilation)[0, 0]


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

