"""Draw a digit as students get it: the Voilà app in headless Chromium, drawn on with the mouse.

Draws a vertical stroke, then (after Clear) a closed loop; checks that the prediction shown is what
the saved network says for those strokes (a 1, then a 0), that the ten bars move while the pen is
still down, and that no error shows. Measures mouse-up to new picture. Screenshots go to
``tests/browser/shots/digit/``.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests skipped: Playwright is not installed")
from browser_helpers import REPO, TOKEN, problems
from playwright.sync_api import Page, expect

from cnnhelpers.digit_pad import DigitPad

APP = REPO / "notebooks" / "draw_a_digit.ipynb"
VERTICAL = [(140, 40 + 10 * k) for k in range(21)]  # pad pixels, top to bottom
LOOP = [(140 + 60 * np.sin(t), 140 - 100 * np.cos(t)) for t in np.linspace(0, 2 * np.pi, 37)]

# Records when the mouse button goes up and when a picture last loaded, for the latency.
TIMING_JS = """
() => {
  window.__timing = {up: null, load: null};
  document.addEventListener('mouseup', () => { window.__timing.up = performance.now(); }, true);
  document.addEventListener('load', e => { if (e.target.tagName === 'IMG') window.__timing.load = performance.now(); },
                            true);
}
"""


@pytest.fixture(scope="module")
def voila_digit(jupyter_env, tmp_path_factory):
    """URL of the draw-a-digit app served by Voilà (the server stops after the module)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("voila-digit") / "voila.log"
    url = f"http://127.0.0.1:{port}"
    with open(log, "w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "voila", str(APP), "--no-browser", "--Voila.ip=127.0.0.1",
                                    f"--port={port}", f"--token={TOKEN}", "--Voila.port_retries=0"],
                                   stdout=log_file, stderr=subprocess.STDOUT, env=jupyter_env, cwd=APP.parent)
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/static/", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.terminate()
                raise RuntimeError(f"Voilà did not start:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.2)
    yield url
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def app(browser, browser_context_args, voila_digit, shots):
    folder = shots / "digit"
    folder.mkdir(exist_ok=True)
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.goto(f"{voila_digit}/?token={TOKEN}", wait_until="commit")
    expect(page.get_by_text("Draw a digit on the pad.")).to_be_visible(timeout=120_000)
    page.evaluate(TIMING_JS)
    yield page, folder
    context.close()
    assert not page_errors, f"JavaScript errors on the page: {page_errors}"


def bar_heights(page: Page) -> list[str]:
    return page.evaluate("""() => [...Array(10).keys()].map(k => {
        const bar = document.querySelector(`.digit-pad-bar-${k} .progress-bar`);
        return bar ? bar.style.height : 'missing'; })""")


def shown_prediction(page: Page) -> str | None:
    found = page.locator(".digit-pad-prediction")
    return found.inner_text() if found.count() else None


def draw(page: Page, points, pause_s: float = 0.0, during=None) -> None:
    """Press the mouse at the first point (pad pixels), move through the others, release."""
    box = page.locator(".digit-pad-canvas").bounding_box()
    left, top = box["x"] + 2, box["y"] + 2  # inside the 2-pixel border
    page.mouse.move(left + points[0][0], top + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(left + x, top + y, steps=2)
        if pause_s:
            time.sleep(pause_s)
    if during is not None:
        during()
    page.mouse.up()


def expected_answer(strokes) -> int:
    pad = DigitPad()
    for stroke in strokes:
        result = pad.add_stroke(stroke)
    return result["prediction"]


def wait_for_prediction(page: Page, before: str | None, timeout_s: float = 30) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = shown_prediction(page)
        if now is not None and now != before:
            time.sleep(0.6)  # let the last update land
            return shown_prediction(page)
        time.sleep(0.05)
    raise AssertionError(f"the prediction did not change from {before!r}")


def test_a_vertical_stroke_is_read_as_the_network_reads_it_and_bars_move_while_drawing(app):
    page, folder = app
    assert bar_heights(page) == ["0%"] * 10 or all(h in ("0%", "") for h in bar_heights(page))
    page.screenshot(path=str(folder / "0-blank.png"), full_page=True)
    seen_during = []
    draw(page, VERTICAL, pause_s=0.08, during=lambda: (time.sleep(1.0), seen_during.append(bar_heights(page))))
    answer = wait_for_prediction(page, None)
    page.screenshot(path=str(folder / "1-vertical-stroke.png"), full_page=True)
    assert any(h not in ("0%", "") for h in seen_during[0]), f"the bars did not move while drawing: {seen_during}"
    assert answer == str(expected_answer([VERTICAL])) == "1"
    timing = page.evaluate("() => window.__timing")
    print(f"mouse up to new picture: {timing['load'] - timing['up']:.0f} ms")
    assert not problems(page)


def test_clear_then_a_closed_loop_is_a_zero(app):
    page, folder = app
    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_text("Draw a digit on the pad.")).to_be_visible(timeout=30_000)
    page.evaluate("() => { window.__timing = {up: null, load: null}; }")
    draw(page, LOOP, pause_s=0.03)
    answer = wait_for_prediction(page, None)
    page.screenshot(path=str(folder / "2-loop.png"), full_page=True)
    assert answer == str(expected_answer([LOOP])) == "0"
    timing = page.evaluate("() => window.__timing")
    print(f"mouse up to new picture: {timing['load'] - timing['up']:.0f} ms")
    assert not problems(page)


def test_undo_and_a_dot_answer_in_words(app):
    page, folder = app
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Draw a digit on the pad.")).to_be_visible(timeout=30_000)
    draw(page, [(140, 140), (141, 141)])
    expect(page.get_by_text("That is a dot")).to_be_visible(timeout=30_000)
    page.screenshot(path=str(folder / "3-dot.png"), full_page=True)
    assert not problems(page)
