"""Issue 15 beyond its numbered cases: the rules behind them, each from its other sides.

Backups replace only earlier backups; a purge keeps what is in effect undoable; undo and
`db check` keep the default document whole; an SQLite file is ours only by its migrations;
Ctrl-C says whether the command had written. Every database is a temporary one and every
text fictional.
"""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from cahtracker.db import SCHEMA_VERSION, open_store
from cahtracker.errors import CahError
from conftest import assert_refused, file_digest


def changes(cli) -> list[dict]:
    return json.loads(cli.ok("db", "log", "-n", "1000", "-f", "json").stdout)


# ---- db backup --force -----------------------------------------------------------------------


def test_backup_force_replaces_an_earlier_backup(cli, tmp_path):
    copy = tmp_path / "cah-backup.db"
    cli.ok("db", "backup", str(copy))
    assert_refused(cli("db", "backup", str(copy)), "already exists", "--force")
    cli.ok("timeline", "add", "2031-01-01", "Fictional later event", "--source", "t")
    cli.ok("db", "backup", str(copy), "--force")
    events = cli.ok("timeline", "list", "-f", "json", db=copy).stdout
    assert "Fictional later event" in events
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_backup_force_never_replaces_a_database_in_use_or_another_file(cli, db_path, tmp_path):
    live = tmp_path / "other.db"
    shutil.copy(db_path, live)
    cli.ok("states", "list", db=live)  # opened: in WAL, a database in use, not a backup
    before = file_digest(live)
    assert_refused(cli("db", "backup", str(live), "--force"), "database in use")
    assert file_digest(live) == before
    notes = tmp_path / "notes.db"
    notes.write_text("my notes, not a database")
    assert_refused(cli("db", "backup", str(notes), "--force"), "not a cahtracker database")
    assert notes.read_text() == "my notes, not a database"
    assert_refused(cli("db", "backup", str(db_path), "--force"), "is the database")


def test_a_backup_without_the_log_is_a_working_database(cli, tmp_path):
    cli.ok("timeline", "add", "2031-01-01", "Fictional event", "--source", "t")
    copy = tmp_path / "public.db"
    result = cli.ok("db", "backup", str(copy), "--without-log")
    assert "without the change log" in result.stdout
    assert changes(cli.__class__(copy)) == []
    assert "Fictional event" in cli.ok("timeline", "list", "-f", "json", db=copy).stdout
    cli.ok("timeline", "add", "2031-02-01", "Another fictional event", "--source", "t", db=copy)
    assert len(changes(cli.__class__(copy))) == 1  # the copy logs its own writes again


# ---- db log --purge-undone -------------------------------------------------------------------


def test_purge_keeps_what_is_in_effect_and_it_stays_undoable(cli):
    cli.ok("timeline", "add", "2031-01-01", "Kept fictional event", "--source", "t")
    cli.ok("timeline", "add", "2031-02-01", "Undone fictional event", "--source", "t")
    cli.ok("db", "undo")
    result = cli.ok("db", "log", "--purge-undone")
    assert "Purged 1 undone changes and 1 undo records" in result.stdout
    rows = changes(cli)
    assert all(not r["undone"] and r["undoes"] is None for r in rows)
    assert "Undone fictional event" not in json.dumps(rows)
    assert "Kept fictional event" in json.dumps(rows)
    cli.ok("db", "undo")  # the kept event's insert is still in effect, so undoable
    assert "Kept fictional event" not in cli.ok("timeline", "list", "-f", "json").stdout
    cli.ok("db", "check")


def test_purge_after_a_redo_keeps_the_redone_change(cli):
    """Undo, then redo (undo of the undo): the change is in effect again; a purge deletes
    the two undo records (copies of the row) and leaves the change, undoable."""
    cli.ok("timeline", "add", "2031-01-01", "Redone fictional event", "--source", "t")
    cli.ok("db", "undo")
    undo_batch = changes(cli)[0]["batch"]
    cli.ok("db", "undo", "--batch", str(undo_batch))  # redo
    cli.ok("db", "log", "--purge-undone")
    rows = changes(cli)
    assert [r["command"] for r in rows if r["table"] == "events"] == ["timeline add"]
    assert "Redone fictional event" in cli.ok("timeline", "list", "-f", "json").stdout
    cli.ok("db", "undo")
    assert "Redone fictional event" not in cli.ok("timeline", "list", "-f", "json").stdout


