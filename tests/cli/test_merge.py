"""`db merge` and the global ids it relies on (issue 17).

Every database here is a temporary copy of the seeded test database, and every fact the
tests write is fictional (sources say "fictional ..."). The oracles read the files with
sqlite3 directly: a fact is its content (every column but the local key, the gid and the
origin), so "every fact present once" is: the merged file's facts are the union of the two
files' facts, and no fact appears twice.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

from cahtracker.db import SCHEMA_VERSION, open_store
from conftest import DATA, ROOT, assert_refused, file_digest

FACTS = ("documents", "sponsorship_events", "count_claims", "positions", "events")
LOCAL = ("id", "gid", "origin")
REV1 = "A/C.6/79/L.2/Rev.1"


def facts(path: Path, table: str) -> list[tuple]:
    """The facts of a table, each its content as sorted (column, value) pairs."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(f"SELECT * FROM {table}").fetchall()
    finally:
        conn.close()
    return sorted(
        (tuple(sorted((k, r[k]) for k in r.keys() if k not in LOCAL)) for r in rows), key=repr
    )


def vote_facts(path: Path) -> list[tuple]:
    """Each vote with its ballots, named by content (local ids left out)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        votes = conn.execute(
            "SELECT id, symbol, body, date, meeting, method, outcome, source FROM votes"
        ).fetchall()
        out = []
        for vote_id, *content in votes:
            ballots = conn.execute(
                "SELECT iso3, choice FROM ballots WHERE vote_id = ? ORDER BY iso3", (vote_id,)
            ).fetchall()
            out.append((tuple(content), tuple(ballots)))
        return sorted(out, key=repr)
    finally:
        conn.close()


def every_fact(path: Path) -> dict[str, list]:
    return {**{t: facts(path, t) for t in FACTS}, "votes": vote_facts(path)}


def raw_digest(path: Path) -> str:
    """The file's bytes as they are (without opening it: opening could write)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def merged(cli, other: Path, *extra: str) -> dict:
    return json.loads(cli.ok("db", "merge", str(other), *extra, "-f", "json").stdout)


def new_count(report: dict) -> int:
    return sum(r["new"] for r in report["tables"])


def table_row(report: dict, table: str) -> dict:
    return next(r for r in report["tables"] if r["table"] == table)


@pytest.fixture
def member(cli, tmp_path) -> Path:
    """Bob's copy of the coordinator's database, made as the README says (`db backup`)."""
    path = tmp_path / "bob.db"
    cli.ok("db", "backup", str(path))
    return path


def write_apart(cli, member: Path) -> None:
    """Fictional work done apart: one identical fact in both, one conflicting stance (France
    on the treaty on one day), and facts only one side has."""
    for db, who in ((None, "alice"), (member, "bob")):
        cli.ok(
            "--who", who, "sponsors", "add", "Chile", "--date", "2026-11-02",
            "--source", "fictional list", db=db,
        )  # fmt: skip
    cli.ok(
        "--who", "alice", "position", "set", "France", "-t", "treaty", "-s", "support",
        "--date", "2026-11-01", "--source", "fictional statement A",
    )  # fmt: skip
    cli.ok(
        "--who", "bob", "position", "set", "France", "-t", "treaty", "-s", "oppose",
        "--date", "2026-11-01", "--source", "fictional statement B", db=member,
    )  # fmt: skip
    cli.ok(
        "--who",
        "alice",
        "timeline",
        "add",
        "2026-12-03",
        "Fictional briefing A",
        "--source",
        "fictional",
    )
    cli.ok(
        "--who",
        "bob",
        "timeline",
        "add",
        "2026-12-04",
        "Fictional briefing B",
        "--source",
        "fictional",
        db=member,
    )
    cli.ok(
        "--who", "bob", "sponsors", "claim", "101", "--date", "2026-11-05",
        "--source", "fictional press note", db=member,
    )  # fmt: skip
    cli.ok(
        "--who", "bob", "vote", "record", "--doc", REV1, "--date", "2026-11-20",
        "--body", "General Assembly", "--yes", "Chile, Peru", "--no", "Fiji",
        "--source", "fictional record", db=member,
    )  # fmt: skip


