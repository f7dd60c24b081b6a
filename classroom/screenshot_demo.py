"""Screenshots of the demo hub: a student's view and the teacher's (formgrader), in headless Chromium.

    .venv/bin/python -m classroom.screenshot_demo [--out classroom/build/shots]

Starts ``classroom.demo`` (the hub of ``make classroom``) on a free loopback port with its state in a
temporary folder, logs in as a student (the series' notebook 01, then Nbgrader > Assignment List
with the released assignments) and as the teacher (the formgrader's Manage Assignments page),
saves PNGs, and stops the hub. Needs Chromium (``apt-get install chromium``) and Playwright.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
PASSWORD = "convolve"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_in(page, url, name):
    page.goto(f"{url}/hub/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"**/user/{name}/**", timeout=240_000)  # the server starts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "build" / "shots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    state = Path(tempfile.mkdtemp(prefix="classroom-demo-"))
    port = free_port()
    env = {**os.environ, "CLASSROOM_STATE": str(state), "CLASSROOM_PORT": str(port), "CLASSROOM_PASSWORD": PASSWORD,
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    log = open(state / "demo.log", "w")  # noqa: SIM115
    hub = subprocess.Popen([sys.executable, "-m", "classroom.demo"], cwd=HERE.parent, env=env, stdout=log,
                           stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if requests.get(f"{url}/hub/api/", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium)
            student = browser.new_page(viewport={"width": 1400, "height": 900})
            log_in(student, url, "alice")
            student.goto(f"{url}/user/alice/lab/tree/notebooks/01_kernels.ipynb")
            student.wait_for_selector(".jp-Notebook", timeout=120_000)
            student.wait_for_timeout(4000)
            student.screenshot(path=args.out / "student_notebook.png")
            student.click("text=Nbgrader")
            student.click("text=Assignment List")
            student.wait_for_selector("text=01_kernels", timeout=60_000)
            student.wait_for_timeout(2000)
            student.screenshot(path=args.out / "student_assignments.png")
            teacher = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            log_in(teacher, url, "teacher")
            teacher.goto(f"{url}/user/teacher/formgrader")
            try:
                teacher.wait_for_selector("text=06_full_cnn", timeout=60_000)
            except PlaywrightTimeout:
                print("The formgrader does not list the assignments: see teacher_formgrader.png")
            teacher.wait_for_timeout(2000)
            teacher.screenshot(path=args.out / "teacher_formgrader.png")
            browser.close()
        print(f"Screenshots in {args.out}")
    finally:
        os.killpg(hub.pid, signal.SIGTERM)
        try:
            hub.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, signal.SIGKILL)
        log.close()
        print(f"Hub log: {state / 'demo.log'}")


if __name__ == "__main__":
    main()
