"""Every notebook, opened in JupyterLab in headless Chromium: Run All, then every slider moved.

For each notebook in ``notebooks/`` (new ones are picked up automatically) the test runs all cells,
checks that no error, traceback or stderr output appears, then moves every slider
(``.noUi-handle[role=slider]``) with the keyboard and with a mouse drag and checks that the
experiment's picture changed on screen. It measures the time from a key press to the new picture
on screen and prints the median per notebook (``pytest -s`` shows it; a summary is written to
``shots/latency.json``). Screenshots go to ``tests/browser/shots/<notebook>/``.

A cell whose experiment shows its red "This setting cannot work" message on purpose carries the
cell tag ``widget-error-expected``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests skipped: Playwright is not installed")
from browser_helpers import (
    SETUP_JS,
    TOKEN,
    error_message,
    loads,
    median_ms,
    notebooks_under_test,
    picture,
    prepare_copy,
    press_and_time,
    problems,
    run_all,
    wait_settled,
)
from playwright.sync_api import Page, expect

NOTEBOOKS = notebooks_under_test()
KEY_ROUNDS = 1  # per slider: the first step is checked by screenshot, then rounds of (step, step back) are timed
LATENCY: dict[str, dict] = {}


def handle_value(handle) -> float:
    return float(handle.get_attribute("aria-valuenow"))


def step_keys(handle) -> tuple[str, str]:
    """(a key that moves the slider, the key that moves it back): right unless already at the maximum."""
    at_max = handle_value(handle) >= float(handle.get_attribute("aria-valuemax"))
    return ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")


def check_keyboard(page: Page, handle, exp: int, folder: Path, name: str, samples: list[float]) -> None:
    """One step must change the picture; rounds of (step, step back) are timed."""
    forward, back = step_keys(handle)
    before = picture(page, exp)
    result = press_and_time(page, handle, forward, exp)
    if result["kind"] == "error":  # that neighbour is an impossible setting: try the other side
        message = error_message(page, exp)
        assert press_and_time(page, handle, back, exp)["kind"] == "picture", f"{name}: no picture after stepping back"
        forward, back = back, forward
        limit = handle.get_attribute("aria-valuemin" if forward == "ArrowLeft" else "aria-valuemax")
        if float(limit) == handle_value(handle):
            raise AssertionError(f"{name}: the only neighbouring setting gives an error: {message}")
        result = press_and_time(page, handle, forward, exp)
    assert result["kind"] == "picture", f"{name}: after {forward}: {result} ({error_message(page, exp)})"
    samples.append(result["ms"])
    after = picture(page, exp, path=folder / f"{name}-key.png")
    assert after != before, f"{name}: the picture did not change after {forward}"
    for key in [back, forward] * KEY_ROUNDS + [back]:
        result = press_and_time(page, handle, key, exp)
        assert result["kind"] == "picture", f"{name}: after {key}: {result} ({error_message(page, exp)})"
        samples.append(result["ms"])


def drag(page: Page, handle, towards: float) -> None:
    """Drag the handle with the mouse to ``towards`` (0..1) of its track."""
    box = handle.bounding_box()
    track = handle.locator("xpath=ancestor::*[contains(@class, 'noUi-target')][1]").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(track["x"] + towards * track["width"], y, steps=8)
    page.mouse.up()


def restore(page: Page, handle, original: float, readout: str | None, exp: int) -> None:
    """Put the slider back to ``original``: type it into the readout, or step there with the arrow keys."""
    if handle_value(handle) == original:
        return
    count = loads(page, exp)
    if readout is not None:
        box = handle.locator("xpath=ancestor::*[contains(@class, 'widget-slider')][1]").locator(".widget-readout")
        if box.get_attribute("contenteditable") == "true":
            box.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(readout.replace("\u2212", "-"))  # the readout writes minus as U+2212
            page.keyboard.press("Enter")
            deadline = time.monotonic() + 5
            while handle_value(handle) != original and time.monotonic() < deadline:
                time.sleep(0.05)
            if handle_value(handle) == original:
                wait_settled(page, exp, count, quiet_s=0.3)
                return
    for _ in range(100):
        value = handle_value(handle)
        if value == original:
            return
        count = loads(page, exp)
        handle.press("ArrowRight" if value < original else "ArrowLeft")
        wait_settled(page, exp, count, quiet_s=0.05)
    raise AssertionError(f"could not move the slider back to {original}")


def check_drag(page: Page, handle, exp: int, folder: Path, name: str, readout: str | None) -> None:
    """A mouse drag must move the slider and change the picture (to a possible setting)."""
    original = handle_value(handle)
    low, high = float(handle.get_attribute("aria-valuemin")), float(handle.get_attribute("aria-valuemax"))
    where = (original - low) / (high - low) if high > low else 0.0
    targets = [0.8, 0.2] if where < 0.5 else [0.2, 0.8]
    messages = []
    for towards in targets:
        before = picture(page, exp)
        count = loads(page, exp)
        drag(page, handle, towards)
        assert handle_value(handle) != original, f"{name}: the mouse drag did not move the slider"
        wait_settled(page, exp, count, quiet_s=0.5)
        message = error_message(page, exp)
        if message is None:
            after = picture(page, exp, path=folder / f"{name}-drag.png")
            assert after != before, f"{name}: the picture did not change after a mouse drag"
            restore(page, handle, original, readout, exp)
            return
        messages.append(message)
        restore(page, handle, original, readout, exp)
    raise AssertionError(f"{name}: both drags gave an error message: {messages}")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_and_every_slider_redraws(page: Page, lab: str, lab_root: Path, shots: Path,
                                                notebook: Path):
    t_start = time.monotonic()
    served = lab_root / "notebooks" / notebook.name
    expected, allowed = prepare_copy(served)
    folder = shots / notebook.stem
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    page.goto(f"{lab}/lab/workspaces/{notebook.stem}/tree/notebooks/{notebook.name}?token={TOKEN}")
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=90_000)
    t_idle = time.monotonic()
    run_all(page, expected, allowed)
    t_ran = time.monotonic()
    page.screenshot(path=folder / "page-after-run-all.png")

    sliders = page.evaluate(SETUP_JS)
    orphans = [s for s in sliders if s["exp"] is None]
    assert not orphans, f"sliders with no picture to check: {orphans}"
    samples: list[float] = []
    per_slider: dict[str, float] = {}
    for s in sliders:
        handle = page.locator(f'[data-probe-slider="{s["slider"]}"]')
        handle.scroll_into_view_if_needed()
        name = f"exp{s['exp']}-slider{s['slider']}-{s['label'] or 'unnamed'}".replace(" ", "_").replace("/", "_")
        mine: list[float] = []
        t0 = time.monotonic()
        check_keyboard(page, handle, s["exp"], folder, name, mine)
        t1 = time.monotonic()
        samples += mine
        per_slider[name] = round(median_ms(mine))
        check_drag(page, handle, s["exp"], folder, name, s["readout"])
        print(f"{name}: keyboard {t1 - t0:.1f} s, drag {time.monotonic() - t1:.1f} s")
        found = problems(page, allowed)
        assert not found, f"after moving slider {s}:\n" + "\n".join(found)
    assert not page_errors, f"JavaScript errors on the page: {page_errors}"

    median = median_ms(samples)
    LATENCY[notebook.stem] = {"sliders": len(sliders), "experiments": len({s["exp"] for s in sliders}),
                              "key_presses_timed": len(samples), "median_ms": median,
                              "max_ms": max(samples) if samples else None, "per_slider_median_ms": per_slider,
                              "open_s": round(t_idle - t_start, 1), "run_all_s": round(t_ran - t_idle, 1),
                              "sliders_s": round(time.monotonic() - t_ran, 1)}
    summary = shots / "latency.json"
    previous = json.loads(summary.read_text()) if summary.exists() else {}
    summary.write_text(json.dumps({**previous, **LATENCY}, indent=1))
    print(f"\n{notebook.stem}: {LATENCY[notebook.stem]}")