def test_two_copies_merge_every_fact_once_and_keep_the_conflict_side_by_side(cli, db_path, member):
    write_apart(cli, member)
    ours, theirs = every_fact(db_path), every_fact(member)
    report = merged(cli, member)

    after = every_fact(db_path)
    for table, rows in after.items():
        assert len(rows) == len(set(rows)), f"a fact of {table} is there twice"
        assert set(rows) == set(ours[table]) | set(theirs[table]), table
    # the identical fact (Chile joining on 2026-11-02) is there once
    chile = [
        f
        for f in after["sponsorship_events"]
        if ("date", "2026-11-02") in f and ("iso3", "CHL") in f
    ]
    assert len(chile) == 1
    # the conflicting stance is reported and both are kept
    assert [(c["table"], c["resolution"]) for c in report["conflicts"]] == [
        ("positions", "kept both")
    ]
    assert report["conflicts"][0]["ours"] == "support"
    assert report["conflicts"][0]["theirs"] == "oppose"
    stances = {
        r[0]
        for r in sqlite3.connect(db_path).execute(
            "SELECT stance FROM positions WHERE iso3 = 'FRA' AND date = '2026-11-01'"
        )
    }
    assert stances == {"support", "oppose"}
    # counts: Bob's four new facts and the vote (with its 3 ballots)
    assert table_row(report, "positions")["new"] == 1
    assert table_row(report, "events")["new"] == 1
    assert table_row(report, "count_claims")["new"] == 1
    assert table_row(report, "votes")["new"] == 1
    assert table_row(report, "ballots")["new"] == 3
    assert table_row(report, "sponsorship_events") == {
        "table": "sponsorship_events", "new": 0, "same": 15, "conflicts": 0,
    }  # fmt: skip
    # Bob's rows keep his name as their origin
    conn = sqlite3.connect(db_path)
    assert conn.execute(
        "SELECT origin FROM events WHERE title = 'Fictional briefing B'"
    ).fetchone() == ("bob",)
    conn.close()
    assert "global ids: ok" in cli.ok("db", "check").stdout

    # one undo takes the whole merge back
    out = cli.ok("db", "undo").stdout
    assert "db merge bob.db" in out
    assert every_fact(db_path) == ours
    assert "integrity: ok" in cli.ok("db", "check").stdout


def test_merging_twice_changes_nothing(cli, db_path, member):
    write_apart(cli, member)
    first = merged(cli, member)
    assert new_count(first) > 0
    changes = sqlite3.connect(db_path).execute("SELECT count(*) FROM changes").fetchone()[0]
    before = every_fact(db_path)
    second = merged(cli, member)
    assert new_count(second) == 0
    assert second["batch"] is None
    assert every_fact(db_path) == before
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM changes").fetchone()[0] == changes
    # and the other way round: Bob merging the coordinator's file gets Alice's facts once
    bob = json.loads(cli.ok("db", "merge", str(db_path), "-f", "json", db=member).stdout)
    assert table_row(bob, "events")["new"] == 1  # Alice's briefing
    assert every_fact(member) == every_fact(db_path)


def test_dry_run_writes_nothing_and_reports_what_a_merge_would(cli, db_path, member, unchanged):
    write_apart(cli, member)
    with unchanged():
        dry = merged(cli, member, "--dry-run")
    assert dry["dry_run"] is True and dry["batch"] is None
    real = merged(cli, member)
    assert dry["tables"] == real["tables"]
    assert dry["conflicts"] == real["conflicts"]


def test_the_table_report_counts_per_table_then_lists_the_conflicts(cli, member):
    write_apart(cli, member)
    out = cli.ok("--wide", "db", "merge", str(member), "--dry-run").stdout
    assert out.startswith("Would merge")
    assert "France on treaty (2026-11-01)" in out
    assert out.index("By table") < out.index("Conflicts")


def vote_with_ballots(cli, db=None):
    cli.ok(
        "vote", "record", "--doc", REV1, "--date", "2026-11-20", "--body", "General Assembly",
        "--yes", "Chile, Peru", "--no", "Fiji", "--source", "fictional record", db=db,
    )  # fmt: skip


