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
from .._validate import check_bytes, count, describe, float_dtype, padding_amounts, pair, real_array, real_number

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
        self.data = real_array(data, "data")
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
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape must be a tuple of ints; got {describe(shape)}")
    shape = tuple(count(n, "shape", minimum=0) for n in shape)
    fan_in = count(fan_in, "fan_in")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {describe(rng)}")
    dtype = float_dtype(dtype)
    check_bytes(int(np.prod(shape, dtype=object)) * 8, "shape", "an array")
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


def _check_input(x, name: str, ndim: int | None, layout: str) -> np.ndarray:
    """``x`` as an array of real numbers with ``ndim`` axes (any number >= 1 for None)."""
    x = real_array(x, f"{name}'s input x")
    if (x.ndim != ndim) if ndim is not None else x.ndim == 0:
        rank = f"a {ndim}-D" if ndim is not None else "a"
        raise ValueError(f"{name} expects {rank} batch {layout}; got a {x.ndim}-D array of shape {x.shape}")
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

    def _remember(self, out: np.ndarray) -> np.ndarray:
        """Keep the output's shape, which ``grad_out`` must have in ``backward``; return ``out``."""
        self._out_shape = out.shape
        return out

    def _check_grad(self, grad_out) -> np.ndarray:
        """``grad_out`` as a real array shaped like the last output; an error before any forward."""
        name = type(self).__name__
        if getattr(self, "_out_shape", None) is None:
            raise ValueError(f"{name}.backward was called before forward: run forward on a batch first "
                             f"(backward needs what forward kept)")
        grad_out = real_array(grad_out, "grad_out")
        if grad_out.shape != self._out_shape:
            raise ValueError(f"grad_out must have the shape of {name}'s last output {self._out_shape}; "
                             f"got {grad_out.shape}")
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
        self.in_channels, self.out_channels = count(in_channels, "in_channels"), count(out_channels, "out_channels")
        self.kernel_size, self.stride, self.padding = pair(kernel_size, "kernel_size"), stride, padding
        padding_amounts(padding, self.kernel_size, (1, 1), pair(stride, "stride"))  # fail now, not mid-training
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        dtype = float_dtype(dtype)
        check_bytes(fan_in * self.out_channels * dtype.itemsize, "out_channels", "a Conv2d weight")
        self.weight = Parameter(he_normal(shape, fan_in, as_rng(rng), dtype))
        self.bias = Parameter(np.zeros(self.out_channels, dtype=dtype))

    def forward(self, x):
        self.x = x = _check_input(x, "Conv2d", 4, "(N, C, H, W)")
        return self._remember(_conv.conv2d(x, self.weight.data, self.bias.data, stride=self.stride,
                                           padding=self.padding))

    def backward(self, grad_out, input_grad: bool = True):
        """Fill the parameters' gradients; return the input's (None when ``input_grad`` is False)."""
        grad_out = self._check_grad(grad_out)
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
        x = _check_input(x, "ReLU", None, "(N, ...)")
        self.positive = x > 0
        return self._remember(_maximum_zero(x))

    def backward(self, grad_out):
        return self._check_grad(grad_out) * self.positive


def _maximum_zero(x: np.ndarray, row: int = 1024) -> np.ndarray:
    """``np.maximum(x, 0)``, the same numbers, faster.

    NumPy's vectorised (SIMD) loop for ``maximum`` takes two arrays; against the scalar 0 it runs a
    plain loop. So the values, ``row`` at a time, meet a row of zeros.
    """
    flat = x.reshape(-1)
    out, zeros = np.empty_like(flat), np.zeros(row, dtype=x.dtype)
    whole = flat.size - flat.size % row
    np.maximum(flat[:whole].reshape(-1, row), zeros, out=out[:whole].reshape(-1, row))
    np.maximum(flat[whole:], zeros[:flat.size - whole], out=out[whole:])
    return out.reshape(x.shape)


