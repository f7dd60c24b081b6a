"""Gradient checking: backpropagation against central finite differences, in float64."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import count, real_array, real_number
from .layers import Layer
from .losses import softmax_cross_entropy
from .model import Sequential

__all__ = ["GradcheckResult", "gradcheck"]


@dataclass(frozen=True)
class GradcheckResult:
    """Largest relative error per checked array (``"input"`` and each parameter), and the verdict.

    The relative error of one entry is ``|analytic - numeric| / max(|analytic|, |numeric|, floor)``.
    Entries whose ``±eps`` steps cross a kink (of a ReLU, or a change of maximum in a max pool)
    are counted in ``kinks`` and left out of ``errors``: there finite differences measure nothing.
    """

    errors: dict[str, float]
    checked: dict[str, int]
    kinks: dict[str, int]
    tolerance: float

    @property
    def passed(self) -> bool:
        """Every error within tolerance, and at most a quarter of each array's entries at kinks."""
        return all(self.errors[name] <= self.tolerance and 4 * self.kinks[name] <= self.checked[name]
                   for name in self.errors)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        width = max(map(len, self.errors))
        lines = [f"{'array':<{width}}  entries checked  at a kink  max relative error"]
        lines += [f"{name:<{width}}  {self.checked[name]:>15}  {self.kinks[name]:>9}  {error:.1e}"
                  for name, error in self.errors.items()]
        verdict = "passed" if self.passed else "FAILED"
        lines.append(f"gradient check {verdict} (tolerance {self.tolerance:.0e})")
        return "\n".join(lines)


def _random_states(model: Sequential) -> list:
    """The generators of random layers (Dropout), so every evaluation replays the same masks."""
    return [(layer.rng, layer.rng.bit_generator.state) for layer in model.layers if hasattr(layer, "rng")]


def gradcheck(model: Sequential | Layer, x: np.ndarray, y: np.ndarray | None = None, *, eps: float = 1e-5,
              tolerance: float = 1e-6, floor: float = 1e-5,
              max_entries: int = 60, seed: int = 0) -> GradcheckResult:
    """Compare ``backward``'s gradients with central differences ``(L(w+eps) - L(w-eps)) / (2 eps)``.

    Everything runs on a float64 copy of the model, so the finite differences are accurate to
    about ``eps**2``. Random layers replay the same random numbers at every evaluation.

    ReLU and max pooling have kinks. Where a step of ``±eps`` crosses one, the differences with
    ``eps`` and with ``eps/2`` disagree; such entries are counted as kinks and left out (a wrong
    gradient still shows: there the two differences agree with each other, not with it).

    Parameters
    ----------
    model : Sequential or Layer
    x : array
        A small input batch.
    y : int array of shape (N,), optional
        With labels the loss is the softmax cross-entropy of the output; without, it is
        ``sum(output * R)`` for a fixed random ``R``, so every output value matters.
    eps : float
        Step of the finite differences.
    tolerance : float
        Largest relative error that passes.
    floor : float
        Smallest denominator of the relative error, so two near-zero gradients count as equal.
    max_entries : int
        Entries checked per array, chosen at random (every entry for small arrays).
    seed : int
        For ``R`` and the choice of entries.

    Returns
    -------
    GradcheckResult
        ``passed``, and the error of each array; its repr is a table.

    Examples
    --------
    >>> from cnnhelpers.nn import Linear
    >>> gradcheck(Linear(3, 2, rng=0), np.ones((4, 3))).passed
    True
    """
    if isinstance(model, Layer):
        model = Sequential(model)
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a Sequential or a Layer; got {type(model).__name__}")
    eps, tolerance = real_number(eps, "eps", positive=True), real_number(tolerance, "tolerance", minimum=0)
    floor = real_number(floor, "floor", positive=True)
    max_entries, seed = count(max_entries, "max_entries"), count(seed, "seed", minimum=0)
    model = model.astype(np.float64).train()
    x = real_array(x, "x").astype(np.float64)  # a copy: entries are perturbed in place
    rng = np.random.default_rng(seed)
    replay = _random_states(model)
    weights = None
    y = None if y is None else np.asarray(y)

    def loss_and_grad():
        for generator, state in replay:
            generator.bit_generator.state = state
        out = model.forward(x)
        if y is not None:
            return softmax_cross_entropy(out, y)
        nonlocal weights
        if weights is None:
            weights = rng.standard_normal(out.shape)
        return float((out * weights).sum()), weights

    _, grad_out = loss_and_grad()
    arrays = {"input": (x, model.backward(grad_out))}
    arrays.update({name: (p.data, p.grad) for name, p in model.parameters().items()})
    errors, checked, kinks = {}, {}, {}
    for name, (values, analytic) in arrays.items():
        flat = values.reshape(-1)  # a view: perturbing it perturbs the model's array
        picks = rng.choice(flat.size, size=min(max_entries, flat.size), replace=False)
        worst, at_kinks = 0.0, 0
        for index in picks:
            numeric, half_step = (_central_difference(flat, index, step, loss_and_grad) for step in (eps, eps / 2))
            if _relative(numeric, half_step, floor) > tolerance:
                at_kinks += 1
                continue
            worst = max(worst, _relative(analytic.reshape(-1)[index], numeric, floor))
        errors[name], checked[name], kinks[name] = worst, len(picks), at_kinks
    return GradcheckResult(errors, checked, kinks, tolerance)


def _central_difference(flat: np.ndarray, index: int, eps: float, loss) -> float:
    """``(L(w + eps) - L(w - eps)) / (2 eps)`` for entry ``index`` of ``flat`` (restored afterwards)."""
    original = flat[index]
    flat[index] = original + eps
    plus, _ = loss()
    flat[index] = original - eps
    minus, _ = loss()
    flat[index] = original
    return (plus - minus) / (2 * eps)


def _relative(a: float, b: float, floor: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), floor)
