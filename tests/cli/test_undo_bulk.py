"""The undo of an import by sets (db/bulk_undo.py) against the change-by-change undo.

Each test makes two copies of one temporary database, undoes the same batch in both, once
by sets and once change by change (bulk_undo.undo made to decline, as it does for a batch
it does not take), and compares everything: every row of every table with its SQLite type,
and the change log (ids, tables, keys, rows logged, undo links), but the time of the undo.
The votes imported are the real unvotes sample of tests/data/unvotes (former states, so
ballots not recorded too) and fictional UN Digital Library bulk files (write_bulk_csv).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from cahtracker.db import bulk_undo
from conftest import DATA, assert_refused, write_bulk_csv

UNVOTES = DATA / "unvotes" / "unvotes.csv"


def spy_on(real, done: list):
    def spy(*args, **kwargs):
        result = real(*args, **kwargs)
        done.append(len(result))  # only when it did the undo
        return result

    return spy


@pytest.fixture
def by_sets(monkeypatch):
    """Counts the undos done by sets (the other path is asked for with `change_by_change`)."""
    done = []
    monkeypatch.setattr(bulk_undo, "undo", spy_on(bulk_undo.undo, done))
    return done


def change_by_change(monkeypatch) -> None:
    def decline(*args, **kwargs):
        raise bulk_undo.NotBulk

    monkeypatch.setattr(bulk_undo, "undo", decline)


def everything(path: Path) -> dict:
    """Every row of every table (values with their SQLite types), and the log without `at`,
    its rows logged read as JSON (SQLite and Python may space or escape JSON differently)."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name != 'changes' ORDER BY name"
            )
        ]
        out = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            typed = ", ".join(f'"{c}", typeof("{c}")' for c in columns)
            out[table] = sorted(conn.execute(f'SELECT {typed} FROM "{table}"').fetchall(), key=repr)
        log = []
        for row in conn.execute(
            "SELECT id, command, table_name, row_key, before, after, batch, undo_of, undone_by, "
            "with_owned, who FROM changes ORDER BY id"
        ):
            row = list(row)
            row[4:6] = [None if v is None else json.loads(v) for v in row[4:6]]
            log.append(row)
        out["changes"] = log
        out["indexes"] = sorted(
            conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall(),
            key=repr,
        )
        return out
    finally:
        conn.close()


def twin(db_path: Path, tmp_path: Path) -> Path:
    other = tmp_path / "twin.db"
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copy(db_path, other)
    return other


def undo_both(cli, db_path, tmp_path, monkeypatch, by_sets, *args: str):
    """Undo in the test's database by sets and in its twin change by change; both outputs."""
    other = twin(db_path, tmp_path)
    first = cli("db", "undo", *args)
    assert by_sets, "the undo by sets declined"
    change_by_change(monkeypatch)
    second = cli("db", "undo", *args, db=other)
    return first, second, other


def bulk_file(tmp_path: Path, n: int, seed: int) -> Path:
    return write_bulk_csv(tmp_path / f"bulk{n}_{seed}.csv", n, seed)


@pytest.mark.parametrize(
    "imports",
    [
        ["unvotes"],  # most of the ballots table goes: emptied whole, nothing to keep
        ["unvotes", "bulk8"],  # most goes, the first import's ballots are set aside and kept
        ["bulk12", "unvotes"],  # a few of many go: deleted row by row
    ],
)
def test_an_import_undone_by_sets_leaves_what_the_undo_change_by_change_leaves(
    cli, db_path, tmp_path, monkeypatch, by_sets, imports
):
    for name in imports:
        path = UNVOTES if name == "unvotes" else bulk_file(tmp_path, int(name[4:]), 7)
        cli.ok("vote", "import", str(path))
    first, second, other = undo_both(cli, db_path, tmp_path, monkeypatch, by_sets)
    assert first.exit_code == second.exit_code == 0
    assert first.output == second.output
    assert everything(db_path) == everything(other)
    assert cli.ok("db", "check").output == cli.ok("db", "check", db=other).output


def test_redo_of_an_undo_by_sets_puts_back_every_row_as_it_was(cli, db_path, tmp_path, by_sets):
    cli.ok("vote", "import", str(bulk_file(tmp_path, 4, 3)))
    cli.ok("vote", "import", str(UNVOTES))
    imported = everything(db_path)
    cli.ok("db", "undo")
    assert by_sets
    undo = json.loads(cli.ok("db", "log", "-n", "1", "-f", "json").stdout)[0]["batch"]
    cli.ok("db", "undo", "--batch", str(undo))  # redo: each row put back from the log
    again = everything(db_path)
    for table, rows in imported.items():
        if table != "changes":
            assert again[table] == rows, table
    assert again["ballots_not_recorded"] and again["vote_sources"]  # the sample has both


