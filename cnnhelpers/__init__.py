"""cnnhelpers: the NumPy engine behind the CNN notebooks.

The public names of the API contract live at the package root::

    from cnnhelpers import conv2d, max_pool2d, kernels
"""

from . import kernels
from ._memory import keep_freed_memory
from .conv import conv2d, conv2d_backward, conv_output_size, convolve2d, correlate2d
from .pool import (
                   adaptive_avg_pool2d,
                   adaptive_max_pool2d,
                   avg_pool2d,
                   avg_pool2d_backward,
                   max_pool2d,
                   max_pool2d_backward,
)

__version__ = "0.1.0"

keep_freed_memory()  # reuse freed memory instead of page-faulting it in again (see cnnhelpers._memory)

__all__ = ["kernels", "conv_output_size", "correlate2d", "convolve2d", "conv2d", "conv2d_backward",
           "max_pool2d", "avg_pool2d", "max_pool2d_backward", "avg_pool2d_backward",
           "adaptive_avg_pool2d", "adaptive_max_pool2d"]
