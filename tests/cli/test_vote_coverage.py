"""A vote whose ballots do not cover its body's members says so, in every format.

The votes here are fictional, recorded in a temporary seeded database. The member counts
are computed by the test from data/un_member_states.csv (admission dates), not by the code.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from cahtracker.voting import coverage, coverage_line, majority_basis, whole_assembly
from conftest import ROOT, markdown_text

DOC = "A/C.6/79/L.2/Rev.1"


def members_on(date: str) -> set[str]:
    with open(ROOT / "data" / "un_member_states.csv", encoding="utf-8") as handle:
        return {
            r["iso3"]
            for r in csv.DictReader(handle)
            if r["status"] == "member" and r["admitted_on"] <= date
        }


def record(cli, *args: str, body: str = "Sixth Committee", date: str = "2024-11-22") -> int:
    out = cli.ok(
        "vote", "record", "--doc", DOC, "--date", date, "--body", body, *args,
        "--source", "fictional record", "--also",  # beside the seed's decisions of the day
    ).stdout  # fmt: skip
    return int(out.split()[2])


def test_rules():
    assert whole_assembly("General Assembly") and whole_assembly("sixth  committee")
    assert whole_assembly("Special Political and Decolonization Committee (Fourth Committee)")
    assert not whole_assembly("Security Council") and not whole_assembly(None)
    assert not whole_assembly("Preparatory Committee")
    assert coverage(193, 65, 66) == {
        "members": 193,
        "recorded": 65,
        "not_recorded": 128,
        "ballots_not_recorded": 0,
        "complete": False,
    }
    assert coverage(193, 193, 193)["complete"] is True
    assert coverage(None, 0, 0) is None and coverage(193, 0, 0) is None
    assert coverage(None, 0, 15)["complete"] is None
    assert coverage_line(coverage(193, 65, 65)) == "65 of 193 members recorded; 128 not recorded"
    assert coverage_line(coverage(193, 193, 193)) is None
    assert "membership is not known" in coverage_line(coverage(None, 0, 15))
    tally = {"yes": 40, "no": 20, "abstain": 5, "non_voting": 0, "absent": 0}
    assert majority_basis(tally, None, coverage(193, 65, 65)) is None
    assert majority_basis(tally, None, coverage(65, 65, 65))["basis"] == "ballots"
    official = {"yes": 120, "no": 30, "abstain": 20, "non_voting": 23, "members": 193}
    basis = majority_basis(tally, official, coverage(193, 65, 65))
    assert (basis["basis"], basis["yes"], basis["no"]) == ("official totals", 120, 30)


def test_a_partial_vote_is_marked_in_every_format_of_vote_show(cli):
    vote_id = record(cli, "--yes", "France, Mexico", "--no", "Russia", "--abstain", "Holy See")
    expected = members_on("2024-11-22")
    assert len(expected) == 193
    data = json.loads(cli.ok("vote", "show", str(vote_id), "-f", "json").stdout)
    assert data["coverage"] == {
        "members": 193,
        "recorded": 3,  # the Holy See, an observer, is no member
        "not_recorded": 190,
        "ballots_not_recorded": 0,
        "complete": False,
    }
    missing = {m["iso3"] for m in data["members_not_recorded"]}
    assert missing == expected - {"FRA", "MEX", "RUS"}
    line = "3 of 193 members recorded; 190 not recorded"
    for fmt in ("table", "markdown"):
        out = cli.ok("vote", "show", str(vote_id), "-f", fmt).stdout
        out = markdown_text(out) if fmt == "markdown" else out  # as rendered (`:` escaped)
        assert line in out, fmt
        assert "Not recorded (190): Afghanistan" in out, fmt
    rows = list(
        csv.DictReader(io.StringIO(cli.ok("vote", "show", str(vote_id), "-f", "csv").stdout))
    )
    by_state = {r["iso3"]: r for r in rows}
    assert {i for i, r in by_state.items() if r["choice"] == "not recorded"} == missing
    assert by_state["FRA"]["choice"] == "yes" and by_state["VAT"]["choice"] == "abstain"
    assert {r["symbol"] for r in rows} == {DOC} and {r["date"] for r in rows} == {"2024-11-22"}


def test_a_partial_vote_is_marked_in_every_format_of_vote_list(cli):
    vote_id = record(cli, "--yes", "France, Mexico", "--no", "Russia")
    table = cli.ok("vote", "list").stdout  # 80 columns: the footer names the partial vote
    assert "part of the body's members" in table and f": {vote_id}." in table
    assert "3/193" in cli.ok("vote", "list", "--wide").stdout  # and its Recorded cell
    assert "3/193" in cli.ok("vote", "list", "-f", "markdown").stdout
    row = next(
        r
        for r in csv.DictReader(io.StringIO(cli.ok("vote", "list", "-f", "csv").stdout))
        if r["id"] == str(vote_id)
    )
    assert (row["members"], row["recorded"], row["not_recorded"], row["complete"]) == (
        "193",
        "3",
        "190",
        "false",
    )
    listed = json.loads(cli.ok("vote", "list", "-f", "json").stdout)
    mine = next(v for v in listed if v["id"] == vote_id)
    shown = json.loads(cli.ok("vote", "show", str(vote_id), "-f", "json").stdout)
    assert mine["coverage"] == shown["coverage"]
    assert all(v["coverage"] is None for v in listed if v["id"] != vote_id)  # no ballots


def test_a_complete_vote_is_not_marked_and_members_follow_admission_dates(cli):
    # 1990-01-01: before the admissions of 1990 onwards; every member then votes yes
    date = "1990-01-01"
    members = sorted(members_on(date))
    assert 150 < len(members) < 193
    vote_id = record(cli, "--yes", ", ".join(members), body="General Assembly", date=date)
    data = json.loads(cli.ok("vote", "show", str(vote_id), "-f", "json").stdout)
    assert data["coverage"] == {
        "members": len(members),
        "recorded": len(members),
        "not_recorded": 0,
        "ballots_not_recorded": 0,
        "complete": True,
    }
    assert data["members_not_recorded"] == []
    assert "not recorded" not in cli.ok("vote", "show", str(vote_id)).stdout
    listed = json.loads(cli.ok("vote", "list", "-f", "json").stdout)
    assert next(v for v in listed if v["id"] == vote_id)["coverage"] == data["coverage"]
    assert "part of the body's members" not in cli.ok("vote", "list").stdout


@pytest.mark.parametrize("body", ["Human Rights Council"])
def test_a_body_whose_members_are_not_known_is_marked_unknown(cli, body):
    vote_id = record(cli, "--yes", "France", "--new-body", body=body)
    data = json.loads(cli.ok("vote", "show", str(vote_id), "-f", "json").stdout)
    assert data["coverage"]["members"] is None and data["coverage"]["complete"] is None
    assert "membership is not known here" in cli.ok("vote", "show", str(vote_id)).stdout
    assert "1/?" in cli.ok("vote", "list", "--wide").stdout


def test_statements_appear_in_csv_and_markdown_of_vote_show(cli):
    vote_id = record(cli, "--without-vote", "--dissociating", "Nicaragua and Belarus",
                     "--explanation", "Cuba=Fictional reservations")  # fmt: skip
    rows = list(
        csv.DictReader(io.StringIO(cli.ok("vote", "show", str(vote_id), "-f", "csv").stdout))
    )
    assert [(r["iso3"], r["statement"], r["text"]) for r in rows] == [
        ("BLR", "dissociation", ""),
        ("CUB", "explanation", "Fictional reservations"),
        ("NIC", "dissociation", ""),
    ]
    markdown = cli.ok("vote", "show", str(vote_id), "-f", "markdown").stdout
    assert "| NIC | Nicaragua |  | dissociation |" in markdown
    assert "Fictional reservations" in markdown


def test_a_state_in_a_membership_gap_is_no_member_that_day(cli):
    """1960: Syria sat within the United Arab Republic (data/membership_gaps.csv)."""
    with open(ROOT / "data" / "membership_gaps.csv", encoding="utf-8") as handle:
        gaps = list(csv.DictReader(handle))
    date = "1960-01-01"
    away = {g["iso3"] for g in gaps if g["valid_from"] <= date <= g["valid_to"]}
    assert away == {"SYR"}
    seated = sorted(members_on(date) - away)
    vote_id = record(cli, "--yes", ", ".join(seated), body="General Assembly", date=date)
    data = json.loads(cli.ok("vote", "show", str(vote_id), "-f", "json").stdout)
    assert data["coverage"]["complete"] is True and data["coverage"]["members"] == len(seated)
    listed = json.loads(cli.ok("vote", "list", "-f", "json").stdout)
    assert next(v for v in listed if v["id"] == vote_id)["coverage"] == data["coverage"]
    # a hand-made ballot of Syria that day counts for no seat, in both
    other = record(
        cli, "--yes", ", ".join([*seated[:10], "SYR"]), body="General Assembly", date=date
    )
    shown = json.loads(cli.ok("vote", "show", str(other), "-f", "json").stdout)["coverage"]
    assert (shown["recorded"], shown["members"]) == (10, len(seated))
    listed = json.loads(cli.ok("vote", "list", "-f", "json").stdout)
    assert next(v for v in listed if v["id"] == other)["coverage"] == shown
