"""``Sequential``: layers applied one after the other, backpropagated in reverse order."""

from __future__ import annotations

import copy

import numpy as np

from .._fast_conv import blas_on_one_thread
from .._validate import check_bytes, count, describe, float_dtype, real_array
from .layers import Conv2d, Layer, Parameter

__all__ = ["Sequential"]


class Sequential:
    """A stack of layers; ``forward`` runs them in order, ``backward`` in reverse.

    Parameters
    ----------
    *layers : Layer
        Named automatically ``"0.Conv2d"``, ``"1.ReLU"``, ... for ``summary`` and gradient checks.

    Examples
    --------
    >>> from cnnhelpers.nn import Conv2d, Flatten, Linear, MaxPool2d, ReLU
    >>> rng = np.random.default_rng(0)
    >>> model = Sequential(Conv2d(1, 4, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2), Flatten(),
    ...                    Linear(4 * 14 * 14, 10, rng=rng))
    >>> model.forward(np.zeros((2, 1, 28, 28))).shape
    (2, 10)
    >>> model.count_parameters()
    7890
    """

    def __init__(self, *layers: Layer):
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {index} must be a cnnhelpers.nn layer; got {type(layer).__name__}")
        self.layers = list(layers)
        params = self.parameters()
        self._dtype = next(iter(params.values())).data.dtype if params else np.dtype(np.float32)

    @property
    def names(self) -> list[str]:
        return [f"{index}.{type(layer).__name__}" for index, layer in enumerate(self.layers)]

    @property
    def dtype(self) -> np.dtype:
        """The parameters' dtype, which inputs are cast to (float32 unless converted with :meth:`astype`)."""
        return self._dtype

    def parameters(self) -> dict[str, Parameter]:
        """Every learnable parameter, named ``"<layer name>.<weight|bias>"``."""
        return {f"{name}.{key}": param for name, layer in zip(self.names, self.layers, strict=True)
                for key, param in layer.parameters().items()}

    def count_parameters(self) -> int:
        return sum(param.size for param in self.parameters().values())

    def train(self) -> Sequential:
        """Training mode (Dropout active). Returns the model."""
        for layer in self.layers:
            layer.training = True
        return self

    def eval(self) -> Sequential:
        """Evaluation mode (Dropout off). Returns the model."""
        for layer in self.layers:
            layer.training = False
        return self

    def astype(self, dtype) -> Sequential:
        """A deep copy whose parameters have ``dtype`` (float64 for gradient checks)."""
        dtype = float_dtype(dtype)
        clone = copy.deepcopy(self)
        clone._dtype = dtype
        for param in clone.parameters().values():
            param.data, param.grad = param.data.astype(dtype), None
        return clone

    def _as_input(self, x) -> np.ndarray:
        """A batch of real numbers in the parameters' dtype (complex, text, object and masked arrays refused)."""
        return real_array(x, "x").astype(self.dtype, copy=False)

    def forward(self, x) -> np.ndarray:
        """Run every layer on a batch ``x``; the input is cast to the parameters' dtype first.

        Raises
        ------
        TypeError
            If ``x`` is not an array of real numbers (complex, text, objects) or is a masked array.
        ValueError
            If a layer does not accept the shape of what reaches it.
        """
        x = self._as_input(x)
        with blas_on_one_thread():  # see _fast_conv.blas_on_one_thread: the convolutions still use every core
            for layer in self.layers:
                x = layer.forward(x)
        return x

    __call__ = forward

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate ``grad_out`` (the loss gradient of the output); fills every ``param.grad``.

        Returns the gradient with respect to the input, or None with ``input_grad=False``, which
        lets a first convolution skip that work (training never needs it, as in PyTorch).

        Raises
        ------
        ValueError
            Before any ``forward``, or if ``grad_out`` is not shaped like the last output.
        """
        with blas_on_one_thread():
            for index in reversed(range(len(self.layers))):
                layer = self.layers[index]
                if index == 0 and not input_grad and isinstance(layer, Conv2d):
                    return layer.backward(grad_out, input_grad=False)
                grad_out = layer.backward(grad_out)
        return grad_out

    def feature_maps(self, x) -> list[tuple[str, np.ndarray]]:
        """Each layer's output for a batch ``x``, in evaluation mode: ``[(name, output), ...]``."""
        training = [layer.training for layer in self.layers]
        x = self._as_input(x)
        self.eval()
        maps = []
        try:
            for name, layer in zip(self.names, self.layers, strict=True):
                x = layer.forward(x)
                maps.append((name, x))
        finally:
            for layer, mode in zip(self.layers, training, strict=True):
                layer.training = mode
        return maps

    def summary_rows(self, input_shape: tuple[int, ...]) -> list[dict]:
        """For each layer: name, description, output shape (without the batch) and parameter count."""
        if not isinstance(input_shape, (tuple, list)):
            raise TypeError(f"input_shape must be a tuple of positive ints, one example's shape; "
                            f"got {describe(input_shape)}")
        input_shape = tuple(count(n, "input_shape") for n in input_shape)
        check_bytes(int(np.prod(input_shape, dtype=object)) * self.dtype.itemsize, "input_shape", "an example")
        maps = self.feature_maps(np.zeros((1, *input_shape), self.dtype))
        return [{"name": name, "layer": repr(layer), "output_shape": out.shape[1:],
                 "parameters": sum(p.size for p in layer.parameters().values()), "formula": layer.param_formula()}
                for (name, out), layer in zip(maps, self.layers, strict=True)]

    def summary(self, input_shape: tuple[int, ...], print_fn=print) -> None:
        """Print each layer's output shape and parameter count, like Keras' ``model.summary()``.

        Parameters
        ----------
        input_shape : tuple
            One example's shape, without the batch axis: ``(1, 28, 28)`` for an MNIST digit.
        print_fn : callable
            Receives the table as one string.
        """
        if not callable(print_fn):
            raise TypeError(f"print_fn must be callable (print, or a function of one string); got {describe(print_fn)}")
        rows = self.summary_rows(input_shape)
        input_shape = tuple(int(n) for n in input_shape)
        header = ("layer", "output shape", "parameters", "= weights + biases")
        lines = [(r["layer"], "(N, " + ", ".join(map(str, r["output_shape"])) + ")", f"{r['parameters']:,}",
                  r["formula"]) for r in rows]
        widths = [max(len(row[i]) for row in [header, *lines]) for i in range(4)]
        rule = "-" * (sum(widths) + 6)

        def fmt(row):
            return f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}".rstrip()

        table = [fmt(header), rule, *map(fmt, lines), rule,
                 f"input (N, {', '.join(map(str, input_shape))}), total parameters: {self.count_parameters():,}"]
        print_fn("\n".join(table))

    def __repr__(self) -> str:
        inner = "".join(f"\n  {layer!r}," for layer in self.layers)
        return f"Sequential({inner}\n)"
