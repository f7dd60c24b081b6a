"""Numbers about convolutions: parameter counts, memory and operation costs, the dense matrix of a
convolution, equivariance measured, and a timing helper.

These are the computations behind the notebooks' claims ("a convolution needs far fewer
parameters", "it commutes with shifts"), so that every number shown is computed, never typed in.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validate import as_float_array, check_ndim, check_window_fits, padding_amounts, pair

__all__ = ["neighbour_correlation", "dense_parameters", "conv_parameters", "OperationCost", "convolution_costs",
           "cost_table", "convolution_matrix", "equivariance_error", "equivariance_errors", "median_seconds"]


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


def neighbour_correlation(image, distances) -> np.ndarray:
    """Correlation between pixels ``d`` columns apart, for each distance ``d``: "nearby pixels are alike".

    For each ``d``, the Pearson correlation of ``image[:, :-d]`` with ``image[:, d:]``, every row
    pooled: 1 means the pixel ``d`` to the right is perfectly predictable from this one.

    Parameters
    ----------
    image : array of shape (H, W)
    distances : sequence of int
        Each between 1 and ``W - 2`` (at least two pixel pairs per row).

    Returns
    -------
    correlations : float64 array of shape (len(distances),)

    Raises
    ------
    TypeError, ValueError
        If ``image`` is not 2-D or a distance is out of range.

    Examples
    --------
    >>> stripes = np.tile([0.0, 1.0], (4, 4))  # columns alternate 0, 1, 0, 1...
    >>> neighbour_correlation(stripes, [1, 2])
    array([-1.,  1.])
    """
    image = as_float_array(image, "image")
    check_ndim(image, "image", (2,), "(H, W)")
    width = image.shape[1]
    result = []
    for distance in distances:
        (distance, _) = pair(distance, "distances", minimum=1)
        if distance > width - 2:
            raise ValueError(f"distances must be at most W - 2 = {width - 2} for an image {width} wide; got {distance}")
        left, right = image[:, :-distance].ravel(), image[:, distance:].ravel()
        result.append(np.corrcoef(left, right)[0, 1])
    return np.array(result, dtype=np.float64)


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
    return n_in * n_out + (n_out if bias else 0)


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
    return kh * kw * c_in * c_out + (c_out if bias else 0)


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


def cost_table(costs: dict[str, OperationCost]) -> str:
    """The costs of :func:`convolution_costs` as an aligned text table, thousands separated.

    Parameters
    ----------
    costs : dict of str to OperationCost

    Returns
    -------
    str
        One header line and one line per method.

    Examples
    --------
    >>> print(cost_table(convolution_costs((4, 4), 3)))
                   stored floats  multiplications  additions  operations
    convolution                9               36         32          68
    sparse matrix             36               36         32          68
    dense matrix              64               64         60         124
    """
    header = ["", "stored floats", "multiplications", "additions", "operations"]
    table = [header] + [[name] + [f"{value:,}" for value in (cost.stored_floats, cost.multiplications,
                                                              cost.additions, cost.operations)]
                        for name, cost in costs.items()]
    widths = [max(len(row[k]) for row in table) for k in range(len(header))]
    lines = [row[0].ljust(widths[0]) + "".join(f"  {cell:>{width}}" for cell, width in zip(row[1:], widths[1:],
                                                                                          strict=True))
             for row in table]
    return "\n".join(lines)


def convolution_matrix(input_shape: tuple[int, int], kernel, *, stride=1, padding=0, dilation=1,
                       max_entries: int = 2**27) -> np.ndarray:
    """The dense matrix ``M`` with ``M @ image.ravel() == correlate2d(image, kernel).ravel()``.

    Row ``i * OW + j`` holds the kernel's weights at the columns of the pixels that output
    ``(i, j)`` sees, zeros elsewhere: most of ``M`` is zero (sparse interactions) and the same
    few values repeat along its diagonals (parameter sharing).

    Parameters
    ----------
    input_shape : (int, int)
        ``(H, W)`` of the images the matrix will be applied to.
    kernel : array of shape (KH, KW)
    stride, padding, dilation
        As for :func:`cnnhelpers.correlate2d`; zero padding simply drops the taps outside.
    max_entries : int
        Refuse to build a larger matrix (the default, 2**27 entries, is 1 GiB of float64).

    Returns
    -------
    matrix : array of shape (OH * OW, H * W)
        float32 for a float32 kernel, float64 otherwise.

    Raises
    ------
    TypeError, ValueError
        If the kernel is not 2-D, an argument is out of range, the kernel is larger than the
        padded input, or the matrix would have more than ``max_entries`` entries.

    Examples
    --------
    >>> convolution_matrix((1, 3), [[-1, 1]])
    array([[-1.,  1.,  0.],
           [ 0., -1.,  1.]])
    """
    height, width = pair(input_shape, "input_shape")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(kernel, "kernel", (2,), "(KH, KW)")
    kh, kw = kernel.shape
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    top, bottom, left, right = padding_amounts(padding, (kh, kw), dilation, stride, allow_full=True)
    check_window_fits((height, width), (top, bottom, left, right), (kh, kw), dilation, "kernel")
    out_h = (height + top + bottom - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    out_w = (width + left + right - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    entries = out_h * out_w * height * width
    if entries > max_entries:
        gib = entries * kernel.itemsize / 2**30
        raise ValueError(f"the dense matrix would have {out_h * out_w:,} x {height * width:,} = {entries:,} "
                         f"entries ({gib:,.1f} GiB); max_entries is {max_entries:,}: use a smaller input_shape")
    i = np.arange(out_h)[:, None, None, None]  # (OH, 1, 1, 1)
    j = np.arange(out_w)[None, :, None, None]  # (1, OW, 1, 1)
    u = np.arange(kh)[None, None, :, None]  # (1, 1, KH, 1)
    v = np.arange(kw)[None, None, None, :]  # (1, 1, 1, KW)
    rows = i * stride[0] + u * dilation[0] - top  # (OH, 1, KH, 1): input row of each tap
    cols = j * stride[1] + v * dilation[1] - left  # (1, OW, 1, KW)
    shape = (out_h, out_w, kh, kw)
    inside = (np.broadcast_to((rows >= 0) & (rows < height), shape)
              & np.broadcast_to((cols >= 0) & (cols < width), shape))  # taps on real pixels, not padding
    out_index = np.broadcast_to(i * out_w + j, shape)
    in_index = np.broadcast_to(rows * width + cols, shape)
    matrix = np.zeros((out_h * out_w, height * width), dtype=kernel.dtype)
    matrix[out_index[inside], in_index[inside]] = np.broadcast_to(kernel, shape)[inside]
    return matrix


def equivariance_error(operation: Callable[[np.ndarray], np.ndarray],
                       transform: Callable[[np.ndarray], np.ndarray], image, *, margin: int = 0) -> float:
    """How far ``operation`` is from commuting with ``transform`` on ``image``, relative to its output.

    ``max |operation(transform(image)) - transform(operation(image))| / max |transform(operation(image))|``
    over the pixels at least ``margin`` from every border (where the image's edges do not
    interfere). 0 means equivariant: transforming the input transforms the output the same way.

    Parameters
    ----------
    operation : callable
        Image to image, e.g. ``lambda x: correlate2d(x, kernel, padding="same")``.
    transform : callable
        Image to image, e.g. ``lambda x: shift(x, (5, 3))`` or ``np.rot90``.
    image : array of shape (H, W)
    margin : int
        Border rows and columns to leave out of the comparison, >= 0.

    Returns
    -------
    float
        The relative error (the absolute one if the reference is all zeros).

    Raises
    ------
    ValueError
        If the two results have different shapes, or ``margin`` leaves nothing to compare.

    Examples
    --------
    >>> from cnnhelpers import correlate2d
    >>> from cnnhelpers.images import shift
    >>> image = np.random.default_rng(0).random((32, 32))
    >>> sobel = lambda x: correlate2d(x, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], padding="same")
    >>> equivariance_error(sobel, lambda x: shift(x, (2, 3)), image, margin=4)
    0.0
    """
    image = as_float_array(image, "image")
    (margin, _) = pair(margin, "margin", minimum=0)
    moved_then_done = np.asarray(operation(transform(image)))
    done_then_moved = np.asarray(transform(operation(image)))
    if moved_then_done.shape != done_then_moved.shape:
        raise ValueError(f"operation(transform(image)) has shape {moved_then_done.shape} but "
                         f"transform(operation(image)) has shape {done_then_moved.shape}; they must be equal")
    if 2 * margin >= min(done_then_moved.shape[:2]):
        raise ValueError(f"margin must leave pixels to compare in outputs of shape {done_then_moved.shape}; "
                         f"got margin={margin}")
    inner = (slice(margin, done_then_moved.shape[0] - margin), slice(margin, done_then_moved.shape[1] - margin))
    difference = float(np.max(np.abs(moved_then_done[inner] - done_then_moved[inner])))
    scale = float(np.max(np.abs(done_then_moved[inner])))
    return difference / scale if scale > 0 else difference


def equivariance_errors(image, named_kernels: dict[str, np.ndarray], transforms: dict[str, Callable], *,
                        margin: int = 0) -> dict[str, dict[str, float]]:
    """:func:`equivariance_error` of ``correlate2d(., kernel, padding="same")`` for every kernel and transform.

    Parameters
    ----------
    image : array of shape (H, W)
    named_kernels : dict of str to array of shape (KH, KW)
    transforms : dict of str to callable
        Image to image, e.g. ``{"rotate 90": np.rot90}``.
    margin : int
        Border left out of every comparison.

    Returns
    -------
    dict
        ``errors[kernel_name][transform_name]``, relative errors (0 = equivariant).

    Examples
    --------
    >>> image = np.random.default_rng(0).random((16, 16))
    >>> errors = equivariance_errors(image, {"plus": [[0, 1, 0], [1, 1, 1], [0, 1, 0]]}, {"rotate": np.rot90})
    >>> errors["plus"]["rotate"]
    0.0
    """
    from .conv import correlate2d

    def filtering(kernel):
        return lambda x: correlate2d(x, kernel, padding="same")

    return {name: {label: equivariance_error(filtering(kernel), transform, image, margin=margin)
                   for label, transform in transforms.items()}
            for name, kernel in named_kernels.items()}


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
    (repeat, _), (number, _) = pair(repeat, "repeat"), pair(number, "number")
    function(*args, **kwargs)  # warm-up: caches, lazy imports
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function(*args, **kwargs)
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)
