"""Time and peak memory of the playground's upload decoder on the worst files a visitor can send.

Each file is decoded by :func:`decode_upload` in a fresh Python process (so one file's memory does
not hide another's); the process reports the wall-clock time of the call and how much its peak
resident memory (``VmHWM`` in ``/proc/self/status``, which unlike ``ru_maxrss`` does not inherit
the parent's peak) grew during it. The playground promises
under 2 s and 500 MB per upload.

    python benchmarks/bench_uploads.py
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

CHILD = r"""
import json, sys, time
from pathlib import Path
import numpy as np
from PIL import Image
import io
from cnnhelpers.lessons.playground import decode_upload
warm = io.BytesIO(); Image.new("RGB", (600, 40)).save(warm, format="PNG"); decode_upload(warm.getvalue(), "warm.png")
def peak_kb():
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
content = Path(sys.argv[1]).read_bytes()
before = peak_kb()
start, cpu = time.perf_counter(), time.process_time()
try:
    image, note = decode_upload(content, sys.argv[2]); outcome = f"accepted: {image.shape[1]}x{image.shape[0]}"
except ValueError as error:
    outcome = "refused: " + str(error)[:90]
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
grown = (peak_kb() - before) / 1024
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": grown, "outcome": outcome}))
"""


def png(array) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", compress_level=9)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def cases() -> dict[str, bytes]:
    pattern = np.add.outer(np.arange(7000), np.arange(7000)).astype(np.uint8)  # compresses to little
    jpeg = io.BytesIO()
    Image.fromarray(np.stack([pattern] * 3, axis=-1)).save(jpeg, format="JPEG", quality=80)
    return {
        "grey PNG strip 8x6,250,000": png(np.zeros((8, 6_250_000), np.uint8)),
        "grey PNG 7000x7000": png(pattern),
        "RGBA PNG 7000x7000": png(np.stack([pattern] * 4, axis=-1)),
        "16-bit PNG 7000x7000": png(pattern.astype(np.uint16) * 257),
        "grey PNG 5700x5700 (just under the decoding budget)": png(pattern[:5700, :5700]),
        "RGB PNG 3300x3300 (just under the decoding budget)": png(np.stack([pattern[:3300, :3300]] * 3, axis=-1)),
        "16-bit PNG 2350x2350 (just under the decoding budget)": png(pattern[:2350, :2350].astype(np.uint16) * 257),
        "colour JPEG 7000x7000": jpeg.getvalue(),
        "PNG claiming 20000x20000 (bomb)": png_header_only(20000, 20000),
        "BMP header claiming 30000x30000 (54 bytes)": b"BM" + struct.pack("<IHHI", 54, 0, 0, 54)
        + struct.pack("<IiiHHIIiiII", 40, 30000, 30000, 1, 24, 0, 0, 0, 0, 0, 0),
    }


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for label, content in cases().items():
            path = Path(folder) / "upload"
            path.write_bytes(content)
            result = subprocess.run([sys.executable, "-c", CHILD, str(path), "upload"], capture_output=True,
                                    text=True, check=True)
            measured = json.loads(result.stdout.strip().splitlines()[-1])
            rows.append((label, len(content), measured))
            print(f"{label:<54} {len(content) / 1024:>8,.0f} KB  {measured['seconds']:>6.2f} s  "
                  f"(CPU {measured['cpu']:.2f} s)  {measured['peak_mb']:>6.0f} MB  {measured['outcome']}", flush=True)
    worst_time = max(row[2]["seconds"] for row in rows)
    worst_memory = max(row[2]["peak_mb"] for row in rows)
    print(f"worst: {worst_time:.2f} s, {worst_memory:.0f} MB of peak memory growth (limit: 2 s and 500 MB)")


if __name__ == "__main__":
    main()
