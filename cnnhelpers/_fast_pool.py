"""How :mod:`cnnhelpers.pool` is made fast: the same numbers as its readable version, computed faster.

Read :mod:`cnnhelpers.pool` first: view every window, reduce it. Reducing over the two small
trailing window axes of a strided view walks memory in tiny steps; these functions instead loop
over the few offsets of the window and handle every window at once at each offset (a running
``np.maximum`` or sum over one strided slice per offset), so each NumPy call does a lot of work.

- **Winner index, not a mask per offset.** The max-pool backward pass records, per window, the
  offset of its first maximum in the smallest integer type that can hold it, then scatters.
- **Bit code for tiling windows.** When windows tile the image (stride = kernel size, no padding)
  and are at most 3x3, each offset's "equals the maximum" test sets one bit of a per-window code;
  a lookup table gives the lowest set bit (the first maximum) and one flat scatter writes the
  gradient: a few whole-array passes instead of one masked pass per offset.

Every function here takes arguments already checked by :mod:`cnnhelpers.pool` and non-empty arrays.
"""

from __future__ import annotations

import numpy as np

from ._fast_conv import offset_slices, pad

_NO_DILATION = (1, 1)


def _offsets(kernel_size):
    return [(u, v) for u in range(kernel_size[0]) for v in range(kernel_size[1])]  # row-major


def _crop(grad_xp, pads, shape):
    return np.ascontiguousarray(grad_xp[..., pads[0]:pads[0] + shape[-2], pads[2]:pads[2] + shape[-1]])


def max_pool(x, kernel_size, stride, pads, out_hw):
    """Max over each window, padding counted as -inf."""
    xp = pad(x, pads, value=-np.inf)
    out = None
    for offset in _offsets(kernel_size):
        window = xp[(..., *offset_slices(offset, stride, _NO_DILATION, out_hw))]
        out = window.copy() if out is None else np.maximum(out, window, out=out)  # NaN propagates
    return out


def avg_pool(x, kernel_size, stride, pads, out_hw):
    """Mean over each window, padded zeros included."""
    xp = pad(x, pads)
    total = np.zeros(x.shape[:-2] + tuple(out_hw), dtype=x.dtype)
    for offset in _offsets(kernel_size):
        total += xp[(..., *offset_slices(offset, stride, _NO_DILATION, out_hw))]
    total /= kernel_size[0] * kernel_size[1]
    return total


def max_pool_backward(grad_out, x, kernel_size, stride, pads, out_hw):
    """Gradient of max pooling w.r.t. ``x``: each window's gradient to its first maximum (PyTorch's rule)."""
    if tuple(stride) == tuple(kernel_size) and not any(pads):
        tiled = _tiled_max_pool_backward(grad_out, x, kernel_size, out_hw)
        if tiled is not None:
            return tiled
    xp = pad(x, pads, value=-np.inf)
    inside = pad(np.ones(x.shape[-2:], dtype=bool), pads, value=False) if any(pads) else None
    out = max_pool(x, kernel_size, stride, pads, out_hw)
    out_is_nan = np.isnan(out)
    any_nan = bool(out_is_nan.any())
    offsets = _offsets(kernel_size)
    # winner[...] = index of the offset that holds each window's maximum (row-major first);
    # len(offsets) means none yet, so the type must hold it (a 200x200 window has 40,000 offsets).
    winner = np.full(out.shape, len(offsets), dtype=np.min_scalar_type(len(offsets)))
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

    Returns None for windows larger than 3x3 (the table would be too large) or when a window
    holds a NaN (PyTorch's NaN rule needs the general path).
    """
    (kh, kw), (oh, ow) = kernel_size, out_hw
    if kh * kw > 9:
        return None
    out = max_pool(x, kernel_size, kernel_size, (0, 0, 0, 0), out_hw)
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
