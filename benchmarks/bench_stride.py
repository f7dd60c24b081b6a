"""A strided convolution against "convolve at stride 1, then keep every s-th pixel" (notebook 03, section 5).

The notebook counts the multiplications each way (deterministic); this measures the seconds on this
machine, on the 512x512 photograph with Sobel and on a 16-in, 16-out layer on a 128x128 input.

    python benchmarks/bench_stride.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

from cnnhelpers import conv2d, correlate2d, kernels
from cnnhelpers.images import load_image


def median_seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    camera = load_image("camera")
    x_layer, w_layer = rng.standard_normal((1, 16, 128, 128)), rng.standard_normal((16, 16, 3, 3))
    print(f"machine: {platform.machine()}, {platform.system()}\n")
    print("| stride | input | strided (ms) | stride 1, then downsample (ms) | ratio |")
    print("|---:|---|---:|---:|---:|")
    for s in (2, 4):
        cases = {
            "photo 512x512, sobel_x": (lambda: correlate2d(camera, kernels.sobel_x, stride=s, padding=1),
                                       lambda: correlate2d(camera, kernels.sobel_x, padding=1)[::s, ::s]),
            "layer 16->16, 128x128": (lambda: conv2d(x_layer, w_layer, stride=s, padding=1),
                                      lambda: conv2d(x_layer, w_layer, padding=1)[..., ::s, ::s]),
        }
        for name, (strided, two_step) in cases.items():
            direct, wasteful = median_seconds(strided, args.repeat), median_seconds(two_step, args.repeat)
            print(f"| {s} | {name} | {direct * 1e3:.2f} | {wasteful * 1e3:.2f} | {wasteful / direct:.1f}x |",
                  flush=True)


if __name__ == "__main__":
    main()
