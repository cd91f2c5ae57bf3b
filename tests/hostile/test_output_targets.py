"""Red team 9 and 10: `db backup -`, and targets whose names are 229 to 255 bytes long.

Every database is a seeded copy under tmp_path; the exports and backups go there too.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3

import pytest

from conftest import assert_refused


def test_a_backup_to_dash_is_refused_and_writes_no_file(
    cli, db_path, tmp_path, monkeypatch, unchanged
):
    monkeypatch.chdir(tmp_path)
    with unchanged():
        result = cli("db", "backup", "-")
    assert_refused(result, "A backup is a database file", "give a path")
    assert len(result.output.strip().splitlines()) == 1
    assert not os.path.lexists(tmp_path / "-")


@pytest.mark.parametrize("length", [229, 240, 255])
def test_a_backup_to_a_name_of_up_to_255_bytes_is_written(cli, tmp_path, length):
    target = tmp_path / ("b" * (length - 3) + ".db")
    cli.ok("db", "backup", str(target))
    conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM states").fetchone()[0] > 190
    finally:
        conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["cah.db", target.name])


@pytest.mark.parametrize("length", [229, 255])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_to_a_name_of_up_to_255_bytes_is_written_and_replaced(cli, tmp_path, fmt, length):
    out = tmp_path / "out"
    out.mkdir()
    target = out / ("r" * (length - 5) + f".{fmt}")
    for force in ((), ("--force",)):
        cli.ok("report", "export", "-f", fmt, "-o", str(target), *force)
    if fmt == "json":
        assert "schema_version" in json.loads(target.read_text("utf-8"))
    else:
        assert any(p.suffix == ".csv" for p in target.iterdir())
    assert [p.name for p in out.iterdir()] == [target.name]  # nothing staged is left


def test_a_backup_oserror_is_one_line_naming_the_target_not_the_staging_file(
    cli, tmp_path, monkeypatch
):
    """The rename into place fails (as on a full or read-only folder, which root cannot
    reproduce): the line names the user's file and the reason, no errno, no staging name."""
    import cahtracker.outputs

    def failing_replace(source, destination):
        raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(source))

    monkeypatch.setattr(cahtracker.outputs.os, "replace", failing_replace)
    target = tmp_path / "copy.db"
    result = cli("db", "backup", str(target))
    assert_refused(result, str(target), "Permission denied", "Nothing was written")
    assert "Errno" not in result.output and ".cahtracker-" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["cah.db"]  # the staged copy was removed
