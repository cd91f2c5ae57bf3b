"""Database maintenance: checks (and, later, backup, log and undo)."""

from __future__ import annotations

from cahtracker.db import SCHEMA_VERSION, Store


def check_database(store: Store) -> tuple[list[str], list[str]]:
    """(problems, summary lines): integrity_check, foreign_key_check, migrations applied."""
    problems: list[str] = []
    summary: list[str] = []
    integrity = [r["integrity_check"] for r in store.query("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        problems.append("integrity check failed: " + "; ".join(integrity[:5]))
    else:
        summary.append("integrity: ok")
    broken = store.query("PRAGMA foreign_key_check")
    if broken:
        tables = sorted({r["table"] for r in broken})
        problems.append(f"{len(broken)} rows break foreign keys (in {', '.join(tables)})")
    else:
        summary.append("foreign keys: ok")
    from cahtracker.migrations import migrations

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
