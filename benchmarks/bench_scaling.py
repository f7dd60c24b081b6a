"""How the time of one convolution grows with image size, channels and batch: cnnhelpers and PyTorch.

Three sweeps of one float32 3x3 convolution (padding 1, forward pass), each with the other two
sizes held fixed, both libraries on one thread (threadpoolctl limits NumPy's BLAS,
``torch.set_num_threads`` PyTorch), timed in alternation (median of a few samples, fewer at the
big end). Writes a log-log figure with the ideal slope drawn through each library's middle point:

* image size H = W from 64 to 2048 (1 image, 3 -> 8 channels): work grows as the pixels, slope 1;
* channels C = O from 1 to 256 (4 images of 32x32): work grows as C * O, slope 2;
* batch N from 1 to 256 (16 -> 16 channels, 32x32): work grows as N, slope 1.

    python benchmarks/bench_scaling.py [--out benchmarks/results/scaling.png] [--repeat 5]

Prints the times as a table too (milliseconds).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _matrix import blas_description  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import cnnhelpers as ch  # noqa: E402

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # PyTorch is an optional peer
    torch = None

SWEEPS = [  # (title, x label, values, shape maker (value -> x shape, w shape), ideal slope)
    ("image size (1 image, 3 -> 8 channels)", "pixels H x W", [64, 128, 256, 512, 1024, 2048],
     lambda s: ((1, 3, s, s), (8, 3, 3, 3)), lambda s: s * s, 1),
    ("channels C = O (4 images, 32 x 32)", "C x O", [1, 4, 16, 64, 128, 256],
     lambda c: ((4, c, 32, 32), (c, c, 3, 3)), lambda c: c * c, 1),
    ("batch N (16 -> 16 channels, 32 x 32)", "N", [1, 4, 16, 64, 256],
     lambda n: ((n, 16, 32, 32), (16, 16, 3, 3)), lambda n: n, 1),
]


def alternate(timers, budget_s: float, repeat: int) -> list[float]:
    """Median seconds of each timer, in alternation; fewer samples when one call is slow."""
    first = []
    for timer in timers:
        timer()  # warm-up
        start = time.perf_counter()
        timer()
        first.append(time.perf_counter() - start)
    samples = max(1, min(repeat, int(budget_s / max(sum(first), 1e-9))))
    times = [[t] for t in first]
    for _ in range(samples - 1):
        for timer, record in zip(timers, times, strict=True):
            start = time.perf_counter()
            timer()
            record.append(time.perf_counter() - start)
    return [statistics.median(record) for record in times]


def measure(repeat: int, budget_s: float):
    rng = np.random.default_rng(0)
    results = []
    for title, xlabel, values, shapes, work, slope in SWEEPS:
        rows = []
        for value in values:
            x_shape, w_shape = shapes(value)
            x = rng.standard_normal(x_shape, dtype=np.float32)
            w = rng.standard_normal(w_shape, dtype=np.float32)
            timers = [lambda: ch.conv2d(x, w, padding=1)]
            if torch is not None:
                xt, wt = torch.from_numpy(x), torch.from_numpy(w)
                timers.append(lambda: F.conv2d(xt, wt, padding=1))
            times = alternate(timers, budget_s, repeat)
            rows.append((value, work(value), *times))
            print(f"| {title.split(' (')[0]} | {value} | " + " | ".join(f"{t * 1e3:.2f}" for t in times)
                  + (f" | {times[0] / times[1]:.2f}" if len(times) > 1 else "") + " |", flush=True)
        results.append((title, xlabel, rows, slope))
    return results


def plot(results, out: Path, blas: str) -> None:
    fig, axes = plt.subplots(1, len(results), figsize=(5.2 * len(results), 4.6), constrained_layout=True)
    for ax, (title, xlabel, rows, slope) in zip(axes, results, strict=True):
        work = np.array([r[1] for r in rows], dtype=float)
        for column, (label, color) in enumerate([("cnnhelpers", "C0"), ("PyTorch", "C3")], start=2):
            if len(rows[0]) <= column:
                continue
            seconds = np.array([r[column] for r in rows]) * 1e3
            ax.loglog(work, seconds, "o-", color=color, label=label)
            middle = len(work) // 2
            ideal = seconds[middle] * (work / work[middle]) ** slope
            ax.loglog(work, ideal, "--", color=color, alpha=0.45,
                      label=f"{label}: ideal slope {slope} through its middle point")
        ax.set(title=title, xlabel=f"{xlabel} (work grows as this)", ylabel="ms per convolution (1 thread)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"Time of one 3x3 convolution, float32, forward, one thread (log-log); NumPy's BLAS: {blas}")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "scaling.png"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=3.0, help="seconds of samples per point, about")
    args = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        blas = blas_description()
        print(f"threadpoolctl: {blas}")
        print("| sweep | value | cnnhelpers ms | torch ms | ratio |\n|---|---:|---:|---:|---:|")
        results = measure(args.repeat, args.budget)
    plot(results, Path(args.out), blas.split(" num_threads")[0])
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
