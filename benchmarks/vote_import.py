"""`vote import` of a bulk UN Digital Library CSV against `sqlite3 .import` of the same file.

Writes a synthetic file in the bulk CSV layout (N resolutions x the 193 members, random
Y/N/A/X ballots, totals as decimals), then times, on the same run:
  - `cahtracker vote import` into a freshly seeded database,
  - `sqlite3 DB ".import --csv FILE t"` (the anchor: a plain table, no parsing of names),
and prints the ratio, plus the peak memory of the import for N and N/4 resolutions
(flat memory: the peak should not grow with the file).

Run: python benchmarks/vote_import.py [N]   (default 1000 resolutions = 193,000 rows)
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = (
    "undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,committee_report,meeting,"
    "title,agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,"
    "total_non_voting,total_ms,undl_link"
).split(",")


def write_bulk(path: Path, resolutions: int) -> None:
    with open(ROOT / "data" / "un_member_states.csv", encoding="utf-8") as handle:
        members = [r for r in csv.DictReader(handle) if r["status"] == "member"]
    rng = random.Random(1)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(resolutions):
            votes = [rng.choice("YYYYNAX") for _ in members]
            totals = [votes.count(c) for c in "YNAX"] + [len(members)]
            for member, vote in zip(members, votes, strict=True):
                writer.writerow(
                    [
                        f"b{n}",
                        member["iso3"],
                        member["un_vote_name"],
                        vote,
                        "2020-01-02",
                        "75",
                        f"A/RES/75/{n + 1}",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        *(f"{t}.0" for t in totals),
                        "",
                    ]
                )


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    resolutions = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cli = [sys.executable, "-m", "cahtracker"]
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        seeded = tmp / "seeded.db"
        subprocess.run(
            [*cli, "--db", str(seeded), "db", "init"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        results = {}
        for n in (max(1, resolutions // 4), resolutions):
            bulk = tmp / f"bulk{n}.csv"
            write_bulk(bulk, n)
            db = tmp / f"import{n}.db"
            shutil.copy(seeded, db)
            # a wrapper process reports the import's peak memory (RUSAGE_CHILDREN is per process)
            start = time.perf_counter()
            out = subprocess.run(
                [
                    "/usr/bin/env",
                    "python3",
                    "-c",
                    "import resource,subprocess,sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL);"
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
                    *cli,
                    "--db",
                    str(db),
                    "vote",
                    "import",
                    str(bulk),
                ],
                check=True,
                env=env,
                capture_output=True,
                text=True,
            )
            wall = time.perf_counter() - start
            results[n] = (wall, int(out.stdout.strip()), n * 193)
        for wall, peak, rows in results.values():
            print(f"vote import  {rows:>7} rows: {wall:6.2f} s, peak {peak / 1024:6.1f} MB")
        big = resolutions
        if shutil.which("sqlite3"):
            anchor_db = tmp / "anchor.db"
            shutil.copy(seeded, anchor_db)
            wall = timed(["sqlite3", str(anchor_db), f".import --csv {tmp / f'bulk{big}.csv'} t"])
            print(f"sqlite3 .import {big * 193:>5} rows: {wall:6.2f} s")
            print(f"ratio vote import / sqlite3 .import: {results[big][0] / wall:.2f}")


if __name__ == "__main__":
    main()
