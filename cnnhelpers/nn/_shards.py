"""How ``fit(shards=k)`` trains on several cores and still gives the same numbers on any machine.

The idea (data parallelism): cut each batch into ``k`` parts ("shards"), find each part's loss
gradient on its own, and average the gradients, weighted by the parts' sizes. That average is the
gradient of the whole batch (up to rounding). It is always computed the same way, shard by shard
in order, whichever process found each shard's gradient: so a run gives the same numbers, bit for
bit, on a laptop with one core and on a server with eight.

What makes it fast: on Linux the shards after the first go to forked copies of this process,
one per spare core (threads would queue on Python's GIL: a training step of a small network is
hundreds of short NumPy calls). Each copy has its own copy of the model, whose parameters are
memory shared with this process (the optimizer updates them in place); every step it reads its
inputs from shared memory too, and writes its gradients back there. Where there is no ``fork``
(Windows, macOS) or no spare core, the shards run one after the other in this process.
"""

from __future__ import annotations

import gc
import math
import mmap
import os
import signal
import sys
import time
import warnings
from multiprocessing import Pipe

import numpy as np

from .._fast_conv import _cores
from . import training  # training imports this module too: its functions are looked up when called
from .layers import Dropout
from .losses import softmax_cross_entropy

_ALIGN = 64  # bytes: each shared array starts on its own cache line
_WATCH_SECONDS = 0.005  # how long a process watches its pipe before it sleeps (see _recv)


def shard_sizes(n: int, shards: int) -> list[int]:
    """Sizes of the ``shards`` parts of a batch of ``n`` (as ``np.array_split``; empty parts dropped)."""
    base, extra = divmod(n, shards)
    return [size for size in [base + 1] * extra + [base] * (shards - extra) if size]


def gradients(model, inputs, labels):
    """Forward, loss and backward for one shard: fills every ``param.grad``; returns ``(loss, logits)``."""
    logits = model.forward(inputs)
    loss, grad = softmax_cross_entropy(logits, labels)
    model.backward(grad, input_grad=False)
    return loss, logits


def check_shards(model, shards: int, batch_size: int) -> None:
    if shards > batch_size:
        raise ValueError(f"shards must be at most batch_size ({batch_size}): each shard needs an example; "
                         f"got shards={shards}")
    if shards > 1 and any(isinstance(layer, Dropout) for layer in model.layers):
        raise ValueError("shards must be 1 for a model with Dropout: each shard would draw its own random "
                         f"masks, and the run would depend on the machine; got shards={shards}")


