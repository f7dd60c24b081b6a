"""What the browser tests share: where things are, finding Chromium, and the page-side probes
(errors on the page, sliders, pictures, latency).

The JavaScript below runs in the page. It tags every ipywidgets slider handle
(``.noUi-handle[role=slider]``) with ``data-probe-slider=i`` and the experiment it belongs to (the
nearest enclosing element that holds a picture, inside one output) with ``data-probe-exp=j``, and
counts the picture loads of each experiment, so Python can wait for a new picture and time it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(__file__).resolve().parent / "shots"
TOKEN = "cnnhelpers-browser-tests"
PLAYGROUND = REPO / "notebooks" / "kernel_playground.ipynb"


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary, or None."""
    named = os.environ.get("CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests skipped: Playwright is not installed (pip install playwright pytest-playwright)"
    if find_chromium() is None:
        return ("browser tests skipped: no Chromium found (install it, e.g. `apt-get install chromium`, "
                "or set CHROMIUM=/path/to/chromium)")
    return None


def slide_decks(slides_dir: Path):
    """Open each ``*.slides.html`` of ``slides_dir`` in headless Chromium at 1280x800.

    Yields ``(deck, page, slides, errors)`` per deck: its path, the page with reveal.js ready
    (transitions off), the ``(h, v)`` index of every slide, and the page errors seen so far.
    Only the current slide is laid out: ``page.evaluate(f"() => Reveal.slide({h}, {v})")`` visits one.
    """
    from playwright.sync_api import sync_playwright

    decks = sorted(slides_dir.resolve().glob("*.slides.html"))
    if not decks:
        raise SystemExit(f"no *.slides.html in {slides_dir}: run `make slides` first")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium())
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for deck in decks:
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.goto(deck.as_uri())
            # reveal.js is loaded by require.js (an AMD module, no global): fetch the same instance
            page.wait_for_function("""() => { if (!window.__reveal) require(['assets/reveal.js-4.0.2/dist/reveal.js'],
                                       R => { window.Reveal = R; window.__reveal = true; });
                                   return window.Reveal && Reveal.isReady(); }""", timeout=60_000)
            page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
            page.wait_for_timeout(1500)  # MathJax and the widget renderer
            slides = page.evaluate("""() => Reveal.getSlides().map(s => {
                const i = Reveal.getIndices(s); return [i.h, i.v || 0]; })""")
            yield deck, page, slides, errors
        browser.close()


def notebooks_under_test() -> list[Path]:
    """Every notebook the suite opens: notebooks/*.ipynb, or those named by the environment."""
    named = os.environ.get("CNNHELPERS_BROWSER_NOTEBOOKS")
    if not named:
        return sorted((REPO / "notebooks").glob("*.ipynb"))
    paths = []
    for part in named.split(os.pathsep):
        path = Path(part)
        paths.extend(sorted(path.glob("*.ipynb")) if path.is_dir() else [path])
    return paths


ALLOWED_ERROR_TAG = "widget-error-expected"  # a cell showing an experiment's error on purpose
ERROR_RED = "rgb(176, 0, 32)"  # Experiment.show_message(kind="error")

PROBLEMS_JS = """
(allowedCells) => {
  const problems = new Set();
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  const where = el => { const c = el.closest('.jp-Cell'); return c ? `cell ${cells.indexOf(c)}` : 'page'; };
  const allowed = el => {
    const c = el.closest('.jp-Cell');
    return c !== null && allowedCells.includes(cells.indexOf(c));
  };
  const short = el => el.innerText.trim().replace(/\\s+/g, ' ').slice(0, 400);
  for (const el of document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]'))
    problems.add(`stderr output in ${where(el)}: ${short(el)}`);
  for (const el of document.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"]'))
    problems.add(`error output in ${where(el)}: ${short(el)}`);
  const patterns = [/Traceback/, /Error displaying widget/i, /Error rendering/i, /model not found/i,
                    /Failed to (load|create)/i, /Could not (render|display)/i,
                    /There was an error when executing cell/i];
  for (const el of document.querySelectorAll('.jp-OutputArea-output, .jp-OutputArea, body > .voila-error'))
    for (const p of patterns) if (p.test(el.innerText)) problems.add(`"${p.source}" in ${where(el)}: ${short(el)}`);
  for (const el of document.querySelectorAll('.widget-html div, .widget-htmlmath div'))
    if (el.style.color === '__RED__' && !allowed(el))
      problems.add(`experiment error message in ${where(el)}: ${short(el)}`);
  return [...problems];
}
""".replace("__RED__", ERROR_RED)

SETUP_JS = """
() => {
  // a disabled slider (e.g. a pool size while pooling is off) cannot move: not checked
  const handles = [...document.querySelectorAll('.noUi-handle[role=slider]')]
    .filter(handle => !handle.closest('.noUi-target').hasAttribute('disabled'));
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  const roots = [];
  return handles.map((handle, i) => {
    handle.dataset.probeSlider = i;
    const slider = handle.closest('.widget-slider') || handle.parentElement;
    let root = slider;
    while (root && !root.querySelector('img')) {
      if (root.matches('.jp-OutputArea-output') || root === document.body) { root = null; break; }
      root = root.parentElement;
    }
    let exp = null;
    if (root) {
      if (!roots.includes(root)) {
        roots.push(root);
        root.dataset.probeExp = roots.length - 1;
        root.dataset.loads = 0;
        root.dataset.lastLoad = 0;
        for (const img of root.querySelectorAll('img'))
          img.addEventListener('load', () => {
            root.dataset.loads = Number(root.dataset.loads) + 1;
            root.dataset.lastLoad = performance.now();
          });
      }
      exp = Number(root.dataset.probeExp);
    }
    const label = slider.querySelector('.widget-label');
    const readout = slider.querySelector('.widget-readout');
    const cell = handle.closest('.jp-Cell');
    return {slider: i, exp, cell: cell ? cells.indexOf(cell) : -1,
            label: label ? label.innerText.trim() : '', readout: readout ? readout.innerText.trim() : null,
            editable: readout ? readout.isContentEditable : false};
  });
}
"""

