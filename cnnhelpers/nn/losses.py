"""Softmax and the cross-entropy loss, computed stably with the log-sum-exp trick."""

from __future__ import annotations

import numpy as np

from .._validate import describe, real_array

__all__ = ["log_softmax", "softmax", "softmax_cross_entropy"]


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """``log(softmax(logits))`` along the last axis, without overflow.

    Subtracting each row's maximum first leaves the result unchanged and keeps every ``exp``
    at most 1: ``log_softmax(z) = z - max(z) - log(sum(exp(z - max(z))))``.

    Parameters
    ----------
    logits : array of shape (N, K)

    Returns
    -------
    array of shape (N, K)

    Examples
    --------
    >>> np.round(log_softmax(np.array([[1000.0, 1000.0]])), 4)
    array([[-0.6931, -0.6931]])
    """
    logits = real_array(logits, "logits")
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(f"logits must have at least one class along the last axis; got shape {logits.shape}")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Class probabilities ``exp(z) / sum(exp(z))`` along the last axis (each row sums to 1).

    Examples
    --------
    >>> softmax(np.array([[0.0, np.log(3.0)]]))
    array([[0.25, 0.75]])
    """
    return np.exp(log_softmax(logits))


def softmax_cross_entropy(logits: np.ndarray, labels) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax probabilities against integer labels, and its gradient.

    ``loss = mean_n( -log softmax(logits[n])[labels[n]] )``; its gradient with respect to the
    logits is ``(softmax(logits) - one_hot(labels)) / N``.

    Parameters
    ----------
    logits : array of shape (N, K)
    labels : int array of shape (N,), values in ``0..K-1``

    Returns
    -------
    loss : float
    grad_logits : array of shape (N, K), the dtype of ``logits``

    Raises
    ------
    ValueError
        If the shapes do not match or a label is out of range.

    Examples
    --------
    >>> loss, grad = softmax_cross_entropy(np.zeros((1, 4)), [2])
    >>> round(loss, 4), grad
    (1.3863, array([[ 0.25,  0.25, -0.75,  0.25]]))
    """
    logits = real_array(logits, "logits")
    try:
        labels = np.asarray(labels)
    except ValueError:  # a ragged list
        raise TypeError(f"labels must be an array of integers; got {describe(labels)}") from None
    if logits.ndim != 2 or 0 in logits.shape:
        raise ValueError(f"logits must be 2-D (N, classes) with at least one row and one class; "
                         f"got shape {logits.shape}")
    if labels.shape != logits.shape[:1] or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {logits.shape[0]} integers (one per row of logits); got {describe(labels)}")
    if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[1]):
        raise ValueError(f"labels must lie in 0..{logits.shape[1] - 1}; "
                         f"got values from {labels.min()} to {labels.max()}")
    n = len(labels)
    log_probs = log_softmax(logits)
    rows = np.arange(n)
    loss = -float(log_probs[rows, labels].mean())
    grad = np.exp(log_probs)
    grad[rows, labels] -= 1
    return loss, grad / logits.dtype.type(n)
