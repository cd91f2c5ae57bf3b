"""The analyses on the whole unvotes history: each command under 2 s (issue 13).

Imports ../shared/fixtures/unvotes-full/ once into a fresh seeded database, then times each
command as a real process (median of --runs, after a warm-up), with `states show FRA` as the
start-up floor (the cost of any command before it does its work):

    analyze align, analyze align --sponsors, analyze targets, analyze forecast,
    vote compare, vote show --by-group, report export -f html

    .venv/bin/python benchmarks/unvotes_analyses.py [--runs 5] [--fixtures ../shared/fixtures]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from vote_import import child_env, run  # noqa: E402

DEFAULT_FIXTURES = HERE.parent.parent / "shared" / "fixtures"
TARGET = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    args = parser.parse_args()
    votes = args.fixtures / "unvotes-full" / "unvotes.csv"
    if not votes.is_file():
        raise SystemExit(f"No {votes}; give --fixtures, the folder of shared/fixtures.")
    env = child_env()
    cahtracker = str(BIN / "cahtracker")
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "history.db"
        subprocess.run(
            [cahtracker, "--db", str(db), "vote", "import", str(votes)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        report = Path(folder) / "report.html"
        commands = {
            "states show FRA (start-up floor)": ["states", "show", "FRA"],
            "analyze align France": ["analyze", "align", "France"],
            "analyze align France --sponsors": ["analyze", "align", "France", "--sponsors"],
            "analyze targets": ["analyze", "targets"],
            "analyze forecast": ["analyze", "forecast"],
            "vote compare France Germany": ["vote", "compare", "France", "Germany"],
            "vote show A/RES/71/187 --by-group": ["vote", "show", "A/RES/71/187", "--by-group"],
            "report export -f html": ["report", "export", "-f", "html", "-o", str(report)],
        }
        worst = 0.0
        for label, argv in commands.items():
            command = [cahtracker, "--db", str(db), *argv]
            if argv[0] == "report":
                command.append("--force")
            run(command, env)  # warm-up
            times = [run(command, env)[0] for _ in range(args.runs)]
            median = statistics.median(times)
            if not label.startswith("states"):
                worst = max(worst, median)
            print(f"{label:40} median {median:5.2f} s ({min(times):.2f}-{max(times):.2f})")
    print(f"slowest analysis: {worst:.2f} s (target < {TARGET:.1f} s)")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
