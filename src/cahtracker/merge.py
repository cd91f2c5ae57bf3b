"""`db merge OTHER.db`: bring in the facts another copy of the database has and this lacks.

A coalition's members each work on a copy and send it back; the coordinator merges each
copy into the shared file. Facts are named by their global id (db/ids.py), never by the
local integer keys, which collide between copies. For each fact of OTHER:

- the same gid here with the same content, or (another gid) a row here with the very same
  content (two members who recorded one fact): **same**, kept once;
- not here: **new**, brought in with its gid and origin; foreign keys are mapped (a vote's
  local id through the vote's gid, a source key or its natural key; documents by symbol in
  any letter case; topics by slug; states by ISO code);
- a real disagreement: a **conflict**, reported, never silently chosen:
  - kept side by side where the data model holds both, as disagreeing count claims already
    are: two stances of one state on one topic and date, two sponsorship events of one
    state on one document and date that differ in action or role, two counts of one date;
  - otherwise (the same gid with other content, two ballots of one state in one vote, a
    document or vote of one symbol or source with other values) the merge is refused
    unless `on_conflict` says: `ours` (keep this file's), `theirs` (take OTHER's),
    `keep-both` (OTHER's version beside ours where one can be: a second row with a gid
    derived from both, a ballot of OTHER's in `ballot_differences`; a document or a vote
    has one row per symbol or source and cannot: refused).

A merge adds and, with `theirs`, changes rows; it never deletes (a fact OTHER deleted stays
here), and it never brings back a fact deleted (or whose insert was undone) here: a gid this
file's change log names and whose row is gone is reported "deleted here" (`_logged_gids`). Settings (the default document) and the change log of OTHER are not merged. All of it
is one write transaction, logged as one batch (`db undo` takes the merge back whole); a dry
run is the same transaction rolled back. OTHER is never written: it is copied (SQLite's
backup API, read-only) into a staging file beside the database (`_staged_copy`), and the
copy is migrated when OTHER was made by an older schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cahtracker.errors import CahError

ON_CONFLICT = ("keep-both", "ours", "theirs")
MAX_MERGE_BYTES = 4 * 1024**3  # the largest OTHER file accepted (the full UN record: ~0.3 GB)
SKIP = ("id", "gid", "origin")  # what is not a fact's content


@dataclass(frozen=True)
class Spec:
    """How the rows of one fact table are compared: `slot`, the columns that say what a row
    is about, and `value`, what it says about it; two rows of one slot whose values differ
    are a conflict kept side by side (empty `slot`: rows never conflict that way)."""

    table: str
    slot: tuple[str, ...] = ()
    value: tuple[str, ...] = ()


SPECS = (
    Spec("document_notes"),
    Spec("sponsorship_events", ("symbol", "iso3", "date"), ("action", "role")),
    Spec("count_claims", ("symbol", "date"), ("count",)),
    Spec("positions", ("iso3", "topic", "date"), ("stance",)),
    Spec("events"),
)
REPORT_TABLES = (
    "topics",
    "documents",
    "document_notes",
    "sponsorship_events",
    "count_claims",
    "votes",
    "ballots",
    "vote_statements",
    "vote_sources",
    "ballot_differences",
    "ballots_not_recorded",
    "positions",
    "events",
)


def _zero() -> dict[str, int]:
    return {"new": 0, "same": 0, "conflicts": 0, "deleted_here": 0}


class _DryRun(Exception):
    """Raised at the end of a dry run: rolls the merge's transaction back."""


