"""Time `cahtracker analyze align STATE --sponsors` on a synthetic 950,000-ballot history.

Builds, in a temporary folder, a seeded database plus 4,922 fictional recorded votes in
which each of the 193 real member states casts a random (seeded) choice, 100 fictional
sponsors of the default document, then times the command through a subprocess (the
installed entry point's module, `python -m cahtracker`) against an anchor on the same
file: python's sqlite3 running `SELECT count(*) FROM ballots WHERE iso3 = ?`, also in a
fresh subprocess (interpreter start included, as for the command).

    python benchmarks/analysis_align.py [--runs 5] [--state FRA]

Nothing here is real data: the database is deleted at the end.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VOTES = 4922  # x 193 members = 949,946 ballots
CHOICES = ("yes", "yes", "yes", "yes", "no", "abstain", "abstain", "non-voting", "absent")


def build(path: Path, seed: int = 20261127) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from cahtracker.db import open_store

    open_store(path).close()
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    members = [r[0] for r in conn.execute("SELECT iso3 FROM states WHERE status = 'member'")]
    base = conn.execute("SELECT coalesce(max(id), 0) FROM votes").fetchone()[0] + 1
    symbols = []
    for n in range(VOTES):
        symbol = f"A/SYNTH/{n}"
        symbols.append((symbol, "draft resolution", "General Assembly", f"Synthetic vote {n}"))
    conn.executemany(
        "INSERT INTO documents (symbol, kind, body, title) VALUES (?, ?, ?, ?)", symbols
    )
    conn.executemany(
        "INSERT INTO votes (id, symbol, body, date, method, outcome) VALUES (?, ?, ?, ?, 'recorded', 'adopted')",
        [
            (base + n, f"A/SYNTH/{n}", "General Assembly", f"{1946 + n * 78 // VOTES}-12-01")
            for n in range(VOTES)
        ],
    )
    ballots = (
        (vote_id, iso3, rng.choice(CHOICES))
        for vote_id in range(base, base + VOTES)
        for iso3 in members
    )
    conn.executemany("INSERT INTO ballots (vote_id, iso3, choice) VALUES (?, ?, ?)", ballots)
    sponsors = rng.sample(members, 100)
    conn.executemany(
        "INSERT INTO sponsorship_events (symbol, iso3, action, role, date, source) "
        "VALUES ('A/C.6/79/L.2/Rev.1', ?, 'joined', 'co', '2024-11-20', 'synthetic')",
        [(iso3,) for iso3 in sponsors],
    )
    conn.execute("COMMIT")
    # no ANALYZE: a database filled by `vote import` has no planner statistics either
    count = conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
    conn.close()
    return count


def timed(argv: list[str], runs: int) -> tuple[float, str]:
    times = []
    out = ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - start)
        out = done.stdout
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--state", default="FRA")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cah-bench-"))
    try:
        path = folder / "bench.db"
        start = time.perf_counter()
        ballots = build(path)
        print(f"built {ballots:,} ballots in {time.perf_counter() - start:.1f} s")
        env_python = sys.executable
        command = [
            env_python,
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); sys.argv = sys.argv[1:]; "
            "sys.argv[0] = 'cahtracker'; from cahtracker.cli import main; main()",
            str(ROOT / "src"),
            "--db",
            str(path),
            "analyze",
            "align",
            args.state,
            "--sponsors",
            "-f",
            "json",
        ]
        anchor = [
            env_python,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "print(c.execute('SELECT count(*) FROM ballots WHERE iso3 = ?', (sys.argv[2],)).fetchone()[0])",
            str(path),
            args.state,
        ]
        timed(command, 1)  # warm the page cache
        seconds, out = timed(command, args.runs)
        floor = [*command[: command.index("analyze")], "states", "show", args.state, "-f", "json"]
        floor_seconds, _ = timed(floor, args.runs)
        anchor_seconds, anchor_out = timed(anchor, args.runs)
        print(out.strip())
        print(f"analyze align {args.state} --sponsors: {seconds:.3f} s (median of {args.runs})")
        print(f"start-up floor, cahtracker states show {args.state}: {floor_seconds:.3f} s")
        print(
            f"anchor, python sqlite3 count(*) of {args.state}'s ballots ({anchor_out.strip()}): "
            f"{anchor_seconds:.3f} s"
        )
        print(f"ratio: {seconds / anchor_seconds:.1f}x")
        base = command[: command.index("analyze") + 1]
        for extra in (["align", args.state], ["targets"], ["forecast"]):
            extra_seconds, _ = timed([*base, *extra, "-f", "json"], args.runs)
            print(f"for information, analyze {' '.join(extra)}: {extra_seconds:.3f} s")
        cli = shutil.which("sqlite3")
        if cli:
            sql = f"SELECT count(*) FROM ballots WHERE iso3 = '{args.state}';"
            cli_seconds, _ = timed([cli, str(path), sql], args.runs)
            print(f"anchor, sqlite3 CLI: {cli_seconds:.3f} s; ratio {seconds / cli_seconds:.1f}x")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
