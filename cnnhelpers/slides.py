"""Small arrays printed on the lecture's slides, exactly as printed there, and :func:`read_only`,
which every example array of the package is made with.

Shared by notebooks 02 (padding) and 03 (stride) and their exercises. The padding and stride
slides ("Without Padding", "With Padding", "Stride 2 - No Padding", "Stride 2 - With Padding")
all use the same 5x5 input and 3x3 kernel. Both are read-only int
arrays: copy them before editing (``SLIDE_INPUT.copy()``).

Examples
--------
>>> from cnnhelpers import correlate2d
>>> float(correlate2d(SLIDE_INPUT, SLIDE_KERNEL)[0, 0])  # the slide's upper-left output
-2.0
"""

from __future__ import annotations

import numpy as np

from ._validate import describe

__all__ = ["SLIDE_INPUT", "SLIDE_KERNEL", "read_only"]


def read_only(values, dtype=np.int64) -> np.ndarray:
    """``values`` as a new read-only array: for example arrays that many cells (or notebooks) share,
    where an accidental edit would leak into all of them.

    Examples
    --------
    >>> grid = read_only([[1, 2], [3, 4]])
    >>> grid.flags.writeable, grid.dtype
    (False, dtype('int64'))
    """
    try:
        array = np.array(values, dtype=dtype)
    except OverflowError as error:
        raise ValueError(f"values must fit in dtype {dtype!r}; got {describe(values)} ({error})") from None
    array.setflags(write=False)
    return array


SLIDE_INPUT = read_only([[1, 2, 0, 3, 1],
                         [1, 0, 0, 2, 2],
                         [2, 1, 2, 1, 1],
                         [0, 0, 1, 0, 0],
                         [1, 2, 1, 1, 1]])

SLIDE_KERNEL = read_only([[-1, 1, 2],
                          [1, 1, 0],
                          [-1, -2, 0]])
