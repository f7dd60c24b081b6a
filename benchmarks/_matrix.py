"""Run a benchmark once per BLAS kernel and thread count, each in its own subprocess; peak memory.

OpenBLAS reads ``OPENBLAS_CORETYPE`` once, when it loads, so each kernel needs a fresh process:
the parent re-runs the benchmark script with ``--child KERNEL THREADS`` and the environment set
for that kernel ("auto": the variable removed, OpenBLAS picks by itself; "Haswell": forced).
The variable is set only in these subprocesses, never in the tests.

Peak memory: a fresh subprocess per measurement imports one library and builds its inputs, then
resets the kernel's resident-memory high-water mark (``/proc/self/clear_refs``, Linux), runs the
workload and reports how far the high-water mark (``VmHWM``) rose above the resident size it had:
imports and inputs are not counted; outputs, workspaces and temporaries are.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

from threadpoolctl import threadpool_info

KERNELS = ("auto", "Haswell")


def import_before(path: str, submodules: tuple[str, ...] = ()):
    """The ``cnnhelpers`` package of the checkout at ``path``, imported beside the current one.

    Its modules (and ``submodules``, e.g. ``("nn",)``, then attributes of the package) are imported
    under their usual names, then moved out of ``sys.modules``: both packages keep their own module
    objects, as long as none imports a sibling lazily, inside a function: such an import, run later,
    finds the current tree's module in ``sys.modules``. (Checkouts before session 10 of issue 16 did
    so in ``nn._shards``: their ``fit(shards=k)`` ran this tree's ``blas_threads`` and ``scores``.)
    """
    def ours():
        return {name: module for name, module in sys.modules.items() if name.split(".")[0] == "cnnhelpers"}

    current = ours()
    for name in current:
        del sys.modules[name]
    sys.path.insert(0, os.path.abspath(path))
    try:
        package = importlib.import_module("cnnhelpers")
        for name in submodules:
            importlib.import_module(f"cnnhelpers.{name}")
    finally:
        sys.path.pop(0)
        for name in ours():
            del sys.modules[name]
        sys.modules.update(current)
    if not package.__file__.startswith(os.path.abspath(path)):
        raise SystemExit(f"--before {path}: imported cnnhelpers from {package.__file__}, not from that checkout")
    return package


def all_thread_counts() -> tuple[int, ...]:
    """1 and all cores (just 1 on a one-core machine)."""
    cores = os.cpu_count() or 1
    return (1,) if cores == 1 else (1, cores)


def environment(kernel: str) -> dict:
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    if kernel != "auto":
        env["OPENBLAS_CORETYPE"] = kernel
    return env


def blas_description() -> str:
    """threadpoolctl's words for NumPy's BLAS (and its threads) in this process."""
    infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(f"{i.get('internal_api')} {i.get('version')} architecture={i.get('architecture')} "
                     f"num_threads={i.get('num_threads')} ({i.get('prefix')})" for i in infos) or \
        "no BLAS found by threadpoolctl"


def run_children(script: str, extra: list[str], thread_counts=None) -> None:
    """Run ``script --child KERNEL THREADS *extra`` for every kernel and thread count, streaming its output."""
    for kernel in KERNELS:
        for threads in thread_counts or all_thread_counts():
            sys.stdout.flush()
            completed = subprocess.run([sys.executable, script, "--child", kernel, str(threads), *extra],
                                       env=environment(kernel), check=False)
            if completed.returncode:
                print(f"\n(kernel {kernel}, {threads} threads: the subprocess failed with {completed.returncode})")


def peak_mib(code: str, kernel: str, threads: int) -> float:
    """MiB the resident high-water mark rises while ``code`` runs its ``work()`` in a fresh process.

    ``code`` defines ``work``; imports and inputs are made before the mark is read. It runs in the
    benchmarks folder (so it may import the benchmark scripts; cnnhelpers comes from PYTHONPATH).
    """
    program = f"""
import sys
from threadpoolctl import threadpool_limits
{code}
with threadpool_limits(limits={threads}):
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads({threads})
    def status(field):
        with open("/proc/self/status") as lines:
            return next(int(line.split()[1]) for line in lines if line.startswith(field + ":"))
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the high-water mark VmHWM restarts from the current resident size
    before = status("VmRSS")
    work()
    after = status("VmHWM")
print((after - before) / 1024)
"""
    env = environment(kernel)
    completed = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True,
                               check=False, cwd=os.path.dirname(os.path.abspath(__file__)))
    if completed.returncode:
        return float("nan")
    return float(completed.stdout.strip().splitlines()[-1])

