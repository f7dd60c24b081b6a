"""Split the slides that do not fit: mark cells of the notebooks as new sub-slides where a slide overflows.

Run after ``make slides``: ``.venv/bin/python tests/browser/fit_slides.py [slides-dir] [notebooks-dir]``,
then ``make slides`` again (and ``screenshot_slides.py`` to check). For every slide of the exported
decks whose content is taller than the slide, it measures each cell's height in Chromium and walks
the cells in order: the first cell that would not fit any more starts a new sub-slide (its
``slideshow.slide_type`` becomes ``"subslide"`` in the notebook). RISE reads the same metadata, so
the live slides are split the same way. A single cell taller than a slide is only reported.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

_SHORT = 150  # px: a cell this short is kept with its neighbour rather than alone on a slide

_MEASURE = """() => { const slide = Reveal.getCurrentSlide();
    const cells = [...slide.querySelectorAll('.jp-Cell')].map(cell => {
        const style = getComputedStyle(cell);
        return [cell.id.replace('cell-id=', ''),
                cell.offsetHeight + parseFloat(style.marginTop) + parseFloat(style.marginBottom)]; });
    return {content: slide.scrollHeight, cells: cells}; }"""


def cells_to_split(slides: list[dict], height: float, margin: float = 24) -> tuple[list[str], list[tuple[str, int]]]:
    """Cell ids that should start a new sub-slide, and the cells too tall for any slide (id, height).

    Each entry of ``slides`` is ``{"content": px, "cells": [[id, px], ...]}`` for one slide.
    """
    starts, too_tall = [], []
    for slide in slides:
        if slide["content"] <= height + 2 or not slide["cells"]:
            continue
        overhead = max(slide["content"] - sum(h for _, h in slide["cells"]), 0)  # slide padding, headings' margins
        room = height - overhead - margin
        chunk: list = []  # the (id, height) cells of the sub-slide being filled
        for cell_id, cell_height in slide["cells"]:
            used = sum(h for _, h in chunk)
            if chunk and used + cell_height > room:
                # A short cell (a caption, a one-line remark) takes the cell before it along, not
                # left alone on a slide of its own, when the two fit together.
                if cell_height < _SHORT and len(chunk) > 1 and chunk[-1][1] + cell_height <= room:
                    chunk = [chunk[-1]]
                else:
                    chunk = []
                starts.append(chunk[0][0] if chunk else cell_id)
            chunk.append((cell_id, cell_height))
            if cell_height > room:
                too_tall.append((cell_id, round(cell_height)))
    return starts, too_tall


def main(slides_dir: Path, notebooks_dir: Path) -> None:
    from browser_helpers import slide_decks

    for deck, page, slides, _ in slide_decks(slides_dir):
        height = page.evaluate("() => Reveal.getConfig().height")
        measured = []
        for h, v in slides:  # only the current slide is laid out: visit each
            page.evaluate(f"() => Reveal.slide({h}, {v})")
            page.wait_for_timeout(200)
            measured.append(page.evaluate(_MEASURE))
        starts, too_tall = cells_to_split(measured, height)
        path = notebooks_dir / deck.name.replace(".slides.html", ".ipynb")
        notebook = nbformat.read(path, as_version=4)
        by_id = {cell.get("id"): cell for cell in notebook.cells}
        for cell_id in starts:
            by_id[cell_id].metadata.setdefault("slideshow", {})["slide_type"] = "subslide"
        if starts:
            nbformat.write(notebook, path)
        print(f"{path.name}: {len(starts)} new sub-slides; cells taller than a slide: "
              f"{[(by_id[i].source.splitlines()[0][:50], h) for i, h in too_tall] or 'none'}")

if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    arguments = sys.argv[1:]
    main(Path(arguments[0]) if arguments else HERE.parents[1] / "slides",
         Path(arguments[1]) if len(arguments) > 1 else HERE.parents[1] / "notebooks")
