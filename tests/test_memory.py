"""Freed memory is reused: a repeated training step does not fault its pages in again (Linux, glibc)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from cnnhelpers import _memory

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

STEPS = """
import resource
import numpy as np
from cnnhelpers import nn
rng = np.random.default_rng(0)
model = nn.Sequential(nn.Conv2d(1, 12, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(12, 24, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(24 * 7 * 7, 10, rng=rng)).astype(np.float64)
optimizer = nn.Adam(model.parameters())
x, y = rng.random((32, 1, 28, 28)), rng.integers(0, 10, 32)
def step():
    _, grad = nn.softmax_cross_entropy(model.forward(x), y)
    model.backward(grad, input_grad=False)
    optimizer.step()
for _ in range(10):  # the heap grows during the first few steps, then stays
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
"""


def faults_per_step(**env) -> float:
    result = subprocess.run([sys.executable, "-c", STEPS], capture_output=True, text=True, check=True,
                            env={**os.environ, **env})
    return float(result.stdout)


@pytest.mark.skipif(not GLIBC, reason="the malloc settings are glibc's")
def test_a_repeated_training_step_reuses_its_memory():
    # Each step makes float64 activations and temporaries of a few MiB (one batch of 32 digits):
    # faulted in afresh, that is over a thousand pages a step.
    assert faults_per_step() < 20


@pytest.mark.skipif(not GLIBC, reason="the malloc settings are glibc's")
def test_the_setting_is_made_on_glibc_and_can_be_switched_off(monkeypatch):
    assert _memory.keep_freed_memory() is True
    monkeypatch.setenv("CNNHELPERS_SYSTEM_MALLOC", "1")
    assert _memory.keep_freed_memory() is False
