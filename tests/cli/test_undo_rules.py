"""`db log` and `db undo`: a general undo over the `changes` log, with its refusals."""

from __future__ import annotations

import json
import sqlite3

from cahtracker.db import open_store
from conftest import assert_refused


def log(cli, limit: int = 50) -> list[dict]:
    return json.loads(cli.ok("db", "log", "--limit", str(limit), "-f", "json").stdout)


def iso3s(cli, *args: str) -> list[str]:
    return [r["iso3"] for r in json.loads(cli.ok("sponsors", "list", "-f", "json", *args).stdout)]


def test_log_lists_every_write_newest_first(cli):
    assert "No changes yet." in cli.ok("db", "log").stdout
    cli.ok("sponsors", "add", "Chile, Peru", "--date", "2024-11-20", "--source", "src")
    cli.ok("sponsors", "claim", "100", "--date", "2024-11-30", "--source", "fictional")
    rows = log(cli)
    assert [(r["command"], r["table"], r["action"]) for r in rows] == [
        ("sponsors claim", "count_claims", "insert"),
        ("sponsors add", "sponsorship_events", "insert"),
        ("sponsors add", "sponsorship_events", "insert"),
    ]
    assert rows[1]["after"]["iso3"] == "PER" and rows[1]["before"] is None
    assert [r["id"] for r in log(cli, 1)] == [rows[0]["id"]]
    assert "sponsors claim" in cli.ok("db", "log").stdout


def test_undo_steps_back_one_change_at_a_time_and_is_logged(cli):
    cli.ok("sponsors", "add", "Chile", "--date", "2024-11-20", "--unsourced")
    cli.ok("sponsors", "add", "Peru", "--date", "2024-11-21", "--unsourced")
    assert "Undid change #2" in cli.ok("db", "undo").stdout
    assert "PER" not in iso3s(cli) and "CHL" in iso3s(cli)
    assert "Undid change #1" in cli.ok("db", "undo").stdout
    assert "CHL" not in iso3s(cli)
    rows = log(cli)
    assert [(r["command"], r["action"], r["undone"]) for r in rows] == [
        ("db undo #1", "delete", False),
        ("db undo #2", "delete", False),
        ("sponsors add", "insert", True),
        ("sponsors add", "insert", True),
    ]
    assert "undone" in cli.ok("db", "log").stdout
    assert_refused(cli("db", "undo"), "Nothing to undo")


def test_undoing_an_undo_redoes(cli, unchanged):
    cli.ok("sponsors", "add", "Chile", "--date", "2024-11-20", "--unsourced")
    cli.ok("db", "undo")
    with unchanged():
        assert_refused(cli("db", "undo", "--id", "1"), "already undone (by #2)")
    cli.ok("db", "undo", "--id", "2")
    assert "CHL" in iso3s(cli)
    assert not log(cli)[-1]["undone"]


def default_document(cli) -> list[str]:
    rows = json.loads(cli.ok("docs", "list", "-f", "json").stdout)
    return [r["symbol"] for r in rows if r["is_default"]]


def test_undo_restores_an_update(cli):
    cli.ok("docs", "use", "A/C.6/79/L.20")
    assert default_document(cli) == ["A/C.6/79/L.20"]
    assert (
        "Undid change #1 (docs use): set the default document to A/C.6/79/L.20 "
        "(was A/C.6/79/L.2/Rev.1)." in cli.ok("db", "undo").stdout
    )
    assert default_document(cli) == ["A/C.6/79/L.2/Rev.1"]


def test_undo_refuses_when_a_later_change_to_the_same_row_depends_on_it(cli, unchanged):
    cli.ok("docs", "use", "A/C.6/79/L.20")
    cli.ok("docs", "use", "A/C.6/79/L.2")
    with unchanged():
        result = cli("db", "undo", "--id", "1")
    assert_refused(result, "Cannot undo #1", "later change #2 to settings default_document")
    cli.ok("db", "undo")  # undo #2 first, then #1 is free
    cli.ok("db", "undo", "--id", "1")
    assert default_document(cli) == ["A/C.6/79/L.2/Rev.1"]


def test_undo_refuses_to_delete_a_row_others_refer_to(cli, unchanged):
    cli.ok(
        "docs",
        "add",
        "A/C.6/99/L.7",
        "--title",
        "t",
        "--kind",
        "draft",
        "--body",
        "Sixth Committee",
        "--unsourced",
    )
    cli.ok(
        "sponsors", "add", "Chile", "--doc", "A/C.6/99/L.7", "--date", "2099-01-01", "--unsourced"
    )
    with unchanged():
        result = cli("db", "undo", "--id", "1")
    assert_refused(result, "Cannot undo #1", "1 row in sponsorship_events refers to it")


