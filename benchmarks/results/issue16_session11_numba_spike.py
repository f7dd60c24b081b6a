"""A direct convolution compiled by Numba, against cnnhelpers and PyTorch (issue 16, session 11).

Would code compiled for this CPU (Numba targets the host's AVX-512, whatever OpenBLAS's kernel)
close the gap on the multi-channel convolutions? Two plain loop nests over a padded input, float32,
one thread: ``direct`` accumulates one output channel at a time along a row, ``four_at_once``
shares each input value between four output channels. Numba is not a dependency of cnnhelpers::

    pip install numba
    python benchmarks/results/issue16_session11_numba_spike.py
"""

import statistics
import time

import numba
import numpy as np
import torch
from threadpoolctl import threadpool_limits

import cnnhelpers as ch


@numba.njit(fastmath={"contract"}, boundscheck=False)
def direct(xp, w, out):
    n_images, channels = xp.shape[:2]
    outputs, _, kh, kw = w.shape
    oh, ow = out.shape[2:]
    acc = np.empty((outputs, ow), dtype=xp.dtype)
    for n in range(n_images):
        for h in range(oh):
            acc[:] = 0
            for c in range(channels):
                for i in range(kh):
                    for j in range(kw):
                        for k in range(outputs):
                            weight = w[k, c, i, j]
                            for q in range(ow):
                                acc[k, q] += weight * xp[n, c, h + i, q + j]
            out[n, :, h, :] = acc


@numba.njit(fastmath={"contract"}, boundscheck=False)
def four_at_once(xp, w, out):
    n_images, channels = xp.shape[:2]
    outputs, _, kh, kw = w.shape
    oh, ow = out.shape[2:]
    acc = np.empty((outputs, ow), dtype=xp.dtype)
    for n in range(n_images):
        for h in range(oh):
            acc[:] = 0
            for k in range(0, outputs, 4):
                for c in range(channels):
                    for i in range(kh):
                        for j in range(kw):
                            w0, w1, w2, w3 = w[k, c, i, j], w[k + 1, c, i, j], w[k + 2, c, i, j], w[k + 3, c, i, j]
                            for q in range(ow):
                                v = xp[n, c, h + i, q + j]
                                acc[k, q] += w0 * v
                                acc[k + 1, q] += w1 * v
                                acc[k + 2, q] += w2 * v
                                acc[k + 3, q] += w3 * v
            out[n, :, h, :] = acc


def median_ms(fn, repeat: int = 25) -> float:
    fn()  # warm-up: compilation, oneDNN's kernel generation
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    torch.set_num_threads(1)
    numba.set_num_threads(1)
    rng = np.random.default_rng(0)
    print(f"numba {numba.__version__}, torch {torch.__version__}, one thread, float32, forward, padding 1\n")
    print("| workload | Numba direct ms | Numba four at once ms | cnnhelpers ms | PyTorch ms |")
    print("|---|---:|---:|---:|---:|")
    with threadpool_limits(1):
        workloads = [("W3b 64x8x28x28->16", (64, 8, 28, 16)), ("W4 32x16x32x32->32", (32, 16, 32, 32))]
        for name, (n, c, size, o) in workloads:
            x = rng.standard_normal((n, c, size, size), dtype=np.float32)
            w = rng.standard_normal((o, c, 3, 3), dtype=np.float32)
            xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
            out = np.empty((n, o, size, size), dtype=np.float32)
            expected = ch.conv2d(x, w, padding=1)
            times = []
            for kernel in (direct, four_at_once):
                times.append(median_ms(lambda: kernel(xp, w, out)))  # noqa: B023
                np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-3)
            tx, tw = torch.from_numpy(x), torch.from_numpy(w)
            times.append(median_ms(lambda: ch.conv2d(x, w, padding=1)))  # noqa: B023
            times.append(median_ms(lambda: torch.nn.functional.conv2d(tx, tw, padding=1)))  # noqa: B023
            print(f"| {name} | " + " | ".join(f"{t:.2f}" for t in times) + " |", flush=True)


if __name__ == "__main__":
    main()
