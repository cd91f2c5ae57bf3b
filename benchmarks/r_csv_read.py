"""Time the R CSV reader on the whole unvotes history against the csv module on the same file.

Reads ../shared/fixtures/unvotes-full/unvotes.csv (870,109 rows) to the end with
`cahtracker.importers.r_csv.read_r_csv` and, as the anchor, with `csv.reader` (C code, which
cannot tell a bare NA from "NA"), alternating the two, in this process; prints the medians,
their ratio, the rows read and the missing values found.

    python benchmarks/r_csv_read.py [--runs 7] [--file PATH]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def default_file() -> Path:
    for shared in (ROOT.parent / "shared", ROOT.parents[1] / "shared"):
        path = shared / "fixtures" / "unvotes-full" / "unvotes.csv"
        if path.is_file():
            return path
    raise SystemExit("../shared/fixtures/unvotes-full/unvotes.csv not found; give --file")


def ours(path: Path) -> tuple[int, int]:
    from cahtracker.importers.r_csv import read_r_csv

    rows = missing = 0
    for row in read_r_csv(path):
        rows += 1
        if None in row:
            missing += 1
    return rows, missing


def anchor(path: Path) -> tuple[int, int]:
    rows = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            rows += 1
            if None in row:  # the same work per row; never true for the csv module
                pass
    return rows, 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--file", type=Path, default=None)
    args = parser.parse_args()
    path = args.file or default_file()
    times: dict[str, list[float]] = {"r_csv": [], "csv.reader": []}
    counts = {}
    for _ in range(args.runs):
        for name, reader in (("r_csv", ours), ("csv.reader", anchor)):
            start = time.perf_counter()
            counts[name] = reader(path)
            times[name].append(time.perf_counter() - start)
    ours_s, anchor_s = (statistics.median(times[n]) for n in ("r_csv", "csv.reader"))
    print(
        f"file {path} ({path.stat().st_size / 1e6:.1f} MB), load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"r_csv      {ours_s:.3f} s  rows {counts['r_csv'][0]:,}, with a missing value {counts['r_csv'][1]:,}"
    )
    print(f"csv.reader {anchor_s:.3f} s  rows {counts['csv.reader'][0]:,}")
    print(f"ratio {ours_s / anchor_s:.2f} (medians of {args.runs})")


if __name__ == "__main__":
    main()
