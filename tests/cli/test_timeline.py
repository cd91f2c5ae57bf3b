"""`timeline`: past and coming events, the next one marked, adding events."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cahtracker.dates import period_end, period_start
from cahtracker.timeline import list_events
from conftest import assert_refused


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("CAHTRACKER_TODAY", "2026-11-27")


def events(cli, *args) -> list[dict]:
    return json.loads(cli.ok("timeline", "list", *args, "-f", "json").stdout)


def test_seeded_timeline_shows_the_process(cli):
    rows = events(cli)
    titles = [r["title"] for r in rows]
    assert "Preparatory committee, first session" in titles
    prep = rows[titles.index("Preparatory committee, first session")]
    assert (prep["starts_on"], prep["ends_on"], prep["date_precision"]) == (
        "2026-01-19",
        "2026-01-30",
        "day",
    )
    sessions = [
        (r["starts_on"], r["date_precision"])
        for r in rows
        if r["title"].startswith("Conference of Plenipotentiaries")
    ]
    assert sessions == [("2028", "year"), ("2029", "year")]
    assert [r["starts_on"] for r in rows] == sorted(
        (r["starts_on"] for r in rows), key=period_start
    )
    table = cli.ok("timeline", "list").stdout
    assert "2026-01-30" in table and "2028" in table and "2029" in table and "▶ next" in table
    assert "Source kind" in table and "un-record" in table
    kinds = {r["starts_on"]: r["source_kind"] for r in rows}
    assert (kinds["2024-09"], kinds["2025-10-13"], kinds["2024-11-22"]) == (
        *("ngo", "government", "un-record"),
    )


def test_next_marker_follows_today(cli, monkeypatch):
    rows = events(cli)
    assert [r["title"] for r in rows if r["next"]] == ["Preparatory committee, second session"]
    assert {r["status"] for r in rows if r["starts_on"] < "2026-12"} == {"past"}
    monkeypatch.setenv("CAHTRACKER_TODAY", "2026-01-10")
    rows = events(cli)
    assert [r["title"] for r in rows if r["next"]] == ["Preparatory committee, first session"]
    monkeypatch.setenv("CAHTRACKER_TODAY", "2026-01-20")
    rows = events(cli)
    prep = next(r for r in rows if r["title"] == "Preparatory committee, first session")
    assert prep["status"] == "ongoing" and not prep["next"]
    monkeypatch.setenv("CAHTRACKER_TODAY", "2030-01-01")
    assert not any(r["next"] for r in events(cli))


def test_year_precision_sorts_as_start_of_year(cli):
    cli.ok("timeline", "add", "2027-12-31", "Fictional year-end meeting", "--unsourced")
    cli.ok("timeline", "add", "2026-12-31", "Fictional earlier meeting", "--unsourced")
    titles = [r["title"] for r in events(cli, "--from", "2026-12", "--to", "2028")]
    assert titles == [
        "Fictional earlier meeting",
        "Preparatory committee, second session",
        "Fictional year-end meeting",
        "Conference of Plenipotentiaries, first session (three weeks)",
    ]
    # the 2027 session is next, before the fictional 2027-12-31 meeting
    assert [r["title"] for r in events(cli) if r["next"]] == ["Fictional earlier meeting"]


def test_from_and_to_select_overlapping_events(cli):
    assert [r["starts_on"] for r in events(cli, "--from", "2026-01-25", "--to", "2027-06")] == [
        "2026-01-19",  # still running on the 25th
        "2026-01-30",  # on or before the 30th: the Preparatory Committee's decision on NGOs
        "2027",  # a year that overlaps June 2027
    ]
    assert [r["starts_on"] for r in events(cli, "--to", "2024")] == [
        *("2024-04-11", "2024-09", "2024-10-09", "2024-10-10", "2024-11-22", "2024-12-04"),
    ]
    assert json.loads(cli.ok("timeline", "list", "--from", "2035", "-f", "json").stdout) == []


def test_add_event_with_end_and_details_is_logged(cli, store):
    result = cli.ok(
        "timeline", "add", "12 April 2027", "Fictional intersessional",
        "--end", "2027-04-16", "--place", "Geneva", "--body", "Fictional body",
        "--source", "=HYPERLINK(\"x\")", "--note", "[/oops]",
    )  # fmt: skip
    assert "2027-04-12 to 2027-04-16" in result.stdout
    row = next(r for r in events(cli) if r["title"] == "Fictional intersessional")
    assert row["ends_on"] == "2027-04-16" and row["place"] == "Geneva"
    assert row["source"] == '=HYPERLINK("x")' and row["note"] == "[/oops]"
    csv_text = cli.ok("timeline", "list", "-f", "csv").stdout
    assert "'=HYPERLINK" in csv_text
    logged = store.query("SELECT command, after FROM changes WHERE table_name = 'events'")
    assert len(logged) == 1 and logged[0]["command"] == "timeline add"
    assert json.loads(logged[0]["after"])["title"] == "Fictional intersessional"


def test_add_month_precision(cli):
    cli.ok("timeline", "add", "March 2027", "Fictional March meeting", "--unsourced")
    row = next(r for r in events(cli) if r["title"] == "Fictional March meeting")
    assert (row["starts_on"], row["date_precision"]) == ("2027-03", "month")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["2027-04-12", "X", "--end", "2027-04-11"], "before the start"),
        (["2027", "X", "--end", "2026-12"], "before the start"),
        (["04/05/2027", "X"], "Ambiguous date"),
        (["2027-13-01", "X"], "Impossible date"),
        (["2027-01-01", "   "], "Empty event title"),
        (["2027-01-01", "X", "--end", "soon"], "Unrecognised date 'soon'"),
    ],
)
def test_add_refusals_change_nothing(cli, unchanged, args, fragment):
    with unchanged():
        result = cli("timeline", "add", *args, "--unsourced")
    assert_refused(result, fragment)


def test_bad_today_and_bad_range_are_refused(cli, unchanged, monkeypatch):
    with unchanged():
        assert_refused(cli("timeline", "list", "--from", "someday"), "Unrecognised date")
        monkeypatch.setenv("CAHTRACKER_TODAY", "27/11/2026")
        assert_refused(cli("timeline", "list"), "CAHTRACKER_TODAY")


def test_end_within_the_month_of_a_month_start_is_accepted(cli):
    cli.ok("timeline", "add", "2027-03", "Fictional", "--end", "2027-03-05", "--unsourced")


def test_period_helpers():
    assert (period_start("2028"), period_end("2028")) == ("2028-01-01", "2028-12-31")
    assert (period_start("2028-02"), period_end("2028-02")) == ("2028-02-01", "2028-02-29")
    assert period_end("2027-02") == "2027-02-28"
    assert period_start("2027-02-03") == period_end("2027-02-03") == "2027-02-03"


def test_domain_takes_today_as_a_parameter(store):
    rows = list_events(store, on=date(2028, 6, 1))
    assert [r["title"] for r in rows if r["next"]] == [
        "Conference of Plenipotentiaries, second session (three weeks)"
    ]
    first = next(r for r in rows if r["starts_on"] == "2028")
    assert first["status"] == "in-period"
    assert next(r for r in rows if r["starts_on"] == "2027")["status"] == "past"
