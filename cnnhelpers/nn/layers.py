"""Layers with a forward and a backward pass, each a few lines on top of the core functions.

Every layer works on a batch: images are ``(N, C, H, W)``, vectors ``(N, F)``. ``forward`` keeps
what ``backward`` needs; ``backward(grad_out)`` stores the gradients of the layer's parameters in
their ``grad`` and returns the gradient with respect to the layer's input. Parameters are float32
by default (fast) and float64 on request (gradient checks).
"""

from __future__ import annotations

import numpy as np

from .. import conv as _conv
from .. import pool as _pool
from .._validate import describe, padding_amounts, pair

__all__ = ["Parameter", "Layer", "Conv2d", "ReLU", "MaxPool2d", "AvgPool2d", "Flatten", "Linear", "Dropout",
           "as_rng", "he_normal"]


class Parameter:
    """A learnable array and its gradient, like ``torch.nn.Parameter``.

    Attributes
    ----------
    data : ndarray
        The values; optimizers update it in place.
    grad : ndarray or None
        Set by the owning layer's ``backward``.
    """

    def __init__(self, data: np.ndarray):
        self.data = data
        self.grad: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return self.data.size

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


def as_rng(rng) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a Generator, an int seed or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None; got {describe(rng)}")


def he_normal(shape: tuple[int, ...], fan_in: int, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """He (Kaiming) initialisation: normal with standard deviation ``sqrt(2 / fan_in)``.

    It keeps the variance of the activations roughly constant from layer to layer under ReLU.
    """
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


def _check_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {dtype}")
    return dtype


def _count(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {describe(value)}")
    return int(value)


def _check_input(x, name: str, ndim: int, layout: str) -> np.ndarray:
    if not isinstance(x, np.ndarray) or x.ndim != ndim:
        shape = getattr(x, "shape", None)
        raise ValueError(f"{name} expects a {ndim}-D batch {layout}; got {describe(x) if shape is None else shape}")
    return x


class Layer:
    """Base class: no parameters, identity in both directions. Subclasses override what they need."""

    training = True

    def parameters(self) -> dict[str, Parameter]:
        """The layer's learnable parameters by name (``weight``, ``bias``); empty for most layers."""
        return {name: value for name, value in vars(self).items() if isinstance(value, Parameter)}

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def param_formula(self) -> str:
        """How the parameter count arises, for ``summary`` (e.g. ``"8·1·3·3 + 8"``)."""
        return " + ".join("·".join(map(str, p.shape)) for p in self.parameters().values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Conv2d(Layer):
    """Convolution layer: ``out_channels`` kernels of shape ``(in_channels, KH, KW)`` plus a bias each.

    Forward is :func:`cnnhelpers.conv2d`, backward :func:`cnnhelpers.conv2d_backward`.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int or (int, int)
    padding : int, (int, int), "valid" or "same"
    rng : numpy Generator or int seed, optional
        For the He initialisation of the weights (biases start at zero).
    dtype : float32 (default) or float64

    Examples
    --------
    >>> layer = Conv2d(1, 8, 3, padding=1, rng=0)
    >>> layer.weight.shape, layer(np.zeros((2, 1, 28, 28), np.float32)).shape
    ((8, 1, 3, 3), (2, 8, 28, 28))
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, *, stride=1, padding=0, rng=None,
                 dtype=np.float32):
        self.in_channels, self.out_channels = _count(in_channels, "in_channels"), _count(out_channels, "out_channels")
        self.kernel_size, self.stride, self.padding = pair(kernel_size, "kernel_size"), stride, padding
        padding_amounts(padding, self.kernel_size, (1, 1), pair(stride, "stride"))  # fail now, not mid-training
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.weight = Parameter(he_normal(shape, fan_in, as_rng(rng), _check_dtype(dtype)))
        self.bias = Parameter(np.zeros(self.out_channels, dtype=dtype))

    def forward(self, x):
        self.x = _check_input(x, "Conv2d", 4, "(N, C, H, W)")
        return _conv.conv2d(x, self.weight.data, self.bias.data, stride=self.stride, padding=self.padding)

    def backward(self, grad_out, input_grad: bool = True):
        """Fill the parameters' gradients; return the input's (None when ``input_grad`` is False)."""
        grad_x, self.weight.grad, self.bias.grad = _conv.conv2d_backward(
            grad_out, self.x, self.weight.data, stride=self.stride, padding=self.padding, input_grad=input_grad)
        return grad_x

    def __repr__(self):
        size = self.kernel_size[0] if self.kernel_size[0] == self.kernel_size[1] else self.kernel_size
        stride = "" if self.stride == 1 else f", stride={self.stride}"
        padding = "" if self.padding in (0, "valid") else f", padding={self.padding!r}"
        return f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={size}{stride}{padding})"


class ReLU(Layer):
    """``max(x, 0)``: the lecture's detector stage. Its gradient passes where the input was positive."""

    def forward(self, x):
        self.positive = x > 0
        return np.maximum(x, 0)

    def backward(self, grad_out):
        return grad_out * self.positive


class _Pool2d(Layer):
    """Shared by the pooling layers: ``_forward`` and ``_backward`` are the core functions."""

    def __init__(self, kernel_size=2, stride=None, padding=0):
        pair(kernel_size, "kernel_size"), pair(padding, "padding", minimum=0)  # fail now, not mid-training
        if stride is not None:
            pair(stride, "stride")
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        self.x = _check_input(x, type(self).__name__, 4, "(N, C, H, W)")
        return self._forward(x, self.kernel_size, self.stride, self.padding)

    def backward(self, grad_out):
        return self._backward(grad_out, self.x, self.kernel_size, self.stride, self.padding)

    def __repr__(self):
        stride = "" if self.stride is None else f", stride={self.stride}"
        padding = "" if self.padding == 0 else f", padding={self.padding}"
        return f"{type(self).__name__}(kernel_size={self.kernel_size}{stride}{padding})"


class MaxPool2d(_Pool2d):
    """Max pooling (:func:`cnnhelpers.max_pool2d`): each window's gradient goes to its maximum only.

    Examples
    --------
    >>> MaxPool2d(2)(np.arange(16.0).reshape(1, 1, 4, 4))[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """

    _forward, _backward = staticmethod(_pool.max_pool2d), staticmethod(_pool.max_pool2d_backward)


class AvgPool2d(_Pool2d):
    """Average pooling (:func:`cnnhelpers.avg_pool2d`): each window shares its gradient equally."""

    _forward, _backward = staticmethod(_pool.avg_pool2d), staticmethod(_pool.avg_pool2d_backward)


class Flatten(Layer):
    """``(N, C, H, W)`` to ``(N, C*H*W)``, in the order PyTorch uses (channel, row, column)."""

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, grad_out):
        return grad_out.reshape(self.shape)


class Linear(Layer):
    """Fully connected layer ``x @ weight.T + bias``, weight ``(out_features, in_features)`` as in PyTorch.

    Examples
    --------
    >>> Linear(784, 10, rng=0)(np.zeros((5, 784), np.float32)).shape
    (5, 10)
    """

    def __init__(self, in_features: int, out_features: int, *, rng=None, dtype=np.float32):
        self.in_features, self.out_features = _count(in_features, "in_features"), _count(out_features, "out_features")
        shape = (self.out_features, self.in_features)
        self.weight = Parameter(he_normal(shape, self.in_features, as_rng(rng), _check_dtype(dtype)))
        self.bias = Parameter(np.zeros(self.out_features, dtype=dtype))

    def forward(self, x):
        self.x = _check_input(x, "Linear", 2, "(N, features)")
        if x.shape[1] != self.in_features:
            raise ValueError(f"Linear expects {self.in_features} input features; got x of shape {x.shape}")
        return x @ self.weight.data.T + self.bias.data  # (N, out)

    def backward(self, grad_out):
        self.weight.grad = grad_out.T @ self.x  # (out, in)
        self.bias.grad = grad_out.sum(axis=0)
        return grad_out @ self.weight.data  # (N, in)

    def __repr__(self):
        return f"Linear({self.in_features}, {self.out_features})"


class Dropout(Layer):
    """While training, zero each value with probability ``p`` and scale the rest by ``1/(1-p)``.

    At evaluation (``model.eval()``) it is the identity; the scaling keeps the expected value equal.

    Parameters
    ----------
    p : float in [0, 1)
    rng : numpy Generator or int seed, optional
    """

    def __init__(self, p: float = 0.5, *, rng=None):
        if not (isinstance(p, (float, int)) and 0 <= p < 1):
            raise ValueError(f"p must be a probability in [0, 1); got {describe(p)}")
        self.p, self.rng = float(p), as_rng(rng)

    def forward(self, x):
        if not self.training or self.p == 0:
            self.mask = None
            return x
        self.mask = (self.rng.random(x.shape) >= self.p).astype(x.dtype) / x.dtype.type(1 - self.p)
        return x * self.mask

    def backward(self, grad_out):
        return grad_out if self.mask is None else grad_out * self.mask

    def __repr__(self):
        return f"Dropout(p={self.p})"
