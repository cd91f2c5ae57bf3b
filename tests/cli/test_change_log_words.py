"""`db log` and `db undo` speak the domain's words, and `db log` filters by table, state,
document and command; an import is one line. All the facts here are fictional."""

from __future__ import annotations

import json

import pytest

from conftest import assert_refused, write_bulk_csv

REV1 = "A/C.6/79/L.2/Rev.1"


def log(cli, *args: str) -> list[dict]:
    return json.loads(cli.ok("db", "log", "-n", "500", *args, "-f", "json").stdout)


def newest(cli) -> str:
    return log(cli, "--each")[0]["description"]


# (command line, what `db log` says of its newest change)
WORDS = [
    (
        ("sponsors", "add", "Chile", "--date", "2024-11-20", "--source", "fictional"),
        "added Chile as co-sponsor of A/C.6/79/L.2/Rev.1 on 2024-11-20",
    ),
    (
        ("sponsors", "add", "Peru", "--role", "main", "--date", "by 22 November 2024",
         "--doc", "A/C.6/79/L.2", "--source", "fictional"),
        "added Peru as main sponsor of A/C.6/79/L.2 on or before 2024-11-22",
    ),
    (
        ("sponsors", "withdraw", "Czechia", "--date", "2024-12", "--source", "fictional"),
        "recorded the withdrawal of Czechia as co-sponsor of A/C.6/79/L.2/Rev.1 in 2024-12",
    ),
    (
        ("sponsors", "claim", "120", "--date", "2024-11-25", "--source", "fictional note"),
        "recorded a reported count of 120 sponsors of A/C.6/79/L.2/Rev.1 on 2024-11-25 "
        "(fictional note)",
    ),
    (
        ("position", "set", "Chile", "-t", "treaty", "-s", "support", "--date", "unknown",
         "--unsourced"),
        "recorded Chile's stance on treaty: support, at an unknown date",
    ),
    (
        ("timeline", "add", "2027", "Fictional session", "--unsourced"),
        "added timeline event {next_event}: Fictional session, in 2027",
    ),
    (
        ("docs", "add", "A/C.6/99/L.1", "--title", "t", "--kind", "amendment",
         "--body", "Sixth Committee", "--parent", REV1, "--unsourced"),
        "added document A/C.6/99/L.1 (amendment, parent A/C.6/79/L.2/Rev.1)",
    ),
    (("docs", "use", "A/C.6/79/L.20"), "set the default document to A/C.6/79/L.20 (was "
     "A/C.6/79/L.2/Rev.1)"),
    (
        ("position", "topic-add", "fictional-topic", "--title", "Fictional"),
        "added topic fictional-topic (Fictional)",
    ),
]  # fmt: skip


@pytest.mark.parametrize("args, words", WORDS)
def test_each_change_is_described_and_so_is_its_undo(cli, db_path, args, words):
    import sqlite3

    conn = sqlite3.connect(db_path)
    words = words.format(next_event=conn.execute("SELECT max(id) + 1 FROM events").fetchone()[0])
    conn.close()
    cli.ok(*args)
    (change,) = [r for r in log(cli, "--each") if r["batch"] == log(cli, "--each")[0]["batch"]]
    assert change["description"] == words
    assert words in cli.ok("db", "log", "-n", "1", "-f", "csv").stdout
    out = cli.ok("db", "undo").stdout
    assert out.replace("\n", "") == f"Undid change #{change['id']} ({args[0]} {args[1]}): {words}."


def test_a_vote_and_its_ballots_read_as_a_vote(cli):
    cli.ok(
        *("vote", "record", "--doc", "A/C.6/79/L.21", "--date", "2024-11-23"),
        *("--body", "Sixth Committee", "--yes", "Chile, Peru", "--no", "Fiji"),
        *("--explanation", "Ghana=fictional", "--source", "fictional record"),
    )
    words = [r["description"] for r in log(cli, "--each", "--command", "vote record")]
    vote_id = log(cli, "--each", "--table", "votes")[0]["row_key"]
    assert words == [
        f"recorded 1 statement of vote {vote_id}",
        f"recorded 3 ballots of vote {vote_id}",
        f"recorded vote {vote_id} on A/C.6/79/L.21 (Sixth Committee, 2024-11-23): adopted, "
        "recorded",
    ]
    cli.ok("vote", "edit", vote_id, "--date", "2024-11-24", "--note", "fictional")
    assert newest(cli) == (
        f"edited vote {vote_id} on A/C.6/79/L.21: date 2024-11-23 → 2024-11-24; "
        "note (none) → fictional"
    )
    cli.ok("vote", "delete", vote_id)
    out = cli.ok("db", "undo").stdout.replace("\n", "")
    assert out.startswith("Undid batch ") and f"deleted vote {vote_id} on A/C.6/79/L.21" in out
    assert f"removed the 3 ballots of vote {vote_id}" in out


def test_removals_read_as_removals(cli):
    cli.ok("sponsors", "add", "Chile", "--date", "2024-11-20", "--source", "fictional")
    cli.ok("sponsors", "remove", "Chile")
    assert newest(cli) == (
        "removed the record of Chile joining A/C.6/79/L.2/Rev.1 as co-sponsor on 2024-11-20"
    )
    cli.ok("position", "set", "Chile", "-t", "treaty", "-s", "oppose", "--date", "2024-11-20",
           "--source", "fictional")  # fmt: skip
    cli.ok("position", "delete", "Chile", "-t", "treaty", "--date", "2024-11-20")
    assert newest(cli) == "deleted Chile's stance on treaty: oppose, on 2024-11-20"


