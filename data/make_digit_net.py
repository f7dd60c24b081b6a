"""Write ``data/digit_net.npz``: the network notebook 06 trains, so the "draw a digit" app starts at once.

The weights are *what notebook 06 trains*, by construction: this script runs the notebook's own
code cells, in order, from the first one up to and including its training cell (the first cell
that calls ``nn.fit(model, ...)``), in a fresh IPython shell, then saves ``model``. The notebook
seeds every random number (``SEED = 0``), so the run is repeatable; when someone changes how 06
trains, running this script again follows. The file stores float32 weights and the layer list
(``cnnhelpers.digit_pad.save_network``) with fixed zip timestamps, so the same weights give the
same bytes. It prints the SHA-256 that ``cnnhelpers.digit_pad.DIGIT_NET_SHA256`` must hold.

Usage (from the repository root; about half a minute)::

    python data/make_digit_net.py
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06_full_cnn.ipynb"
OUTPUT = ROOT / "data" / "digit_net.npz"


def training_cells(notebook: Path) -> list[str]:
    """The code cells of ``notebook`` up to and including the first that trains ``model`` with ``nn.fit``."""
    import nbformat

    cells = [cell.source for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code"]
    for index, source in enumerate(cells):
        if "nn.fit(model" in source:
            return cells[:index + 1]
    raise ValueError(f"{notebook} has no code cell that calls nn.fit(model, ...)")


def train_as_the_notebook_does(notebook: Path = NOTEBOOK):
    """Run the notebook's cells up to its training in a fresh IPython shell; return its namespace."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    cwd = Path.cwd()
    os.chdir(notebook.parent)  # the notebook's cells run from notebooks/, as under Jupyter
    try:
        for source in training_cells(notebook):
            # Line magics (`%matplotlib inline`) only choose how figures show; figures are not needed here.
            source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
            result = shell.run_cell(source, silent=True)
            result.raise_error()
    finally:
        os.chdir(cwd)
    return shell.user_ns


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from cnnhelpers import nn
    from cnnhelpers.data import load_mnist5k, to_batch
    from cnnhelpers.digit_pad import load_network, save_network

    namespace = train_as_the_notebook_does()
    save_network(namespace["model"], OUTPUT)
    digest = hashlib.sha256(OUTPUT.read_bytes()).hexdigest()
    digits = load_mnist5k()
    saved = load_network(OUTPUT, sha256=digest)
    accuracy = nn.evaluate(saved, to_batch(digits.x_test), digits.y_test)[1]
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes); test accuracy of the saved network {accuracy:.3f}")
    print(f"sha256: {digest}")


if __name__ == "__main__":
    main()
