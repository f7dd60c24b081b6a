"""One epoch of notebook 06's network as its own ``nn.fit(shards=2)`` call, in the tree on PYTHONPATH.

Issue 16, session 10: the before/after of the ``blas_threads`` fix. ``bench_cnn.py --before`` could
not time it: a checkout before it imported ``blas_threads`` lazily inside ``nn._shards``, and so
ran this tree's. Run each tree in a fresh process, in turn::

    for r in 1 2 3; do for T in /tmp/p/base "$PWD"; do
        TREE=$T PYTHONPATH=$T python benchmarks/results/issue16_session10_shards_before_after.py
    done; done
"""

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/, for bench_cnn
import torch  # noqa: E402,F401  imported as in bench_cnn.py

import cnnhelpers  # noqa: E402

assert cnnhelpers.__file__.startswith(os.environ["TREE"]), cnnhelpers.__file__
import bench_cnn as b  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from cnnhelpers import nn  # noqa: E402
from cnnhelpers.data import load_mnist5k  # noqa: E402

digits = load_mnist5k()
x, y = b.to_batch(digits.x_train, dtype="float32"), digits.y_train
model = b.numpy_model()
optimizer = nn.Adam(model.parameters(), lr=b.LR)
with threadpool_limits(2):
    b.fit_epoch(model, optimizer, x, y, 2)  # warm-up
    epochs = []
    for _ in range(5):
        time.sleep(0.3)  # threads still spinning from the last call settle (see bench_cnn.alternating_medians)
        start = time.perf_counter()
        b.fit_epoch(model, optimizer, x, y, 2)
        epochs.append(time.perf_counter() - start)
print(os.environ.get("OPENBLAS_CORETYPE", "unset (SkylakeX)"), os.environ["TREE"], "median",
      f"{1e3 * np.median(epochs):.0f}", " ".join(f"{1e3 * v:.0f}" for v in epochs))
