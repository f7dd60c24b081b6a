"""Named 3x3 kernels: the classic image-processing filters and the lecture's three detectors.

Every kernel is a read-only float64 array (copy it before editing: ``sobel_x.copy()``), and
``KERNELS`` maps each name to its array, in the order the notebooks present them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KERNELS", "identity", "box_blur", "gaussian_blur", "sharpen", "sobel_x", "sobel_y",
           "laplacian", "emboss", "outline", "vertical_line", "horizontal_line", "corner"]


def _kernel(rows) -> np.ndarray:
    array = np.array(rows, dtype=np.float64)
    array.setflags(write=False)  # module-level constants: an edit here would leak into every notebook
    return array


identity = _kernel([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
box_blur = _kernel(np.ones((3, 3)) / 9)
gaussian_blur = _kernel(np.outer([1, 2, 1], [1, 2, 1]) / 16)
sharpen = _kernel([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
sobel_x = _kernel([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
sobel_y = _kernel(sobel_x.T)
laplacian = _kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
emboss = _kernel([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
outline = _kernel([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])

# The lecture's "Kernel as Feature Detection" slide, exactly as printed there.
vertical_line = _kernel([[-1, 1, -1]] * 3)
horizontal_line = _kernel(vertical_line.T)
corner = _kernel([[-1, -1, -1], [-1, 1, 1], [-1, 1, 1]])

KERNELS: dict[str, np.ndarray] = {
    "identity": identity, "box_blur": box_blur, "gaussian_blur": gaussian_blur, "sharpen": sharpen,
    "sobel_x": sobel_x, "sobel_y": sobel_y, "laplacian": laplacian, "emboss": emboss,
    "outline": outline, "vertical_line": vertical_line, "horizontal_line": horizontal_line,
    "corner": corner,
}
