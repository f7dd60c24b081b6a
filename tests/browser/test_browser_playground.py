"""The kernel playground as students get it: served by Voilà, used in headless Chromium.

Loads the app, checks that no code and no error is visible, changes the kernel preset, moves a
slider, uploads a PNG written here and a file that is not an image, and checks that the picture
and the messages change. Screenshots go to ``tests/browser/shots/playground/``.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests skipped: Playwright is not installed")
from browser_helpers import SETUP_JS, TOKEN, picture, problems
from PIL import Image
from playwright.sync_api import Page, expect


@pytest.fixture(scope="module")
def app(browser, browser_context_args, voila: str, shots):
    """The loaded playground page (the result picture drawn), and its screenshot folder.

    One page for the whole module (Voilà starts a kernel per page load): the tests run in order
    and each leaves the app usable for the next.
    """
    folder = shots / "playground"
    folder.mkdir(exist_ok=True)
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.goto(f"{voila}/?token={TOKEN}", wait_until="commit")
    expect(page.locator(".widget-image").first).to_be_visible(timeout=120_000)
    expect(page.get_by_text("output height =")).to_be_visible(timeout=30_000)
    page.evaluate(SETUP_JS)  # tags the experiment (the element holding the picture) as data-probe-exp=0
    yield page, folder
    context.close()
    assert not page_errors, f"JavaScript errors on the page: {page_errors}"


def result_picture(page: Page) -> str:
    return picture(page, 0)


def wait_for_new_picture(page: Page, before: str, timeout_s: float = 30) -> str:
    """The picture once it differs from ``before`` and has stopped changing."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = result_picture(page)
        if now != before:
            time.sleep(0.5)
            settled = result_picture(page)
            if settled == now:
                return now
        time.sleep(0.2)
    raise AssertionError(f"the playground's picture did not change (still {before})")


def png_file(tmp_path, name: str, array: np.ndarray) -> str:
    path = tmp_path / name
    Image.fromarray(array).save(path)
    return str(path)


def upload(page: Page, path: str) -> None:
    """Click the upload button and pick ``path`` in the file chooser it opens."""
    with page.expect_file_chooser() as chooser:
        page.locator(".widget-upload").click()
    chooser.value.set_files(path)


def test_loads_without_code_or_errors(app):
    page, folder = app
    page.screenshot(path=folder / "loaded.png", full_page=True)
    code = page.locator(".jp-CodeCell .jp-InputArea, .CodeMirror, .cm-editor, .highlight")
    assert not any(code.nth(k).is_visible() for k in range(code.count()))
    assert "KernelPlayground" not in page.inner_text("body")
    assert not problems(page)


def test_a_kernel_preset_changes_the_picture(app):
    page, folder = app
    before = result_picture(page)
    page.locator(".widget-dropdown", has_text="preset").locator("select").select_option("box_blur")
    after = wait_for_new_picture(page, before)
    assert after != before
    cells = page.locator(".widget-gridbox input")
    expect(cells.first).to_have_value("0.1111")
    page.locator("[data-probe-exp='0']").screenshot(path=folder / "preset-box_blur.png")
    assert not problems(page)


def test_the_stride_slider_changes_picture_and_formula(app):
    page, folder = app
    before = result_picture(page)
    slider = page.locator(".widget-slider:has(.widget-label:text-is('stride')) .noUi-handle[role=slider]")
    slider.focus()
    slider.press("ArrowRight")
    expect(page.get_by_text("/ 2⌋ + 1 = 256").first).to_be_visible(timeout=30_000)
    wait_for_new_picture(page, before)
    page.locator("[data-probe-exp='0']").screenshot(path=folder / "stride-2.png")
    assert not problems(page)


def test_uploading_a_png_shows_it(app, tmp_path):
    page, folder = app
    before = result_picture(page)
    yy, xx = np.mgrid[0:120, 0:160]
    checkers = (((yy // 20) + (xx // 20)) % 2 * 255).astype(np.uint8)
    upload(page, png_file(tmp_path, "checkers.png", checkers))
    expect(page.get_by_text("checkers.png: a grey image of 160x120 pixels")).to_be_visible(timeout=30_000)
    wait_for_new_picture(page, before)
    page.locator("[data-probe-exp='0']").screenshot(path=folder / "upload-checkers.png")
    assert not problems(page)


def test_a_big_colour_upload_is_downscaled_with_a_message(app, tmp_path):
    page, _ = app
    rgb = np.random.default_rng(0).integers(0, 256, (700, 1400, 3), dtype=np.uint8)
    upload(page, png_file(tmp_path, "noise.png", rgb))
    expect(page.get_by_text("shown in grey")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("downscaled to 512x256")).to_be_visible()
    assert not problems(page)


def test_a_file_that_is_not_an_image_gets_a_readable_message(app, tmp_path):
    page, folder = app
    path = tmp_path / "notes.txt"
    path.write_text("not an image")
    upload(page, str(path))
    expect(page.get_by_text("notes.txt is not an image the playground can read")).to_be_visible(timeout=30_000)
    page.screenshot(path=folder / "bad-upload.png")
    assert "Traceback" not in page.inner_text("body")
