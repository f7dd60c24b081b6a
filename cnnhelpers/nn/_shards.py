"""How :func:`cnnhelpers.nn.fit` uses two cores: a training step split into two halves of the batch.

Read :func:`cnnhelpers.nn.fit` first: forward the batch, one loss, backward, one optimizer step.
Here the batch is cut into two halves, each run through its own *shard* of the model: a copy of
every layer that shares the model's parameter values (so the optimizer's in-place updates reach
both) but keeps its own cached activations and its own gradients. The steps:

1. forward each half through its shard (the two halves at once, on two threads);
2. one loss over the whole batch, from the two halves' logits put back together;
3. backward each half (at once again), then each parameter's gradient is the first half's plus
   the second's, always in that order.

The split does not depend on the number of threads, so the numbers are the same, bit for bit, on
one core or two. NumPy releases the GIL inside its array operations and BLAS, so the halves really
do run at the same time (the threads are :mod:`cnnhelpers._fast_conv`'s pool, which keeps each
half's BLAS on one thread). A model with a Dropout layer draws random numbers while it trains, and
two threads would draw them in an order that changes from run to run: such a model is not split.

Small halves are not worth it: much of a small half's time is spent in the Python interpreter,
which one thread at a time may run (the GIL), so two halves of a few images each barely overlap
and the split only adds work. A batch is split only when each half gets at least ``MIN_HALF``
images (``benchmarks/results/issue16_training.txt`` has the measurements). Like the split itself,
that depends on the batch size only, never on the number of threads.
"""

from __future__ import annotations

import copy

import numpy as np

from .._fast_conv import _POOL
from .layers import Dropout, Parameter
from .losses import softmax_cross_entropy

_HALVES = 2
MIN_HALF = 32


def _shard(model):
    """A copy of ``model`` whose layers share its parameters' values but have their own gradients."""
    shard = copy.copy(model)
    shard.layers = []
    for layer in model.layers:
        twin = copy.copy(layer)
        for name, param in layer.parameters().items():
            own = Parameter.__new__(Parameter)
            own.data, own.grad = param.data, None
            setattr(twin, name, own)
        shard.layers.append(twin)
    return shard


class ShardedStep:
    """``step(inputs, labels) -> (loss, logits)``: fills every ``param.grad`` of ``model`` as ``fit`` needs.

    ``input_grad=False`` is passed to the first layer, as in :func:`cnnhelpers.nn.fit`.
    """

    def __init__(self, model):
        self.model = model
        self.split = not any(isinstance(layer, Dropout) for layer in model.layers)
        self.shards = [_shard(model) for _ in range(_HALVES)] if self.split else []

    def __call__(self, inputs: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        if not self.split or len(inputs) < _HALVES * MIN_HALF:
            logits = self.model.forward(inputs)
            loss, grad = softmax_cross_entropy(logits, labels)
            self.model.backward(grad, input_grad=False)
            return loss, logits
        params = self.model.parameters()
        for shard in self.shards:  # the optimizer may have replaced an array: share the current ones
            for name, own in shard.parameters().items():
                own.data = params[name].data
        cut = -(-len(inputs) // _HALVES)
        halves = [slice(0, cut), slice(cut, len(inputs))]
        logits = np.concatenate(_POOL.map(lambda k: self.shards[k].forward(inputs[halves[k]]), range(_HALVES)))
        loss, grad = softmax_cross_entropy(logits, labels)
        _POOL.map(lambda k: self.shards[k].backward(grad[halves[k]], input_grad=False), range(_HALVES))
        for name, param in params.items():
            first, second = (shard.parameters()[name].grad for shard in self.shards)
            param.grad = first + second
        return loss, logits
