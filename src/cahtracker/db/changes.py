"""The change log: every logged write, `db log`, and `db undo`, for any table.

This module names no table of the domain. A table's owner registers here how its rows
depend on each other (`register_dependents`: a withdrawal depends on the joining it ends;
the default document setting depends on its document), which rows a row owns
(`register_owned`: a vote owns its ballots and statements), which rows a row names that
foreign keys cannot see (`register_references`: the default document setting) and how a
change of its rows reads in the domain's words (`register_describer`: "added Chile as
co-sponsor of A/C.6/79/L.2/Rev.1 on 2024-11-20"), where that table is defined (sponsors.py,
votes.py, documents.py, ...); `RULE_MODULES` lists those modules so that an undo and the log
always decide and speak with every rule loaded.

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
- change N is already undone,
- (`undo_change`, `db undo --id`) change N is one part of an owner row its batch wrote
  whole (a vote's row, its ballots, its statements): the batch undoes them together.
A batch is refused whole when any one of its changes is refused. Every check of one change
is a constant number of indexed lookups, so undoing a command of N changes costs
O(N log N). A batch of inserts (an import) is undone by sets instead (bulk_undo.py): the
same checks, writes and log, one statement per table; where any of its checks finds
something, it writes nothing and the batch is undone, or refused, change by change here.
"""

from __future__ import annotations

import importlib
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cahtracker.errors import CahError

# the modules that register rules for the tables they define (imported before an undo)
RULE_MODULES = (
    "cahtracker.sponsors",
    "cahtracker.votes",
    "cahtracker.documents",
    "cahtracker.positions",
    "cahtracker.timeline",
)


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


def register_dependents(
    table: str,
    rule: Callable[[Any, dict[str, Any]], list[str]],
    among: Callable[[Any, list[Any]], bool] | None = None,
) -> None:
    """`rule(store, row)` says what depends on a row an undo would delete (empty: nothing).
    `among(store, keys)`, if given, says in one go whether anything depends on any of the
    rows with those primary keys (the undo of an import by sets, bulk_undo.py); without it,
    that undo asks `rule` row by row."""
    rules = _DEPENDENTS.setdefault(table, [])
    if rule not in rules:
        rules.append(rule)
    if among is not None:
        _DEPENDENTS_AMONG[rule] = among


_DEPENDENTS_AMONG: dict[Callable, Callable[[Any, list[Any]], bool]] = {}


def register_references(table: str, rule: Callable[[Any, dict[str, Any]], list[str]]) -> None:
    """`rule(store, row)` says which rows a row of `table` names that do not exist (empty:
    none): an undo that would put such a row back is refused, and `db check` reports every
    such row (`dangling_references`). For references SQLite's foreign keys cannot see, such
    as a setting whose value names a document."""
    rules = _REFERENCES.setdefault(table, [])
    if rule not in rules:
        rules.append(rule)


_REFERENCES: dict[str, list[Callable[[Any, dict[str, Any]], list[str]]]] = {}


def dangling_references(store) -> list[str]:
    """Every registered reference that names a row that is not there (`db check`)."""
    _load_rules()
    found = []
    for table, rules in _REFERENCES.items():
        for row in store.query(f'SELECT * FROM "{table}"'):
            for rule in rules:
                found += rule(store, row)
    return found


class DescribeContext:
    """What describers share while one log or undo is described: the store, and a memo for
    lookups they would otherwise repeat per change (the names of the states)."""

    def __init__(self, store) -> None:
        self.store = store
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = load()
        return self._memo[key]


@dataclass(frozen=True)
class Describer:
    """How a table's changes read: `describe(context, change)` -> "added Chile as ...", where
    `change` is {table, row_key, action, before, after}; `noun` (one, many) counts its rows
    in a batch's summary ("added 2,400 votes")."""

    describe: Callable[[DescribeContext, dict[str, Any]], str]
    noun: tuple[str, str]
    # optional: many changes of one action in a few words ("added 40 co-sponsors of ..."),
    # or None when they have nothing in common to say
    summarize: Callable[[DescribeContext, list[dict[str, Any]]], str | None] | None = None


_DESCRIBERS: dict[str, Describer] = {}
SUMMARY_ROWS = 200  # a batch's rows of one table read back to summarize them, at most


def register_describer(
    table: str,
    describe: Callable[[DescribeContext, dict[str, Any]], str],
    noun: tuple[str, str],
    summarize: Callable[[DescribeContext, list[dict[str, Any]]], str | None] | None = None,
) -> None:
    _DESCRIBERS[table] = Describer(describe, noun, summarize)


