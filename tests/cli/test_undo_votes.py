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
    # redo: the ballots alone cannot come back without their vote; the undo's batch can, whole
    by_table = {r["table"]: r["id"] for r in undo_records}
    assert_refused(
        cli("db", "undo", "--id", str(by_table["ballots"])),
        "undoes whole",
        f"db undo --batch {undo_records[0]['batch']}",
    )
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
        assert_refused(cli("db", "undo", "--id", str(vote)), "undoes whole", "db undo --batch")
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


# ---------------------------------------------------------------- a vote undoes whole
# (red-team finding 3: `db undo --id` of one part of a vote left it without its ballots)

# a fictional vote on a fictional document (created here), with ballots and an explanation
# of a state that has no ballot (a statement), recorded in a temporary database
WHOLE = (
    "vote",
    "record",
    "--doc",
    "A/C.6/99/L.77",
    "--create-doc",
    "--date",
    "2025-11-20",
    "--body",
    "Sixth Committee",
    "--yes",
    "Chile, Peru",
    "--no",
    "France",
    "--explanation",
    "Mexico=fictional explanation",
    "--source",
    "fictional test vote",
)


def stored(db_path) -> dict[int, tuple]:
    """Every vote on the fictional document: id -> (outcome, its ballots, its statements),
    read straight from the file."""
    conn = sqlite3.connect(db_path)
    try:
        return {
            vote_id: (
                outcome,
                conn.execute(
                    "SELECT iso3, choice FROM ballots WHERE vote_id = ? ORDER BY iso3", (vote_id,)
                ).fetchall(),
                conn.execute(
                    "SELECT iso3, kind FROM vote_statements WHERE vote_id = ? ORDER BY iso3",
                    (vote_id,),
                ).fetchall(),
            )
            for vote_id, outcome in conn.execute(
                "SELECT id, outcome FROM votes WHERE symbol = 'A/C.6/99/L.77' ORDER BY id"
            ).fetchall()
        }
    finally:
        conn.close()


WHOLE_VOTE = (
    "adopted",
    [("CHL", "yes"), ("FRA", "no"), ("PER", "yes")],
    [("MEX", "explanation")],
)


def batch_changes(cli, command: str) -> list[dict]:
    """The changes of the newest batch of `command` that wrote votes, ballots or statements."""
    rows = [r for r in log(cli) if r["command"] == command]
    batch = rows[0]["batch"]
    return [
        r
        for r in rows
        if r["batch"] == batch and r["table"] in ("votes", "ballots", "vote_statements")
    ]


def refuse_each_alone(cli, unchanged, changes: list[dict]) -> None:
    batch = changes[0]["batch"]
    with unchanged():
        for change in changes:
            assert_refused(
                cli("db", "undo", "--id", str(change["id"])),
                f"Cannot undo #{change['id']} alone",
                f"db undo --batch {batch}",
            )


def test_undo_id_of_a_recorded_votes_ballots_or_row_is_refused_the_batch_takes_it_whole(
    cli, db_path, unchanged
):
    cli.ok(*WHOLE)
    (vote_id,) = stored(db_path)
    assert stored(db_path) == {vote_id: WHOLE_VOTE}
    parts = batch_changes(cli, "vote record")
    assert {r["table"] for r in parts} == {"votes", "ballots", "vote_statements"}
    refuse_each_alone(cli, unchanged, parts)
    assert stored(db_path) == {vote_id: WHOLE_VOTE}
    assert "integrity: ok" in cli.ok("db", "check").stdout
    cli.ok("db", "undo", "--batch", str(parts[0]["batch"]))
    assert stored(db_path) == {}
    # the redo is whole too: one undo record alone is refused, the undo's batch redoes all
    undo_batch = log(cli)[0]["batch"]
    undo_records = [
        r
        for r in log(cli)
        if r["batch"] == undo_batch and r["table"] in ("votes", "ballots", "vote_statements")
    ]
    assert len(undo_records) == 3
    refuse_each_alone(cli, unchanged, undo_records)
    assert stored(db_path) == {}
    cli.ok("db", "undo", "--batch", str(undo_batch))
    assert stored(db_path) == {vote_id: WHOLE_VOTE}


def test_a_deleted_vote_is_put_back_whole_or_not_at_all(cli, db_path, unchanged):
    cli.ok(*WHOLE)
    (vote_id,) = stored(db_path)
    cli.ok("vote", "delete", str(vote_id))
    assert stored(db_path) == {}
    parts = batch_changes(cli, "vote delete")
    assert {(r["table"], r["action"]) for r in parts} == {
        ("votes", "delete"),
        ("ballots", "delete"),
        ("vote_statements", "delete"),
    }
    refuse_each_alone(cli, unchanged, parts)
    assert stored(db_path) == {}
    cli.ok("db", "undo")
    assert stored(db_path) == {vote_id: WHOLE_VOTE}


def test_a_replaced_vote_keeps_its_new_ballots_against_undo_id(cli, db_path, unchanged):
    cli.ok(*WHOLE)
    (vote_id,) = stored(db_path)
    replace = [a for a in WHOLE if a != "--create-doc"]
    replace[replace.index("Chile, Peru")] = "Chile"
    replace[replace.index("France")] = "France, Peru"
    cli.ok(*replace, "--replace")
    replaced = ("rejected", [("CHL", "yes"), ("FRA", "no"), ("PER", "no")], WHOLE_VOTE[2])
    assert stored(db_path) == {vote_id: replaced}
    parts = batch_changes(cli, "vote record")
    assert len(parts) == 6  # the old vote's row, ballots, statements; the new one's
    refuse_each_alone(cli, unchanged, parts)
    assert stored(db_path) == {vote_id: replaced}
    cli.ok("db", "undo")
    assert stored(db_path) == {vote_id: WHOLE_VOTE}


def test_an_edit_of_a_votes_fields_still_undoes_alone(cli, db_path):
    cli.ok(*WHOLE)
    (vote_id,) = stored(db_path)
    cli.ok("vote", "edit", str(vote_id), "--note", "fictional note")
    edit = batch_changes(cli, "vote edit")
    assert [r["action"] for r in edit] == ["update"]
    cli.ok("db", "undo", "--id", str(edit[0]["id"]))
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT note FROM votes WHERE id = ?", (vote_id,)).fetchone() == (None,)
    conn.close()
    assert stored(db_path) == {vote_id: WHOLE_VOTE}


def test_db_check_reports_a_recorded_vote_with_no_ballots_and_no_totals(cli, db_path):
    cli.ok(*WHOLE)
    (vote_id,) = stored(db_path)
    cli.ok(
        "vote", "record", "--doc", "A/C.6/99/L.77", "--date", "2025-11-21",
        "--body", "Sixth Committee", "--without-vote", "--source", "fictional decision",
    )  # fmt: skip
    assert "votes: ok" in cli.ok("db", "check").stdout  # no ballots by its method: fine
    # what an older release's `db undo --id` of the ballots change left behind
    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM ballots WHERE vote_id = ?", (vote_id,))
    conn.commit()
    result = cli("db", "check")
    assert_refused(
        result, f"1 recorded vote with neither ballots nor official totals (vote {vote_id})"
    )
    # official totals are a record of the vote, without the ballots
    conn.execute("UPDATE votes SET total_yes = 2, total_no = 1 WHERE id = ?", (vote_id,))
    conn.commit()
    conn.close()
    assert "votes: ok" in cli.ok("db", "check").stdout
