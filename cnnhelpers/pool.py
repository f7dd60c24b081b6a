"""Max, average and adaptive pooling, forward and backward, in vectorised NumPy.

Inputs may be ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``; the output has the same rank. Each
pass loops over the few offsets of the pooling window and handles every window at once at each
offset: a running ``np.maximum`` over strided slices is about 40x faster than a reshape-and-max.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_ndim, check_window_fits, pair
from .conv import _output_shape, _pad, offset_slices

__all__ = ["max_pool2d", "avg_pool2d", "max_pool2d_backward", "avg_pool2d_backward",
           "adaptive_avg_pool2d", "adaptive_max_pool2d"]

_LAYOUT = "(H, W), (C, H, W) or (N, C, H, W)"
_NO_DILATION = (1, 1)


def _check_pool(x, kernel_size, stride, padding, name="x"):
    """Validate pooling arguments; return ``(x, kernel_size, stride, pads, out_hw)``."""
    x = as_float_array(x, name)
    check_ndim(x, name, (2, 3, 4), _LAYOUT)
    kernel_size = pair(kernel_size, "kernel_size")
    stride = kernel_size if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else pair(stride, "stride")
    ph, pw = pair(padding, "padding", minimum=0)
    if ph > kernel_size[0] // 2 or pw > kernel_size[1] // 2:
        raise ValueError(f"padding must be at most half the kernel size (padding <= kernel_size // 2, "
                         f"as in PyTorch); got padding=({ph}, {pw}) with kernel_size={kernel_size}")
    pads = (ph, ph, pw, pw)
    check_window_fits(x.shape[-2:], pads, kernel_size, _NO_DILATION, "pooling window")
    padded = (x.shape[-2] + 2 * ph, x.shape[-1] + 2 * pw)
    return x, kernel_size, stride, pads, _output_shape(padded, kernel_size, stride, _NO_DILATION)


def _offsets(kernel_size):
    return [(u, v) for u in range(kernel_size[0]) for v in range(kernel_size[1])]  # row-major


def _check_grad(grad_out, x, out_hw):
    grad_out = as_float_array(grad_out, "grad_out")
    expected = x.shape[:-2] + tuple(out_hw)
    if grad_out.shape != expected:
        raise ValueError(f"grad_out must have the forward output's shape {expected}; got {grad_out.shape}")
    return grad_out.astype(np.result_type(x.dtype, grad_out.dtype), copy=False)


def max_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Max pooling, as ``torch.nn.functional.max_pool2d``.

    Parameters
    ----------
    x : array of shape (H, W), (C, H, W) or (N, C, H, W)
    kernel_size : int or (int, int), each >= 1
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int)
        Padding counted as -inf on each side; at most ``kernel_size // 2``.

    Returns
    -------
    out : array of the same rank, spatial size ``floor((H + 2p - k) / s) + 1``

    Raises
    ------
    TypeError, ValueError
        Wrong rank, bad kernel_size/stride/padding, or a window larger than the padded input.

    Examples
    --------
    >>> max_pool2d(np.arange(16).reshape(4, 4), 2)
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x, kernel_size, stride, pads, out_hw = _check_pool(x, kernel_size, stride, padding)
    xp = _pad(x, pads, value=-np.inf)
    out = None
    for offset in _offsets(kernel_size):
        window = xp[(..., *offset_slices(offset, stride, _NO_DILATION, out_hw))]
        out = window.copy() if out is None else np.maximum(out, window, out=out)  # NaN propagates
    return out


def max_pool2d_backward(grad_out, x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Gradient of ``sum(grad_out * max_pool2d(x, ...))`` with respect to ``x``.

    Each window sends its gradient to its first maximum in row-major order (a NaN wins over
    numbers, the last NaN over earlier ones), as PyTorch's CPU kernel does. Overlapping windows
    add up.

    Parameters
    ----------
    grad_out : array shaped like ``max_pool2d(x, ...)``
    x, kernel_size, stride, padding
        As given to :func:`max_pool2d`.

    Returns
    -------
    grad_x : array shaped like ``x``

    Examples
    --------
    >>> max_pool2d_backward(np.ones((1, 1)), [[1, 3], [3, 2]], 2)
    array([[0., 1.],
           [0., 0.]])
    """
    x, kernel_size, stride, pads, out_hw = _check_pool(x, kernel_size, stride, padding)
    grad_out = _check_grad(grad_out, x, out_hw)
    if tuple(stride) == tuple(kernel_size) and not any(pads):
        fast = _tiled_max_pool_backward(grad_out, x, kernel_size, out_hw)
        if fast is not None:
            return fast
    xp = _pad(x, pads, value=-np.inf)
    inside = _pad(np.ones(x.shape[-2:], dtype=bool), pads, value=False) if any(pads) else None
    out = max_pool2d(x, kernel_size, stride, padding)
    out_is_nan = np.isnan(out)
    any_nan = bool(out_is_nan.any())
    offsets = _offsets(kernel_size)
    # winner[...] = index of the offset that holds each window's maximum (row-major first).
    winner = np.full(out.shape, len(offsets), dtype=np.int16)
    for k in reversed(range(len(offsets))):  # walking backwards, the first maximum is written last
        slices = offset_slices(offsets[k], stride, _NO_DILATION, out_hw)
        hit = xp[(..., *slices)] == out
        if inside is not None:
            hit &= inside[slices]  # padding never wins
        np.copyto(winner, k, where=hit)
    if any_nan:  # PyTorch's CPU kernel: a NaN beats numbers, and a later NaN beats an earlier one
        for k, offset in enumerate(offsets):
            window = xp[(..., *offset_slices(offset, stride, _NO_DILATION, out_hw))]
            np.copyto(winner, k, where=np.isnan(window) & out_is_nan)
    grad_xp = np.zeros(xp.shape, dtype=grad_out.dtype)
    overlapping = stride[0] < kernel_size[0] or stride[1] < kernel_size[1]
    for k, offset in enumerate(offsets):
        target = grad_xp[(..., *offset_slices(offset, stride, _NO_DILATION, out_hw))]
        if overlapping:
            np.add(target, grad_out, out=target, where=winner == k)
        else:  # each input pixel sits in at most one window: write, don't add
            np.copyto(target, grad_out, where=winner == k)
    return _crop(grad_xp, pads, x.shape)