def test_two_ballots_of_one_state_in_one_vote_refuse_the_merge_unless_told(
    cli, db_path, tmp_path, unchanged
):
    vote_with_ballots(cli)
    member = tmp_path / "bob.db"
    cli.ok("db", "backup", str(member))
    # Bob corrects the vote (the same vote: a replacement keeps its global id): Fiji abstained
    cli.ok(
        "vote", "record", "--doc", REV1, "--date", "2026-11-20", "--body", "General Assembly",
        "--yes", "Chile, Peru", "--abstain", "Fiji", "--source", "fictional record",
        "--replace", db=member,
    )  # fmt: skip
    with unchanged():
        result = cli("db", "merge", str(member))
    assert_refused(result, "1 conflict", "ballots", "--on-conflict")
    assert len(result.output.strip().splitlines()) == 1
    dry = merged(cli, member, "--dry-run")
    assert [(c["table"], c["ours"], c["theirs"], c["resolution"]) for c in dry["conflicts"]] == [
        ("ballots", "no", "abstain", "refused")
    ]

    def fiji() -> list[tuple]:
        conn = sqlite3.connect(db_path)
        try:
            return conn.execute(
                "SELECT b.choice, (SELECT group_concat(d.choice) FROM ballot_differences d "
                "WHERE d.vote_id = b.vote_id AND d.iso3 = 'FJI') FROM ballots b "
                "JOIN votes v ON v.id = b.vote_id WHERE b.iso3 = 'FJI' AND v.date = '2026-11-20'"
            ).fetchall()
        finally:
            conn.close()

    report = merged(cli, member, "--on-conflict", "keep-both")
    assert report["conflicts"][0]["resolution"] == "kept both"
    assert fiji() == [("no", "abstain")]  # ours stays the ballot, theirs kept beside it
    assert new_count(merged(cli, member, "--on-conflict", "keep-both")) == 0
    cli.ok("db", "undo")
    assert fiji() == [("no", None)]
    merged(cli, member, "--on-conflict", "theirs")
    assert fiji() == [("abstain", None)]
    cli.ok("db", "undo")
    assert fiji() == [("no", None)]
    merged(cli, member, "--on-conflict", "ours")
    assert fiji() == [("no", None)]
    assert "integrity: ok" in cli.ok("db", "check").stdout


def older_database(path: Path) -> None:
    """A database as the release before the global ids made it: the migrations up to m013,
    the seed, and its schema number; plus fictional facts logged as that release logged."""
    from sqlite_utils import Database

    from cahtracker.db import load_seed
    from cahtracker.db.migrations import migrations

    db = Database(path)
    first_new = next(m.name for m in migrations._migrations if m.name >= "m014")
    migrations.apply(db, stop_before=first_new)
    older = [m.name for m in migrations._migrations].index(first_new)
    load_seed(db.conn, ROOT / "data" / "seed.sql")
    row = {
        "iso3": "PER", "topic": "treaty", "stance": "support", "date": "2026-10-10",
        "date_precision": "day", "source": "fictional old statement", "quote": None,
        "source_kind": None, "quote_kind": None,
    }  # fmt: skip
    cursor = db.conn.execute(
        f"INSERT INTO positions ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        list(row.values()),
    )
    logged = {"id": cursor.lastrowid, **row}
    db.conn.execute(
        "INSERT INTO changes (at, command, table_name, row_key, before, after, batch) "
        "VALUES ('2026-10-10T10:00:00+00:00', 'position set', 'positions', ?, NULL, ?, NULL)",
        (str(cursor.lastrowid), json.dumps(logged)),
    )
    db.conn.execute("UPDATE changes SET batch = id")
    db.conn.execute(
        "INSERT INTO events (starts_on, date_precision, title, source) "
        "VALUES ('2026-10-11', 'day', 'Fictional old meeting', 'fictional')"
    )
    db.conn.execute(f"PRAGMA user_version = {older}")
    db.conn.commit()
    db.close()


