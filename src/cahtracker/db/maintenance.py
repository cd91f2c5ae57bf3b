"""Database maintenance: the integrity check and the online backup (the change log is changes.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from cahtracker.db import SCHEMA_VERSION, Store
from cahtracker.errors import CahError


def check_database(store: Store) -> tuple[list[str], list[str]]:
    """(problems, summary lines): integrity_check, foreign_key_check, migrations applied."""
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


def backup_database(store: Store, target: Path, overwrite: bool = False) -> dict[str, Any]:
    """Copy the open database to `target` with SQLite's online backup API.

    The copy is consistent even while other commands write (the API copies a snapshot and
    restarts if the source changes). It is written beside the target and renamed into
    place, so a failed backup leaves no half-written file.
    """
    import os

    target = target.expanduser()
    if target.exists() and not overwrite:
        raise CahError(
            f"{target} already exists; choose a new file name or pass --force to replace it."
        )
    if target.resolve() == store.path.resolve():
        raise CahError("The backup file must not be the database itself; choose another path.")
    if not target.parent.is_dir():
        raise CahError(f"Folder {target.parent} does not exist; create it or choose another path.")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        destination = sqlite3.connect(str(partial))
        try:
            store.conn.backup(destination, pages=4096)
            destination.execute("PRAGMA journal_mode = DELETE")
        finally:
            destination.close()
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as error:
        partial.unlink(missing_ok=True)
        raise CahError(f"Could not write the backup to {target}: {error}.") from None
    size = target.stat().st_size
    return {"path": str(target), "bytes": size}