@dataclass
class _Merge:
    store: Any
    other: Any
    label: str
    on_conflict: str | None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    symbols: dict[str, str] = field(default_factory=dict)  # their symbol -> ours
    names: dict[str, str] = field(default_factory=dict)

    deleted: set[str] = field(default_factory=set)  # gids of facts deleted (or undone) here
    dropped_symbols: set[str] = field(default_factory=set)  # their documents deleted here

    def count(self, table: str, what: str, n: int = 1) -> None:
        row = self.counts.setdefault(table, _zero())
        row[what] += n

    coordinator: str | None = None  # who merges (--who): the log's Who says it with whose rows

    def who(self, origin: str | None = None) -> str:
        """Who a change of the merge is logged as: the coordinator, and whose the row is
        (its origin; the file's name when it has none): "carol (merged from bob)"."""
        source = f"merged from {origin or self.label}"
        return f"{self.coordinator} ({source})" if self.coordinator else source

    @contextmanager
    def logged_as(self, origin: str | None) -> Iterator[None]:
        """Changes logged inside are logged as the row's origin's (`who`)."""
        outer = self.store.who
        self.store.who = self.who(origin)
        try:
            yield
        finally:
            self.store.who = outer

    def deleted_here(self, table: str, what: str, theirs: Any, document: str | None = None) -> None:
        """A fact OTHER has that was deleted (or undone) here, or one on a `document` deleted
        here (which this file may never have held): not brought back, named."""
        self.count(table, "deleted_here")
        self.conflicts.append(
            {
                "table": table,
                "what": what,
                "ours": f"document {document} deleted here" if document else "deleted here",
                "theirs": theirs,
                "resolution": (
                    f"not brought back (its document {document} was deleted here)"
                    if document
                    else "not brought back (deleted here)"
                ),
            }
        )

    def conflict(self, table: str, what: str, ours: Any, theirs: Any, side_by_side: bool) -> str:
        """Record a conflict; returns how it is resolved: kept both (side by side), the
        option's choice, `refused` (no option given: the merge is then refused), or `same`
        (this very conflict was resolved as ours by a merge before, and no other choice is
        asked now: not counted again)."""
        memo = None
        if not side_by_side:
            memo = (f"{table}: {what}", _digest([ours, theirs]))
            if self.on_conflict in (None, "ours") and self.chosen_before(*memo):
                self.count(table, "same")
                return "same"
        self.count(table, "conflicts")
        if side_by_side:
            resolution = "kept both"
        else:
            resolution = {
                None: "refused",
                "ours": "kept ours",
                "theirs": "took theirs",
                "keep-both": "kept both",
            }[self.on_conflict]
        self.conflicts.append(
            {
                "table": table,
                "what": what,
                "ours": ours,
                "theirs": theirs,
                "resolution": resolution,
            }
        )
        if resolution == "kept ours" and memo is not None:
            self.remember_ours(*memo)
        return resolution

    def chosen_before(self, key: str, digest: str) -> bool:
        return (
            self.store.scalar(
                "SELECT 1 FROM merge_choices WHERE key = ? AND digest = ?", (key, digest)
            )
            is not None
        )

    def remember_ours(self, key: str, digest: str) -> None:
        """Note (logged: the merge's undo takes it back) a conflict kept as ours."""
        before = self.store.one("SELECT * FROM merge_choices WHERE key = ?", (key,))
        after = {"key": key, "digest": digest, "choice": "ours"}
        self.store.conn.execute(
            "INSERT OR REPLACE INTO merge_choices (key, digest, choice) VALUES (?, ?, ?)",
            tuple(after.values()),
        )
        self.store.log_change("merge_choices", key, before, after)

    def name(self, iso3: str | None) -> str:
        return self.names.get(iso3, iso3 or "")

    def insert(self, table: str, row: dict[str, Any], key: str = "id") -> dict[str, Any]:
        """Insert one row of OTHER (without its local id) and log it."""
        values = {k: v for k, v in row.items() if k != "id" or key != "id"}
        names = ", ".join(f'"{c}"' for c in values)
        cursor = self.store.conn.execute(
            f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in values)})',
            list(values.values()),
        )
        written = self.store.one(f'SELECT * FROM "{table}" WHERE rowid = ?', (cursor.lastrowid,))
        with self.logged_as(row.get("origin")):
            self.store.log_change(table, written[key], None, written)
        return written

    def update(self, table: str, ours: dict[str, Any], theirs: dict[str, Any], key: str) -> None:
        """Take OTHER's content into our row, and its origin (who wrote what it now says);
        its key and gid stay ours."""
        changes = {
            c: v
            for c, v in theirs.items()
            if c not in ("id", "gid", key) and c in ours and ours[c] != v
        }
        if changes.keys() == {"origin"}:
            return  # the same content: only who wrote it differs
        if not changes:
            return
        sets = ", ".join(f'"{c}" = ?' for c in changes)
        self.store.conn.execute(
            f'UPDATE "{table}" SET {sets} WHERE "{key}" = ?', [*changes.values(), ours[key]]
        )
        after = self.store.one(f'SELECT * FROM "{table}" WHERE "{key}" = ?', (ours[key],))
        with self.logged_as(theirs.get("origin")):
            self.store.log_change(table, ours[key], ours, after)


def _digest(value: Any) -> str:
    import hashlib
    import json

    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _content(row: dict[str, Any], skip: tuple[str, ...] = SKIP) -> tuple:
    return tuple((k, row[k]) for k in sorted(row) if k not in skip)


def _row_conflict(
    merge: _Merge,
    table: str,
    mine: dict[str, Any],
    theirs: dict[str, Any],
    what: str,
    key: str,
    skip: tuple[str, ...] = SKIP,
) -> str:
    """One row here and its version there differ (a conflict the table cannot hold side by
    side): record it, take theirs if told to; returns the resolution."""
    differs = [c for c in theirs if c not in skip and mine.get(c) != theirs[c]]
    resolution = merge.conflict(
        table,
        f"{what}: differs in {', '.join(differs)}",
        {c: mine.get(c) for c in differs},
        {c: theirs[c] for c in differs},
        side_by_side=False,
    )
    if resolution == "took theirs":
        merge.update(table, mine, {**theirs, key: mine[key]}, key)
    return resolution


def merge_database(
    store, other_path: Path, *, dry_run: bool = False, on_conflict: str | None = None
) -> dict[str, Any]:
    """Merge the cahtracker database at `other_path` into `store` (module docstring).

    Returns {"other", "schema", "migrated", "dry_run", "on_conflict", "batch", "refused" (the
    conflicts that refuse it: a dry run's), "tables": [{table, new, same, conflicts,
    deleted_here}], "conflicts": [{table, what, ours, theirs, resolution}]}; refuses (CahError, nothing written) a file that is not a cahtracker
    database, a newer schema, this database itself, or conflicts the data model cannot keep
    side by side when `on_conflict` is None.
    """
    if on_conflict is not None and on_conflict not in ON_CONFLICT:
        raise CahError(
            f"Unknown --on-conflict '{on_conflict}'; use one of: {', '.join(ON_CONFLICT)}."
        )
    other_path = Path(other_path).expanduser()
    with _other_copy(store, other_path) as (other, schema):
        merge = _Merge(store, other, other_path.name, on_conflict, coordinator=store.who)
        report: dict[str, Any] = {
            "other": str(other_path),
            "schema": schema,
            "migrated": schema < _schema_version(),
            "dry_run": dry_run,
            "on_conflict": on_conflict,
            "batch": None,
            "refused": 0,
        }
        try:
            with store.write(f"db merge {other_path.name}"):
                with merge.logged_as(None):  # the rows a vote owns, notes: the file's
                    _merge_all(merge)
                refused = [c for c in merge.conflicts if c["resolution"] == "refused"]
                if refused and not dry_run:
                    first = refused[0]
                    raise CahError(
                        f"{len(refused)} conflict{'s' if len(refused) > 1 else ''} the database "
                        f"cannot keep side by side (first: {first['table']}, {first['what']}); "
                        "nothing was merged. See them with --dry-run, then choose "
                        "--on-conflict ours, theirs or keep-both."
                    )
                report["refused"] = len(refused)
                report["batch"] = store.batch
                if dry_run:
                    raise _DryRun
        except _DryRun:
            report["batch"] = None
        except sqlite3.IntegrityError as error:
            raise CahError(
                f"Cannot merge {other_path.name}: its rows would break this database ({error}); "
                "nothing was merged."
            ) from None
    report["tables"] = [{"table": t, **merge.counts.get(t, _zero())} for t in REPORT_TABLES]
    report["conflicts"] = merge.conflicts
    return report


def _header(path: Path, magic: bytes) -> bytes | None:
    """db._header (None: no file), saying what a merge wants of a file that is not SQLite."""
    from cahtracker.db import _header

    if path.is_file():
        with path.open("rb") as file:
            start = file.read(len(magic))
        if start and start != magic:
            raise CahError(
                f"{path} is not a SQLite database; give a cahtracker database file made by "
                "`db backup`. Nothing was merged."
            )
    elif path.exists():  # a folder, a device, a pipe: what a merge reads is a file
        what = "a folder" if path.is_dir() else "not a regular file (a device or a pipe)"
        raise CahError(
            f"{path} is {what}; give a cahtracker database file made by `db backup`. "
            "Nothing was merged."
        )
    return _header(path)


def _schema_version() -> int:
    from cahtracker.db import SCHEMA_VERSION

    return SCHEMA_VERSION


# ---------------------------------------------------------------- OTHER, read-only


def _read_only(path: Path, immutable: bool = False) -> sqlite3.Connection:
    from urllib.parse import quote

    flags = "mode=ro&immutable=1" if immutable else "mode=ro"
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?{flags}", uri=True)


@contextmanager
def _other_copy(store, path: Path) -> Iterator[tuple[Any, int]]:
    """OTHER as a Store on a temporary copy (migrated when older), and its schema version.
    Refuses, in one line, what cannot be merged; OTHER itself is only read."""

    from cahtracker.db import SQLITE_MAGIC, _is_ours, open_store

    header = _header(path, SQLITE_MAGIC)  # refuses a folder, a device, a file not SQLite
    if header is None:
        raise CahError(f"No file {path}; give the path of a cahtracker database to merge.")
    if not header:
        raise CahError(f"{path} is empty, not a cahtracker database; nothing was merged.")
    if path.resolve() == Path(store.path).resolve() or (
        Path(store.path).exists() and path.samefile(store.path)
    ):
        raise CahError(f"{path} is this database itself; give another member's copy.")
    size = path.stat().st_size
    if size > MAX_MERGE_BYTES:
        raise CahError(
            f"{path} is {size:,} bytes, over the {MAX_MERGE_BYTES:,} a merge reads; nothing was merged."
        )
    with _staged_copy(store) as copy:
        try:
            try:
                source = _read_only(path)
                source.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:  # WAL beside a read-only folder: as it stands
                source = _read_only(path, immutable=True)
            try:
                ours = _is_ours(source)
                schema = source.execute("PRAGMA user_version").fetchone()[0]
                if ours:
                    target = sqlite3.connect(str(copy))
                    try:
                        source.backup(target)
                    finally:
                        target.close()
            finally:
                source.close()
        except sqlite3.DatabaseError as error:
            raise CahError(f"Cannot read {path}: {error}; nothing was merged.") from None
        if not ours:
            raise CahError(
                f"{path} is not a cahtracker database (no cahtracker migrations in it); "
                "nothing was merged."
            )
        if schema > _schema_version():
            raise CahError(
                f"{path} was made by a newer cahtracker (schema {schema}, this one knows "
                f"{_schema_version()}); upgrade cahtracker to merge it. Nothing was merged."
            )
        other = open_store(copy)  # migrates the copy (never OTHER) when it is older
        try:
            yield other, schema
        finally:
            other.close()


@contextmanager
def _staged_copy(store) -> Iterator[Path]:
    """A staging file beside the database for OTHER's copy (outputs.staged: locked while
    this merge runs), removed after it with SQLite's files beside it. A merge killed
    midway leaves it; the next merge removes it (`clean_leftovers`: nobody holds its lock),
    so a member's whole database, log included, does not stay behind in a temporary folder."""
    from contextlib import ExitStack

    from cahtracker.outputs import clean_leftovers, staged

    target = Path(store.path).with_name(Path(store.path).name + ".merge")
    with ExitStack() as stack:
        try:
            clean_leftovers(target)
            copy = stack.enter_context(staged(target))
        except OSError as error:
            raise CahError(
                f"Cannot copy the file to merge beside {store.path}: {error.strerror}; "
                "nothing was merged."
            ) from None
        try:
            yield copy
        finally:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)


# ---------------------------------------------------------------- the merge


def _merge_all(merge: _Merge) -> None:
    merge.names = dict(merge.store.conn.execute("SELECT iso3, name FROM states"))
    merge.deleted = _logged_gids(merge.store)
    _check_ids(merge)
    _check_states(merge)
    _merge_topics(merge)
    _merge_documents(merge)
    for spec in SPECS:
        _merge_facts(merge, spec)
    _merge_votes(merge)


def _logged_gids(store) -> set[str]:
    """Every gid the change log names for a fact table, in one pass: a fact whose gid is
    logged here and whose row is not here was deleted (or its insert undone) here. Matched
    after the rows present, so only the absent ones count. A log emptied by `db backup
    --without-log`, or an undone insert purged by `db log --purge-undone`, forgets them."""
    from cahtracker.db.ids import FACT_TABLES

    tables = ", ".join(f"'{t}'" for t in FACT_TABLES)
    # a merge's own changes, and the undo of them, do not count: after `db undo` of a merge,
    # merging again (with another --on-conflict, as the README says) brings its facts back
    not_a_merge = (
        f"c.table_name IN ({tables}) AND c.command NOT GLOB 'db merge *' AND NOT EXISTS "
        "(SELECT 1 FROM changes m WHERE m.id = c.undo_of AND m.command GLOB 'db merge *')"
    )
    return {
        gid
        for (gid,) in store.conn.execute(
            f"SELECT json_extract(c.before, '$.gid') FROM changes c WHERE {not_a_merge} "
            "AND json_valid(c.before) UNION "
            f"SELECT json_extract(c.after, '$.gid') FROM changes c WHERE {not_a_merge} "
            "AND json_valid(c.after)"
        )
        if isinstance(gid, str)
    }


def _check_ids(merge: _Merge) -> None:
    """Every fact of OTHER has a gid as cahtracker writes it and an origin a --who could
    be: else the merge is refused, in one line naming the first bad row."""
    from cahtracker.db.ids import FACT_TABLES, GID_GLOB, MAX_WHO, clean_who

    for table in FACT_TABLES:
        key = "symbol" if table == "documents" else "id"
        bad = merge.other.one(
            f"SELECT {key} AS id, gid FROM {table} WHERE gid IS NULL OR gid NOT GLOB ? "
            "ORDER BY rowid LIMIT 1",
            (GID_GLOB,),
        )
        if bad is not None:
            raise CahError(
                f"{merge.label}: row {bad['id']} of {table} has the global id "
                f"'{bad['gid']}', not UUID text (such as 0190f3b2-7c1e-7d41-8a2f-6c1e7d418a2f); "
                "nothing was merged."
            )
        for (origin,) in merge.other.conn.execute(f"SELECT DISTINCT origin FROM {table}"):
            try:
                ok = origin is None or clean_who(origin, "origin") == origin
            except CahError:
                ok = False
            if not ok:
                row = merge.other.one(
                    f"SELECT {key} AS id FROM {table} WHERE origin = ? ORDER BY rowid LIMIT 1",
                    (origin,),
                )
                shown = origin if len(origin) <= 40 else origin[:40] + "…"
                raise CahError(
                    f"{merge.label}: row {row['id']} of {table} has the origin '{shown}', "
                    f"not a name (1 to {MAX_WHO} printable characters on one line, as --who); "
                    "nothing was merged."
                )


def _check_states(merge: _Merge) -> None:
    """Every state OTHER's facts name must be a state here (both come from one seed)."""
    missing = set()
    for table in (
        "sponsorship_events",
        "positions",
        "ballots",
        "vote_statements",
        "ballot_differences",
    ):
        for (iso3,) in merge.other.conn.execute(f"SELECT DISTINCT iso3 FROM {table}"):
            if iso3 not in merge.names:
                missing.add(iso3)
    if missing:
        listed = ", ".join(sorted(missing)[:5])
        raise CahError(
            f"{merge.label} has facts about states this database lacks ({listed}); "
            "nothing was merged."
        )


