"""`vote list` and `vote compare`: no counts for decisions without ballots, a footer that
agrees with the columns shown, `-n/--limit`, and date ranges.

Every vote recorded here is fictional, in a temporary seeded database; the seed's three
decisions (data/votes.csv) have no ballots: one withdrawn, one adopted without a vote, one
adopted whose ballots are not in the seed.
"""

from __future__ import annotations

import csv
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import VOTE_ON_REV1, assert_refused
from table_data import at_width

SEEDED = {"A/C.6/79/L.20", "A/C.6/79/L.2/Rev.1", "A/RES/79/122"}


def listed(cli, *args: str) -> list[dict]:
    return json.loads(cli.ok("vote", "list", *args, "-f", "json").stdout)


def record(cli, *args: str) -> int:
    return int(cli.ok(*VOTE_ON_REV1, *args).stdout.split()[2])


def test_a_decision_without_ballots_has_no_tally(cli):
    record(cli, "--yes", "France", "--no", "Chile", "--abstain", "India")
    rows = listed(cli)
    without = [r for r in rows if r["symbol"] in SEEDED and r["method"] != "recorded"]
    assert {r["symbol"] for r in without} == SEEDED
    assert all(r["tally"] is None for r in without)
    mine = next(r for r in rows if r["method"] == "recorded")
    assert mine["tally"] == {"yes": 1, "no": 1, "abstain": 1, "non_voting": 0, "absent": 0}
    by_symbol_csv = list(csv.DictReader(cli.ok("vote", "list", "-f", "csv").stdout.splitlines()))
    for row in by_symbol_csv:
        counts = [row[k] for k in ("yes", "no", "abstain", "non_voting", "absent")]
        if row["method"] == "recorded":
            assert counts == ["1", "1", "1", "0", "0"]
        else:
            assert counts == ["", "", "", "", ""], row["symbol"]
    table = at_width(cli, 300, "vote", "list", "--wide")
    for line in table.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[1] in SEEDED and cells[4] != "recorded":
            # Yes, No, Abst., Non-voting/absent: a dash each, never a count of 0
            assert cells[6:10] == ["–"] * 4, line
            assert "0" not in cells[6:10]


@settings(max_examples=12, deadline=None)
@given(width=st.integers(60, 200))
def test_the_footer_names_only_columns_that_are_shown(cli_with_partial, width):
    """The footer never points at a Recorded column the table left out; its legend is
    printed exactly when the column is."""
    out = at_width(cli_with_partial, width, "vote", "list")
    lines = out.splitlines()
    header = next(line for line in lines if "Symbol" in line)
    shown = "Recorded" in header
    start = next((i for i, line in enumerate(lines) if line.startswith("Not shown")), len(lines))
    left_out = " ".join(lines[start:])  # the line wraps at the width
    assert "Recorded column" not in out
    assert any(line.startswith("Recorded:") for line in lines) == shown
    assert shown or "Recorded" in left_out
    assert any("only part of the body's members" in line for line in lines)


@pytest.fixture(scope="module")
def cli_with_partial(tmp_path_factory, _seeded_template):
    import shutil

    from conftest import Cli

    db = tmp_path_factory.mktemp("partial") / "cah.db"
    shutil.copy(_seeded_template, db)
    cli = Cli(db)
    cli.ok(*VOTE_ON_REV1, "--yes", "France, Germany", "--no", "Chile")  # 3 of 193: partial
    return cli


def test_limit_shows_the_first_n_and_says_how_many_more(cli):
    for state in ("France", "Chile", "India", "Peru"):
        record(cli, "--yes", state)
    everything = listed(cli)
    assert len(everything) == 7
    first = listed(cli, "-n", "2")
    assert first == everything[:2]
    out = at_width(cli, 120, "vote", "list", "--limit", "2")
    assert "Showing 2 of 7 votes (5 more): `-n 7` shows them all" in " ".join(out.split())
    assert "more)" not in at_width(cli, 120, "vote", "list", "-n", "7")


@pytest.mark.parametrize("value", ["0", "-1", "100001", "x"])
@pytest.mark.parametrize("command", [("vote", "list"), ("vote", "compare", "France", "Chile")])
def test_limit_is_bounded(cli, unchanged, command, value):
    with unchanged():
        result = cli(*command, "-n", value)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--limit" in result.output


def _record_on(cli, date: str, yes: str, no: str) -> None:
    cli.ok(
        "vote", "record", "--doc", "A/C.6/79/L.2/Rev.1", "--date", date, "--body",
        "Sixth Committee", "--yes", yes, "--no", no, "--source", "fictional", "--also",
    )  # fmt: skip


def test_compare_takes_a_date_range_and_a_limit(cli):
    _record_on(cli, "2019-03-01", "France", "Chile")  # differ
    _record_on(cli, "2019-12-31", "France, Chile", "India")  # agree
    _record_on(cli, "2020-06-01", "Chile", "France")  # differ
    _record_on(cli, "2021-01-05", "India", "France, Chile")  # agree

    def compare(*args: str) -> dict:
        return json.loads(cli.ok("vote", "compare", "France", "Chile", *args, "-f", "json").stdout)

    whole = compare()
    assert (whole["votes_compared"], whole["agreed"], whole["disagreements_total"]) == (4, 2, 2)
    year = compare("--from", "2019", "--to", "2019")  # a year as --to counts to its last day
    assert (year["votes_compared"], year["agreed"]) == (2, 1)
    assert [d["date"] for d in year["disagreements"]] == ["2019-03-01"]
    later = compare("--from", "2020-01")
    assert (later["votes_compared"], later["agreed"]) == (2, 1)
    one = compare("-n", "1")
    assert [d["date"] for d in one["disagreements"]] == ["2019-03-01"]
    assert one["disagreements_total"] == 2 and one["votes_compared"] == 4
    out = " ".join(at_width(cli, 120, "vote", "compare", "France", "Chile", "-n", "1").split())
    assert "Showing 1 of 2 disagreements (1 more): `-n 2` shows them all" in out


def test_a_range_that_ends_before_it_starts_is_refused(cli, unchanged):
    with unchanged():
        for command in (("vote", "list"), ("vote", "compare", "France", "Chile")):
            assert_refused(
                cli(*command, "--from", "2020", "--to", "2019"), "--from 2020 is after --to 2019"
            )


def test_list_to_a_year_includes_that_year(cli):
    _record_on(cli, "2019-12-19", "France", "Chile")
    assert [r["date"] for r in listed(cli, "--from", "2019", "--to", "2019")] == ["2019-12-19"]
