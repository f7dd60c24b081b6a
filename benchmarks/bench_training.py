"""What keeping freed memory buys a training step, and how long notebook 06's training takes.

Printed with threadpoolctl's description of the BLAS:

1. **Freed memory kept for reuse** (``cnnhelpers._memory``): one float64 and one float32 training
   step of notebook 06's network on a batch of 32, in a fresh process with the setting on
   (the default) and one with it off (``CNNHELPERS_SYSTEM_MALLOC=1``), alternately; the median
   step time and the minor page faults per step.
2. **Notebook 06's training** as the notebook runs it (7 epochs, batch 32, float64, validation
   after every epoch), each run in a fresh process, the settings taken in turn: wall time and
   test accuracy with one BLAS thread (the default), two, and ``shards=2`` (the notebook's
   setting: two processes); with ``--before PATH`` (a checkout of an earlier commit, e.g. a
   ``git worktree``) its training is timed in the same rounds.

    python benchmarks/bench_training.py [--repeat 9] [--training-repeat 3] [--before PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

import numpy as np
from _matrix import blas_description

from cnnhelpers import nn

STEP = """
import resource, statistics, sys, time
import numpy as np
from threadpoolctl import threadpool_limits
sys.path.insert(0, {here!r})
from bench_training import network
from cnnhelpers import nn
model = network(np.{dtype})
optimizer = nn.Adam(model.parameters())
rng = np.random.default_rng(0)
x, y = rng.random((32, 1, 28, 28)), rng.integers(0, 10, 32)
def step():
    _, grad = nn.softmax_cross_entropy(model.forward(x), y)
    model.backward(grad, input_grad=False)
    optimizer.step()
with threadpool_limits(1):
    for _ in range(10):  # the heap grows during the first few steps
        step()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    times = []
    for _ in range(40):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
print(statistics.median(times), faults / 40)
"""


def network(dtype=np.float64, seed: int = 0) -> nn.Sequential:
    """Notebook 06's network."""
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Conv2d(1, 12, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(12, 24, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(24 * 7 * 7, 64, rng=rng), nn.ReLU(), nn.Linear(64, 10, rng=rng)).astype(dtype)


def memory(repeat: int) -> None:
    print("## 1. freed memory kept for reuse: one training step, batch 32, 1 thread, fresh process each\n")
    print("| dtype | setting | step ms (median of the runs' medians) | page faults per step |")
    print("|---|---|---:|---:|")
    here = os.path.dirname(os.path.abspath(__file__))
    for dtype in ("float64", "float32"):
        results = {"kept for reuse (default)": [], "glibc's own (CNNHELPERS_SYSTEM_MALLOC=1)": []}
        for _ in range(max(3, repeat // 3)):
            for setting, record in results.items():
                env = dict(os.environ)
                env.pop("CNNHELPERS_SYSTEM_MALLOC", None)
                if "SYSTEM" in setting:
                    env["CNNHELPERS_SYSTEM_MALLOC"] = "1"
                out = subprocess.run([sys.executable, "-c", STEP.format(here=here, dtype=dtype)], env=env,
                                     capture_output=True, text=True, check=True).stdout.split()
                record.append((float(out[0]), float(out[1])))
        for setting, record in results.items():
            print(f"| {dtype} | {setting} | {statistics.median(r[0] for r in record) * 1e3:.2f} | "
                  f"{statistics.median(r[1] for r in record):.0f} |")
    print()


TRAINING = """
import json, sys, time
import numpy as np
sys.path.insert(0, {here!r})
from bench_training import network
from cnnhelpers import nn
from cnnhelpers.data import load_mnist5k, random_shifts, to_batch
digits = load_mnist5k()
x, x_test = to_batch(digits.x_train), to_batch(digits.x_test)
model = network(np.float64)
def schedule(epoch):
    return 3e-3 * 0.7 ** (epoch - 1)
extra = {{"shards": {shards}}} if {shards} > 1 else {{}}  # a tree from before fit had shards
start = time.perf_counter()
history = nn.fit(model, x, digits.y_train, optimizer=nn.Adam(model.parameters(), lr=schedule(1)), epochs=7,
                 batch_size=32, augment=random_shifts, lr_schedule=schedule, validation=(x_test, digits.y_test),
                 rng=0, progress=False, threads={threads}, **extra)
print(json.dumps([time.perf_counter() - start, sum(history.seconds) / 7, history.val_accuracy[-1]]))
"""


def notebook_training(repeat: int, before: str | None) -> None:
    """Notebook 06's training in fresh processes, settings (and trees) taken in turn, medians."""
    print("## 2. notebook 06's training: 7 epochs, batch 32, float64, shifted digits, validation each epoch\n")
    here = os.path.dirname(os.path.abspath(__file__))
    runs = {("this tree", 1, 1): [], ("this tree", 1, 2): [], ("this tree", 2, 1): []}
    if before:
        runs = {(f"before ({before})", 1, 1): [], **runs}
    for _ in range(repeat):
        for (tree, threads, shards), record in runs.items():
            root = before if tree.startswith("before") else os.path.dirname(here)
            env = {**os.environ, "PYTHONPATH": root}
            out = subprocess.run([sys.executable, "-c", TRAINING.format(here=here, threads=threads, shards=shards)],
                                 env=env, capture_output=True, text=True, check=True).stdout
            record.append(json.loads(out))
    print(f"medians of {repeat} runs each, taken in turn, each in a fresh process\n")
    print("| code | threads | shards | wall s | s per epoch (training steps only) | test accuracy |")
    print("|---|---:|---:|---:|---:|---:|")
    for (tree, threads, shards), record in runs.items():
        wall, epoch, accuracy = (statistics.median(r[k] for r in record) for k in range(3))
        note = " (notebook 06)" if (tree, threads, shards) == ("this tree", 1, 2) else ""
        print(f"| {tree} | {threads} | {shards}{note} | {wall:.1f} | {epoch:.2f} | {accuracy:.3f} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--training-repeat", type=int, default=3, help="runs of each notebook-06 training")
    parser.add_argument("--before", metavar="PATH", help="a checkout of an earlier commit, timed alongside")
    args = parser.parse_args()
    print(f"threadpoolctl: {blas_description()}; cores: {os.cpu_count()}; numpy {np.__version__}\n")
    memory(args.repeat)
    notebook_training(args.training_repeat, args.before)


if __name__ == "__main__":
    main()
