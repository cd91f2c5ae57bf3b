"""Every decision a write depends on is taken inside its transaction (real processes).

Each test holds the write lock in a process of its own while 16 cahtracker processes start,
so that all 16 read the database while none can write; then it lets go and checks what
they left. Before this, each of these raced: several documents for one symbol, several
spellings of one body, raw `UNIQUE constraint failed` errors, a `docs use` log whose undo
restored values that were never the previous ones. The data are fictional.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import cahtracker_command, process_env, run_process, write_bulk_csv

pytestmark = pytest.mark.slow
PROCESSES = 16


class WriteLock:
    """Hold SQLite's write lock on `db` (BEGIN IMMEDIATE) until `release()`."""

    def __init__(self, db: Path) -> None:
        self.conn = sqlite3.connect(db, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()


def race(
    db: Path, commands: list[list[str]], meanwhile: str | None = None
) -> list[subprocess.CompletedProcess]:
    """Start every command while the write lock is held, then release it; their results.
    `meanwhile`: SQL the lock's holder runs after they started (another command's write)."""
    lock = WriteLock(db)
    processes = [
        subprocess.Popen(
            cahtracker_command(db, *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=process_env(),
        )
        for args in commands
    ]
    time.sleep(3)  # every process has started and waits for the lock (busy timeout: 60 s)
    still_waiting = sum(p.poll() is None for p in processes)
    if meanwhile is not None:
        lock.conn.execute(meanwhile)
    lock.release()
    results = []
    for process, args in zip(processes, commands, strict=True):
        out, err = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(args, process.returncode, out, err))
    assert still_waiting == len(processes), "a process finished while the lock was held"
    return results


def query(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def one_line_refusals(results) -> list[str]:
    """The refusals' messages, each checked to be one clean line."""
    lines = []
    for result in results:
        if result.returncode:
            assert result.returncode == 1, result.stderr
            assert "Traceback" not in result.stderr and "UNIQUE" not in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
            lines.append(result.stderr.strip())
    return lines


def test_docs_add_of_one_symbol_in_four_letter_cases_leaves_one_document(db_path):
    spellings = ["A/C.6/99/L.7", "a/c.6/99/l.7", "A/C.6/99/l.7", "a/C.6/99/L.7"]
    commands = [
        [
            *(
                "docs",
                "add",
                spellings[i % 4],
                "--title",
                f"draft {i}",
                "--kind",
                "draft",
            ),
            *("--body", "Sixth Committee", "--source", "fictional"),
        ]
        for i in range(PROCESSES)
    ]
    results = race(db_path, commands)
    assert sum(r.returncode == 0 for r in results) == 1
    refusals = one_line_refusals(results)
    assert len(refusals) == PROCESSES - 1
    assert all("already exists" in line for line in refusals)
    assert (
        len(query(db_path, "SELECT symbol FROM documents WHERE upper(symbol) = 'A/C.6/99/L.7'"))
        == 1
    )


def test_new_body_in_four_spellings_leaves_one_body(db_path):
    spellings = [
        "Working Group on X",
        "working group on x",
        "WORKING GROUP ON X",
        "Working  Group on x",
    ]
    commands = [
        [
            *("docs", "add", f"A/AC.1/99/L.{i}", "--title", "t", "--kind", "draft"),
            *("--body", spellings[i % 4], "--new-body", "--source", "fictional"),
        ]
        for i in range(PROCESSES)
    ]
    results = race(db_path, commands)
    assert [r.returncode for r in results] == [0] * PROCESSES, [r.stderr for r in results]
    bodies = query(db_path, "SELECT DISTINCT body FROM documents WHERE symbol LIKE 'A/AC.1/99/%'")
    assert len(bodies) == 1 and bodies[0][0].casefold().split() == "working group on x".split()
    assert query(db_path, "SELECT count(*) FROM documents WHERE symbol LIKE 'A/AC.1/99/%'") == [
        (PROCESSES,)
    ]


def test_sixteen_vote_records_creating_one_document_keep_sixteen_votes(db_path):
    commands = [
        [
            *("vote", "record", "--doc", "A/C.6/99/L.8", "--create-doc"),
            # nine dates for sixteen votes: separate votes on one day (--also)
            *("--date", f"2025-11-0{1 + i % 9}", "--body", "Sixth Committee", "--also"),
            *("--yes", "France", "--no", "Chile", "--source", f"run {i}"),
        ]
        for i in range(PROCESSES)
    ]
    results = race(db_path, commands)
    assert [r.returncode for r in results] == [0] * PROCESSES, [r.stderr for r in results]
    assert query(db_path, "SELECT count(*) FROM votes WHERE symbol = 'A/C.6/99/L.8'") == [
        (PROCESSES,)
    ]
    assert query(db_path, "SELECT kind FROM documents WHERE symbol = 'A/C.6/99/L.8'") == [
        ("draft resolution",)
    ]


def test_sixteen_records_of_one_decision_keep_one_vote(db_path):
    """The check for a second decision runs inside the write: one of them wins."""
    commands = [
        [
            *("vote", "record", "--doc", "A/C.6/79/L.21", "--date", "2025-11-03"),
            *("--body", "Sixth Committee", "--yes", "France", "--source", f"run {i}"),
        ]
        for i in range(PROCESSES)
    ]
    results = race(db_path, commands)
    assert sum(r.returncode == 0 for r in results) == 1
    refusals = one_line_refusals(results)
    assert len(refusals) == PROCESSES - 1
    assert all("already records a decision" in line for line in refusals)
    assert query(db_path, "SELECT count(*) FROM votes WHERE symbol = 'A/C.6/79/L.21'") == [(1,)]


def test_sixteen_topic_adds_of_one_slug_leave_one_topic_and_fifteen_say_it_exists(db_path):
    """Red-team finding 11: the losers printed the raw `UNIQUE constraint failed`."""
    commands = [
        ["position", "topic-add", "fictional-topic", "--title", f"Fictional topic {i}"]
        for i in range(PROCESSES)
    ]
    results = race(db_path, commands)
    assert sum(r.returncode == 0 for r in results) == 1, [r.stderr for r in results]
    refusals = one_line_refusals(results)
    assert len(refusals) == PROCESSES - 1
    assert all("Topic 'fictional-topic' already exists" in line for line in refusals)
    (winner,) = [i for i, r in enumerate(results) if r.returncode == 0]
    assert query(db_path, "SELECT title FROM topics WHERE slug = 'fictional-topic'") == [
        (f"Fictional topic {winner}",)
    ]
    assert query(
        db_path, "SELECT count(*) FROM changes WHERE table_name = 'topics' AND row_key = ?",
        ("fictional-topic",),
    ) == [(1,)]  # fmt: skip


def test_stances_on_a_topic_removed_while_they_waited_are_refused_by_name(db_path):
    """Each `position set` read the topic before it could write; it was gone by then."""
    assert run_process(
        db_path, "position", "topic-add", "fictional-topic", "--title", "Fictional topic"
    ).returncode == 0  # fmt: skip
    commands = [
        [
            *("position", "set", "Chile", "--topic", "fictional-topic", "--stance", "support"),
            *("--date", f"2025-01-{1 + i:02d}", "--source", f"fictional {i}"),
        ]
        for i in range(PROCESSES)
    ]
    results = race(db_path, commands, meanwhile="DELETE FROM topics WHERE slug = 'fictional-topic'")
    refusals = one_line_refusals(results)
    assert len(refusals) == PROCESSES
    assert all("Unknown topic 'fictional-topic'" in line for line in refusals), refusals
    assert query(db_path, "SELECT count(*) FROM positions WHERE topic = 'fictional-topic'") == [
        (0,)
    ]
    assert query(db_path, "PRAGMA foreign_key_check") == []


def test_sixteen_docs_use_leave_a_log_whose_undo_walks_back_in_order(db_path):
    symbols = [f"A/C.6/99/L.{20 + i}" for i in range(PROCESSES)]
    conn = sqlite3.connect(db_path)
    conn.executemany(
        "INSERT INTO documents (symbol, kind, title) VALUES (?, 'draft resolution', 'fictional')",
        [(s,) for s in symbols],
    )
    conn.commit()
    (original,) = conn.execute(
        "SELECT value FROM settings WHERE key = 'default_document'"
    ).fetchone()
    conn.close()
    results = race(db_path, [["docs", "use", s] for s in symbols])
    assert [r.returncode for r in results] == [0] * PROCESSES, [r.stderr for r in results]
    log = json.loads(run_process(db_path, "db", "log", "-n", "100", "-f", "json").stdout)
    uses = [r for r in reversed(log) if r["command"] == "docs use"]
    assert len(uses) == PROCESSES
    # each change's `before` is the value the previous one left
    values = [original] + [r["after"]["value"] for r in uses]
    assert [r["before"]["value"] for r in uses] == values[:-1]
    assert sorted(values[1:]) == sorted(symbols)
    for expected in reversed(values[:-1]):  # undo walks back through every value, in order
        assert run_process(db_path, "db", "undo").returncode == 0
        assert query(db_path, "SELECT value FROM settings WHERE key = 'default_document'") == [
            (expected,)
        ]


def test_a_writer_waits_for_a_long_undo_and_then_succeeds(db_path, tmp_path):
    bulk = write_bulk_csv(tmp_path / "bulk.csv", 1200)
    assert run_process(db_path, "vote", "import", str(bulk)).returncode == 0
    undo = subprocess.Popen(
        cahtracker_command(db_path, "db", "undo"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=process_env(),
    )
    # the undo holds the write lock from its start to its end: wait until it has taken it
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and undo.poll() is None:
        probe = sqlite3.connect(db_path, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError:
            break  # locked: the undo is writing
        finally:
            probe.close()
        time.sleep(0.01)
    assert undo.poll() is None, "the undo finished before a writer could wait for it"
    writer = run_process(
        db_path, "sponsors", "add", "Chile", "--date", "2024-11-20", "--source", "fictional"
    )
    out, err = undo.communicate(timeout=300)
    assert undo.returncode == 0, err
    assert "Undid batch" in out
    assert writer.returncode == 0, writer.stderr
    assert query(
        db_path,
        "SELECT count(*) FROM votes WHERE symbol LIKE 'A/RES/%/%' AND source LIKE 'UN Digital Library record%'",
    ) == [(0,)]
    assert query(db_path, "SELECT count(*) FROM sponsorship_events WHERE iso3 = 'CHL'") == [(1,)]


@pytest.mark.parametrize("kind", ["add", "claim"])
def test_sponsors_of_a_document_removed_while_they_waited_are_refused_by_name(db_path, kind):
    """Each `sponsors add`/`claim` read the document before it could write; it was gone by
    then (another command's write): refused by name, not a raw foreign-key error. Fictional."""
    assert run_process(
        db_path, "docs", "add", "A/FIC/L.1", "--title", "Fictional draft", "--kind", "draft",
        "--body", "Sixth Committee", "--source", "fictional",
    ).returncode == 0  # fmt: skip
    states = ["Chile", "Peru", "Fiji", "Ghana", "Nepal", "Oman", "Chad", "Mali"]
    if kind == "add":
        commands = [
            [
                "sponsors",
                "add",
                state,
                "-d",
                "A/FIC/L.1",
                "--date",
                "2025-01-02",
                "--source",
                "fictional",
            ]
            for state in states
        ]
    else:
        commands = [
            [
                "sponsors",
                "claim",
                str(10 + i),
                "-d",
                "A/FIC/L.1",
                "--date",
                "2025-01-02",
                "--source",
                f"fictional {i}",
            ]
            for i in range(len(states))
        ]
    results = race(db_path, commands, meanwhile="DELETE FROM documents WHERE symbol = 'A/FIC/L.1'")
    refusals = one_line_refusals(results)
    assert len(refusals) == len(commands)
    assert all("A/FIC/L.1" in line and "FOREIGN KEY" not in line for line in refusals), refusals
    assert query(db_path, "SELECT count(*) FROM sponsorship_events WHERE symbol = 'A/FIC/L.1'") == [
        (0,)
    ]
    assert query(db_path, "PRAGMA foreign_key_check") == []