def describe_change(
    context: DescribeContext, table: str, row_key: str, before: Any, after: Any
) -> str:
    """One change in the domain's words (its table's describer), else in storage words."""
    action = _action(before, after)
    plain = f"{action} in {table} {row_key}"
    describer = _DESCRIBERS.get(table)
    if describer is None:
        return plain
    change = {
        "table": table,
        "row_key": row_key,
        "action": action,
        "before": before,
        "after": after,
    }
    try:
        return describer.describe(context, change)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return plain  # a row logged by an older schema, without the columns it reads


_VERBS = {"insert": "added", "update": "changed", "delete": "deleted"}


def verb(change: dict[str, Any], insert: str = "added", delete: str = "removed") -> str:
    """The verb a describer puts before the row a change wrote, deleted or changed."""
    return {"insert": insert, "delete": delete, "update": "changed"}[change["action"]]


def describe_counts(
    counts: dict[tuple[str, str], int], summaries: dict[tuple[str, str], str] | None = None
) -> str:
    """A batch in a few words: {(table, action): n} -> "added 2,400 votes and 12 documents";
    `summaries` give some of them in words of their own (a describer's `summarize`)."""
    summaries = summaries or {}
    parts = [summaries[key] for key in counts if key in summaries]
    for action in ("insert", "update", "delete"):
        things = []
        for (table, act), n in counts.items():
            if act != action or not n or (table, act) in summaries:
                continue
            describer = _DESCRIBERS.get(table)
            one, many = describer.noun if describer else (f"row of {table}", f"rows of {table}")
            things.append(f"{n:,} {one if n == 1 else many}")
        if things:
            listed = (
                things[0] if len(things) == 1 else ", ".join(things[:-1]) + " and " + things[-1]
            )
            parts.append(f"{_VERBS[action]} {listed}")
    return "; ".join(parts) or "no change"


def summarize_groups(context: DescribeContext, groups: dict[tuple[str, str], list]) -> dict:
    """{(table, action): [change rows of the log]} -> the groups their describer words as a
    whole ("added 12 co-sponsors of ..."); groups over SUMMARY_ROWS are only counted."""
    out = {}
    for (table, action), rows in groups.items():
        describer = _DESCRIBERS.get(table)
        if describer is None or describer.summarize is None or len(rows) > SUMMARY_ROWS:
            continue
        changes = [
            {
                "table": table,
                "row_key": r["row_key"],
                "action": action,
                "before": None if r["before"] is None else json.loads(r["before"]),
                "after": None if r["after"] is None else json.loads(r["after"]),
            }
            for r in rows
        ]
        try:
            text = describer.summarize(context, changes)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            text = None
        if text:
            out[(table, action)] = text
    return out


