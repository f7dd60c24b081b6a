"""A JupyterHub on loopback with five students at once, each running notebook 01 through the proxy.

The hub (classroom/jupyterhub_config.py, demo mode) starts on 127.0.0.1 with free ports and
configurable-http-proxy from ``classroom/build`` (``make classroom-proxy``). Through the hub's REST
API an admin service token creates five students, starts their servers at once and gets each a
token of its own; then, through the proxy, each student starts a kernel (jupyter_server's REST
API) and runs every code cell of notebook 01 over the kernel's websocket. The test records each
student's time to a ready server, time to run the notebook and peak memory (RSS of the
single-user server plus its kernel, sampled every 0.2 s with psutil) in
``classroom/build/sizing.json``: the README's sizing guide.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("jupyterhub", reason="the classroom extra (pip install -e '.[classroom]') is not installed")
psutil = pytest.importorskip("psutil")
requests = pytest.importorskip("requests")
websocket = pytest.importorskip("websocket")

import nbformat  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PROXY = ROOT / "classroom" / "build" / "node_modules" / ".bin" / "configurable-http-proxy"
STUDENTS = [f"student{i}" for i in range(1, 1 + int(os.environ.get("CLASSROOM_TEST_STUDENTS", "5")))]
NOTEBOOK = "01_kernels.ipynb"
SIZING = ROOT / "classroom" / "build" / f"sizing-{len(STUDENTS)}-students.json"

pytestmark = pytest.mark.skipif(not PROXY.exists() and shutil.which("configurable-http-proxy") is None,
                                reason="configurable-http-proxy missing: run `make classroom-proxy` (needs npm)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    state = tmp_path_factory.mktemp("hub")
    users = state / "users.txt"
    users.write_text("teacher admin\n" + "\n".join(STUDENTS) + "\n")
    token, port = secrets.token_hex(16), free_port()
    env = {**os.environ, "CLASSROOM_STATE": str(state), "CLASSROOM_USERS": str(users), "CLASSROOM_PORT": str(port),
           "CLASSROOM_HUB_PORT": str(free_port()), "CLASSROOM_PROXY_API_PORT": str(free_port()),
           "CLASSROOM_ADMIN_TOKEN": token, "CLASSROOM_MODE": "demo",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    log = open(state / "hub.log", "w")  # noqa: SIM115 (closed at teardown)
    command = [sys.executable, "-m", "jupyterhub", "-f", str(ROOT / "classroom" / "jupyterhub_config.py")]
    process = subprocess.Popen(command, cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/hub/api/", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, (state / "hub.log").read_text()[-3000:]
            time.sleep(0.5)
        yield {"url": url, "token": token, "process": process, "log": state / "hub.log"}
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the hub, its proxy and the servers it started
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def hub_api(hub, method, path, **kwargs):
    response = requests.request(method, f"{hub['url']}/hub/api{path}", timeout=30,
                                headers={"Authorization": f"token {hub['token']}"}, **kwargs)
    response.raise_for_status()
    return response.json() if response.content else None


def server_processes(name):
    """The single-user server of ``name`` and its kernels, found by the JUPYTERHUB_USER of their environment."""
    for process in psutil.process_iter(["cmdline"]):
        try:
            if "jupyterhub-singleuser" in " ".join(process.info["cmdline"] or []) \
                    and process.environ().get("JUPYTERHUB_USER") == name:
                return [process, *process.children(recursive=True)]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return []


def run_notebook(hub, name, token, cells):
    """Start a kernel on ``name``'s server through the proxy and run ``cells``; returns seconds and errors."""
    base = f"{hub['url']}/user/{name}"
    headers = {"Authorization": f"token {token}"}
    contents = requests.get(f"{base}/api/contents/notebooks/{NOTEBOOK}", headers=headers, timeout=30)
    contents.raise_for_status()  # the notebook is there, served through the proxy
    kernel = requests.post(f"{base}/api/kernels", json={"name": "python3"}, headers=headers, timeout=60).json()
    ws = websocket.create_connection(f"ws://{base[len('http://'):]}/api/kernels/{kernel['id']}/channels",
                                     header=[f"Authorization: token {token}"], timeout=300)
    started, errors = time.monotonic(), []
    try:
        for source in cells:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({"header": {"msg_id": msg_id, "msg_type": "execute_request", "username": name,
                                           "session": uuid.uuid4().hex, "version": "5.3"},
                                "parent_header": {}, "metadata": {}, "channel": "shell",
                                "content": {"code": source, "silent": False, "store_history": False,
                                            "user_expressions": {}, "allow_stdin": False}}))
            while True:
                frame = ws.recv()
                if isinstance(frame, bytes):  # a message with binary buffers (a widget's picture): not a reply
                    continue
                reply = json.loads(frame)
                if reply.get("parent_header", {}).get("msg_id") == msg_id and reply["msg_type"] == "execute_reply":
                    if reply["content"]["status"] != "ok":
                        errors.append(reply["content"].get("ename"))
                    break
    finally:
        ws.close()
    return time.monotonic() - started, errors