# Arms a one-shot measurement: time from the next keydown to the next picture of experiment j on
# screen (its <img> 'load' event, then two animation frames), or to an error message appearing.
ARM_JS = """
(j) => {
  const root = document.querySelector(`[data-probe-exp="${j}"]`);
  window.__probe = new Promise(resolve => {
    let t0 = null, finished = false;
    document.addEventListener('keydown', () => { if (t0 === null) t0 = performance.now(); },
                              {capture: true, once: true});
    const finish = kind => {
      if (finished) return;
      finished = true;
      requestAnimationFrame(() => requestAnimationFrame(() => {
        observer.disconnect();
        resolve({kind, ms: t0 === null ? null : performance.now() - t0});
      }));
    };
    for (const img of root.querySelectorAll('img')) img.addEventListener('load', () => finish('picture'), {once: true});
    const observer = new MutationObserver(() => {
      for (const el of root.querySelectorAll('.widget-html div'))
        if (el.style.color === '__RED__') finish('error');
    });
    observer.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
    setTimeout(() => {
      if (!finished) { finished = true; observer.disconnect(); resolve({kind: 'timeout', ms: null}); }
    }, 10000);
  });
}
""".replace("__RED__", ERROR_RED)


def problems(page: Page, allowed_cells=()) -> list[str]:
    """Errors, tracebacks, stderr and unexpected experiment error messages on the page."""
    return page.evaluate(PROBLEMS_JS, list(allowed_cells))


def error_message(page: Page, exp: int) -> str | None:
    """The experiment's red error message, if it shows one."""
    return page.evaluate(
        """([j, red]) => { const root = document.querySelector(`[data-probe-exp="${j}"]`);
            for (const el of root.querySelectorAll('.widget-html div')) if (el.style.color === red) return el.innerText;
            return null; }""", [exp, ERROR_RED])


FINGERPRINT_JS = """
(j) => [...document.querySelectorAll(`[data-probe-exp="${j}"] img`)].map(img => {
  if (!img.complete || !img.naturalWidth) return 'not loaded';
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let hash = 2166136261;  // FNV-1a over the decoded RGB pixels
  for (let i = 0; i < data.length; i += 4)
    hash = Math.imul(hash ^ (data[i] | data[i + 1] << 8 | data[i + 2] << 16), 16777619);
  return `${canvas.width}x${canvas.height}:${hash >>> 0}`;
}).join(' ')
"""


def picture(page: Page, exp: int, path=None) -> str:
    """A fingerprint of the pixels the experiment's picture(s) show; with ``path``, also a screenshot."""
    if path is not None:
        page.locator(f'[data-probe-exp="{exp}"]').screenshot(path=path, animations="disabled")
    return page.evaluate(FINGERPRINT_JS, exp)


def wait_settled(page: Page, exp: int, since_loads: int, quiet_s: float = 0.8, timeout_s: float = 20) -> int:
    """Wait until experiment ``exp`` has shown a new picture (or an error) and nothing more for ``quiet_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = page.evaluate(
            """(j) => { const r = document.querySelector(`[data-probe-exp="${j}"]`);
                return {loads: Number(r.dataset.loads), quiet: performance.now() - Number(r.dataset.lastLoad)}; }""",
            exp)
        changed = state["loads"] > since_loads or error_message(page, exp) is not None
        if changed and state["quiet"] > quiet_s * 1000:
            return state["loads"]
        time.sleep(0.1)
    raise AssertionError(f"experiment {exp}: no new picture within {timeout_s} s")


def loads(page: Page, exp: int) -> int:
    return page.evaluate("(j) => Number(document.querySelector(`[data-probe-exp=\"${j}\"]`).dataset.loads)", exp)


def press_and_time(page: Page, handle, key: str, exp: int) -> dict:
    """Press ``key`` on a slider handle; return {'kind': 'picture'|'error'|'timeout', 'ms': latency}."""
    page.evaluate(ARM_JS, exp)
    handle.press(key)
    return page.evaluate("() => window.__probe")


def median_ms(samples: list[float]) -> float | None:
    return statistics.median(samples) if samples else None


def run_all(page: Page, expected: int, allowed=(), timeout_s: float = 300) -> None:
    """Run All from the menu; wait until every code cell has run, failing at the first error."""
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = page.evaluate("""() => {
            const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                .map(p => p.innerText.trim());
            return {done: prompts.filter(t => /\\[\\d+\\]/.test(t)).length,
                    running: prompts.filter(t => t.includes('*')).length}; }""")
        found = problems(page, list(allowed))
        assert not found, "while running all cells:\n" + "\n".join(found)
        if state["done"] >= expected and state["running"] == 0:
            return
        time.sleep(0.5)
    raise AssertionError(f"Run All did not finish within {timeout_s} s: {state}")


def prepare_copy(path: Path) -> tuple[int, list[int]]:
    """Strip outputs from the served copy; return (code cells to run, cells allowed an error message)."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, path)
    to_run = sum(1 for cell in notebook.cells if cell.cell_type == "code" and cell.source.strip())
    allowed = [k for k, cell in enumerate(notebook.cells) if ALLOWED_ERROR_TAG in cell.metadata.get("tags", [])]
    return to_run, allowed
