"""outputs.py: what an export or a backup refuses to write, staging and leftovers (issue 15).

Every path is under tmp_path; the "database" is an empty file standing in for one.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys

import pytest

from cahtracker.errors import CahError
from cahtracker.outputs import clean_leftovers, put_in_place, refuse_unsafe, staged


@pytest.fixture
def database(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "cah.db"
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_the_database_and_its_files_are_refused(database, suffix):
    with pytest.raises(CahError, match="is the database"):
        refuse_unsafe(database.with_name(database.name + suffix), database, "export")


def test_a_folder_holding_the_database_is_refused_at_any_height(database, tmp_path):
    for folder in (database.parent, tmp_path):
        with pytest.raises(CahError, match="holds the database"):
            refuse_unsafe(folder, database, "export")


def test_the_working_directory_and_its_parents_are_refused(database, tmp_path, monkeypatch):
    work = tmp_path / "work" / "tree"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    for target in (work, work.parent):
        with pytest.raises(CahError, match="working directory"):
            refuse_unsafe(target, database, "export")
    refuse_unsafe(work / "new-folder", database, "export")  # below it: allowed


def test_a_link_a_pipe_and_a_device_are_refused(database, tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "real.json")
    with pytest.raises(CahError, match=r"symbolic link.*-o -"):
        refuse_unsafe(link, database, "export")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(CahError, match="not a regular file or folder"):
        refuse_unsafe(fifo, database, "backup")
    with pytest.raises(CahError, match="not a regular file or folder"):
        refuse_unsafe(__import__("pathlib").Path("/dev/null"), database, "backup")


def test_a_new_file_beside_the_database_is_allowed(database):
    refuse_unsafe(database.with_name("report.json"), database, "export")


def test_a_staged_file_is_removed_on_error_and_put_in_place_on_success(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError), staged(target) as staging:
        staging.write_text("half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
    with staged(target) as staging:
        staging.write_text("whole")
        put_in_place(staging, target)
    assert target.read_text() == "whole" and list(tmp_path.iterdir()) == [target]


def test_a_staged_folder_replaces_a_folder_and_nothing_is_left(tmp_path):
    target = tmp_path / "tables"
    target.mkdir()
    (target / "old.csv").write_text("old")
    with staged(target, folder=True) as staging:
        (staging / "new.csv").write_text("new")
        put_in_place(staging, target)
    assert [p.name for p in target.iterdir()] == ["new.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["tables"]


def test_leftovers_of_a_dead_writer_are_removed_and_a_live_writers_kept(tmp_path):
    target = tmp_path / "out.json"
    dead = tmp_path / ".out.json.cahtracker-dead0000.part"
    dead.write_text("left by a killed export")
    with staged(target) as live:  # held by this process: another run must keep it
        assert clean_leftovers(target) == [dead.name]
        assert live.exists() and not dead.exists()


def test_a_live_writer_in_another_process_is_not_disturbed(tmp_path):
    """The lock is what tells a live writer from a dead one, across processes."""
    target = tmp_path / "out.json"
    part = tmp_path / ".out.json.cahtracker-live0000.part"
    part.write_text("being written")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
            str(part),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert clean_leftovers(target) == []
        assert part.exists()
    finally:
        holder.kill()
        holder.wait()
    assert clean_leftovers(target) == [part.name]


def test_a_folder_moved_aside_by_a_killed_replace_is_put_back(tmp_path):
    """Killed between its two renames: the old export is moved aside, the new one not in
    place yet; the next run puts the old one back before deciding anything."""
    target = tmp_path / "tables"
    old = tmp_path / ".tables.cahtracker-abcd1234.old"
    old.mkdir()
    (old / "states.csv").write_text("the earlier export")
    part = tmp_path / ".tables.cahtracker-abcd1234.part"
    part.mkdir()
    (part / "states.csv").write_text("half of the new one")
    removed = clean_leftovers(target)
    assert removed == [part.name]
    assert (target / "states.csv").read_text() == "the earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables"]


def test_a_folder_moved_aside_after_the_new_one_took_its_place_is_removed(tmp_path):
    target = tmp_path / "tables"
    target.mkdir()
    old = tmp_path / ".tables.cahtracker-abcd1234.old"
    old.mkdir()
    (old / "states.csv").write_text("the earlier export")
    assert clean_leftovers(target) == [old.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables"]


def test_sqlite_sidecars_of_a_staged_backup_are_removed(tmp_path):
    target = tmp_path / "cah.db"
    journal = tmp_path / ".cah.db.cahtracker-abcd1234.part-journal"
    journal.write_bytes(b"journal")
    assert clean_leftovers(target) == [journal.name]
    assert list(tmp_path.iterdir()) == []


def test_a_staged_file_is_locked_while_it_is_written(tmp_path):
    with staged(tmp_path / "out.json") as staging:
        fd = os.open(staging, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)


# ---- long target names (red team 10): staging names stay within NAME_MAX (255 bytes) ----

LONG_NAMES = [
    "n" * 221 + ".db",  # 224 bytes: the first lengths that could not be staged before
    "n" * 251 + ".db",  # 254 bytes
    "é" * 125 + ".db",  # 253 bytes in 128 characters (the limit is in bytes)
]


@pytest.mark.parametrize("name", LONG_NAMES, ids=lambda n: f"{len(os.fsencode(n))}-bytes")
def test_a_target_name_up_to_255_bytes_can_be_staged(tmp_path, name):
    target = tmp_path / name
    with staged(target) as staging:
        assert len(os.fsencode(staging.name + "-journal")) <= 255  # SQLite's sidecar too
        staging.write_text("whole")
        put_in_place(staging, target)
    assert target.read_text() == "whole" and list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("name", LONG_NAMES, ids=lambda n: f"{len(os.fsencode(n))}-bytes")
def test_leftovers_of_a_long_name_are_cleaned_and_a_neighbours_kept(tmp_path, name):
    """A shortened name ends in a hash of the whole name: a killed run's file is found
    again, and a target whose name starts the same is another one's, not touched."""
    target, neighbour = tmp_path / name, tmp_path / (name[:-3] + ".xx")
    with staged(target) as staging:
        left = staging.name
    with staged(neighbour) as theirs:
        (tmp_path / left).write_text("left by a killed backup")  # nobody holds it now
        (tmp_path / f"{left}-journal").write_text("its journal")
        assert clean_leftovers(neighbour) == []
        assert sorted(clean_leftovers(target)) == sorted([left, f"{left}-journal"])
        assert sorted(p.name for p in tmp_path.iterdir()) == [theirs.name]


def test_a_short_name_keeps_the_staging_name_earlier_versions_left(tmp_path):
    """Leftovers of an earlier version (`.NAME.cahtracker-XXXXXXXX.part`) are still cleaned."""
    name = "n" * 200 + ".db"
    left = tmp_path / f".{name}.cahtracker-0123abcd.part"
    left.write_text("left by an earlier version")
    assert clean_leftovers(tmp_path / name) == [left.name]
