"""The database layer: where the file is, opening it, first-use set-up, one transaction a command.

Reads and the domain's writes go through the standard library's sqlite3 connection, so
that a listing starts without importing sqlite_utils (about 160 ms here). sqlite-utils
works on the same connection (`Store.db`) where it helps: its `Migrations` (migrations.py,
applied on first use and on upgrade) and `db check`'s list of applied migrations. `db undo`
reads primary and foreign keys from SQLite's PRAGMAs itself (changes.py says why).
Nothing here prints or exits. The package: changes.py (the change log and undo),
maintenance.py (check, backup), migrations.py (the schema).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cahtracker.errors import CahError

ENV_VAR = "CAHTRACKER_DB"
DB_FILENAME = "cahtracker.db"
APP_NAME = "cahtracker"
BUSY_TIMEOUT_MS = 60_000
# Test hook: when set, a page limit for the file (PRAGMA max_page_count), so that tests can
# make a write run out of room as on a full disk. Never set in normal use.
MAX_PAGES_ENV = "CAHTRACKER_TEST_MAX_PAGES"
# Bump together with migrations.py (checked by a test); an up-to-date file skips migrating.
SCHEMA_VERSION = 13


def seed_sql_path() -> Path:
    """data/seed.sql: inside the wheel as cahtracker/data/seed.sql, in a checkout at data/."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "data" / "seed.sql"
    if packaged.exists():
        return packaged
    return package.parents[1] / "data" / "seed.sql"


def _dict_factory(cursor: sqlite3.Cursor, row: tuple) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


