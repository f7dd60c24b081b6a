"""The convolution gives the same numbers, bit for bit, on one thread and on several.

The fast path splits the batch (or a large image's rows) into blocks and runs them on a pool of
threads, as many as NumPy's BLAS may use; ``threadpool_limits(1)`` makes it serial. Every result,
the weight gradient's sum over the batch included, must not depend on that.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import cnnhelpers as ch
from cnnhelpers import _fast_conv, reference

pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: nothing runs in parallel")

CASES = [  # x shape, weight shape, stride, padding: every path of the fast convolution
    ((17, 3, 20, 20), (5, 3, 3, 3), 1, 1),  # stride-1 trick, few input channels
    ((33, 12, 14, 14), (24, 12, 3, 3), 1, 1),  # many input channels: the input gradient is a forward pass
    ((16, 4, 21, 19), (6, 4, 3, 2), 2, 1),  # strided
    ((9, 2, 15, 15), (3, 2, 3, 3), (1, 2), 0),  # strided along one axis
    ((1, 3, 300, 300), (8, 3, 5, 5), 1, 2),  # one large image: blocks of rows
    ((1, 3, 300, 300), (8, 3, 5, 5), 2, 2),
]


def all_results(x, w, stride, padding):
    out = ch.conv2d(x, w, stride=stride, padding=padding)
    grads = ch.conv2d_backward(np.cos(out), x, w, stride=stride, padding=padding)
    return [out, *grads]


@pytest.fixture(params=["every size", "large only"])
def threads_for(request, monkeypatch):
    """Small products run serially (waking a thread costs more than it saves); "every size" sends
    even the small cases to the threads, so that each path is checked on them."""
    if request.param == "every size":
        monkeypatch.setattr(_fast_conv, "_PARALLEL_MIN_FLOPS", 0)
    return request.param


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), CASES)
def test_threaded_results_equal_serial_ones_bitwise(x_shape, w_shape, stride, padding, dtype, threads_for):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    with threadpool_limits(limits=1):
        serial = all_results(x, w, stride, padding)
    with threadpool_limits(limits=2):
        for _ in range(3):  # thread timing differs from run to run; the numbers may not
            threaded = all_results(x, w, stride, padding)
            for name, a, b in zip(["out", "grad_x", "grad_weight", "grad_bias"], serial, threaded, strict=True):
                assert a.dtype == b.dtype and a.shape == b.shape, name
                assert np.array_equal(a, b), f"{name} differs between 1 and 2 threads"


def test_threaded_results_are_right(threads_for):
    """Not only the same on both sides: equal to the plain loops (for a batch that is split into blocks)."""
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((10, 3, 9, 9)), rng.standard_normal((4, 3, 3, 3))
    with threadpool_limits(limits=2):
        out = ch.conv2d(x, w, padding=1)
        grad_x, grad_w, _ = ch.conv2d_backward(np.ones_like(out), x, w, padding=1)
    np.testing.assert_allclose(out, reference.conv2d(x, w, None, 1, 1), rtol=1e-12, atol=1e-12)
    expected_x, expected_w, _ = reference.conv2d_backward(np.ones_like(out), x, w, 1, 1)
    np.testing.assert_allclose(grad_x, expected_x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_w, expected_w, rtol=1e-12, atol=1e-12)


def test_a_threaded_convolution_inside_user_threads(threads_for):
    """Several user threads convolving at once (one gets the pool, the others run serially) agree."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((24, 4, 16, 16)), rng.standard_normal((8, 4, 3, 3))
    with threadpool_limits(limits=1):
        expected = ch.conv2d(x, w, padding=1)
    with threadpool_limits(limits=2), ThreadPoolExecutor(4) as users:
        results = list(users.map(lambda _: ch.conv2d(x, w, padding=1), range(8)))
    for result in results:
        assert np.array_equal(result, expected)


def test_a_whole_network_gives_the_same_numbers_on_one_thread_and_two():
    """Sequential holds NumPy's BLAS at one thread while its layers run (the convolutions' blocks
    still share the cores): a Linear product split across BLAS threads would round differently."""
    from cnnhelpers import nn

    rng = np.random.default_rng(11)
    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(16 * 16 * 16, 512, rng=rng), nn.ReLU(), nn.Linear(512, 10, rng=rng))
    x = rng.standard_normal((256, 3, 32, 32)).astype(np.float32)

    def run():
        out = model.forward(x)
        model.backward(np.cos(out))
        return [out, *(p.grad.copy() for p in model.parameters().values())]

    with threadpool_limits(limits=1):
        serial = run()
    with threadpool_limits(limits=2):
        threaded = run()
    for a, b in zip(serial, threaded, strict=True):
        assert np.array_equal(a, b)
