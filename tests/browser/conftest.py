"""Fixtures for the browser suite: JupyterLab and Voilà servers, and Debian's headless Chromium.

The suite needs a Chromium (or Chrome) binary: ``/usr/bin/chromium`` from Debian's ``chromium``
package, found on ``PATH``, or named by the ``CHROMIUM`` environment variable. Playwright's own
browser download is not used. Without a browser every test here is skipped, with the reason shown
by ``pytest -rs``.

Both servers run on 127.0.0.1, on a free port, with a token, and keep every piece of Jupyter,
IPython and matplotlib state in a temporary folder. JupyterLab serves a temporary copy of the
notebooks (the browser runs and may save them; the repository's files stay untouched).

``CNNHELPERS_BROWSER_NOTEBOOKS`` (a folder, or notebook paths separated by ``os.pathsep``) points the
notebook test at other notebooks, e.g. a demo while developing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_helpers import PLAYGROUND, REPO, SHOTS, TOKEN, find_chromium, notebooks_under_test, skip_reason

# JupyterLab user settings: no news/update toast over the screenshots, a kernel without the
# "Select Kernel" dialog, every cell in the DOM (no windowing), no autosave of the copies.
LAB_SETTINGS = {
    "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "notebook-extension/tracker": {"autoStartDefaultKernel": True, "windowingMode": "none"},
    "docmanager-extension/plugin": {"autosave": False},
}


def pytest_collection_modifyitems(config, items):
    reason = skip_reason()
    if reason is None:
        return
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the system Chromium (Playwright's own download is not reachable everywhere)."""
    return {**browser_type_launch_args, "executable_path": find_chromium()}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture(scope="session")
def shots() -> Path:
    """The folder for screenshots (git-ignored)."""
    SHOTS.mkdir(exist_ok=True)
    return SHOTS


@pytest.fixture(scope="session")
def jupyter_env(tmp_path_factory) -> dict[str, str]:
    """Environment for the servers and their kernels, with all tool state in a temporary folder."""
    state = tmp_path_factory.mktemp("jupyter-state")
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        env[name] = str(state / name.lower())
        Path(env[name]).mkdir()
    env.pop("JUPYTER_RUNTIME_DIR", None)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(command: list[str], url: str, env: dict, log: Path, cwd: Path) -> subprocess.Popen:
    """Start a server and wait until ``url`` answers."""
    with open(log, "w") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return process
        except urllib.error.HTTPError:  # it answers, if only with "not found"
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"server did not answer within 90 s:\n{log.read_text()[-3000:]}")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()  # SIGTERM: the server shuts its kernels down too
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def root_flags() -> list[str]:
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory) -> Path:
    """A temporary copy of the repository's layout: notebooks copied, everything else linked."""
    root = tmp_path_factory.mktemp("lab-root")
    (root / "notebooks").mkdir()
    for entry in REPO.iterdir():
        if entry.name not in {"notebooks", ".git", ".venv", ".jupyter-state"}:
            (root / entry.name).symlink_to(entry)
    for notebook in notebooks_under_test():
        shutil.copy(notebook, root / "notebooks" / notebook.name)
    return root


@pytest.fixture(scope="session")
def lab(lab_root, jupyter_env, tmp_path_factory) -> str:
    """URL of a JupyterLab serving ``lab_root``; the server stops at the end of the session."""
    state = tmp_path_factory.mktemp("lab-state")
    settings = state / "settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", *root_flags(),
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={lab_root}",
               f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={state}",
               "--LabApp.extension_manager=readonly", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    process = start_server(command, f"{url}/api/status?token={TOKEN}", jupyter_env, state / "server.log",
                           cwd=lab_root)
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def voila(jupyter_env, tmp_path_factory) -> str:
    """URL of the kernel playground served by Voilà."""
    state = tmp_path_factory.mktemp("voila-state")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "voila", str(PLAYGROUND), "--no-browser", "--Voila.ip=127.0.0.1",
               f"--port={port}", f"--token={TOKEN}", "--Voila.port_retries=0"]
    process = start_server(command, f"{url}/static/", jupyter_env, state / "voila.log",
                           cwd=PLAYGROUND.parent)
    yield url
    stop_server(process)
