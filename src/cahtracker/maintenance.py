"""Database maintenance: checks, the change log and undo.

Undo works on any table for any command that logs its writes with `Store.log_change`
(full rows as `before`/`after`; None for "no row"). Every change of one command (one
`Store.write` transaction) shares a batch id (the id of its first change; changes logged
before schema 2 are each a batch of their own). `db undo` takes back the newest command
still in effect as a whole: every change of its batch still in effect, newest first, in one
transaction, all or nothing. `db undo --id N` takes back change N alone, `db undo --batch B`
batch B (an undo's batch too: that redoes the command it undid).

Undoing change N restores N's `before`: it deletes the row an insert made, re-inserts the
row a delete removed, or puts back the values an update replaced; the undo is itself a
change, logged with the command `db undo #N` (the undos of one batch form one new batch).
It is refused, with nothing written, when
- a later change to the same table and row key is still in effect (undo that one first),
- the row is no longer as change N left it (something changed it outside the log),
- rows of other tables refer to the row an undo would delete (undo or remove those first),
- a domain rule of the table says later rows depend on it (`DEPENDENTS`: e.g. a withdrawal
  depends on the joining it ends),
- change N is already undone.
A batch is refused whole when any one of its changes is refused.
A change undone by an undo that was itself undone is in effect again (redo).
"""

from __future__ import annotations

import json
import re
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


# --- change log and undo ----------------------------------------------------------------

_UNDO_COMMAND = re.compile(r"^db undo #(\d+)$")


def _sponsorship_dependents(store: Store, row: dict[str, Any]) -> list[str]:
    from cahtracker.sponsors import dependent_events

    return dependent_events(store, row)


# table -> rule(store, row an undo would delete) -> what depends on that row (empty: nothing)
DEPENDENTS = {"sponsorship_events": _sponsorship_dependents}


def undo_command(change_id: int) -> str:
    """The `command` an undo of `change_id` is logged with (how undone changes are known)."""
    return f"db undo #{change_id}"


def _undone_ids(store: Store) -> tuple[set[int], dict[int, int]]:
    """(ids of changes no longer in effect, {undo record id: the change it undid})."""
    records = {
        r["id"]: int(m.group(1))
        for r in store.query("SELECT id, command FROM changes WHERE command LIKE 'db undo #%'")
        if (m := _UNDO_COMMAND.match(r["command"]))
    }
    undoers: dict[int, list[int]] = {}
    for record, target in records.items():
        undoers.setdefault(target, []).append(record)
    in_effect: dict[int, bool] = {}
    # an undo record is younger than its target: decide the youngest first
    for change_id in sorted(set(records) | set(undoers), reverse=True):
        in_effect[change_id] = not any(in_effect.get(u, True) for u in undoers.get(change_id, ()))
    return {i for i, alive in in_effect.items() if not alive}, records


def _action(before: Any, after: Any) -> str:
    if before is None:
        return "insert"
    if after is None:
        return "delete"
    return "update"