def test_an_older_schema_file_merges_through_a_migrated_copy_and_is_left_as_it_was(
    cli, db_path, tmp_path
):
    other = tmp_path / "old.db"
    older_database(other)
    digest = raw_digest(other)
    listing = sorted(p.name for p in tmp_path.iterdir())
    report = merged(cli, other)
    assert report["migrated"] is True and report["schema"] < SCHEMA_VERSION
    assert raw_digest(other) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no -wal, -shm, -journal
    # its two facts came in; the seed's facts, the same in both, are there once
    assert table_row(report, "positions")["new"] == 1
    assert table_row(report, "events")["new"] == 1
    assert table_row(report, "positions")["same"] == len(facts(db_path, "positions")) - 1
    after = every_fact(db_path)
    for table, rows in after.items():
        assert len(rows) == len(set(rows)), table
    assert "global ids: ok" in cli.ok("db", "check").stdout


def test_a_database_made_before_the_global_ids_upgrades_with_nothing_lost(cli, db_path, tmp_path):
    path = tmp_path / "old.db"
    older_database(path)
    conn = sqlite3.connect(path)
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in FACTS}
    log = conn.execute("SELECT id, command, row_key, before, after FROM changes").fetchall()
    conn.close()
    old_facts = {t: facts(path, t) for t in FACTS}

    open_store(path).close()  # upgrades
    conn = sqlite3.connect(path)
    for table in FACTS:
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == counts[table]
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE gid IS NULL").fetchone() == (0,)
        gids = [r[0] for r in conn.execute(f"SELECT gid FROM {table}")]
        assert len(gids) == len(set(gids))
    assert conn.execute("SELECT id, command, row_key, before, after FROM changes").fetchall() == log
    # the seed's facts have the seed's ids: the same as in a database made new from the seed
    fresh = sqlite3.connect(db_path)
    for table in FACTS:
        query = f"SELECT gid FROM {table} WHERE origin = 'seed'"
        assert {r[0] for r in conn.execute(query)} == {r[0] for r in fresh.execute(query)}
    fresh.close()
    conn.close()
    assert {t: facts(path, t) for t in FACTS} == old_facts
    # the change logged before the ids is still undone by its integer key
    old = cli.__class__(path)
    assert "Undid change #1 (position set)" in old.ok("db", "undo").stdout
    assert "global ids: ok" in old.ok("db", "check").stdout


def test_refused_inputs_leave_the_database_unchanged(cli, db_path, tmp_path, unchanged):
    text = tmp_path / "notes.db"
    text.write_text("not a database\n", encoding="utf-8")
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    newer = tmp_path / "newer.db"
    shutil.copy(db_path, newer)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    cases = [
        (text, "not a SQLite database"),
        (foreign, "not a cahtracker database"),
        (newer, "newer cahtracker"),
        (empty, "is empty"),
        (tmp_path / "missing.db", "No file"),
        (db_path, "this database itself"),
        (tmp_path, "is a folder"),
    ]
    digests = {p: raw_digest(p) for p, _ in cases if p.is_file()}
    for path, fragment in cases:
        with unchanged():
            result = cli("db", "merge", str(path))
        assert_refused(result, fragment)
        assert len(result.output.strip().splitlines()) == 1, result.output
    for path, digest in digests.items():
        if path != db_path:
            assert raw_digest(path) == digest
    assert_refused(cli("db", "merge", str(newer), "--on-conflict", "mine"), code=2)


