"""The database layer under real processes: first use by several at once, busy waits."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from cahtracker.db import SCHEMA_VERSION, open_store, split_sql
from conftest import process_env, run_process

pytestmark = pytest.mark.slow


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return run_process(None, *args, timeout=120)


def test_eight_processes_creating_the_same_database_all_succeed_and_seed_once(tmp_path):
    db = tmp_path / "race.db"
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda _: run_cli("--db", str(db), "states", "list", "-f", "json"), range(8))
        )
    for result in results:
        assert result.returncode == 0, result.stderr
        assert len(json.loads(result.stdout)) == 195
    store = open_store(db)
    assert store.scalar("SELECT count(*) FROM states") == 195
    assert store.scalar("SELECT count(*) FROM topics") == 9  # seeded once: data/cah_topics.csv
    assert store.scalar("SELECT count(*) FROM _migrations") == SCHEMA_VERSION
    assert store.scalar("PRAGMA journal_mode") == "wal"
    store.close()


def test_a_failed_write_rolls_back_everything(db_path):
    store = open_store(db_path)
    before = store.scalar("SELECT count(*) FROM events")
    try:
        with store.write("test"):
            store.conn.execute("INSERT INTO events (title) VALUES ('half-written')")
            raise RuntimeError("crash in the middle of a command")
    except RuntimeError:
        pass
    assert store.scalar("SELECT count(*) FROM events") == before
    store.close()


def test_seed_statements_split_on_statement_ends_only():
    script = "-- comment\nINSERT INTO t VALUES ('a;b');\n\nINSERT INTO t VALUES ('line\none');\n"
    assert list(split_sql(script)) == [
        "INSERT INTO t VALUES ('a;b');\n",
        "INSERT INTO t VALUES ('line\none');\n",
    ]


def test_missing_folder_is_created_for_a_new_database(tmp_path):
    result = run_cli("--db", str(tmp_path / "new" / "sub" / "c.db"), "db", "init")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new" / "sub" / "c.db").exists()


def test_a_folder_as_database_path_is_refused(tmp_path):
    result = run_cli("--db", str(tmp_path), "states", "list")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error:") and "is a folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_main_builds_only_the_invoked_group():
    from cahtracker.cli import GROUPS, build_app, invoked_group

    assert invoked_group(["--db", "x.db", "sponsors", "list"]) == "sponsors"
    assert invoked_group(["states", "--help"]) == "states"
    assert invoked_group(["--help"]) is None
    assert invoked_group(["--db=x.db", "--wide", "states"]) == "states"
    assert invoked_group([]) == "report"  # bare `cahtracker`: the dashboard
    assert invoked_group(["sponsor", "list"]) is None  # a typo gets the full app's suggestion
    lean = build_app("states")
    assert [g.name for g in lean.registered_groups] == ["states"]
    assert [g.name for g in build_app().registered_groups] == list(GROUPS)


def test_typo_in_group_gets_a_suggestion_from_the_full_app(tmp_path):
    result = run_cli("--db", str(tmp_path / "t.db"), "sponsor", "list")
    assert result.returncode == 2
    assert "sponsors" in result.stderr and "Traceback" not in result.stderr


def test_db_backup_copies_everything_and_refuses_to_overwrite(cli, tmp_path):
    import sqlite3

    from conftest import assert_refused

    cli.ok("timeline", "add", "2030-01-01", "Backup test event", "--source", "test")
    target = tmp_path / "copy.db"
    assert "Backed up" in cli.ok("db", "backup", str(target)).stdout
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert (
        copy.execute("SELECT count(*) FROM events WHERE title = 'Backup test event'").fetchone()[0]
        == 1
    )
    assert copy.execute("SELECT count(*) FROM states").fetchone()[0] == 195
    copy.close()
    before = target.read_bytes()
    assert_refused(cli("db", "backup", str(target)), "already exists", "--force")
    assert target.read_bytes() == before
    assert_refused(cli("db", "backup", str(tmp_path / "missing" / "x.db")), "does not exist")
    assert not list(tmp_path.glob(".*partial*"))
    cli.ok("db", "backup", str(target), "--force")


def test_restored_backup_opens_as_a_database(cli, tmp_path):
    target = tmp_path / "restore.db"
    cli.ok("db", "backup", str(target))
    result = cli("db", "check", db=target)
    assert result.exit_code == 0 and "integrity: ok" in result.stdout


def test_working_spinner_only_on_a_terminal(capsys):
    """Off a terminal `working` prints nothing; on one it shows its text on stderr."""
    import os
    import pty

    from cahtracker.views.render import working

    ran = []
    with working("busy"):
        ran.append(True)
    assert ran == [True]
    assert capsys.readouterr() == ("", "")

    master, slave = pty.openpty()
    code = "import time; from cahtracker.views.render import working\nwith working('Ranking states'):\n    time.sleep(0.5)"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        stderr=slave,
        stdout=subprocess.DEVNULL,
        env=process_env(TERM="xterm") | {"NO_COLOR": ""},
        timeout=60,
    )
    os.close(slave)
    shown = b""
    try:
        while chunk := os.read(master, 65536):
            shown += chunk
    except OSError:
        pass
    os.close(master)
    assert proc.returncode == 0
    assert b"Ranking states" in shown