def change_log(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    """The most recent changes, newest first, with whether each is still in effect."""
    if limit < 1:
        raise CahError(f"--limit must be 1 or more (got {limit}).")
    undone, records = _undone_ids(store)
    rows = store.query(
        "SELECT id, coalesce(batch, id) AS batch, at, command, table_name, row_key, before, "
        "after FROM changes ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    out = []
    for row in rows:
        before = None if row["before"] is None else json.loads(row["before"])
        after = None if row["after"] is None else json.loads(row["after"])
        out.append(
            {
                "id": row["id"],
                "batch": row["batch"],
                "at": row["at"],
                "command": row["command"],
                "table": row["table_name"],
                "row_key": row["row_key"],
                "action": _action(before, after),
                "undoes": records.get(row["id"]),
                "undone": row["id"] in undone,
                "before": before,
                "after": after,
            }
        )
    return out


def _table_columns(store: Store, table: str) -> tuple[list[str], list[str]]:
    """(all columns, primary-key columns) of a table that exists, else a CahError."""
    exists = store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    if not exists:
        raise CahError(f"Cannot undo: table '{table}' no longer exists.")
    info = store.query(f'PRAGMA table_info("{table}")')
    pk = [r["name"] for r in sorted((r for r in info if r["pk"]), key=lambda r: r["pk"])]
    return [r["name"] for r in info], pk or ["rowid"]


def _row_identity(pk: list[str], row: dict[str, Any] | None, row_key: str) -> dict[str, Any]:
    if row is not None and all(c in row for c in pk):
        return {c: row[c] for c in pk}
    if len(pk) == 1:
        return {pk[0]: row_key}
    raise CahError(f"Cannot undo: the change does not record the key columns {', '.join(pk)}.")


def _where(identity: dict[str, Any]) -> tuple[str, list[Any]]:
    return " AND ".join(f'"{c}" = ?' for c in identity), list(identity.values())


def _referencing_rows(store: Store, table: str, row: dict[str, Any]) -> list[str]:
    """'N rows in T' for every other table whose foreign keys point at this row."""
    found = []
    tables = [
        r["name"]
        for r in store.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    _, pk = _table_columns(store, table)
    for other in tables:
        by_id: dict[int, list[tuple[str, str]]] = {}
        for fk in store.query(f'PRAGMA foreign_key_list("{other}")'):
            if fk["table"] == table:
                by_id.setdefault(fk["id"], []).append((fk["from"], fk["to"]))
        for pairs in by_id.values():
            pairs = [(src, dst or pk[i]) for i, (src, dst) in enumerate(pairs)]
            if any(dst not in row for _, dst in pairs):
                continue
            where = " AND ".join(f'"{src}" = ?' for src, _ in pairs)
            count = store.scalar(
                f'SELECT count(*) FROM "{other}" WHERE {where}', [row[dst] for _, dst in pairs]
            )
            if count:
                found.append(
                    f"{count} row{'s' if count != 1 else ''} in {other} refer{'' if count != 1 else 's'} to it"
                )
    return found


def _same(current: dict[str, Any] | None, expected: dict[str, Any] | None) -> bool:
    if current is None or expected is None:
        return current is None and expected is None
    # compare as the log stored them (JSON), on the columns the change recorded
    current = json.loads(json.dumps(current, ensure_ascii=False))
    return all(current.get(k) == v for k, v in expected.items())


def last_undoable(store: Store) -> int:
    """The newest change still in effect that is not itself an undo."""
    undone, records = _undone_ids(store)
    for row in store.cursor("SELECT id FROM changes ORDER BY id DESC"):
        if row["id"] not in undone and row["id"] not in records:
            return row["id"]
    raise CahError("Nothing to undo: no change in the log is still in effect.")


def batch_of(store: Store, change_id: int) -> int | None:
    """The batch of change `change_id` (None if there is no such change)."""
    return store.scalar("SELECT coalesce(batch, id) FROM changes WHERE id = ?", (change_id,))


def _batch_rows(store: Store, batch: int) -> list[dict[str, Any]]:
    """The changes of one batch, newest first (a change logged without a batch is its own)."""
    return store.query(
        "SELECT id, command FROM changes WHERE batch = ? OR (batch IS NULL AND id = ?) "
        "ORDER BY id DESC",
        (batch, batch),
    )


def undo_batch(store: Store, batch: int | None = None) -> dict[str, Any]:
    """Undo every change of a batch still in effect (default: the newest command in effect).

    All of them are undone, newest first, in one transaction, or none: the first refusal
    rolls the whole back. Returns {"batch", "command", "changes": [each change undone]}.
    """
    change_id = None
    try:
        with store.write("db undo"):
            if batch is None:
                batch = batch_of(store, last_undoable(store))
            rows = _batch_rows(store, batch)
            if not rows:
                newest = store.scalar("SELECT max(coalesce(batch, id)) FROM changes")
                raise CahError(
                    f"No batch {batch}; "
                    + (
                        f"batches run up to {newest} (see the Batch column of `cahtracker db log`)."
                        if newest
                        else "the log is empty."
                    )
                )
            undone, _ = _undone_ids(store)
            pending = [r for r in rows if r["id"] not in undone]
            commands = {r["command"] for r in rows}
            command = commands.pop() if len(commands) == 1 else "db undo"
            if not pending:
                raise CahError(
                    f"Batch {batch} ({command}) is already undone; see `cahtracker db log`."
                )
            done = []
            for row in pending:
                change_id = row["id"]
                store.command = undo_command(change_id)  # how later undos know this one
                try:
                    done.append(_undo(store, change_id))
                except CahError as error:
                    if len(pending) == 1:
                        raise
                    raise CahError(
                        f"Cannot undo batch {batch} ({command}, {len(pending)} changes), so "
                        f"none of it was undone: {error}"
                    ) from None
            return {"batch": batch, "command": command, "changes": done}
    except sqlite3.IntegrityError as error:
        raise CahError(
            f"Cannot undo #{change_id} of batch {batch}: restoring the row would break the "
            f"database ({error}); nothing was undone."
        ) from None


def undo_change(store: Store, change_id: int | None = None) -> dict[str, Any]:
    """Undo one change (default: the newest one in effect); returns the change undone.

    The checks run inside the write transaction, so two concurrent undos cannot both pick
    the same change; a refusal rolls back and leaves the file as it was.
    """
    try:
        with store.write("db undo"):
            if change_id is None:
                change_id = last_undoable(store)
            store.command = undo_command(change_id)  # how later undos know this one
            return _undo(store, change_id)
    except sqlite3.IntegrityError as error:
        raise CahError(
            f"Cannot undo #{change_id}: restoring the row would break the database ({error}); "
            "nothing was undone."
        ) from None


def _undo(store: Store, change_id: int) -> dict[str, Any]:
    change = store.one("SELECT * FROM changes WHERE id = ?", (change_id,))
    if change is None:
        newest = store.scalar("SELECT max(id) FROM changes")
        raise CahError(
            f"No change #{change_id}; "
            + (
                f"ids run from 1 to {newest} (see `cahtracker db log`)."
                if newest
                else "the log is empty."
            )
        )
    undone, records = _undone_ids(store)
    if change_id in undone:
        undoer = max(r for r, t in records.items() if t == change_id)
        raise CahError(
            f"Change #{change_id} is already undone (by #{undoer}); undo #{undoer} to redo it."
        )
    table, row_key = change["table_name"], change["row_key"]
    blockers = [
        r["id"]
        for r in store.query(
            "SELECT id FROM changes WHERE table_name = ? AND row_key = ? AND id > ? ORDER BY id",
            (table, row_key, change_id),
        )
        if r["id"] not in undone and r["id"] not in records
    ]
    if blockers:
        raise CahError(
            f"Cannot undo #{change_id}: later change{'s' if len(blockers) > 1 else ''} "
            f"{', '.join(f'#{b}' for b in blockers)} to {table} {row_key} "
            f"depend{'' if len(blockers) > 1 else 's'} on it; undo "
            f"{'them' if len(blockers) > 1 else 'it'} first."
        )
    before = None if change["before"] is None else json.loads(change["before"])
    after = None if change["after"] is None else json.loads(change["after"])
    if table in BUNDLES and BUNDLES[table][0] in (after if after is not None else before):
        return _undo_bundle(store, change, before, after)  # all of one vote's rows at once
    columns, pk = _table_columns(store, table)
    identity = _row_identity(pk, after if after is not None else before, row_key)
    where, params = _where(identity)
    current = store.one(f'SELECT * FROM "{table}" WHERE {where}', params)
    if not _same(current, after):
        raise CahError(
            f"Cannot undo #{change_id}: {table} {row_key} is no longer as that change left it "
            "(changed outside the log); nothing was undone."
        )
    if before is None and table == "votes":
        _take_unlogged_parts(store, change_id, row_key, undone, records)
    if before is None:
        references = _referencing_rows(store, table, current)
        references += DEPENDENTS.get(table, lambda _s, _r: [])(store, current)
        if references:
            raise CahError(
                f"Cannot undo #{change_id} (the insert of {table} {row_key}): "
                f"{'; '.join(references)}; undo or remove those first."
            )
    unknown = [c for c in (before or {}) if c not in columns]
    if unknown:
        raise CahError(
            f"Cannot undo #{change_id}: {table} has no column {', '.join(unknown)} any more."
        )
    if before is None:
        store.conn.execute(f'DELETE FROM "{table}" WHERE {where}', params)
    elif after is None:
        names = ", ".join(f'"{c}"' for c in before)
        marks = ", ".join("?" for _ in before)
        store.conn.execute(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(before.values())
        )
    else:
        sets = ", ".join(f'"{c}" = ?' for c in before)
        store.conn.execute(
            f'UPDATE "{table}" SET {sets} WHERE {where}', [*before.values(), *params]
        )
    restored = None
    if before is not None:
        where_before, params_before = _where(_row_identity(pk, before, row_key))
        restored = store.one(f'SELECT * FROM "{table}" WHERE {where_before}', params_before)
    store.log_change(table, row_key, current, restored)
    return {
        "id": change_id,
        "command": change["command"],
        "table": table,
        "row_key": row_key,
        "action": _action(before, after),
    }


# A vote's ballots and statements are logged as one change per vote (key: the vote id):
# table -> (the key in the logged dict that holds the rows, their columns)
BUNDLES = {
    "ballots": ("ballots", ("iso3", "choice", "explanation"), "iso3"),
    "vote_statements": ("statements", ("iso3", "kind", "text"), "id"),
}


def _bundle_rows(store: Store, table: str, vote_id: int) -> list[list[Any]]:
    _, columns, order = BUNDLES[table]
    names = ", ".join(columns)
    return [
        list(r)
        for r in store.conn.execute(
            f"SELECT {names} FROM {table} WHERE vote_id = ? ORDER BY {order}", (vote_id,)
        )
    ]


def _undo_bundle(store: Store, change: dict[str, Any], before, after) -> dict[str, Any]:
    """Undo the logged insert or deletion of all the ballots (or statements) of one vote."""
    table, change_id = change["table_name"], change["id"]
    key, columns, _ = BUNDLES[table]
    vote_id = int(change["row_key"])
    current = _bundle_rows(store, table, vote_id)
    if after is not None:  # the change added these rows: remove them, if they are still as added
        if sorted(map(tuple, current)) != sorted(map(tuple, after[key])):
            raise CahError(
                f"Cannot undo #{change_id}: the {table} of vote {vote_id} are no longer as that "
                "change left them; nothing was undone."
            )
        store.conn.execute(f"DELETE FROM {table} WHERE vote_id = ?", (vote_id,))
        store.log_change(table, vote_id, after, None)
    else:  # the change removed these rows: put them back under their vote
        if not store.scalar("SELECT 1 FROM votes WHERE id = ?", (vote_id,)):
            raise CahError(
                f"Cannot undo #{change_id}: vote {vote_id} no longer exists; undo the change "
                "that deleted it first (see `cahtracker db log`)."
            )
        if current:
            raise CahError(
                f"Cannot undo #{change_id}: vote {vote_id} has other {table} now; nothing was undone."
            )
        marks = ", ".join("?" for _ in columns)
        store.conn.executemany(
            f"INSERT INTO {table} (vote_id, {', '.join(columns)}) VALUES (?, {marks})",
            [(vote_id, *row) for row in before[key]],
        )
        store.log_change(table, vote_id, None, before)
    return {
        "id": change_id,
        "command": change["command"],
        "table": table,
        "row_key": change["row_key"],
        "action": _action(before, after),
    }


def _take_unlogged_parts(store: Store, change_id: int, row_key: str, undone, records) -> None:
    """Before undoing the insert of a vote: its ballots and statements go with it.

    When a later logged change wrote them (`vote record` logs the ballots after the vote),
    they stay, and the undo is refused as for any row others refer to: undo that change
    first. An import does not log them: they were written with the vote, so they are
    deleted with it and logged here, with this undo, so that nothing leaves unrecorded.
    """
    later = [
        r["id"]
        for r in store.query(
            "SELECT id FROM changes WHERE table_name IN ('ballots', 'vote_statements') "
            "AND id > ? AND (row_key = ? "
            "OR json_extract(coalesce(after, before), '$.vote_id') = ?) ORDER BY id",
            (change_id, row_key, int(row_key)),
        )
        if r["id"] not in undone and r["id"] not in records
    ]
    if later:
        return  # the rows stay, and the check for referring rows refuses the undo
    vote_id = int(row_key)
    for table, (key, _, _) in BUNDLES.items():
        rows = _bundle_rows(store, table, vote_id)
        if rows:
            store.conn.execute(f"DELETE FROM {table} WHERE vote_id = ?", (vote_id,))
            store.log_change(table, vote_id, {"vote_id": vote_id, key: rows}, None)


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
