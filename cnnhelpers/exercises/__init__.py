"""Self-checking exercises: one module per notebook, each ``check_...`` returns a :class:`Feedback`."""

from ._build import (
    check_conv1d,
    check_conv2d,
    check_conv2d_backward,
    check_correlate2d,
    check_max_pool2d,
    check_max_pool2d_backward,
    gradient_check,
    train_digits_with,
)
from ._feedback import Feedback

__all__ = ["Feedback", "check_conv1d", "check_correlate2d", "check_conv2d", "check_max_pool2d",
           "check_max_pool2d_backward", "check_conv2d_backward", "gradient_check", "train_digits_with"]
