"""RISE in JupyterLab: a notebook of the series opens as a live reveal.js slideshow.

Opens 00_welcome, runs it, asks for the slideshow (``Alt+R``, as a lecturer would), goes to the
kernel editor's slide with the keyboard and runs its cell there (Ctrl+Enter). The slides and the
cell's output must appear; the sliders themselves do not render in jupyterlab_rise 0.43 with
ipywidgets 8 (an upstream bug), so that last check is an expected failure until it is fixed. The
screenshot goes to ``tests/browser/shots/rise/``.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests skipped: Playwright is not installed")
from browser_helpers import REPO, TOKEN, prepare_copy, run_all
from playwright.sync_api import Page, expect

NOTEBOOK = "00_welcome.ipynb"


@pytest.mark.skipif(not (REPO / "notebooks" / NOTEBOOK).exists(), reason=f"notebooks/{NOTEBOOK} is missing")
def test_rise_presents_a_notebook_as_live_slides(page: Page, lab: str, lab_root, shots):
    folder = shots / "rise"
    folder.mkdir(exist_ok=True)
    served = lab_root / "notebooks" / NOTEBOOK
    if not served.exists():
        pytest.skip(f"{NOTEBOOK} is not among the notebooks under test")
    expected, allowed = prepare_copy(served)
    page.goto(f"{lab}/lab/workspaces/rise/tree/notebooks/{NOTEBOOK}?token={TOKEN}")
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=90_000)
    run_all(page, expected, allowed)
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.keyboard.press("Escape")  # command mode, notebook focused: where RISE's Alt+R applies
    page.keyboard.press("Alt+r")
    slides = page.frame_locator("iframe").first
    expect(slides.locator(".reveal .slides section.present").first).to_be_visible(timeout=60_000)
    # Saved widget outputs are not live in the slideshow (its page has no widget models): a lecturer
    # runs the experiment's cell on its slide (Ctrl+Enter). Go there with the keyboard and run it.
    slides.locator(".reveal").first.click()
    page.keyboard.press("Escape")
    for _ in range(40):
        if "KernelEditor(" in slides.locator("section.present").last.inner_text():
            break
        page.keyboard.press("Space")
        page.wait_for_timeout(150)
    present = slides.locator("section.present").last
    assert "KernelEditor(" in present.inner_text(), present.inner_text()[:200]
    cell = present.locator(".jp-CodeCell", has_text="KernelEditor").first
    prompt = cell.locator(".jp-InputPrompt").first
    ran_before = prompt.inner_text()
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Control+Enter")  # run it and stay on the slide
    expect(prompt).not_to_have_text(ran_before, timeout=60_000)
    expect(prompt).not_to_have_text("[*]:", timeout=60_000)
    expect(cell.locator(".jp-OutputArea-output").first).to_be_visible(timeout=60_000)
    page.screenshot(path=folder / "kernel-editor-slide.png")
    total = slides.locator(".reveal .slides > section").count()
    assert total >= 4, f"only {total} slides: is the slideshow metadata missing?"
    assert "Traceback" not in present.inner_text()
    if present.locator(".noUi-handle[role=slider]").count() == 0:
        pytest.xfail("jupyterlab_rise 0.43 shows ipywidgets 8 widgets as text ('VBox(children=...)'): "
                     "https://github.com/jupyterlab-contrib/rise/issues/126")
    handle = present.locator(".noUi-handle[role=slider]").first
    before = handle.get_attribute("aria-valuenow")
    handle.focus()
    handle.press("ArrowRight")
    expect(handle).not_to_have_attribute("aria-valuenow", before)
