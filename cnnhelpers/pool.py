"""Max, average and adaptive pooling, forward and backward, in NumPy.

Inputs may be ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``; the output has the same rank. The idea
is two steps, written out in :func:`max_forward`, :func:`avg_forward` and their backward passes just
below:

1. **view every window** of the (padded) input: the same strided view as convolution's,
   :func:`cnnhelpers.conv.windows`, ``(..., OH, OW, KH, KW)``;
2. **reduce** each window to one number: its maximum or its mean.

Backward, a max window sends its gradient to the pixel that won (its first maximum); an average
window shares it equally. The public functions check their arguments (:mod:`cnnhelpers._validate`),
then hand max pooling and the average forward pass to :mod:`cnnhelpers._fast_pool`, which computes
the same numbers faster; empty inputs go through the functions below themselves, and so does every
average backward pass (:func:`avg_backward` is already one whole-array step per window offset). The
tests hold both versions to the plain loops of :mod:`cnnhelpers.reference`.
"""

from __future__ import annotations

import numpy as np

from . import _fast_pool
from ._fast_conv import output_shape
from ._validate import as_float_array, check_allocation, check_ndim, check_window_fits, pair
from .conv import windows

__all__ = ["max_pool2d", "avg_pool2d", "max_pool2d_backward", "avg_pool2d_backward",
           "adaptive_avg_pool2d", "adaptive_max_pool2d"]

_LAYOUT = "(H, W), (C, H, W) or (N, C, H, W)"
_NO_DILATION = (1, 1)


def max_forward(xp: np.ndarray, kernel_size, stride) -> np.ndarray:
    """Maximum of each window of the padded ``xp`` (..., Hp, Wp) -> (..., OH, OW).

    >>> max_forward(np.arange(16.0).reshape(4, 4), (2, 2), (2, 2))
    array([[ 5.,  7.],
           [13., 15.]])
    """
    return windows(xp, kernel_size, stride).max(axis=(-2, -1))  # (..., OH, OW, KH, KW) -> (..., OH, OW)


def avg_forward(xp: np.ndarray, kernel_size, stride) -> np.ndarray:
    """Mean of each window of the padded ``xp`` (..., Hp, Wp) -> (..., OH, OW)."""
    return windows(xp, kernel_size, stride).mean(axis=(-2, -1))


def max_backward(grad_out: np.ndarray, xp: np.ndarray, kernel_size, stride) -> np.ndarray:
    """Gradient of ``sum(grad_out * max_forward(xp, ...))`` w.r.t. the padded ``xp``.

    Each window's gradient goes to its first maximum in row-major order (where several values tie
    the derivative is not defined: this is PyTorch's convention). Overlapping windows add up.
    The fast path also follows PyTorch where this short version does not: with several NaN in a
    window the last one wins, and padding never wins a window of -inf.
    """
    (kh, kw), (sh, sw) = kernel_size, stride
    oh, ow = grad_out.shape[-2:]
    view = windows(xp, kernel_size, stride)  # (..., OH, OW, KH, KW)
    first = view.reshape(view.shape[:-2] + (kh * kw,)).argmax(axis=-1)  # (..., OH, OW), row-major
    u, v = np.divmod(first, kw)  # the winner's offset inside its window
    rows = np.arange(oh)[:, None] * sh + u  # (..., OH, OW) row of the winner in xp
    cols = np.arange(ow)[None, :] * sw + v
    planes = xp.reshape((-1,) + xp.shape[-2:]).shape[0]
    plane = np.arange(planes).reshape(xp.shape[:-2] + (1, 1))  # which (n, c) image
    grad_xp = np.zeros((planes,) + xp.shape[-2:], dtype=grad_out.dtype)
    index = (np.broadcast_to(plane, rows.shape), rows, cols)
    np.add.at(grad_xp, tuple(i.reshape(-1, oh, ow) for i in index), grad_out.reshape(-1, oh, ow))
    return grad_xp.reshape(xp.shape)