class _Pool2d(Layer):
    """Shared by the pooling layers: ``_forward`` and ``_backward`` are the core functions."""

    def __init__(self, kernel_size=2, stride=None, padding=0):
        # Fail now, not mid-training: the same rules as the core functions (and PyTorch).
        window, pads = pair(kernel_size, "kernel_size"), pair(padding, "padding", minimum=0)
        if pads[0] > window[0] // 2 or pads[1] > window[1] // 2:
            raise ValueError(f"padding must be at most half of kernel_size ({window[0] // 2}, {window[1] // 2} for "
                             f"kernel_size {kernel_size}), as in PyTorch; got padding={padding}")
        if stride is not None:
            pair(stride, "stride")
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        self.x = x = _check_input(x, type(self).__name__, 4, "(N, C, H, W)")
        return self._remember(self._forward(x, self.kernel_size, self.stride, self.padding))

    def backward(self, grad_out):
        grad_out = self._check_grad(grad_out)
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

    _forward = staticmethod(_pool.max_pool2d)

    def forward(self, x):
        if not self.training:  # nothing to keep for a backward pass
            self.pooled = self.kept = None
            return super().forward(x)
        self.x = x = _check_input(x, "MaxPool2d", 4, "(N, C, H, W)")
        # Kept for backward, which finds each window's maximum from them: the result, and, where
        # the windows tile the image, a copy of x that the fast path reads faster.
        self.pooled, self.kept = _pool._max_pool2d_for_backward(x, self.kernel_size, self.stride, self.padding)
        return self._remember(self.pooled)

    def backward(self, grad_out):
        grad_out = self._check_grad(grad_out)
        return _pool._max_pool2d_backward(grad_out, self.x, self.kernel_size, self.stride, self.padding,
                                          self.pooled, self.kept)


class AvgPool2d(_Pool2d):
    """Average pooling (:func:`cnnhelpers.avg_pool2d`): each window shares its gradient equally."""

    _forward, _backward = staticmethod(_pool.avg_pool2d), staticmethod(_pool.avg_pool2d_backward)


class Flatten(Layer):
    """``(N, C, H, W)`` to ``(N, C*H*W)``, in the order PyTorch uses (channel, row, column)."""

    def forward(self, x):
        x = _check_input(x, "Flatten", None, "(N, ...)")
        self.shape = x.shape
        return self._remember(x.reshape(len(x), int(np.prod(x.shape[1:]))))  # not -1: N may be 0

    def backward(self, grad_out):
        return self._check_grad(grad_out).reshape(self.shape)


class Linear(Layer):
    """Fully connected layer ``x @ weight.T + bias``, weight ``(out_features, in_features)`` as in PyTorch.

    Examples
    --------
    >>> Linear(784, 10, rng=0)(np.zeros((5, 784), np.float32)).shape
    (5, 10)
    """

    def __init__(self, in_features: int, out_features: int, *, rng=None, dtype=np.float32):
        self.in_features, self.out_features = count(in_features, "in_features"), count(out_features, "out_features")
        shape = (self.out_features, self.in_features)
        dtype = float_dtype(dtype)
        check_bytes(self.in_features * self.out_features * dtype.itemsize, "in_features", "a Linear weight")
        self.weight = Parameter(he_normal(shape, self.in_features, as_rng(rng), dtype))
        self.bias = Parameter(np.zeros(self.out_features, dtype=dtype))

    def forward(self, x):
        self.x = x = _check_input(x, "Linear", 2, "(N, features)")
        if x.shape[1] != self.in_features:
            raise ValueError(f"Linear expects {self.in_features} input features; got x of shape {x.shape}")
        return self._remember(x @ self.weight.data.T + self.bias.data)  # (N, out)

    def backward(self, grad_out):
        grad_out = self._check_grad(grad_out)
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
        self.p, self.rng = real_number(p, "p", minimum=0, below=1), as_rng(rng)

    def forward(self, x):
        x = _check_input(x, "Dropout", None, "(N, ...)")
        if not self.training or self.p == 0:
            self.mask = None
            return self._remember(x)
        self.mask = (self.rng.random(x.shape) >= self.p).astype(x.dtype) / x.dtype.type(1 - self.p)
        return self._remember(x * self.mask)

    def backward(self, grad_out):
        grad_out = self._check_grad(grad_out)
        return grad_out if self.mask is None else grad_out * self.mask

    def __repr__(self):
        return f"Dropout(p={self.p})"
