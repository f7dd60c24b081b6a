"""Learn a kernel by gradient descent: random 3x3 weights turn into the Sobel filter.

The bridge from hand-made kernels to a trained network. Take a photograph and its Sobel-filtered
version (the target); start from random weights ``w``; repeat

    out  = conv2d(image, w)                         # the forward pass
    loss = mean((out - target)**2)
    grad = conv2d_backward(2 * (out - target) / out.size, image, w)[1]
    w    = w - lr * grad   (with momentum)

and the loss falls by orders of magnitude while ``w`` becomes the Sobel kernel: the only kernel
that reproduces the target. :func:`learn_kernel` records every step; :class:`KernelDescent` is a
slider over them.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from .conv import conv2d, conv2d_backward
from .images import load_image
from .kernels import sobel_x
from .live import Experiment, LiveFigure
from .plotting import SIGNED_CMAP, draw_grid, signed_norm

__all__ = ["KernelFit", "learn_kernel", "KernelDescent"]


@dataclass(frozen=True)
class KernelFit:
    """Every step of :func:`learn_kernel`.

    Attributes
    ----------
    image : array (H, W)
        The photograph, standardised (mean 0, standard deviation 1).
    target : array (H-KH+1, W-KW+1)
        ``image`` filtered with ``target_kernel``.
    target_kernel : array (KH, KW)
    kernels : array (steps + 1, KH, KW)
        The weights before the first step and after each step.
    losses : array (steps + 1,)
        The mean squared error of each of those kernels.
    """

    image: np.ndarray
    target: np.ndarray
    target_kernel: np.ndarray
    kernels: np.ndarray
    losses: np.ndarray

    @property
    def steps(self) -> int:
        return len(self.losses) - 1

    def output(self, step: int) -> np.ndarray:
        """The image filtered with the kernel of ``step``, (H-KH+1, W-KW+1)."""
        return conv2d(self.image[None, None], self.kernels[step][None, None])[0, 0]


def learn_kernel(image=None, target_kernel=sobel_x, *, steps: int = 300, lr: float = 0.05, momentum: float = 0.9,
                 seed: int = 0) -> KernelFit:
    """Fit random weights by gradient descent until convolving ``image`` reproduces its filtered version.

    The image is standardised first (mean 0, standard deviation 1): then every pixel of the 3x3
    patches has variance 1 and one learning rate suits every photograph. Plain gradient descent
    crawls along the directions in which neighbouring pixels move together (photographs are
    smooth); momentum (the heavy ball: each step keeps ``momentum`` of the last one) gets through
    them in a few hundred steps.

    Parameters
    ----------
    image : array (H, W), optional
        Default: the coins photograph, 48 pixels high.
    target_kernel : array (KH, KW)
        The kernel to rediscover (Sobel x by default).
    steps : int
        Gradient steps.
    lr : float
        Learning rate.
    momentum : float
        From 0 (plain gradient descent) to below 1.
    seed : int
        For the random starting weights (standard normal, times 0.5).

    Returns
    -------
    KernelFit

    Examples
    --------
    >>> fit = learn_kernel()
    >>> fit.kernels[-1].round(2) + 0.0  # + 0.0 turns -0.0 into 0.0
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    >>> bool(fit.losses[-1] < 1e-6 * fit.losses[0])
    True
    """
    image = load_image("coins", size=48) if image is None else np.asarray(image, dtype=float)
    kernel = np.asarray(target_kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"image and target_kernel must be 2-D; got shapes {image.shape} and {kernel.shape}")
    if not (isinstance(steps, int) and steps >= 1):
        raise ValueError(f"steps must be a positive int; got {steps!r}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must lie in [0, 1); got {momentum!r}")
    if image.std() == 0:
        raise ValueError("image must not be constant: there would be nothing to learn from")
    image = (image - image.mean()) / image.std()
    x = image[None, None]  # (N=1, C=1, H, W): conv2d's layout
    target = conv2d(x, kernel[None, None])
    w = np.random.default_rng(seed).standard_normal((1, 1, *kernel.shape)) * 0.5  # (O=1, C=1, KH, KW)
    velocity = np.zeros_like(w)
    kernels, losses = [], []
    for step in range(steps + 1):
        error = conv2d(x, w) - target
        kernels.append(w[0, 0].copy())
        losses.append(float(np.mean(error ** 2)))
        if step == steps:
            break
        _, grad_w, _ = conv2d_backward(2 * error / error.size, x, w)  # d loss / d w
        velocity = momentum * velocity - lr * grad_w
        w = w + velocity
    return KernelFit(image, target[0, 0], kernel, np.array(kernels), np.array(losses))


class KernelDescent(Experiment):
    """A slider over the steps of :func:`learn_kernel`: the kernel, its output, the target, the loss.

    Parameters
    ----------
    fit : KernelFit, optional
        Default: ``learn_kernel()``.

    Examples
    --------
    >>> descent = KernelDescent(learn_kernel(steps=20))
    >>> result = descent.update(step=20)
    >>> result["kernel"].shape, result["output"].shape == result["target"].shape
    ((3, 3), True)
    """

    def __init__(self, fit: KernelFit | None = None):
        super().__init__()
        self.fit = learn_kernel() if fit is None else fit
        self.controls = {"step": widgets.IntSlider(value=0, min=0, max=self.fit.steps, description="step")}
        self.live = LiveFigure(figsize=(15, 4.2))
        axes = self.live.subplots(1, 4, gridspec_kw={"width_ratios": [1.1, 1.4, 1.4, 1.6]})
        self._ax_kernel, self._ax_out, self._ax_target, self._ax_loss = axes
        limit = float(np.percentile(np.abs(self.fit.target), 99.5)) or 1.0  # output and target share colours
        self._out = self._ax_out.imshow(self.fit.output(0), cmap=SIGNED_CMAP, norm=signed_norm([-limit, limit]))
        self._ax_target.imshow(self.fit.target, cmap=SIGNED_CMAP, norm=signed_norm([-limit, limit]))
        self._ax_target.set_title("target: the Sobel-filtered photo")
        for ax in (self._ax_out, self._ax_target):
            ax.set_xticks([])
            ax.set_yticks([])
        steps = np.arange(self.fit.steps + 1)
        self._ax_loss.semilogy(steps, self.fit.losses, color="#0072B2")
        self._marker, = self._ax_loss.semilogy([0], [self.fit.losses[0]], "o", color="#E69F00", markersize=9)
        self._ax_loss.set_xlabel("step")
        self._ax_loss.set_ylabel("mean squared error")
        self._ax_loss.set_title("loss (log scale)")
        self._ax_loss.grid(True, which="major", alpha=0.3)

    def update(self, step: int) -> dict:
        """Show the kernel, its output and the loss after ``step`` gradient steps.

        Returns
        -------
        dict
            ``kernel`` (3, 3), ``output`` and ``target`` (H-2, W-2), ``loss`` (float).
        """
        if not (isinstance(step, (int, np.integer)) and 0 <= step <= self.fit.steps):
            raise ValueError(f"step must be a whole number from 0 to {self.fit.steps}; got {step!r}")
        kernel, output, loss = self.fit.kernels[step], self.fit.output(step), float(self.fit.losses[step])
        error = float(np.abs(kernel - self.fit.target_kernel).max())
        when = "the random start" if step == 0 else f"after {step} steps"
        draw_grid(self._ax_kernel, np.round(kernel, 2) + 0.0, fmt="{:.2f}", signed=True, fontsize=14,  # no "-0.00"
                  title=f"kernel: {when}\nfarthest from Sobel: {error:.2g}")
        self._out.set_data(output)
        self._ax_out.set_title("output: the photo filtered\nwith this kernel")
        self._marker.set_data([step], [loss])
        self._ax_loss.set_title(f"loss (log scale): {loss:.2g}")
        self.live.refresh()
        return {"kernel": kernel, "output": output, "target": self.fit.target, "loss": loss}
