"""Garbage in, a clear error out: every public function of the core, ``nn``, ``data`` and ``images``.

Hypothesis feeds each public callable (found through the modules' ``__all__``, plus the layers'
and the model's methods) garbage: numbers (nan, inf, huge), strings, None, nested and ragged lists,
arrays of odd dtypes and shapes, masked arrays. Each call either returns or raises one of the
exception types the function documents: ValueError and TypeError everywhere, and OSError for the
functions that read files. Two kinds of call: every argument garbage, and a valid call with one
argument replaced by garbage (which reaches much deeper into the function).
"""

from __future__ import annotations

import struct
import warnings

import numpy as np
import pytest
from garbage_strategies import all_garbage_arguments, call_with, garbage_settings, one_garbage_argument
from hypothesis import given
from hypothesis import strategies as st

import cnnhelpers
from cnnhelpers import data, images, nn, reference

RECORDS = {"History", "GradcheckResult", "Digits"}  # plain records (dataclasses, NamedTuple): no checks
CONSTANTS = {"DATA_DIR", "MNIST5K_SHA256", "PHOTOS", "kernels"}  # kernels: a module of arrays
READS_FILES = {"data.load_mnist5k", "data.read_idx", "data.load_mnist_idx"}

def idx_file(path) -> str:
    """A valid 2x3 uint8 IDX file."""
    path.write_bytes(b"\x00\x00\x08\x02" + struct.pack(">II", 2, 3) + bytes(range(6)))
    return str(path)


def model():
    return nn.Sequential(nn.Flatten(), nn.Linear(4, 2, rng=0))


X = np.zeros((3, 1, 2, 2), np.float32)
Y = np.array([0, 1, 0])


