"""The whole unvotes history through both readers, and the writing thread's failures.

The fast reader (pyarrow, the `fast` extra) with the writing thread, and the pure-Python
reference reader without it, must store the same history: every table compared row for
row, by each vote's key. The real files of ../shared/fixtures/unvotes-full/ are
read into temporary databases; the failing statements are provoked in fictional ways (a
size limit as a full disk would set, a statement made to fail), each said where it is.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cahtracker.db import MAX_PAGES_ENV
from conftest import FIXTURES, ROOT, file_digest

pytest.importorskip("pyarrow")
pytestmark = [pytest.mark.slow]

UNVOTES = FIXTURES / "unvotes-full" / "unvotes.csv"
# the reference reader alone: pyarrow made to look absent, in the child process only
REFERENCE = "import cahtracker.importers.arrow_block as a; a.block_reader = lambda: None\n"


def run(db: Path, *args: str, before: str = "", env=None) -> subprocess.CompletedProcess:
    code = before + (
        "import sys\nfrom cahtracker.cli import main\n"
        f"sys.argv = ['cahtracker', '--db', {str(db)!r}, *{list(args)!r}]\nmain()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


TABLES = {
    "ballots": "SELECT v.undl_id, b.iso3, b.choice, b.explanation FROM ballots b "
    "JOIN votes v ON v.id = b.vote_id",
    "votes": "SELECT undl_id, symbol, body, date, meeting, method, outcome, majority, "
    "total_yes, total_no, total_abstain, total_non_voting, total_members, source, note, "
    "question, origin FROM votes",
    "not recorded": "SELECT v.undl_id, n.reason, n.name, n.choice, n.ballots "
    "FROM ballots_not_recorded n JOIN votes v ON v.id = n.vote_id",
    "sources": "SELECT v.undl_id, s.key, s.source FROM vote_sources s JOIN votes v "
    "ON v.id = s.vote_id",
    "documents": "SELECT symbol, kind, body, session, title, source, origin FROM documents",
    "log": "SELECT c.table_name, coalesce(v.undl_id, c.row_key), c.with_owned, c.command, "
    "c.before IS NULL, json_remove(c.after, '$.gid', '$.id') FROM changes c "
    "LEFT JOIN votes v ON c.table_name = 'votes' AND v.id = c.row_key",
}


def contents(db: Path) -> dict[str, list]:
    conn = sqlite3.connect(db)
    try:
        return {
            name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in TABLES.items()
        }
    finally:
        conn.close()


def test_the_fast_and_the_reference_reader_store_the_same_history(tmp_path):
    fast, reference = tmp_path / "fast.db", tmp_path / "reference.db"
    a = run(fast, "vote", "import", str(UNVOTES), "-f", "json")
    b = run(reference, "vote", "import", str(UNVOTES), "-f", "json", before=REFERENCE)
    assert a.returncode == 0 and b.returncode == 0, (a.stderr[-800:], b.stderr[-800:])
    assert a.stdout == b.stdout  # the same summary, figure for figure
    left, right = contents(fast), contents(reference)
    assert len(left["ballots"]) > 900_000
    for name in TABLES:
        assert left[name] == right[name], name
    for db in (fast, reference):
        check = run(db, "db", "check")
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_real_history_is_read_by_the_fast_reader_alone(monkeypatch):
    from cahtracker.importers import unvotes_csv
    from cahtracker.importers.reading import ColumnBlock

    calls = []
    real = unvotes_csv._block
    monkeypatch.setattr(unvotes_csv, "_block", lambda *a: calls.append(a[1]) or real(*a))
    kinds = {
        type(block)
        for block in unvotes_csv.parse_unvotes(UNVOTES, UNVOTES.with_name("roll_calls.csv"), [])
    }
    assert kinds == {ColumnBlock} and calls == []


def test_a_full_disk_in_the_writing_thread_writes_nothing(tmp_path):
    """The test hook caps the file at its size plus 2,000 pages (8 MB), as a full disk
    would: the documents and votes of the first blocks fit, the ballots do not."""
    db = tmp_path / "full.db"
    assert run(db, "db", "check").returncode == 0  # a fresh database
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    before = file_digest(db)
    env = {**__import__("os").environ, MAX_PAGES_ENV: str(pages + 2000)}
    result = run(db, "vote", "import", str(UNVOTES), env=env)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "full; nothing was written" in lines[0], result.stderr[-800:]
    assert file_digest(db) == before


def test_a_statement_that_fails_in_the_writing_thread_is_raised_and_rolled_back(store, monkeypatch):
    """A fictional failure: the ballots' statement names a table that does not exist."""
    from cahtracker.importers import writer
    from cahtracker.names import NameIndex

    monkeypatch.setattr(writer, "_JSON_BALLOTS", "INSERT INTO no_such_table SELECT 1")
    before = store.conn.execute("SELECT count(*) FROM votes").fetchone()[0]
    threads = threading.active_count()
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        writer.import_votes(store, NameIndex.load(store), UNVOTES)
    assert not store.conn.in_transaction
    assert store.conn.execute("SELECT count(*) FROM votes").fetchone()[0] == before
    assert threading.active_count() == threads  # the writing thread has ended


@pytest.mark.parametrize("after", [0.5, 0.9, 1.2])
def test_ctrl_c_pressed_three_times_leaves_one_line_and_all_or_nothing(tmp_path, after):
    """Three SIGINTs 10 ms apart at a moment of the import (wherever it lands: reading,
    writing, the index, the commit): one line, exit 130, the file unchanged or the import
    whole. A second Ctrl-C once crashed the process (the writing thread ran on under the
    ROLLBACK) and a third printed a traceback."""
    import os
    import signal
    import time

    db = tmp_path / "ctrl-c.db"
    assert run(db, "db", "check").returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = file_digest(db)
    process = subprocess.Popen(
        [sys.executable, "-m", "cahtracker", "--db", str(db), "vote", "import", str(UNVOTES)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(after)
    for _ in range(3):
        if process.poll() is None:
            os.kill(process.pid, signal.SIGINT)
        time.sleep(0.01)
    _, err = process.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.strip()]
    assert process.returncode in (0, 130), err[-2000:]
    assert len(lines) <= 1, err[-2000:]
    conn = sqlite3.connect(db)
    ballots = conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
    conn.close()
    assert file_digest(db) == before or ballots > 900_000
    check = run(db, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
