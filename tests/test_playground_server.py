"""The playground as ``make playground`` serves it: abandoned visits give their kernels back.

Starts Voilà on 127.0.0.1 with short culling settings and a cap of two kernels, opens several
visits at once by plain HTTP GETs (Voilà runs the notebook in a new kernel for each GET; no
browser ever connects, so every visit is abandoned), and checks that the number of kernels never
exceeds the cap and falls to zero once they are idle. The server is stopped by its pid.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("voila", reason="the playground server test needs Voilà (pip install voila)")
psutil = pytest.importorskip("psutil", reason="counting kernel processes needs psutil")

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "notebooks" / "kernel_playground.ipynb"
CAP, VISITS, IDLE_SECONDS = 2, 4, 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kernels(server: psutil.Process) -> int:
    """Kernel processes the server has started and that still run."""
    count = 0
    for child in server.children(recursive=False):
        try:
            count += any("ipykernel" in part for part in child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:  # it ended while we looked
            pass
    return count


def visit(url: str, outcomes: list) -> None:
    try:
        with urllib.request.urlopen(url, timeout=45) as response:
            response.read()
            outcomes.append(response.status)
    except urllib.error.HTTPError as error:  # a refused visit must say why
        outcomes.append(error.code if b"playground is full" in error.read() else f"{error.code} without a reason")
    except OSError as error:
        outcomes.append(repr(error))


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "MPLCONFIGDIR": str(tmp_path / "mpl"), "IPYTHONDIR": str(tmp_path / "ipython"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
               "--VoilaConfiguration.multi_kernel_manager_class=cnnhelpers.serving.CappedKernelManager",
               f"--CappedKernelManager.max_kernels={CAP}",
               f"--MappingKernelManager.cull_idle_timeout={IDLE_SECONDS}", "--MappingKernelManager.cull_interval=1",
               "--MappingKernelManager.cull_connected=True"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Voilà did not start: {process.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.3)
        yield process, url
    finally:
        process.terminate()  # by its pid: Voilà shuts its kernels down on the way out
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_abandoned_visits_give_their_kernels_back_and_never_exceed_the_cap(server):
    process, url = server
    watched = psutil.Process(process.pid)
    most, stop = [0], threading.Event()

    def watch():
        while not stop.is_set():
            most[0] = max(most[0], kernels(watched))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        outcomes: list = []
        visitors = [threading.Thread(target=visit, args=(url, outcomes)) for _ in range(VISITS)]
        for visitor in visitors:
            visitor.start()
        for visitor in visitors:
            visitor.join()
        assert outcomes.count(200) >= 1 and set(outcomes) <= {200, 503}, outcomes  # served, or refused in words
        assert most[0] >= 1
        deadline = time.monotonic() + IDLE_SECONDS + 25
        while kernels(watched) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = kernels(watched)
    finally:
        stop.set()
        watcher.join()
    assert most[0] <= CAP, f"{most[0]} kernels ran at once; the cap is {CAP} ({outcomes})"
    assert left == 0, f"{left} kernels still run {IDLE_SECONDS + 25} s after the last visit"
