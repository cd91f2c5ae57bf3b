"""Ordered, named schema migrations (sqlite-utils' built-in `Migrations`).

Never edit a released migration: add `m00N_...` below it. `SCHEMA_VERSION` is stored in
`PRAGMA user_version` once every migration has run, so that opening an up-to-date
database needs no import of sqlite_utils (see db.open_store).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("cahtracker")


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE states (
            iso3 TEXT PRIMARY KEY,
            iso2 TEXT NOT NULL UNIQUE,
            m49 TEXT,
            name TEXT NOT NULL,
            un_vote_name TEXT NOT NULL,
            regional_group TEXT,
            admitted_on TEXT,
            status TEXT NOT NULL CHECK (status IN ('member', 'observer'))
        );
        CREATE TABLE state_aliases (
            id INTEGER PRIMARY KEY,
            alias TEXT NOT NULL,
            iso3 TEXT NOT NULL REFERENCES states(iso3),
            valid_from TEXT,
            valid_to TEXT,
            source TEXT,
            note TEXT
        );
        CREATE INDEX idx_state_aliases_iso3 ON state_aliases(iso3);
        CREATE TABLE former_states (
            name TEXT PRIMARY KEY,
            iso2 TEXT,
            note TEXT
        );
        CREATE TABLE topics (
            slug TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            description TEXT
        );
        CREATE TABLE documents (
            symbol TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            body TEXT,
            session INTEGER,
            title TEXT,
            parent_symbol TEXT REFERENCES documents(symbol),
            date TEXT,
            date_precision TEXT,
            url TEXT,
            source TEXT
        );
        CREATE TABLE sponsorship_events (
            id INTEGER PRIMARY KEY,
            symbol TEXT NOT NULL REFERENCES documents(symbol),
            iso3 TEXT NOT NULL REFERENCES states(iso3),
            action TEXT NOT NULL CHECK (action IN ('joined', 'withdrew')),
            role TEXT CHECK (role IN ('main', 'co')),
            date TEXT,
            date_precision TEXT NOT NULL DEFAULT 'day',
            source TEXT,
            note TEXT
        );
        CREATE INDEX idx_sponsorship_events_symbol ON sponsorship_events(symbol, iso3);
        CREATE TABLE count_claims (
            id INTEGER PRIMARY KEY,
            symbol TEXT NOT NULL REFERENCES documents(symbol),
            count INTEGER NOT NULL,
            date TEXT,
            date_precision TEXT NOT NULL DEFAULT 'day',
            source TEXT NOT NULL,
            note TEXT
        );
        CREATE TABLE votes (
            id INTEGER PRIMARY KEY,
            symbol TEXT NOT NULL REFERENCES documents(symbol),
            body TEXT,
            date TEXT,
            meeting TEXT,
            method TEXT NOT NULL,
            outcome TEXT,
            majority TEXT CHECK (majority IN ('simple', 'two-thirds')),
            total_yes INTEGER,
            total_no INTEGER,
            total_abstain INTEGER,
            total_non_voting INTEGER,
            total_members INTEGER,
            undl_id TEXT,
            source TEXT,
            note TEXT
        );
        CREATE INDEX idx_votes_symbol ON votes(symbol, date);
        CREATE TABLE ballots (
            vote_id INTEGER NOT NULL REFERENCES votes(id) ON DELETE CASCADE,
            iso3 TEXT NOT NULL REFERENCES states(iso3),
            choice TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain', 'non-voting', 'absent')),
            explanation TEXT,
            PRIMARY KEY (vote_id, iso3)
        ) WITHOUT ROWID;
        CREATE INDEX idx_ballots_iso3 ON ballots(iso3, vote_id);
        CREATE TABLE vote_statements (
            id INTEGER PRIMARY KEY,
            vote_id INTEGER NOT NULL REFERENCES votes(id) ON DELETE CASCADE,
            iso3 TEXT NOT NULL REFERENCES states(iso3),
            kind TEXT NOT NULL CHECK (kind IN ('dissociation', 'explanation')),
            text TEXT
        );
        CREATE INDEX idx_vote_statements_vote ON vote_statements(vote_id);
        CREATE TABLE positions (
            id INTEGER PRIMARY KEY,
            iso3 TEXT NOT NULL REFERENCES states(iso3),
            topic TEXT NOT NULL REFERENCES topics(slug),
            stance TEXT NOT NULL CHECK (stance IN ('support', 'oppose', 'mixed', 'undecided')),
            date TEXT,
            date_precision TEXT NOT NULL DEFAULT 'day',
            source TEXT,
            quote TEXT
        );
        CREATE INDEX idx_positions_topic ON positions(topic, iso3);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            starts_on TEXT,
            ends_on TEXT,
            date_precision TEXT NOT NULL DEFAULT 'day',
            title TEXT NOT NULL,
            body TEXT,
            place TEXT,
            source TEXT,
            note TEXT
        );
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            command TEXT NOT NULL,
            table_name TEXT NOT NULL,
            row_key TEXT NOT NULL,
            before TEXT,
            after TEXT
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        CREATE VIEW _migrations AS
            SELECT name, applied_at FROM _sqlite_migrations WHERE migration_set = 'cahtracker';
        """
    )


