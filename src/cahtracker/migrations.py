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


SCHEMA_VERSION = len(migrations._migrations)


def apply(db: Database) -> None:
    migrations.apply(db)