def avg_backward(grad_out: np.ndarray, xp_shape, kernel_size, stride) -> np.ndarray:
    """Gradient of ``sum(grad_out * avg_forward(xp, ...))`` w.r.t. the padded input (shape ``xp_shape``).

    Every value of a window gets ``grad_out / (KH*KW)``; kernel offset ``(u, v)`` of every window
    reads one strided slice of the input, so each offset adds its share to that slice.
    """
    (kh, kw), (sh, sw) = kernel_size, stride
    share = grad_out / (kh * kw)  # (..., OH, OW)
    oh, ow = share.shape[-2:]
    grad_xp = np.zeros(xp_shape, dtype=share.dtype)
    for u in range(kh):
        for v in range(kw):  # offset (u, v) of window (i, j) is pixel (i*sh + u, j*sw + v)
            grad_xp[..., u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw] += share
    return grad_xp


# --- the public functions: check, then compute -----------------------------------------------------

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
    # A stride longer than the padded input leaves one window along that axis, whatever its value.
    stride = tuple(min(s, p) for s, p in zip(stride, padded, strict=True))
    return x, kernel_size, stride, pads, output_shape(padded, kernel_size, stride, _NO_DILATION)


def _check_grad(grad_out, x, out_hw):
    grad_out = as_float_array(grad_out, "grad_out")
    expected = x.shape[:-2] + tuple(out_hw)
    if grad_out.shape != expected:
        raise ValueError(f"grad_out must have the forward output's shape {expected}; got {grad_out.shape}")
    return grad_out.astype(np.result_type(x.dtype, grad_out.dtype), copy=False)


def _pad(x, pads, value):
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [pads[:2], pads[2:]], constant_values=value)


def _crop(grad_xp, pads, shape):
    return np.ascontiguousarray(grad_xp[..., pads[0]:pads[0] + shape[-2], pads[2]:pads[2] + shape[-1]])


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
    if x.size:
        return _fast_pool.max_pool(x, kernel_size, stride, pads, out_hw)
    return max_forward(_pad(x, pads, -np.inf), kernel_size, stride)


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
    return _max_pool2d_backward(grad_out, x, kernel_size, stride, padding)


def _max_pool2d_for_backward(x, kernel_size, stride=None, padding=0):
    """:func:`max_pool2d`, and what its backward pass can reuse: ``(pooled, kept)`` (for nn.MaxPool2d).

    ``kept`` is None, or, when the windows tile the image, each window offset's values in an
    array of their own (:func:`cnnhelpers._fast_pool.max_pool_tiles`): a copy of ``x``.
    """
    x, kernel_size, stride, pads, out_hw = _check_pool(x, kernel_size, stride, padding)
    if not x.size:
        return max_forward(_pad(x, pads, -np.inf), kernel_size, stride), None
    if _fast_pool.windows_tile(kernel_size, stride, pads):
        return _fast_pool.max_pool_tiles(x, kernel_size, out_hw)
    return _fast_pool.max_pool(x, kernel_size, stride, pads, out_hw), None


def _max_pool2d_backward(grad_out, x, kernel_size, stride, padding, pooled=None, kept=None):
    """:func:`max_pool2d_backward`, given what the forward pass kept (nn.MaxPool2d): its result, ``kept``."""
    x, kernel_size, stride, pads, out_hw = _check_pool(x, kernel_size, stride, padding)
    grad_out = _check_grad(grad_out, x, out_hw)
    if x.size:
        return _fast_pool.max_pool_backward(grad_out, x, kernel_size, stride, pads, out_hw, pooled, kept)
    return _crop(max_backward(grad_out, _pad(x, pads, -np.inf), kernel_size, stride), pads, x.shape)


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
    if x.size:
        return _fast_pool.avg_pool(x, kernel_size, stride, pads, out_hw)
    return avg_forward(_pad(x, pads, 0.0), kernel_size, stride).astype(x.dtype)


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
    padded_shape = x.shape[:-2] + (x.shape[-2] + pads[0] + pads[1], x.shape[-1] + pads[2] + pads[3])
    return _crop(avg_backward(grad_out, padded_shape, kernel_size, stride), pads, x.shape)


# --- adaptive pooling ---------------------------------------------------------------------------------

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
    check_allocation(x.shape[:-2] + (oh, ow), x.dtype, "an output", f"output_size={output_size!r}")
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