def test_many_changes_of_one_command_are_one_line_in_its_words(cli):
    states = "Chile, Peru, Fiji, Ghana, Kenya, Norway, Iceland, Ireland, Austria, Belgium and Japan"
    cli.ok("sponsors", "add", states, "--date", "2024-11-21", "--source", "fictional")
    (line,) = log(cli)
    assert line["action"] == "batch" and line["changes"] == 11
    assert line["description"].startswith(
        "added 11 co-sponsors of A/C.6/79/L.2/Rev.1 on 2024-11-21: Chile, Peru, Fiji, "
    )
    assert len(log(cli, "--each")) == 11 == len(log(cli, "--batch", str(line["batch"])))
    out = cli.ok("db", "undo").stdout.replace("\n", "")
    assert "11 changes" in out and "added 11 co-sponsors of A/C.6/79/L.2/Rev.1" in out
    (undo, add) = log(cli)
    assert undo["undoes_batch"] == add["batch"] and add["undone"] is True
    assert undo["description"].startswith(f"undid batch {add['batch']} (sponsors add): removed")


def test_a_vote_import_is_one_line(cli, tmp_path, db_path):
    import sqlite3

    cli.ok("vote", "import", str(write_bulk_csv(tmp_path / "bulk.csv", 15)))
    (line,) = log(cli)
    conn = sqlite3.connect(db_path)
    votes, documents = (
        conn.execute(f"SELECT count(*) FROM changes WHERE table_name = '{t}'").fetchone()[0]
        for t in ("votes", "documents")
    )
    conn.close()
    assert (votes, documents) == (15, 15)
    assert line["command"] == "vote import" and line["changes"] == 30
    assert line["description"].startswith("added 15 documents and 15 votes")
    assert f"`db log --batch {line['batch']}`" in line["description"]
    assert "added 15 documents and 15 votes" in cli.ok("db", "log").stdout


# --- filters ---------------------------------------------------------------------------------


@pytest.fixture
def history_of_changes(cli):
    """Fictional writes of several kinds; returns every change, each on its own."""
    cli.ok("sponsors", "add", "Chile, Peru", "--date", "2024-11-20", "--source", "fictional")
    cli.ok("sponsors", "add", "Chile", "--doc", "A/C.6/79/L.20", "--source", "fictional")
    cli.ok("position", "set", "Chile", "-t", "treaty", "-s", "support", "--date", "2024-11-20",
           "--source", "fictional")  # fmt: skip
    cli.ok(
        *("vote", "record", "--doc", "A/C.6/79/L.21", "--date", "2024-11-23"),
        *("--body", "Sixth Committee", "--yes", "Chile", "--no", "Fiji", "--unsourced"),
    )
    cli.ok(
        *("vote", "record", "--doc", REV1, "--date", "2024-11-23", "--body", "Sixth Committee"),
        *("--yes", "Fiji", "--unsourced"),
    )
    cli.ok("timeline", "add", "2027", "Fictional session", "--unsourced")
    return log(cli, "--each")


def _holds(change: dict, column: str, value: str) -> bool:
    """The oracle: a row of the change holds the value, or one row of its bundle does."""
    for row in (change["before"], change["after"]):
        if not row:
            continue
        if row.get(column) == value:
            return True
        for bundle in ("ballots", "statements"):
            if column == "iso3" and any(item[0] == value for item in row.get(bundle, [])):
                return True
    return False


def test_filter_by_state(cli, history_of_changes):
    got = log(cli, "--each", "--state", "chile")
    expected = [c for c in history_of_changes if _holds(c, "iso3", "CHL")]
    assert [c["id"] for c in got] == [c["id"] for c in expected]
    tables = {c["table"] for c in got}
    assert tables == {"sponsorship_events", "positions", "ballots"}  # a ballot in the bundle


def test_filter_by_document_takes_the_ballots_of_its_votes(cli, history_of_changes):
    got = log(cli, "--each", "--doc", "a/c.6/79/l.21")
    vote_ids = {c["row_key"] for c in history_of_changes if _holds(c, "symbol", "A/C.6/79/L.21")}
    expected = [
        c
        for c in history_of_changes
        if _holds(c, "symbol", "A/C.6/79/L.21")
        or (c["table"] == "ballots" and c["row_key"] in vote_ids)
    ]
    assert [c["id"] for c in got] == [c["id"] for c in expected]
    assert {c["table"] for c in got} == {"votes", "ballots"}


def test_filter_by_table_and_command(cli, history_of_changes):
    got = log(cli, "--each", "--table", "sponsorship_events")
    assert [c["id"] for c in got] == [
        c["id"] for c in history_of_changes if c["table"] == "sponsorship_events"
    ]
    got = log(cli, "--each", "--command", "vote")
    assert [c["id"] for c in got] == [
        c["id"] for c in history_of_changes if c["command"] == "vote record"
    ]
    got = log(cli, "--each", "--command", "sponsors add", "--doc", "A/C.6/79/L.20")
    assert [(c["command"], c["after"]["symbol"]) for c in got] == [
        ("sponsors add", "A/C.6/79/L.20")
    ]
    assert log(cli, "--command", "vot") == []  # a command's whole words, not a prefix of one
    assert "No changes match." in cli.ok("db", "log", "--command", "vot").stdout


def test_unknown_filters_are_refused(cli, history_of_changes, unchanged):
    with unchanged():
        assert_refused(cli("db", "log", "--table", "ballot"), "tables in the log", "ballots")
        assert_refused(cli("db", "log", "--state", "Narnia"), "Unknown state 'Narnia'")