@migrations()
def m002_changes_batch(db: Database) -> None:
    """One batch id per command in `changes`, so that `db undo` can take back a whole command.

    Rows logged before this migration keep batch NULL: each is a batch of its own (its id).
    """
    db.execute("ALTER TABLE changes ADD COLUMN batch INTEGER")
    db.execute("CREATE INDEX idx_changes_batch ON changes(batch)")
    db.execute("CREATE INDEX idx_changes_table_row ON changes(table_name, row_key)")


@migrations()
def m003_changes_undo_state(db: Database) -> None:
    """Whether a change is undone becomes data: `undo_of`, `undone_by` and `with_owned`.

    Until schema 2 an undo was known only by its command text `db undo #N`. The text stays
    (it is what `db log` shows); this migration reads it once, sets `undo_of`, and replays
    the log in order to set `undone_by` as the old rule decided it (a change is undone
    while one of its undo records is itself in effect). Nothing is lost: every row keeps
    every value it had. A `vote import` logged each vote without its ballots: `with_owned`
    records that for the votes it inserted. Rows logged before schema 2 get their own id as
    their batch, as `coalesce(batch, id)` read them.
    """
    import re

    db.execute("ALTER TABLE changes ADD COLUMN undo_of INTEGER")
    db.execute("ALTER TABLE changes ADD COLUMN undone_by INTEGER")
    db.execute("ALTER TABLE changes ADD COLUMN with_owned INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE changes SET batch = id WHERE batch IS NULL")
    pattern = re.compile(r"^db undo #(\d+)$")
    undo_of: dict[int, int] = {}
    for change_id, command in db.execute(
        "SELECT id, command FROM changes WHERE command LIKE 'db undo #%' ORDER BY id"
    ).fetchall():
        match = pattern.match(command)
        if match:
            undo_of[change_id] = int(match.group(1))
    undoers: dict[int, list[int]] = {}
    for record, target in undo_of.items():
        undoers.setdefault(target, []).append(record)
    undone_by: dict[int, int | None] = {}
    # an undo record is younger than its target: decide the youngest first
    for change_id in sorted(set(undo_of) | set(undoers), reverse=True):
        alive = [u for u in undoers.get(change_id, ()) if undone_by.get(u) is None]
        undone_by[change_id] = max(alive) if alive else None
    db.conn.executemany(
        "UPDATE changes SET undo_of = ? WHERE id = ?", [(t, r) for r, t in undo_of.items()]
    )
    db.conn.executemany(
        "UPDATE changes SET undone_by = ? WHERE id = ?",
        [(u, c) for c, u in undone_by.items() if u is not None],
    )
    db.execute(
        "UPDATE changes SET with_owned = 1 WHERE command = 'vote import' "
        "AND table_name = 'votes' AND before IS NULL AND after IS NOT NULL"
    )
    db.execute("CREATE INDEX idx_changes_undo_of ON changes(undo_of) WHERE undo_of IS NOT NULL")
    db.execute(
        "CREATE INDEX idx_changes_in_effect ON changes(id) "
        "WHERE undone_by IS NULL AND undo_of IS NULL"
    )