def test_purge_with_nothing_undone_changes_no_row(cli):
    cli.ok("timeline", "add", "2031-01-01", "Fictional event", "--source", "t")
    before = changes(cli)
    assert (
        "Purged 0 undone changes and 0 undo records" in cli.ok("db", "log", "--purge-undone").stdout
    )
    assert changes(cli) == before


# ---- references the change log keeps whole ---------------------------------------------------


def test_undo_of_docs_use_that_would_name_a_removed_document_is_refused(cli, unchanged):
    cli.ok(
        *("docs", "add", "A/C.6/99/L.5", "--title", "t", "--kind", "draft"),
        *("--body", "Sixth Committee", "--source", "fictional record"),
    )
    cli.ok("docs", "use", "A/C.6/99/L.5")
    cli.ok("docs", "use", "A/C.6/79/L.2/Rev.1")
    adds = [r["id"] for r in changes(cli) if r["command"] == "docs add"]
    cli.ok("db", "undo", "--id", str(adds[0]))  # no longer the default: may go
    with unchanged():  # the last `docs use` would put back a default naming it
        assert_refused(cli("db", "undo"), "no document has", "A/C.6/99/L.5")
    cli.ok("db", "check")


def test_db_check_says_references_ok_on_a_sound_database(cli):
    assert "references: ok" in cli.ok("db", "check").stdout


# ---- whose SQLite file -----------------------------------------------------------------------


def test_a_foreign_file_with_our_schema_version_is_still_refused(cli, tmp_path):
    """user_version alone proves nothing: another application may use the same number."""
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    assert_refused(cli("states", "list", db=other), "cahtracker did not make")
    assert other.read_bytes() == before


def test_an_older_cahtracker_database_is_still_migrated(tmp_path):
    """The other side: a database made by an earlier schema is ours by its migrations."""
    from sqlite_utils import Database

    from cahtracker.db.migrations import migrations

    path = tmp_path / "old.db"
    migrations.apply(Database(path), stop_before="m002_changes_batch")
    store = open_store(path)
    try:
        assert store.scalar("PRAGMA user_version") == SCHEMA_VERSION
        assert store.scalar("PRAGMA journal_mode") == "wal"
    finally:
        store.close()


# ---- Ctrl-C --------------------------------------------------------------------------------


class _CommitThenInterrupt:
    """A connection whose COMMIT succeeds and is then 'interrupted', as a Ctrl-C that lands
    while SQLite commits is raised when the call returns."""

    def __init__(self, conn) -> None:
        self.conn = conn

    def execute(self, sql, *args):
        result = self.conn.execute(sql, *args)
        if sql == "COMMIT":
            raise KeyboardInterrupt
        return result

    def __getattr__(self, name):
        return getattr(self.conn, name)


def test_an_interrupt_during_commit_is_known_to_have_written(db_path):
    store = open_store(db_path)
    store.conn = _CommitThenInterrupt(store.conn)
    with pytest.raises(KeyboardInterrupt), store.write("test"):
        store.conn.execute("INSERT INTO events (title) VALUES ('Fictional committed event')")
    assert store.wrote
    assert store.scalar("SELECT count(*) FROM events WHERE title LIKE 'Fictional committed%'")
    store.close()


def test_an_interrupt_inside_the_transaction_writes_nothing(db_path):
    store = open_store(db_path)
    before = store.scalar("SELECT count(*) FROM events")
    with pytest.raises(KeyboardInterrupt), store.write("test"):
        store.conn.execute("INSERT INTO events (title) VALUES ('Fictional lost event')")
        raise KeyboardInterrupt
    assert not store.wrote and store.scalar("SELECT count(*) FROM events") == before
    store.close()


