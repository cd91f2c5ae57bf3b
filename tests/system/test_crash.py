"""Crash safety: real `vote import` processes killed with SIGKILL leave all of it or none."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import cahtracker_command, process_env, write_bulk_csv

pytestmark = pytest.mark.slow

RESOLUTIONS = 300  # 57,900 rows, 12 MB: about a second to import here


@pytest.fixture(scope="module")
def bulk_csv(tmp_path_factory) -> Path:
    return write_bulk_csv(tmp_path_factory.mktemp("bulk") / "bulk voting.csv", RESOLUTIONS)


def start_import(db: Path, file: Path) -> subprocess.Popen:
    return subprocess.Popen(
        cahtracker_command(db, "vote", "import", str(file)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=process_env(),
    )


def wal_size(db: Path) -> int:
    try:
        return os.path.getsize(f"{db}-wal")
    except OSError:
        return -1


def kill_when(process: subprocess.Popen, db: Path, delay: float | None, wal_bytes: int | None):
    """SIGKILL after `delay` seconds, or as soon as the WAL holds `wal_bytes` (mid-commit)."""
    started = time.monotonic()
    while process.poll() is None:
        if delay is not None and time.monotonic() - started >= delay:
            break
        if wal_bytes is not None and wal_size(db) >= wal_bytes:
            break
        time.sleep(0.001)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    process.stderr.close()
    return process.returncode


def contents(db: Path) -> tuple[int, int, int, int]:
    conn = sqlite3.connect(db)  # opening recovers the WAL the killed process left
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        return tuple(
            conn.execute(sql).fetchone()[0]
            for sql in (
                "SELECT count(*) FROM votes WHERE undl_id LIKE 'undl:4%'",
                "SELECT count(*) FROM ballots WHERE vote_id IN "
                "(SELECT id FROM votes WHERE undl_id LIKE 'undl:4%')",
                "SELECT count(*) FROM documents WHERE symbol LIKE 'A/RES/%'",
                "SELECT count(*) FROM changes WHERE command = 'vote import'",
            )
        )
    finally:
        conn.close()


# (seconds after start, WAL bytes): while parsing and writing, at the start of the commit,
# in the middle of writing the WAL, near its end
KILL_POINTS = [(0.3, None), (0.6, None), (None, 1), (None, 200_000), (None, 1_500_000)]


def test_imports_killed_at_several_points_leave_all_or_nothing(db_path, tmp_path, bulk_csv):
    none = contents(db_path)
    seen = []
    killed = 0
    for n, (delay, wal_bytes) in enumerate(KILL_POINTS):
        db = tmp_path / f"crash-{n}.db"
        shutil.copy(db_path, db)
        code = kill_when(start_import(db, bulk_csv), db, delay, wal_bytes)
        killed += code == -signal.SIGKILL
        after = contents(db)
        if after == none:
            seen.append("none")
        else:
            votes, ballots, _, _ = after
            assert (votes, ballots) == (RESOLUTIONS, RESOLUTIONS * 193), after
            seen.append("all")
            assert code in (0, -signal.SIGKILL)
        # the database stays usable: the same import, run again to its end, keeps all of it
        rerun = start_import(db, bulk_csv)
        assert kill_when(rerun, db, None, None) == 0
        assert contents(db)[:2] == (RESOLUTIONS, RESOLUTIONS * 193)
    # the kills must land while imports run, or the test proves nothing
    assert killed and "none" in seen, seen


def test_undos_of_an_import_killed_at_several_points_leave_all_or_nothing(
    db_path, tmp_path, bulk_csv
):
    """The undo of a bulk import (by sets, db/bulk_undo.py) killed with SIGKILL: the import is
    then whole, or wholly undone; the file checks clean, and the undo runs again to its end."""
    before = contents(db_path)[:3]
    imported = tmp_path / "imported.db"
    shutil.copy(db_path, imported)
    assert kill_when(start_import(imported, bulk_csv), imported, None, None) == 0
    whole = contents(imported)[:3]  # also folds the WAL into the file, for the copies below
    assert whole[:2] == (RESOLUTIONS, RESOLUTIONS * 193)
    seen = []
    for n, (delay, wal_bytes) in enumerate([(0.12, None), (None, 1), (None, 300_000)]):
        db = tmp_path / f"undo-crash-{n}.db"
        shutil.copy(imported, db)
        undo = subprocess.Popen(
            cahtracker_command(db, "db", "undo"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=process_env(),
        )
        code = kill_when(undo, db, delay, wal_bytes)
        after = contents(db)[:3]
        assert after in (whole, before), after
        seen.append("none" if after == whole else "all")
        assert code in (0, -signal.SIGKILL)
        again = subprocess.run(
            cahtracker_command(db, "db", "undo"), capture_output=True, env=process_env()
        )
        assert again.returncode == (0 if after == whole else 1), again.stderr
        assert contents(db)[:3] == before
    assert "none" in seen, seen  # a kill landed while the undo ran
