"""Small arrays printed on the lecture's slides, exactly as printed there.

The padding and stride slides ("Without Padding", "With Padding", "Stride 2 - No Padding",
"Stride 2 - With Padding") all use the same 5x5 input and 3x3 kernel. Both are read-only int
arrays: copy them before editing (``SLIDE_INPUT.copy()``).

Examples
--------
>>> from cnnhelpers import correlate2d
>>> float(correlate2d(SLIDE_INPUT, SLIDE_KERNEL)[0, 0])  # the slide's upper-left output
-2.0
"""

from __future__ import annotations

import numpy as np

__all__ = ["SLIDE_INPUT", "SLIDE_KERNEL"]


def _constant(rows) -> np.ndarray:
    array = np.array(rows, dtype=np.int64)
    array.setflags(write=False)  # shared by every notebook: an edit would leak into all of them
    return array


SLIDE_INPUT = _constant([[1, 2, 0, 3, 1],
                         [1, 0, 0, 2, 2],
                         [2, 1, 2, 1, 1],
                         [0, 0, 1, 0, 0],
                         [1, 2, 1, 1, 1]])

SLIDE_KERNEL = _constant([[-1, 1, 2],
                          [1, 1, 0],
                          [-1, -2, 0]])
