"""The whole unvotes history (../shared/fixtures/unvotes-full/) against the sqlite3 shell.

Times, in alternating runs, as real processes, each into a fresh copy of one seeded database:
  - `cahtracker vote import unvotes.csv` (with its roll_calls.csv: 870,109 rows, 6,203 roll
    calls, every check; 947,235 ballots written with their index),
  - `sqlite3 DB ".import --csv unvotes.csv t"` (the anchor: the same file into a bare table),
  - `cahtracker db undo` of the import just made.
Prints the medians, the ratio import/anchor (target <= 2.0), the import's peak memory
(target < 150 MiB) and the ratio undo/import (target <= 1.0).

    .venv/bin/python benchmarks/unvotes_full.py [--runs 5] [--fixtures ../shared/fixtures]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from vote_import import child_env, fresh_copy, run, seeded_database  # noqa: E402

DEFAULT_FIXTURES = HERE.parent.parent / "shared" / "fixtures"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    args = parser.parse_args()
    votes = args.fixtures / "unvotes-full" / "unvotes.csv"
    if not votes.is_file():
        raise SystemExit(f"No {votes}; give --fixtures, the folder of shared/fixtures.")
    sqlite3_shell = shutil.which("sqlite3")
    if not sqlite3_shell:
        raise SystemExit("No sqlite3 shell on PATH (Debian: apt-get install sqlite3).")
    env = child_env()
    cahtracker = str(BIN / "cahtracker")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        seeded = seeded_database(tmp, env)
        db = tmp / "work.db"

        def ours() -> tuple[float, float]:
            fresh_copy(seeded, db)
            return run([cahtracker, "--db", str(db), "vote", "import", str(votes)], env)

        def undo() -> float:
            return run([cahtracker, "--db", str(db), "db", "undo"], env)[0]

        def anchor() -> float:
            fresh_copy(seeded, db)
            return run([sqlite3_shell, str(db), f".import --csv {votes} t"], env)[0]

        ours()  # warm-up: file cache, bytecode
        anchor()
        mine, undos, theirs, peaks = [], [], [], []
        for _ in range(args.runs):
            wall, peak = ours()
            mine.append(wall)
            peaks.append(peak)
            undos.append(undo())
            theirs.append(anchor())
    m, u, t = statistics.median(mine), statistics.median(undos), statistics.median(theirs)
    print(
        f"vote import (whole unvotes history): median {m:.2f} s ({min(mine):.2f}-{max(mine):.2f})"
    )
    print(f"sqlite3 .import --csv (anchor): median {t:.2f} s ({min(theirs):.2f}-{max(theirs):.2f})")
    print(f"ratio import/anchor: {m / t:.2f} (target <= 2.0)")
    print(f"peak memory of the import: {max(peaks):.1f} MiB (target < 150 MiB)")
    print(f"db undo of the import: median {u:.2f} s; ratio undo/import {u / m:.2f} (target <= 1.0)")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
