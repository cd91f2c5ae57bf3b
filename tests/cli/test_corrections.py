"""Corrections: `vote edit`/`delete`, `vote record --also`/`--replace`, `sponsors remove`,
`position delete`. Each refusal changes nothing; each correction is logged and `db undo`
gives back the rows exactly as they were. The votes and stances here are fictional."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import assert_refused

REV1 = "A/C.6/79/L.2/Rev.1"
L20 = "A/C.6/79/L.20"
TABLES = (
    "votes",
    "ballots",
    "vote_statements",
    "vote_sources",
    "sponsorship_events",
    "positions",
    "documents",
)


def rows(db_path) -> dict[str, list[tuple]]:
    """Every row of the tables a correction touches, read straight from the file."""
    conn = sqlite3.connect(db_path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        conn.close()


def votes(cli, *args: str) -> list[dict]:
    return json.loads(cli.ok("vote", "list", *args, "-f", "json").stdout)


def vote_on_args(*extra: str) -> tuple[str, ...]:
    """A fictional recorded vote on L.21 in the Sixth Committee on 23 November 2024."""
    return (
        *("vote", "record", "--doc", "A/C.6/79/L.21", "--date", "2024-11-23"),
        *("--body", "Sixth Committee", "--source", "fictional record"),
        *extra,
    )


# --- a second decision on the same document, body and date ----------------------------------


@pytest.mark.parametrize(
    "args",
    [
        (REV1, "--without-vote"),
        (L20, "--withdrawn"),
        (REV1, "--yes", "Chile"),  # another kind of decision is a second decision all the same
    ],
)
@pytest.mark.parametrize("body", ["Sixth Committee", "sixth  COMMITTEE"])
def test_the_seed_decisions_of_22_november_are_not_recorded_twice(cli, unchanged, args, body):
    doc, *rest = args
    with unchanged():
        result = cli(
            *("vote", "record", "--doc", doc, "--date", "2024-11-22", "--body", body),
            *rest,
            *("--source", "GA/L/3738"),
        )
    assert_refused(result, "already records a decision", "--replace", "--also")
    assert "Nothing was recorded" in result.output


def test_also_records_a_separate_vote_the_same_day(cli):
    cli.ok(*vote_on_args("--yes", "Chile"))
    cli.ok(*vote_on_args("--no", "Chile", "--also", "--note", "a second, separate vote"))
    assert [v["tally"]["yes"] for v in votes(cli, "--doc", "A/C.6/79/L.21")] == [1, 0]


def test_replace_replaces_in_place_and_undo_gives_the_old_vote_back(cli, db_path):
    cli.ok(*vote_on_args("--yes", "Chile, Peru", "--no", "Fiji"))
    (old,) = votes(cli, "--doc", "A/C.6/79/L.21")
    before = rows(db_path)
    out = cli.ok(*vote_on_args("--no", "Chile, Peru", "--yes", "Fiji", "--replace")).stdout
    assert f"Replaced vote {old['id']}" in out
    (new,) = votes(cli, "--doc", "A/C.6/79/L.21")
    assert new["id"] == old["id"] and (new["tally"]["yes"], new["tally"]["no"]) == (1, 2)
    assert new["outcome"] == "rejected"
    cli.ok("db", "undo")
    assert rows(db_path) == before


def test_replace_of_the_seeded_decision_keeps_its_id(cli, db_path):
    (seeded,) = votes(cli, "--doc", REV1)
    cli.ok(
        *("vote", "record", "--doc", REV1, "--date", "2024-11-22", "--body", "Sixth Committee"),
        *("--without-vote", "--dissociating", "Russia", "--source", "GA/L/3738", "--replace"),
    )
    shown = json.loads(cli.ok("vote", "show", str(seeded["id"]), "-f", "json").stdout)
    assert [s["iso3"] for s in shown["statements"]] == ["RUS"]
    assert len(votes(cli, "--doc", REV1)) == 1


def show_fields(cli, vote_id: int) -> tuple:
    shown = json.loads(cli.ok("vote", "show", str(vote_id), "-f", "json").stdout)
    return shown["meeting"], shown["note"], shown["tally"]["yes"], shown["tally"]["no"]


def test_replace_keeps_the_meeting_and_note_unless_new_ones_are_given(cli, db_path):
    cli.ok(*vote_on_args("--yes", "Chile", "--meeting", "39th", "--note", "as orally revised"))
    (old,) = votes(cli, "--doc", "A/C.6/79/L.21")
    out = cli.ok(*vote_on_args("--yes", "Chile", "--no", "Peru", "--replace")).stdout
    assert "Kept its meeting and note" in out and "--meeting '' / --note '' clear them" in out
    assert show_fields(cli, old["id"]) == ("39th", "as orally revised", 1, 1)
    # a new meeting replaces the old one; the note not given is still kept
    out = cli.ok(*vote_on_args("--yes", "Chile", "--replace", "--meeting", "40th")).stdout
    assert "Kept its note (--note '' clears it" in out
    assert show_fields(cli, old["id"]) == ("40th", "as orally revised", 1, 0)
    # '' clears it
    out = cli.ok(*vote_on_args("--yes", "Fiji", "--replace", "--note", "")).stdout
    assert "Kept its meeting" in out and "note" not in out.split("Kept its")[1]
    assert show_fields(cli, old["id"]) == ("40th", None, 1, 0)
    before = rows(db_path)
    out = cli.ok(*vote_on_args("--yes", "Fiji", "--replace", "--meeting", "", "--note", "")).stdout
    assert "Kept" not in out
    assert show_fields(cli, old["id"]) == (None, None, 1, 0)
    cli.ok("db", "undo")  # the old meeting comes back with the old vote
    assert rows(db_path) == before


def test_replace_and_also_refusals_change_nothing(cli, unchanged):
    with unchanged():
        assert_refused(
            cli(*vote_on_args("--yes", "Chile", "--replace")), "no decision", "to replace"
        )
        assert_refused(cli(*vote_on_args("--yes", "Chile", "--replace", "--also")), "not both")
    cli.ok(*vote_on_args("--yes", "Chile"))
    cli.ok(*vote_on_args("--yes", "Peru", "--also"))
    with unchanged():
        assert_refused(
            cli(*vote_on_args("--yes", "Fiji", "--replace")), "2 decisions", "vote delete"
        )
        assert_refused(cli(*vote_on_args("--yes", "Fiji")), "already records a decision")


# --- vote edit -------------------------------------------------------------------------------


def test_edit_changes_the_fields_and_undo_puts_them_back(cli, db_path):
    cli.ok(*vote_on_args("--yes", "Chile", "--meeting", "40th"))
    (vote,) = votes(cli, "--doc", "A/C.6/79/L.21")
    before = rows(db_path)
    out = cli.ok(
        *("vote", "edit", str(vote["id"]), "--date", "24 November 2024", "--meeting", ""),
        *("--note", "corrected", "--source", "GA/L/9999 (fictional)"),
    ).stdout
    assert "date 2024-11-23 → 2024-11-24" in out and "meeting 40th → (none)" in out
    shown = json.loads(cli.ok("vote", "show", str(vote["id"]), "-f", "json").stdout)
    assert (shown["date"], shown["meeting"], shown["note"], shown["source"]) == (
        "2024-11-24",
        None,
        "corrected",
        "GA/L/9999 (fictional)",
    )
    assert [{k: b[k] for k in ("iso3", "name", "choice")} for b in shown["ballots"]] == [
        {"iso3": "CHL", "name": "Chile", "choice": "yes"}
    ]
    cli.ok("db", "undo")
    assert rows(db_path) == before


def test_edit_majority_decides_the_outcome_again(cli):
    # 3 yes, 2 no: a simple majority, not two thirds (3 < 2 x 2)
    cli.ok(*vote_on_args("--yes", "Chile, Peru and Fiji", "--no", "Ghana, Kenya"))
    (vote,) = votes(cli, "--doc", "A/C.6/79/L.21")
    assert vote["outcome"] == "adopted"
    out = cli.ok("vote", "edit", str(vote["id"]), "--majority", "two-thirds").stdout
    assert "outcome adopted → rejected" in out and "majority simple → two-thirds" in out
    assert votes(cli, "--doc", "A/C.6/79/L.21")[0]["outcome"] == "rejected"


def test_edit_outcome_of_a_decision_without_ballots_and_unsourced(cli):
    (seeded,) = votes(cli, "--doc", "A/RES/79/122")
    cli.ok("vote", "edit", str(seeded["id"]), "--outcome", "Adopted", "--unsourced")
    shown = json.loads(cli.ok("vote", "show", str(seeded["id"]), "-f", "json").stdout)
    assert (shown["outcome"], shown["source"], shown["unsourced"]) == ("adopted", None, True)
    assert "nothing changed" in cli.ok("vote", "edit", str(seeded["id"]), "--unsourced").stdout


@pytest.mark.parametrize(
    "args, fragments",
    [
        ((), ("Nothing to change",)),
        (("--majority", "three-quarters"), ("Unknown majority",)),
        (("--outcome", "postponed"), ("Unknown outcome",)),
        (("--outcome", "rejected"), ("follows its ballots",)),
        (("--body", "Sixth Comittee"), ("Did you mean: Sixth Committee",)),
        (("--source", ""), ("--source is blank",)),
        (("--source", "x", "--unsourced"), ("not both",)),
        (("--date", "03/04/2024"), ("Ambiguous date",)),
    ],
)
def test_edit_refusals_change_nothing(cli, unchanged, args, fragments):
    cli.ok(*vote_on_args("--yes", "Chile"))
    (vote,) = votes(cli, "--doc", "A/C.6/79/L.21")
    with unchanged():
        assert_refused(cli("vote", "edit", str(vote["id"]), *args), *fragments)


def test_edit_refuses_what_the_decision_cannot_have(cli, unchanged):
    (seeded,) = votes(cli, "--doc", REV1)
    with unchanged():
        assert_refused(
            cli("vote", "edit", str(seeded["id"]), "--majority", "simple"), "no majority"
        )
        assert_refused(cli("vote", "edit", "999", "--note", "x"), "No vote with id 999")
        assert_refused(cli("vote", "edit", REV1, "--note", "x"), "not a vote id")


def test_edit_into_a_second_decision_is_refused_unless_also(cli, unchanged):
    cli.ok(*vote_on_args("--yes", "Chile"))
    (vote,) = votes(cli, "--doc", "A/C.6/79/L.21")
    # the seed has no L.21 decision; an L.21 vote dated the 22nd is fine, then a second one is not
    cli.ok("vote", "edit", str(vote["id"]), "--date", "2024-11-22")
    cli.ok(*vote_on_args("--yes", "Peru"))
    (_, second) = votes(cli, "--doc", "A/C.6/79/L.21")
    with unchanged():
        assert_refused(
            cli("vote", "edit", str(second["id"]), "--date", "2024-11-22"),
            "already records a decision",
            "--also",
        )
    cli.ok("vote", "edit", str(second["id"]), "--date", "2024-11-22", "--also")


# --- vote delete -----------------------------------------------------------------------------


def test_delete_takes_the_vote_with_its_rows_and_undo_gives_them_back(cli, db_path):
    before = rows(db_path)
    cli.ok(
        *vote_on_args("--yes", "Chile, Peru", "--no", "Fiji", "--abstain", "Ghana"),
        *("--explanation", "Kenya=fictional explanation"),
    )
    (vote,) = votes(cli, "--doc", "A/C.6/79/L.21")
    recorded = rows(db_path)
    out = cli.ok("vote", "delete", str(vote["id"])).stdout
    assert f"Deleted vote {vote['id']} on A/C.6/79/L.21" in out
    assert rows(db_path) == before
    cli.ok("db", "undo")
    assert rows(db_path) == recorded
    shown = json.loads(cli.ok("vote", "show", str(vote["id"]), "-f", "json").stdout)
    assert [s["iso3"] for s in shown["statements"]] == ["KEN"] and len(shown["ballots"]) == 4


def test_delete_refusals_change_nothing(cli, unchanged):
    with unchanged():
        assert_refused(cli("vote", "delete", "999"), "No vote with id 999")
        assert_refused(cli("vote", "delete", REV1), "not a vote id")


# --- sponsors remove -------------------------------------------------------------------------


def history(cli, *args: str) -> list[dict]:
    return json.loads(cli.ok("sponsors", "history", *args, "-f", "json").stdout)


def test_remove_deletes_every_event_of_the_state_and_undo_puts_them_back(cli, db_path):
    cli.ok("sponsors", "add", "Chile, Peru", "--date", "2024-11-20", "--source", "fictional")
    cli.ok("sponsors", "withdraw", "Chile", "--date", "2024-11-25", "--source", "fictional")
    before = rows(db_path)
    out = cli.ok("sponsors", "remove", "Chile").stdout
    assert "Removed 2 sponsorship events of A/C.6/79/L.2/Rev.1" in out
    assert not [e for e in history(cli) if e["iso3"] == "CHL"]
    assert [e["iso3"] for e in history(cli) if e["symbol"] == REV1] == ["PER"]
    cli.ok("db", "undo")
    assert rows(db_path) == before


def test_remove_refusals_change_nothing(cli, unchanged):
    cli.ok("sponsors", "add", "Chile", "--doc", "A/C.6/79/L.2", "--date", "2024-11-20",
           "--source", "fictional")  # fmt: skip
    cli.ok("sponsors", "withdraw", "Chile", "--date", "2024-11-25", "--source", "fictional")
    with unchanged():
        # inherited: its events are on the text Rev.1 revises
        assert_refused(
            cli("sponsors", "remove", "Czechia"), "no sponsorship event on", "--doc A/C.6/79/L.2"
        )
        assert_refused(cli("sponsors", "remove", "Peru, Rusia"), "Unknown state 'Rusia'")
        assert_refused(cli("sponsors", "remove", "Peru"), "Peru (PER) has no sponsorship event")
        # the withdrawal on Rev.1 ends the joining on L.2: remove it there first
        assert_refused(
            cli("sponsors", "remove", "Chile", "--doc", "A/C.6/79/L.2"),
            "its withdrawal on A/C.6/79/L.2/Rev.1",
            "remove it there first",
        )
    cli.ok("sponsors", "remove", "Chile")  # the withdrawal on Rev.1
    cli.ok("sponsors", "remove", "Chile", "--doc", "A/C.6/79/L.2")
    assert not [e for e in history(cli) if e["iso3"] == "CHL"]


# --- position delete -------------------------------------------------------------------------


def stances(cli, state: str) -> list[dict]:
    return json.loads(cli.ok("position", "history", state, "-f", "json").stdout)


def test_delete_a_stance_by_id_or_by_state_topic_and_date(cli, db_path):
    before = rows(db_path)
    cli.ok("position", "set", "Mongolia", "-t", "treaty", "-s", "support", "--date", "2024-11-20",
           "--source", "fictional")  # fmt: skip
    cli.ok("position", "set", "Mongolia", "-t", "treaty", "-s", "mixed", "--date", "unknown",
           "--source", "fictional")  # fmt: skip
    dated, undated = sorted(stances(cli, "Mongolia"), key=lambda r: r["date"] is None)
    out = cli.ok("position", "delete", str(dated["id"])).stdout
    assert f"Deleted stance {dated['id']}: Mongolia (MNG) support on treaty, 2024-11-20" in out
    cli.ok("position", "delete", "MNG", "--topic", "treaty", "--date", "unknown")
    assert stances(cli, "Mongolia") == []
    cli.ok("db", "undo")
    cli.ok("db", "undo")
    assert [r["id"] for r in stances(cli, "Mongolia")] == [undated["id"], dated["id"]]
    cli.ok("db", "undo")
    cli.ok("db", "undo")
    assert rows(db_path) == before


def test_position_delete_refusals_change_nothing(cli, unchanged):
    for stance in ("support", "mixed"):  # two stances the same day
        cli.ok("position", "set", "Chile", "-t", "treaty", "-s", stance, "--date", "2024-11-20",
               "--source", "fictional")  # fmt: skip
    with unchanged():
        assert_refused(
            cli("position", "delete", "Chile", "-t", "treaty", "--date", "2024-11-20"),
            "2 stances of Chile (CHL) on treaty on 2024-11-20",
            "give the id",
        )
        assert_refused(
            cli("position", "delete", "Chile", "-t", "treaty", "--date", "2024-11-21"), "No stance"
        )
        assert_refused(cli("position", "delete", "Chile"), "--topic and --date")
        assert_refused(cli("position", "delete", "99999"), "No stance with id 99999")
        assert_refused(cli("position", "delete", "5", "--topic", "treaty"), "id alone")
        assert_refused(
            cli("position", "delete", "Chile", "-t", "nope", "--date", "2024-11-20"),
            "Unknown topic",
        )
