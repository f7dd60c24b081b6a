"""Screenshot every slide of the exported reveal.js decks and list the slides that overflow.

Run after ``make slides``: ``.venv/bin/python tests/browser/screenshot_slides.py [slides-dir] [shots-dir]``.
A slide "overflows" when its content is taller than the slide (reveal.js then scrolls it, or clips
it when presenting); the script prints those with their first words, so they can be split.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


# a slide shrunk to fit by the lecture template's zoom counts at its shown height
MEASURE = """() => { const s = Reveal.getCurrentSlide();
    return {content: s.scrollHeight * (parseFloat(s.style.zoom) || 1), slide: Reveal.getConfig().height,
            text: s.innerText.trim().replace(/\\s+/g, ' ').slice(0, 70)}; }"""


def measure(page) -> dict:
    return page.evaluate(MEASURE)


def main(slides_dir: Path, shots_dir: Path) -> None:
    from browser_helpers import slide_decks

    for deck, page, slides, errors in slide_decks(slides_dir):
        folder = shots_dir / deck.name.removesuffix(".slides.html")
        folder.mkdir(parents=True, exist_ok=True)
        overflowing = []
        for number, (h, v) in enumerate(slides, start=1):
            page.evaluate(f"() => Reveal.slide({h}, {v})")
            page.wait_for_timeout(1000)
            info = measure(page)
            if info["content"] > info["slide"] + 2:  # the template fits a tall slide again once late pictures arrive
                page.wait_for_timeout(2500)
                info = measure(page)
            page.screenshot(path=folder / f"slide-{number:02d}.png")
            if info["content"] > info["slide"] + 2:
                overflowing.append((number, info["content"], info["text"]))
        print(f"{deck.name}: {len(slides)} slides, {len(overflowing)} overflow (slide height "
              f"{page.evaluate('() => Reveal.getConfig().height')} px); page errors: {errors or 'none'}")
        for number, height, text in overflowing:
            print(f"  slide {number}: content {height} px: {text}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    arguments = sys.argv[1:]
    main(Path(arguments[0]) if arguments else HERE.parents[1] / "slides",
         Path(arguments[1]) if len(arguments) > 1 else HERE / "shots" / "slides")
