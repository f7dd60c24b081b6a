"""Speed of cnnhelpers' convolution and pooling against its peers, per BLAS kernel and thread count.

Runs itself once per BLAS kernel (the one OpenBLAS picks, and ``OPENBLAS_CORETYPE=Haswell``) and
per thread count (1 and all cores: threadpoolctl limits NumPy's BLAS, ``torch.set_num_threads``
PyTorch), each in its own subprocess (see ``_matrix.py``), and prints one table each, with
threadpoolctl's description of the BLAS. In each table, one row per workload and dtype: the median
time of cnnhelpers and of each peer, and the ratio cnnhelpers / peer (below 1: cnnhelpers is
faster). Peers: PyTorch CPU (when installed), scipy.signal.correlate2d and scipy.ndimage.correlate
(W1), and two naive Python loops (W1 only, timed once: they take seconds): over output pixels and
weights with plain lists, and over output pixels with one NumPy window product each.

The rows of W2, the largest workload, also give the peak memory of its forward and backward pass,
cnnhelpers and PyTorch, each measured in a fresh process (ru_maxrss).

With ``--before PATH`` (a checkout of an earlier commit, e.g. made with ``git worktree add``), the
cnnhelpers of that checkout is one more peer, imported into the same process and timed in the same
alternation: its ratio is the speed-up of the current code, free of the minute-to-minute drift
that separates two runs of this script on a shared machine.

    python benchmarks/bench_core.py [--repeat 15] [--dtypes float32,float64] [--only W1,W5] [--before PATH]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np
import scipy.ndimage
import scipy.signal
from _matrix import blas_description, import_before, peak_mib, run_children
from threadpoolctl import threadpool_limits

import cnnhelpers as ch

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # PyTorch is an optional peer
    torch = None


def median_times(timers, repeat: int, sample_seconds: float = 0.02, warm_seconds: float = 0.01) -> list[float]:
    """Median seconds per call of each timer, samples taken in alternation (round-robin).

    As ``timeit``, each sample repeats the call enough times to last about ``sample_seconds``
    (the count fixed per timer during the warm-up), so that a sub-millisecond call is not
    measured against the shared VM's wake-up after the peer ran. Alternating puts cnnhelpers
    and its peers through the same slow spells of the machine, so their ratio is steadier than
    that of medians taken one after the other. Before each sample, the timer runs untimed for
    ``warm_seconds``: PyTorch's OpenMP threads keep spinning for a few ms after its last call,
    and would otherwise share the second core with the first calls of the timer after it (on two
    threads, cnnhelpers' samples then took longer than when timed alone; PyTorch, warmed the
    same way, does not change).
    """
    numbers = []
    for timer in timers:
        timer()  # warm-up: first-touch allocations, BLAS initialisation
        start = time.perf_counter()
        timer()
        once = time.perf_counter() - start
        numbers.append(max(1, round(sample_seconds / max(once, 1e-9))))
    times = [[] for _ in timers]
    for _ in range(repeat):
        for timer, number, record in zip(timers, numbers, times, strict=True):
            warm_until = time.perf_counter() + warm_seconds
            timer()
            while time.perf_counter() < warm_until:
                timer()
            start = time.perf_counter()
            for _ in range(number):
                timer()
            record.append((time.perf_counter() - start) / number)
    return [statistics.median(record) for record in times]


def naive_correlate(image, kernel):
    """The definition as loops over output pixels and kernel weights: the slowest honest baseline."""
    kh, kw = kernel.shape
    oh, ow = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = [[0.0] * ow for _ in range(oh)]
    img, ker = image.tolist(), kernel.tolist()
    for i in range(oh):
        for j in range(ow):
            total = 0.0
            for u in range(kh):
                for v in range(kw):
                    total += img[i + u][j + v] * ker[u][v]
            out[i][j] = total
    return out


def naive_window_loop(image, kernel):
    """The loop students write first: one NumPy window product per output pixel."""
    kh, kw = kernel.shape
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1), dtype=image.dtype)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def torch_forward(x, w, stride, padding):
    """PyTorch's forward of the same convolution, on the same memory."""
    return F.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=stride, padding=padding)


def torch_backward(x, w, stride, padding):
    """A timer of PyTorch's backward alone (input and weight gradients), its forward done once."""
    xt = torch.from_numpy(x).requires_grad_(True)
    wt = torch.from_numpy(w).requires_grad_(True)
    out = F.conv2d(xt, wt, stride=stride, padding=padding)
    grad = torch.ones_like(out)
    return lambda: torch.autograd.grad(out, (xt, wt), grad, retain_graph=True)


