"""fit(shards=k): batches cut into k parts, each part's gradient in its own process where there are cores.

What a user relies on: the numbers depend on ``shards`` only, never on the machine (one core or
many), they stay within rounding of the whole-batch gradient, bad values are refused by name,
and no process outlives the call, whether it ends normally, by an error or by an interrupt.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnhelpers import nn
from cnnhelpers.data import random_shifts

ROOT = Path(__file__).resolve().parent.parent
linux_with_two_cores = pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="the worker processes need fork (Linux) and a second core")

def model():
    rng = np.random.default_rng(1)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 6 * 6, 10, rng=rng)).astype(np.float64)


def train(shards, augment=random_shifts):
    rng = np.random.default_rng(0)
    x, y = rng.random((96, 1, 12, 12)), rng.integers(0, 10, 96)
    x_val, y_val = rng.random((250, 1, 12, 12)), rng.integers(0, 10, 250)  # 3 batches of nn.evaluate
    net = model()
    history = nn.fit(net, x, y, optimizer=nn.Adam(net.parameters(), lr=1e-2), epochs=2, batch_size=20,
                     augment=augment, validation=(x_val, y_val), rng=3, progress=False, shards=shards)
    weights = np.concatenate([p.data.ravel() for p in net.parameters().values()])
    assert (history.val_loss[-1], history.val_accuracy[-1]) == nn.evaluate(net, x_val, y_val)
    return weights, history


def one_core_run(shards: int) -> dict:
    """The same training in a fresh process allowed one core only (as on a one-core laptop)."""
    code = f"""
import json, os, sys
os.sched_setaffinity(0, {{0}})
sys.path.insert(0, {str(Path(__file__).parent)!r})
from test_shards import train
weights, history = train({shards})
print(json.dumps({{"weights": weights.tolist(), "loss": history.loss, "val": history.val_loss}}))
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def children() -> list[int]:
    """Process ids whose parent is this process (Linux /proc)."""
    mine, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == mine and fields[0] != "Z":
                found.append(int(entry))
    return found


@pytest.fixture
def workers():
    """Lists the children of this process started during the test (other tests' servers may be running)."""
    before = set(children())
    return lambda: sorted(set(children()) - before)


@linux_with_two_cores
@pytest.mark.parametrize("shards", [2, 3])
def test_same_numbers_on_one_core_and_on_two(shards):
    weights, history = train(shards)  # here: a worker process on the second core
    alone = one_core_run(shards)      # there: every shard one after the other
    assert weights.tolist() == alone["weights"]  # bit for bit
    assert history.loss == alone["loss"] and history.val_loss == alone["val"]


def test_shards_give_the_whole_batch_gradient_up_to_rounding():
    whole, _ = train(1)
    for shards in (2, 5):
        split, _ = train(shards)
        assert not np.array_equal(split, whole)  # a different sum order ...
        np.testing.assert_allclose(split, whole, rtol=1e-9, atol=1e-12)  # ... of the same gradient


def test_shards_larger_than_the_examples_are_computed_here():
    # An augmentation in extended precision outgrows the space set aside for a worker's inputs
    # (8 bytes a number): those shards run in this process, with the same numbers.
    def extended(batch, rng):
        return random_shifts(batch, rng).astype(np.longdouble)

    def double(batch, rng):
        return random_shifts(batch, rng).astype(np.float64)

    weights, _ = train(2, extended)
    reference, _ = train(2, double)
    assert np.array_equal(weights, reference)


@pytest.mark.parametrize(("shards", "message"), [
    (0, "shards"), (-1, "shards"), (2.5, "shards"), ("2", "shards"), (True, "shards"),
    (21, "shards must be at most batch_size (20)"),
])
def test_bad_shards_are_refused_by_name(shards, message):
    rng = np.random.default_rng(0)
    net = model()
    with pytest.raises((TypeError, ValueError), match=message.replace("(", r"\(").replace(")", r"\)")):
        nn.fit(net, rng.random((40, 1, 12, 12)), rng.integers(0, 10, 40), optimizer=nn.Adam(net.parameters()),
               batch_size=20, progress=False, shards=shards)