def _merge_topics(merge: _Merge) -> None:
    ours = {r["slug"] for r in merge.store.query("SELECT slug FROM topics")}
    for row in merge.other.query("SELECT * FROM topics ORDER BY slug"):
        if row["slug"] in ours:
            merge.count("topics", "same")
        else:
            merge.insert("topics", row, key="slug")
            merge.count("topics", "new")


def _merge_documents(merge: _Merge) -> None:
    store = merge.store
    ours = {r["symbol"].upper(): r for r in store.query("SELECT * FROM documents")}
    theirs = merge.other.query("SELECT * FROM documents ORDER BY rowid")
    for row in theirs:
        merge.symbols[row["symbol"]] = ours.get(row["symbol"].upper(), row)["symbol"]
    pending = list(theirs)
    while pending:  # a parent before its children
        later = []
        for row in pending:
            parent = row["parent_symbol"]
            if (
                parent
                and parent.upper() not in ours
                and any(p["symbol"].upper() == parent.upper() for p in pending if p is not row)
            ):
                later.append(row)
                continue
            _merge_document(merge, ours, row)
        if len(later) == len(pending):  # a cycle: let SQLite's foreign keys say
            for row in later:
                _merge_document(merge, ours, row)
            break
        pending = later


def _merge_document(merge: _Merge, ours: dict[str, dict], row: dict[str, Any]) -> None:
    mapped = dict(row)
    if row["parent_symbol"]:
        mapped["parent_symbol"] = merge.symbols.get(row["parent_symbol"], row["parent_symbol"])
    mine = ours.get(row["symbol"].upper())
    if mine is None and row["gid"] in merge.deleted:
        merge.dropped_symbols.add(row["symbol"])
        merge.deleted_here("documents", f"document {row['symbol']}", row["title"])
        return
    if mine is None:
        written = merge.insert("documents", mapped, key="symbol")
        ours[row["symbol"].upper()] = written
        merge.count("documents", "new")
        return
    skip = (*SKIP, "symbol")
    if _content(mine, skip) == _content(mapped, skip):
        merge.count("documents", "same")
        return
    resolution = _row_conflict(merge, "documents", mine, mapped, mine["symbol"], "symbol", skip)
    if resolution == "kept both":
        raise CahError(
            f"--on-conflict keep-both cannot keep two versions of document {mine['symbol']} "
            "(one row per symbol); choose ours or theirs. Nothing was merged."
        )


def _map_row(merge: _Merge, row: dict[str, Any]) -> dict[str, Any]:
    mapped = dict(row)
    if mapped.get("symbol") is not None:
        mapped["symbol"] = merge.symbols.get(mapped["symbol"], mapped["symbol"])
    return mapped


def _describe(merge: _Merge, spec: Spec, row: dict[str, Any]) -> str:
    if spec.table == "positions":
        return f"{merge.name(row['iso3'])} on {row['topic']} ({row['date'] or 'no date'})"
    if spec.table == "sponsorship_events":
        return f"{merge.name(row['iso3'])}, {row['symbol']} ({row['date'] or 'no date'})"
    if spec.table == "count_claims":
        return f"count of {row['symbol']} ({row['date'] or 'no date'})"
    if spec.table == "events":
        return f"event {row['title']!r} ({row['starts_on'] or 'no date'})"
    return f"{spec.table} {row['gid']}"


def _merge_facts(merge: _Merge, spec: Spec) -> None:
    from cahtracker.db.ids import derived_gid

    store, table = merge.store, spec.table
    by_gid: dict[str, dict] = {}
    by_content: set[tuple] = set()
    by_slot: dict[tuple, list[dict]] = {}

    def remember(row: dict[str, Any]) -> None:
        by_gid[row["gid"]] = row
        by_content.add(_content(row))
        if spec.slot:
            by_slot.setdefault(tuple(row[c] for c in spec.slot), []).append(row)

    for row in store.query(f"SELECT * FROM {table} ORDER BY id"):
        remember(row)
    for row in merge.other.query(f"SELECT * FROM {table} ORDER BY id"):
        row = _map_row(merge, row)
        mine = by_gid.get(row["gid"])
        if mine is not None:
            if _content(mine) == _content(row) or (
                derived_gid(row["gid"], dict(_content(row))) in by_gid
            ):  # the same, or OTHER's version already kept beside ours (keep-both)
                merge.count(table, "same")
                continue
            what = f"{_describe(merge, spec, mine)}, one fact (gid {row['gid']})"
            resolution = _row_conflict(merge, table, mine, row, what, "id")
            if resolution == "kept both":
                gid = derived_gid(row["gid"], dict(_content(row)))
                if gid not in by_gid:
                    remember(merge.insert(table, {**row, "gid": gid}))
                    merge.count(table, "new")
            continue
        if _content(row) in by_content:
            merge.count(table, "same")
            continue
        if row["gid"] in merge.deleted or row.get("symbol") in merge.dropped_symbols:
            on_dropped = row["gid"] not in merge.deleted and row.get("symbol")
            merge.deleted_here(
                table, _describe(merge, spec, row), _values(spec, row) or None, on_dropped or None
            )
            continue
        if spec.slot:
            rivals = [
                r
                for r in by_slot.get(tuple(row[c] for c in spec.slot), [])
                if tuple(r[c] for c in spec.value) != tuple(row[c] for c in spec.value)
            ]
            if rivals:
                merge.conflict(
                    table,
                    _describe(merge, spec, row),
                    "; ".join(sorted({_values(spec, r) for r in rivals})),
                    _values(spec, row),
                    side_by_side=True,
                )
        remember(merge.insert(table, row))
        merge.count(table, "new")


