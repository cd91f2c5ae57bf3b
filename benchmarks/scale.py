"""Scale: import a ~950,000-row bulk file (the UN's whole voting history is about that size),
with its peak memory, then time `vote compare` and `vote show --by-group` on the result.

    .venv/bin/python benchmarks/scale.py [--resolutions 4922] [--runs 5]

Prints the import's wall time and peak memory (max RSS) for the full file and for a quarter
of it (flat memory: the two peaks should be close), the query plans of the two read
commands, and the median time of each command (a fresh process each run, after a warm-up),
with `states show FRA` as the start-up floor.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_bulk import generate  # noqa: E402
from vote_import import BIN, child_env, fresh_copy, run  # noqa: E402

COMPARE_SQL = (
    "SELECT v.id, v.symbol, v.date, x.choice AS a, y.choice AS b FROM ballots x "
    "JOIN ballots y ON y.vote_id = x.vote_id AND y.iso3 = ? JOIN votes v ON v.id = x.vote_id "
    "WHERE x.iso3 = ? AND x.choice IN ('yes', 'no', 'abstain') "
    "AND y.choice IN ('yes', 'no', 'abstain') ORDER BY v.date, v.id"
)
SHOW_SQL = (
    "SELECT b.iso3, s.name, b.choice, s.regional_group, b.explanation FROM ballots b "
    "JOIN states s ON s.iso3 = b.iso3 WHERE b.vote_id = ? ORDER BY s.name"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolutions", type=int, default=4922)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = child_env()
    cahtracker = str(BIN / "cahtracker")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        seeded = tmp / "seeded.db"
        subprocess.run(
            [cahtracker, "--db", str(seeded), "db", "init"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        db = tmp / "big.db"
        for n in (args.resolutions // 4, args.resolutions):
            bulk = tmp / "bulk.csv"
            with open(bulk, "w", newline="", encoding="utf-8") as out:
                rows = generate(out, n)
            fresh_copy(seeded, db)
            wall, peak = run([cahtracker, "--db", str(db), "vote", "import", str(bulk)], env)
            size = bulk.stat().st_size / 1e6
            print(f"vote import {rows:>7} rows ({size:.0f} MB): {wall:.2f} s, peak {peak:.1f} MiB")
            bulk.unlink()
        conn = sqlite3.connect(str(db))
        ballots = conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
        vote_id = conn.execute("SELECT max(id) FROM votes").fetchone()[0] // 2
        print(f"database: {ballots} ballots, {db.stat().st_size / 1e6:.0f} MB")
        for label, sql, params in (
            ("vote compare", COMPARE_SQL, ("USA", "FRA")),
            ("vote show", SHOW_SQL, (vote_id,)),
        ):
            plan = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
            print(f"plan of {label}: " + "; ".join(row[-1] for row in plan))
        conn.close()
        commands = {
            "vote compare FRA USA (table)": ["vote", "compare", "FRA", "USA"],
            "vote compare FRA USA -f json": ["vote", "compare", "FRA", "USA", "-f", "json"],
            f"vote show {vote_id} --by-group": ["vote", "show", str(vote_id), "--by-group"],
            "states show FRA (start-up floor)": ["states", "show", "FRA"],
        }
        times: dict[str, list[float]] = {label: [] for label in commands}
        for argv in commands.values():  # warm-up
            run([cahtracker, "--db", str(db), *argv], env)
        for _ in range(args.runs):
            for label, argv in commands.items():
                start = time.perf_counter()
                run([cahtracker, "--db", str(db), *argv], env)
                times[label].append(time.perf_counter() - start)
    for label, values in times.items():
        print(f"{label}: median {statistics.median(values):.2f} s over {args.runs} runs")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
