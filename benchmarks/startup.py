"""Start-up: `cahtracker sponsors list` against `sqlite-utils rows DB states --table`.

Both read the same freshly seeded database and write to a pipe (/dev/null); runs
alternate, after one warm-up run of each, and the script prints the median wall time of
each and their ratio (target: <= 1.0, aim 0.7). Run it with the
project's virtual environment, whose bin/ holds both commands:

    .venv/bin/python benchmarks/startup.py [--runs 15] [--tty]

`--tty` runs both commands on a pseudo-terminal instead, as a person typing them sees
them: there cahtracker draws its table with Rich (to a pipe it writes the same characters
through its plain renderer), so this is the slower of the two paths.
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


def timed(cmd: list[str], env: dict[str, str], tty: bool = False) -> float:
    if not tty:
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
        return time.perf_counter() - start
    import pty
    import threading

    master, slave = pty.openpty()
    drain = threading.Thread(target=_drain, args=(master,), daemon=True)
    drain.start()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=slave, env={**env, "COLUMNS": "200"})
    elapsed = time.perf_counter() - start
    os.close(slave)
    drain.join(timeout=5)
    os.close(master)
    return elapsed


def _drain(fd: int) -> None:
    """Read the pseudo-terminal so that a long table never blocks on a full buffer."""
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--command", default="sponsors list", help="the cahtracker command to time")
    parser.add_argument("--tty", action="store_true", help="write to a pseudo-terminal, not a pipe")
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
            timed(cmd, env, args.tty)
        mine, theirs = [], []
        for _ in range(args.runs):
            mine.append(timed(ours, env, args.tty))
            theirs.append(timed(anchor, env, args.tty))
    m, t = statistics.median(mine), statistics.median(theirs)
    print(f"output to {'a pseudo-terminal' if args.tty else 'a pipe (/dev/null)'}")
    print(f"cahtracker {args.command}: median {m * 1000:.0f} ms over {args.runs} runs")
    print(f"sqlite-utils rows states --table (anchor): median {t * 1000:.0f} ms")
    print(f"ratio: {m / t:.2f} (target <= 1.0, aim 0.7)")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
