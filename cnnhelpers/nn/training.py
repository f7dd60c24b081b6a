"""Training loop, evaluation and prediction for a classifier that outputs logits."""

from __future__ import annotations

import math
import time
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import ThreadpoolController
from tqdm.auto import tqdm

from .._validate import check_bytes, check_callable, count, describe, real_array
from ._shards import ShardedSteps, check_shards
from .layers import as_rng
from .losses import softmax, softmax_cross_entropy
from .model import Sequential
from .optim import SGD, Adam, _check_rate

__all__ = ["History", "fit", "evaluate", "predict", "confusion_matrix", "blas_threads"]


def blas_threads(threads: int | None):
    """A context in which NumPy's BLAS uses ``threads`` threads (``None``: leave it as it is).

    The matrices of a small network are small: splitting each product across threads costs more
    than it saves, and on a busy machine waiting threads make it several times slower. So the
    training loop runs single-threaded by default.
    """
    if threads is None:
        return nullcontext()
    threads = count(threads, "threads")
    # Only the libraries not at that count already. Setting it restarts OpenBLAS's thread pool
    # where a fork stopped it, and the new threads spin for a while waiting for work: a forked
    # shard worker (see nn._shards), which inherits its count, would share its core with them.
    blas = ThreadpoolController().select(user_api="blas")
    others = [lib.filepath for lib in blas.lib_controllers if lib.num_threads != threads]
    return blas.select(filepath=others).limit(limits=threads) if others else nullcontext()