def test_five_students_run_notebook_01_at_once(hub):
    notebook = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert set(STUDENTS) <= {user["name"] for user in hub_api(hub, "GET", "/users")}  # from the users file
    peak = {name: {"server_rss": 0, "server_uss": 0, "kernel_rss": 0, "kernel_uss": 0} for name in STUDENTS}
    sampling = threading.Event()

    def sample():
        """Peak resident memory of each student's server and kernel; USS counts only pages no other process shares."""
        while not sampling.is_set():
            for name in STUDENTS:
                processes = server_processes(name)
                for kind, group in (("server", processes[:1]), ("kernel", processes[1:])):
                    try:
                        infos = [process.memory_full_info() for process in group]
                    except psutil.NoSuchProcess:
                        continue
                    for measure in ("rss", "uss"):
                        key = f"{kind}_{measure}"
                        peak[name][key] = max(peak[name][key], sum(getattr(info, measure) for info in infos))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def student(name):
        requested = time.monotonic()
        hub_api(hub, "POST", f"/users/{name}/server")
        while True:
            server = hub_api(hub, "GET", f"/users/{name}")["servers"].get("")
            assert server is not None, f"{name}'s server did not start: {hub['log']}"  # the hub gave up on it
            if server["ready"]:
                break
            time.sleep(0.25)
        ready = time.monotonic() - requested
        token = hub_api(hub, "POST", f"/users/{name}/tokens", json={"note": "test", "expires_in": 600})["token"]
        seconds, errors = run_notebook(hub, name, token, cells)
        kernel_cpu = sum(sum(process.cpu_times()[:2]) for process in server_processes(name)[1:])  # user + system
        return {"student": name, "ready_s": round(ready, 1), "run_s": round(seconds, 1),
                "kernel_cpu_s": round(kernel_cpu, 1), "errors": errors}

    started = time.monotonic()
    with ThreadPoolExecutor(len(STUDENTS)) as pool:
        results = list(pool.map(student, STUDENTS))
    wall = time.monotonic() - started
    sampling.set()
    sampler.join()
    for result in results:
        result.update({f"peak_{key}_mb": round(value / 2**20) for key, value in peak[result["student"]].items()})
    report = {"students": len(STUDENTS), "notebook": NOTEBOOK, "cpu_count": os.cpu_count(),
              "memory_total_gb": round(psutil.virtual_memory().total / 2**30, 1),
              "wall_s": round(wall, 1), "per_student": results,
              "blas_threads": "1 (OPENBLAS/OMP/MKL_NUM_THREADS from the spawner)"}
    SIZING.parent.mkdir(parents=True, exist_ok=True)
    SIZING.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    assert all(result["errors"] == [] for result in results), results
    # a server and a kernel were measured for every student
    assert all(result["peak_server_rss_mb"] > 50 and result["peak_kernel_rss_mb"] > 50 for result in results), results
    # each server saw the BLAS thread limit the spawner sets
    for name in STUDENTS[:1]:
        server = server_processes(name)[0]
        assert server.environ()["OPENBLAS_NUM_THREADS"] == "1" and server.environ()["OMP_NUM_THREADS"] == "1"
