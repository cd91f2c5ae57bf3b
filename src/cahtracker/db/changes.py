"""The change log: every logged write, `db log`, and `db undo`, for any table.

This module names no table of the domain. A table's owner registers here how its rows
depend on each other (`register_dependents`: a withdrawal depends on the joining it ends)
and which rows a row owns (`register_owned`: a vote owns its ballots and statements), where
that table is defined (sponsors.py, votes.py); `RULE_MODULES` lists those modules so that
an undo always decides with every rule loaded.

A change is one row of `changes`: when, the command, the table and row key, the whole row
`before` and `after` as JSON (None for "no row"), and
- `batch`: every change of one `Store.write` transaction (one command) shares a batch id,
  the id of its first change, so that `db undo` takes back a whole command;
- `undo_of`: set on the records an undo writes: the change they take back. "Is undone" is
  data, never parsed from text:
- `undone_by`: the newest undo record of this change that is itself in effect, or NULL
  while the change is in effect. Undoing an undo (redo) puts the change back in effect.
- `with_owned`: the insert also wrote, unlogged, the rows its row owns (a bulk import
  writes a vote's ballots without a change per ballot); undoing it takes those rows with
  it and logs them then, so that a redo can put them back.

Why not capture by triggers, as sqlite-history and sqlite-chronicle do: a trigger writes a
log row per row written, so importing the whole UN voting record (about 950,000 ballots)
would write 950,000 log rows, and its undo would replay 950,000 changes; the command, its
batch and the domain's own grouping (a vote with its ballots) are not visible to a
trigger. Logging at the level of the domain's records keeps the log and the undo
proportional to the votes, documents and events a command wrote.

Undoing change N restores N's `before`: it deletes the row an insert made, re-inserts the
row a delete removed, or puts back the values an update replaced, and logs that as a new
change (`undo_of` = N). It is refused, with nothing written, when
- a later change to the same table and row key is still in effect (undo that one first),
- the row is no longer as change N left it (something changed it outside the log),
- rows of other tables refer to the row an undo would delete (undo or remove those first),
- a registered rule says other rows depend on it,
- change N is already undone.
A batch is refused whole when any one of its changes is refused. Every check of one change
is a constant number of indexed lookups, so undoing a command of N changes costs
O(N log N).
"""

from __future__ import annotations

import importlib
import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cahtracker.errors import CahError

# the modules that register rules for the tables they define (imported before an undo)
RULE_MODULES = ("cahtracker.sponsors", "cahtracker.votes", "cahtracker.documents")


@dataclass(frozen=True)
class Owned:
    """Rows of `table` owned by a row of `owner`: `table.key` holds the owner's key.

    They are logged as one bundle change per owner row (table `table`, row key the owner's
    key, `{key: owner key, bundle: [[column values...], ...]}`).
    """

    owner: str
    table: str
    key: str
    bundle: str
    columns: tuple[str, ...]
    order: str


_OWNED: dict[str, list[Owned]] = {}  # owner table -> the tables its rows own
_BUNDLES: dict[str, Owned] = {}  # owned table -> its rule
_DEPENDENTS: dict[str, list[Callable[[Any, dict[str, Any]], list[str]]]] = {}


def register_owned(
    owner: str, table: str, key: str, bundle: str, columns: tuple[str, ...], order: str
) -> None:
    rule = Owned(owner, table, key, bundle, columns, order)
    if _BUNDLES.get(table) not in (None, rule):
        raise ValueError(f"{table} is already owned by another rule")
    _BUNDLES[table] = rule
    owned = _OWNED.setdefault(owner, [])
    if rule not in owned:
        owned.append(rule)


def register_dependents(table: str, rule: Callable[[Any, dict[str, Any]], list[str]]) -> None:
    """`rule(store, row)` says what depends on a row an undo would delete (empty: nothing)."""
    rules = _DEPENDENTS.setdefault(table, [])
    if rule not in rules:
        rules.append(rule)


def _load_rules() -> None:
    for module in RULE_MODULES:
        importlib.import_module(module)