@dataclass
class History:
    """What :func:`fit` records, one entry per epoch (``snapshots`` also holds the state before epoch 1).

    Attributes
    ----------
    loss, accuracy : list of float
        Mean training loss and accuracy over the epoch's batches (in training mode).
    val_loss, val_accuracy : list of float
        On the validation data after each epoch (empty without validation data).
    seconds : list of float
        Wall-clock time of each epoch's training steps.
    snapshots : list
        ``snapshot(model)`` before training and after every epoch, when given.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    snapshots: list = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.loss)


def _check_inputs(model, x, name: str = "x", allow_empty: bool = False) -> np.ndarray:
    """A model and a batch of real numbers ``(N, ...)``, with N >= 1 unless ``allow_empty``."""
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a cnnhelpers.nn.Sequential; got {type(model).__name__}")
    x = real_array(x, name)
    if x.ndim == 0 or (len(x) == 0 and not allow_empty):
        raise ValueError(f"{name} must be a batch (N, ...) with at least one example; got shape {x.shape}")
    return x


def _check_data(model, x, y, name: str):
    x = _check_inputs(model, x, "x" if name == "y" else name.replace("y", "x"))
    try:
        y = np.asarray(y)
    except ValueError:  # a ragged list
        y = np.asarray(y, dtype=object)
    if y.ndim != 1 or len(y) != len(x) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name} labels must be integers, one per example ({len(x)}); got {describe(y)}")
    return x, y


def fit(model: Sequential, x, y, *, optimizer, epochs: int = 5, batch_size: int = 64, validation=None,
        augment=None, lr_schedule=None, snapshot=None, rng=None, progress: bool = True,
        threads: int | None = 1, shards: int = 1) -> History:
    """Train ``model`` with mini-batches of shuffled examples and the softmax cross-entropy loss.

    Parameters
    ----------
    model : Sequential
        Its last layer gives one logit per class.
    x : array of shape (N, ...)
        Inputs, e.g. images (N, 1, 28, 28) scaled to [0, 1].
    y : int array of shape (N,)
    optimizer : SGD or Adam
        Built on ``model.parameters()``.
    epochs, batch_size : int
    validation : (x_val, y_val), optional
        Evaluated after every epoch.
    augment : callable ``(batch, rng) -> batch``, optional
        Applied to each training batch (e.g. :func:`cnnhelpers.data.random_shifts`).
    lr_schedule : callable ``(epoch) -> float``, optional
        The optimizer's learning rate for each epoch (counted from 1), e.g. a decay at the end.
    snapshot : callable ``(model) -> anything``, optional
        Called before training and after every epoch; results go to ``history.snapshots``.
    rng : numpy Generator or int seed
        Shuffling and augmentation; the same seed gives the same training run.
    progress : bool
        Show a progress bar (tqdm's notebook widget in Jupyter, text elsewhere).
    threads : int or None
        BLAS threads while training (see :func:`blas_threads`); None keeps the current setting.
    shards : int
        Cut every batch into this many parts, whose gradients are found separately and averaged
        (data parallelism): on Linux each part after the first runs in its own process when the
        machine has a core for it. The numbers depend on ``shards``, never on the machine: with
        one core the parts run one after the other and give the same result, bit for bit.
        At most ``batch_size``; a model with Dropout needs 1. Each extra process uses ``threads``
        BLAS threads (1 if None).

    Returns
    -------
    History

    Raises
    ------
    TypeError, ValueError
        Naming the argument: an empty or non-numeric ``x``, labels that are not one integer per
        example, ``epochs``, ``batch_size`` or ``shards`` not a positive int, ``shards`` above
        ``batch_size`` or above 1 with Dropout, an optimizer that is not SGD or Adam, a
        ``validation`` that is not a pair, a callback that is not callable.
    RuntimeError
        If a worker process of ``shards`` stopped (killed, out of memory) or its step failed.
    """
    x, y = _check_data(model, x, y, "y")
    epochs, batch_size = count(epochs, "epochs"), count(batch_size, "batch_size")
    shards = count(shards, "shards")
    check_shards(model, shards, batch_size)
    if not isinstance(optimizer, (SGD, Adam)):
        raise TypeError(f"optimizer must be SGD or Adam built on model.parameters(); got {describe(optimizer)}")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise ValueError(f"validation must be a pair (x_val, y_val); got {describe(validation)}")
        validation = _check_data(model, *validation, "y_val")
    check_callable(augment, "augment", "(batch, rng) -> batch", optional=True)
    check_callable(lr_schedule, "lr_schedule", "(epoch) -> learning rate", optional=True)
    check_callable(snapshot, "snapshot", "(model) -> anything", optional=True)
    rng = as_rng(rng)
    sample_bytes = math.prod(x.shape[1:]) * max(x.dtype.itemsize, model.dtype.itemsize, 8)
    with blas_threads(threads), ShardedSteps(model, shards, sample_bytes, batch_size, threads,
                                                               validation) as sharded:
        return _train(model, x, y, optimizer, epochs, batch_size, validation, augment, lr_schedule, snapshot,
                      rng, progress, sharded)


def _train(model, x, y, optimizer, epochs, batch_size, validation, augment, lr_schedule, snapshot, rng,
           progress, sharded) -> History:
    history = History()
    if snapshot is not None:
        history.snapshots.append(snapshot(model))
    steps = -(-len(x) // batch_size)
    bar = tqdm(total=epochs * steps, unit="batch", disable=not progress)
    for epoch in range(1, epochs + 1):
        model.train()
        if lr_schedule is not None:
            optimizer.lr = _check_rate(lr_schedule(epoch), "lr_schedule(epoch)")
        order = rng.permutation(len(x))
        start, total_loss, correct = time.perf_counter(), 0.0, 0
        for first in range(0, len(x), batch_size):
            batch = order[first:first + batch_size]
            inputs = x[batch] if augment is None else augment(x[batch], rng)
            loss, logits = sharded.step(inputs, y[batch])  # forward, loss and backward (see nn._shards)
            optimizer.step()
            total_loss += loss * len(batch)
            correct += int((logits.argmax(axis=1) == y[batch]).sum())
            bar.update(1)
        history.seconds.append(time.perf_counter() - start)
        history.loss.append(total_loss / len(x))
        history.accuracy.append(correct / len(x))
        postfix = {"epoch": epoch, "loss": f"{history.loss[-1]:.3f}", "acc": f"{history.accuracy[-1]:.3f}"}
        if validation is not None:
            val_loss, val_accuracy = sharded.evaluate()  # nn.evaluate, on every process
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
            postfix["val_acc"] = f"{val_accuracy:.3f}"
        bar.set_postfix(postfix)
        if snapshot is not None:
            history.snapshots.append(snapshot(model))
    bar.close()
    model.eval()
    return history


def scores(model: Sequential, x: np.ndarray, batch_size, threads: int | None) -> np.ndarray:
    """The logits of ``x`` in evaluation mode, a batch of ``batch_size`` at a time."""
    batch_size = count(batch_size, "batch_size")
    with blas_threads(threads):
        model.eval()
        return np.concatenate([model.forward(x[i:i + batch_size]) for i in range(0, max(len(x), 1), batch_size)])


def predict(model: Sequential, x, *, batch_size: int = 100, threads: int | None = 1) -> np.ndarray:
    """Class probabilities (N, classes) for inputs ``x`` (N, ...), in evaluation mode.

    An empty batch (N = 0) gives an empty ``(0, classes)`` result, as in PyTorch.

    Raises
    ------
    TypeError, ValueError
        If ``x`` is not a batch of numbers, or ``batch_size`` is not a positive int.
    """
    return softmax(scores(model, _check_inputs(model, x, allow_empty=True), batch_size, threads))


def evaluate(model: Sequential, x, y, *, batch_size: int = 100, threads: int | None = 1) -> tuple[float, float]:
    """Mean cross-entropy loss and accuracy of ``model`` on ``(x, y)``, in evaluation mode.

    Returns
    -------
    loss, accuracy : float
    """
    x, y = _check_data(model, x, y, "y")
    return _loss_and_accuracy(scores(model, x, batch_size, threads), y)


def _loss_and_accuracy(logits, y) -> tuple[float, float]:
    loss, _ = softmax_cross_entropy(logits, y)
    return loss, float((logits.argmax(axis=1) == y).mean())


def confusion_matrix(y_true, y_pred, classes: int = 10) -> np.ndarray:
    """Counts ``(classes, classes)``: row = true class, column = predicted class.

    Raises
    ------
    TypeError
        If the labels are not integers or ``classes`` is not an int.
    ValueError
        If the labels differ in shape or lie outside ``0..classes-1``, or ``classes`` < 1.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1], [0, 1, 0], classes=2)
    array([[1, 0],
           [1, 1]])
    """
    classes = count(classes, "classes")
    labels = {}
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        try:
            values = np.asarray(values)
        except ValueError:  # a ragged list
            raise TypeError(f"{name} must be a 1-D array of integer labels; got {describe(values)}") from None
        if values.size and not np.issubdtype(values.dtype, np.integer):
            raise TypeError(f"{name} must hold integers (class labels); got dtype {values.dtype}")
        if values.size and (values.min() < 0 or values.max() >= classes):
            raise ValueError(f"{name} must hold labels in 0..{classes - 1} (classes={classes}); "
                             f"got values from {values.min()} to {values.max()}")
        labels[name] = values.astype(np.int64)
    y_true, y_pred = labels["y_true"], labels["y_pred"]
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D of equal length; got shapes {y_true.shape} and {y_pred.shape}")
    check_bytes(classes * classes * 8, "classes", "a table")
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts
