"""The undo of a batch of inserts (a bulk import) by sets: a few statements per table.

`undo_batch` (changes.py) tries this first. It takes a batch whose changes still in effect
are all inserts, none of them an undo record, of rows with a one-column primary key that
the log names (votes, documents; not a vote's logged list of ballots), and does what the
change-by-change undo (`changes._undo`) would do, in one transaction: the same checks, the
same rows deleted, the same log written (for each change, newest first, the bundles of the
rows it owned, then its undo record, with the ids the change-by-change undo would give
them), the same changes marked undone. The rows the undo deletes are read once per table,
and their JSON is written by SQLite itself (INSERT ... SELECT), never through Python.

Every check is made before anything is written, inside the transaction. Where one finds
anything at all (a later change to a row, a row no longer as its change left it, a row that
refers to one the undo would delete, a registered dependency, a value whose JSON SQLite
would write differently from Python), or the batch is of another kind, `NotBulk` is raised:
the transaction rolls back with nothing written and `undo_batch` runs the change-by-change
undo, which refuses (or undoes) the batch in its own words. So a refusal reads as it always
did, and a check here may be stricter than the one it stands for, never looser: each looks
at the file before any of the batch is deleted, and deleting rows only ever takes a reason
to refuse away.

Measured on the whole unvotes history (12,065 changes: 6,203 votes owning 947,232 ballots,
5,862 documents), as a command: 2.8 s change by change, 1.05 s here (0.93 s of it in this
module and the commit); see benchmarks/README.md. Its redo (bulk_redo.py): 7.6 s -> 3.5 s.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from cahtracker.db import changes as C
from cahtracker.errors import CahError

OWNER_PART = 1_000_000  # a change's own undo record follows the bundles (parts 0, 1, ...)


class NotBulk(Exception):
    """The batch is not one this undo takes, or a check found something: nothing was
    written, and the change-by-change undo decides."""


def _name(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextmanager
def connection_settings(conn: sqlite3.Connection) -> Iterator[None]:
    """Foreign keys and secure_delete off for the undo by sets, restored after it (both are
    connection settings, set outside the transaction as SQLite requires for foreign keys).

    Foreign keys: with them on, SQLite deletes a child row in two passes and looks up its
    parents (measured: 0.65 s instead of 0.12 s for the 947,232 ballots of the whole unvotes
    history). Nothing is lost: before it deletes a row, this undo has checked that no row
    refers to it but rows deleted with it (owned rows, and rows of the batch deleted before
    it in the change-by-change order), so SQLite would have found nothing to refuse or
    cascade; and it only deletes (it never writes a row that refers to another).

    secure_delete (this Debian SQLite is built with it on): SQLite zeroes every page the
    delete frees (measured: 0.07 s more at the commit for the whole history). Zeroing hides
    nothing here: the undo logs every row it deletes in `changes`, in the same file, so that
    a redo can put it back; the text leaves the file only with `db log --purge-undone`,
    which VACUUMs, and the copies made to share (`publish`: VACUUM INTO, then VACUUM;
    `db backup --without-log`: VACUUM) keep no free page. Decided: off, for this undo only.
    """
    foreign_keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    secure_delete = conn.execute("PRAGMA secure_delete").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA secure_delete = OFF")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA secure_delete = {int(secure_delete)}")
        conn.execute(f"PRAGMA foreign_keys = {int(foreign_keys)}")


def without_rowid(conn: sqlite3.Connection, table: str) -> bool:
    """Whether `table` is a WITHOUT ROWID table (False where SQLite cannot say: before 3.37)."""
    try:
        listed = conn.execute(
            "SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?", (table,)
        ).fetchone()
    except sqlite3.OperationalError:
        return False
    return bool(listed and listed[0])


def later_change(conn: sqlite3.Connection, plan: str, batch: int) -> bool:
    """Whether a change still in effect, not an undo record and not of the batch, wrote a row
    of the TEMP table `plan` (tbl, row_key) after the change planned for it (cid)."""
    return (
        conn.execute(
            f"SELECT 1 FROM temp.{plan} p JOIN changes b ON b.table_name = p.tbl "
            "AND b.row_key = p.row_key WHERE b.id > p.cid AND b.undone_by IS NULL "
            "AND b.undo_of IS NULL AND b.batch IS NOT ? LIMIT 1",
            (batch,),
        ).fetchone()
        is not None
    )


def _text_affinity(declared: str) -> bool:
    declared = declared.upper()
    return "INT" not in declared and any(word in declared for word in ("CHAR", "CLOB", "TEXT"))


class _Plan:
    """The batch's changes in effect, one row each in TEMP table undo_plan (cid: the change,
    tbl, key: its row's primary key as logged, row_key, owned: it wrote its owned rows
    unlogged)."""

    def __init__(self, store, tables, batch: int, pending: list[dict[str, Any]]) -> None:
        self.store, self.conn, self.tables, self.batch = store, store.conn, tables, batch
        self.pending = pending
        self.counts = Counter(row["table_name"] for row in pending)
        self.owners = Counter(row["table_name"] for row in pending if row["with_owned"])
        self.pk: dict[str, str] = {}
        self.info: dict[str, list[tuple[str, str]]] = {}  # table -> [(column, declared type)]
        for row in pending:
            if (
                row["undo_of"] is not None
                or row["before"] is not None
                or row["after"] is None
                or row["table_name"] in C._BUNDLES
            ):
                raise NotBulk
        for table in self.counts:
            try:
                _, pk = tables.meta(table)
            except CahError:
                raise NotBulk from None
            if len(pk) != 1 or pk == ["rowid"]:
                raise NotBulk
            self.pk[table] = pk[0]
        for table in {*self.counts, *(r.table for t in self.owners for r in C._OWNED[t])}:
            self.info[table] = [
                (r[1], r[2] or "") for r in self.conn.execute(f"PRAGMA table_info({_name(table)})")
            ]
            if not self.info[table]:
                raise NotBulk  # an owned table that is gone: the change-by-change undo says
        self.conn.execute("DROP TABLE IF EXISTS temp.undo_plan")
        self.conn.execute("DROP TABLE IF EXISTS temp.undo_records")
        self.conn.execute(
            "CREATE TEMP TABLE undo_plan (cid INTEGER PRIMARY KEY, tbl TEXT NOT NULL, key, "
            "row_key TEXT NOT NULL, owned INTEGER NOT NULL, UNIQUE (tbl, key))"
        )
        try:
            for table, pk in self.pk.items():
                self.conn.execute(
                    "INSERT INTO temp.undo_plan (cid, tbl, key, row_key, owned) SELECT id, "
                    "table_name, json_extract(after, ?), row_key, with_owned FROM changes "
                    "WHERE batch = ? "
                    "AND undone_by IS NULL AND table_name = ?",
                    ('$."' + pk.replace('"', "") + '"', batch, table),
                )
        except sqlite3.IntegrityError:
            raise NotBulk from None  # two changes of the batch insert one row
        planned = self.conn.execute("SELECT count(*) FROM temp.undo_plan").fetchone()[0]
        if planned != len(pending) or self.found(
            "SELECT 1 FROM temp.undo_plan WHERE key IS NULL OR row_key IS NOT CAST(key AS TEXT) "
            "LIMIT 1"
        ):
            raise NotBulk  # a change whose row key is not its logged primary key

    def found(self, sql: str, params: tuple = ()) -> bool:
        return self.conn.execute(sql, params).fetchone() is not None

    def rows_of(self, table: str) -> str:
        """FROM ... : the rows of `table` the batch inserted (p: their plan, t: the row)."""
        return (
            f"temp.undo_plan p JOIN {_name(table)} t ON t.{_name(self.pk[table])} = p.key "
            f"AND p.tbl = {_text(table)}"
        )

    # ---------------------------------------------------------------- the checks

    def check(self) -> None:
        """Every check of `changes._undo`, for all the changes at once; NotBulk on any find."""
        for table in self.counts:
            self._check_as_left(table)
        if later_change(self.conn, "undo_plan", self.batch):
            raise NotBulk
        for owner in self.owners:
            self._check_owned_unchanged(owner)
        for table in self.counts:
            self._check_references(table)
        for table in self.counts:
            self._check_dependents(table)
        self._check_json()

    def _check_as_left(self, table: str) -> None:
        """Each row is there and as its change left it (`changes._same`: the columns the
        change logged, compared as JSON values; a gid or origin logged as null was given at
        commit). Unary + strips the columns' affinity, so '1' is not 1, as in Python."""
        pk = _name(self.pk[table])
        value = " ".join(
            f"WHEN {_text(column)} THEN +t.{_name(column)}" for column, _ in self.info[table]
        )
        if self.found(
            f"SELECT 1 FROM temp.undo_plan p JOIN changes c ON c.id = p.cid "
            f"LEFT JOIN {_name(table)} t ON t.{pk} = p.key WHERE p.tbl = ? AND (t.{pk} IS NULL "
            f"OR EXISTS (SELECT 1 FROM json_each(c.after) j WHERE j.value IS NOT "
            f"(CASE j.key {value} END) AND NOT (j.type = 'null' AND j.key IN ('gid', 'origin')))"
            ") LIMIT 1",
            (table,),
        ):
            raise NotBulk

    def _check_owned_unchanged(self, owner: str) -> None:
        """No later change in effect wrote rows an owner row owns (`_later_owned_changes`)."""
        first = self.conn.execute(
            "SELECT min(cid) FROM temp.undo_plan WHERE tbl = ? AND owned", (owner,)
        ).fetchone()[0]
        for rule in C._OWNED[owner]:
            newest = self.tables.newest_in_effect(rule.table)
            if newest is None or newest <= first:
                continue
            if self.found(
                "SELECT 1 FROM changes x INDEXED BY idx_changes_in_effect_by_table "
                "WHERE x.table_name = ? AND x.id > ? AND x.undone_by IS NULL "
                "AND x.undo_of IS NULL AND (x.row_key IN (SELECT CAST(key AS TEXT) FROM "
                "temp.undo_plan WHERE tbl = ? AND owned) OR json_extract(coalesce(x.after, "
                "x.before), '$.' || ?) IN (SELECT key FROM temp.undo_plan WHERE tbl = ? "
                "AND owned)) LIMIT 1",
                (rule.table, first, owner, rule.key, owner),
            ):
                raise NotBulk

    def _check_references(self, table: str) -> None:
        """No row refers to a row the undo deletes (`_referencing_rows`), but the rows it
        owns when they go with it and rows of the batch the change-by-change undo would
        delete before it (a vote of the import, on a document of the import). No row refers
        to an owned row the undo deletes (SQLite would have refused, or cascaded)."""
        owned = {rule.table for rule in C._OWNED.get(table, ())}
        for other, column, target in self.tables.referrers(table):
            taken = " AND NOT p.owned" if other in owned else ""
            earlier = ""
            if other in self.pk:
                earlier = (
                    " AND NOT EXISTS (SELECT 1 FROM temp.undo_plan q WHERE q.tbl = "
                    f"{_text(other)} AND q.key = +o.{_name(self.pk[other])} AND q.cid > p.cid)"
                )
            if self.found(
                f"SELECT 1 FROM {self.rows_of(table)} JOIN {_name(other)} o "
                f"ON o.{_name(column)} = t.{_name(target)} WHERE 1{taken}{earlier} LIMIT 1"
            ):
                raise NotBulk
        if table not in self.owners:
            return
        for rule in C._OWNED[table]:
            for other, column, target in self.tables.referrers(rule.table):
                if self.found(
                    f"SELECT 1 FROM {self.rows_of(table)} JOIN {_name(rule.table)} r "
                    f"ON r.{_name(rule.key)} = p.key AND p.owned JOIN {_name(other)} o "
                    f"ON o.{_name(column)} = r.{_name(target)} LIMIT 1"
                ):
                    raise NotBulk

    def _check_dependents(self, table: str) -> None:
        """The rules a table's owner registered (`register_dependents`): for all the rows in
        one go where the rule says how (`among`), else row by row."""
        rules = C._DEPENDENTS.get(table, ())
        each = [rule for rule in rules if rule not in C._DEPENDENTS_AMONG]
        if len(each) < len(rules):
            keys = [r[0] for r in self.conn.execute(f"SELECT p.key FROM {self.rows_of(table)}")]
            if any(
                C._DEPENDENTS_AMONG[rule](self.store, keys) for rule in rules if rule not in each
            ):
                raise NotBulk
        if not each:
            return
        for row in self.store.query(f"SELECT t.* FROM {self.rows_of(table)}"):
            if any(rule(self.store, row) for rule in each):
                raise NotBulk

    def _check_json(self) -> None:
        """SQLite writes a REAL in JSON with 15 digits (3.40), Python with all it needs: the
        rows logged by SQLite must hold none where a column can (its affinity is not TEXT)."""
        for table in self.counts:
            self._check_no_real(table, "t", self.rows_of(table), self.info[table])
        for owner in self.owners:
            for rule in C._OWNED[owner]:
                columns = [(c, t) for c, t in self.info[rule.table] if c in rule.columns]
                rows = (
                    f"temp.undo_plan p JOIN {_name(rule.table)} r ON r.{_name(rule.key)} = "
                    f"p.key AND p.tbl = {_text(owner)} AND p.owned"
                )
                self._check_no_real(rule.table, "r", rows, columns)

    def _check_no_real(self, table: str, alias: str, rows: str, columns) -> None:
        numeric = [c for c, declared in columns if not _text_affinity(declared)]
        if numeric and self.found(
            f"SELECT 1 FROM {rows} WHERE "
            + " OR ".join(f"typeof({alias}.{_name(c)}) = 'real'" for c in numeric)
            + " LIMIT 1"
        ):
            raise NotBulk

    # ---------------------------------------------------------------- the writes

    def _in_index_order(self, rule) -> bool:
        """Whether SQLite reads one owner's rows in the bundle's order (rule.order) by the
        index it finds them with, as it does for every table a vote owns: then the bundle
        is aggregated straight from that index, in its order (measured: 0.13 s less for the
        ballots of the whole unvotes history than through an ordered subquery)."""
        plan = self.conn.execute(
            f"EXPLAIN QUERY PLAN SELECT {', '.join(map(_name, rule.columns))} FROM "
            f"{_name(rule.table)} WHERE {_name(rule.key)} = ? ORDER BY {rule.order}",
            (0,),
        ).fetchall()
        return not any("TEMP B-TREE" in row[-1] for row in plan)

    def write(self) -> None:
        """The log, the marks, then the deletes: what the change-by-change undo writes."""
        conn = self.conn
        parts = []  # (owner table, part number, rule) of each bundle a change may log
        for owner in self.owners:
            parts += [(owner, i, rule) for i, rule in enumerate(C._OWNED[owner])]
        conn.execute(
            "CREATE TEMP TABLE undo_records (seq INTEGER PRIMARY KEY, cid INTEGER, part INTEGER)"
        )
        bundles = "".join(
            f" UNION ALL SELECT p.cid, {i} FROM temp.undo_plan p WHERE p.tbl = {_text(owner)} "
            f"AND p.owned AND EXISTS (SELECT 1 FROM {_name(rule.table)} r "
            f"WHERE r.{_name(rule.key)} = p.key)"
            for owner, i, rule in parts
        )
        conn.execute(  # the order the change-by-change undo logs in: seq 1, 2, ...
            "INSERT INTO temp.undo_records (cid, part) SELECT cid, part FROM (SELECT cid, "
            f"{OWNER_PART} AS part FROM temp.undo_plan{bundles}) ORDER BY cid DESC, part"
        )
        base = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM changes").fetchone()[0]
        record = (
            "INSERT INTO changes (id, at, command, table_name, row_key, before, after, batch, "
            "undo_of, with_owned, who) SELECT :base + s.seq - 1, :at, 'db undo #' || s.cid, "
            ":table, {row_key}, {before}, NULL, :base, s.cid, 0, :who FROM temp.undo_records s "
            "JOIN temp.undo_plan p ON p.cid = s.cid {join} WHERE s.part = :part"
        )
        values = {"base": base, "at": datetime.now(UTC).isoformat(timespec="seconds")}
        values["who"] = self.store.who
        for _, i, rule in parts:
            bundle = ", ".join(f"x.{_name(c)}" for c in rule.columns)
            keys = sorted([rule.key, rule.bundle])  # as log_change writes them (sort_keys)
            fields = {rule.key: "p.key", rule.bundle: f"json_group_array(json_array({bundle}))"}
            rows = f"{_name(rule.table)} x WHERE x.{_name(rule.key)} = p.key"
            if not self._in_index_order(rule):
                rows = (
                    f"(SELECT {', '.join(map(_name, rule.columns))} FROM {_name(rule.table)} "
                    f"WHERE {_name(rule.key)} = p.key ORDER BY {rule.order}) x"
                )
            before = (
                f"(SELECT json_object({_text(keys[0])}, {fields[keys[0]]}, {_text(keys[1])}, "
                f"{fields[keys[1]]}) FROM {rows})"
            )
            conn.execute(
                record.format(row_key="CAST(p.key AS TEXT)", before=before, join=""),
                {**values, "table": rule.table, "part": i},
            )
        for table in self.counts:
            row = ", ".join(
                f"{_text(c)}, t.{_name(c)}" for c in sorted(c for c, _ in self.info[table])
            )
            conn.execute(
                record.format(
                    row_key="p.row_key",
                    before=f"json_object({row})",
                    join=f"JOIN {_name(table)} t ON t.{_name(self.pk[table])} = p.key "
                    f"AND p.tbl = {_text(table)}",
                ),
                {**values, "table": table, "part": OWNER_PART},
            )
        conn.execute(
            "UPDATE changes SET undone_by = :base + s.seq - 1 FROM temp.undo_records s "
            "WHERE s.part = :part AND changes.id = s.cid",
            {"base": base, "part": OWNER_PART},
        )
        self.store.batch = base
        with C._indexes_set_aside(self.store, self.pending):
            for owner, _, rule in parts:
                self._delete_owned(owner, rule)
            for table, pk in self.pk.items():
                conn.execute(
                    f"DELETE FROM {_name(table)} WHERE {_name(pk)} IN "
                    "(SELECT key FROM temp.undo_plan WHERE tbl = ?)",
                    (table,),
                )
        conn.execute("DROP TABLE temp.undo_records")
        conn.execute("DROP TABLE temp.undo_plan")

    def _delete_owned(self, owner: str, rule) -> None:
        """Delete the rows the owner rows own in one table. Where they are most of the table
        and their owners most of theirs (the ballots of an import into a file that held
        few), the rows of the other owners are set aside and the table emptied whole, which
        SQLite does by freeing its pages instead of deleting row by row (measured: 0.1 s
        less for the 947,232 ballots of the whole unvotes history). Bounded by the work:
        every count and copy stops at about twice the rows or owners deleted. Only for a
        table without rowids (its rows are their columns) and without triggers, and only
        when every row kept has an owner row (counted), else row by row as before."""
        conn, table, key = self.conn, _name(rule.table), _name(rule.key)
        if self._can_empty(rule.table) and self._emptied(owner, rule):
            return
        conn.execute(
            f"DELETE FROM {table} WHERE {key} IN "
            "(SELECT key FROM temp.undo_plan WHERE tbl = ? AND owned)",
            (owner,),
        )

    def _emptied(self, owner: str, rule) -> bool:
        conn, table, key = self.conn, _name(rule.table), _name(rule.key)

        def count(sql: str, *params) -> int:
            return conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]

        taken = self.counts[owner]
        if count(f"SELECT 1 FROM {_name(owner)} LIMIT ?", 2 * taken + 1) > 2 * taken:
            return False  # the owner rows kept outnumber those taken
        deleted = count(
            f"SELECT 1 FROM temp.undo_plan p JOIN {table} r ON r.{key} = p.key "
            "WHERE p.tbl = ? AND p.owned",
            owner,
        )
        pk = _name(self.pk[owner])
        conn.execute("DROP TABLE IF EXISTS temp.undo_kept")
        conn.execute(  # CROSS JOIN: the owners kept first, then their rows by the index
            f"CREATE TEMP TABLE undo_kept AS SELECT r.* FROM {_name(owner)} o CROSS JOIN "
            f"{table} r ON r.{key} = o.{pk} WHERE NOT EXISTS (SELECT 1 FROM temp.undo_plan p "
            f"WHERE p.tbl = ? AND p.key = +o.{pk}) LIMIT ?",
            (owner, deleted + 1),
        )
        kept = count("SELECT 1 FROM temp.undo_kept")
        whole = kept <= deleted and count(f"SELECT 1 FROM {table} LIMIT ?", deleted + kept + 1) == (
            deleted + kept
        )  # no row without an owner row (it would be lost)
        if whole:
            conn.execute(f"DELETE FROM {table}")
            conn.execute(f"INSERT INTO {table} SELECT * FROM temp.undo_kept")
        conn.execute("DROP TABLE temp.undo_kept")
        return whole

    def _can_empty(self, table: str) -> bool:
        triggers = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
        ).fetchone()
        return without_rowid(self.conn, table) and not triggers