def _json(row: dict[str, Any] | None) -> str | None:
    if row is None:
        return None
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def log_change(
    store,
    table: str,
    key: str | int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    with_owned: bool = False,
    undo_of: int | None = None,
    settle: bool = True,
) -> int:
    """Record one write in `changes` inside the open write; returns its id.

    The first change of a `Store.write` transaction names the batch of all of them. An undo
    record (`undo_of`) marks its target undone (`settle`: unless the caller does it).
    """
    if not store.conn.in_transaction:
        raise RuntimeError("log_change() runs inside Store.write()")
    cursor = store.conn.execute(
        "INSERT INTO changes (at, command, table_name, row_key, before, after, batch, undo_of, "
        "with_owned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            datetime.now(UTC).isoformat(timespec="seconds"),
            store.command,
            table,
            str(key),
            _json(before),
            _json(after),
            store.batch,
            undo_of,
            int(with_owned),
        ),
    )
    change_id = cursor.lastrowid
    if store.batch is None:
        store.batch = change_id
        store.conn.execute("UPDATE changes SET batch = ? WHERE id = ?", (change_id, change_id))
    if undo_of is not None and settle:
        _settle(store, undo_of)
    return change_id


def log_inserts(
    store, table: str, rows: list[dict[str, Any]], key: str, *, with_owned: bool = False
) -> None:
    """Record the insert of many rows of one table (`key`: the column that names each row),
    as `log_change` would one by one, in one statement (a bulk import's documents and votes)."""
    if not rows:
        return
    if store.batch is None:
        log_change(store, table, rows[0][key], None, rows[0], with_owned=with_owned)
        rows = rows[1:]
    at = datetime.now(UTC).isoformat(timespec="seconds")
    store.conn.executemany(
        "INSERT INTO changes (at, command, table_name, row_key, before, after, batch, "
        "with_owned) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
        [
            (at, store.command, table, str(row[key]), _json(row), store.batch, int(with_owned))
            for row in rows
        ],
    )


def _settle(store, target: int | None) -> None:
    """`target` gained or lost an undo record in effect: update it, and up the undo chain.

    A change is undone while any of its undo records is in effect; an undo record is itself
    a change, so a redo (an undo of an undo) puts its target back in effect, and so on.
    """
    while target is not None:
        row = store.conn.execute(
            "SELECT undone_by, undo_of, "
            "(SELECT max(id) FROM changes WHERE undo_of = c.id AND undone_by IS NULL) "
            "FROM changes c WHERE id = ?",
            (target,),
        ).fetchone()
        if row is None:
            return
        old, parent, new = row
        if old == new:
            return
        store.conn.execute("UPDATE changes SET undone_by = ? WHERE id = ?", (new, target))
        if (old is None) == (new is None):
            return  # still undone, by another record: nothing changes further up
        target = parent


# ---------------------------------------------------------------- reading the log


def _action(before: Any, after: Any) -> str:
    if before is None:
        return "insert"
    if after is None:
        return "delete"
    return "update"


def change_log(store, limit: int = 20) -> list[dict[str, Any]]:
    """The most recent changes, newest first, with whether each is still in effect."""
    if limit < 1:
        raise CahError(f"--limit must be 1 or more (got {limit}).")
    rows = store.query(
        "SELECT id, batch, at, command, table_name, row_key, before, after, undo_of, undone_by "
        "FROM changes ORDER BY id DESC LIMIT ?",
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
                "undoes": row["undo_of"],
                "undone": row["undone_by"] is not None,
                "before": before,
                "after": after,
            }
        )
    return out


def last_undoable(store) -> int:
    """The newest change still in effect that is not itself an undo."""
    newest = store.scalar("SELECT max(id) FROM changes WHERE undone_by IS NULL AND undo_of IS NULL")
    if newest is None:
        raise CahError("Nothing to undo: no change in the log is still in effect.")
    return newest


def batch_of(store, change_id: int) -> int | None:
    """The batch of change `change_id` (None if there is no such change)."""
    return store.scalar("SELECT batch FROM changes WHERE id = ?", (change_id,))


# ---------------------------------------------------------------- undo


