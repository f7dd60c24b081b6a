"""Two runs of bench_core.py / bench_cnn.py side by side: the ratio to PyTorch before -> after.

Reads the printed output of each run (as saved in ``benchmarks/results/``) and prints one table,
a column per BLAS kernel and thread count, each cell ``ratio before -> ratio after (ms before ->
ms after)``, the ratio being cnnhelpers / PyTorch (below 1: cnnhelpers is faster).

    python benchmarks/compare_runs.py --before core_before.txt cnn_before.txt --after core_after.txt cnn_after.txt
"""

from __future__ import annotations

import argparse
import re

SECTIONS = [("auto", 1), ("auto", 2), ("Haswell", 1), ("Haswell", 2)]


def parse(path: str) -> dict:
    """``{(workload, pass, (kernel, threads)): (cnnhelpers ms, torch ms, ratio)}`` from one run's output."""
    rows, section = {}, None
    with open(path) as lines:
        for line in lines:
            heading = re.match(r"## kernel (\S+) .*?, (\d+) threads?", line)
            if heading:
                section = (heading.group(1), int(heading.group(2)))
                continue
            if not line.startswith("| ") or section is None or line.startswith(("| workload", "|---")):
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) >= 8 and cells[4] == "torch":  # bench_core: workload, dtype, pass, ms, peer, ms, ratio
                rows[(cells[0], cells[2], section)] = (float(cells[3]), float(cells[5]), float(cells[6]))
            elif len(cells) == 6 and cells[3] != "-":  # bench_cnn: workload, threads, ms, torch ms, ratio
                rows[(cells[0], "", section)] = (float(cells[2]), float(cells[3]), float(cells[4]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", nargs="+", required=True)
    parser.add_argument("--after", nargs="+", required=True)
    args = parser.parse_args()
    before = {key: value for path in args.before for key, value in parse(path).items()}
    after = {key: value for path in args.after for key, value in parse(path).items()}
    names = list(dict.fromkeys(key[:2] for key in [*before, *after]))
    print("ratio cnnhelpers / PyTorch (< 1: cnnhelpers faster), before -> after; "
          "in brackets cnnhelpers ms before -> after\n")
    print("| workload | pass | " + " | ".join(f"{kernel} {threads}T" for kernel, threads in SECTIONS) + " |")
    print("|---|---|" + "---:|" * len(SECTIONS))

    def cell(row, index, digits):
        return f"{row[index]:.{digits}f}" if row else "-"

    for name, phase in names:
        cells = []
        for section in SECTIONS:
            old, new = before.get((name, phase, section)), after.get((name, phase, section))
            cells.append(f"{cell(old, 2, 2)} -> {cell(new, 2, 2)} ({cell(old, 0, 1)} -> {cell(new, 0, 1)})")
        print(f"| {name} | {phase} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