def _values(spec: Spec, row: dict[str, Any]) -> str:
    return " ".join(str(row[c]) for c in spec.value if row[c] is not None)


# ---------------------------------------------------------------- votes and what they own

VOTE_MATCH = ("symbol", "body", "date", "meeting", "method", "question")


def _vote_key(row: dict[str, Any]) -> tuple:
    return tuple(
        (row[c] or "").upper() if c == "symbol" else (row[c] or "").casefold() for c in VOTE_MATCH
    )


def _merge_votes(merge: _Merge) -> None:
    store, other = merge.store, merge.other
    ours = store.query("SELECT * FROM votes ORDER BY id")
    by_gid = {r["gid"]: r for r in ours}
    by_key = dict(store.conn.execute("SELECT key, vote_id FROM vote_sources"))
    by_id = {r["id"]: r for r in ours}
    natural: dict[tuple, list[dict]] = {}
    for r in ours:
        natural.setdefault(_vote_key(r), []).append(r)
    their_sources: dict[int, list[dict]] = {}
    for s in other.query("SELECT * FROM vote_sources ORDER BY id"):
        their_sources.setdefault(s["vote_id"], []).append(s)
    for row in other.query("SELECT * FROM votes ORDER BY id"):
        row = _map_row(merge, row)
        sources = their_sources.get(row["id"], [])
        mine = by_gid.get(row["gid"])
        if mine is None:
            keyed = {by_key[s["key"]] for s in sources if s["key"] in by_key}
            if len(keyed) == 1:
                mine = by_id[keyed.pop()]
        if mine is None:  # one vote recorded apart (by hand here, imported there)
            candidates = natural.get(_vote_key(row), [])
            mine = candidates[0] if len(candidates) == 1 else None
        if mine is None and (row["gid"] in merge.deleted or row["symbol"] in merge.dropped_symbols):
            on_dropped = row["gid"] not in merge.deleted and row["symbol"]
            merge.deleted_here(
                "votes",
                f"vote on {row['symbol']} ({row['date'] or 'no date'})",
                row["outcome"],
                on_dropped or None,
            )
            continue
        if mine is None:
            _new_vote(merge, row, sources)
            continue
        if _content(mine) == _content(row):
            merge.count("votes", "same")
        else:
            what = f"vote on {mine['symbol']} ({mine['date'] or 'no date'}, vote {mine['id']} here)"
            resolution = _row_conflict(merge, "votes", mine, row, what, "id")
            if resolution == "kept both":
                raise CahError(
                    f"--on-conflict keep-both cannot keep two versions of the vote on "
                    f"{mine['symbol']} ({mine['date']}); choose ours or theirs. Nothing was merged."
                )
        _merge_owned(merge, mine, row["id"], sources, by_key)


def _owned(db, table: str, vote_id: int, order: str) -> list[dict[str, Any]]:
    """The rows vote `vote_id` owns in `table` of `db` (this file's Store or OTHER's)."""
    return db.query(f"SELECT * FROM {table} WHERE vote_id = ? ORDER BY {order}", (vote_id,))


def _new_vote(merge: _Merge, row: dict[str, Any], sources: list[dict]) -> None:
    """A vote OTHER has and this lacks, with every row it owns: one logged insert that owns
    them (`with_owned`), as a bulk import logs a vote, so that its undo takes them along."""
    from cahtracker.votes import add_vote_source, insert_ballots

    store, other = merge.store, merge.other
    values = {k: v for k, v in row.items() if k != "id"}
    names = ", ".join(values)
    cursor = store.conn.execute(
        f"INSERT INTO votes ({names}) VALUES ({', '.join('?' for _ in values)})",
        list(values.values()),
    )
    vote_id = cursor.lastrowid
    owned = {
        "ballots": _owned(other, "ballots", row["id"], "iso3"),
        "vote_statements": _owned(other, "vote_statements", row["id"], "id"),
        "ballot_differences": _owned(other, "ballot_differences", row["id"], "key, iso3"),
        "ballots_not_recorded": _owned(
            other, "ballots_not_recorded", row["id"], "reason, name, choice"
        ),
    }
    ballots = owned.pop("ballots")
    insert_ballots(
        store.conn, vote_id, [(b["iso3"], b["choice"], b["explanation"]) for b in ballots]
    )
    merge.count("ballots", "new", len(ballots))
    for table, rows in owned.items():
        for r in rows:
            r = {k: v for k, v in r.items() if k != "id"}
            r["vote_id"] = vote_id
            store.conn.execute(
                f"INSERT INTO {table} ({', '.join(r)}) VALUES ({', '.join('?' for _ in r)})",
                list(r.values()),
            )
        merge.count(table, "new", len(rows))
    for s in sources:
        add_vote_source(store, vote_id, s["key"], s["source"], log=False)
    merge.count("vote_sources", "new", len(sources))
    written = store.one("SELECT * FROM votes WHERE id = ?", (vote_id,))
    with merge.logged_as(row.get("origin")):
        store.log_change("votes", vote_id, None, written, with_owned=True)
    merge.count("votes", "new")


