"""Training speed of notebook 06's network in cnnhelpers.nn against the same network in PyTorch CPU.

Two workloads, float32 by default, the same weights, batches and optimizer (Adam) on both sides:

* one training step (forward, backward, Adam update) on a batch of 64 digits;
* one training epoch on the 4,000 training digits in batches of 32, as the notebook trains;
* on several cores, the same epoch through ``nn.fit(..., shards=cores)``: each batch cut into one
  part per core, each part's gradient found in its own process (``cnnhelpers.nn._shards``), while
  PyTorch spreads each operation over its threads.

Runs itself once per BLAS kernel (the one OpenBLAS picks, and ``OPENBLAS_CORETYPE=Haswell``) and per
thread count (1 and all cores), each in its own subprocess (``_matrix.py``); both libraries get the
same number of threads (``threadpoolctl`` limits for NumPy's BLAS, ``torch.set_num_threads`` for
PyTorch). Prints one table each: medians taken in alternation, the ratio cnnhelpers / PyTorch (below
1: cnnhelpers is faster), the peak memory of one step (each in a fresh process), with
threadpoolctl's description of the BLAS above.

With ``--before PATH`` (a checkout of an earlier commit), that checkout's ``cnnhelpers.nn`` trains the
same network in the same alternation, and a second table gives this tree's time against it.

    python benchmarks/bench_cnn.py [--repeat 15] [--epochs 3] [--dtype float32] [--before PATH]
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import statistics
import sys
import time

import numpy as np
from _matrix import blas_description, import_before, peak_mib, run_children
from threadpoolctl import threadpool_limits

from cnnhelpers import nn
from cnnhelpers.data import load_mnist5k, to_batch

try:
    import torch
except ImportError:  # PyTorch is an optional peer
    torch = None

# The network of notebooks/06_full_cnn.ipynb.
CHANNELS, HIDDEN, BATCH, LR = (12, 24), 64, 32, 2e-3

# A sample of the step runs it this many times: PyTorch's OpenMP threads keep spinning for a few
# milliseconds after their sample, taking a core from the sample after theirs, which would be most
# of a single 2-thread step and is a small part of ten.
STEPS_PER_SAMPLE = 10

# The pause before each sample (see alternating_medians).
SETTLE_SECONDS = 0.3


def numpy_model(seed: int = 0, dtype=np.float32, lib=nn) -> nn.Sequential:
    """The network in cnnhelpers (``lib``: its ``nn`` module, or an earlier checkout's)."""
    rng = np.random.default_rng(seed)
    c1, c2 = CHANNELS
    model = lib.Sequential(lib.Conv2d(1, c1, 3, padding=1, rng=rng), lib.ReLU(), lib.MaxPool2d(2),
                           lib.Conv2d(c1, c2, 3, padding=1, rng=rng), lib.ReLU(), lib.MaxPool2d(2), lib.Flatten(),
                           lib.Linear(c2 * 7 * 7, HIDDEN, rng=rng), lib.ReLU(), lib.Linear(HIDDEN, 10, rng=rng))
    return model.astype(dtype)


def torch_model(reference: nn.Sequential):
    """The same layers in PyTorch, with the same initial weights."""
    c1, c2 = CHANNELS
    tnn = torch.nn
    model = tnn.Sequential(tnn.Conv2d(1, c1, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                           tnn.Conv2d(c1, c2, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                           tnn.Linear(c2 * 7 * 7, HIDDEN), tnn.ReLU(), tnn.Linear(HIDDEN, 10))
    model = model.to(torch.float64 if reference.dtype == np.float64 else torch.float32)
    with torch.no_grad():
        for theirs, ours in zip(model.parameters(), reference.parameters().values(), strict=True):
            theirs.copy_(torch.from_numpy(ours.data))
    return model


def numpy_step(model, optimizer, x, y, lib=nn) -> None:
    _, grad = lib.softmax_cross_entropy(model.forward(x), y)
    model.backward(grad, input_grad=False)  # the images need no gradient (PyTorch skips it too)
    optimizer.step()


def torch_step(model, optimizer, x, y) -> None:
    loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def epoch(step, model, optimizer, x, y, order) -> None:
    for first in range(0, len(x), BATCH):
        batch = order[first:first + BATCH]
        step(model, optimizer, x[batch], y[batch])


def fit_epoch(model, optimizer, x, y, shards: int, lib=nn) -> None:
    lib.fit(model, x, y, optimizer=optimizer, epochs=1, batch_size=BATCH, rng=0, progress=False, threads=1,
            shards=shards)


def alternating_medians(timers, repeat: int, warm: bool = False) -> list[float]:
    """Median seconds of each timer, samples taken in alternation (the same slow spells for all).

    Threads that wait for work spin for a while before they sleep: PyTorch's OpenMP threads for a
    few ms after its last call, and OpenBLAS's for up to a few hundred ms after its thread pool
    starts, as it does again when ``fit(shards=k)`` (which forks, and so stops the pool) restores
    the thread count on leaving. Whichever timer came next would share a core with them: each
    sample starts after a pause of ``SETTLE_SECONDS``, and with ``warm`` after an untimed call of
    its own timer.
    """
    for timer in timers:
        timer()  # warm-up: first-touch allocations, BLAS initialisation
    times = [[] for _ in timers]
    for _ in range(repeat):
        for timer, record in zip(timers, times, strict=True):
            time.sleep(SETTLE_SECONDS)
            if warm:
                timer()
            start = time.perf_counter()
            timer()
            record.append(time.perf_counter() - start)
    return [statistics.median(record) for record in times]


STEP_MEMORY = {  # one training step on a batch of 64, per library, for the peak memory column
    "cnnhelpers": """
import numpy as np
from bench_cnn import numpy_model, numpy_step
from cnnhelpers import nn
from cnnhelpers.data import load_mnist5k, to_batch
digits = load_mnist5k()
x, y = to_batch(digits.x_train[:64], dtype="{dtype}"), digits.y_train[:64]
model = numpy_model(dtype=np.dtype("{dtype}"))
optimizer = nn.Adam(model.parameters(), lr=2e-3)
def work():
    numpy_step(model, optimizer, x, y)
""",
    "torch": """
import numpy as np
import torch
from bench_cnn import numpy_model, torch_model, torch_step
from cnnhelpers.data import load_mnist5k, to_batch
digits = load_mnist5k()
x, y = to_batch(digits.x_train[:64], dtype="{dtype}"), digits.y_train[:64]
model = torch_model(numpy_model(dtype=np.dtype("{dtype}")))
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
def work():
    torch_step(model, optimizer, x, y)
""",
}


def run(kernel: str, threads: int, repeat: int, epochs: int, x, y, dtype, before=None) -> list[tuple]:
    """Rows ``(workload, threads, cnnhelpers s, torch s, peak MiB text, (cnnhelpers s, before s))``.

    ``before``: an earlier checkout's ``cnnhelpers.nn`` (``_matrix.import_before``), timed in an
    alternation of its own with this tree (the last item is None without it): PyTorch's OpenMP
    threads keep spinning for a few ms after each of its samples, so whichever timer follows
    PyTorch shares its second core with them, and a before/after ratio would measure that.
    """
    rows = []
    with threadpool_limits(limits=threads):
        if torch is not None:
            torch.set_num_threads(threads)
        print(f"threadpoolctl: {blas_description()}")
        order = np.random.default_rng(0).permutation(len(x))
        x64, y64 = x[order[:64]], y[order[:64]]
        ours = numpy_model(dtype=dtype)
        ours_opt = nn.Adam(ours.parameters(), lr=LR)
        steps = {"ours": lambda: [numpy_step(ours, ours_opt, x64, y64) for _ in range(STEPS_PER_SAMPLE)]}
        epochs_ = {"ours": lambda: epoch(numpy_step, ours, ours_opt, x, y, order)}
        if torch is not None:
            theirs = torch_model(numpy_model(dtype=dtype))
            theirs_opt = torch.optim.Adam(theirs.parameters(), lr=LR)
            steps["torch"] = lambda: [torch_step(theirs, theirs_opt, x64, y64) for _ in range(STEPS_PER_SAMPLE)]
            epochs_["torch"] = lambda: epoch(torch_step, theirs, theirs_opt, x, y, order)
        if before is not None:
            old = numpy_model(dtype=dtype, lib=before)
            old_opt = before.Adam(old.parameters(), lr=LR)
            old_step = functools.partial(numpy_step, lib=before)
            steps["before"] = lambda: [old_step(old, old_opt, x64, y64) for _ in range(STEPS_PER_SAMPLE)]
            epochs_["before"] = lambda: epoch(old_step, old, old_opt, x, y, order)
        workloads = [("step, batch 64", steps, repeat, STEPS_PER_SAMPLE),
                     (f"epoch, 4000 digits, batch {BATCH}", epochs_, epochs, 1)]
        if threads > 1:  # fit's data parallelism: one process per core, one BLAS thread each
            sharded = numpy_model(dtype=dtype)
            sharded_opt = nn.Adam(sharded.parameters(), lr=LR)
            fits = {"ours": lambda: fit_epoch(sharded, sharded_opt, x, y, threads)}
            if torch is not None:
                fits["torch"] = epochs_["torch"]
            if before is not None:
                old_sharded = numpy_model(dtype=dtype, lib=before)
                old_sharded_opt = before.Adam(old_sharded.parameters(), lr=LR)
                fits["before"] = lambda: fit_epoch(old_sharded, old_sharded_opt, x, y, threads, lib=before)
            workloads.append((f"epoch, 4000 digits, batch {BATCH}, fit(shards={threads}): {threads} processes",
                              fits, epochs, 1))
        measured = []
        for workload, timers, samples, per_sample in workloads:
            pair = [timers["ours"], timers["torch"]] if "torch" in timers else [timers["ours"]]
            warm = per_sample > 1  # the step's samples
            medians = [seconds / per_sample for seconds in alternating_medians(pair, samples, warm)] + [None]
            old_pair = None
            if "before" in timers:
                old_pair = tuple(seconds / per_sample
                                 for seconds in alternating_medians([timers["ours"], timers["before"]], samples, warm))
            measured.append((workload, medians[0], medians[1], old_pair))
    peaks = [peak_mib(code.format(dtype=dtype.name), kernel, threads)
             for lib, code in STEP_MEMORY.items() if lib != "torch" or torch is not None]
    for workload, mine, theirs, old_pair in measured:
        peak = " / ".join(f"{p:.1f}" for p in peaks) if workload.startswith("step") else "-"
        rows.append((workload, threads, mine, theirs, peak, old_pair))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="samples of the step (each of STEPS_PER_SAMPLE steps)")
    parser.add_argument("--epochs", type=int, default=3, help="runs of the epoch")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--before", metavar="PATH", help="a checkout of an earlier commit, timed as one more peer")
    parser.add_argument("--child", nargs=2, metavar=("KERNEL", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.child:
        extra = ["--repeat", str(args.repeat), "--epochs", str(args.epochs), "--dtype", args.dtype]
        run_children(__file__, extra + (["--before", args.before] if args.before else []))
        return
    kernel, threads = args.child[0], int(args.child[1])
    digits = load_mnist5k()
    x, y = to_batch(digits.x_train, dtype=args.dtype), digits.y_train
    print(f"\n## kernel {kernel} (OPENBLAS_CORETYPE {'unset' if kernel == 'auto' else '=' + kernel}), "
          f"{threads} thread{'s' * (threads > 1)}\n")
    print(f"machine: {platform.processor() or platform.machine()}, {platform.system()}; numpy {np.__version__}"
          + (f"; torch {torch.__version__}" if torch else "; torch not installed: cnnhelpers alone"))
    print(f"network: {numpy_model()!r}".replace("\n", " "))
    before = import_before(args.before, ("nn",)).nn if args.before else None
    if before is not None:
        print(f"cnnhelpers before: {os.path.dirname(os.path.dirname(before.__file__))}")
    rows = run(kernel, threads, args.repeat, args.epochs, x, y, np.dtype(args.dtype), before)
    print(f"\nmedians (step: {args.repeat} samples of {STEPS_PER_SAMPLE} steps, epoch: {args.epochs} runs, "
          f"alternating), {args.dtype}, Adam; "
          "ratio = cnnhelpers / torch (< 1: cnnhelpers faster); peak MiB: rise of the resident high-water mark "
          "during one step, in a fresh process\n")
    print("| workload | threads | cnnhelpers ms | torch ms | ratio | peak MiB cnnhelpers / torch |")
    print("|---|---:|---:|---:|---:|---:|")
    for workload, threads_, mine, theirs, peak, _ in rows:
        peer = f"{theirs * 1e3:.1f} | {mine / theirs:.2f}" if theirs else "- | -"
        print(f"| {workload} | {threads_} | {mine * 1e3:.1f} | {peer} | {peak} |")
    if before is not None:
        print("\nagainst the earlier checkout's cnnhelpers, timed in an alternation of their own "
              "(ratio < 1: this tree is faster)\n")
        print("| workload | threads | cnnhelpers ms | cnnhelpers before ms | ratio |")
        print("|---|---:|---:|---:|---:|")
        for workload, threads_, _, _, _, (mine, old) in rows:
            print(f"| {workload} | {threads_} | {mine * 1e3:.1f} | {old * 1e3:.1f} | {mine / old:.2f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
