"""Self-checking exercises: one module per notebook, each ``check_...`` returns a :class:`Feedback`.

The Build-it checkers, whose answer is a function the student wrote, live in the module of the
notebook that asks for it (``kernels``, ``padding``, ``pooling``, ``cnn``) and are re-exported here.
"""

from ._feedback import Feedback
from .cnn import DigitsRun, check_conv2d_backward, gradient_check, train_digits_with
from .kernels import check_conv1d, check_correlate2d
from .padding import check_conv2d
from .pooling import check_max_pool2d, check_max_pool2d_backward

__all__ = ["Feedback", "check_conv1d", "check_correlate2d", "check_conv2d", "check_max_pool2d",
           "check_max_pool2d_backward", "check_conv2d_backward", "gradient_check", "train_digits_with", "DigitsRun"]
