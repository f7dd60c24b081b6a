"""The receptive field of a stack of convolution and pooling layers: by formula and measured.

A unit of a deep layer looks at a window of the input: its *receptive field*. Walking the stack
from the input upwards, each layer with kernel ``k``, stride ``s``, padding ``p`` and dilation
``d`` updates three numbers (all in input pixels):

* size:  ``r_l = r_{l-1} + d*(k-1) * j_{l-1}`` (the window grows by the kernel's reach, measured
  in steps of the previous layer);
* jump:  ``j_l = j_{l-1} * s`` (the distance in the input between neighbouring units);
* start: ``a_l = a_{l-1} - p * j_{l-1}`` (top edge of the first unit's window; padding moves it
  outside the image).

starting from ``r_0 = 1, j_0 = 1, a_0 = 0``. Unit ``i`` of the last layer sees input rows
``a + i*j`` to ``a + i*j + r - 1``.

The same window is *measured* by back-propagation: the gradient of one output unit with respect
to the input, chained through :func:`~cnnhelpers.conv2d_backward`,
:func:`~cnnhelpers.max_pool2d_backward` and :func:`~cnnhelpers.avg_pool2d_backward`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._validate import as_float_array, check_ndim, describe
from .conv import conv2d, conv2d_backward, conv_output_size
from .pool import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward

__all__ = ["Layer", "ReceptiveField", "receptive_field", "receptive_field_steps", "describe_stack", "output_shapes",
           "receptive_window", "centre_position", "forward_stack", "input_gradient",
           "measured_receptive_field", "nonzero_box"]

_KINDS = ("conv", "max_pool", "avg_pool")


def _positive_int(value, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= {minimum}; got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {int(value)}")
    return int(value)


@dataclass(frozen=True)
class Layer:
    """One layer of a stack, square windows only: what the receptive field depends on.

    Build layers with :meth:`conv`, :meth:`max_pool` and :meth:`avg_pool`.

    Attributes
    ----------
    kind : {"conv", "max_pool", "avg_pool"}
    kernel_size, stride, dilation : int, each >= 1
    padding : int, >= 0 (for pooling at most ``kernel_size // 2``, as in PyTorch)

    Examples
    --------
    >>> print(Layer.conv(3, padding=1), "|", Layer.max_pool(2))
    conv 3x3, padding 1 | max pool 2x2, stride 2
    """

    kind: str
    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}; got {self.kind!r}")
        _positive_int(self.kernel_size, "kernel_size", 1)
        _positive_int(self.stride, "stride", 1)
        _positive_int(self.padding, "padding", 0)
        _positive_int(self.dilation, "dilation", 1)
        if self.kind != "conv" and self.dilation != 1:
            raise ValueError(f"dilation is for conv layers only; got dilation={self.dilation} for {self.kind}")
        if self.kind != "conv" and self.padding > self.kernel_size // 2:
            raise ValueError(f"a pooling layer's padding must be at most kernel_size // 2 (as in PyTorch); "
                             f"got padding={self.padding} with kernel_size={self.kernel_size}")

    @classmethod
    def conv(cls, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> Layer:
        """A convolution layer (one channel in, one out, for receptive-field purposes)."""
        return cls("conv", kernel_size, stride, padding, dilation)

    @classmethod
    def max_pool(cls, kernel_size: int, stride: int | None = None, padding: int = 0) -> Layer:
        """A max-pooling layer; ``stride`` defaults to ``kernel_size``, as in PyTorch."""
        return cls("max_pool", kernel_size, kernel_size if stride is None else stride, padding)

    @classmethod
    def avg_pool(cls, kernel_size: int, stride: int | None = None, padding: int = 0) -> Layer:
        """An average-pooling layer; ``stride`` defaults to ``kernel_size``, as in PyTorch."""
        return cls("avg_pool", kernel_size, kernel_size if stride is None else stride, padding)

    @property
    def span(self) -> int:
        """How many input rows one window covers: ``dilation*(kernel_size-1) + 1``."""
        return self.dilation * (self.kernel_size - 1) + 1

    def output_size(self, size: int) -> int:
        """Output length for an input of length ``size``."""
        return conv_output_size(size, self.kernel_size, self.stride, self.padding, self.dilation)

    def __str__(self) -> str:
        name = {"conv": "conv", "max_pool": "max pool", "avg_pool": "avg pool"}[self.kind]
        parts = [f"{name} {self.kernel_size}x{self.kernel_size}"]
        if self.stride != 1 or self.kind != "conv":  # a pool's stride is always worth saying
            parts.append(f"stride {self.stride}")
        if self.padding:
            parts.append(f"padding {self.padding}")
        if self.dilation != 1:
            parts.append(f"dilation {self.dilation}")
        return ", ".join(parts)


class ReceptiveField(NamedTuple):
    """Receptive field of the units of one layer, in input pixels.

    size: window side; jump: distance between neighbouring units' windows; start: top (or left)
    edge of the first unit's window, negative when padding puts it outside the image.
    """

    size: int
    jump: int
    start: int


def _check_layers(layers) -> list[Layer]:
    try:
        layers = list(layers)
    except TypeError:
        raise TypeError(f"layers must be a sequence of Layer objects; got {describe(layers)}") from None
    for index, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(f"layers[{index}] must be a Layer (e.g. Layer.conv(3)); got {describe(layer)}")
    return layers


def receptive_field_steps(layers) -> list[ReceptiveField]:
    """Receptive field after each layer, by the formula of this module's docstring.

    Parameters
    ----------
    layers : sequence of Layer

    Returns
    -------
    steps : list of ReceptiveField
        ``steps[0]`` is the input itself ``(1, 1, 0)``; ``steps[l]`` is after layer ``l``.

    Raises
    ------
    TypeError
        If an element of ``layers`` is not a :class:`Layer`.

    Examples
    --------
    >>> [step.size for step in receptive_field_steps([Layer.conv(3), Layer.conv(3), Layer.max_pool(2)])]
    [1, 3, 5, 6]
    """
    layers = _check_layers(layers)
    steps = [ReceptiveField(1, 1, 0)]
    for layer in layers:
        size, jump, start = steps[-1]
        steps.append(ReceptiveField(size + (layer.span - 1) * jump, jump * layer.stride, start - layer.padding * jump))
    return steps


def receptive_field(layers) -> ReceptiveField:
    """Receptive field of the last layer's units; see :func:`receptive_field_steps`.

    Examples
    --------
    >>> receptive_field([Layer.conv(3), Layer.conv(3), Layer.max_pool(2), Layer.conv(3)])
    ReceptiveField(size=10, jump=2, start=0)
    """
    return receptive_field_steps(layers)[-1]


def describe_stack(layers) -> str:
    """The stack, one layer per line, with the receptive field and jump after each.

    Examples
    --------
    >>> print(describe_stack([Layer.conv(3), Layer.max_pool(2)]))
    layer 1: conv 3x3                 → receptive field 3, jump 1
    layer 2: max pool 2x2, stride 2   → receptive field 4, jump 2
    """
    layers = _check_layers(layers)
    steps = receptive_field_steps(layers)
    width = max((len(str(layer)) for layer in layers), default=0)
    return "\n".join(f"layer {n}: {str(layer).ljust(width)}   → receptive field {step.size}, jump {step.jump}"
                     for n, (layer, step) in enumerate(zip(layers, steps[1:], strict=True), start=1))


def _check_shape(input_shape) -> tuple[int, int]:
    if isinstance(input_shape, numbers.Integral) and not isinstance(input_shape, bool):
        input_shape = (input_shape, input_shape)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise ValueError(f"input_shape must be an int or a pair (H, W); got {describe(input_shape)}")
    return _positive_int(input_shape[0], "input_shape[0]", 1), _positive_int(input_shape[1], "input_shape[1]", 1)


def output_shapes(layers, input_shape) -> list[tuple[int, int]]:
    """Spatial shape after each layer of the stack.

    Parameters
    ----------
    layers : sequence of Layer
    input_shape : int or (int, int)
        (H, W) of the input.

    Returns
    -------
    shapes : list of (int, int)
        ``shapes[0]`` is ``input_shape``; ``shapes[l]`` is after layer ``l``.

    Raises
    ------
    ValueError
        If a layer's window does not fit its (padded) input; the message names the layer.

    Examples
    --------
    >>> output_shapes([Layer.conv(3), Layer.max_pool(2)], (10, 9))
    [(10, 9), (8, 7), (4, 3)]
    """
    layers = _check_layers(layers)
    shapes = [_check_shape(input_shape)]
    for index, layer in enumerate(layers):
        try:
            shapes.append((layer.output_size(shapes[-1][0]), layer.output_size(shapes[-1][1])))
        except ValueError as error:
            raise ValueError(f"layer {index + 1} ({layer}) does not fit its {shapes[-1][0]}x{shapes[-1][1]} "
                             f"input: {error}") from None
    return shapes


def _check_position(position, shape: tuple[int, int]) -> tuple[int, int]:
    if not isinstance(position, (tuple, list)) or len(position) != 2:
        raise ValueError(f"position must be a pair (row, col); got {describe(position)}")
    row, col = (_positive_int(value, "position", 0) for value in position)
    if row >= shape[0] or col >= shape[1]:
        raise ValueError(f"position must lie inside the {shape[0]}x{shape[1]} output; got {tuple(position)}")
    return row, col


def centre_position(layers, input_shape) -> tuple[int, int]:
    """The output unit nearest the centre of the last layer's output.

    Examples
    --------
    >>> centre_position([Layer.conv(3)], (9, 9))
    (3, 3)
    """
    height, width = output_shapes(layers, input_shape)[-1]
    return (height - 1) // 2, (width - 1) // 2


def receptive_window(layers, position, input_shape, *, clip: bool = True) -> tuple[int, int, int, int]:
    """The input window that output unit ``position`` sees.

    Parameters
    ----------
    layers : sequence of Layer
    position : (int, int)
        (row, col) of a unit in the last layer's output.
    input_shape : int or (int, int)
    clip : bool
        False: the formula's window ``a + i*j`` to ``a + i*j + r - 1``, which may reach into the
        padding (negative coordinates, or past the image). True: only real pixels, found by
        walking the window down the stack and cutting it at each layer's edges; this also drops
        the rows a layer's floor in the output size leaves unread at the bottom or right.

    Returns
    -------
    (top, left, height, width) : tuple of int

    Raises
    ------
    ValueError
        If a layer does not fit or ``position`` lies outside the output.

    Examples
    --------
    >>> receptive_window([Layer.conv(3, padding=1)], (0, 0), (5, 5))
    (0, 0, 2, 2)
    >>> receptive_window([Layer.conv(3, padding=1)], (0, 0), (5, 5), clip=False)
    (-1, -1, 3, 3)
    """
    layers = _check_layers(layers)
    shapes = output_shapes(layers, input_shape)
    row, col = _check_position(position, shapes[-1])
    if not clip:
        size, jump, start = receptive_field(layers)
        return start + row * jump, start + col * jump, size, size
    # (first, last) unit of each axis, from the output down to the input.
    ranges = [[row, row], [col, col]]
    for layer, shape in zip(reversed(layers), reversed(shapes[:-1]), strict=True):
        for axis in range(2):
            first, last = ranges[axis]
            first = max(first * layer.stride - layer.padding, 0)
            last = min(last * layer.stride - layer.padding + layer.span - 1, shape[axis] - 1)
            if first > last:
                raise ValueError(f"output unit {tuple(position)} sees only padding: no input pixel influences it")
            ranges[axis] = [first, last]
    (top, bottom), (left, right) = ranges
    return top, left, bottom - top + 1, right - left + 1


def _check_image(image) -> np.ndarray:
    image = as_float_array(image, "image")
    check_ndim(image, "image", (2,), "(H, W)")
    return image


def _mean_kernel(layer: Layer, dtype) -> np.ndarray:
    return np.full((1, 1, layer.kernel_size, layer.kernel_size), 1.0 / layer.kernel_size**2, dtype=dtype)


def forward_stack(layers, image) -> list[np.ndarray]:
    """Run a one-channel stack on an image: each conv layer averages its window (a blur).

    Parameters
    ----------
    layers : sequence of Layer
    image : array of shape (H, W)

    Returns
    -------
    activations : list of arrays
        ``activations[0]`` is the image; ``activations[l]`` of shape ``output_shapes(...)[l]`` is
        the output of layer ``l``.

    Raises
    ------
    ValueError
        If a layer does not fit its input.

    Examples
    --------
    >>> [a.shape for a in forward_stack([Layer.conv(3), Layer.max_pool(2)], np.ones((6, 6)))]
    [(6, 6), (4, 4), (2, 2)]
    """
    layers = _check_layers(layers)
    image = _check_image(image)
    output_shapes(layers, image.shape)  # a readable error before any work
    activations = [image]
    for layer in layers:
        x = activations[-1]
        if layer.kind == "conv":
            out = conv2d(x[None], _mean_kernel(layer, x.dtype), stride=layer.stride, padding=layer.padding,
                         dilation=layer.dilation)[0]
        elif layer.kind == "max_pool":
            out = max_pool2d(x, layer.kernel_size, layer.stride, layer.padding)
        else:
            out = avg_pool2d(x, layer.kernel_size, layer.stride, layer.padding)
        activations.append(out)
    return activations


def _cone_crop(layers, shape: tuple[int, int], position: tuple[int, int]):
    """A crop of the input holding everything unit ``position`` depends on, placed so that the stack
    computes the same unit on it: ``(rows, cols, position_in_crop)``, or None to use the whole image.

    The crop starts at a multiple of the total jump (the product of the strides), so every layer's
    units line up with the full image's; it contains the receptive window, so no unit the output
    depends on reads the crop's padding.
    """
    jump = receptive_field(layers).jump
    try:
        top, left, height, width = receptive_window(layers, position, shape)
    except ValueError:  # the unit sees only padding: its gradient is zero everywhere
        return None
    slices, inner = [], []
    for size, start, length, index in ((shape[0], top, height, position[0]), (shape[1], left, width, position[1])):
        first = (start // jump) * jump
        slices.append(slice(first, min(size, start + length + jump)))
        inner.append(index - first // jump)
    crop_shape = (slices[0].stop - slices[0].start, slices[1].stop - slices[1].start)
    try:
        out_h, out_w = output_shapes(layers, crop_shape)[-1]
    except ValueError:
        return None
    if not (0 <= inner[0] < out_h and 0 <= inner[1] < out_w):
        return None
    return slices[0], slices[1], tuple(inner)


def _backward_through(layers, image, position, footprint: bool) -> np.ndarray:
    """Chain the core backward passes from a one-hot gradient at ``position`` down to ``image``."""
    activations = forward_stack(layers, image)
    grad = np.zeros(activations[-1].shape, dtype=image.dtype)
    grad[position] = 1.0
    for layer, x in zip(reversed(layers), reversed(activations[:-1]), strict=True):
        if layer.kind == "conv":
            grad = conv2d_backward(grad[None], x[None], _mean_kernel(layer, x.dtype), stride=layer.stride,
                                   padding=layer.padding, dilation=layer.dilation)[0][0]
        elif layer.kind == "max_pool" and not footprint:
            grad = max_pool2d_backward(grad, x, layer.kernel_size, layer.stride, layer.padding)
        else:
            grad = avg_pool2d_backward(grad, x, layer.kernel_size, layer.stride, layer.padding)
    return grad


def input_gradient(layers, image, position=None, *, footprint: bool = False) -> np.ndarray:
    """Gradient of one output unit of :func:`forward_stack` with respect to every input pixel.

    The backward pass starts from a one-hot ``grad_out`` at ``position`` and chains
    :func:`~cnnhelpers.conv2d_backward`, :func:`~cnnhelpers.max_pool2d_backward` and
    :func:`~cnnhelpers.avg_pool2d_backward` down the stack. Only the part of the image the unit
    can see is run through the stack (the gradient is zero elsewhere), which keeps a slider fast.

    Parameters
    ----------
    layers : sequence of Layer
    image : array of shape (H, W)
        Only max pooling's gradient depends on it (through which pixel wins each window).
    position : (int, int), optional
        The output unit; default :func:`centre_position`.
    footprint : bool
        False: the true gradient, where each max pool passes the gradient to the one pixel that
        won its window, so it shows where the unit looked *for this image*. True: each max pool
        passes it to its whole window (``avg_pool2d_backward``), so every pixel that *can*
        influence the unit gets a positive value: the receptive field.

    Returns
    -------
    grad : array of shape (H, W), >= 0

    Raises
    ------
    ValueError
        If a layer does not fit or ``position`` lies outside the output.

    Examples
    --------
    >>> input_gradient([Layer.conv(3)], np.zeros((4, 4)), (0, 0)) * 9
    array([[1., 1., 1., 0.],
           [1., 1., 1., 0.],
           [1., 1., 1., 0.],
           [0., 0., 0., 0.]])
    """
    layers = _check_layers(layers)
    image = _check_image(image)
    shapes = output_shapes(layers, image.shape)
    position = centre_position(layers, image.shape) if position is None else _check_position(position, shapes[-1])
    crop = _cone_crop(layers, image.shape, position)
    if crop is None:
        return _backward_through(layers, image, position, footprint)
    rows, cols, inner = crop
    grad = np.zeros(image.shape, dtype=image.dtype)
    grad[rows, cols] = _backward_through(layers, image[rows, cols], inner, footprint)
    return grad


def measured_receptive_field(layers, input_shape, position=None) -> tuple[int, int, int, int]:
    """The receptive field measured by back-propagation: the box around every pixel that can
    influence output unit ``position`` (nonzero footprint gradient of :func:`input_gradient`).

    For a stack without holes in its windows (dilation 1, every stride at most its kernel
    size) this equals :func:`receptive_window`: the formula and the measurement agree.

    Parameters
    ----------
    layers : sequence of Layer
    input_shape : int or (int, int)
    position : (int, int), optional
        Default :func:`centre_position`.

    Returns
    -------
    (top, left, height, width) : tuple of int

    Examples
    --------
    >>> layers = [Layer.conv(3), Layer.max_pool(2), Layer.conv(3)]
    >>> measured_receptive_field(layers, 16, (2, 3)), receptive_window(layers, (2, 3), 16)
    ((4, 6, 8, 8), (4, 6, 8, 8))
    """
    height, width = _check_shape(input_shape)
    grad = input_gradient(layers, np.zeros((height, width)), position, footprint=True)
    return nonzero_box(grad, position)


def nonzero_box(grad, position=None) -> tuple[int, int, int, int]:
    """The box ``(top, left, height, width)`` around the non-zero entries of a 2-D gradient.

    Raises
    ------
    ValueError
        If every entry is zero (the unit ``position`` sees only padding).

    Examples
    --------
    >>> nonzero_box(np.array([[0, 0, 0], [0, 2, 1], [0, 0, 0]]))
    (1, 1, 1, 2)
    """
    rows, cols = np.nonzero(np.asarray(grad) > 0)
    if rows.size == 0:
        raise ValueError(f"output unit {position} sees only padding: no input pixel influences it")
    top, left = int(rows.min()), int(cols.min())
    return top, left, int(rows.max()) - top + 1, int(cols.max()) - left + 1
