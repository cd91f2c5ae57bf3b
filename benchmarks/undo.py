"""`db undo` of a bulk import against the import itself, at 300, 600, 1,200 and 2,400 resolutions.

For each size, a synthetic UN Digital Library bulk CSV (generate_bulk.py: N resolutions x
193 members) is imported into a copy of a freshly seeded database with `cahtracker vote
import`, then the whole import is undone with `cahtracker db undo`; both are timed as
real processes, in the same run. Prints, per size, the medians and the ratio undo/import
(target: <= 1.5 at every size), and the undo's seconds per 1,000 resolutions (linear
growth: about constant across sizes).

    .venv/bin/python benchmarks/undo.py [--sizes 300 600 1200 2400] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from generate_bulk import generate  # noqa: E402
from vote_import import child_env, fresh_copy, run, seeded_database  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 600, 1200, 2400])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = child_env()
    cahtracker = str(BIN / "cahtracker")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        seeded = seeded_database(tmp, env)
        db = tmp / "work.db"
        for n in args.sizes:
            path = tmp / f"bulk{n}.csv"
            with open(path, "w", newline="", encoding="utf-8") as out:
                generate(out, n)
            imports, undos = [], []
            for _ in range(args.runs):
                fresh_copy(seeded, db)
                imports.append(
                    run([cahtracker, "--db", str(db), "vote", "import", str(path)], env)[0]
                )
                undos.append(run([cahtracker, "--db", str(db), "db", "undo"], env)[0])
            i, u = statistics.median(imports), statistics.median(undos)
            results.append((n, i, u))
            print(
                f"{n:>5} resolutions ({n * 193:>7} ballots): import {i:6.2f} s, undo {u:6.2f} s, "
                f"ratio {u / i:.2f} (target <= 1.5), undo {1000 * u / n:.2f} s per 1,000",
                flush=True,
            )
    worst = max(u / i for _, i, u in results)
    print(f"worst ratio: {worst:.2f}")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