def undo(store, tables, batch: int, pending: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Undo `pending` (the batch's changes in effect, newest first) by sets, inside the open
    write; returns each change undone as `changes._undo` does. NotBulk: nothing written."""
    if all(row["undo_of"] is not None for row in pending):
        from cahtracker.db import bulk_redo

        try:
            bulk_redo.redo(store, tables, batch, pending)  # the undo of an undo: a redo
        except sqlite3.IntegrityError:
            raise NotBulk from None  # a row put back breaks a constraint: one by one says
    else:
        plan = _Plan(store, tables, batch, pending)
        plan.check()
        plan.write()
    if len(pending) <= C.SUMMARY_ROWS:  # described now, in the transaction, as one by one
        return [_done(tables, row) for row in pending]
    return _Undone(tables, pending)


def _done(tables, row: dict[str, Any]) -> dict[str, Any]:
    def logged(text: str | None) -> Any:
        return None if text is None else json.loads(text)

    return C._done(tables, row, logged(row["before"]), logged(row["after"]))


class _Undone(Sequence):
    """The changes of a big batch undone, each as `changes._done` gives it, described when
    read: the undo of an import is reported in one line, so its 12,000 descriptions are made
    only if asked for (measured: 0.1 s of the undo of the whole unvotes history)."""

    def __init__(self, tables, pending: list[dict[str, Any]]) -> None:
        self._tables, self._pending = tables, pending

    def __len__(self) -> int:
        return len(self._pending)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return _done(self._tables, self._pending[index])