def _merge_owned(
    merge: _Merge, mine: dict[str, Any], their_id: int, sources: list[dict], by_key: dict
) -> None:
    """The rows of a vote both files hold: each ballot, statement, source and difference
    OTHER has and this lacks is added; a ballot of one state that differs is a conflict."""
    store, other = merge.store, merge.other
    vote_id = mine["id"]
    where = f"vote on {mine['symbol']} ({mine['date'] or 'no date'}, vote {vote_id} here)"
    # ballots: one per state and vote (the primary key): a different choice is a conflict
    ours = {b["iso3"]: b for b in _owned(store, "ballots", vote_id, "iso3")}
    before_ballots, since = _bundle(store, "ballots", vote_id), store.conn.total_changes
    their_ballots = _owned(other, "ballots", their_id, "iso3")
    kept_key = _kept_key(merge, mine, their_ballots)
    for ballot in their_ballots:
        mine_ballot = ours.get(ballot["iso3"])
        if mine_ballot is None:
            store.conn.execute(
                "INSERT INTO ballots (vote_id, iso3, choice, explanation) VALUES (?, ?, ?, ?)",
                (vote_id, ballot["iso3"], ballot["choice"], ballot["explanation"]),
            )
            merge.count("ballots", "new")
        elif mine_ballot["choice"] == ballot["choice"] or _kept(
            store, vote_id, kept_key, ballot
        ):  # the same, or a conflict kept both by a merge of this very content before
            merge.count("ballots", "same")
        else:
            resolution = merge.conflict(
                "ballots",
                f"{merge.name(ballot['iso3'])} in the {where}",
                mine_ballot["choice"],
                ballot["choice"],
                side_by_side=False,
            )
            if resolution == "took theirs":
                store.conn.execute(
                    "UPDATE ballots SET choice = ?, explanation = ? WHERE vote_id = ? AND iso3 = ?",
                    (ballot["choice"], ballot["explanation"], vote_id, ballot["iso3"]),
                )
            elif resolution == "kept both":
                _add_difference(merge, vote_id, kept_key, ballot["iso3"], ballot["choice"])
    _log_bundle(store, "ballots", vote_id, before_ballots, since)
    # statements: the same state, kind and text is the same statement
    before_statements, since = _bundle(store, "vote_statements", vote_id), store.conn.total_changes
    said = {
        (s["iso3"], s["kind"], s["text"]) for s in _owned(store, "vote_statements", vote_id, "id")
    }
    for s in _owned(other, "vote_statements", their_id, "id"):
        if (s["iso3"], s["kind"], s["text"]) in said:
            merge.count("vote_statements", "same")
            continue
        store.conn.execute(
            "INSERT INTO vote_statements (vote_id, iso3, kind, text) VALUES (?, ?, ?, ?)",
            (vote_id, s["iso3"], s["kind"], s["text"]),
        )
        said.add((s["iso3"], s["kind"], s["text"]))
        merge.count("vote_statements", "new")
    _log_bundle(store, "vote_statements", vote_id, before_statements, since)
    # source records: a key names one record of one vote
    from cahtracker.votes import add_vote_source

    for s in sources:
        if s["key"] not in by_key:
            add_vote_source(store, vote_id, s["key"], s["source"])
            by_key[s["key"]] = vote_id
            merge.count("vote_sources", "new")
        elif by_key[s["key"]] == vote_id:
            merge.count("vote_sources", "same")
        else:
            resolution = merge.conflict(
                "vote_sources",
                f"source {s['key']} names vote {by_key[s['key']]} here, another vote there",
                by_key[s["key"]],
                mine["id"],
                side_by_side=False,
            )
            if resolution == "kept both":
                raise CahError(
                    f"--on-conflict keep-both cannot give source {s['key']} to two votes; "
                    "choose ours or theirs. Nothing was merged."
                )
            if resolution == "took theirs":
                raise CahError(
                    f"--on-conflict theirs would move source {s['key']} between votes; merge "
                    "with ours and correct it by hand. Nothing was merged."
                )
    for d in _owned(other, "ballot_differences", their_id, "key, iso3"):
        _add_difference(merge, vote_id, d["key"], d["iso3"], d["choice"])
    _merge_not_recorded(merge, mine, their_id, where)


