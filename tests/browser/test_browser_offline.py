"""The exported pages read with no network: `make html` and `make slides`, opened from disk.

Each page is opened from ``file://`` (as a student opening a copied folder would) in headless
Chromium with every request that would leave the machine blocked and recorded. The test asserts
that none was attempted, that MathJax typeset the maths (no raw ``$...$`` or ``\\left`` left on the
page), that every picture loaded (matplotlib figures and the widgets' saved pictures) and that every
picture has alt text.

The pages are built from one notebook with maths and an experiment (03, stride) into a temporary
folder by the Makefile's own rules, so the test checks exactly what `make html`/`make slides` write.
The first build fetches the scripts with npm (about a minute); without npm the test is skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser_helpers import REPO

NOTEBOOK = "notebooks/03_stride.ipynb"

PAGE_STATE_JS = """() => {
  const text = document.body.innerText;
  const images = [...document.querySelectorAll('img')]
    .filter(img => img.offsetParent !== null || img.closest('section'));
  return {
    typeset: document.querySelectorAll('.MathJax, .MathJax_CHTML, mjx-container').length,
    rawMaths: (text.match(/\\\\left|\\\\lfloor|\\$s\\$/g) || []).length,
    images: images.length,
    broken: images.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src.slice(0, 60)),
    withoutAlt: images.filter(img => !(img.getAttribute('alt') || '').trim()).map(img => img.src.slice(0, 60)),
    widgetImages: document.querySelectorAll('.widget-image').length,
  };
}"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """03 as an HTML page and as slides, with their local scripts, in one temporary folder."""
    if shutil.which("npm") is None:
        pytest.skip("make html / make slides need npm once, to fetch their scripts; npm is not installed")
    folder = tmp_path_factory.mktemp("exported")
    bin_dir = Path(sys.executable).parent
    for target, variable in (("pages", "HTML_DIR"), ("slide-decks", "SLIDES_DIR")):
        subprocess.run(["make", "--no-print-directory", "-s", target, f"{variable}={folder}", f"PAGES={NOTEBOOK}",
                        f"BIN={bin_dir}"], cwd=REPO, check=True, capture_output=True, timeout=600)
    return folder


def open_offline(page, path: Path) -> list[str]:
    """Open ``path`` with every request off the machine aborted; returns the list of those requests."""
    left = []

    def guard(route):
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")):
            route.continue_()
        else:
            left.append(url)
            route.abort()

    page.route("**/*", guard)
    page.goto(path.as_uri())
    return left


def settle(page) -> dict:
    """Wait until MathJax has typeset and the widget renderer has drawn, then read the page."""
    page.wait_for_function("() => document.querySelectorAll('.MathJax, .MathJax_CHTML, mjx-container').length > 0",
                           timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('.widget-image').length > 0", timeout=60_000)
    page.wait_for_timeout(1500)
    return page.evaluate(PAGE_STATE_JS)


def test_html_page_reads_offline(exported, page, shots):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    left = open_offline(page, exported / "03_stride.html")
    state = settle(page)
    page.screenshot(path=shots / "offline-html-03.png")
    assert left == [], f"requests that tried to leave the machine: {left}"
    assert state["typeset"] > 10 and state["rawMaths"] == 0, state
    assert state["widgetImages"] >= 1 and state["images"] >= 5, state
    assert state["broken"] == [] and state["withoutAlt"] == [], state
    assert errors == []


def test_slides_read_offline(exported, page, shots):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 800})
    left = open_offline(page, exported / "03_stride.slides.html")
    page.wait_for_function("""() => { if (!window.__reveal) require(['assets/reveal.js-4.0.2/dist/reveal.js'],
                               R => { window.Reveal = R; window.__reveal = true; });
                           return window.Reveal && Reveal.isReady(); }""", timeout=60_000)
    state = settle(page)
    page.screenshot(path=shots / "offline-slides-03.png")
    assert left == [], f"requests that tried to leave the machine: {left}"
    assert state["typeset"] > 10 and state["rawMaths"] == 0, state
    assert state["widgetImages"] >= 1, state
    assert state["broken"] == [] and state["withoutAlt"] == [], state
    assert errors == []