def _raw_action(row: dict[str, Any]) -> str:
    return _action(row["before"], row["after"])


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
        "with_owned, who) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            store.who,
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
    store,
    table: str,
    rows: Iterable[dict[str, Any]],
    key: str,
    *,
    with_owned: bool = False,
    run: Callable[[Callable[[], None]], None] | None = None,
) -> None:
    """Record the insert of many rows of one table (`key`: the column that names each row),
    as `log_change` would one by one, in one statement (a bulk import's documents and votes).

    The log's texts are made here; `run` (default: at once) is given the statement that
    writes them (a bulk import runs it in its writing thread). The first change of a batch
    numbers the batch (`log_change`): that is decided when the statement runs."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    first: list[dict[str, Any]] = []  # the first row: it may number the batch

    def texts(rows):
        for row in rows:
            if not first:
                first.append(row)
            yield str(row[key]), _json(row)

    entries = list(texts(rows))  # `rows` may be a generator: read once
    if not entries:
        return

    def write() -> None:
        rest = entries
        if store.batch is None:
            log_change(store, table, first[0][key], None, first[0], with_owned=with_owned)
            rest = entries[1:]
        batch, command, who, owned = store.batch, store.command, store.who, int(with_owned)
        store.conn.executemany(
            "INSERT INTO changes (at, command, table_name, row_key, before, after, batch, "
            "with_owned, who) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?)",
            [(at, command, table, k, after, batch, owned, who) for k, after in rest],
        )

    (run or at_once)(write)


def at_once(job: Callable[[], None]) -> None:
    """The default `run` of the functions that make rows here and hand the statement that
    writes them to a runner (a bulk import's writing thread): run it now."""
    job()


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


BULK_LINES = 10  # a batch of more changes than this is one line of `db log` (an import)


@dataclass(frozen=True)
class LogFilter:
    """Which changes `db log` lists. `values` {column: value}: changes of rows whose column
    holds the value (before or after), of the rows owned by such a row, and bundles of owned
    rows one of which holds it (a vote's ballots for a state); `command` matches a command
    or every command it starts (`vote` matches `vote record` and `vote import`)."""

    table: str | None = None
    command: str | None = None
    values: tuple[tuple[str, str], ...] = ()
    batch: int | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = ["1"], []
        if self.table is not None:
            clauses.append("table_name = ?")
            params.append(self.table)
        if self.command is not None:
            escaped = self.command.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("(command = ? OR command LIKE ? ESCAPE '\\')")
            params += [self.command, escaped + " %"]
        if self.batch is not None:
            clauses.append("batch = ?")
            params.append(self.batch)
        for column, value in self.values:
            clause, more = _value_clause(column, value)
            clauses.append(clause)
            params += more
        return " AND ".join(clauses), params


def _value_clause(column: str, value: str) -> tuple[str, list[Any]]:
    path = '$."' + column.replace('"', "") + '"'
    row = "(json_extract(before, ?) = ? OR json_extract(after, ?) = ?)"
    ors, params = [row], [path, value, path, value]
    for rule in _BUNDLES.values():
        key_path = f"$.{rule.key}"
        # the rows (or bundles) owned by an owner row that holds the value
        ors.append(
            "(table_name = ? AND CAST(coalesce(json_extract(after, ?), json_extract(before, ?)) "
            "AS TEXT) IN (SELECT o.row_key FROM changes o WHERE o.table_name = ? AND "
            "(json_extract(o.before, ?) = ? OR json_extract(o.after, ?) = ?)))"
        )
        params += [rule.table, key_path, key_path, rule.owner, path, value, path, value]
        if column in rule.columns:  # a bundle that holds the value in one of its rows
            ors.append(
                "(table_name = ? AND EXISTS (SELECT 1 FROM json_each(coalesce(after, before), ?) "
                "WHERE json_extract(value, ?) = ?))"
            )
            params += [rule.table, f"$.{rule.bundle}", f"$[{rule.columns.index(column)}]", value]
    return "(" + " OR ".join(ors) + ")", params


def _entry(context: DescribeContext, row: dict[str, Any]) -> dict[str, Any]:
    before = None if row["before"] is None else json.loads(row["before"])
    after = None if row["after"] is None else json.loads(row["after"])
    return {
        "id": row["id"],
        "batch": row["batch"],
        "at": row["at"],
        "command": row["command"],
        "table": row["table_name"],
        "row_key": row["row_key"],
        "action": _action(before, after),
        "description": describe_change(context, row["table_name"], row["row_key"], before, after),
        "undoes": row["undo_of"],
        "undone": row["undone_by"] is not None,
        "gid": _gid(context, row["table_name"], row["row_key"], after or before),
        "who": row.get("who"),
        "before": before,
        "after": after,
    }


def _gid(context: DescribeContext, table: str, row_key: str, row: Any) -> str | None:
    """The global id of the row a change wrote (db/ids.py): as logged, else (a change
    logged before the ids) the row's id now, if the row is still there; None for tables
    without global ids."""
    from cahtracker.db.ids import FACT_TABLES

    if isinstance(row, dict) and row.get("gid"):
        return row["gid"]
    if table not in FACT_TABLES:
        return None
    key = "symbol" if table == "documents" else "id"
    try:
        return context.store.scalar(f"SELECT gid FROM {table} WHERE {key} = ?", (row_key,))
    except sqlite3.OperationalError:  # no gid column: not reached once migrated
        return None


def _batch_entry(store, batch: int, where: str, params: list[Any]) -> dict[str, Any]:
    """One line for a batch of many changes (an import, or the undo of one)."""
    summary = store.one(
        "SELECT min(id) AS first, max(id) AS last, count(*) AS n, min(at) AS at, "
        "min(command) AS command, max(command) AS last_command, "
        "count(undone_by) AS undone, count(undo_of) AS undos, min(undo_of) AS target, "
        "min(who) AS who "
        f"FROM changes WHERE batch = ? AND {where}",
        (batch, *params),
    )
    counts = {
        (r["table_name"], r["action"]): r["n"]
        for r in store.query(
            "SELECT table_name, CASE WHEN before IS NULL THEN 'insert' WHEN after IS NULL "
            "THEN 'delete' ELSE 'update' END AS action, count(*) AS n "
            f"FROM changes WHERE batch = ? AND {where} GROUP BY 1, 2 ORDER BY min(id)",
            (batch, *params),
        )
    }
    command = summary["command"]
    small = {key: n for key, n in counts.items() if n <= SUMMARY_ROWS}
    groups: dict[tuple[str, str], list] = {}
    if small:
        for row in store.query(
            "SELECT table_name, row_key, before, after FROM changes WHERE batch = ? AND "
            f"table_name IN (SELECT value FROM json_each(?)) AND {where} ORDER BY id",
            (batch, json.dumps(sorted({t for t, _ in small})), *params),
        ):
            key = (row["table_name"], _raw_action(row))
            if key in small:
                groups.setdefault(key, []).append(row)
    description = describe_counts(counts, summarize_groups(DescribeContext(store), groups))
    undoes = None
    if summary["undos"] == summary["n"]:  # an undo of many changes
        command = "db undo"
        undoes = batch_of(store, summary["target"])
        target = store.scalar("SELECT command FROM changes WHERE id = ?", (summary["target"],))
        target = "db undo" if target.startswith("db undo") else target
        description = f"undid batch {undoes} ({target}): {description}"
    elif command != summary["last_command"]:
        command = f"{command}, ..."
    return {
        "id": summary["last"],
        "first_id": summary["first"],
        "batch": batch,
        "at": summary["at"],
        "command": command,
        "table": None,
        "row_key": None,
        "action": "batch",
        "changes": summary["n"],
        "description": f"{description} ({summary['n']:,} changes: `db log --batch {batch}`)",
        "undoes": None,
        "gid": None,
        "who": summary["who"],
        "undoes_batch": undoes,
        "undone": summary["undone"] == summary["n"],
        "partly_undone": 0 < summary["undone"] < summary["n"],
        "before": None,
        "after": None,
    }


def change_log(
    store, limit: int = 20, where: LogFilter | None = None, each: bool = False
) -> list[dict[str, Any]]:
    """The most recent changes that match `where`, newest first, each described in the
    domain's words, with whether it is still in effect. A batch of more than BULK_LINES
    matching changes is one entry (action `batch`) unless `each` or a batch is asked for."""
    if limit < 1:
        raise CahError(f"--limit must be 1 or more (got {limit}).")
    _load_rules()
    where = where or LogFilter()
    clause, params = where.where()
    each = each or where.batch is not None
    context = DescribeContext(store)
    columns = "id, batch, at, command, table_name, row_key, before, after, undo_of, undone_by, who"
    if each:
        rows = store.query(
            f"SELECT {columns} FROM changes WHERE {clause} ORDER BY id DESC LIMIT ?",
            (*params, limit),
        )
        return [_entry(context, row) for row in rows]
    batches = store.query(
        f"SELECT batch, count(*) AS n FROM changes WHERE {clause} "
        "GROUP BY batch ORDER BY batch DESC LIMIT ?",
        (*params, limit),
    )
    out: list[dict[str, Any]] = []
    for batch in batches:
        if batch["n"] > BULK_LINES:
            out.append(_batch_entry(store, batch["batch"], clause, params))
        else:
            rows = store.query(
                f"SELECT {columns} FROM changes WHERE batch = ? AND {clause} ORDER BY id DESC",
                (batch["batch"], *params),
            )
            out += [_entry(context, row) for row in rows]
        if len(out) >= limit:
            break
    return out[:limit]


def logged_tables(store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT DISTINCT table_name FROM changes ORDER BY 1")]


def purge_undone(store) -> dict[str, Any]:
    """Delete, for good, every undone change and every undo record (the rows an undo wrote),
    with the before/after text they hold; what is in effect stays, and stays undoable.

    An undo record holds the row it took back (`before`), so both go: after a purge nothing
    undone can be redone. The deleted text then leaves the file: VACUUM rewrites it without
    free pages, and the WAL is checkpointed and truncated (`wal_busy`: another command was
    reading, so the WAL file keeps old pages until it is truncated by a later run).
    """
    import os

    with store.write("db log --purge-undone"):
        undone, records = store.conn.execute(
            "SELECT count(*) FILTER (WHERE undo_of IS NULL), count(*) FILTER (WHERE undo_of IS NOT NULL) "
            "FROM changes WHERE undone_by IS NOT NULL OR undo_of IS NOT NULL"
        ).fetchone()
        store.conn.execute("DELETE FROM changes WHERE undone_by IS NOT NULL OR undo_of IS NOT NULL")
    before = os.path.getsize(store.path)
    store.conn.execute("VACUUM")
    busy = store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    return {
        "undone": undone,
        "undo_records": records,
        "bytes_before": before,
        "bytes_after": os.path.getsize(store.path),
        "wal_busy": bool(busy),
    }


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
        self.context = DescribeContext(store)  # how the changes undone are described
        self._meta: dict[str, tuple[list[str], list[str]]] = {}
        self._referrers: dict[str, list[tuple[str, str, str]]] | None = None
        self._newest_in_effect: dict[str, int | None] = {}

    def newest_in_effect(self, table: str) -> int | None:
        """The newest change still in effect that wrote `table` (not an undo record), read
        once per undo: an undo only takes changes out of effect and adds undo records, so a
        change older than this has no later one on that table, and no query is needed."""
        if table not in self._newest_in_effect:
            self._newest_in_effect[table] = self.store.scalar(
                "SELECT max(id) FROM changes INDEXED BY idx_changes_in_effect_by_table "
                "WHERE table_name = ? AND undone_by IS NULL AND undo_of IS NULL",
                (table,),
            )
        return self._newest_in_effect[table]

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
    # compare as the log stored them (JSON), on the columns the change recorded; a global
    # id (and origin) logged as None was given at commit (db/ids.py fill_missing)
    current = json.loads(json.dumps(current, ensure_ascii=False))
    return all(
        current.get(k) == v or (v is None and k in ("gid", "origin")) for k, v in expected.items()
    )


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
    rolls the whole back. Returns {"batch", "command", "changes": [each change undone, with
    its description], "summary": what they were, counted ("added 2,400 votes")}.

    A batch of inserts (an import) is undone by sets (db/bulk_undo.py), in one transaction
    that decides inside itself; where that undo does not apply, or any of its checks finds
    something, it writes nothing, and the batch is undone here change by change, in another.
    """
    from cahtracker.db import bulk_undo

    _load_rules()
    try:
        with bulk_undo.connection_settings(store.conn), store.write("db undo"):
            found, pending, command = _batch_in_effect(store, batch)
            tables = _Tables(store)
            done = bulk_undo.undo(store, tables, found, pending)
            return _undone_batch(tables, found, command, pending, done)
    except bulk_undo.NotBulk:
        pass  # nothing written; the undo below decides again, inside its own transaction
    change_id = None
    try:
        with store.write("db undo"):
            batch, pending, command = _batch_in_effect(store, batch)
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
            return _undone_batch(tables, batch, command, pending, done)
    except sqlite3.IntegrityError as error:
        raise CahError(
            f"Cannot undo #{change_id} of batch {batch}: restoring the row would break the "
            f"database ({error}); nothing was undone."
        ) from None


def _batch_in_effect(store, batch: int | None) -> tuple[int, list[dict[str, Any]], str]:
    """(the batch, its changes still in effect newest first, its command), inside the write."""
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
        raise CahError(f"Batch {batch} ({command}) is already undone; see `cahtracker db log`.")
    return batch, pending, command


def _undone_batch(tables: _Tables, batch: int, command: str, pending, done) -> dict[str, Any]:
    groups: dict[tuple[str, str], list] = {}
    for row in reversed(pending):
        groups.setdefault((row["table_name"], _raw_action(row)), []).append(row)
    summary = describe_counts(
        {key: len(rows) for key, rows in groups.items()},
        summarize_groups(tables.context, groups),
    )
    return {"batch": batch, "command": command, "changes": done, "summary": summary}


BULK_UNDO = 1000  # owner rows taken back by one undo from which secondary indexes go aside


@contextmanager
def _indexes_set_aside(store, pending: list[dict[str, Any]]):
    """For the undo of a bulk import: the secondary indexes of the tables whose rows the undo
    deletes by the hundred thousand are dropped while it runs and built again after it, in
    the same transaction (measured on the whole unvotes history: a sixth of the undo's time;
    deleting row by row from an index ordered by another column costs more than a rebuild).
    So are those of the tables whose rows it puts back by the thousand lists (the redo of
    that undo: measured, 0.9 s of its 7.6 s). A refusal rolls the DROP back with everything
    else."""
    owners = Counter(r["table_name"] for r in pending if r["with_owned"] and r["after"])
    rules = [rule for owner, n in owners.items() if n >= BULK_UNDO for rule in _OWNED[owner]]
    restored = Counter(
        r["table_name"] for r in pending if r["table_name"] in _BUNDLES and not r["after"]
    )
    rules += [
        _BUNDLES[table]
        for table, n in restored.items()
        if n >= BULK_UNDO and _BUNDLES[table] not in rules
    ]
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
            if change["undone_by"] is None:
                _refuse_part_of_a_whole(store, change)
            store.command = f"db undo #{change_id}"
            return _undo(store, _Tables(store), change)
    except sqlite3.IntegrityError as error:
        raise CahError(
            f"Cannot undo #{change_id}: restoring the row would break the database ({error}); "
            "nothing was undone."
        ) from None


def _owner_of(change: dict[str, Any]) -> tuple[str, str] | None:
    """(owner table, owner key) when `change` writes a whole owner row (its insert or
    deletion) or a bundle of the rows one owner row owns; else None (an update of the
    owner's fields, or a row of an owned table logged on its own, stands alone)."""
    table = change["table_name"]
    before, after = change["before"], change["after"]
    if table in _OWNED and (before is None) != (after is None):
        return table, change["row_key"]
    rule = _BUNDLES.get(table)
    if rule is not None:
        data = json.loads(after if after is not None else before)
        if isinstance(data, dict) and rule.bundle in data:
            return rule.owner, str(data[rule.key])
    return None


def _refuse_part_of_a_whole(store, change: dict[str, Any]) -> None:
    """`db undo --id` of one part of an owner row that its command wrote whole (a vote with
    its ballots and statements) is refused: undone alone, it would leave a vote without its
    ballots, or restore one without them. The command that wrote them (its batch: `--batch`)
    undoes, or redoes, them together."""
    owner = _owner_of(change)
    if owner is None:
        return
    table, key = owner
    tables = [table, *(rule.table for rule in _OWNED.get(table, ()))]
    parts = [
        row["id"]
        for row in store.query(
            "SELECT * FROM changes WHERE table_name IN (SELECT value FROM json_each(?)) "
            "AND row_key = ? AND batch = ? AND id != ? AND undone_by IS NULL ORDER BY id",
            (json.dumps(tables), key, change["batch"], change["id"]),
        )
        if _owner_of(row) == owner
    ]
    if not parts:
        return
    describer = _DESCRIBERS.get(table)
    noun = describer.noun[0] if describer else f"row of {table}"
    listed = ", ".join(f"#{p}" for p in parts)
    command = "db undo" if change["undo_of"] is not None else change["command"]
    raise CahError(
        f"Cannot undo #{change['id']} alone: {noun} {key} undoes whole, with {listed} of batch "
        f"{change['batch']} ({command}); undo that command: "
        f"`cahtracker db undo --batch {change['batch']}`. Nothing was undone."
    )


def _done(tables: _Tables, change: dict[str, Any], before, after) -> dict[str, Any]:
    return {
        "id": change["id"],
        "command": change["command"],
        "table": change["table_name"],
        "row_key": change["row_key"],
        "action": _action(before, after),
        "gid": _gid(tables.context, change["table_name"], change["row_key"], after or before),
        "description": describe_change(
            tables.context, change["table_name"], change["row_key"], before, after
        ),
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
    if before is not None:
        missing = [
            problem for rule in _REFERENCES.get(table, ()) for problem in rule(store, before)
        ]
        if missing:
            raise CahError(
                f"Cannot undo #{change_id}: the {table} row it would put back {'; '.join(missing)}; "
                "undo the change that removed it first (see `cahtracker db log`)."
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
    return _done(tables, change, before, after)


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


def owned_bundle(store, table: str, owner_key: Any) -> dict[str, Any] | None:
    """The rows one owner row owns in `table`, as the log keeps them (one bundle change:
    `{key: owner key, bundle: [[column values...], ...]}`), or None when it owns none."""
    _load_rules()
    rule = _BUNDLES[table]
    rows = _bundle_rows(store, rule, owner_key)
    return {rule.key: owner_key, rule.bundle: [list(r) for r in rows]} if rows else None


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
        newest = tables.newest_in_effect(rule.table)
        if newest is None or newest <= change_id:
            continue  # no change in effect on that table after this one
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
    return _done(tables, change, before, after)