class ShardedSteps:
    """Training steps whose batches are cut into ``shards`` (a context manager: it owns the workers)."""

    def __init__(self, model, shards: int, sample_bytes: int, max_batch: int, threads, validation=None):
        self.model, self.shards, self.threads = model, shards, threads
        self.validation = validation  # a forked worker inherits it: it evaluates part of it
        self.params = list(model.parameters().values())
        workers = min(shards, _cores()) - 1 if sys.platform.startswith("linux") else 0
        self.workers = []  # (pid, connection, shared grads, shared inputs)
        self._own = []  # the model's own parameter arrays, while the shared ones stand in
        if workers < 1:
            return
        # One shared block: the parameters, then per worker its gradients and its inputs.
        capacity = math.ceil(max_batch / shards) * sample_bytes
        param_bytes = [_aligned(p.data.nbytes) for p in self.params]
        size = sum(param_bytes) * (1 + workers) + _aligned(capacity) * workers
        self._memory = mmap.mmap(-1, max(size, 1))  # anonymous and MAP_SHARED: forked children see it
        cursor = 0

        def arrays():
            nonlocal cursor
            views = []
            for p, nbytes in zip(self.params, param_bytes, strict=True):
                views.append(np.frombuffer(self._memory, p.data.dtype, p.data.size, cursor).reshape(p.data.shape))
                cursor += nbytes
            return views

        # While training, the parameters live in the shared block: the optimizer's in-place updates
        # reach every worker with no copying. close() puts them back into the model's own arrays.
        self._own = [p.data for p in self.params]
        for p, shared in zip(self.params, arrays(), strict=True):
            np.copyto(shared, p.data)
            p.data = shared
        try:
            for _ in range(workers):
                grads = arrays()
                inputs = np.frombuffer(self._memory, np.uint8, capacity, cursor)
                cursor += _aligned(capacity)
                self._start_worker(grads, inputs, threads)
        except BaseException:  # e.g. no memory to fork: leave nothing behind
            self.close()
            raise

    def _start_worker(self, grads, inputs, threads) -> None:
        mine, theirs = Pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns that forking a process with threads may deadlock the child: this
            # child takes no lock another thread might hold (it only runs NumPy and its pipe).
            warnings.simplefilter("ignore", DeprecationWarning)
            # The child's garbage collector ignores every object it inherits: a full collection
            # there would walk them all, and writing to their headers copies each page they sit
            # on (memory is shared with this process until written): milliseconds, at random steps.
            gc.freeze()
            try:
                pid = os.fork()
            except BaseException:
                gc.unfreeze()
                raise
            if pid != 0:
                gc.unfreeze()
        if pid == 0:  # the child: serve until the pipe closes, then leave without running atexit hooks
            code = 0
            try:
                mine.close()
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the parent's to handle
                _serve(theirs, self.model, grads, inputs, threads, self.validation)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        self.workers.append((pid, mine, grads, inputs))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        for _, connection, _, _ in self.workers:
            connection.close()  # the worker sees the pipe close and exits
        for pid, *_ in self.workers:
            _reap(pid)
        self.workers = []
        if self._own:
            for p, own in zip(self.params, self._own, strict=True):
                np.copyto(own, p.data)  # the trained values, in the arrays the model had (the caller may hold them)
                p.data = own
            self._own = []

    def step(self, inputs: np.ndarray, labels: np.ndarray):
        """Fill every ``param.grad`` with the batch's gradient; return ``(loss, logits)``."""
        sizes = shard_sizes(len(inputs), self.shards)
        bounds = np.cumsum([0] + sizes)
        remote = []  # (shard index, connection, shared grads)
        if self.workers:
            for k, (_, connection, grads, buffer) in zip(range(1, len(sizes)), self.workers, strict=False):
                shard = np.ascontiguousarray(inputs[bounds[k]:bounds[k + 1]])
                if shard.nbytes > buffer.nbytes:
                    break  # larger than the first batch's examples: the rest runs here
                buffer[:shard.nbytes] = shard.reshape(-1).view(np.uint8)
                connection.send(("step", shard.dtype.str, shard.shape, labels[bounds[k]:bounds[k + 1]]))
                remote.append((k, connection, grads))
        results = {}
        elsewhere = {k for k, _, _ in remote}
        for k in range(len(sizes)):
            if k in elsewhere:
                continue
            loss, logits = gradients(self.model, inputs[bounds[k]:bounds[k + 1]], labels[bounds[k]:bounds[k + 1]])
            results[k] = (loss, logits, [p.grad.copy() if len(sizes) > 1 else p.grad for p in self.params])
        for k, connection, grads in remote:
            reply = _receive(connection)
            results[k] = (*reply, grads)
        return self._combine([results[k] for k in range(len(sizes))], sizes)

    def evaluate(self, batch_size: int = 100):
        """``nn.evaluate(model, *validation)``, its batches shared out between the processes.

        Whole batches go to each process, the same batches as ``nn.evaluate`` makes, so every
        logit, and the loss and accuracy, are the same as there, bit for bit.
        """
        x, y = self.validation
        if not self.workers:
            return training.evaluate(self.model, x, y, batch_size=batch_size, threads=self.threads)
        starts = list(range(0, len(x), batch_size))
        parts = np.array_split(np.array(starts), len(self.workers) + 1)
        for (_, connection, _, _), part in zip(self.workers, parts[1:], strict=True):
            if len(part):
                connection.send(("logits", int(part[0]), min(int(part[-1]) + batch_size, len(x)), batch_size))
        stop = min(int(parts[0][-1]) + batch_size, len(x)) if len(parts[0]) else 0
        logits = [training.scores(self.model, x[:stop], batch_size, self.threads)]
        logits += [_receive(connection)[0] for (_, connection, _, _), part in zip(self.workers, parts[1:], strict=True)
                   if len(part)]
        return training._loss_and_accuracy(np.concatenate(logits), y)

    def _combine(self, results, sizes):
        """The batch's loss and gradients: shard by shard, in order, weighted by the shards' sizes."""
        if len(results) == 1:
            return results[0][:2]
        total = sum(sizes)
        loss = 0.0
        for (shard_loss, _, _), size in zip(results, sizes, strict=True):
            loss += float(shard_loss) * size / total
        for index, p in enumerate(self.params):
            weighted = [grads[index] * p.data.dtype.type(size / total)
                        for (_, _, grads), size in zip(results, sizes, strict=True)]
            p.grad = weighted[0]
            for part in weighted[1:]:
                p.grad += part
        return loss, np.concatenate([logits for _, logits, _ in results])


def _aligned(nbytes: int) -> int:
    return -(-nbytes // _ALIGN) * _ALIGN


def _recv(connection):
    """``connection.recv()``, after watching the pipe for up to ``_WATCH_SECONDS``.

    A process blocked in ``recv`` sleeps, and waking it takes the system a while (a virtual CPU
    wakes through its hypervisor), twice per step: a real share of a small network's step. Steps
    come every few milliseconds, so a process that watches its pipe is awake when the next message
    arrives; after a pause it sleeps, and uses no CPU.
    """
    deadline = time.perf_counter() + _WATCH_SECONDS
    while not connection.poll() and time.perf_counter() < deadline:
        pass
    return connection.recv()


def _receive(connection):
    try:
        reply = _recv(connection)
    except (EOFError, OSError):
        raise RuntimeError("a worker process of fit(shards=...) stopped unexpectedly (out of memory?); "
                           "train again, or with shards=1") from None
    if reply[0] == "error":
        raise RuntimeError(f"a shard's training step failed in its worker process: {reply[1]}")
    return reply[1:]


def _serve(connection, model, grads, buffer, threads, validation) -> None:
    """The worker's loop: one shard's gradients (or validation logits) per message, until the pipe closes."""
    params = list(model.parameters().values())
    # One BLAS thread unless told otherwise: several processes with BLAS threads each oversubscribe.
    # The count is inherited from fit, which set it before the fork: then nothing is set here.
    with training.blas_threads(1 if threads is None else threads):
        while True:
            try:
                kind, *message = _recv(connection)
            except (EOFError, OSError):
                return
            try:
                if kind == "logits":  # rows start:stop of the validation inputs, in evaluate's batches
                    start, stop, batch_size = message
                    connection.send(("ok", training.scores(model, validation[0][start:stop], batch_size, threads)))
                    continue
                dtype, shape, labels = message
                inputs = buffer[:math.prod(shape) * np.dtype(dtype).itemsize].view(dtype).reshape(shape)
                model.train()
                loss, logits = gradients(model, inputs, labels)
                for p, shared in zip(params, grads, strict=True):
                    np.copyto(shared, p.grad)
                connection.send(("ok", loss, logits))
            except Exception as error:  # reported to the parent, which raises it
                connection.send(("error", f"{type(error).__name__}: {error}"))


def _reap(pid: int) -> None:
    """Wait for a worker to exit (it does as soon as its pipe closes); kill it if it does not within 10 s."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.001)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