def test_dropout_needs_one_shard():
    rng = np.random.default_rng(0)
    net = nn.Sequential(nn.Flatten(), nn.Dropout(0.5, rng=0), nn.Linear(144, 10, rng=0))
    with pytest.raises(ValueError, match="shards must be 1 for a model with Dropout"):
        nn.fit(net, rng.random((40, 1, 12, 12)), rng.integers(0, 10, 40), optimizer=nn.Adam(net.parameters()),
               batch_size=20, progress=False, shards=2)


def fit_two_epochs(snapshot):
    """``fit(shards=2)`` on 40 random images for two epochs; ``snapshot`` runs before the first and after each."""
    net = model()
    rng = np.random.default_rng(0)
    nn.fit(net, rng.random((40, 1, 12, 12)), rng.integers(0, 10, 40), optimizer=nn.Adam(net.parameters()),
           epochs=2, batch_size=20, progress=False, shards=2, snapshot=snapshot)


@linux_with_two_cores
def test_no_process_outlives_fit(workers):
    seen = []
    fit_two_epochs(lambda _: seen.append(workers()))
    assert len(seen[0]) == 1  # one worker while training
    assert workers() == []


@linux_with_two_cores
def test_a_worker_is_one_thread(workers):
    # A worker computes on its core alone. Setting NumPy's BLAS thread count in the forked worker
    # (it inherits the count it needs) would restart OpenBLAS's thread pool there, whose threads
    # spin, waiting for work, on the worker's core for its first hundred milliseconds or so.
    threads = []
    fit_two_epochs(lambda _: threads.append([os.listdir(f"/proc/{pid}/task") for pid in workers()]))
    assert [len(tasks) for tasks in threads[1]] == [1], threads


@linux_with_two_cores
def test_an_error_or_an_interrupt_leaves_no_process(workers):
    rng = np.random.default_rng(0)
    x, y = rng.random((40, 1, 12, 12)), rng.integers(0, 10, 40)
    calls = []

    def interrupted(batch, rng):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # what the stop button of Jupyter raises
        return batch

    net = model()
    with pytest.raises(KeyboardInterrupt):
        nn.fit(net, x, y, optimizer=nn.Adam(net.parameters()), epochs=3, batch_size=20, augment=interrupted,
               progress=False, shards=2)
    assert workers() == []
    net = model()
    with pytest.raises(ValueError, match="Linear expects 144 input features"):
        nn.fit(net, rng.random((40, 1, 10, 10)), y, optimizer=nn.Adam(net.parameters()), batch_size=20,
               progress=False, shards=2)
    assert workers() == []


@linux_with_two_cores
def test_a_killed_worker_is_reported_in_words(workers):
    def kill_workers(_):
        for pid in workers():
            os.kill(pid, signal.SIGKILL)

    with pytest.raises(RuntimeError, match=r"worker process of fit\(shards=...\) stopped"):
        fit_two_epochs(kill_workers)
    assert workers() == []


def test_the_model_keeps_its_own_arrays():
    # While training, the parameters live in memory shared with the workers; afterwards they are
    # back in the arrays the model had, which hold the trained values (as with shards=1).
    net = model()
    own = [p.data for p in net.parameters().values()]
    before = [a.copy() for a in own]
    rng = np.random.default_rng(0)
    nn.fit(net, rng.random((40, 1, 12, 12)), rng.integers(0, 10, 40), optimizer=nn.Adam(net.parameters()),
           batch_size=20, progress=False, shards=2)
    for p, array, old in zip(net.parameters().values(), own, before, strict=True):
        assert p.data is array
        assert not np.array_equal(array, old)
