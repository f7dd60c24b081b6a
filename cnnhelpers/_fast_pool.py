"""How :mod:`cnnhelpers.pool` is made fast: the same numbers as its readable version, computed faster.

Read :mod:`cnnhelpers.pool` first: view every window, reduce it. Reducing over the two small
trailing window axes of a strided view walks memory in tiny steps; these functions instead loop
over the few offsets of the window and handle every window at once at each offset (a running
``np.maximum`` or sum over one strided slice per offset), so each NumPy call does a lot of work.

- **Winner index, not a mask per offset.** The max-pool backward pass records, per window, the
  offset of its first maximum in the smallest integer type that can hold it, then scatters.
- **Tiling windows write, never add.** When windows tile the image (stride = kernel size, no
  padding), each input pixel is in one window: offset by offset, the windows whose first maximum
  sits there get the gradient and the others get 0, written into that offset's slice of the
  result, which needs no zeroing first. The forward result, when the layer kept it, is reused.
- **Tiles side by side.** For a layer (which runs backward after forward), the forward pass copies
  each kernel offset's values of every window into one contiguous array, its *tile*
  (:func:`max_pool_tiles`): finding the winners then reads contiguous memory, several times
  faster than the strided slices of the input.

Every function here takes arguments already checked by :mod:`cnnhelpers.pool` and non-empty arrays.
"""

from __future__ import annotations

import numpy as np

from ._fast_conv import all_finite, offset_slices, pad

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


def windows_tile(kernel_size, stride, pads) -> bool:
    """Whether the windows tile the image: stride = kernel size and no padding (each pixel in one window at most)."""
    return tuple(stride) == tuple(kernel_size) and not any(pads)


def max_pool_tiles(x, kernel_size, out_hw):
    """For windows that tile the image (stride = kernel size, no padding): ``(pooled, tiles)``.

    ``tiles[k]`` holds kernel offset k's value (row-major) of every window, shaped like ``pooled``:
    one copy of the input, rearranged, which :func:`max_pool_backward` reads instead of ``x``.
    """
    (kh, kw), (oh, ow) = kernel_size, out_hw
    lead = x.shape[:-2]
    tiles = np.empty((kh, kw, *lead, oh, ow), dtype=x.dtype)
    windows = x[..., :oh * kh, :ow * kw].reshape(*lead, oh, kh, ow, kw)
    np.copyto(tiles, np.moveaxis(windows, (-3, -1), (0, 1)))  # one pass over the input
    tiles = tiles.reshape(kh * kw, *lead, oh, ow)
    pooled = tiles[0].copy()
    for tile in tiles[1:]:
        np.maximum(pooled, tile, out=pooled)  # NaN propagates; the same order as max_pool
    return pooled, tiles


def avg_pool(x, kernel_size, stride, pads, out_hw):
    """Mean over each window, padded zeros included."""
    xp = pad(x, pads)
    total = np.zeros(x.shape[:-2] + tuple(out_hw), dtype=x.dtype)
    for offset in _offsets(kernel_size):
        total += xp[(..., *offset_slices(offset, stride, _NO_DILATION, out_hw))]
    total /= kernel_size[0] * kernel_size[1]
    return total


def max_pool_backward(grad_out, x, kernel_size, stride, pads, out_hw, pooled=None, tiles=None):
    """Gradient of max pooling w.r.t. ``x``: each window's gradient to its first maximum (PyTorch's rule).

    ``pooled`` is the forward result when the caller kept it (the layer does), saving its
    recomputation; ``tiles``, those of :func:`max_pool_tiles`, when the caller kept them.
    """
    if windows_tile(kernel_size, stride, pads):
        tiled = _tiled_max_pool_backward(grad_out, x, kernel_size, out_hw, pooled, tiles)
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


def _tiled_max_pool_backward(grad_out, x, kernel_size, out_hw, pooled=None, tiles=None):
    """Backward for windows that tile the image (stride == kernel_size, no padding), or None.

    Offset by offset, in row-major order, ``hit`` marks the windows whose maximum sits there and
    that no earlier offset has claimed; those get ``grad_out`` and the rest 0, written straight into
    that offset's strided slice of the result. The last offset takes the windows left unclaimed (a
    window's maximum is one of its values). Returns None when a window holds a NaN (PyTorch's NaN
    rule needs the general path).
    """
    out = max_pool(x, kernel_size, kernel_size, (0, 0, 0, 0), out_hw) if pooled is None else pooled
    if np.isnan(out).any():
        return None
    (kh, kw), (oh, ow) = kernel_size, out_hw
    covered = x.shape[-2:] == (oh * kh, ow * kw)  # else the last rows or columns belong to no window
    grad_x = (np.empty if covered else np.zeros)(x.shape, dtype=grad_out.dtype)
    finite = all_finite(grad_out)  # then grad * hit is exact (inf * 0 would be NaN)
    offsets = _offsets(kernel_size)
    hit, unclaimed = np.empty(out.shape, dtype=bool), None
    for k, offset in enumerate(offsets):
        slices = (..., *offset_slices(offset, kernel_size, _NO_DILATION, out_hw))
        if k == len(offsets) - 1 and unclaimed is not None:
            hit = unclaimed
        else:
            np.equal(x[slices] if tiles is None else tiles[k], out, out=hit)
            if unclaimed is not None:
                hit &= unclaimed
        target = grad_x[slices]
        if finite:
            np.multiply(grad_out, hit, out=target)
        else:
            target[...] = 0
            np.copyto(target, grad_out, where=hit)
        if k < len(offsets) - 1:
            unclaimed = ~hit if unclaimed is None else np.logical_xor(unclaimed, hit, out=unclaimed)
    return grad_x
