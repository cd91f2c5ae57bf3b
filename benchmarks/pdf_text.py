"""First-page text of the UN's draft PDFs: pypdf (what sponsor_docs uses) against pdfminer.six.

    .venv/bin/pip install pdfminer.six    # the anchor; not a dependency of cahtracker
    .venv/bin/python benchmarks/pdf_text.py [--runs 10] [FILE.pdf ...]

Defaults to ../shared/fixtures/sc-drafts/*.pdf. Prints, per file, the median time of one
first-page extraction (after the imports, which are timed once) and whether both libraries
give the same sponsor list (the text before ': draft resolution', spaces collapsed).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sponsors(text: str) -> str:
    """The list between the header ('Original: English', job and bar-code lines) and the kind."""
    head = text.split(": draft resolution")[0].split("Original: English")[-1]
    lines = [
        ln for ln in head.splitlines() if not re.fullmatch(r"\s*(\d{2}-\d{5}.*|\*\d+\*)\s*", ln)
    ]
    return " ".join(" ".join(lines).split())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    shared = next(
        (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), None
    )
    files = args.files or sorted(
        (shared / "fixtures" / "sc-drafts").glob("*.pdf") if shared else []
    )
    start = time.perf_counter()
    from pypdf import PdfReader

    pypdf_import = time.perf_counter() - start
    start = time.perf_counter()
    from pdfminer.high_level import extract_text

    pdfminer_import = time.perf_counter() - start
    print(f"load average {os.getloadavg()[0]:.1f}; imports: pypdf {pypdf_import * 1000:.0f} ms, "
          f"pdfminer.six {pdfminer_import * 1000:.0f} ms")  # fmt: skip
    for path in files:
        times: dict[str, list[float]] = {"pypdf": [], "pdfminer.six": []}
        for _ in range(args.runs):  # alternating runs
            start = time.perf_counter()
            a = PdfReader(path).pages[0].extract_text()
            times["pypdf"].append(time.perf_counter() - start)
            start = time.perf_counter()
            b = extract_text(path, maxpages=1)
            times["pdfminer.six"].append(time.perf_counter() - start)
        same = re.sub(r"\s", "", sponsors(a)) == re.sub(r"\s", "", sponsors(b))
        medians = ", ".join(f"{k} {statistics.median(v) * 1000:.0f} ms" for k, v in times.items())
        print(f"{path.name}: {medians}; same sponsor list: {same}")


if __name__ == "__main__":
    main()
