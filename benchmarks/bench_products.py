"""How much of a convolution is its matrix products: the floor under cnnhelpers' time, per BLAS kernel.

cnnhelpers computes a convolution as im2col copies and matrix products (``cnnhelpers/_fast_conv.py``).
This script times the products alone, as the fast path makes them: block by block, each block's
product called several times in a row on its im2col matrix (or widened gradient), which is then
in the cache; no copy, padding or cropping is counted. Their sum is the least time this way of
computing the convolution can take with this BLAS; beside it, cnnhelpers' whole call and
PyTorch's, on one thread, float32, for the multi-channel workloads of ``bench_core.py`` (W2-W4).

A ratio "products / PyTorch" near or above 1.5 means that goal 2 of issue 16 (every convolution
within 1.5x PyTorch) cannot be met by im2col and OpenBLAS on this kernel, whatever the copies cost.
The column "at peak" goes further: the convolution's multiply-adds at the rate of a large square
product (2048x2048, float32) on this kernel, its best case; above 1.5x PyTorch there, no method
built on this BLAS kernel's products meets the goal, however it arranges them.

Runs itself once per BLAS kernel (``_matrix.py``): OpenBLAS's pick, and ``OPENBLAS_CORETYPE=Haswell``.

    python benchmarks/bench_products.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
from _matrix import blas_description, run_children
from bench_core import conv_workloads, median_times, torch_backward, torch_forward
from threadpoolctl import threadpool_limits

import cnnhelpers as ch
from cnnhelpers import _fast_conv as fast

try:
    import torch
except ImportError:  # PyTorch is an optional peer
    torch = None


def in_cache(product, repeat: int = 15) -> float:
    """Median seconds of ``product()``, called ``repeat`` times in a row on the same operands (in the cache)."""
    times = []
    for _ in range(repeat + 1):
        begin = time.perf_counter()
        product()
        times.append(time.perf_counter() - begin)
    return statistics.median(times[1:])


def products_seconds(x, weight, stride, pad) -> tuple[float, float]:
    """Seconds of the forward pass's products and of the backward pass's, each block's operands in the cache."""
    pads = (pad,) * 4
    n, c = x.shape[:2]
    o, _, kh, kw = weight.shape
    xp = fast.pad(x, pads)
    oh, ow = fast.output_shape(xp.shape[-2:], (kh, kw), (stride, stride), (1, 1))
    w_rows = weight.reshape(o, -1)
    if stride == 1:
        windows, row_length = fast.wide_window_view(xp, (kh, kw), (1, 1)), xp.shape[-1]
        positions = oh * row_length
    else:
        windows, row_length = fast.window_view(xp, (kh, kw), (stride,) * 2, (1, 1), (oh, ow)), None
        positions = oh * ow
    parallel = fast.worth_threads(2 * w_rows.size * n * positions, x.dtype)
    g_flat = np.ones((n, o, positions), dtype=x.dtype)
    forward = weight_grad = 0.0
    blocks, per_row = fast._im2col_plan(windows, row_length, parallel)
    for block in blocks:
        b0, b1, start, stop, cols = fast._im2col(windows, block, per_row, row_length)
        g = g_flat[b0:b1, :, start:stop]
        forward += in_cache(lambda: np.matmul(w_rows, cols))  # noqa: B023 (called at once)
        weight_grad += in_cache(lambda: np.matmul(cols, g.transpose(0, 2, 1)))  # noqa: B023
    if fast._input_grad_route(weight, (stride,) * 2, pads, fast._full_pads(weight.shape, pads, (1, 1))) == "forward":
        flipped = np.ascontiguousarray(weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]).reshape(c, -1)
        gp = fast.pad(np.ones((n, o, oh, ow), dtype=x.dtype), (kh - 1 - pad,) * 4)
        g_windows = fast.wide_window_view(gp, (kh, kw), (1, 1))
        g_blocks, g_per_row = fast._im2col_plan(g_windows, gp.shape[-1], parallel)
        input_grad = 0.0
        for block in g_blocks:
            cols = fast._im2col(g_windows, block, g_per_row, gp.shape[-1])[-1]
            input_grad += in_cache(lambda: np.matmul(flipped, cols))  # noqa: B023
    else:  # by shares, (KK*C, O) @ (O, positions), over blocks of positions within the shares' budget
        w_taps = np.ascontiguousarray(weight.transpose(2, 3, 1, 0)).reshape(-1, o)
        images = fast._batch_blocks(n, parallel)[0][1]
        length = oh * -(-xp.shape[-1] // stride)  # positions of a stride phase's flattened rows
        span = min(length, max(256, fast._INPUT_GRAD_BUDGET_BYTES // (images * w_taps.shape[0] * x.itemsize)))
        g_wide = np.ones((images, o, span), dtype=x.dtype)
        input_grad = -(-length // span) * -(-n // images) * in_cache(lambda: np.matmul(w_taps, g_wide))
    return forward, weight_grad + input_grad


def peak_flops(size: int = 2048, repeat: int = 5) -> float:
    """Floating-point operations a second of a large square float32 product: this BLAS kernel's best rate."""
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    out = np.empty_like(a)
    return 2 * size**3 / in_cache(lambda: np.matmul(a, a, out=out), repeat)


def flops(x, weight, stride, pad) -> float:
    """Floating-point operations of the forward pass (the backward pass has twice as many)."""
    n = x.shape[0]
    o = weight.shape[0]
    oh, ow = ch.conv2d(x[:1], weight, stride=stride, padding=pad).shape[-2:]
    return 2 * n * o * oh * ow * weight[0].size


def child(kernel: str, repeat: int) -> None:
    if torch is not None:
        torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        print(f"\n## kernel {kernel}, 1 thread\n")
        print(f"machine: {platform.processor() or platform.machine()}; threadpoolctl: {blas_description()}")
        peak = peak_flops()
        print(f"\na 2048x2048 float32 product: {peak / 1e9:.0f} GFLOP/s (\"at peak\": the convolution's operations "
              "at that rate)")
        print(f"\nmedians of {repeat} samples, in alternation; float32; ms\n")
        print("| workload | pass | at peak | products alone | cnnhelpers | PyTorch | at peak / PyTorch | "
              "products / PyTorch | cnnhelpers / PyTorch |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, x, weight, stride, pad in conv_workloads(np.random.default_rng(0), np.float32)[1:]:
            if name.startswith("W3a"):
                continue  # one input channel: not a multi-channel workload
            products = products_seconds(x, weight, stride, pad)
            grad = np.ones(ch.conv2d(x, weight, stride=stride, padding=pad).shape, np.float32)
            timers = {"forward": [lambda: ch.conv2d(x, weight, stride=stride, padding=pad)],
                      "backward": [lambda: ch.conv2d_backward(grad, x, weight, stride=stride, padding=pad)]}
            if torch is not None:
                timers["forward"].append(lambda: torch_forward(x, weight, stride, pad))
                timers["backward"].append(torch_backward(x, weight, stride, pad))
            operations = flops(x, weight, stride, pad)
            for (phase, phase_timers), alone, times in zip(timers.items(), products, (1, 2), strict=True):
                mine, theirs = [t * 1e3 for t in median_times(phase_timers, repeat)] + [float("nan")] * (torch is None)
                best = times * operations / peak * 1e3
                print(f"| {name} | {phase} | {best:.2f} | {alone * 1e3:.2f} | {mine:.2f} | {theirs:.2f} | "
                      f"{best / theirs:.2f} | {alone * 1e3 / theirs:.2f} | {mine / theirs:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--child", nargs=2, metavar=("KERNEL", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.child:
        run_children(__file__, ["--repeat", str(args.repeat)], thread_counts=(1,))
        return
    child(args.child[0], args.repeat)


if __name__ == "__main__":
    main()