def valid_calls(tmp_path) -> dict:
    """A valid call of every public callable: name -> (function, args, kwargs); fresh objects each time."""
    param = nn.Parameter(np.zeros(2))
    param.grad = np.ones(2)
    sequential = model()
    sequential.forward(X)
    layers = {"Conv2d": (nn.Conv2d(1, 2, 3, rng=0), np.zeros((1, 1, 4, 4))), "ReLU": (nn.ReLU(), X),
              "MaxPool2d": (nn.MaxPool2d(2), X), "AvgPool2d": (nn.AvgPool2d(2), X), "Flatten": (nn.Flatten(), X),
              "Linear": (nn.Linear(4, 2, rng=0), np.zeros((3, 4))), "Dropout": (nn.Dropout(0.5, rng=0), X)}
    folder = tmp_path / "mnist"
    folder.mkdir(exist_ok=True)
    (folder / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03" + struct.pack(">III", 1, 2, 2) + bytes(4))
    (folder / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01" + struct.pack(">I", 1) + bytes(1))
    calls = {
        "nn.Parameter": (nn.Parameter, (np.zeros(3),), {}),
        "nn.Layer": (nn.Layer, (), {}),
        "nn.Conv2d": (nn.Conv2d, (1, 2, 3), {"stride": 1, "padding": 0, "rng": 0, "dtype": np.float32}),
        "nn.ReLU": (nn.ReLU, (), {}),
        "nn.MaxPool2d": (nn.MaxPool2d, (2,), {"stride": None, "padding": 0}),
        "nn.AvgPool2d": (nn.AvgPool2d, (2,), {"stride": None, "padding": 0}),
        "nn.Flatten": (nn.Flatten, (), {}),
        "nn.Linear": (nn.Linear, (3, 2), {"rng": 0, "dtype": np.float32}),
        "nn.Dropout": (nn.Dropout, (0.5,), {"rng": 0}),
        "nn.he_normal": (nn.he_normal, ((2, 3), 3, np.random.default_rng(0)), {"dtype": np.float32}),
        "nn.Sequential": (nn.Sequential, (nn.ReLU(), nn.Flatten()), {}),
        "nn.StudentConv2d": (nn.StudentConv2d, (1, 2, 3), {"conv2d": reference.conv2d,
                                                            "conv2d_backward": reference.conv2d_backward,
                                                            "stride": 1, "padding": 0, "rng": 0}),
        "nn.with_student_conv": (nn.with_student_conv, (model(), reference.conv2d, reference.conv2d_backward), {}),
        "nn.log_softmax": (nn.log_softmax, (np.zeros((2, 3)),), {}),
        "nn.softmax": (nn.softmax, (np.zeros((2, 3)),), {}),
        "nn.softmax_cross_entropy": (nn.softmax_cross_entropy, (np.zeros((2, 3)), [0, 2]), {}),
        "nn.SGD": (nn.SGD, ([param],), {"lr": 0.1, "momentum": 0.5}),
        "nn.Adam": (nn.Adam, ([param],), {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8}),
        "nn.fit": (nn.fit, (sequential, X, Y), {"optimizer": nn.SGD(sequential.parameters(), lr=0.1), "epochs": 1,
                                              "batch_size": 2, "validation": (X, Y), "augment": None,
                                              "lr_schedule": None, "snapshot": None, "rng": 0,
                                              "progress": False, "threads": 1}),
        "nn.evaluate": (nn.evaluate, (model(), X, Y), {"batch_size": 2, "threads": 1}),
        "nn.predict": (nn.predict, (model(), X), {"batch_size": 2, "threads": 1}),
        "nn.confusion_matrix": (nn.confusion_matrix, ([0, 1], [1, 1]), {"classes": 2}),
        "nn.blas_threads": (lambda threads: nn.blas_threads(threads).__enter__(), (1,), {}),
        "nn.gradcheck": (nn.gradcheck, (nn.Linear(3, 2, rng=0, dtype=np.float64), np.ones((2, 3))),
                         {"y": None, "eps": 1e-5, "tolerance": 1e-6, "floor": 1e-5, "max_entries": 4, "seed": 0}),
        "Sequential.forward": (sequential.forward, (X,), {}),
        "Sequential.backward": (sequential.backward, (np.ones((3, 2), np.float32),), {"input_grad": True}),
        "Sequential.feature_maps": (sequential.feature_maps, (X,), {}),
        "Sequential.summary": (sequential.summary, ((1, 2, 2),), {"print_fn": lambda text: None}),
        "Sequential.astype": (sequential.astype, (np.float64,), {}),
        "SGD.step": (nn.SGD([param], lr=0.1).step, (), {}),
        "data.stratified_split": (data.stratified_split, ([0, 0, 1, 1], 2), {"seed": 0}),
        "data.load_mnist5k": (data.load_mnist5k, (), {"path": None, "test_size": 1000, "seed": 0}),
        "data.read_idx": (data.read_idx, (idx_file(tmp_path / "a.idx"),), {}),
        "data.load_mnist_idx": (data.load_mnist_idx, (str(folder), "train"), {}),
        "data.to_batch": (data.to_batch, (np.zeros((2, 4, 4), np.uint8),), {"dtype": np.float32}),
        "data.random_shifts": (data.random_shifts, (np.zeros((2, 4, 4)), np.random.default_rng(0)),
                               {"max_shift": 1}),
        "data.shift_and_rotate": (data.shift_and_rotate, (np.eye(3),), {"dx": 1.0, "dy": 0.0, "angle": 30.0}),
        "images.load_image": (images.load_image, ("camera",), {"gray": True, "size": 16, "dtype": np.float32}),
        "images.lines_and_corner": (images.lines_and_corner, (8,), {}),
        "images.shift": (images.shift, (np.eye(3), (1, 0)), {"fill": 0.0}),
        "images.downscale": (images.downscale, (np.eye(4), 2), {}),
        "core.conv_output_size": (cnnhelpers.conv_output_size, (5, 3), {"stride": 1, "padding": 0, "dilation": 1}),
        "core.correlate2d": (cnnhelpers.correlate2d, (np.eye(4), np.ones((2, 2))),
                             {"stride": 1, "padding": 0, "dilation": 1}),
        "core.convolve2d": (cnnhelpers.convolve2d, (np.eye(4), np.ones((2, 2))),
                            {"stride": 1, "padding": 0, "dilation": 1}),
        "core.conv2d": (cnnhelpers.conv2d, (np.zeros((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), np.zeros(1)),
                        {"stride": 1, "padding": 0, "dilation": 1}),
        "core.conv2d_backward": (cnnhelpers.conv2d_backward,
                                 (np.ones((1, 1, 3, 3)), np.zeros((1, 1, 4, 4)), np.ones((1, 1, 2, 2))),
                                 {"stride": 1, "padding": 0, "dilation": 1}),
        "core.max_pool2d": (cnnhelpers.max_pool2d, (np.eye(4), 2), {"stride": None, "padding": 0}),
        "core.avg_pool2d": (cnnhelpers.avg_pool2d, (np.eye(4), 2), {"stride": None, "padding": 0}),
        "core.max_pool2d_backward": (cnnhelpers.max_pool2d_backward, (np.ones((2, 2)), np.eye(4), 2),
                                     {"stride": None, "padding": 0}),
        "core.avg_pool2d_backward": (cnnhelpers.avg_pool2d_backward, (np.ones((2, 2)), np.eye(4), 2),
                                     {"stride": None, "padding": 0}),
        "core.adaptive_avg_pool2d": (cnnhelpers.adaptive_avg_pool2d, (np.eye(4), 2), {}),
        "core.adaptive_max_pool2d": (cnnhelpers.adaptive_max_pool2d, (np.eye(4), 2), {}),
    }
    for name, (layer, x) in layers.items():
        layer.forward(x)
        calls[f"{name}.forward"] = (layer.forward, (x,), {})
        calls[f"{name}.backward"] = (layer.backward, (layer.forward(x),), {})
    return calls


def public_names() -> list[str]:
    names = []
    for module, prefix in ((cnnhelpers, "core"), (nn, "nn"), (data, "data"), (images, "images")):
        for name in module.__all__:
            if name not in RECORDS | CONSTANTS:
                names.append(f"{prefix}.{name}")
    return names


def test_every_public_callable_has_a_valid_call(tmp_path):
    calls = valid_calls(tmp_path)
    missing = [name for name in public_names() if name not in calls]
    assert not missing, f"add a valid call for {missing}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for function, args, kwargs in calls.values():
            function(*args, **kwargs)  # the valid call itself must work


def allowed(name: str) -> tuple[type[BaseException], ...]:
    return (ValueError, TypeError, OSError) if name in READS_FILES else (ValueError, TypeError)


CALL_NAMES = sorted(set(public_names()) | {"Sequential.forward", "Sequential.backward", "Sequential.feature_maps",
                                           "Sequential.summary", "Sequential.astype", "SGD.step"}
                    | {f"{layer}.{method}" for layer in ("Conv2d", "ReLU", "MaxPool2d", "AvgPool2d", "Flatten",
                                                         "Linear", "Dropout") for method in ("forward", "backward")})
SETTINGS = garbage_settings(40)


@pytest.mark.parametrize("name", CALL_NAMES)
@SETTINGS
@given(draw=st.data())
def test_one_garbage_argument_in_a_valid_call(tmp_path, name, draw):
    function, args, kwargs = valid_calls(tmp_path)[name]
    args, kwargs = one_garbage_argument(function, args, kwargs, draw)
    problem = call_with(name, function, args, kwargs, allowed(name))
    assert problem is None, problem


@pytest.mark.parametrize("name", CALL_NAMES)
@SETTINGS
@given(draw=st.data())
def test_all_garbage_arguments(tmp_path, name, draw):
    function, args, kwargs = valid_calls(tmp_path)[name]
    args, kwargs = all_garbage_arguments(function, args, kwargs, draw)
    problem = call_with(name, function, args, kwargs, allowed(name))
    assert problem is None, problem
