"""PyTorch's two-thread epoch of notebook 06's network after nothing, after our plain epoch, after our sharded fit.

Issue 16, session 10: is the swing of PyTorch's two-thread epoch in ``bench_cnn.py`` ours? Each
timed epoch follows ``sys.argv[1]`` seconds of pause; printed per sample: (ms, minor page faults).

    python benchmarks/results/issue16_session10_torch_two_threads.py 0.3
"""

import os
import resource
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # benchmarks/
import bench_cnn as b  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from cnnhelpers import nn  # noqa: E402
from cnnhelpers.data import load_mnist5k  # noqa: E402

digits = load_mnist5k()
x, y = b.to_batch(digits.x_train, dtype="float32"), digits.y_train
order = np.random.default_rng(0).permutation(len(x))
torch.set_num_threads(2)
ours = b.numpy_model()
ours_opt = nn.Adam(ours.parameters(), lr=b.LR)
theirs = b.torch_model(b.numpy_model())
theirs_opt = torch.optim.Adam(theirs.parameters(), lr=b.LR)
pause = float(sys.argv[1])
before = {"after nothing": None,
          "after our plain epoch": lambda: b.epoch(b.numpy_step, ours, ours_opt, x, y, order),
          "after our fit(shards=2)": lambda: b.fit_epoch(ours, ours_opt, x, y, 2)}
samples = {label: [] for label in before}
with threadpool_limits(2):
    b.epoch(b.torch_step, theirs, theirs_opt, x, y, order)  # warm-up
    b.fit_epoch(ours, ours_opt, x, y, 2)
    for _ in range(4):
        for label, run in before.items():
            if run is not None:
                run()
            time.sleep(pause)
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            start = time.perf_counter()
            b.epoch(b.torch_step, theirs, theirs_opt, x, y, order)
            seconds = time.perf_counter() - start
            samples[label].append((round(seconds * 1e3), resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults))
for label, values in samples.items():
    print(f"pause {pause} s, PyTorch's epoch {label}: {values}")
