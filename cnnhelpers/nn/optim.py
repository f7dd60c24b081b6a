"""Optimizers: stochastic gradient descent with momentum, and Adam. Both follow ``torch.optim``."""

from __future__ import annotations

import numpy as np

from .._validate import describe, real_number
from .layers import Parameter

__all__ = ["SGD", "Adam"]


def _check_params(params) -> list[Parameter]:
    try:
        params = list(params.values()) if isinstance(params, dict) else list(params)
    except TypeError:
        params = [params]
    if not params or not all(isinstance(p, Parameter) for p in params):
        raise TypeError(f"params must be a non-empty list or dict of Parameters "
                        f"(model.parameters()); got {describe(params)}")
    return params


def _check_rate(value, name: str, upper: float | None = None) -> float:
    """A finite number >= 0 (and below ``upper``): a NaN or infinite rate would ruin every parameter."""
    return real_number(value, name, minimum=0, below=upper)


def _check_betas(betas) -> tuple[float, float]:
    if not isinstance(betas, (tuple, list, np.ndarray)) or np.ndim(betas) != 1:
        raise TypeError(f"betas must be a pair of numbers (beta1, beta2), each in [0, 1); got {describe(betas)}")
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair of numbers (beta1, beta2), each in [0, 1); got {len(betas)} "
                         f"values: {describe(betas)}")
    return _check_rate(betas[0], "betas[0]", 1.0), _check_rate(betas[1], "betas[1]", 1.0)


def _gradients(params: list[Parameter], optimizer: str) -> list[np.ndarray]:
    """Every parameter's gradient, which ``backward`` must have filled with the parameter's shape."""
    for index, p in enumerate(params):
        if p.grad is None:
            raise ValueError(f"{optimizer}.step: parameter {index} has no gradient; run the model's backward "
                             f"before step")
        if np.shape(p.grad) != p.data.shape:
            raise ValueError(f"{optimizer}.step: parameter {index} has shape {p.data.shape} but its gradient "
                             f"{np.shape(p.grad)}")
    return [p.grad for p in params]


class SGD:
    """Gradient descent with (heavy-ball) momentum, as ``torch.optim.SGD``.

    ``velocity = momentum * velocity + grad``, then ``param -= lr * velocity``.

    Parameters
    ----------
    params : dict or list of Parameter
        Usually ``model.parameters()``.
    lr : float
        Learning rate.
    momentum : float in [0, 1)

    Examples
    --------
    >>> p = Parameter(np.array([1.0])); p.grad = np.array([2.0])
    >>> opt = SGD([p], lr=0.1, momentum=0.9); opt.step(); opt.step(); p.data
    array([0.42])
    """

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0):
        self.params = _check_params(params)
        self.lr, self.momentum = _check_rate(lr, "lr"), _check_rate(momentum, "momentum", 1.0)
        self.velocity = [np.zeros_like(p.data) for p in self.params]

    def step(self) -> None:
        """Update every parameter in place from its ``grad``."""
        for p, v, grad in zip(self.params, self.velocity, _gradients(self.params, "SGD"), strict=True):
            v *= self.momentum
            v += grad
            p.data -= p.data.dtype.type(self.lr) * v


class Adam:
    """Adam (Kingma & Ba, 2015), as ``torch.optim.Adam``.

    Running means of the gradient (``m``) and of its square (``v``), corrected for their start at
    zero, give every parameter its own step size: ``param -= lr * m_hat / (sqrt(v_hat) + eps)``.

    Parameters
    ----------
    params : dict or list of Parameter
    lr : float
    betas : (float, float)
        Decay rates of ``m`` and ``v``.
    eps : float
        Keeps the division finite.

    Examples
    --------
    The first step moves every parameter by about ``lr``, whatever the gradient's size:

    >>> p = Parameter(np.array([1.0, 1.0])); p.grad = np.array([1e-3, 1e3])
    >>> Adam([p], lr=0.1).step(); np.round(p.data, 4)
    array([0.9, 0.9])
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params = _check_params(params)
        self.lr, self.eps = _check_rate(lr, "lr"), _check_rate(eps, "eps")
        self.betas = _check_betas(betas)
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]
        self.steps = 0

    def step(self) -> None:
        """Update every parameter in place from its ``grad``."""
        grads = _gradients(self.params, "Adam")
        self.steps += 1
        beta1, beta2 = self.betas
        # Bias corrections folded into the step size, as PyTorch does.
        step_size = self.lr / (1 - beta1 ** self.steps)
        root_correction = np.sqrt(1 - beta2 ** self.steps)
        for p, m, v, grad in zip(self.params, self.m, self.v, grads, strict=True):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            denominator = np.sqrt(v) / p.data.dtype.type(root_correction) + p.data.dtype.type(self.eps)
            p.data -= p.data.dtype.type(step_size) * m / denominator