@migrations()
def m004_foreign_key_indexes(db: Database) -> None:
    """An index on every column that refers to a row an undo may delete (so that finding
    the rows that refer to it is a lookup, not a scan: undo stays linear)."""
    db.execute("CREATE INDEX idx_documents_parent ON documents(parent_symbol)")
    db.execute("CREATE INDEX idx_count_claims_symbol ON count_claims(symbol)")
    db.execute("CREATE INDEX idx_vote_statements_iso3 ON vote_statements(iso3)")
    db.execute("CREATE INDEX idx_positions_iso3 ON positions(iso3)")


@migrations()
def m005_documents_one_per_symbol(db: Database) -> None:
    """One document per symbol in any letter case, enforced by the schema.

    A database in which a race of an earlier release stored one symbol in two letter cases
    keeps both (nothing is dropped): the index is then not unique, and `db check` lists them.
    """
    duplicates = db.execute(
        "SELECT 1 FROM documents GROUP BY upper(symbol) HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    unique = "" if duplicates else "UNIQUE "
    db.execute(f"CREATE {unique}INDEX idx_documents_symbol_folded ON documents(upper(symbol))")


@migrations()
def m006_former_states_source(db: Database) -> None:
    """Each former state names its source, as data/former_states.csv does."""
    db.execute("ALTER TABLE former_states ADD COLUMN source TEXT")


@migrations()
def m007_vote_sources(db: Database) -> None:
    """One vote per real vote, however many sources record it.

    `vote_sources`: each source record of a vote (its key, as `votes.undl_id` held the first
    one: `undl:4031242`, `unvotes rcid 5480`), so that a second source of the same vote adds
    itself to it instead of making a second vote. `ballot_differences`: where a later source's
    ballot is not the vote's (its choice, or NULL for no ballot), kept beside it. `question`:
    what was voted on (the text as a whole, an amendment, a paragraph, a motion), when the
    source says. Every vote that had a key gets its source row; nothing is dropped.
    """
    db.execute("ALTER TABLE votes ADD COLUMN question TEXT")
    db.executescript(
        """
        CREATE TABLE vote_sources (
            id INTEGER PRIMARY KEY,
            vote_id INTEGER NOT NULL REFERENCES votes(id),
            key TEXT NOT NULL UNIQUE,
            source TEXT
        );
        CREATE INDEX idx_vote_sources_vote ON vote_sources(vote_id);
        CREATE TABLE ballot_differences (
            vote_id INTEGER NOT NULL REFERENCES votes(id),
            key TEXT NOT NULL,
            iso3 TEXT NOT NULL REFERENCES states(iso3),
            choice TEXT CHECK (choice IN ('yes', 'no', 'abstain', 'non-voting', 'absent')),
            PRIMARY KEY (vote_id, key, iso3)
        ) WITHOUT ROWID;
        CREATE INDEX idx_ballot_differences_iso3 ON ballot_differences(iso3);
        INSERT INTO vote_sources (vote_id, key, source)
            SELECT id, CASE WHEN EXISTS (
                SELECT 1 FROM votes w WHERE w.undl_id = v.undl_id AND w.id < v.id
            ) THEN v.undl_id || ' (vote ' || v.id || ')' ELSE v.undl_id END, source
            FROM votes v WHERE undl_id IS NOT NULL ORDER BY id;
        """
    )


def _kind_check(column: str, kinds: tuple[str, ...]) -> str:
    return f"CHECK ({column} IN ({', '.join(repr(k) for k in kinds)}))"


@migrations()
def m008_source_kinds(db: Database) -> None:
    """What kind of source backs each sourced row, and how a quote was taken.

    `source_kind` (positions, events, count_claims, sponsorship_events): un-record,
    government, press, ngo or secondary (data/CAH_SOURCES.md); `quote_kind` (positions):
    verbatim, paraphrase or translation; `positions.note`: what the row's source adds or
    does not prove; `sponsorship_events.listed_as`: original (printed on the draft) or
    additional (joined later), as the UN's documents say; `sponsorship_events.after`: a date
    the event is known to be later than, when its own date is not known (an additional
    sponsor joined after the draft's date). NULL: not said (earlier rows). `document_notes`:
    what a source says about a document besides its sponsors ("Cuba [on behalf of the Group
    of 77 and China]", "The amendment was rejected by the Committee"), each with its source.
    """
    # the kinds as released with this migration (cahtracker.provenance names them for the code)
    source_kind = _kind_check(
        "source_kind", ("un-record", "government", "press", "ngo", "secondary")
    )
    for table in ("positions", "events", "count_claims", "sponsorship_events"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN source_kind TEXT {source_kind}")
    quote_kind = _kind_check("quote_kind", ("verbatim", "paraphrase", "translation"))
    db.execute(f"ALTER TABLE positions ADD COLUMN quote_kind TEXT {quote_kind}")
    db.execute("ALTER TABLE positions ADD COLUMN note TEXT")
    db.execute(
        "ALTER TABLE sponsorship_events ADD COLUMN listed_as TEXT "
        + _kind_check("listed_as", ("original", "additional"))
    )
    db.execute("ALTER TABLE sponsorship_events ADD COLUMN after TEXT")
    db.executescript(
        f"""
        CREATE TABLE document_notes (
            id INTEGER PRIMARY KEY,
            symbol TEXT NOT NULL REFERENCES documents(symbol),
            text TEXT NOT NULL,
            source TEXT,
            source_kind TEXT {source_kind}
        );
        CREATE INDEX idx_document_notes_symbol ON document_notes(symbol);
        """
    )


@migrations()
def m012_membership_gaps(db: Database) -> None:
    """Periods in which a member state held no seat of its own (data/membership_gaps.csv):
    Syria within the United Arab Republic, Indonesia in 1965-1966. A source that lists only
    the states that voted gives the members of the day a non-voting ballot, but not these.

    A database made before this release also receives the reference rows added since it was
    made (the membership history's dated aliases and former states, the names read from UN
    documents, these gaps): `sync_reference_data` adds what it lacks and changes nothing else.
    """
    db.execute(
        "CREATE TABLE membership_gaps (id INTEGER PRIMARY KEY, iso3 TEXT NOT NULL "
        "REFERENCES states(iso3), valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, "
        "source TEXT NOT NULL, note TEXT)"
    )
    from cahtracker.db import sync_reference_data

    sync_reference_data(db.conn)


@migrations()
def m013_changes_in_effect_by_table(db: Database) -> None:
    """The changes in effect of one table after a given change, found by an index: an undo
    of an imported vote asks whether a later command wrote rows the vote owns, and while it
    runs, its own undo records (not in this index) would otherwise be scanned again and again."""
    db.execute(
        "CREATE INDEX idx_changes_in_effect_by_table ON changes(table_name, id) "
        "WHERE undone_by IS NULL AND undo_of IS NULL"
    )


@migrations()
def m014_ballots_not_recorded(db: Database) -> None:
    """The ballots a source gave that a vote does not record, per vote: a former state
    without a continuing seat (the German Democratic Republic, Czechoslovakia, ...) or, with
    `--skip-unknown`, a name not known here. `name` is the state as the source named it;
    `ballots` how many rows of that name and choice the vote's source had (normally 1). So a
    tally can be set against the source's own count, and such a vote is never complete."""
    db.execute(
        """
        CREATE TABLE ballots_not_recorded (
            vote_id INTEGER NOT NULL REFERENCES votes(id),
            reason TEXT NOT NULL CHECK (reason IN ('former state', 'unknown name')),
            name TEXT NOT NULL,
            choice TEXT NOT NULL
                CHECK (choice IN ('yes', 'no', 'abstain', 'non-voting', 'absent')),
            ballots INTEGER NOT NULL DEFAULT 1 CHECK (ballots > 0),
            PRIMARY KEY (vote_id, reason, name, choice)
        ) WITHOUT ROWID
        """
    )


@migrations()
def m015_global_ids(db: Database) -> None:
    """A global id and an origin for every fact (db/ids.py says why), who wrote each change.

    `gid` (UUIDv7 text, unique per table) and `origin` (who wrote the row) on each table of
    `ids.FACT_TABLES`; `changes.who`. An existing row that still holds a seed row's values
    gets that seed row's id (so that copies made from one seed agree on its facts), every
    other row a new id; origin stays NULL (not known) except for seed rows ('seed'). Nothing
    else changes: rows keep their integer keys, and changes logged before keep their text.
    """
    from cahtracker.db import seed_sql_path, split_sql
    from cahtracker.db.ids import FACT_TABLES, SEED_ORIGIN, new_gid

    conn = db.conn
    conn.execute("ALTER TABLE changes ADD COLUMN who TEXT")
    for table in FACT_TABLES:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN gid TEXT")
        conn.execute(f"ALTER TABLE {table} ADD COLUMN origin TEXT")
    if conn.execute("SELECT 1 FROM states LIMIT 1").fetchone():  # not a new file
        script = seed_sql_path().read_text(encoding="utf-8")
        for table in FACT_TABLES:
            _adopt_seed_gids(conn, table, script, split_sql, SEED_ORIGIN)
            rows = conn.execute(f"SELECT rowid FROM {table} WHERE gid IS NULL").fetchall()
            conn.executemany(
                f"UPDATE {table} SET gid = ? WHERE rowid = ?", [(new_gid(), r[0]) for r in rows]
            )
    for table in FACT_TABLES:
        conn.execute(f"CREATE UNIQUE INDEX idx_{table}_gid ON {table}(gid)")


def _adopt_seed_gids(conn, table: str, script: str, split_sql, origin: str) -> None:
    """Give the rows of `table` that hold a seed row's values (every column but the keys)
    that row's gid, one row per seed row."""
    prefix = f"INSERT INTO {table} "
    conn.execute(f"CREATE TEMP TABLE seed_{table} AS SELECT * FROM main.{table} WHERE 0")
    for statement in split_sql(script):
        if statement.startswith(prefix):
            conn.execute(f"INSERT INTO temp.seed_{table} " + statement[len(prefix) :])
    columns = [
        r[1]
        for r in conn.execute(f"PRAGMA table_info({table})")
        if r[1] not in ("id", "gid", "origin")
    ]
    names = ", ".join(columns)
    match = " AND ".join(f"t.{c} IS ?" for c in columns)
    if table == "documents":  # a document is its symbol
        match, names = "upper(t.symbol) = upper(?)", "symbol"
    for row in conn.execute(
        f"SELECT gid, {names} FROM temp.seed_{table} WHERE gid IS NOT NULL ORDER BY rowid"
    ).fetchall():
        gid, values = row[0], row[1:]
        if conn.execute(f"SELECT 1 FROM main.{table} WHERE gid = ?", (gid,)).fetchone():
            continue
        conn.execute(
            f"UPDATE main.{table} SET gid = ?, origin = ? WHERE rowid = (SELECT t.rowid FROM "
            f"main.{table} t WHERE t.gid IS NULL AND {match} ORDER BY t.rowid LIMIT 1)",
            (gid, origin, *values),
        )
    conn.execute(f"DROP TABLE temp.seed_{table}")


SCHEMA_VERSION = len(migrations._migrations)


def apply(db: Database) -> None:
    migrations.apply(db)