def split_sql(script: str) -> Iterator[str]:
    """Complete statements of a script, for running one by one inside a transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        if not statement and (not line.strip() or line.lstrip().startswith("--")):
            continue
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement
            statement = ""
    if statement.strip():
        raise ValueError("seed.sql ends inside a statement")


class Store:
    """One open database: `query`/`one` for reads, `write(command)` for a transaction."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.command = "cahtracker"
        self.batch: int | None = None  # the batch id of the open write, set by its first change
        self.wrote = False  # a write of this command was committed (what Ctrl-C says)
        self.memo: dict = {}  # results a command computes twice (cleared by every write)
        self.who: str | None = None  # who writes (--who): the origin of new rows (db/ids.py)
        self.who_error: str | None = None  # a bad name from the environment: refuses writes
        self._db = None

    @property
    def db(self):  # -> sqlite_utils.Database, imported only by the code that writes
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    def cursor(self, sql: str, params: Sequence | dict = ()) -> sqlite3.Cursor:
        """A cursor whose rows are dicts (the connection itself keeps tuples for sqlite-utils)."""
        cursor = self.conn.cursor()
        cursor.row_factory = _dict_factory
        return cursor.execute(sql, params)

    def query(self, sql: str, params: Sequence | dict = ()) -> list[dict[str, Any]]:
        return self.cursor(sql, params).fetchall()

    def one(self, sql: str, params: Sequence | dict = ()) -> dict[str, Any] | None:
        return self.cursor(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence | dict = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @contextmanager
    def write(self, command: str) -> Iterator[Store]:
        """One writing command = one IMMEDIATE transaction; other writers wait (busy timeout)."""
        if self.conn.in_transaction:
            raise RuntimeError("write() does not nest")
        if self.who_error:
            raise CahError(self.who_error)
        self.command = command
        self.batch = None
        self.memo.clear()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            try:
                from cahtracker.db.ids import fill_missing

                fill_missing(self.conn, self.who)  # no fact row is committed without a gid
                self.conn.execute("COMMIT")
            except KeyboardInterrupt:
                # Ctrl-C during the COMMIT is raised as it returns: committed, or not begun
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                else:
                    self.wrote = True
                raise
            self.wrote = True
        finally:
            self.batch = None

    def log_change(
        self,
        table: str,
        key: str | int,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        *,
        with_owned: bool = False,
    ) -> int:
        """Record one write in the change log (`db log`, `db undo`): see db/changes.py."""
        from cahtracker.db.changes import log_change

        return log_change(self, table, key, before, after, with_owned=with_owned)

    def setting(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM settings WHERE key = ?", (key,))

    def close(self) -> None:
        self.conn.close()


# `ORDER BY name COLLATE state_name`: names in the order a reader expects (Côte d'Ivoire
# between Costa Rica and Croatia, Türkiye before Turkmenistan), not by their bytes; the
# rule is `names.name_key` (accents and case ignored). Only in queries, never in the schema,
# so that other SQLite readers of the file (the sqlite3 shell, Datasette) need nothing.
NAME_COLLATION = "state_name"


def _compare_names(left: str, right: str) -> int:
    from cahtracker.names import name_key

    a, b = (name_key(left), left), (name_key(right), right)
    return (a > b) - (a < b)


def add_collations(conn: sqlite3.Connection) -> None:
    """The collations cahtracker's queries use, on any connection that runs them."""
    conn.create_collation(NAME_COLLATION, _compare_names)


def connect(path: Path) -> sqlite3.Connection:
    """A connection with cahtracker's settings; none of them writes to the file."""
    max_pages = _max_pages()
    # one thread at a time, but not always the same one: a bulk import's inserts run in a
    # thread of their own while the main thread reads on (importers/writer.py, _Background)
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    add_collations(conn)
    if max_pages is not None:
        conn.execute(f"PRAGMA max_page_count = {max_pages}")
    return conn


def _max_pages() -> int | None:
    text = os.environ.get(MAX_PAGES_ENV)
    if not text:
        return None
    if not (text.strip().isascii() and text.strip().isdigit()) or not 0 < int(text) < 2**31:
        raise CahError(f"{MAX_PAGES_ENV} must be a page count (1 or more), not {text!r}.")
    return int(text)


SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_BYTES = 100  # the SQLite file header: the magic, the journal mode (bytes 18-19), ...


def _header(path: Path) -> bytes | None:
    """The file's first 100 bytes (b"" for an empty file), None when there is no file.

    Refuses, with nothing written, a folder, anything that is not a regular file (a device
    such as /dev/null, a pipe: SQLite would write `-journal` beside it) and a file that is
    not SQLite.
    """
    import stat

    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CahError(f"Cannot open {path}: {error.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise CahError(
            f"Database path {path} is a folder; give a file path such as {path / DB_FILENAME}."
        )
    if not stat.S_ISREG(info.st_mode):
        raise CahError(
            f"Database path {path} is not a regular file (a device, a pipe or a socket); "
            "give a database file or a new path."
        )
    if info.st_nlink > 1:
        # SQLite names the write-ahead log after the path it is given: two names of one file
        # get two logs, and commits made through one name are lost to the other
        raise CahError(
            f"{path} has {info.st_nlink} names (hard links); writes through two names of one "
            "database can be lost, as SQLite keeps a log per name. Use one name: remove the "
            "other links (`ls -i` shows them) or copy the file; a symbolic link is safe."
        )
    if not info.st_size:
        return b""
    try:
        with open(path, "rb") as handle:
            header = handle.read(HEADER_BYTES)
    except OSError as error:
        raise CahError(f"Cannot open {path}: {error.strerror}.") from None
    if header[:16] != SQLITE_MAGIC:
        raise CahError(
            f"{path} is not a SQLite database; give a cahtracker database file or a new path."
        )
    return header


def _is_ours(conn: sqlite3.Connection) -> bool | None:
    """True if cahtracker made this database (its migrations are recorded in it), False if
    not, None if SQLite cannot read far enough to tell (a damaged file: `db check` says)."""
    try:
        return (
            conn.execute(
                "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1", (APP_NAME,)
            ).fetchone()
            is not None
        )
    except sqlite3.OperationalError as error:
        if "no such" in str(error):  # no such table / column: another application's file
            return False
        raise
    except sqlite3.DatabaseError:
        return None


def is_cahtracker_database(path: Path) -> bool:
    """Whether the SQLite file at `path` is one cahtracker made, read without writing."""
    try:
        return bool(_ours_read_only(Path(path), immutable=True))
    except sqlite3.Error:
        return False


def _refuse_foreign_without_writing(path: Path) -> None:
    """Refuse another application's SQLite file before any read-write connection touches it.

    A read-write open already changes a foreign file when a `-wal` or `-journal` is left
    beside it: SQLite checkpoints the WAL into the file (and deletes it) when the last
    connection closes, and rolls a hot journal back into it. So the file is first read
    without writing: immutably (the file alone), and, when a `-wal` or `-journal` is beside
    it, read-only (which reads a WAL and waits for a live writer, as a first run seeding the
    file). A hot journal (a crashed writer's) cannot be read without rolling it back: such a
    file is refused too, unless its own content already shows cahtracker's migrations.
    """
    ours = _ours_read_only(path, immutable=True)
    if ours is not False:
        return  # ours, or damaged (the open path and `db check` say)
    siblings = [Path(f"{path}-wal"), Path(f"{path}-journal")]
    if not any(p.exists() for p in siblings):
        _refuse_foreign(path)
    shm = Path(f"{path}-shm")
    had_shm = shm.exists()
    try:
        ours = _ours_read_only(path, immutable=False)
    except sqlite3.OperationalError as error:
        if "readonly" in str(error) or "read-only" in str(error):
            raise CahError(
                f"{path} has a journal of an interrupted write beside it ({path.name}-journal) "
                "and its own content is not a cahtracker database; it was left as it was. "
                "Open it with the program that made it, or give another path."
            ) from None
        raise
    if ours is False:
        if not had_shm:
            shm.unlink(missing_ok=True)  # the read's shared-memory index, made just now
        _refuse_foreign(path)


def _ours_read_only(path: Path, immutable: bool) -> bool | None:
    from urllib.parse import quote

    flags = "mode=ro&immutable=1" if immutable else "mode=ro"
    conn = sqlite3.connect(
        f"file:{quote(str(path.resolve()))}?{flags}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        return _is_ours(conn)
    except sqlite3.OperationalError:
        if immutable:
            return None  # cannot tell from the file alone
        raise
    finally:
        conn.close()


def _refuse_foreign(path: Path) -> None:
    raise CahError(
        f"{path} is an SQLite database that cahtracker did not make (no cahtracker "
        "migrations in it); it was left as it was. Give a cahtracker database or a new path."
    )


def open_store(path: Path) -> Store:
    """Open (and on first use create, migrate and seed) the database at `path`.

    "New" is decided from the file alone: a missing or empty file becomes a cahtracker
    database. Any other SQLite file is opened only if cahtracker made it (its migrations
    are recorded in it); another application's database is refused with nothing written,
    its journal mode included. Ours is switched to WAL on every open that finds it in
    another mode (a backup restored over it, a copy), so that readers never wait for writers.
    """
    path = Path(path)
    header = _header(path)
    if header is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CahError(f"Cannot create the folder for {path}: {error.strerror}.") from None
    new = not header
    if not new:
        _refuse_foreign_without_writing(path)
    try:
        conn = connect(path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        ours = True if new else _is_ours(conn)
    except sqlite3.DatabaseError as error:
        hint = ""
        if "readonly" in str(error) or "unable to open" in str(error):
            hint = (
                f"; the file or its folder is read-only (SQLite writes {path.name}-wal and "
                f"{path.name}-shm beside it): use a writable folder or copy the file"
            )
        raise CahError(f"Cannot open {path}: {error}{hint}.") from None
    if ours is False:
        conn.close()
        _refuse_foreign(path)
    store = Store(path, conn)
    if version > SCHEMA_VERSION:
        conn.close()
        raise CahError(
            f"{path} was made by a newer cahtracker (schema {version}, this one knows {SCHEMA_VERSION}); "
            "upgrade cahtracker to open it."
        )
    if ours is None:
        return store  # damaged: nothing is written at open; the command or `db check` says
    try:
        if version < SCHEMA_VERSION:
            _retry_while_locked(lambda: _migrate_and_seed(store))
        if new or header[18:20] != b"\x02\x02":
            _retry_while_locked(lambda: _use_wal(conn))
    except sqlite3.OperationalError as error:
        conn.close()
        raise CahError(f"Cannot set up the database {path}: {error}.") from None
    return store


def _use_wal(conn: sqlite3.Connection) -> None:
    """WAL, unless the file cannot be written (a read-only file is still read as it is)."""
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
    except sqlite3.OperationalError as error:
        if "readonly" not in str(error) and "read-only" not in str(error):
            raise


def _retry_while_locked(action, timeout: float = BUSY_TIMEOUT_MS / 1000) -> None:
    """Run `action` again while SQLite answers "locked" at once instead of waiting.

    SQLite skips the busy handler where waiting could deadlock (a journal-mode change, or
    a reader upgrading to a writer while another process sets up the same new file), so
    concurrent first uses retry here, with a little jitter, until the timeout.
    """
    import random
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            action()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02 + random.random() * 0.08)


def _migrate_and_seed(store: Store) -> None:
    from cahtracker.db import migrations

    conn = store.conn
    # a new file is set up in SQLite's default rollback mode and switched to WAL after
    # (open_store): until the set-up commits, the file is empty to any other process
    with store.write("db init"):
        # another process may have finished the set-up while this one waited for the lock
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        migrations.apply(store.db)
        if not conn.execute("SELECT 1 FROM states LIMIT 1").fetchone():
            load_seed(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


# reference tables and the columns that name a row of each: what an older database is given
REFERENCE_KEYS = {
    "state_aliases": ("alias", "iso3", "valid_from", "valid_to"),
    "former_states": ("name",),
    "membership_gaps": ("iso3", "valid_from"),
}


def sync_reference_data(conn: sqlite3.Connection, seed_path: Path | None = None) -> int:
    """Add to an existing database the reference rows of the seed it lacks (none of the
    process's facts: those are the user's); a new database gets the whole seed instead.
    Returns the number of rows added."""
    if not conn.execute("SELECT 1 FROM states LIMIT 1").fetchone():
        return 0  # a new database: the seed follows the migrations
    added = 0
    script = (seed_path or seed_sql_path()).read_text(encoding="utf-8")
    for table, keys in REFERENCE_KEYS.items():
        conn.execute(f"CREATE TEMP TABLE incoming_{table} AS SELECT * FROM main.{table} WHERE 0")
        prefix = f"INSERT INTO {table} "
        for statement in split_sql(script):
            if statement.startswith(prefix):
                conn.execute(f"INSERT INTO temp.incoming_{table} " + statement[len(prefix) :])
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "id"]
        match = " AND ".join(f"t.{k} IS i.{k}" for k in keys)
        # a row naming a state the database does not hold is left out (never a broken key)
        known = " AND i.iso3 IN (SELECT iso3 FROM main.states)" if "iso3" in columns else ""
        added += conn.execute(
            f"INSERT INTO main.{table} ({', '.join(columns)}) "
            f"SELECT {', '.join('i.' + c for c in columns)} FROM temp.incoming_{table} i "
            f"WHERE NOT EXISTS (SELECT 1 FROM main.{table} t WHERE {match}){known}"
        ).rowcount
        conn.execute(f"DROP TABLE temp.incoming_{table}")
    return added


def _without_ids(statement: str) -> str:
    """A seed INSERT without its trailing `gid, origin` columns (scripts/build_seed.py puts
    them last), for a database older than them."""
    import re

    head, sep, tail = statement.partition(") VALUES (")
    if not head.endswith(", gid, origin"):
        return statement
    tail = re.sub(r", '[0-9a-f-]{36}', '[^']*'\);\s*$", ");\n", tail)
    return head[: -len(", gid, origin")] + sep + tail


def load_seed(
    conn: sqlite3.Connection, seed_path: Path | None = None, skip: tuple[str, ...] = ()
) -> int:
    """Run data/seed.sql statement by statement inside the caller's transaction (`skip`: the
    tables whose rows to leave out, as a database made before they existed lacks them)."""
    count = 0
    skipped = tuple(f"INSERT INTO {table} " for table in skip)
    # a database made before the global ids (db/ids.py) takes the seed's facts without them
    before_ids = not conn.execute(
        "SELECT 1 FROM pragma_table_info('votes') WHERE name = 'gid'"
    ).fetchone()
    for statement in split_sql((seed_path or seed_sql_path()).read_text(encoding="utf-8")):
        if skipped and statement.startswith(skipped):
            continue
        if before_ids:
            statement = _without_ids(statement)
        conn.execute(statement)
        count += 1
    return count