def conv_workloads(rng, dtype):
    """(name, x, weight, stride, padding) for W1-W4."""
    def arr(*shape):
        return rng.standard_normal(shape).astype(dtype)
    return [
        ("W1 512x512 grey, 3x3", arr(1, 1, 512, 512), arr(1, 1, 3, 3), 1, 0),
        ("W2 512x512 RGB->8, 5x5 p2", arr(1, 3, 512, 512), arr(8, 3, 5, 5), 1, 2),
        ("W3a 64x1x28x28->8, 3x3 p1", arr(64, 1, 28, 28), arr(8, 1, 3, 3), 1, 1),
        ("W3b 64x8x28x28->16, 3x3 p1", arr(64, 8, 28, 28), arr(16, 8, 3, 3), 1, 1),
        ("W4 32x16x32x32->32, 3x3 s1", arr(32, 16, 32, 32), arr(32, 16, 3, 3), 1, 1),
        ("W4 32x16x32x32->32, 3x3 s2", arr(32, 16, 32, 32), arr(32, 16, 3, 3), 2, 1),
    ]


BEFORE = "cnnhelpers before"


def compare(mine, peers: dict, repeat: int) -> dict:
    """``{peer: (seconds of mine, seconds of the peer)}``, medians measured in alternation.

    The earlier checkout (``BEFORE``) alternates with ``mine`` alone: PyTorch's OpenMP threads
    keep spinning for a few ms after each of its calls, so whichever timer follows PyTorch in an
    alternation shares its second core with them, and the before/after ratio would measure that.
    """
    results = {}
    others = {name: timer for name, timer in peers.items() if name != BEFORE}
    if others:
        medians = median_times([mine, *others.values()], repeat)
        results.update({name: (medians[0], theirs) for name, theirs in zip(others, medians[1:], strict=True)})
    if BEFORE in peers:
        results[BEFORE] = tuple(median_times([mine, peers[BEFORE]], repeat))
    return results or {"-": (median_times([mine], repeat)[0], None)}  # no peer: mine alone


def run(repeat: int, dtypes: list[str], only: tuple[str, ...] = (), before=None) -> list[tuple]:
    """Rows ``(workload, dtype, pass, {peer: (seconds of cnnhelpers, seconds of the peer)})`` (see :func:`compare`).

    ``only`` keeps the workloads named so; ``before``: an earlier cnnhelpers package
    (:func:`import_before`), timed as one more peer.
    """
    def wanted(name):
        return not only or name.split()[0].startswith(only)

    rng = np.random.default_rng(0)
    rows = []
    for dtype_name in dtypes:
        dtype = np.dtype(dtype_name)
        for name, x, w, stride, padding in conv_workloads(rng, dtype):
            if not wanted(name):
                continue
            grad = np.ones(ch.conv2d(x, w, stride=stride, padding=padding).shape, dtype)
            forward, peers_f, peers_b = (lambda: ch.conv2d(x, w, stride=stride, padding=padding)), {}, {}
            if torch is not None:
                peers_f["torch"] = lambda: torch_forward(x, w, stride, padding)
                peers_b["torch"] = torch_backward(x, w, stride, padding)
            if before is not None:
                peers_f[BEFORE] = lambda: before.conv2d(x, w, stride=stride, padding=padding)
                peers_b[BEFORE] = lambda: before.conv2d_backward(grad, x, w, stride=stride, padding=padding)
            if name.startswith("W1"):
                image, kernel = x[0, 0], w[0, 0]
                forward = lambda: ch.correlate2d(image, kernel)  # noqa: E731
                if before is not None:
                    peers_f[BEFORE] = lambda: before.correlate2d(image, kernel)
                peers_f["scipy.signal"] = lambda: scipy.signal.correlate2d(image, kernel, "valid")
                peers_f["scipy.ndimage"] = lambda: scipy.ndimage.correlate(image, kernel)
            peers_f = compare(forward, peers_f, repeat)
            peers_b = compare(lambda: ch.conv2d_backward(grad, x, w, stride=stride, padding=padding), peers_b, repeat)
            if name.startswith("W1"):
                for label, naive in [("naive loop, lists", naive_correlate),
                                     ("naive loop, NumPy window per pixel", naive_window_loop)]:
                    start = time.perf_counter()
                    naive(image, kernel)  # once: each takes seconds
                    # beside cnnhelpers' median from the SciPy alternation (timed once, no alternation)
                    peers_f[label] = (peers_f["scipy.signal"][0], time.perf_counter() - start)
            rows.append((name, dtype_name, "forward", peers_f))
            rows.append((name, dtype_name, "backward", peers_b))
        if not wanted("W5"):
            continue
        x = rng.standard_normal((64, 16, 28, 28)).astype(dtype)
        grad = np.ones((64, 16, 14, 14), dtype)
        peers_f, peers_b = {}, {}
        if torch is not None:
            def torch_pool(backward):
                xt = torch.from_numpy(x).requires_grad_(backward)
                out = F.max_pool2d(xt, 2)
                if backward:
                    out.backward(torch.from_numpy(grad))
            peers_f["torch"] = lambda: torch_pool(False)
            peers_b["torch"] = lambda: torch_pool(True)
        if before is not None:
            peers_f[BEFORE] = lambda: before.max_pool2d(x, 2)
            peers_b[BEFORE] = lambda: (before.max_pool2d(x, 2), before.max_pool2d_backward(grad, x, 2))
        peers_f = compare(lambda: ch.max_pool2d(x, 2), peers_f, repeat)
        # PyTorch's backward needs its forward (it stores the argmax): compare forward+backward
        peers_b = compare(lambda: (ch.max_pool2d(x, 2), ch.max_pool2d_backward(grad, x, 2)), peers_b, repeat)
        rows.append(("W5 maxpool 2x2 64x16x28x28", dtype_name, "forward", peers_f))
        rows.append(("W5 maxpool 2x2 64x16x28x28", dtype_name, "fwd+bwd", peers_b))
    return rows


