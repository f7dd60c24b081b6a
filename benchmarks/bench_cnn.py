"""Training speed of notebook 06's network in cnnhelpers.nn against the same network in PyTorch CPU.

Two workloads, float32 by default, the same weights, batches and optimizer (Adam) on both sides:

* one training step (forward, backward, Adam update) on a batch of 64 digits;
* one training epoch on the 4,000 training digits in batches of 32, as the notebook trains.

Both libraries get the same number of threads (``threadpoolctl`` limits for NumPy's BLAS,
``torch.set_num_threads`` for PyTorch); single-thread figures come first. Prints medians and the
ratio cnnhelpers / PyTorch (below 1: cnnhelpers is faster), with the BLAS kernel beside them.

    python benchmarks/bench_cnn.py [--threads 1,2] [--repeat 15] [--epochs 3] [--dtype float32]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from cnnhelpers import nn
from cnnhelpers.data import load_mnist5k, to_batch

try:
    import torch
except ImportError:  # PyTorch is an optional peer
    torch = None

# The network of notebooks/06_full_cnn.ipynb.
CHANNELS, HIDDEN, BATCH, LR = (12, 24), 64, 32, 2e-3


def numpy_model(seed: int = 0, dtype=np.float32) -> nn.Sequential:
    rng = np.random.default_rng(seed)
    c1, c2 = CHANNELS
    model = nn.Sequential(nn.Conv2d(1, c1, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(c1, c2, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(c2 * 7 * 7, HIDDEN, rng=rng), nn.ReLU(), nn.Linear(HIDDEN, 10, rng=rng))
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


def numpy_step(model, optimizer, x, y) -> None:
    _, grad = nn.softmax_cross_entropy(model.forward(x), y)
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


def median_time(fn, repeat: int) -> float:
    fn()  # warm-up: first-touch allocations, BLAS initialisation
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def blas_description() -> str:
    infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(f"internal_api={i.get('internal_api')} {i.get('version')} architecture={i.get('architecture')} "
                     f"num_threads={i.get('num_threads')}" for i in infos) or "no BLAS found by threadpoolctl"


def run(threads: int, repeat: int, epochs: int, x, y, dtype) -> list[tuple]:
    rows = []
    with threadpool_limits(limits=threads):
        if torch is not None:
            torch.set_num_threads(threads)
        print(f"threads={threads}: BLAS {blas_description()}")
        order = np.random.default_rng(0).permutation(len(x))
        x64, y64 = x[order[:64]], y[order[:64]]
        ours = numpy_model(dtype=dtype)
        ours_opt = nn.Adam(ours.parameters(), lr=LR)
        timings = {"step, batch 64": {"cnnhelpers": median_time(lambda: numpy_step(ours, ours_opt, x64, y64), repeat)},
                   f"epoch, 4000 digits, batch {BATCH}": {
                       "cnnhelpers": median_time(lambda: epoch(numpy_step, ours, ours_opt, x, y, order), epochs)}}
        if torch is not None:
            theirs = torch_model(numpy_model(dtype=dtype))
            theirs_opt = torch.optim.Adam(theirs.parameters(), lr=LR)
            timings["step, batch 64"]["torch"] = median_time(lambda: torch_step(theirs, theirs_opt, x64, y64), repeat)
            timings[f"epoch, 4000 digits, batch {BATCH}"]["torch"] = median_time(
                lambda: epoch(torch_step, theirs, theirs_opt, x, y, order), epochs)
        for workload, times in timings.items():
            rows.append((workload, threads, times["cnnhelpers"], times.get("torch")))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts; the first is primary")
    parser.add_argument("--repeat", type=int, default=15, help="runs of the single step")
    parser.add_argument("--epochs", type=int, default=3, help="runs of the epoch")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    args = parser.parse_args()
    digits = load_mnist5k()
    x, y = to_batch(digits.x_train, dtype=args.dtype), digits.y_train
    print(f"machine: {platform.processor() or platform.machine()}, {platform.system()}; numpy {np.__version__}"
          + (f"; torch {torch.__version__}" if torch else "; torch not installed: cnnhelpers alone"))
    print(f"network: {numpy_model()!r}".replace("\n", " "))
    rows = []
    for threads in (int(t) for t in args.threads.split(",")):
        rows += run(threads, args.repeat, args.epochs, x, y, np.dtype(args.dtype))
    print(f"\nmedians (step: {args.repeat} runs, epoch: {args.epochs} runs), {args.dtype}, Adam; "
          "ratio = cnnhelpers / torch (< 1: cnnhelpers faster)\n")
    print("| workload | threads | cnnhelpers ms | torch ms | ratio |")
    print("|---|---:|---:|---:|---:|")
    for workload, threads, mine, theirs in rows:
        peer = f"{theirs * 1e3:.1f} | {mine / theirs:.2f}" if theirs else "- | -"
        print(f"| {workload} | {threads} | {mine * 1e3:.1f} | {peer} |")


if __name__ == "__main__":
    main()
