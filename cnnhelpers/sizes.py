"""Output sizes: the formula spelled out, stacks of layers, and settings that give a wanted size.

Shared by notebooks 02 (padding: :func:`layer_sizes`, how stacks shrink) and 03 (stride: the
formula explained, the settings that give a size, a table checked against real outputs). Every
function here is arithmetic on ints; :func:`cnnhelpers.conv_output_size` is the formula,
``floor((size + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``, and the checks of
what can work (a kernel that fits, "same" only at stride 1) are the ones ``correlate2d`` makes.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ._validate import count, describe, padding_amounts, pair
from .conv import conv_output_size, correlate2d

__all__ = ["explain_output_size", "layer_sizes", "settings_for_output_size", "output_size_table"]


def _resolve_padding(kernel: int, stride: int, padding, dilation: int) -> tuple[int, int]:
    """``padding`` (int or mode) as (before, after) along one axis, with readable errors."""
    if isinstance(padding, str) and padding.lower() == "same" and stride != 1:
        before, after = padding_amounts("same", (kernel, 1), (dilation, 1), (1, 1))[:2]
        raise ValueError(f"padding='same' keeps the size only at stride 1 (PyTorch refuses it otherwise), "
                         f"and this is stride {stride}. Give the padding as a number instead: "
                         f"{before} per side is what 'same' would use for this kernel")
    before, after = padding_amounts(padding if isinstance(padding, str) else (padding, 0),
                                    (kernel, 1), (dilation, 1), (stride, 1), allow_full=True)[:2]
    return before, after


MAX_LAYERS = 10_000  # layers in one stack: more is no network anyone trains
MAX_SETTINGS = 10**6  # (stride, padding) combinations settings_for_output_size tries
MAX_TABLE_ROWS = 10_000  # rows of output_size_table (each convolves an array)
MAX_TABLE_SIZE = 10**6  # input sizes output_size_table measures (it convolves an array that long)


def _sequence(values, name: str) -> list:
    if not isinstance(values, (list, tuple, range, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of values; got {describe(values)}")
    return list(values)


def explain_output_size(size: int, kernel_size: int, stride: int = 1, padding: int | str = 0,
                        dilation: int = 1) -> str:
    """The output-size formula with the numbers put in, step by step.

    Parameters
    ----------
    size, kernel_size, stride, dilation : int
        Along one axis, as for :func:`cnnhelpers.conv_output_size`.
    padding : int or {"valid", "same", "full"}

    Returns
    -------
    str
        For example ``"floor((5 + 2·1 − 1·(3 − 1) − 1) / 2) + 1 = floor(4 / 2) + 1 = 3"``.

    Raises
    ------
    TypeError
        If a size is not an int.
    ValueError
        If the setting cannot work: the (dilated) kernel is larger than the padded input (the
        message shows the formula's numbers), or padding "same" with a stride above 1.

    Examples
    --------
    >>> print(explain_output_size(5, 3, stride=2, padding=1))
    floor((5 + 2·1 − 1·(3 − 1) − 1) / 2) + 1 = floor(4 / 2) + 1 = 3
    >>> print(explain_output_size(5, 3, padding="same"))
    padding 'same' = 1 + 1: floor((5 + 1 + 1 − 1·(3 − 1) − 1) / 1) + 1 = floor(4 / 1) + 1 = 5
    """
    (size, _) = pair(size, "size", minimum=1)
    (kernel, _) = pair(kernel_size, "kernel_size", minimum=1)
    (step, _) = pair(stride, "stride", minimum=1)
    (dil, _) = pair(dilation, "dilation", minimum=1)
    before, after = _resolve_padding(kernel, step, padding, dil)
    pad_text = f"2·{before}" if before == after else f"{before} + {after}"
    prefix = ""
    if isinstance(padding, str):
        pad_text = f"{before} + {after}"
        prefix = f"padding {padding!r} = {before} + {after}: "
    numerator = size + before + after - dil * (kernel - 1) - 1
    formula = f"floor(({size} + {pad_text} − {dil}·({kernel} − 1) − 1) / {step}) + 1"
    if numerator < 0:
        span, padded = dil * (kernel - 1) + 1, size + before + after
        raise ValueError(f"{formula} = floor({numerator} / {step}) + 1 gives no output: the kernel spans {span} "
                         f"pixels (dilation·(kernel_size − 1) + 1) but the padded input has only {padded}. "
                         f"Use a smaller kernel or dilation, or more padding")
    return f"{prefix}{formula} = floor({numerator} / {step}) + 1 = {numerator // step + 1}"


def layer_sizes(size: int, num_layers: int, kernel_size: int, *, stride: int = 1, padding: int | str = 0,
                dilation: int = 1) -> list[int]:
    """The size after each layer of a stack of identical convolutions.

    Parameters
    ----------
    size : int
        Input size along one axis.
    num_layers : int
        Layers in the stack, >= 0.
    kernel_size, stride, padding, dilation
        Every layer's settings, as for :func:`cnnhelpers.conv_output_size`.

    Returns
    -------
    sizes : list of int
        ``[size, after layer 1, after layer 2, ...]``; it stops early, with fewer than
        ``num_layers + 1`` entries, at the first layer whose kernel no longer fits.

    Examples
    --------
    Without padding a 3x3 kernel eats 2 pixels per layer; with "same" nothing.

    >>> layer_sizes(8, 5, 3), layer_sizes(8, 3, 3, padding="same")
    ([8, 6, 4, 2], [8, 8, 8, 8])
    """
    layers = count(num_layers, "num_layers", minimum=0, maximum=MAX_LAYERS)
    sizes = [pair(size, "size", minimum=1)[0]]
    (kernel, _) = pair(kernel_size, "kernel_size")
    (dil, _) = pair(dilation, "dilation")
    (step, _) = pair(stride, "stride")
    before, after = _resolve_padding(kernel, step, padding, dil)
    for _ in range(layers):
        if sizes[-1] + before + after < dil * (kernel - 1) + 1:  # the kernel no longer fits
            break
        sizes.append(conv_output_size(sizes[-1], kernel, step, padding, dil))
    return sizes


def settings_for_output_size(size: int, output_size: int, kernel_size: int, *, dilation: int = 1,
                             max_stride: int | None = None,
                             max_padding: int | None = None) -> list[tuple[int, int]]:
    """Every (stride, padding) that turns ``size`` into ``output_size`` with this kernel.

    Parameters
    ----------
    size, output_size, kernel_size, dilation : int
    max_stride : int, optional
        Largest stride tried; default ``size``.
    max_padding : int, optional
        Largest padding tried; default ``dilation*(kernel_size-1)`` (the "full" padding: more
        only adds outputs that see nothing but zeros).

    Returns
    -------
    list of (stride, padding), sorted by stride then padding

    Examples
    --------
    >>> settings_for_output_size(64, 32, 3)
    [(2, 1)]
    >>> settings_for_output_size(7, 3, 3, max_stride=3)
    [(2, 0), (3, 1), (3, 2)]
    """
    (size, _) = pair(size, "size")
    (wanted, _) = pair(output_size, "output_size")
    (kernel, _) = pair(kernel_size, "kernel_size")
    (dil, _) = pair(dilation, "dilation")
    max_stride = size if max_stride is None else pair(max_stride, "max_stride")[0]
    max_padding = dil * (kernel - 1) if max_padding is None else pair(max_padding, "max_padding", minimum=0)[0]
    if max_stride * (max_padding + 1) > MAX_SETTINGS:
        raise ValueError(f"max_stride ({max_stride:,}) times max_padding + 1 ({max_padding + 1:,}) settings to try is "
                         f"more than {MAX_SETTINGS:,}; give smaller max_stride and max_padding")
    found = []
    for step, pad in itertools.product(range(1, max_stride + 1), range(max_padding + 1)):
        numerator = size + 2 * pad - dil * (kernel - 1) - 1
        if numerator >= 0 and numerator // step + 1 == wanted:
            found.append((step, pad))
    return found


def output_size_table(sizes, kernel_sizes, strides, paddings, dilations) -> list[dict]:
    """The formula against the shape ``correlate2d`` really returns, for every combination.

    Settings that cannot work (a kernel larger than the padded input, "same" with a stride
    above 1) are left out.

    Parameters
    ----------
    sizes, kernel_sizes, strides, paddings, dilations : sequences
        The values to combine; paddings may include "valid", "same" and "full".

    Returns
    -------
    rows : list of dict
        Keys ``size, kernel, stride, padding, dilation, formula, measured``.

    Examples
    --------
    >>> rows = output_size_table([5], [3], [1, 2], [0, 1], [1])
    >>> [(row["stride"], row["padding"], row["formula"], row["measured"]) for row in rows]
    [(1, 0, 3, 3), (1, 1, 5, 5), (2, 0, 2, 2), (2, 1, 3, 3)]
    """
    values = {name: _sequence(value, name) for name, value in (("sizes", sizes), ("kernel_sizes", kernel_sizes),
                                                               ("strides", strides), ("paddings", paddings),
                                                               ("dilations", dilations))}
    values["sizes"] = [count(size, f"sizes[{k}]", maximum=MAX_TABLE_SIZE) for k, size in enumerate(values["sizes"])]
    if math.prod(len(v) for v in values.values()) > MAX_TABLE_ROWS:
        raise ValueError(f"the table would have more than {MAX_TABLE_ROWS:,} rows; give fewer values")
    rows = []
    for size, kernel, step, pad, dil in itertools.product(*values.values()):
        try:
            formula = conv_output_size(size, kernel, step, pad, dil)
        except ValueError:  # a setting that cannot work
            continue
        measured = correlate2d(np.zeros((size, 1)), np.ones((kernel, 1)), stride=(step, 1),
                               padding=pad if isinstance(pad, str) else (pad, 0), dilation=(dil, 1)).shape[0]
        rows.append({"size": size, "kernel": kernel, "stride": step, "padding": pad, "dilation": dil,
                     "formula": formula, "measured": measured})
    return rows
