"""Red-team findings on the fast unvotes import (issue 13), fixed; each test failed before.

1. The two readers credit a document to different roll calls when a quoted "NA" row
   (Namibia) of one roll call comes first in a block before a row of another roll call of
   the same resolution: the reference reader lists a block's quoted lines last, the fast
   reader keeps the file's order. The file is fictional (two rows), built on the real
   roll calls 5718 and 6053 of ../shared/fixtures/unvotes-full/roll_calls.csv (both
   A/RES/57/232, 2002-12-18).
2. `_Background.close()` can return (by an exception: a second Ctrl-C during its join)
   while the writing thread still runs a statement; the caller then rolls back and closes
   the connection under it (seen as a segmentation fault, exit 139, on a shuffled copy of
   the whole history with Ctrl-C pressed three times 10 ms apart). Here the statement is a
   fictional long query on an in-memory database, and the interrupt an alarm.
"""

from __future__ import annotations

import signal
import sqlite3
import threading

import pytest

from cahtracker.importers import arrow_block
from conftest import FIXTURES

pytest.importorskip("pyarrow")

ROLL_CALLS = FIXTURES / "unvotes-full" / "roll_calls.csv"


def _sources(cli, db, path, monkeypatch, fast: bool) -> dict:
    if not fast:
        monkeypatch.setattr(arrow_block, "block_reader", lambda: None)
    result = cli("vote", "import", str(path), "--roll-calls", str(ROLL_CALLS), db=db)
    assert result.exit_code == 0, result.output
    monkeypatch.undo()
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT symbol, source FROM documents WHERE symbol LIKE 'R/57/%'"))
    finally:
        conn.close()


def test_both_readers_credit_a_document_to_the_same_roll_call(cli, db_path, tmp_path, monkeypatch):
    if not ROLL_CALLS.exists():
        pytest.skip("no ../shared/fixtures")
    path = tmp_path / "unvotes.csv"
    path.write_text(
        'rcid,country,country_code,vote\n6053,Namibia,"NA",abstain\n5718,Nauru,NR,yes\n'
    )
    other = tmp_path / "other.db"
    other.write_bytes(db_path.read_bytes())
    fast = _sources(cli, db_path, path, monkeypatch, fast=True)
    reference = _sources(cli, other, path, monkeypatch, fast=False)
    assert fast == reference


def test_an_interrupted_close_leaves_no_statement_running():
    from cahtracker.importers.writer import _Background

    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        pytest.skip("signals need the main thread")
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    long_query = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000000) "
        "SELECT count(*) FROM n"
    )
    background = _Background(conn)
    started, finished = threading.Event(), threading.Event()

    def job() -> None:
        started.set()
        try:
            conn.execute(long_query).fetchone()
        finally:
            finished.set()

    background.submit([job])
    assert started.wait(10)  # the statement is under way in the writing thread

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        try:
            background.close()  # the second Ctrl-C arrives while it waits
        except KeyboardInterrupt:
            pass  # raised or not: what matters is the thread, once close() is left
        running = not finished.is_set()  # (is_alive() is unreliable after an interrupted join)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        finished.wait(60)  # never close the connection under the statement
        conn.close()
    assert not running, "close() gave the connection back while a statement still ran on it"