MEMORY_CODE = {  # the largest workload (W2, forward then backward), per library
    "cnnhelpers": """
import numpy as np
import cnnhelpers as ch
rng = np.random.default_rng(0)
x = rng.standard_normal((1, 3, 512, 512)).astype("{dtype}")
w = rng.standard_normal((8, 3, 5, 5)).astype("{dtype}")
g = np.ones((1, 8, 512, 512), "{dtype}")
def work():
    ch.conv2d(x, w, padding=2)
    ch.conv2d_backward(g, x, w, padding=2)
""",
    "torch": """
import numpy as np
import torch
import torch.nn.functional as F
rng = np.random.default_rng(0)
x = torch.from_numpy(rng.standard_normal((1, 3, 512, 512)).astype("{dtype}")).requires_grad_(True)
w = torch.from_numpy(rng.standard_normal((8, 3, 5, 5)).astype("{dtype}")).requires_grad_(True)
g = torch.ones((1, 8, 512, 512), dtype=x.dtype)
def work():
    out = F.conv2d(x, w, padding=2)
    torch.autograd.grad(out, (x, w), g)
""",
}


def child(kernel: str, threads: int, args) -> None:
    """One table: this process's BLAS kernel, at ``threads`` threads for NumPy's BLAS and PyTorch."""
    if torch is not None:
        torch.set_num_threads(threads)
    dtypes = args.dtypes.split(",")
    with threadpool_limits(limits=threads):
        print(f"\n## kernel {kernel} (OPENBLAS_CORETYPE {'unset' if kernel == 'auto' else '=' + kernel}), "
              f"{threads} thread{'s' * (threads > 1)}\n")
        print(f"machine: {platform.processor() or platform.machine()}, {platform.system()}; numpy {np.__version__}"
              + (f"; torch {torch.__version__} (threads={torch.get_num_threads()})" if torch else "; no torch"))
        print(f"threadpoolctl: {blas_description()}")
        before = import_before(args.before) if args.before else None
        if before is not None:
            print(f"cnnhelpers before: {os.path.dirname(before.__file__)}")
        rows = run(args.repeat, dtypes, tuple(w for w in args.only.split(",") if w), before)
    memory = {}
    if not args.only or "W2" in args.only:
        for dtype in dtypes:
            memory[dtype] = {lib: peak_mib(code.format(dtype=dtype), kernel, threads)
                             for lib, code in MEMORY_CODE.items() if lib != "torch" or torch is not None}
    print(f"\nmedian of {args.repeat} samples, alternating with the peers; ratio = cnnhelpers / peer "
          "(< 1: cnnhelpers faster); peak MiB: rise of the resident high-water mark in a fresh process, "
          "forward + backward (W2, the largest workload)\n")
    print("| workload | dtype | pass | cnnhelpers ms | peer | peer ms | ratio | peak MiB cnnhelpers / torch |")
    print("|---|---|---|---:|---|---:|---:|---:|")
    for name, dtype, phase, peers in rows:
        peak = "-"
        if name.startswith("W2") and phase == "backward" and dtype in memory:
            peak = " / ".join(f"{v:.1f}" for v in memory[dtype].values())
        for peer, (mine, theirs) in peers.items():
            if theirs is None:
                print(f"| {name} | {dtype} | {phase} | {mine * 1e3:.2f} | - | - | - | {peak} |")
                continue
            times = f"{mine * 1e3:.2f} | {peer} | {theirs * 1e3:.2f} | {mine / theirs:.3g}"
            print(f"| {name} | {dtype} | {phase} | {times} | {peak if peer == 'torch' else '-'} |")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--dtypes", default="float32")
    parser.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W3a (default: all)")
    parser.add_argument("--before", metavar="PATH", help="a checkout of an earlier commit, timed as one more peer")
    parser.add_argument("--child", nargs=2, metavar=("KERNEL", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args)
        return
    extra = ["--repeat", str(args.repeat), "--dtypes", args.dtypes, "--only", args.only]
    if args.before:
        extra += ["--before", args.before]
    run_children(__file__, extra)


if __name__ == "__main__":
    main()