def _merge_not_recorded(merge: _Merge, mine: dict[str, Any], their_id: int, where: str) -> None:
    """The ballots OTHER's source gave that the vote does not record (a former state): one
    row per reason, name and choice; another count of one is a conflict (one row)."""
    store, vote_id, table = merge.store, mine["id"], "ballots_not_recorded"
    order = "reason, name, choice"
    before, since = _bundle(store, table, vote_id), store.conn.total_changes
    ours = {(r["reason"], r["name"], r["choice"]): r for r in _owned(store, table, vote_id, order)}
    for row in _owned(merge.other, table, their_id, order):
        slot = (row["reason"], row["name"], row["choice"])
        held = ours.get(slot)
        if held is None:
            store.conn.execute(
                "INSERT INTO ballots_not_recorded (vote_id, reason, name, choice, ballots) "
                "VALUES (?, ?, ?, ?, ?)",
                (vote_id, *slot, row["ballots"]),
            )
            merge.count(table, "new")
        elif held["ballots"] == row["ballots"]:
            merge.count(table, "same")
        else:
            resolution = merge.conflict(
                table,
                f"{row['name']} ({row['reason']}, {row['choice']}) in the {where}",
                held["ballots"],
                row["ballots"],
                side_by_side=False,
            )
            if resolution == "kept both":
                raise CahError(
                    f"--on-conflict keep-both cannot keep two counts of {row['name']}'s "
                    f"ballots not recorded in the {where}; choose ours or theirs. "
                    "Nothing was merged."
                )
            if resolution == "took theirs":
                store.conn.execute(
                    "UPDATE ballots_not_recorded SET ballots = ? WHERE vote_id = ? AND "
                    "reason = ? AND name = ? AND choice = ?",
                    (row["ballots"], vote_id, *slot),
                )
    _log_bundle(store, table, vote_id, before, since)


def _bundle(store, table: str, vote_id: int) -> dict[str, Any] | None:
    from cahtracker.db.changes import owned_bundle

    return owned_bundle(store, table, vote_id)


def _log_bundle(store, table: str, vote_id: int, before: dict[str, Any] | None, since: int) -> None:
    """Log a vote's owned rows as changed: the old bundle deleted, the new one inserted (an
    undo takes back the insert, then puts the old bundle back). `since`: the connection's
    `total_changes` when `before` was read; if no row was written since, nothing changed
    and the rows are not read again (a re-merge of a file that is all the same)."""
    if store.conn.total_changes == since:
        return
    after = _bundle(store, table, vote_id)
    if after == before:
        return
    if before is not None:
        store.log_change(table, vote_id, before, None)
    if after is not None:
        store.log_change(table, vote_id, None, after)


def _kept_key(merge: _Merge, vote: dict[str, Any], ballots: list[dict[str, Any]]) -> str:
    """The `ballot_differences` key OTHER's differing ballots of a vote are kept under
    (keep-both): `merge FILE HASH`, HASH a short digest of the vote's gid and OTHER's
    ballots of it, so that two files of one name (every member sends `copy.db`) never
    share a key, and the same file merged again finds its ballots already kept."""
    digest = _digest([vote["gid"], [(b["iso3"], b["choice"]) for b in ballots]])[:10]
    return f"merge {merge.label} {digest}"


def _kept(store, vote_id: int, key: str, ballot: dict[str, Any]) -> bool:
    return (
        store.scalar(
            "SELECT 1 FROM ballot_differences WHERE vote_id = ? AND key = ? AND iso3 = ? "
            "AND choice IS ?",
            (vote_id, key, ballot["iso3"], ballot["choice"]),
        )
        is not None
    )


def _add_difference(merge: _Merge, vote_id: int, key: str, iso3: str, choice: str | None) -> None:
    store = merge.store
    held = store.one(
        "SELECT choice FROM ballot_differences WHERE vote_id = ? AND key = ? AND iso3 = ?",
        (vote_id, key, iso3),
    )
    if held is not None and held["choice"] == choice:
        merge.count("ballot_differences", "same")
        return
    if held is not None:  # one key and state, two choices: one row per key and state
        resolution = merge.conflict(
            "ballot_differences",
            f"{merge.name(iso3)}'s ballot of source {key} in vote {vote_id} here",
            held["choice"],
            choice,
            side_by_side=False,
        )
        if resolution == "kept both":
            raise CahError(
                f"--on-conflict keep-both cannot keep two ballots of {merge.name(iso3)} under "
                f"source {key}; choose ours or theirs. Nothing was merged."
            )
        if resolution == "took theirs":
            before = {"vote_id": vote_id, "key": key, "iso3": iso3, "choice": held["choice"]}
            store.conn.execute(
                "UPDATE ballot_differences SET choice = ? WHERE vote_id = ? AND key = ? "
                "AND iso3 = ?",
                (choice, vote_id, key, iso3),
            )
            store.log_change(
                "ballot_differences",
                f"{vote_id}/{key}/{iso3}",
                before,
                {**before, "choice": choice},
            )
        return
    values = {"vote_id": vote_id, "key": key, "iso3": iso3, "choice": choice}
    store.conn.execute(
        "INSERT INTO ballot_differences (vote_id, key, iso3, choice) VALUES (?, ?, ?, ?)",
        tuple(values.values()),
    )
    store.log_change("ballot_differences", f"{vote_id}/{key}/{iso3}", None, values)
    merge.count("ballot_differences", "new")