@pytest.mark.parametrize("wrote", [False, True])
def test_the_interrupt_line_says_whether_anything_was_written(capsys, wrote):
    from cahtracker.cli import interrupted

    interrupted(wrote=wrote)
    line = capsys.readouterr().err.strip()
    assert (line == "Interrupted; nothing was written.") is not wrote
    assert ("written" in line) and ("db log" in line) is wrote


# ---- the edge's one-line messages ----------------------------------------------------------


def test_a_unique_race_is_one_plain_line():
    from cahtracker.cli import sqlite_error_message

    text = sqlite_error_message(
        sqlite3.IntegrityError("UNIQUE constraint failed: documents.symbol")
    )
    assert "at the same time" in text and "nothing was written" in text


def test_an_argument_that_is_not_utf8_is_named(monkeypatch):
    from cahtracker.cli import undecodable_argument

    assert undecodable_argument(["timeline", "list"]) is None
    text = undecodable_argument(["timeline", "add", "bad \udcff title"])
    assert text.startswith("Argument 3 is not valid UTF-8") and "\\xff" in text


@pytest.mark.parametrize("text", ["0000", "0000-05", "0000-05-01", "10000-01-01"])
def test_dates_outside_the_calendar_are_refused(text):
    from cahtracker.dates import parse_date

    with pytest.raises(CahError):
        parse_date(text)


def test_tomorrow_after_the_last_day_is_refused():
    from datetime import date

    from cahtracker.dates import parse_date

    with pytest.raises(CahError, match="end of the calendar"):
        parse_date("tomorrow", relative_to=date.max)
    assert parse_date("today", relative_to=date.max).value == "9999-12-31"


def test_the_html_report_shows_controls_as_escapes_and_keeps_its_own_markup(cli, tmp_path):
    """The escapes apply to each value printed, not to what the template's macros build."""
    cli.ok("timeline", "add", "2031-01-01", "Fictional \x1b[2J<b>event</b>", "--source", "t")
    out = tmp_path / "report.html"
    cli.ok("report", "export", "-f", "html", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert "Fictional \\x1b[2J&lt;b&gt;event&lt;/b&gt;" in html
    assert "\x1b" not in html
    assert '<a class="ref" href="#src-' in html and "&lt;a class" not in html


@pytest.mark.parametrize("ref", ["²", "٣", "99999999999999999999"])
def test_a_vote_id_that_is_no_plain_number_is_one_line(cli, ref):
    assert_refused(cli("vote", "show", ref))


def test_a_terminal_width_that_is_no_plain_number_is_ignored(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "²")
    assert "France" in cli.ok("states", "list").stdout


@pytest.mark.parametrize(
    "source",
    [
        "https://example.org/![pixel](http://evil.example/p.png)",
        "https://example.org/[x](javascript:alert(1))",
        "https://example.org/a]b[c",
    ],
)
def test_a_url_source_in_the_markdown_report_is_one_inert_link(cli, tmp_path, source):
    """A URL source is a link to itself (the report's design); nothing inside it becomes
    another link, an image or markup (its label is escaped like every text)."""
    from markdown_it import MarkdownIt

    cli.ok("sponsors", "add", "France", "--date", "2024-11-20", "--source", source)
    out = tmp_path / "report.md"
    cli.ok("report", "export", "-f", "markdown", "-o", str(out))
    tokens = MarkdownIt("commonmark").enable("table").parse(out.read_text(encoding="utf-8"))
    children = [c for t in tokens for c in t.children or ()]
    assert not [c for c in children if c.type == "image"]
    hrefs = [c.attrGet("href") for c in children if c.type == "link_open"]
    # the one link per mention goes to example.org itself (its odd path quoted)
    assert hrefs and all(h.startswith("https://example.org/") for h in hrefs), hrefs
    assert source in " ".join(c.content for c in children if c.type == "text")
