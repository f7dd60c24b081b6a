"""What a layer costs: parameters, memory and operations, and seconds.

Shared by notebooks 01 (kernels), 03 (stride), 04 (depth), 05 (pooling) and 06 (a full CNN), so
that every count and timing they show is computed, never typed in:

* :func:`dense_parameters`, :func:`conv_parameters`: learnable numbers of a layer;
* :func:`convolution_costs`: memory and arithmetic of one convolution done three ways
  (:class:`OperationCost` each);
* :func:`median_seconds`: a small ``timeit``.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validate import check_callable, check_window_fits, count, flag, padding_amounts, pair

__all__ = ["dense_parameters", "conv_parameters", "OperationCost", "convolution_costs", "median_seconds"]


def _size(shape, name: str) -> int:
    """Number of values in ``shape`` (an int or a tuple of ints, each >= 1)."""
    items = shape if isinstance(shape, (tuple, list)) else (shape,)
    if not items:
        raise ValueError(f"{name} must be an int or a non-empty tuple of ints; got {shape!r}")
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, np.integer)):
            raise TypeError(f"{name} must be an int or a tuple of ints; got {shape!r}")
        if item < 1:
            raise ValueError(f"{name} must contain sizes >= 1; got {shape!r}")
    return math.prod(int(item) for item in items)


def dense_parameters(input_shape, output_shape=None, *, bias: bool = False) -> int:
    """Parameters of a fully connected layer: one weight for every (input, output) pair.

    Parameters
    ----------
    input_shape : int or tuple of ints
        The input's size or shape, e.g. ``(28, 28)`` or ``(224, 224, 3)``; only the number of
        values matters.
    output_shape : int or tuple of ints, optional
        The output's size or shape; by default the same as the input (as on the lecture's slide).
    bias : bool
        Count one bias per output too.

    Returns
    -------
    int
        ``n_in * n_out`` (``+ n_out`` with ``bias``), an exact Python int.

    Raises
    ------
    TypeError, ValueError
        If a shape is not an int or a tuple of ints >= 1.

    Examples
    --------
    >>> dense_parameters((28, 28))
    614656
    >>> dense_parameters(784, 10, bias=True)
    7850
    """
    n_in = _size(input_shape, "input_shape")
    n_out = n_in if output_shape is None else _size(output_shape, "output_shape")
    return n_in * n_out + (n_out if flag(bias, "bias") else 0)


def conv_parameters(kernel_size, in_channels: int = 1, out_channels: int = 1, *, bias: bool = False) -> int:
    """Parameters of a convolutional layer: its kernels' weights, whatever the image size.

    Parameters
    ----------
    kernel_size : int or (int, int)
        ``KH, KW``.
    in_channels, out_channels : int
        Each kernel is ``in_channels`` deep; there are ``out_channels`` kernels.
    bias : bool
        Count one bias per output channel too.

    Returns
    -------
    int
        ``KH * KW * in_channels * out_channels`` (``+ out_channels`` with ``bias``).

    Raises
    ------
    TypeError, ValueError
        If an argument is not an int (pair) >= 1.

    Examples
    --------
    >>> conv_parameters(3)
    9
    >>> conv_parameters(5, in_channels=3, out_channels=16, bias=True)
    1216
    """
    kh, kw = pair(kernel_size, "kernel_size")
    (c_in, _), (c_out, _) = pair(in_channels, "in_channels"), pair(out_channels, "out_channels")
    return kh * kw * c_in * c_out + (c_out if flag(bias, "bias") else 0)


@dataclass(frozen=True)
class OperationCost:
    """Memory and arithmetic of one way to compute a linear map.

    Attributes
    ----------
    stored_floats : int
        Numbers kept in memory to describe the map (weights, or non-zero matrix entries).
    multiplications, additions : int
        Floating-point operations to apply it once.
    """

    stored_floats: int
    multiplications: int
    additions: int

    @property
    def operations(self) -> int:
        """Multiplications plus additions."""
        return self.multiplications + self.additions


def _taps_inside(size: int, out_size: int, kernel: int, stride: int, dilation: int, before: int) -> int:
    """How many (output index, kernel offset) pairs along one axis land on a real pixel, not padding."""
    starts = np.arange(out_size) * stride - before  # (OUT,)
    taps = starts[:, None] + np.arange(kernel) * dilation  # (OUT, K)
    return int(np.count_nonzero((taps >= 0) & (taps < size)))


def convolution_costs(input_shape: tuple[int, int], kernel_size, *, stride=1, padding=0,
                      dilation=1) -> dict[str, OperationCost]:
    """Memory and operations of one single-channel convolution, done three ways.

    * ``"convolution"``: store the kernel only; each output pixel costs ``K`` multiplications
      and ``K - 1`` additions (``K = KH * KW``).
    * ``"sparse matrix"``: store the non-zero entries of the convolution's matrix (one per
      kernel tap that lands on a real pixel: no sharing), multiply each once, add per output row.
    * ``"dense matrix"``: store the whole ``(OH*OW, H*W)`` matrix and multiply it with the image.

    Parameters
    ----------
    input_shape : (int, int)
        ``(H, W)`` of the image.
    kernel_size : int or (int, int)
    stride, padding, dilation
        As for :func:`cnnhelpers.correlate2d` (padding: an int, a pair or a mode string).

    Returns
    -------
    dict
        ``{"convolution": OperationCost, "sparse matrix": ..., "dense matrix": ...}``.

    Raises
    ------
    TypeError, ValueError
        Bad sizes, or a kernel larger than the padded input.

    Examples
    --------
    The lecture's edge detector: a 1x2 kernel on a 280x320 image (output 280x319).

    >>> costs = convolution_costs((280, 320), (1, 2))
    >>> costs["convolution"].operations, costs["dense matrix"].stored_floats
    (267960, 8003072000)
    """
    height, width = pair(input_shape, "input_shape")
    kernel_size = pair(kernel_size, "kernel_size")
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    top, bottom, left, right = padding_amounts(padding, kernel_size, dilation, stride, allow_full=True)
    check_window_fits((height, width), (top, bottom, left, right), kernel_size, dilation, "kernel")
    out_h = (height + top + bottom - dilation[0] * (kernel_size[0] - 1) - 1) // stride[0] + 1
    out_w = (width + left + right - dilation[1] * (kernel_size[1] - 1) - 1) // stride[1] + 1
    taps, outputs, inputs = kernel_size[0] * kernel_size[1], out_h * out_w, height * width
    nonzeros = (_taps_inside(height, out_h, kernel_size[0], stride[0], dilation[0], top)
                * _taps_inside(width, out_w, kernel_size[1], stride[1], dilation[1], left))
    return {
        "convolution": OperationCost(taps, taps * outputs, (taps - 1) * outputs),
        "sparse matrix": OperationCost(nonzeros, nonzeros, nonzeros - outputs),
        "dense matrix": OperationCost(inputs * outputs, inputs * outputs, (inputs - 1) * outputs),
    }


MAX_CALLS = 1_000_000  # timed calls of median_seconds: more would keep a notebook busy for minutes


def median_seconds(function: Callable, *args, repeat: int = 7, number: int = 1, **kwargs) -> float:
    """Median wall-clock time of ``function(*args, **kwargs)``, after one warm-up call.

    Parameters
    ----------
    function : callable
    *args, **kwargs
        Passed to ``function``.
    repeat : int
        Timed rounds (>= 1); the median of the rounds is returned.
    number : int
        Calls per round (>= 1); use more for calls of a few microseconds.

    Returns
    -------
    float
        Seconds per call.

    Examples
    --------
    >>> median_seconds(sum, range(10)) < 1.0
    True
    """
    check_callable(function, "function")
    repeat, number = count(repeat, "repeat", maximum=MAX_CALLS), count(number, "number", maximum=MAX_CALLS)
    if repeat * number > MAX_CALLS:
        raise ValueError(f"repeat * number must be at most {MAX_CALLS:,} calls; got {repeat} * {number}")
    function(*args, **kwargs)  # warm-up: caches, lazy imports
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function(*args, **kwargs)
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)