class _Tables:
    """What an undo needs to know of the tables, read once per undo from SQLite's PRAGMAs.

    (Not through sqlite-utils' introspection: importing sqlite_utils costs about 40 ms, half
    the time of a small undo, for two PRAGMAs.)
    """

    def __init__(self, store) -> None:
        self.store = store
        self._meta: dict[str, tuple[list[str], list[str]]] = {}
        self._referrers: dict[str, list[tuple[str, str, str]]] | None = None

    def meta(self, table: str) -> tuple[list[str], list[str]]:
        """(columns, primary-key columns) of a table that exists, else a CahError."""
        if table not in self._meta:
            info = self.store.conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            if not info:
                raise CahError(f"Cannot undo: table '{table}' no longer exists.")
            pk = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
            self._meta[table] = ([r[1] for r in info], pk or ["rowid"])
        return self._meta[table]

    def referrers(self, table: str) -> list[tuple[str, str, str]]:
        """(other table, its column, the column of `table` it names) for each foreign key."""
        if self._referrers is None:
            self._referrers = {}
            names = [
                r[0]
                for r in self.store.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for name in names:
                for fk in self.store.conn.execute(f'PRAGMA foreign_key_list("{name}")'):
                    other, column, target = fk[2], fk[3], fk[4]
                    if target is None:
                        target = self.meta(other)[1][0]
                    self._referrers.setdefault(other, []).append((name, column, target))
        return self._referrers.get(table, [])


def _row_identity(pk: list[str], row: dict[str, Any] | None, row_key: str) -> dict[str, Any]:
    if row is not None and all(c in row for c in pk):
        return {c: row[c] for c in pk}
    if len(pk) == 1:
        return {pk[0]: row_key}
    raise CahError(f"Cannot undo: the change does not record the key columns {', '.join(pk)}.")


def _where(identity: dict[str, Any]) -> tuple[str, list[Any]]:
    return " AND ".join(f'"{c}" = ?' for c in identity), list(identity.values())


def _same(current: dict[str, Any] | None, expected: dict[str, Any] | None) -> bool:
    if current is None or expected is None:
        return current is None and expected is None
    # compare as the log stored them (JSON), on the columns the change recorded
    current = json.loads(json.dumps(current, ensure_ascii=False))
    return all(current.get(k) == v for k, v in expected.items())


def _referencing_rows(
    tables: _Tables, table: str, row: dict[str, Any], taken: bool = False
) -> list[str]:
    """'N rows in T refer to it' for every foreign key that points at this row (`taken`: the
    rows it owns were just deleted, so those tables are not asked)."""
    found = []
    owned = {rule.table for rule in _OWNED.get(table, ())} if taken else set()
    for other, column, target in tables.referrers(table):
        if target not in row or other in owned:
            continue
        count = tables.store.scalar(
            f'SELECT count(*) FROM "{other}" WHERE "{column}" = ?', (row[target],)
        )
        if count:
            plural = count != 1
            found.append(
                f"{count} row{'s' if plural else ''} in {other} refer{'' if plural else 's'} to it"
            )
    return found


def undo_batch(store, batch: int | None = None) -> dict[str, Any]:
    """Undo every change of a batch still in effect (default: the newest command in effect).

    All of them are undone, newest first, in one transaction, or none: the first refusal
    rolls the whole back. Returns {"batch", "command", "changes": [each change undone]}.
    """
    _load_rules()
    change_id = None
    try:
        with store.write("db undo"):
            if batch is None:
                batch = batch_of(store, last_undoable(store))
            rows = store.query("SELECT * FROM changes WHERE batch = ? ORDER BY id DESC", (batch,))
            if not rows:
                newest = store.scalar("SELECT max(batch) FROM changes")
                raise CahError(
                    f"No batch {batch}; "
                    + (
                        f"batches run up to {newest} (see the Batch column of `cahtracker db log`)."
                        if newest
                        else "the log is empty."
                    )
                )
            pending = [r for r in rows if r["undone_by"] is None]
            commands = {r["command"] for r in rows}
            command = commands.pop() if len(commands) == 1 else "db undo"
            if not pending:
                raise CahError(
                    f"Batch {batch} ({command}) is already undone; see `cahtracker db log`."
                )
            tables = _Tables(store)
            done = []
            with _indexes_set_aside(store, pending):
                for row in pending:
                    change_id = row["id"]
                    store.command = f"db undo #{change_id}"
                    try:
                        done.append(_undo(store, tables, row))
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


BULK_UNDO = 1000  # owner rows taken back by one undo from which secondary indexes go aside


@contextmanager
def _indexes_set_aside(store, pending: list[dict[str, Any]]):
    """For the undo of a bulk import: the secondary indexes of the tables whose rows the undo
    deletes by the hundred thousand are dropped while it runs and built again after it, in
    the same transaction (measured on the whole unvotes history: a sixth of the undo's time;
    deleting row by row from an index ordered by another column costs more than a rebuild).
    A refusal rolls the DROP back with everything else."""
    owners = Counter(r["table_name"] for r in pending if r["with_owned"] and r["after"])
    rules = [rule for owner, n in owners.items() if n >= BULK_UNDO for rule in _OWNED[owner]]
    indexes = []
    for rule in rules:
        for name, sql in store.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (rule.table,),
        ).fetchall():
            first = store.conn.execute(f'PRAGMA index_info("{name}")').fetchone()
            if first and first[2] != rule.key:  # the undo finds owned rows by rule.key: kept
                indexes.append((name, sql))
    for name, _ in indexes:
        store.conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        store.conn.execute(sql)


