"""Issue 10 (drawing machinery in one module): slider steps before and after, interleaved step by step.

The machine is shared and noisy, so separate runs cannot be compared to 10%. This builds every
experiment three times in one process, from the package before the change (a copy of the
branch's base commit, importable as ``cnnhelpers_main``), after it, and after it with the machinery
switched off, and times their slider steps in turn: the same step of each, one after the other,
so that the machine's load weighs on the three alike (each goes first in turn).

    git archive <base> | tar -x -C /tmp/before && mkdir /tmp/pkgs
    cp -r /tmp/before/cnnhelpers /tmp/pkgs/cnnhelpers_main && ln -s /tmp/before/data /tmp/pkgs/data
    PYTHONPATH=.:/tmp/pkgs python benchmarks/results/issue10_widgets_before_after.py [--steps 4] [--only Padding]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time

import ipywidgets as widgets
import numpy as np

from cnnhelpers._drawing import enabled

EXPERIMENTS = {  # label: (module under widgets, class, constructor arguments)
    "00/01 KernelEditor": ("kernels", "KernelEditor", {"photo": "camera", "preset": "sharpen"}),
    "01 WeightedSumStepper": ("kernels", "WeightedSumStepper",
                              {"patch": np.arange(9.0).reshape(3, 3), "kernel": np.eye(3)}),
    "02 PaddingExperiment": ("padding", "PaddingExperiment", {}),
    "03 StrideExperiment": ("stride", "StrideExperiment", {}),
    "04 ChannelMixer": ("depth", "ChannelMixer", {}),
    "05 PoolingExperiment": ("pooling", "PoolingExperiment", {}),
    "05 ReceptiveFieldExperiment": ("pooling", "ReceptiveFieldExperiment", {}),
    "06 ShiftRotateExplorer": ("cnn", "ShiftRotateExplorer", None),
    "playground KernelPlayground": ("playground", "KernelPlayground", {}),
}


def build(package: str, module: str, name: str, kwargs):
    cls = getattr(importlib.import_module(f"{package}.widgets.{module}"), name)
    if kwargs is not None:
        return cls(**kwargs)
    nn = importlib.import_module(f"{package}.nn")
    digits = importlib.import_module(f"{package}.data").load_mnist5k()
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2d(1, 12, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(12, 24, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(24 * 7 * 7, 64, rng=rng), nn.ReLU(), nn.Linear(64, 10, rng=rng))
    return cls(model, digits.x_test, digits.y_test, index=0)


def sliders(experiment) -> dict:
    return {name: control for name, control in experiment.controls.items()
            if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)) and not control.disabled}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--only", nargs="*", default=None, help="experiments whose label contains one of these")
    args = parser.parse_args()
    print("| experiment | before (main): median ms per step | after | after / before | machinery off | off / after |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, (module, name, kwargs) in EXPERIMENTS.items():
        if args.only and not any(part in label for part in args.only):
            continue
        runs = {"before": build("cnnhelpers_main", module, name, kwargs),
                "after": build("cnnhelpers", module, name, kwargs)}
        with enabled(False):
            runs["off"] = build("cnnhelpers", module, name, kwargs)
        for key, experiment in runs.items():
            with enabled(key != "off"):
                _ = experiment.widget  # the first picture
        per_slider = {key: [] for key in runs}
        for slider_name in sliders(runs["after"]):
            times = {key: [] for key in runs}
            controls = {key: sliders(experiment)[slider_name] for key, experiment in runs.items()}
            start_value = controls["after"].value
            step = controls["after"].step
            other = start_value + step if start_value + step <= controls["after"].max else start_value - step
            order = list(controls)
            for k in range(2 * args.steps + 2):
                for key in order[k % 3:] + order[:k % 3]:  # each goes first in turn
                    slider = controls[key]
                    with enabled(key != "off"):
                        start = time.perf_counter()
                        slider.value = other if k % 2 == 0 else start_value
                        times[key].append(time.perf_counter() - start)
            for key in runs:
                per_slider[key].append(statistics.median(times[key][2:]))  # the first round trip lays out twice
        ms = {key: statistics.median(values) * 1e3 for key, values in per_slider.items()}
        print(f"| {label} | {ms['before']:.0f} | {ms['after']:.0f} | {ms['after'] / ms['before']:.2f} | "
              f"{ms['off']:.0f} | {ms['off'] / ms['after']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