def test_a_batch_partly_undone_by_id_is_undone_by_sets_as_change_by_change(
    cli, db_path, tmp_path, monkeypatch, by_sets
):
    cli.ok("vote", "import", str(UNVOTES))
    log = json.loads(cli.ok("db", "log", "--each", "-n", "50", "-f", "json").stdout)
    vote = next(r for r in log if r["table"] == "votes")
    cli.ok("db", "undo", "--id", str(vote["id"]))  # one vote with its ballots (generic)
    by_sets.clear()
    first, second, other = undo_both(
        cli, db_path, tmp_path, monkeypatch, by_sets, "--batch", str(vote["batch"])
    )
    assert first.output == second.output and first.exit_code == 0
    assert everything(db_path) == everything(other)


def imported_vote(db_path: Path) -> tuple[int, str]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT id, symbol FROM votes WHERE source LIKE 'unvotes%' ORDER BY id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()


def add_source_later(db_path: Path, vote_id: int) -> None:
    """A later command that adds a (fictional) source record to an imported vote, logged."""
    from cahtracker.db import open_store

    store = open_store(db_path)
    try:
        with store.write("test adds a source"):
            cursor = store.conn.execute(
                "INSERT INTO vote_sources (vote_id, key, source) VALUES (?, 'test:1', 'test')",
                (vote_id,),
            )
            row = store.one("SELECT * FROM vote_sources WHERE id = ?", (cursor.lastrowid,))
            store.log_change("vote_sources", row["id"], None, row)
    finally:
        store.close()


def change_outside_the_log(db_path: Path, vote_id: int) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE votes SET note = 'changed by hand' WHERE id = ?", (vote_id,))
    conn.commit()
    conn.close()


LATER = {
    # what is done after the import, and words of the refusal it causes
    "vote edit": (lambda cli, db, v, s: cli.ok("vote", "edit", str(v), "--note", "x"), "later"),
    "vote edited, then back": (
        lambda cli, db, v, s: [
            cli.ok("vote", "edit", str(v), "--meeting", meeting) for meeting in ("39th", "")
        ],
        "undo them first",
    ),
    "a source added": (lambda cli, db, v, s: add_source_later(db, v), "vote_sources"),
    "a vote on its document": (
        lambda cli, db, v, s: cli.ok(
            *("vote", "record", "--doc", s, "--date", "2019-12-20", "--body", "General Assembly"),
            *("--yes", "France", "--source", "test"),
        ),
        "refer",
    ),
    "the default document": (lambda cli, db, v, s: cli.ok("docs", "use", s), "default document"),
    "changed outside the log": (
        lambda cli, db, v, s: change_outside_the_log(db, v),
        "no longer as that change left it",
    ),
}


@pytest.mark.parametrize("later", sorted(LATER))
def test_an_import_a_later_change_depends_on_is_refused_in_the_same_words(
    cli, db_path, tmp_path, monkeypatch, by_sets, unchanged, later
):
    cli.ok("vote", "import", str(UNVOTES))
    batch = json.loads(cli.ok("db", "log", "-n", "1", "-f", "json").stdout)[0]["batch"]
    vote_id, symbol = imported_vote(db_path)
    act, words = LATER[later]
    act(cli, db_path, vote_id, symbol)
    other = twin(db_path, tmp_path)
    with unchanged():
        refused = cli("db", "undo", "--batch", str(batch))
    assert not by_sets  # declined: the change-by-change undo refused it
    assert_refused(refused, "none of it was undone", words)
    change_by_change(monkeypatch)
    assert cli("db", "undo", "--batch", str(batch), db=other).output == refused.output


def test_foreign_keys_and_secure_delete_are_as_before_after_an_undo_by_sets(
    store, tmp_path, by_sets
):
    from cahtracker.db.changes import undo_batch

    store.conn.execute("PRAGMA secure_delete = ON")
    with store.write("test"):  # a fictional batch of two inserts
        for slug in ("t1", "t2"):
            row = {"slug": slug, "title": f"Topic {slug}", "description": None}
            store.conn.execute("INSERT INTO topics VALUES (:slug, :title, :description)", row)
            store.log_change("topics", slug, None, row)
    assert undo_batch(store)["summary"] == "added 2 topics"
    assert by_sets == [2]
    assert not store.query("SELECT * FROM topics WHERE slug IN ('t1', 't2')")
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_a_batch_the_undo_by_sets_declines_is_undone_with_foreign_keys_on(store, by_sets):
    """Fictional topic and stance: the redo of a mixed batch (declined by sets) would put back
    a stance on a topic that an undo by sets deleted since: SQLite's foreign keys refuse it."""
    from cahtracker.db.changes import undo_batch
    from cahtracker.errors import CahError

    topic = {"slug": "tx", "title": "Topic x", "description": None}
    with store.write("test topic"):
        store.conn.execute("INSERT INTO topics VALUES (:slug, :title, :description)", topic)
        store.log_change("topics", "tx", None, topic)
    with store.write("test stance"):  # an insert and an update: not a batch of inserts
        store.conn.execute(
            "INSERT INTO positions (iso3, topic, stance) VALUES ('FRA', 'tx', 'support')"
        )
        stance = store.one("SELECT * FROM positions WHERE topic = 'tx'")
        store.log_change("positions", stance["id"], None, stance)
        store.conn.execute("UPDATE topics SET title = 'Topic x, renamed' WHERE slug = 'tx'")
        store.log_change("topics", "tx", topic, {**topic, "title": "Topic x, renamed"})
    undo_batch(store)  # the stance batch, change by change
    undone = store.scalar("SELECT max(batch) FROM changes")
    assert not by_sets
    undo_batch(store)  # the topic, by sets
    assert by_sets == [1]
    with pytest.raises(CahError, match="restoring the row would break the database"):
        undo_batch(store, undone)  # redo of the stance batch: its topic is gone
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert not store.query("SELECT * FROM positions WHERE topic = 'tx'")