def test_who_is_recorded_on_rows_and_in_the_log(cli, db_path, monkeypatch):
    cli.ok(
        "--who",
        "Alice  Example",
        "timeline",
        "add",
        "2026-12-05",
        "Fictional meeting",
        "--source",
        "fictional",
    )
    monkeypatch.setenv("CAHTRACKER_WHO", "Bob")
    cli.ok(
        "timeline",
        "add",
        "2026-12-06",
        "Fictional meeting 2",
        "--source",
        "fictional",
        "--who",
        "Carol",
    )
    cli.ok("timeline", "add", "2026-12-07", "Fictional meeting 3", "--source", "fictional")
    conn = sqlite3.connect(db_path)
    assert conn.execute(
        "SELECT title, origin FROM events WHERE title LIKE 'Fictional meeting%' ORDER BY title"
    ).fetchall() == [
        ("Fictional meeting", "Alice Example"),
        ("Fictional meeting 2", "Carol"),
        ("Fictional meeting 3", "Bob"),
    ]
    assert [r[0] for r in conn.execute("SELECT who FROM changes ORDER BY id")] == [
        "Alice Example", "Carol", "Bob",
    ]  # fmt: skip
    conn.close()
    entries = json.loads(cli.ok("db", "log", "-f", "json").stdout)
    assert [e["who"] for e in entries] == ["Bob", "Carol", "Alice Example"]
    gid = entries[0]["gid"]
    assert uuid.UUID(gid).version == 7
    assert [
        e["id"] for e in json.loads(cli.ok("db", "log", "--gid", gid, "-f", "json").stdout)
    ] == [entries[0]["id"]]
    assert_refused(cli("--who", "x" * 101, "timeline", "list"), "--who must be")


def test_no_write_path_leaves_a_fact_without_a_global_id(cli, db_path):
    cli.ok("docs", "add", "A/C.6/99/L.7", "--title", "Fictional draft", "--kind", "draft",
           "--body", "Sixth Committee", "--source", "fictional")  # fmt: skip
    cli.ok("sponsors", "add", "Peru", "--doc", "A/C.6/99/L.7", "--date", "2026-11-02",
           "--source", "fictional")  # fmt: skip
    cli.ok("sponsors", "claim", "12", "--doc", "A/C.6/99/L.7", "--date", "2026-11-03",
           "--source", "fictional")  # fmt: skip
    cli.ok("position", "set", "Peru", "-t", "treaty", "-s", "support", "--date", "2026-11-04",
           "--source", "fictional")  # fmt: skip
    cli.ok("timeline", "add", "2026-12-05", "Fictional meeting", "--source", "fictional")
    vote_with_ballots(cli)
    cli.ok("vote", "import", str(DATA / "undl" / "A_RES_74_243.xml"))
    conn = sqlite3.connect(db_path)
    for table in (*FACTS, "votes", "document_notes"):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE gid IS NULL").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM votes").fetchone()[0] >= 5
    conn.close()
    assert "global ids: ok" in cli.ok("db", "check").stdout
    # a row without one (written by another program) is reported
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE events SET gid = NULL WHERE title = 'Fictional meeting'")
    conn.commit()
    conn.close()
    assert_refused(cli("db", "check"), "1 rows of events have no global id")


def test_new_global_ids_are_uuid7_in_the_order_they_were_made():
    import time

    from cahtracker.db.ids import new_gid, seed_gid

    start = time.time_ns() // 1_000_000
    made = [new_gid() for _ in range(5000)]
    end = time.time_ns() // 1_000_000
    assert len(set(made)) == len(made)
    assert made == sorted(made)
    for text in made[:50] + made[-50:]:
        value = uuid.UUID(text)
        assert value.version == 7 and value.variant == uuid.RFC_4122
        assert start <= value.int >> 80 <= end + 2
    # the seed's ids depend on the row only
    assert seed_gid("positions", {"a": 1, "b": "x"}) == seed_gid("positions", {"b": "x", "a": 1})
    assert seed_gid("positions", {"a": 1}) != seed_gid("events", {"a": 1})
    assert uuid.UUID(seed_gid("events", {})).version == 5


def test_two_databases_made_from_the_seed_agree_on_its_ids(db_path, tmp_path):
    other = tmp_path / "second.db"
    open_store(other).close()
    for table in (*FACTS, "votes"):
        query = f"SELECT gid FROM {table} ORDER BY gid"
        a = sqlite3.connect(db_path).execute(query).fetchall()
        b = sqlite3.connect(other).execute(query).fetchall()
        assert a == b and len(a) > 0, table
    assert file_digest(db_path)  # still a readable database


