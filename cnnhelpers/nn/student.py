"""A convolution layer whose forward and backward are functions you wrote yourself.

The Build-it exercises end with the student's ``conv2d(x, w, b, stride, padding)`` and
``conv2d_backward(grad_out, x, w, stride, padding)``. :class:`StudentConv2d` is a
:class:`~cnnhelpers.nn.Conv2d` that calls them instead of the library's, so a network trains with
the student's own code; :func:`with_student_conv` swaps them into every convolution of a model.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from .._validate import describe
from .layers import Conv2d
from .model import Sequential

__all__ = ["StudentConv2d", "with_student_conv"]


def _whole(value, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum} for your own conv2d; got {describe(value)}")
    return int(value)


class StudentConv2d(Conv2d):
    """:class:`~cnnhelpers.nn.Conv2d` computed by your ``conv2d`` and ``conv2d_backward``.

    Parameters
    ----------
    in_channels, out_channels, kernel_size, rng, dtype
        As :class:`~cnnhelpers.nn.Conv2d`.
    stride, padding : int
        Whole numbers only (your functions take ints).
    conv2d : callable ``(x, w, b, stride, padding) -> out``
        x (N, C, H, W), w (O, C, KH, KW), b (O,) -> (N, O, OH, OW).
    conv2d_backward : callable ``(grad_out, x, w, stride, padding) -> (grad_x, grad_w, grad_b)``

    Examples
    --------
    >>> from cnnhelpers import reference
    >>> layer = StudentConv2d(1, 2, 3, padding=1, rng=0, conv2d=reference.conv2d,
    ...                       conv2d_backward=reference.conv2d_backward)
    >>> layer(np.zeros((1, 1, 5, 5), np.float32)).shape
    (1, 2, 5, 5)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, *, conv2d: Callable,
                 conv2d_backward: Callable, stride: int = 1, padding: int = 0, rng=None, dtype=np.float32):
        stride, padding = _whole(stride, "stride", 1), _whole(padding, "padding", 0)
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding, rng=rng, dtype=dtype)
        if not callable(conv2d) or not callable(conv2d_backward):
            raise TypeError(f"conv2d and conv2d_backward must be functions; got {describe(conv2d)} and "
                            f"{describe(conv2d_backward)}")
        self.conv2d, self.conv2d_backward = conv2d, conv2d_backward

    @classmethod
    def like(cls, layer: Conv2d, conv2d: Callable, conv2d_backward: Callable) -> StudentConv2d:
        """A StudentConv2d with ``layer``'s settings that shares its weight and bias."""
        student = cls(layer.in_channels, layer.out_channels, layer.kernel_size, stride=layer.stride,
                      padding=layer.padding, dtype=layer.weight.data.dtype, conv2d=conv2d,
                      conv2d_backward=conv2d_backward)
        student.weight, student.bias = layer.weight, layer.bias
        return student

    def forward(self, x):
        self.x = x
        out = self.conv2d(x, self.weight.data, self.bias.data, self.stride, self.padding)
        return np.asarray(out, dtype=self.weight.data.dtype)

    def backward(self, grad_out, input_grad: bool = True):
        """Your ``conv2d_backward``: fills the parameters' gradients, returns the input's."""
        grad_x, grad_w, grad_b = self.conv2d_backward(grad_out, self.x, self.weight.data, self.stride, self.padding)
        dtype = self.weight.data.dtype
        self.weight.grad, self.bias.grad = np.asarray(grad_w, dtype=dtype), np.asarray(grad_b, dtype=dtype)
        return np.asarray(grad_x, dtype=dtype) if input_grad else None

    def __repr__(self):
        return "Student" + super().__repr__()


def with_student_conv(model: Sequential, conv2d: Callable, conv2d_backward: Callable) -> Sequential:
    """A copy of ``model`` whose every :class:`~cnnhelpers.nn.Conv2d` runs your functions.

    The copy starts from the same weights; training it leaves ``model`` as it was.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a cnnhelpers.nn.Sequential; got {type(model).__name__}")
    clone = copy.deepcopy(model)
    clone.layers = [StudentConv2d.like(layer, conv2d, conv2d_backward) if isinstance(layer, Conv2d) else layer
                    for layer in clone.layers]
    return clone
