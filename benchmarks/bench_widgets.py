"""Time from a slider step to a new picture ready to send, for every slider experiment of the series.

The browser suite (``tests/browser``) measures key press to picture on screen; this measures the
Python part of it alone (compute, draw, encode) without a browser, per experiment, by moving each
slider one step and back as a student does with the arrow keys. The rest of the browser's figure is
transport and display, about 70 ms on the development machine whatever the picture.

    python benchmarks/bench_widgets.py [--steps 6] [--plain-too]

``--plain-too`` also times each experiment with the drawing machinery (``cnnhelpers._drawing``:
incremental redraws, NumPy images, stamped text) switched off, plain matplotlib drawing every
step, to show what the machinery buys.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import ipywidgets as widgets
import numpy as np
from threadpoolctl import threadpool_info

from cnnhelpers._drawing import enabled
from cnnhelpers.kernel_editor import KernelEditor
from cnnhelpers.lessons.depth import ChannelMixer
from cnnhelpers.lessons.kernels import WeightedSumStepper
from cnnhelpers.lessons.padding import PaddingExperiment
from cnnhelpers.lessons.playground import KernelPlayground
from cnnhelpers.lessons.pooling import PoolingExperiment, ReceptiveFieldExperiment
from cnnhelpers.lessons.stride import StrideExperiment


def cnn_explorer():
    """Notebook 06's explorer on a small untrained network (its speed does not depend on the weights)."""
    from cnnhelpers import nn
    from cnnhelpers.data import load_mnist5k
    from cnnhelpers.lessons.cnn import ShiftRotateExplorer

    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2d(1, 12, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(12, 24, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(24 * 7 * 7, 64, rng=rng), nn.ReLU(), nn.Linear(64, 10, rng=rng))
    digits = load_mnist5k()
    return ShiftRotateExplorer(model, digits.x_test, digits.y_test, index=0)


def training_scrubber():
    """Notebook 06's epoch scrubber over 13 snapshots shaped like the notebook's (12 filters, 28x28 maps)."""
    from cnnhelpers.lessons.cnn import TrainingScrubber

    rng = np.random.default_rng(0)
    shots = [{"filters": rng.standard_normal((12, 1, 3, 3)), "maps": rng.random((12, 28, 28))} for _ in range(13)]
    return TrainingScrubber(shots, [0.9] * 12)


EXPERIMENTS = {
    "00/01 KernelEditor": lambda: KernelEditor(photo="camera", preset="sharpen"),
    "01 WeightedSumStepper": lambda: WeightedSumStepper(np.arange(9.0).reshape(3, 3), np.eye(3)),
    "02 PaddingExperiment": PaddingExperiment,
    "03 StrideExperiment": StrideExperiment,
    "04 ChannelMixer": ChannelMixer,
    "05 PoolingExperiment": PoolingExperiment,
    "05 ReceptiveFieldExperiment": ReceptiveFieldExperiment,
    "06 ShiftRotateExplorer": cnn_explorer,
    "06 TrainingScrubber": training_scrubber,
    "playground KernelPlayground": KernelPlayground,
}


def pad_stroke_times(steps: int) -> list[float]:
    """Seconds from the end of a stroke on notebook 06's drawing pad to its new picture, ``steps`` strokes.

    Each stroke is a different diagonal drawn point by point, then the pen is lifted; the pad's
    ``end_stroke`` renders the ink, makes the 28x28 digit, classifies it and redraws every layer.
    """
    from cnnhelpers.digit_pad import DigitPad

    pad = DigitPad(live_every=float("inf"))  # only the end of a stroke updates: that is what is timed
    _ = pad.widget
    times = []
    for k in range(steps + 2):
        pad.start_stroke(60 + 10 * k, 50)
        for t in np.linspace(0, 1, 20)[1:]:
            pad.extend_stroke(60 + 10 * k + 100 * t, 50 + 180 * t)
        start = time.perf_counter()
        pad.end_stroke()
        times.append(time.perf_counter() - start)
        if k % 3 == 2:
            pad.clear()
    return times[2:]  # the first strokes draw the layout


def step_times(experiment, steps: int) -> dict[str, float]:
    """Median seconds per slider step (one step away and back, ``steps`` times), per slider."""
    _ = experiment.widget  # builds the controls and draws the first picture
    sliders = {name: control for name, control in experiment.controls.items()
               if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)) and not control.disabled}
    result = {}
    for name, slider in sliders.items():
        start_value = slider.value
        other = slider.value + slider.step if slider.value + slider.step <= slider.max else slider.value - slider.step
        times = []
        for k in range(2 * steps + 2):
            start = time.perf_counter()
            slider.value = other if k % 2 == 0 else start_value  # observers run synchronously: compute, draw, encode
            times.append(time.perf_counter() - start)
        result[name] = statistics.median(times[2:])  # the first round trip draws the layout twice
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--plain-too", action="store_true", help="also time with the drawing machinery off")
    args = parser.parse_args()
    blas = "; ".join(f"{i.get('internal_api')} kernel={i.get('architecture')} threads={i.get('num_threads')}"
                     for i in threadpool_info() if i.get("user_api") == "blas")
    print(f"machine: {platform.machine()}, {platform.system()}; BLAS (threadpoolctl): {blas}\n")
    plain_header = (" machinery off: median ms per step |", "---:|") if args.plain_too else ("", "")
    print(f"| experiment | sliders | median ms per step | slowest slider (ms) |{plain_header[0]}")
    print(f"|---|---:|---:|---|{plain_header[1]}")
    for label, make in EXPERIMENTS.items():
        per_slider = step_times(make(), args.steps)
        slowest = max(per_slider, key=per_slider.get)
        plain = ""
        if args.plain_too:
            with enabled(False):
                plain = f" {statistics.median(step_times(make(), args.steps).values()) * 1e3:.0f} |"
        print(f"| {label} | {len(per_slider)} | {statistics.median(per_slider.values()) * 1e3:.0f} | "
              f"{slowest} ({per_slider[slowest] * 1e3:.0f}) |{plain}", flush=True)
    strokes = pad_stroke_times(args.steps)
    print(f"| 06 DigitPad (end of a stroke to new picture) | - | {statistics.median(strokes) * 1e3:.0f} | "
          f"slowest stroke ({max(strokes) * 1e3:.0f}) |", flush=True)


if __name__ == "__main__":
    main()