def undo_change(store, change_id: int | None = None) -> dict[str, Any]:
    """Undo one change (default: the newest one in effect); returns the change undone.

    The checks run inside the write transaction, so two concurrent undos cannot both pick
    the same change; a refusal rolls back and leaves the file as it was.
    """
    _load_rules()
    try:
        with store.write("db undo"):
            if change_id is None:
                change_id = last_undoable(store)
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
            store.command = f"db undo #{change_id}"
            return _undo(store, _Tables(store), change)
    except sqlite3.IntegrityError as error:
        raise CahError(
            f"Cannot undo #{change_id}: restoring the row would break the database ({error}); "
            "nothing was undone."
        ) from None


def _done(change: dict[str, Any], before, after) -> dict[str, Any]:
    return {
        "id": change["id"],
        "command": change["command"],
        "table": change["table_name"],
        "row_key": change["row_key"],
        "action": _action(before, after),
    }


def _undo(store, tables: _Tables, change: dict[str, Any]) -> dict[str, Any]:
    change_id = change["id"]
    if change["undone_by"] is not None:
        undoer = change["undone_by"]
        raise CahError(
            f"Change #{change_id} is already undone (by #{undoer}); undo #{undoer} to redo it."
        )
    table, row_key = change["table_name"], change["row_key"]
    blockers = [
        r[0]
        for r in store.conn.execute(
            "SELECT id FROM changes WHERE table_name = ? AND row_key = ? AND id > ? "
            "AND undone_by IS NULL AND undo_of IS NULL ORDER BY id LIMIT 10",
            (table, row_key, change_id),
        )
    ]
    if blockers:
        many = len(blockers) > 1
        raise CahError(
            f"Cannot undo #{change_id}: later change{'s' if many else ''} "
            f"{', '.join(f'#{b}' for b in blockers)} to {table} {row_key} "
            f"depend{'' if many else 's'} on it; undo {'them' if many else 'it'} first."
        )
    before = None if change["before"] is None else json.loads(change["before"])
    after = None if change["after"] is None else json.loads(change["after"])
    rule = _BUNDLES.get(table)
    if rule is not None and rule.bundle in (after if after is not None else before):
        return _undo_bundle(store, tables, rule, change, before, after)
    columns, pk = tables.meta(table)
    identity = _row_identity(pk, after if after is not None else before, row_key)
    where, params = _where(identity)
    current = store.one(f'SELECT * FROM "{table}" WHERE {where}', params)
    if not _same(current, after):
        raise CahError(
            f"Cannot undo #{change_id}: {table} {row_key} is no longer as that change left it "
            "(changed outside the log); nothing was undone."
        )
    if before is None:
        if change["with_owned"]:
            later = _later_owned_changes(store, tables, table, current, change_id)
            if later:
                raise CahError(
                    f"Cannot undo #{change_id} (the insert of {table} {row_key}): later change "
                    f"#{later[0]} to its {later[1]} depends on it; undo that first."
                )
            _take_owned(store, tables, table, current, change_id)
        references = _referencing_rows(tables, table, current, taken=bool(change["with_owned"]))
        for dependents in _DEPENDENTS.get(table, ()):
            references += dependents(store, current)
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
    record = log_change(store, table, row_key, current, restored, undo_of=change_id, settle=False)
    _mark_undone(store, change, record)
    return _done(change, before, after)


def _mark_undone(store, change: dict[str, Any], record: int) -> None:
    """Change `change` (in effect until now) is undone by `record`, the newest undo record:
    one update, and the undo chain above it settled when `change` is itself an undo."""
    store.conn.execute("UPDATE changes SET undone_by = ? WHERE id = ?", (record, change["id"]))
    if change["undo_of"] is not None:
        _settle(store, change["undo_of"])