def undo_batch_of_last(cli) -> int:
    return json.loads(cli.ok("db", "log", "-n", "1", "-f", "json").stdout)[0]["batch"]


def test_a_redo_by_sets_leaves_what_the_redo_change_by_change_leaves(
    cli, db_path, tmp_path, monkeypatch, by_sets
):
    cli.ok("vote", "import", str(bulk_file(tmp_path, 3, 5)))
    cli.ok("vote", "import", str(UNVOTES))
    cli.ok("db", "undo")
    by_sets.clear()
    first, second, other = undo_both(
        cli, db_path, tmp_path, monkeypatch, by_sets, "--batch", str(undo_batch_of_last(cli))
    )
    assert first.exit_code == second.exit_code == 0
    assert first.output == second.output
    assert everything(db_path) == everything(other)
    # and the redo is undone again, as the import was
    cli.ok("db", "undo")
    cli.ok("db", "undo", db=other)
    assert everything(db_path) == everything(other)


def add_document_by_hand(db_path: Path, symbol: str) -> None:
    """A fictional document added outside the log, with the symbol in other letter case."""
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO documents (symbol, kind, body) VALUES (?, 'resolution', 'General Assembly')",
        (symbol.lower(),),
    )
    conn.commit()
    conn.close()


REDO_LATER = {
    # what is done after the undo, and words of the refusal of the redo it causes
    "the document added again": (
        lambda cli, db, s: cli.ok(
            *("docs", "add", s, "--title", "t", "--kind", "resolution"),
            *("--body", "General Assembly", "--unsourced"),
        ),
        ("none of it was undone", "later change", "depends on it"),
    ),
    "its symbol in other letters": (
        lambda cli, db, s: add_document_by_hand(db, s),
        ("restoring the row would break the database", "nothing was undone"),
    ),
}


@pytest.mark.parametrize("later", sorted(REDO_LATER))
def test_a_redo_a_later_change_conflicts_with_is_refused_in_the_same_words(
    cli, db_path, tmp_path, monkeypatch, by_sets, unchanged, later
):
    cli.ok("vote", "import", str(UNVOTES))
    _, symbol = imported_vote(db_path)
    cli.ok("db", "undo")
    undo = undo_batch_of_last(cli)
    act, words = REDO_LATER[later]
    act(cli, db_path, symbol)
    by_sets.clear()
    other = twin(db_path, tmp_path)
    with unchanged():
        refused = cli("db", "undo", "--batch", str(undo))
    assert not by_sets
    assert_refused(refused, *words)
    change_by_change(monkeypatch)
    assert cli("db", "undo", "--batch", str(undo), db=other).output == refused.output


def test_a_merge_undone_and_redone_by_sets_leaves_what_change_by_change_leaves(
    cli, db_path, tmp_path, monkeypatch, by_sets
):
    """A member's fictional work brought in by `db merge` (one batch of inserts: votes with
    their ballots, statements and sources, a stance, a timeline event) is undone, then
    redone, by sets and change by change, with the same result."""
    member = tmp_path / "bob.db"
    cli.ok("db", "backup", str(member))
    cli.ok(
        "--who", "bob", "vote", "record", "--doc", "A/RES/99/901", "--date", "2026-11-20",
        "--body", "General Assembly", "--create-doc", "--without-vote",
        "--dissociating", "Peru, Fiji, Chile",
        "--source", "fictional record", db=member,
    )  # fmt: skip
    cli.ok("vote", "import", str(UNVOTES), db=member)
    cli.ok(
        "--who", "bob", "position", "set", "France", "-t", "treaty", "-s", "oppose",
        "--date", "2026-11-01", "--source", "fictional statement B", db=member,
    )  # fmt: skip
    cli.ok("timeline", "add", "2026-12-04", "Fictional briefing B", "--source", "x", db=member)
    cli.ok("db", "merge", str(member))
    first, second, other = undo_both(cli, db_path, tmp_path, monkeypatch, by_sets)
    assert first.exit_code == second.exit_code == 0 and first.output == second.output
    assert everything(db_path) == everything(other)
    assert everything(db_path)["vote_statements"] == []
    monkeypatch.undo()  # by sets again
    undo = str(undo_batch_of_last(cli))
    by_sets.clear()
    monkeypatch.setattr(bulk_undo, "undo", spy_on(bulk_undo.undo, by_sets))
    cli.ok("db", "undo", "--batch", undo)
    assert by_sets
    change_by_change(monkeypatch)
    cli.ok("db", "undo", "--batch", undo, db=other)
    redone = everything(db_path)
    assert redone == everything(other)
    assert len(redone["vote_statements"]) == 3
