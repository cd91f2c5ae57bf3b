"""Concurrency: eight real `python -m cahtracker` writers, 25 writes each, nothing lost."""

from __future__ import annotations

import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import run_process

pytestmark = pytest.mark.slow

WRITERS = 8
WRITES = 25


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return run_process(db, *args)


def writes_of(writer: int, members: list[str]) -> list[tuple[str, list[str]]]:
    """25 commands for one writer: timeline add / position set / sponsors add, all distinct."""
    commands = []
    for i in range(WRITES):
        k = writer * WRITES + i
        state = members[k % len(members)]
        kind = k % 3
        if kind == 0:
            args = ["timeline", "add", "2031-01-01", f"writer {writer} write {i}", "--source", "t"]
        elif kind == 1:
            args = [
                "position",
                "set",
                state,
                "--topic",
                "treaty",
                "--stance",
                "support",
            ]
            args += ["--date", "2024-05-01", "--source", f"writer {writer} write {i}"]
        else:
            args = ["sponsors", "add", state, "--date", "2024-05-01"]
            args += ["--source", f"writer {writer} write {i}"]
        commands.append(("tpa"[kind], args))
    return commands


def test_eight_writer_processes_all_succeed_and_every_write_is_kept(db_path):
    conn = sqlite3.connect(db_path)
    members = [
        r[0] for r in conn.execute("SELECT iso3 FROM states WHERE status = 'member' ORDER BY iso3")
    ]
    # states that sponsor nothing yet, so every `sponsors add` is a new sponsorship
    sponsoring = {r[0] for r in conn.execute("SELECT DISTINCT iso3 FROM sponsorship_events")}
    members = [m for m in members if m not in sponsoring]
    before = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("events", "positions", "sponsorship_events", "changes")
    }
    conn.close()
    assert len(members) >= WRITERS * WRITES // 3 + 1
    plan = [writes_of(w, members) for w in range(WRITERS)]

    def writer(commands):
        return [run_cli(db_path, *args) for _, args in commands]

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        results = [r for rs in pool.map(writer, plan) for r in rs]
    failures = [(r.args[4:], r.stderr.strip()) for r in results if r.returncode != 0]
    assert not failures, failures[:5]

    kinds = [kind for commands in plan for kind, _ in commands]
    conn = sqlite3.connect(db_path)
    after = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("events", "positions", "sponsorship_events", "changes")
    }
    assert after["events"] - before["events"] == kinds.count("t")
    assert after["positions"] - before["positions"] == kinds.count("p")
    assert after["sponsorship_events"] - before["sponsorship_events"] == kinds.count("a")
    assert after["changes"] - before["changes"] == WRITERS * WRITES
    # every write by its own text, once
    titles = {r[0] for r in conn.execute("SELECT title FROM events WHERE starts_on = '2031-01-01'")}
    sources = [
        r[0]
        for r in conn.execute(
            "SELECT source FROM positions WHERE source LIKE 'writer %' "
            "UNION ALL SELECT source FROM sponsorship_events WHERE source LIKE 'writer %'"
        )
    ]
    expected = {f"writer {w} write {i}" for w in range(WRITERS) for i in range(WRITES)}
    assert titles | set(sources) == expected
    assert len(titles) + len(sources) == WRITERS * WRITES
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