def coalition_commands() -> list[list[str]]:
    """The README's "Working as a coalition" example, continuation lines joined."""
    import re
    import shlex

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    part = text.split("## Working as a coalition", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n([\s\S]*?)```", part).group(1).replace("\\\n", " ")
    return [shlex.split(line, comments=True)[1:] for line in block.splitlines() if line.strip()]


def test_the_readme_coalition_workflow_runs_as_written(cli, db_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    commands = coalition_commands()
    assert [c for c in commands if c[:2] == ["db", "merge"]]
    before = every_fact(db_path)
    outputs = [cli.ok(*argv).stdout for argv in commands]
    second = json.loads(outputs[[c[-2:] for c in commands].index(["-f", "json"])])
    assert new_count(second) == 0
    assert "Undid batch" in outputs[-1] or "Undid change" in outputs[-1]
    assert every_fact(db_path) == before  # the last step took the merge back


def test_one_fact_edited_apart_is_a_conflict_resolved_only_as_told(cli, db_path, tmp_path):
    """A vote both copies hold (one gid), whose note each member edited differently."""
    vote_with_ballots(cli)
    vote_id = str(sqlite3.connect(db_path).execute("SELECT max(id) FROM votes").fetchone()[0])
    member = tmp_path / "bob.db"
    cli.ok("db", "backup", str(member))
    cli.ok("vote", "edit", vote_id, "--note", "fictional note A")
    cli.ok("vote", "edit", vote_id, "--note", "fictional note B", db=member)

    def note() -> str:
        query = "SELECT note FROM votes WHERE id = ?"
        return sqlite3.connect(db_path).execute(query, (vote_id,)).fetchone()[0]

    assert_refused(cli("db", "merge", str(member)), "1 conflict", "votes", "note")
    assert_refused(
        cli("db", "merge", str(member), "--on-conflict", "keep-both"),
        "cannot keep two versions of the vote",
    )
    report = merged(cli, member, "--on-conflict", "ours")
    assert [(c["ours"], c["theirs"], c["resolution"]) for c in report["conflicts"]] == [
        ({"note": "fictional note A"}, {"note": "fictional note B"}, "kept ours")
    ]
    assert note() == "fictional note A"
    merged(cli, member, "--on-conflict", "theirs")
    assert note() == "fictional note B"
    assert new_count(merged(cli, member)) == 0  # now the same: nothing to choose
    cli.ok("db", "undo")
    assert note() == "fictional note A"


def test_two_sponsorship_events_of_one_day_that_differ_are_kept_side_by_side(cli, db_path, member):
    cli.ok("sponsors", "add", "Peru", "--date", "2026-11-09", "--source", "fictional list A")
    cli.ok(
        "sponsors", "add", "Peru", "--date", "2026-11-09", "--role", "main",
        "--source", "fictional list B", db=member,
    )  # fmt: skip
    report = merged(cli, member)
    assert [(c["table"], c["resolution"]) for c in report["conflicts"]] == [
        ("sponsorship_events", "kept both")
    ]
    rows = (
        sqlite3.connect(db_path)
        .execute("SELECT role FROM sponsorship_events WHERE iso3 = 'PER' AND date = '2026-11-09'")
        .fetchall()
    )
    assert sorted(rows) == [("co",), ("main",)]


def test_a_merged_vote_brings_its_ballots_not_recorded(cli, db_path, member):
    """A vote only the member has (the real R/1/66 extract of tests/data/unvotes, whose
    roll call 3 has ballots of two former states) comes over with the ballots its source gave
    that it does not record, so it is still not complete here; undo takes them back too."""
    from conftest import DATA

    cli.ok("vote", "import", str(DATA / "unvotes" / "unvotes.csv"), db=member)
    theirs = json.loads(cli.ok("vote", "show", "R/1/66", "-f", "json", db=member).stdout)
    assert theirs["ballots_not_recorded"]
    merged(cli, member)
    ours = json.loads(cli.ok("vote", "show", "R/1/66", "-f", "json").stdout)
    assert ours["ballots_not_recorded"] == theirs["ballots_not_recorded"]
    assert ours["coverage"]["complete"] is False
    cli.ok("db", "undo")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM ballots_not_recorded").fetchone() == (0,)