def _first_set_bit_table(bits: int) -> np.ndarray:
    """table[m] = index of the lowest set bit of m (for m > 0)."""
    masks = np.arange(1, 2**bits)
    table = np.zeros(2**bits, dtype=np.intp)
    table[1:] = np.log2(masks & -masks).astype(np.intp)
    return table


_FIRST_SET_BIT = _first_set_bit_table(9)  # up to 3x3 windows


def _tiled_max_pool_backward(grad_out, x, kernel_size, out_hw):
    """Backward for windows that tile the image (stride == kernel_size, no padding), or None.

    Each offset's "equals the maximum" test sets one bit of a per-window code; the lowest set bit
    is the first maximum in row-major order (PyTorch's rule), read from a table. One flat scatter
    then writes each window's gradient to its winner. Returns None for windows larger than 3x3 or
    when a window holds a NaN, for the general path to handle.
    """
    (kh, kw), (oh, ow) = kernel_size, out_hw
    if kh * kw > 9:
        return None
    out = max_pool2d(x, kernel_size)
    if np.isnan(out).any():
        return None
    code = np.zeros(out.shape, dtype=np.uint16)
    for k, offset in enumerate(_offsets(kernel_size)):
        hit = x[(..., *offset_slices(offset, kernel_size, _NO_DILATION, out_hw))] == out
        code |= hit.view(np.uint8).astype(np.uint16) << k
    winner = _FIRST_SET_BIT[code]  # (..., OH, OW) offset index
    height, width = x.shape[-2:]
    offset_in_plane = np.array([u * width + v for u, v in _offsets(kernel_size)])
    corner = (np.arange(oh)[:, None] * kh) * width + np.arange(ow)[None, :] * kw  # window's top-left
    planes = np.arange(out.size // (oh * ow)).reshape(out.shape[:-2] + (1, 1)) * (height * width)
    grad_x = np.zeros(x.size, dtype=grad_out.dtype)
    grad_x[(planes + corner + offset_in_plane[winner]).ravel()] = grad_out.ravel()  # tiles never overlap
    return grad_x.reshape(x.shape)


def avg_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Average pooling, as ``torch.nn.functional.avg_pool2d`` with its defaults.

    Padded zeros count in the mean (``count_include_pad=True``), so every window divides by
    ``KH*KW``.

    Parameters, returns and errors as :func:`max_pool2d`.

    Examples
    --------
    >>> avg_pool2d(np.arange(16).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    x, kernel_size, stride, pads, out_hw = _check_pool(x, kernel_size, stride, padding)
    xp = _pad(x, pads)
    total = np.zeros(x.shape[:-2] + tuple(out_hw), dtype=x.dtype)
    for offset in _offsets(kernel_size):
        total += xp[(..., *offset_slices(offset, stride, _NO_DILATION, out_hw))]
    total /= kernel_size[0] * kernel_size[1]
    return total


def avg_pool2d_backward(grad_out, x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Gradient of ``sum(grad_out * avg_pool2d(x, ...))`` with respect to ``x``.

    Every pixel of a window receives ``grad_out / (KH*KW)``; overlapping windows add up.

    Examples
    --------
    >>> avg_pool2d_backward(np.ones((1, 1)), np.zeros((2, 2)), 2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    x, kernel_size, stride, pads, out_hw = _check_pool(x, kernel_size, stride, padding)
    grad_out = _check_grad(grad_out, x, out_hw)
    share = grad_out / (kernel_size[0] * kernel_size[1])
    grad_xp = np.zeros(x.shape[:-2] + (x.shape[-2] + 2 * pads[0], x.shape[-1] + 2 * pads[2]), dtype=share.dtype)
    for offset in _offsets(kernel_size):
        grad_xp[(..., *offset_slices(offset, stride, _NO_DILATION, out_hw))] += share
    return _crop(grad_xp, pads, x.shape)


def _crop(grad_xp, pads, shape):
    return np.ascontiguousarray(grad_xp[..., pads[0]:pads[0] + shape[-2], pads[2]:pads[2] + shape[-1]])


def _adaptive_windows(size: int, out: int):
    """Start and end of each adaptive window: ``floor(i*size/out)`` to ``ceil((i+1)*size/out)``."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    return start, end


def _adaptive(x, output_size, reduce: str):
    x = as_float_array(x, "x")
    check_ndim(x, "x", (2, 3, 4), _LAYOUT)
    if isinstance(output_size, (tuple, list)) and len(output_size) == 2:
        # None keeps that axis' input size, as in PyTorch.
        output_size = tuple(x.shape[-2 + axis] if s is None else s for axis, s in enumerate(output_size))
    oh, ow = pair(output_size, "output_size")
    height, width = x.shape[-2:]
    if height == 0 or width == 0:
        raise ValueError(f"x must have non-empty height and width; got shape {x.shape}")
    row_start, row_end = _adaptive_windows(height, oh)
    col_start, col_end = _adaptive_windows(width, ow)
    result = None
    # Loop over offsets inside the largest window; an offset past a window's end is masked out.
    for du in range(int((row_end - row_start).max())):
        rows = np.minimum(row_start + du, row_end - 1)
        row_ok = (row_start + du) < row_end
        for dv in range(int((col_end - col_start).max())):
            cols = np.minimum(col_start + dv, col_end - 1)
            values = x[..., rows[:, None], cols[None, :]]  # (..., OH, OW)
            if reduce == "max":  # a clamped index repeats a window member: harmless for max
                result = values if result is None else np.maximum(result, values)
            else:
                ok = row_ok[:, None] & ((col_start + dv) < col_end)[None, :]
                values = np.where(ok, values, 0)
                result = values if result is None else result + values
    if reduce == "mean":
        counts = (row_end - row_start)[:, None] * (col_end - col_start)[None, :]
        result = result / counts.astype(x.dtype)
    return result


def adaptive_avg_pool2d(x, output_size) -> np.ndarray:
    """Average over adaptive windows so that any input size gives ``output_size``.

    Window ``i`` along an axis of length ``H`` spans ``floor(i*H/oh)`` to ``ceil((i+1)*H/oh)``,
    as in ``torch.nn.functional.adaptive_avg_pool2d``.

    Parameters
    ----------
    x : array of shape (H, W), (C, H, W) or (N, C, H, W)
    output_size : int or (int or None, int or None)
        None keeps that axis' input size.

    Returns
    -------
    out : array of the same rank with spatial size ``output_size``

    Examples
    --------
    >>> adaptive_avg_pool2d(np.arange(9).reshape(3, 3), 2)
    array([[2., 3.],
           [5., 6.]])
    """
    return _adaptive(x, output_size, "mean")


def adaptive_max_pool2d(x, output_size) -> np.ndarray:
    """Maximum over adaptive windows; see :func:`adaptive_avg_pool2d`.

    Examples
    --------
    >>> adaptive_max_pool2d(np.arange(9).reshape(3, 3), 2)
    array([[4., 5.],
           [7., 8.]])
    """
    return _adaptive(x, output_size, "max")
