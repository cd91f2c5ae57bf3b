"""Damaged databases: not SQLite, a newer schema, read-only, a full disk, damaged pages.

Each is a clear one-line refusal with no traceback and the file left as it was; `db check`
finds damage and `db backup` is the way back.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cahtracker.db import MAX_PAGES_ENV
from conftest import assert_refused, cahtracker_command, file_digest, process_env, write_bulk_csv

WRITES = [
    ("timeline", "add", "2030-01-01", "An event", "--source", "test"),
    (
        "position",
        "set",
        "France",
        "--topic",
        "treaty",
        "--stance",
        "support",
        "--source",
        "t",
        "--date",
        "today",
    ),
    ("sponsors", "add", "Chile", "--date", "2024-01-01", "--source", "test"),
]
READS = [("states", "list", "-f", "json"), ("db", "check")]


def one_line(result) -> str:
    assert_refused(result)
    text = result.output.strip()
    assert text.startswith("Error: ") and "\n" not in text, text
    return text


@pytest.mark.parametrize(
    "content",
    [b"name,iso3\nFrance,FRA\n", b"SQLite format 3\x00" + b"\xff" * 5000, b"\x00" * 8192],
    ids=["text", "sqlite-header-then-garbage", "zeros"],
)
def test_a_file_that_is_not_a_database_is_refused_and_left_alone(cli, tmp_path, content):
    (tmp_path / "other").mkdir()
    path = tmp_path / "other" / "notes.db"
    path.write_bytes(content)
    for args in WRITES + READS:
        text = one_line(cli(*args, db=path))
        assert "not a SQLite database" in text or "damaged" in text or "Cannot open" in text
        assert path.read_bytes() == content
    assert [p.name for p in path.parent.iterdir()] == ["notes.db"]  # no -wal, no -shm


def test_a_database_from_a_newer_release_is_refused_untouched(cli, db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = file_digest(db_path)
    for args in WRITES + READS:
        text = one_line(cli(*args))
        assert "newer cahtracker (schema 99" in text and "upgrade cahtracker" in text
    assert file_digest(db_path) == before


# Tests run as root, and root writes through chmod: a process that drops the capabilities
# that let root ignore file permissions (util-linux setpriv) is refused as any user would be.
DROP_ROOT_OVERRIDES = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def run_without_overrides(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*DROP_ROOT_OVERRIDES, *cahtracker_command(db, *args)],
        capture_output=True,
        text=True,
        env=process_env(),
        timeout=120,
    )


def assert_permissions_hold(path: Path) -> None:
    """The precondition: without the overrides, the process really cannot write `path`."""
    probe = subprocess.run(
        [*DROP_ROOT_OVERRIDES, sys.executable, "-c", f"open({str(path)!r}, 'ab')"],
        capture_output=True,
        text=True,
    )
    assert probe.returncode != 0 and "PermissionError" in probe.stderr, probe


@pytest.mark.slow
def test_a_read_only_database_file_refuses_writes_and_still_reads(db_path):
    file_digest(db_path)  # fold the WAL in: the file alone holds everything
    db_path.chmod(0o444)
    before = db_path.read_bytes()
    try:
        assert_permissions_hold(db_path)
        for args in WRITES:
            result = run_without_overrides(db_path, *args)
            assert result.returncode == 1, result
            assert result.stderr.strip() == (
                "Error: The database is read-only; use a writable file (--db) or fix its "
                "permissions."
            )
        result = run_without_overrides(db_path, "states", "list", "-f", "json")
        assert result.returncode == 0 and '"iso3": "FRA"' in result.stdout
        assert db_path.read_bytes() == before
    finally:
        db_path.chmod(0o644)


@pytest.mark.slow
def test_a_read_only_folder_is_refused_clearly(db_path, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    db = folder / "c.db"
    file_digest(db_path)
    shutil.copy(db_path, db)
    folder.chmod(0o555)
    try:
        assert_permissions_hold(folder / "new-file")
        for args in WRITES[:1] + READS[:1]:
            result = run_without_overrides(db, *args)
            assert result.returncode == 1 and "Traceback" not in result.stderr
            assert "read-only" in result.stderr and "c.db-wal" in result.stderr, result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
        result = run_without_overrides(folder / "new.db", "db", "init")
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["c.db"]
        assert db.read_bytes() == db_path.read_bytes()
    finally:
        folder.chmod(0o755)


@pytest.fixture(scope="module")
def bulk_csv(tmp_path_factory) -> Path:
    return write_bulk_csv(tmp_path_factory.mktemp("bulk") / "bulk.csv", 20)


@pytest.mark.slow
def test_a_full_disk_during_an_import_writes_nothing(cli, db_path, bulk_csv, monkeypatch):
    """The test hook caps the file at its current size, as a full disk would."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    before = file_digest(db_path)
    monkeypatch.setenv(MAX_PAGES_ENV, str(pages))
    text = one_line(cli("vote", "import", str(bulk_csv)))
    assert "full; nothing was written" in text
    monkeypatch.delenv(MAX_PAGES_ENV)
    assert file_digest(db_path) == before
    assert "integrity: ok" in cli.ok("db", "check").stdout
    assert "Imported 20 votes" in cli.ok("vote", "import", str(bulk_csv)).stdout


def damage(path: Path, table: str) -> None:
    """Overwrite the header of the root page of `table` with nonsense."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(b"\x0d\x00\x00\xff\xff" + b"\xee" * 64)


@pytest.mark.parametrize("table", ["state_aliases", "states", "ballots"])
def test_db_check_reports_a_damaged_page_and_a_backup_restores(cli, db_path, tmp_path, table):
    cli.ok("timeline", "add", "2030-01-01", "Kept by the backup", "--source", "test")
    backup = tmp_path / "backup.db"
    cli.ok("db", "backup", str(backup))
    damaged = tmp_path / "damaged.db"
    shutil.copy(backup, damaged)
    damage(damaged, table)
    text = one_line(cli("db", "check", db=damaged))
    assert text.startswith("Error: integrity check failed: ")
    assert "restore your latest `db backup`" in text
    # restore: copy the backup over the damaged file
    shutil.copy(backup, damaged)
    result = cli("db", "check", db=damaged)
    assert result.exit_code == 0 and "integrity: ok" in result.stdout
    events = cli("timeline", "list", "-f", "json", db=damaged).stdout
    assert "Kept by the backup" in events


def test_a_write_to_a_damaged_database_is_refused_in_one_line(cli, db_path):
    damage(db_path, "events")
    for args in WRITES[:1]:
        text = one_line(cli(*args))
        assert "damaged" in text and "db check" in text
