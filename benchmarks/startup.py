"""Start-up: `cahtracker sponsors list` against `sqlite-utils rows DB states --table`.

Both read the same freshly seeded database and write to a pipe (/dev/null); runs
alternate, after one warm-up run of each, and the script prints the median wall time of
each and their ratio (target: <= 1.0, aim 0.7). Run it with the
project's virtual environment, whose bin/ holds both commands:

    .venv/bin/python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--command", default="sponsors list", help="the cahtracker command to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        # bytecode is cached as after any normal install (some shells set PYTHONDONTWRITEBYTECODE;
        # without a cache an editable install recompiles cahtracker's modules on every run)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["NO_COLOR"] = "1"
        ours = [str(BIN / "cahtracker"), "--db", db, *args.command.split()]
        anchor = [str(BIN / "sqlite-utils"), "rows", db, "states", "--table"]
        subprocess.run(ours, check=True, stdout=subprocess.DEVNULL, env=env)  # creates and seeds
        for cmd in (ours, anchor):  # warm the file cache
            timed(cmd, env)
        mine, theirs = [], []
        for _ in range(args.runs):
            mine.append(timed(ours, env))
            theirs.append(timed(anchor, env))
    m, t = statistics.median(mine), statistics.median(theirs)
    print(f"cahtracker {args.command}: median {m * 1000:.0f} ms over {args.runs} runs")
    print(f"sqlite-utils rows states --table (anchor): median {t * 1000:.0f} ms")
    print(f"ratio: {m / t:.2f} (target <= 1.0, aim 0.7)")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
