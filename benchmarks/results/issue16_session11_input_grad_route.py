"""The input gradient's route (issue 16, session 11): ``conv2d_backward`` before and after, same process.

The change: for 8+ input channels at stride 1, the input gradient stays a forward pass over
``grad_out`` padded by the kernel's span, except when that padding costs a copy of its own (the
convolution's padding is not "same" across, or the weight gradient does not widen ``grad_out``)
and there are at least twice as many output channels as input channels: then it is found by
shares. Shapes with padding 0 and 1, float32, one thread; medians of alternating samples. Run with
each BLAS kernel::

    git worktree add /tmp/p/base 0ffb2ed
    python benchmarks/results/issue16_session11_input_grad_route.py /tmp/p/base
    env -u OPENBLAS_CORETYPE python benchmarks/results/issue16_session11_input_grad_route.py /tmp/p/base
"""

import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/, for _matrix
from _matrix import blas_description, import_before  # noqa: E402

import cnnhelpers as ch  # noqa: E402
from cnnhelpers._fast_conv import _full_pads, _input_grad_route  # noqa: E402

SHAPES = [(32, 16, 32, 32), (64, 8, 28, 16), (32, 12, 14, 24), (16, 32, 16, 64), (8, 64, 16, 64), (16, 16, 32, 16),
          (16, 32, 32, 16), (32, 8, 28, 32), (16, 16, 16, 64), (32, 8, 14, 64), (16, 12, 14, 48),
          (32, 8, 28, 24)]  # (N, C, H = W, O), 3x3 kernels


def medians(timers, samples: int = 25) -> list[float]:
    times = [[] for _ in timers]
    for _ in range(samples):
        for timer, record in zip(timers, times, strict=True):
            start = time.perf_counter()
            timer()
            record.append(time.perf_counter() - start)
    return [statistics.median(record) for record in times]


def main() -> None:
    before = import_before(sys.argv[1])
    rng = np.random.default_rng(0)
    with threadpool_limits(1):
        print(f"threadpoolctl: {blas_description()}\n")
        print("| N, C, H=W, O | padding | route now | before ms | after ms | after / before |")
        print("|---|---:|---|---:|---:|---:|")
        for n, c, size, o in SHAPES:
            for padding in (0, 1):
                x = rng.standard_normal((n, c, size, size), dtype=np.float32)
                w = rng.standard_normal((o, c, 3, 3), dtype=np.float32)
                g = rng.standard_normal(ch.conv2d(x, w, padding=padding).shape, dtype=np.float32)
                now = [ch.conv2d_backward(g, x, w, padding=padding), before.conv2d_backward(g, x, w, padding=padding)]
                np.testing.assert_allclose(now[0][0], now[1][0], rtol=1e-4, atol=1e-3)
                pads = (padding,) * 4
                route = _input_grad_route(w, (1, 1), pads, _full_pads(w.shape, pads, (1, 1)))
                old, new = medians([lambda: before.conv2d_backward(g, x, w, padding=padding),  # noqa: B023
                                    lambda: ch.conv2d_backward(g, x, w, padding=padding)])  # noqa: B023
                print(f"| {n}, {c}, {size}, {o} | {padding} | {route} | {old * 1e3:.2f} | {new * 1e3:.2f} | "
                      f"{new / old:.2f} |", flush=True)


if __name__ == "__main__":
    main()
