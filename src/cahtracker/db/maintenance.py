"""Database maintenance: the integrity check and the online backup (the change log is changes.py)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from cahtracker.db import SCHEMA_VERSION, Store
from cahtracker.errors import CahError


def check_database(store: Store) -> tuple[list[str], list[str]]:
    """(problems, summary lines): integrity_check, foreign_key_check, references, recorded
    votes that hold a record, migrations applied."""
    problems: list[str] = []
    summary: list[str] = []
    try:
        integrity = [r["integrity_check"] for r in store.query("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:  # damage SQLite meets before it can report it
        integrity = [str(error)]
    if integrity != ["ok"]:
        found = [line for r in integrity for line in r.splitlines() if not line.startswith("***")]
        problems.append(
            "integrity check failed: "
            + "; ".join(found[:3])
            + (f" and {len(found) - 3} more" if len(found) > 3 else "")
            + " (restore your latest `db backup` over the file)"
        )
        return problems, summary  # further checks would only read the damaged pages
    summary.append("integrity: ok")
    broken = store.query("PRAGMA foreign_key_check")
    if broken:
        tables = sorted({r["table"] for r in broken})
        problems.append(f"{len(broken)} rows break foreign keys (in {', '.join(tables)})")
    else:
        summary.append("foreign keys: ok")
    from cahtracker.db.changes import dangling_references

    dangling = dangling_references(store)
    if dangling:
        problems.append("; ".join(dangling))
    else:
        summary.append("references: ok")
    from cahtracker.votes import votes_without_record

    empty = votes_without_record(store)
    if empty:
        shown = ", ".join(map(str, empty[:10])) + (
            f" and {len(empty) - 10} more" if len(empty) > 10 else ""
        )
        problems.append(
            f"{len(empty)} recorded vote{'s' if len(empty) != 1 else ''} with neither ballots "
            f"nor official totals (vote{'s' if len(empty) != 1 else ''} {shown}): redo the "
            "undo that took the ballots (`cahtracker db log --table ballots`), record them "
            "again with `cahtracker vote record --replace`, or delete the vote "
            "(`cahtracker vote delete ID`)"
        )
    else:
        summary.append("votes: ok")
    ids = global_id_problems(store)
    if ids:
        problems += ids
    elif store.scalar("SELECT 1 FROM pragma_table_info('votes') WHERE name = 'gid'"):
        summary.append("global ids: ok")
    from cahtracker.db.migrations import migrations

    applied = {m.name for m in migrations.applied(store.db)}
    pending = [m.name for m in migrations._migrations if m.name not in applied]
    version = store.scalar("PRAGMA user_version")
    if pending or version != SCHEMA_VERSION:
        problems.append(
            f"migrations not applied: {', '.join(pending) or f'user_version {version}'}"
        )
    else:
        summary.append(f"migrations: {len(applied)} applied (schema {SCHEMA_VERSION})")
    return problems, summary


def global_id_problems(store: Store) -> list[str]:
    """A fact without a global id, or two facts of one table with one id (db/ids.py): what a
    merge could not tell apart. Empty in a database older than the ids."""
    from cahtracker.db.ids import FACT_TABLES, GID_GLOB

    if not store.scalar("SELECT 1 FROM pragma_table_info('votes') WHERE name = 'gid'"):
        return []
    found = []
    for table in FACT_TABLES:
        missing = store.scalar(f"SELECT count(*) FROM {table} WHERE gid IS NULL")
        if missing:
            found.append(f"{missing} rows of {table} have no global id (gid)")
        key = "symbol" if table == "documents" else "id"
        malformed = store.query(
            f"SELECT {key} AS id, gid FROM {table} WHERE gid NOT GLOB ? ORDER BY rowid LIMIT 3",
            (GID_GLOB,),
        )
        if malformed:
            shown = ", ".join(f"row {r['id']}: {r['gid']!r}" for r in malformed)
            found.append(f"global ids (gid) of {table} that are not UUID text ({shown})")
        twice = store.scalar(
            f"SELECT count(*) FROM (SELECT gid FROM {table} WHERE gid IS NOT NULL "
            "GROUP BY gid HAVING count(*) > 1)"
        )
        if twice:
            found.append(f"{twice} global ids (gid) name more than one row of {table}")
    return found


def not_a_backup(target: Path) -> str | None:
    """Why an existing `target` is not an earlier backup `db backup --force` may replace,
    or None if it is: a cahtracker database in rollback mode, never opened since (opening
    ours switches it to WAL), with no -wal or -shm beside it."""
    from cahtracker.db import SQLITE_MAGIC, is_cahtracker_database

    if target.is_dir():
        return "is a folder"
    with open(target, "rb") as handle:
        header = handle.read(100)
    if header[:16] != SQLITE_MAGIC or not is_cahtracker_database(target):
        return "is not a cahtracker database"
    if header[18:20] == b"\x02\x02" or any(
        Path(f"{target}{suffix}").exists() for suffix in ("-wal", "-shm")
    ):
        return "is a database in use (opened since it was written), not a backup"
    return None


def backup_database(
    store: Store, target: Path, overwrite: bool = False, without_log: bool = False
) -> dict[str, Any]:
    """Copy the open database to `target` with SQLite's online backup API.

    The copy is consistent even while other commands write (the API copies a snapshot and
    restarts if the source changes). It is written beside the target (outputs.staged, no
    journal beside it) and renamed into place, so a failed backup leaves no half-written
    file and a killed one is removed by the next. `target` may be replaced (`overwrite`)
    only if it is an earlier backup (`not_a_backup`). `without_log`: the copy has an empty
    change log, and VACUUM rewrites it so that no page still holds the log's text.
    """
    from cahtracker.outputs import clean_leftovers, permissions, put_in_place, refuse_unsafe, staged

    target = target.expanduser()
    if not target.parent.is_dir():
        raise CahError(f"Folder {target.parent} does not exist; create it or choose another path.")
    refuse_unsafe(target, store.path, "backup")
    try:
        clean_leftovers(target)
        if os.path.lexists(target):
            if not overwrite:
                raise CahError(
                    f"{target} already exists; choose a new file name or pass --force to "
                    "replace it (only an earlier backup is ever replaced)."
                )
            reason = not_a_backup(target)
            if reason:
                raise CahError(
                    f"{target} {reason}, so it is not replaced, even with --force; choose "
                    "another file name."
                )
        with staged(target) as partial:
            destination = sqlite3.connect(str(partial), isolation_level=None)
            try:
                # no rollback journal beside the staging file: it is thrown away if killed
                destination.execute("PRAGMA journal_mode = OFF")
                store.conn.backup(destination, pages=4096)
                destination.execute("PRAGMA journal_mode = OFF")  # the copy came in WAL
                if without_log:
                    destination.execute("DELETE FROM changes")
                    destination.execute("VACUUM")
                destination.execute("PRAGMA journal_mode = DELETE")
            finally:
                destination.close()
            os.chmod(partial, permissions(0o666))
            put_in_place(partial, target)
    except (OSError, sqlite3.Error) as error:
        # an OSError's text would name the staging file: the reason alone, and the target
        reason = (error.strerror if isinstance(error, OSError) else None) or error
        raise CahError(
            f"Could not write the backup to {target}: {reason}. Nothing was written."
        ) from None
    size = target.stat().st_size
    return {"path": str(target), "bytes": size, "without_log": without_log}