def _bundle_rows(store, rule: Owned, owner_key: Any) -> list[tuple]:
    names = ", ".join(rule.columns)
    return store.conn.execute(
        f"SELECT {names} FROM {rule.table} WHERE {rule.key} = ? ORDER BY {rule.order}",
        (owner_key,),
    ).fetchall()


def delete_owned(store, owner: str, owner_key: Any, *, undo_of: int | None = None) -> None:
    """Delete every row a row of `owner` owns, logging each table's rows as one change.

    As part of an undo (`undo_of`), the undo record of the owner that follows settles it.
    """
    _load_rules()
    for rule in _OWNED.get(owner, ()):
        rows = _bundle_rows(store, rule, owner_key)
        if rows:
            store.conn.execute(f"DELETE FROM {rule.table} WHERE {rule.key} = ?", (owner_key,))
            log_change(
                store,
                rule.table,
                owner_key,
                {rule.key: owner_key, rule.bundle: rows},
                None,
                undo_of=undo_of,
                settle=False,
            )


def _later_owned_changes(
    store, tables: _Tables, table: str, row: dict[str, Any], change_id: int
) -> tuple[int, str] | None:
    """A later change still in effect that wrote rows this row owns (another command added a
    source to an imported vote): (its id, the table), else None."""
    _, pk = tables.meta(table)
    owner_key = row[pk[0]]
    for rule in _OWNED.get(table, ()):
        found = store.conn.execute(
            "SELECT id FROM changes INDEXED BY idx_changes_in_effect_by_table WHERE table_name = ? "
            "AND id > ? AND undone_by IS NULL AND undo_of IS NULL AND (row_key = ? "
            "OR json_extract(coalesce(after, before), '$.' || ?) = ?) ORDER BY id LIMIT 1",
            (rule.table, change_id, str(owner_key), rule.key, owner_key),
        ).fetchone()
        if found:
            return found[0], rule.table
    return None


def _take_owned(store, tables: _Tables, table: str, row: dict[str, Any], change_id: int) -> None:
    """Before undoing an insert that wrote its owned rows unlogged: delete and log them."""
    _, pk = tables.meta(table)
    delete_owned(store, table, row[pk[0]], undo_of=change_id)


def _undo_bundle(store, tables: _Tables, rule: Owned, change, before, after) -> dict[str, Any]:
    """Undo the logged insert or deletion of all the rows one owner row owns in a table."""
    change_id = change["id"]
    owner_key = json.loads(json.dumps((after or before)[rule.key]))
    current = _bundle_rows(store, rule, owner_key)
    if after is not None:  # the change added these rows: remove them, if still as added
        if sorted(map(tuple, current)) != sorted(map(tuple, after[rule.bundle])):
            raise CahError(
                f"Cannot undo #{change_id}: the {rule.table} of {rule.owner} {owner_key} are no "
                "longer as that change left them; nothing was undone."
            )
        store.conn.execute(f"DELETE FROM {rule.table} WHERE {rule.key} = ?", (owner_key,))
        record = log_change(
            store, rule.table, owner_key, after, None, undo_of=change_id, settle=False
        )
        _mark_undone(store, change, record)
    else:  # the change removed these rows: put them back under their owner
        _, owner_pk = tables.meta(rule.owner)
        if not store.scalar(
            f'SELECT 1 FROM "{rule.owner}" WHERE "{owner_pk[0]}" = ?', (owner_key,)
        ):
            raise CahError(
                f"Cannot undo #{change_id}: {rule.owner} {owner_key} no longer exists; undo the "
                "change that deleted it first (see `cahtracker db log`)."
            )
        if current:
            raise CahError(
                f"Cannot undo #{change_id}: {rule.owner} {owner_key} has other {rule.table} now; "
                "nothing was undone."
            )
        marks = ", ".join("?" for _ in rule.columns)
        store.conn.executemany(
            f"INSERT INTO {rule.table} ({rule.key}, {', '.join(rule.columns)}) VALUES (?, {marks})",
            [(owner_key, *values) for values in before[rule.bundle]],
        )
        record = log_change(
            store, rule.table, owner_key, None, before, undo_of=change_id, settle=False
        )
        _mark_undone(store, change, record)
    return _done(change, before, after)