def test_undo_refuses_a_joining_that_a_later_withdrawal_ends(cli, unchanged):
    cli.ok("sponsors", "add", "Chile", "--date", "2024-11-20", "--unsourced")
    cli.ok("sponsors", "withdraw", "Chile", "--date", "2024-11-25", "--unsourced")
    with unchanged():
        assert_refused(cli("db", "undo", "--id", "1"), "later withdrawal", "CHL")
    cli.ok("db", "undo")
    cli.ok("db", "undo")
    assert "CHL" not in iso3s(cli, "--as-of", "2024-11-21")


def test_undo_refuses_a_row_changed_outside_the_log(cli, db_path, unchanged):
    cli.ok("sponsors", "claim", "100", "--date", "2024-11-30", "--source", "fictional")
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE count_claims SET count = 101 WHERE count = 100")
    conn.commit()
    conn.close()
    with unchanged():
        assert_refused(cli("db", "undo"), "no longer as that change left it")


def test_undo_unknown_id_is_refused(cli, unchanged):
    with unchanged():
        assert_refused(cli("db", "undo", "--id", "42"), "No change #42")
        assert_refused(cli("db", "log", "--limit", "0"), "--limit")


def test_undo_works_for_any_logged_write_deletes_and_composite_keys(cli, db_path):
    """What another command group gets for free by logging its writes with log_change."""
    store = open_store(db_path)
    with store.write("vote record"):
        store.conn.execute(
            "INSERT INTO votes (id, symbol, method, source) VALUES (7, 'A/C.6/79/L.20', 'recorded', 'fictional')"
        )
        vote = store.one("SELECT * FROM votes WHERE id = 7")
        store.log_change("votes", 7, None, vote)
        store.conn.execute("INSERT INTO ballots (vote_id, iso3, choice) VALUES (7, 'FRA', 'no')")
        ballot = store.one("SELECT * FROM ballots WHERE vote_id = 7")
        store.log_change("ballots", "7/FRA", None, ballot)
    with store.write("vote fix"):
        store.conn.execute("UPDATE ballots SET choice = 'yes' WHERE vote_id = 7")
        store.log_change("ballots", "7/FRA", ballot, {**ballot, "choice": "yes"})
    with store.write("claim delete"):
        claim = store.one("SELECT * FROM count_claims WHERE count = 63")
        store.conn.execute("DELETE FROM count_claims WHERE id = ?", (claim["id"],))
        store.log_change("count_claims", claim["id"], claim, None)
    store.close()

    assert_refused(cli("db", "undo", "--id", "1"), "1 row in ballots refers to it")
    cli.ok("db", "undo")  # re-inserts the deleted claim, with its id
    store = open_store(db_path)
    assert store.one("SELECT * FROM count_claims WHERE id = ?", (claim["id"],)) == claim
    store.close()
    assert_refused(cli("db", "undo", "--id", "2"), "later change #3")
    cli.ok("db", "undo")  # the update: back to 'no'
    store = open_store(db_path)
    assert store.scalar("SELECT choice FROM ballots WHERE vote_id = 7") == "no"
    store.close()
    cli.ok("db", "undo")  # the ballot, then the vote: one command (`vote record`), one undo
    store = open_store(db_path)
    assert store.scalar("SELECT count(*) FROM votes WHERE id = 7") == 0
    assert store.scalar("SELECT count(*) FROM changes") == 8
    store.close()
    assert "integrity: ok" in cli.ok("db", "check").stdout


def test_log_csv_keeps_each_change_whole(cli):
    """A change's own id and action stay in their columns; its rows are one JSON cell each."""
    import csv
    import io

    cli.ok("docs", "use", "A/C.6/79/L.2")
    cli.ok("sponsors", "add", "France", "--date", "2024-11-20", "--source", "fictional")
    cli.ok("db", "undo")
    rows = list(csv.DictReader(io.StringIO(cli.ok("db", "log", "-f", "csv").stdout)))
    as_json = json.loads(cli.ok("db", "log", "-f", "json").stdout)
    assert [r["id"] for r in rows] == [str(r["id"]) for r in as_json]
    assert [r["action"] for r in rows] == [r["action"] for r in as_json]
    use = next(r for r in rows if r["command"] == "docs use")
    assert json.loads(use["after"])["value"] == "A/C.6/79/L.2"
