"""`vote record/show/list/compare`: UN tally rules, refusals, shapes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cahtracker.voting import decide
from conftest import assert_refused

DOC = "A/C.6/79/L.2/Rev.1"


ON_REV1 = ("vote", "record", "--doc", DOC, "--date", "2024-11-22", "--body", "Sixth Committee")


def record(cli, *args: str):
    return cli.ok(
        *ON_REV1,
        "--also",  # a fictional vote beside the seed's decision of that day
        *args,
        *(() if "--source" in args else ("--unsourced",)),
    )


def show(cli, ref: str) -> dict:
    return json.loads(cli.ok("vote", "show", ref, "-f", "json").stdout)


def test_recorded_tie_is_rejected(cli):
    out = record(
        cli, "--yes", "Albania, Andorra", "--no", "Angola and Argentina", "--abstain", "Chile"
    )
    assert "rejected" in out.stdout
    vote = show(cli, DOC)
    assert vote["outcome"] == "rejected" and vote["method"] == "recorded"
    assert vote["tally"] == {"yes": 2, "no": 2, "abstain": 1, "non_voting": 0, "absent": 0}
    assert {b["iso3"]: b["choice"] for b in vote["ballots"]} == {
        "ALB": "yes",
        "AND": "yes",
        "AGO": "no",
        "ARG": "no",
        "CHL": "abstain",
    }


def test_two_thirds_is_judged_on_present_and_voting(cli):
    # 4 yes, 2 no: exactly two thirds of those voting; the ten abstentions do not count
    abstaining = "Chile, Cuba, Denmark, Egypt, Fiji, Ghana, India, Japan, Kenya, Mexico"
    record(
        cli,
        "--yes",
        "Albania, Andorra, Angola, Peru",
        "--no",
        "Argentina, Brazil",
        "--abstain",
        abstaining,
        "--majority",
        "two-thirds",
    )
    assert show(cli, DOC)["outcome"] == "adopted"
    record(
        cli,
        "--yes",
        "Albania, Andorra, Angola",
        "--no",
        "Argentina, Brazil",
        "--majority",
        "two-thirds",
    )
    vote = show(cli, DOC)
    assert vote["outcome"] == "rejected" and vote["majority"] == "two-thirds"
    record(cli, "--yes", "Albania, Andorra, Angola", "--no", "Argentina, Brazil")
    assert show(cli, DOC)["outcome"] == "adopted"


@given(st.integers(0, 193), st.integers(0, 193))
def test_decide_follows_the_charter(yes, no):
    assert decide(10, 9) == "adopted" and decide(9, 9) == "rejected"  # a tie fails
    assert decide(20, 10, "two-thirds") == "adopted" and decide(19, 10, "two-thirds") == "rejected"
    assert decide(0, 0) == decide(0, 0, "two-thirds") == "rejected"
    assert (decide(yes, no) == "adopted") == (yes > no)
    assert (decide(yes, no, "two-thirds") == "adopted") == (yes > 0 and 3 * yes >= 2 * (yes + no))


def test_without_vote_with_dissociation_and_explanation(cli):
    record(
        cli,
        "--without-vote",
        "--dissociating",
        "Russia",
        "--explanation",
        "Iran=Reserved on gender",
        "--source",
        "GA/L/3738",
    )
    vote = show(cli, DOC)
    assert vote["method"] == "without a vote" and vote["outcome"] == "adopted"
    assert vote["ballots"] == [] and vote["majority"] is None
    assert [(s["iso3"], s["kind"]) for s in vote["statements"]] == [
        ("RUS", "dissociation"),
        ("IRN", "explanation"),
    ]
    table = cli.ok("vote", "show", DOC).stdout
    assert "Russian Federation — dissociation" in table and "without a vote" in table


def test_withdrawn(cli):
    record(cli, "--withdrawn", "--note", "withdrawn by the sponsor")
    vote = show(cli, DOC)
    assert (vote["method"], vote["outcome"]) == ("withdrawn before a vote", "withdrawn")


@pytest.mark.parametrize(
    "args, fragments",
    [
        (
            ("--yes", "Albania, France", "--no", "France"),
            ("France (FRA) is named in both --yes and --no",),
        ),
        (("--yes", "Albania, Rusia"), ("Unknown state 'Rusia'", "Russian Federation (RUS)")),
        (("--yes", "Albania", "--without-vote"), ("has no ballots",)),
        (("--dissociating", "Russia"), ("--dissociating is for decisions taken --without-vote",)),
        ((), ("No ballots given",)),
        (("--yes", "Albania", "--majority", "three-quarters"), ("Unknown majority",)),
    ],
)
def test_bad_record_is_refused_and_changes_nothing(cli, unchanged, args, fragments):
    with unchanged():
        result = cli(*ON_REV1, *args, "--unsourced")
    assert_refused(result, *fragments)
    assert len(result.output.strip().splitlines()) == 1


def test_unknown_document_needs_create_doc(cli, unchanged):
    args = (
        "vote",
        "record",
        "--doc",
        "A/C.6/79/L.99",
        "--date",
        "2024-11-22",
        "--body",
        "Sixth Committee",
        "--yes",
        "Albania",
        "--unsourced",
    )
    with unchanged():
        result = cli(*args)
    assert_refused(result, "Unknown document 'A/C.6/79/L.99'", "--create-doc")
    cli.ok(*args, "--create-doc")
    doc = json.loads(cli.ok("vote", "show", "A/C.6/79/L.99", "-f", "json").stdout)
    assert doc["tally"]["yes"] == 1


def test_from_file_and_bad_date(cli, tmp_path, unchanged):
    ballots = tmp_path / "ballots.csv"
    ballots.write_text(
        "state,choice\nAlbania,yes\nRUSSIAN FEDERATION,no\nCIV,abstain\nFrance,NV\n",
        encoding="utf-8",
    )
    record(cli, "--from-file", str(ballots), "--yes", "Andorra")
    vote = show(cli, DOC)
    assert vote["tally"] == {"yes": 2, "no": 1, "abstain": 1, "non_voting": 1, "absent": 0}
    with unchanged():
        result = cli(
            "vote",
            "record",
            "--doc",
            DOC,
            "--date",
            "03/04/2024",
            "--body",
            "X",
            "--yes",
            "Albania",
            "--unsourced",
        )
    assert_refused(result, "Ambiguous date")


def test_show_symbol_means_latest_vote_and_by_group(cli):
    cli.ok(
        "vote",
        "record",
        "--doc",
        DOC,
        "--date",
        "2024-11-23",
        "--body",
        "Sixth Committee",
        "--yes",
        "Albania",
        "--unsourced",
    )
    cli.ok(
        "vote",
        "record",
        "--doc",
        DOC,
        "--date",
        "2024-11-21",
        "--body",
        "Sixth Committee",
        "--no",
        "Albania",
        "--unsourced",
    )
    cli.ok(
        "vote",
        "record",
        "--doc",
        DOC,
        "--date",
        "2024-11-23",
        "--body",
        "Sixth Committee",
        "--yes",
        "Albania, Andorra",
        "--absent",
        "Chile",
        "--unsourced",
        "--also",
    )
    vote = show(cli, DOC)
    assert vote["date"] == "2024-11-23" and vote["tally"]["yes"] == 2
    assert set(vote) >= {
        "id",
        "symbol",
        "body",
        "date",
        "method",
        "outcome",
        "majority",
        "tally",
        "official_totals",
        "ballots",
    }
    grouped = json.loads(cli.ok("vote", "show", str(vote["id"]), "--by-group", "-f", "json").stdout)
    assert grouped["by_group"]["Eastern European"]["yes"] == 1
    assert grouped["by_group"]["Western European and Others"]["yes"] == 1
    assert grouped["by_group"]["Latin American and Caribbean"]["absent"] == 1
    table = cli.ok("vote", "show", str(vote["id"]), "--by-group").stdout
    assert "By regional group" in table and "Yes (2): Albania, Andorra" in table


def test_show_unknown_is_refused(cli):
    assert_refused(cli("vote", "show", "999"), "No vote with id 999")
    assert_refused(cli("vote", "show", "A/RES/1/1"), "No vote on 'A/RES/1/1'")


def test_list_shape_and_filters(cli):
    record(cli, "--yes", "Albania", "--no", "Chile")
    rows = json.loads(cli.ok("vote", "list", "-f", "json").stdout)
    keys = "id symbol body date method outcome tally source unsourced coverage".split()
    assert set(rows[0]) == set(keys)
    assert not any(r["unsourced"] for r in rows if r["symbol"] != DOC or r["source"])
    seeded = {r["symbol"]: r["method"] for r in rows}
    assert (
        seeded["A/RES/79/122"] == "unconfirmed"
        and seeded["A/C.6/79/L.20"] == "withdrawn before a vote"
    )
    mine = json.loads(cli.ok("vote", "list", "--doc", DOC, "--body", "sixth", "-f", "json").stdout)
    assert [r["method"] for r in mine] == ["without a vote", "recorded"]
    assert mine[1]["tally"] == {"yes": 1, "no": 1, "abstain": 0, "non_voting": 0, "absent": 0}
    assert (mine[1]["source"], mine[1]["unsourced"]) == (None, True)  # recorded --unsourced
    later = json.loads(cli.ok("vote", "list", "--from", "2024-12-01", "-f", "json").stdout)
    assert [r["symbol"] for r in later] == ["A/RES/79/122"]
    csv_out = cli.ok("vote", "list", "--to", "2024-11-22", "-f", "csv").stdout.splitlines()
    assert csv_out[0] == (
        "id,symbol,body,date,method,outcome,yes,no,abstain,non_voting,absent,source,unsourced,"
        "members,recorded,not_recorded,ballots_not_recorded,complete"
    )
    assert "Votes" in cli.ok("vote", "list", "-f", "markdown").stdout


def test_compare_two_states(cli):
    record(cli, "--yes", "France, Germany", "--no", "Chile")
    record(cli, "--yes", "France", "--no", "Germany")
    record(cli, "--yes", "France", "--non-voting", "Germany")
    result = json.loads(cli.ok("vote", "compare", "France", "DEU", "-f", "json").stdout)
    assert result["votes_compared"] == 2 and result["agreed"] == 1 and result["agreement"] == 50.0
    assert [(d["FRA"], d["DEU"]) for d in result["disagreements"]] == [("yes", "no")]
    assert "voted alike on 1 of 2" in cli.ok("vote", "compare", "France", "Germany").stdout
    assert_refused(cli("vote", "compare", "France", "FRA"), "two different states")


def test_a_vote_is_logged_as_one_change_each_for_row_and_ballots(cli, store):
    record(cli, "--yes", "Albania, Andorra", "--no", "Chile")
    changes = store.query(
        "SELECT command, table_name, after FROM changes WHERE command = 'vote record'"
    )
    assert [c["table_name"] for c in changes] == ["votes", "ballots"]
    assert len(json.loads(changes[1]["after"])["ballots"]) == 3


def test_user_text_is_not_markup(cli):
    record(cli, "--yes", "Albania", "--note", "[/oops] =1+1", "--source", "[bold]x")
    out = cli.ok("vote", "show", DOC).stdout
    assert "[/oops] =1+1" in out and "[bold]x" in out
