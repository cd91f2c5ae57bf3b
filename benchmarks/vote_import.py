"""`vote import` of a bulk UN Digital Library CSV against `sqlite3 .import` of the same file.

Writes a synthetic file in the bulk CSV layout with generate_bulk.py (N resolutions x the
193 members, every column filled as in the real file, totals that agree), then times, in
alternating runs on the same file:
  - `cahtracker vote import FILE` into a copy of a freshly seeded database (all its checks),
  - `sqlite3 DB ".import --csv FILE t"` into a copy of the same database (the anchor: a bare
    table, no parsing of names, no checks),
and prints the medians, their ratio (target <= 1.0), and the import's peak memory (max RSS)
for N/4 and N resolutions (flat memory: the peak should not grow with the file).

    .venv/bin/python benchmarks/vote_import.py [--resolutions 1000] [--runs 5]

The sqlite3 shell comes from Debian's `sqlite3` package (`apt-get install sqlite3`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from generate_bulk import generate  # noqa: E402


def child_env() -> dict[str, str]:
    # bytecode is cached as in any normal install (some shells set PYTHONDONTWRITEBYTECODE)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    return env


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{command[0]} failed with exit code {process.returncode}")
    return wall, usage.ru_maxrss / 1024


def seeded_database(folder: Path, env: dict[str, str]) -> Path:
    """A freshly seeded database in `folder`, made by the cahtracker beside this Python."""
    seeded = folder / "seeded.db"
    subprocess.run(
        [str(BIN / "cahtracker"), "--db", str(seeded), "db", "init"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return seeded


def fresh_copy(seeded: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(seeded, target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolutions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sqlite3_shell = shutil.which("sqlite3")
    if not sqlite3_shell:
        raise SystemExit("No sqlite3 shell on PATH (Debian: apt-get install sqlite3).")
    env = child_env()
    cahtracker = str(BIN / "cahtracker")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        seeded = seeded_database(tmp, env)
        files = {}
        for n in sorted({max(1, args.resolutions // 4), args.resolutions}):
            files[n] = tmp / f"bulk{n}.csv"
            with open(files[n], "w", newline="", encoding="utf-8") as out:
                rows = generate(out, n)
            print(f"file: {n} resolutions, {rows} rows, {files[n].stat().st_size / 1e6:.1f} MB")
        big = files[args.resolutions]
        db = tmp / "import.db"

        def ours(path: Path) -> tuple[float, float]:
            fresh_copy(seeded, db)
            return run([cahtracker, "--db", str(db), "vote", "import", str(path)], env)

        def anchor() -> tuple[float, float]:
            fresh_copy(seeded, db)
            return run([sqlite3_shell, str(db), f".import --csv {big} t"], env)

        ours(big)  # warm-up: file cache, bytecode
        anchor()
        mine, theirs, peaks = [], [], []
        for _ in range(args.runs):
            wall, peak = ours(big)
            mine.append(wall)
            peaks.append(peak)
            theirs.append(anchor()[0])
        small_peaks = [ours(path)[1] for n, path in files.items() if path != big]
    load = os.getloadavg()
    m, t = statistics.median(mine), statistics.median(theirs)
    rows = args.resolutions * 193
    print(
        f"vote import {rows} rows: median {m:.2f} s over {args.runs} runs ({min(mine):.2f}-{max(mine):.2f})"
    )
    print(f"sqlite3 .import (anchor): median {t:.2f} s ({min(theirs):.2f}-{max(theirs):.2f})")
    print(f"ratio: {m / t:.2f} (target <= 1.0)")
    if small_peaks:
        print(f"peak memory: {small_peaks[0]:.1f} MiB for {rows // 4} rows, ", end="")
    print(f"{max(peaks):.1f} MiB for {rows} rows (limit 150 MiB)")
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
