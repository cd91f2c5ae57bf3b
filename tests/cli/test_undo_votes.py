"""Undo safety for votes: a change that later changes depend on is refused; votes undo whole."""

from __future__ import annotations

import json
import sqlite3

from conftest import DATA, VOTE_ON_REV1, assert_refused

BAD = DATA / "bad"
VOTE_FILE = (
    BAD / "crlf.csv"
)  # one valid vote on A/RES/99/901: France yes, Côte d'Ivoire no, Mexico abstain


def log(cli, n: int = 50) -> list[dict]:
    return json.loads(cli.ok("db", "log", "-n", str(n), "-f", "json").stdout)


def change_id(cli, command: str, table: str, action: str, nth: int = 0) -> int:
    rows = [
        r
        for r in reversed(log(cli))
        if r["command"] == command and r["table"] == table and r["action"] == action
    ]
    return rows[nth]["id"]


def counts(db_path) -> tuple[int, int]:
    conn = sqlite3.connect(db_path)
    try:
        return (
            conn.execute("SELECT count(*) FROM votes WHERE symbol = 'A/RES/99/901'").fetchone()[0],
            conn.execute(
                "SELECT count(*) FROM ballots WHERE vote_id IN "
                "(SELECT id FROM votes WHERE symbol = 'A/RES/99/901')"
            ).fetchone()[0],
        )
    finally:
        conn.close()


def test_undoing_a_vote_import_whose_vote_a_later_import_replaced_is_refused(cli, unchanged):
    cli.ok("vote", "import", str(VOTE_FILE))
    first = change_id(cli, "vote import", "votes", "insert")
    cli.ok("vote", "import", str(VOTE_FILE))  # replaces the vote: a later change to that row
    with unchanged():
        assert_refused(
            cli("db", "undo", "--id", str(first)), f"Cannot undo #{first}", "undo them first"
        )
        # the document it created is still used by the vote
        doc = change_id(cli, "vote import", "documents", "insert")
        assert_refused(cli("db", "undo", "--id", str(doc)), "refer")


def test_undo_steps_back_through_imports_to_the_state_before_them(cli, db_path):
    before = counts(db_path)
    cli.ok("vote", "import", str(VOTE_FILE))
    cli.ok("vote", "import", str(VOTE_FILE))
    assert counts(db_path) == (1, 3)
    while any(r["command"] == "vote import" and not r["undone"] for r in log(cli)):
        cli.ok("db", "undo")
    assert counts(db_path) == before
    assert "integrity: ok" in cli.ok("db", "check").stdout


def test_an_imported_vote_undoes_with_its_ballots_and_redoes(cli, db_path):
    cli.ok("vote", "import", str(VOTE_FILE))
    vote = json.loads(cli.ok("vote", "show", "A/RES/99/901", "-f", "json").stdout)
    # the whole import: the vote's insert (its ballots were not logged) and the document it made
    cli.ok("db", "undo")
    assert counts(db_path) == (0, 0)
    undo_records = [r for r in log(cli) if r["command"].startswith("db undo #")]
    # the ballots are in the log
    assert {r["table"] for r in undo_records} == {"votes", "ballots", "vote_sources", "documents"}
    assert len({r["batch"] for r in undo_records}) == 1
    # redo: the ballots alone cannot come back before their vote; the undo's batch can, whole
    by_table = {r["table"]: r["id"] for r in undo_records}
    assert_refused(cli("db", "undo", "--id", str(by_table["ballots"])), "no longer exists")
    cli.ok("db", "undo", "--batch", str(undo_records[0]["batch"]))
    assert json.loads(cli.ok("vote", "show", "A/RES/99/901", "-f", "json").stdout) == vote


def test_a_recorded_vote_undoes_ballots_first_and_refuses_the_other_order(cli, unchanged, db_path):
    cli.ok(
        *VOTE_ON_REV1,
        "--yes",
        "France",
        "--no",
        "Chile",
    )
    vote = change_id(cli, "vote record", "votes", "insert")
    with unchanged():
        assert_refused(cli("db", "undo", "--id", str(vote)), "2 rows in ballots refer to it")
    vote_id = next(r["row_key"] for r in log(cli) if r["id"] == vote)
    # one command, one undo: the ballots, then the vote
    assert "2 changes" in cli.ok("db", "undo").stdout
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM votes WHERE id = ?", (vote_id,)).fetchone()[0] == 0
    assert (
        conn.execute("SELECT count(*) FROM ballots WHERE vote_id = ?", (vote_id,)).fetchone()[0]
        == 0
    )
    conn.close()


def test_ballots_changed_outside_the_log_are_not_undone(cli, db_path, unchanged):
    cli.ok(
        *VOTE_ON_REV1,
        "--yes",
        "France",
        "--no",
        "Chile",
    )
    conn = sqlite3.connect(db_path)
    conn.execute(
        "UPDATE ballots SET choice = 'abstain' WHERE iso3 = 'CHL' AND vote_id = "
        "(SELECT max(id) FROM votes)"
    )
    conn.commit()
    conn.close()
    with unchanged():
        assert_refused(cli("db", "undo"), "no longer as that change left them")
