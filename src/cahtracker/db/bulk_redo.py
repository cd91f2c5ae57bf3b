"""The redo of an import undone by sets: its undo batch undone by sets (bulk_undo.py's
other half).

It takes a batch whose changes still in effect are all undo records that deleted a row (of
a table with a one-column primary key) or a list of the rows an owner row owned (a vote's
ballots), each the undo of a change that is not itself an undo record, and does what
`changes._undo` and `changes._undo_bundle` would do one by one, newest first: the same
checks, the rows put back (in the same order, so rows without an id of their own get the
same rowids), the same log (one record per change, with the ids the change-by-change undo
gives them), the same changes marked undone and back in effect. As in bulk_undo.py, any
check that finds something raises NotBulk: the transaction rolls back and the
change-by-change undo decides, in its own words. Foreign keys are off while it runs
(bulk_undo.connection_settings): every row it writes is checked here to name rows that
exist (before writing for the rows of the log's tables, after writing, in the same
transaction, for the rows of the lists).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from cahtracker.db import changes as C
from cahtracker.db.bulk_undo import (
    NotBulk,
    _name,
    _text,
    _text_affinity,
    later_change,
    without_rowid,
)
from cahtracker.errors import CahError


class Redo:
    """The batch's undo records in effect, one row each in TEMP table redo_plan (cid: the
    record, tbl, key: the row's primary key or the owner key of the list, row_key, target:
    the change it undid, bundle: 1 for a list of owned rows)."""

    def __init__(self, store, tables, batch: int, pending: list[dict[str, Any]]) -> None:
        self.store, self.conn, self.tables, self.batch = store, store.conn, tables, batch
        self.pending = pending
        self.counts = Counter(row["table_name"] for row in pending)
        self.pk: dict[str, str] = {}  # the plain tables: their one-column primary key
        self.rules: dict[str, Any] = {}  # the tables of owned rows: their rule
        self.columns: dict[str, list[str]] = {}
        for row in pending:
            if row["undo_of"] is None or row["before"] is None or row["after"] is not None:
                raise NotBulk
        for table in self.counts:
            try:
                columns, pk = tables.meta(table)
            except CahError:
                raise NotBulk from None
            self.columns[table] = columns
            if table in C._BUNDLES:
                self.rules[table] = C._BUNDLES[table]
                if self.rules[table].owner not in C._OWNED:
                    raise NotBulk
            elif len(pk) != 1 or pk == ["rowid"]:
                raise NotBulk
            else:
                self.pk[table] = pk[0]
        for rule in self.rules.values():  # the owner's key is needed to find it
            if rule.owner not in self.pk:
                try:
                    _, pk = tables.meta(rule.owner)
                except CahError:
                    raise NotBulk from None
                if len(pk) != 1:
                    raise NotBulk
                self.pk.setdefault(rule.owner, pk[0])
        self.conn.execute("DROP TABLE IF EXISTS temp.redo_plan")
        self.conn.execute(
            "CREATE TEMP TABLE redo_plan (cid INTEGER PRIMARY KEY, tbl TEXT NOT NULL, key, "
            "row_key TEXT NOT NULL, target INTEGER NOT NULL, bundle INTEGER NOT NULL, "
            "UNIQUE (tbl, key))"
        )
        try:
            for table in self.counts:
                rule = self.rules.get(table)
                path = "$." + (rule.key if rule else f'"{self.pk[table]}"')
                self.conn.execute(
                    "INSERT INTO temp.redo_plan (cid, tbl, key, row_key, target, bundle) "
                    "SELECT id, table_name, json_extract(before, ?), row_key, undo_of, ? "
                    "FROM changes WHERE batch = ? AND undone_by IS NULL AND table_name = ?",
                    (path, int(rule is not None), batch, table),
                )
        except sqlite3.IntegrityError:
            raise NotBulk from None  # two records put back one row, or one owner's list twice
        planned = self.conn.execute("SELECT count(*) FROM temp.redo_plan").fetchone()[0]
        if planned != len(pending) or self.found(
            "SELECT 1 FROM temp.redo_plan WHERE key IS NULL OR row_key IS NOT CAST(key AS TEXT) "
            "LIMIT 1"
        ):
            raise NotBulk

    def found(self, sql: str, params: tuple = ()) -> bool:
        return self.conn.execute(sql, params).fetchone() is not None

    # ---------------------------------------------------------------- the checks

    def check(self) -> None:
        if self.found(  # each undid a change that is not itself an undo record (_settle)
            "SELECT 1 FROM temp.redo_plan p JOIN changes x ON x.id = p.target "
            "WHERE x.undo_of IS NOT NULL LIMIT 1"
        ):
            raise NotBulk
        if later_change(self.conn, "redo_plan", self.batch):
            raise NotBulk
        for table in self.counts:
            if table in self.rules:
                self._check_list(table)
            else:
                self._check_row(table)

    def _check_row(self, table: str) -> None:
        """The row is not there; it holds the table's columns, each once, and no list or
        object; the rows it names are there, or put back before it; registered references."""
        pk, columns = self.pk[table], self.columns[table]
        known = ", ".join(_text(c) for c in columns)
        if self.found(
            f"SELECT 1 FROM temp.redo_plan p JOIN {_name(table)} t ON t.{_name(pk)} = p.key "
            "WHERE p.tbl = ? LIMIT 1",
            (table,),
        ) or self.found(
            "SELECT 1 FROM temp.redo_plan p JOIN changes c ON c.id = p.cid WHERE p.tbl = ? AND "
            "(json_type(c.before) != 'object' OR (SELECT count(*) FROM json_each(c.before)) != ? "
            f"OR EXISTS (SELECT 1 FROM json_each(c.before) j WHERE j.key NOT IN ({known}) "
            "OR j.type IN ('array', 'object'))) LIMIT 1",
            (table, len(columns)),
        ):
            raise NotBulk
        for column, parent, target in self._foreign_keys(table):
            value = f"json_extract(c.before, {_text('$.' + chr(34) + column + chr(34))})"
            earlier = ""
            if parent in self.pk and parent not in self.rules and self.pk[parent] == target:
                earlier = (
                    f" AND NOT EXISTS (SELECT 1 FROM temp.redo_plan q WHERE q.tbl = "
                    f"{_text(parent)} AND q.key = {value} AND q.cid > p.cid)"
                )
            elif parent in self.counts:
                raise NotBulk  # rows of that table put back too, found otherwise: one by one
            if self.found(
                f"SELECT 1 FROM temp.redo_plan p JOIN changes c ON c.id = p.cid WHERE p.tbl = ? "
                f"AND {value} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {_name(parent)} o "
                f"WHERE o.{_name(target)} = {value}){earlier} LIMIT 1",
                (table,),
            ):
                raise NotBulk
        rules = C._REFERENCES.get(table, ())
        if rules:
            for row in self.conn.execute(
                "SELECT c.before FROM temp.redo_plan p JOIN changes c ON c.id = p.cid "
                "WHERE p.tbl = ?",
                (table,),
            ):
                before = json.loads(row[0])
                if any(rule(self.store, before) for rule in rules):
                    raise NotBulk

    def _check_list(self, table: str) -> None:
        """The owner row is there, or put back before the list; it owns no such rows now."""
        rule = self.rules[table]
        owner, pk = rule.owner, _name(self.pk[rule.owner])
        if self.found(
            "SELECT 1 FROM temp.redo_plan p JOIN changes c ON c.id = p.cid WHERE p.tbl = ? "
            "AND json_type(c.before, ?) IS NOT 'array' LIMIT 1",
            (table, f"$.{rule.bundle}"),
        ) or self.found(
            f"SELECT 1 FROM temp.redo_plan p JOIN {_name(table)} r ON r.{_name(rule.key)} = "
            "p.key WHERE p.tbl = ? LIMIT 1",
            (table,),
        ):
            raise NotBulk
        if self.found(
            f"SELECT 1 FROM temp.redo_plan p WHERE p.tbl = ? AND NOT EXISTS (SELECT 1 FROM "
            f"{_name(owner)} o WHERE o.{pk} = p.key) AND NOT EXISTS (SELECT 1 FROM "
            "temp.redo_plan q WHERE q.tbl = ? AND q.key = p.key AND q.cid > p.cid) LIMIT 1",
            (table, owner),
        ):
            raise NotBulk

    def _foreign_keys(self, table: str) -> list[tuple[str, str, str]]:
        """(column, parent table, parent column) of each foreign key of `table`."""
        out = []
        for fk in self.conn.execute(f"PRAGMA foreign_key_list({_name(table)})"):
            parent, column, target = fk[2], fk[3], fk[4]
            if target is None:
                target = self.tables.meta(parent)[1][0]
            out.append((column, parent, target))
        return out

    # ---------------------------------------------------------------- the writes

    def write(self) -> None:
        conn = self.conn
        conn.execute("DROP TABLE IF EXISTS temp.redo_records")
        conn.execute("CREATE TEMP TABLE redo_records (seq INTEGER PRIMARY KEY, cid INTEGER UNIQUE)")
        conn.execute(  # the order the change-by-change undo takes them in: newest first
            "INSERT INTO temp.redo_records (cid) SELECT cid FROM temp.redo_plan ORDER BY cid DESC"
        )
        with C._indexes_set_aside(self.store, self.pending):
            for table in self.counts:
                if table not in self.rules:
                    self._put_rows(table)
            for table in self.counts:
                if table in self.rules:
                    self._put_list(table)
            for table in self.counts:  # what SQLite's foreign keys would have refused
                self._check_written(table)
        base = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM changes").fetchone()[0]
        values = {"base": base, "at": datetime.now(UTC).isoformat(timespec="seconds")}
        values["who"] = self.store.who
        record = (
            "INSERT INTO changes (id, at, command, table_name, row_key, before, after, batch, "
            "undo_of, with_owned, who) SELECT :base + s.seq - 1, :at, 'db undo #' || s.cid, "
            "p.tbl, p.row_key, NULL, {after}, :base, s.cid, 0, :who FROM temp.redo_records s "
            "JOIN temp.redo_plan p ON p.cid = s.cid {join} WHERE p.tbl = :table"
        )
        for table in self.counts:
            if table in self.rules:  # the list as logged, as _undo_bundle logs it again
                after, join = "c.before", "JOIN changes c ON c.id = s.cid"
            else:
                pk = _name(self.pk[table])
                row = ", ".join(f"{_text(c)}, t.{_name(c)}" for c in sorted(self.columns[table]))
                after = f"json_object({row})"
                join = f"JOIN {_name(table)} t ON t.{pk} = p.key"
            conn.execute(record.format(after=after, join=join), {**values, "table": table})
        conn.execute(
            "UPDATE changes SET undone_by = :base + s.seq - 1 FROM temp.redo_records s "
            "WHERE changes.id = s.cid",
            {"base": base},
        )
        conn.execute(  # the changes they undid: in effect again (`_settle`, one level)
            "UPDATE changes SET undone_by = (SELECT max(u.id) FROM changes u WHERE u.undo_of = "
            "changes.id AND u.undone_by IS NULL) WHERE id IN (SELECT target FROM temp.redo_plan)"
        )
        self.store.batch = base
        conn.execute("DROP TABLE temp.redo_records")
        conn.execute("DROP TABLE temp.redo_plan")

    def _put_rows(self, table: str) -> None:
        columns = self.columns[table]
        values = ", ".join(
            f"json_extract(c.before, {_text('$.' + chr(34) + c + chr(34))})" for c in columns
        )
        self.conn.execute(  # in the order put back one by one: the same rowids
            f"INSERT INTO {_name(table)} ({', '.join(map(_name, columns))}) SELECT {values} "
            "FROM temp.redo_records s JOIN temp.redo_plan p ON p.cid = s.cid "
            "JOIN changes c ON c.id = s.cid WHERE p.tbl = ? ORDER BY s.seq",
            (table,),
        )

    def _put_list(self, table: str) -> None:
        rule = self.rules[table]
        names = ", ".join(map(_name, (rule.key, *rule.columns)))
        values = ", ".join(f"json_extract(j.value, '$[{i}]')" for i in range(len(rule.columns)))
        # in the order put back one by one, where rowids follow it (a table without rowids
        # keeps its rows in key order whatever the order of the inserts)
        order = "" if without_rowid(self.conn, table) else " ORDER BY s.seq, j.key"
        self.conn.execute(
            f"INSERT INTO {_name(table)} ({names}) SELECT p.key, {values} "
            "FROM temp.redo_records s JOIN temp.redo_plan p ON p.cid = s.cid "
            f"JOIN changes c ON c.id = s.cid, json_each(c.before, ?) j WHERE p.tbl = ?{order}",
            (f"$.{rule.bundle}", table),
        )

    def _check_written(self, table: str) -> None:
        """The rows written name rows that exist (the foreign keys), and hold no REAL where
        SQLite would write their JSON with fewer digits than Python (bulk_undo.py)."""
        rule = self.rules.get(table)
        key = _name(rule.key if rule else self.pk[table])
        rows = (
            f"temp.redo_plan p JOIN {_name(table)} t ON t.{key} = p.key AND p.tbl = {_text(table)}"
        )
        for column, parent, target in self._foreign_keys(table):
            if rule and column == rule.key and parent == rule.owner:
                continue  # the owner: checked before (_check_list)
            if self.found(
                f"SELECT 1 FROM {rows} WHERE t.{_name(column)} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {_name(parent)} o WHERE o.{_name(target)} = "
                f"t.{_name(column)}) LIMIT 1"
            ):
                raise NotBulk
        if rule is None:
            declared = {
                r[1]: r[2] or "" for r in self.conn.execute(f"PRAGMA table_info({_name(table)})")
            }
            numeric = [c for c, d in declared.items() if not _text_affinity(d)]
            if numeric and self.found(
                f"SELECT 1 FROM {rows} WHERE "
                + " OR ".join(f"typeof(t.{_name(c)}) = 'real'" for c in numeric)
                + " LIMIT 1"
            ):
                raise NotBulk


def redo(store, tables, batch: int, pending: list[dict[str, Any]]) -> None:
    plan = Redo(store, tables, batch, pending)
    plan.check()
    plan.write()
