"""Every recorded fact needs --source, or --unsourced to record it knowingly; unsourced facts
are marked in every listing and report and counted in `report tally`. The facts recorded
here are fictional, in the test's own seeded database."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import ROOT, assert_refused, markdown_text

REV1 = "A/C.6/79/L.2/Rev.1"

# every command that records a fact, complete but for its source (fictional facts)
RECORDING = {
    "sponsors add": ("sponsors", "add", "Chile", "--date", "2024-11-20"),
    "sponsors withdraw": ("sponsors", "withdraw", "Czechia", "--date", "2024-11-30"),
    "vote record": (
        *("vote", "record", "--doc", "A/C.6/79/L.21", "--date", "2024-11-23"),
        *("--body", "Sixth Committee", "--yes", "Chile"),
    ),
    "vote record --create-doc": (
        *("vote", "record", "--doc", "A/C.6/99/L.1", "--create-doc", "--date", "2024-11-23"),
        *("--body", "Sixth Committee", "--yes", "Chile"),
    ),
    "position set": (
        *("position", "set", "Mongolia", "--topic", "treaty", "--stance", "support"),
        *("--date", "2024-11-20"),
    ),
    "timeline add": ("timeline", "add", "2027-04-12", "Fictional intersessional meeting"),
    "docs add": (
        *("docs", "add", "A/C.6/99/L.2", "--title", "Fictional draft", "--kind", "draft"),
        *("--body", "Sixth Committee"),
    ),
}


@pytest.mark.parametrize("name", RECORDING)
def test_a_fact_without_a_source_is_refused_and_changes_nothing(cli, unchanged, name):
    with unchanged():
        result = cli(*RECORDING[name])
    assert_refused(result, "needs its source", "--source", "--unsourced", "Nothing was recorded")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("name", RECORDING)
def test_source_and_unsourced_together_or_a_blank_source_are_refused(cli, unchanged, name):
    with unchanged():
        both = cli(*RECORDING[name], "--source", "fictional", "--unsourced")
        blank = cli(*RECORDING[name], "--source", "  ")
    assert_refused(both, "--source or --unsourced, not both")
    assert_refused(blank, "--source is blank")


# sources in which nothing shows (red-team finding 12): each would count as a source and
# show as a blank cell
INVISIBLE = {
    "zero-width space, word joiner": "\u200b\u2060",
    "bidi marks and a BOM": "\u200e\u200f\ufeff",
    "no-break and ideographic spaces": "\u00a0\u3000",
    "tab, newline": "\t\n",
    "Hangul filler": "\u3164",
    "a lone combining accent, variation selector": "\u0301\ufe0f",
    "blank braille cell": "\u2800",
}


@pytest.mark.parametrize("text", INVISIBLE.values(), ids=INVISIBLE.keys())
@pytest.mark.parametrize("name", RECORDING)
def test_a_source_in_which_nothing_shows_is_refused(cli, unchanged, name, text):
    with unchanged():
        result = cli(*RECORDING[name], "--source", text)
    assert_refused(result, "--source is blank", "give the document, URL or publication")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("text", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_a_claim_or_vote_edit_with_an_invisible_source_is_refused(cli, unchanged, text):
    claim = ("sponsors", "claim", "120", "--date", "2024-11-25", "--source", text)
    edit = ("vote", "edit", "1", "--source", text)  # a vote of the seed
    with unchanged():
        for args in (claim, edit):
            assert_refused(cli(*args), "--source is blank", "give the document, URL or publication")


def test_a_source_with_a_visible_character_among_invisible_ones_is_kept_as_typed(cli):
    cli.ok(*RECORDING["timeline add"], "--source", "\u200bGA/L/3738\u2060")
    events = json.loads(cli.ok("timeline", "list", "-f", "json").stdout)
    assert [e["source"] for e in events if e["title"].startswith("Fictional")] == [
        "\u200bGA/L/3738\u2060"
    ]


def test_an_invisible_source_an_older_release_stored_counts_as_unsourced(cli, db_path):
    import sqlite3

    cli.ok(*RECORDING["timeline add"], "--source", "fictional")
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE events SET source = ? WHERE title LIKE 'Fictional%'", ("\u200b\u2060",))
    conn.commit()
    conn.close()
    events = json.loads(cli.ok("timeline", "list", "-f", "json").stdout)
    assert [e["unsourced"] for e in events if e["title"].startswith("Fictional")] == [True]
    assert "1 fact without a source (1 timeline event)" in cli.ok("report", "tally").stdout


@pytest.mark.parametrize("source", ["fictional source", None])
@pytest.mark.parametrize("name", RECORDING)
def test_a_fact_is_recorded_with_its_source_or_knowingly_without(cli, name, source):
    cli.ok(*RECORDING[name], *(("--source", source) if source else ("--unsourced",)))
    log = json.loads(cli.ok("db", "log", "--each", "-f", "json").stdout)
    written = [r["after"] for r in log if r["after"] and "source" in r["after"]]
    assert written and all(row["source"] == source for row in written)


def test_sponsors_import_of_a_pasted_list_needs_a_source(cli, unchanged, tmp_path):
    listed = tmp_path / "list.txt"
    listed.write_text("Peru and Fiji", encoding="utf-8")
    with unchanged():
        assert_refused(cli("sponsors", "import", str(listed)), "`sponsors import` needs its source")
        assert_refused(
            cli("sponsors", "import", "-", "--date", "2024-11-20", input="Peru\nFiji\n"),
            "needs its source",
        )
    cli.ok("sponsors", "import", str(listed), "--date", "2024-11-20", "--source", "fictional list")
    rows = json.loads(cli.ok("sponsors", "list", "-f", "json").stdout)
    assert {r["iso3"]: r["source"] for r in rows if r["iso3"] in ("PER", "FJI")} == {
        "PER": "fictional list",
        "FJI": "fictional list",
    }


def test_a_claim_still_needs_its_source(cli, unchanged):
    with unchanged():
        result = cli("sponsors", "claim", "120", "--date", "2024-11-25")
    assert result.exit_code == 2 and "--source" in result.output


def test_a_source_is_stored_as_typed(cli):
    cli.ok(*RECORDING["timeline add"], "--source", "  GA/L/3738 ")
    events = json.loads(cli.ok("timeline", "list", "-f", "json").stdout)
    assert [e["source"] for e in events if e["title"].startswith("Fictional")] == ["  GA/L/3738 "]


# --- position set needs a date ---------------------------------------------------------------


def test_position_set_without_a_date_is_refused(cli, unchanged):
    with unchanged():
        result = cli("position", "set", "Chile", "-t", "treaty", "-s", "support", "--source", "x")
    assert_refused(result, "needs its date", "--date today", "--date unknown")


def test_position_set_date_today_is_today(cli, monkeypatch):
    monkeypatch.setenv("CAHTRACKER_TODAY", "2031-02-03")
    cli.ok(*RECORDING["position set"][:-2], "--date", "today", "--source", "fictional")
    rows = json.loads(cli.ok("position", "history", "Mongolia", "-f", "json").stdout)
    assert [(r["date"], r["date_precision"]) for r in rows] == [("2031-02-03", "day")]


# --- marked in every listing -----------------------------------------------------------------


def _record_unsourced_facts(cli) -> None:
    """One unsourced fact of each kind, beside the seed's sourced ones (all fictional)."""
    cli.ok("sponsors", "add", "Chile", "--date", "2024-11-20", "--unsourced")
    cli.ok(*RECORDING["vote record"], "--unsourced")
    cli.ok(*RECORDING["position set"], "--unsourced")
    cli.ok(*RECORDING["timeline add"], "--unsourced")
    cli.ok(*RECORDING["docs add"], "--unsourced")


# listing -> (its rows as JSON, which row is the unsourced one)
LISTINGS = {
    "sponsors list": (("sponsors", "list"), lambda r: r["iso3"] == "CHL"),
    "sponsors history": (("sponsors", "history"), lambda r: r["iso3"] == "CHL"),
    "vote list": (("vote", "list"), lambda r: r["symbol"] == "A/C.6/79/L.21"),
    "position list": (("position", "list"), lambda r: r["iso3"] == "MNG"),
    "position history": (("position", "history", "Mongolia"), lambda r: True),
    "timeline list": (("timeline", "list"), lambda r: r["title"].startswith("Fictional")),
    "docs list": (("docs", "list"), lambda r: r["symbol"] == "A/C.6/99/L.2"),
}


@pytest.mark.parametrize("name", LISTINGS)
def test_unsourced_facts_are_marked_in_every_format(cli, name):
    _record_unsourced_facts(cli)
    args, mine = LISTINGS[name]
    rows = json.loads(cli.ok(*args, "-f", "json").stdout)
    ours = [r for r in rows if mine(r)]
    others = [r for r in rows if not mine(r)]
    assert ours and all(r["source"] is None and r["unsourced"] is True for r in ours)
    assert all(r["unsourced"] is False and r["source"] for r in others)  # the seed's, sourced
    table = cli.ok(*args).stdout
    markdown = cli.ok(*args, "-f", "markdown").stdout
    assert table.count("(unsourced)") >= len(ours) and "(unsourced)" in markdown
    parsed = list(csv.DictReader(io.StringIO(cli.ok(*args, "-f", "csv").stdout)))
    assert sorted(r["unsourced"] for r in parsed) == sorted(
        "true" if r["unsourced"] else "false" for r in rows
    )


def test_vote_show_and_docs_show_mark_an_unsourced_fact(cli):
    _record_unsourced_facts(cli)
    vote = json.loads(cli.ok("vote", "show", "A/C.6/79/L.21", "-f", "json").stdout)
    assert (vote["source"], vote["unsourced"]) == (None, True)
    assert "Source: (unsourced)" in cli.ok("vote", "show", "A/C.6/79/L.21").stdout
    markdown = cli.ok("vote", "show", "A/C.6/79/L.21", "-f", "markdown").stdout
    assert "Source: (unsourced)" in markdown_text(markdown)  # as rendered (`:` is escaped)
    doc = json.loads(cli.ok("docs", "show", "A/C.6/99/L.2", "-f", "json").stdout)
    assert (doc["source"], doc["unsourced"]) == (None, True)
    seeded = json.loads(cli.ok("vote", "show", "A/C.6/79/L.20", "-f", "json").stdout)
    assert seeded["unsourced"] is False


def test_a_document_created_by_a_vote_takes_the_vote_source(cli):
    cli.ok(*RECORDING["vote record --create-doc"], "--source", "fictional record")
    doc = json.loads(cli.ok("docs", "show", "A/C.6/99/L.1", "-f", "json").stdout)
    assert (doc["source"], doc["unsourced"]) == ("fictional record", False)


# --- reports ---------------------------------------------------------------------------------


def test_tally_counts_the_facts_without_a_source(cli):
    assert "Every fact has a source." in cli.ok("report", "tally").stdout
    cli.ok("sponsors", "add", "Chile", "--date", "2024-11-20", "--unsourced")
    cli.ok(*RECORDING["position set"], "--unsourced")
    cli.ok("position", "set", "Peru", "-t", "treaty", "-s", "mixed", "--date", "2024-11-21",
           "--unsourced")  # fmt: skip
    cli.ok("sponsors", "add", "Fiji", "--date", "2024-11-20", "--source", "fictional")
    out = cli.ok("report", "tally").stdout
    assert "3 facts without a source (1 sponsorship event, 2 stances)" in out
    # the picture of a date counts the facts of that date
    before = cli.ok("report", "tally", "--as-of", "2024-11-20").stdout
    assert "2 facts without a source (1 sponsorship event, 1 stance)" in before
    # a sponsorship of another text is not this report's
    cli.ok("sponsors", "add", "Chile", "--doc", "A/C.6/79/L.20", "--unsourced")
    assert "3 facts without a source" in cli.ok("report", "tally").stdout
    # L.20's report: its own event, not Rev.1's, and the stances
    of_l20 = cli.ok("report", "tally", "--doc", "A/C.6/79/L.20").stdout
    assert "3 facts without a source (1 sponsorship event, 2 stances)" in of_l20


def test_html_and_markdown_reports_mark_unsourced_facts(cli, tmp_path):
    cli.ok(*RECORDING["position set"], "--unsourced")
    cli.ok(*RECORDING["timeline add"], "--unsourced")
    cli.ok("report", "export", "-o", str(tmp_path / "r.md"))
    cli.ok("report", "export", "-o", str(tmp_path / "r.html"))
    markdown = (tmp_path / "r.md").read_text(encoding="utf-8")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    line = "2 facts without a source (1 stance, 1 timeline event), marked (unsourced)."
    assert line in markdown and line in html
    mongolia = next(row for row in markdown.splitlines() if row.startswith("| Mongolia | treaty"))
    assert "| (unsourced) |" in mongolia
    event = next(row for row in markdown.splitlines() if "Fictional intersessional" in row)
    assert "| (unsourced) |" in event
    assert html.count('<span class="unsourced">(unsourced)</span>') == 2


def test_json_and_csv_exports_carry_the_mark_and_the_count(cli, tmp_path):
    cli.ok("sponsors", "add", "Chile", "--date", "2024-11-20", "--unsourced")
    cli.ok("report", "export", "-o", str(tmp_path / "r.json"))
    exported = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert exported["unsourced"] == {"total": 1, "by_kind": {"sponsorship event": 1}}
    chile = [r for r in exported["sponsor_history"] if r["iso3"] == "CHL"]
    assert [(r["source"], r["unsourced"]) for r in chile] == [(None, True)]
    cli.ok("report", "export", "-f", "csv", "-o", str(tmp_path / "tables"))
    with open(tmp_path / "tables" / "sponsorship_events.csv", encoding="utf-8") as handle:
        events = list(csv.DictReader(handle))
    assert {(r["iso3"], r["unsourced"]) for r in events if r["unsourced"] == "true"} == {
        ("CHL", "true")
    }


# --- the seed --------------------------------------------------------------------------------

# every table of facts the seed loads, and the column that names its source
SEED_FACTS = {
    "documents": "source",
    "sponsorship_events": "source",
    "count_claims": "source",
    "votes": "source",
    "positions": "source",
    "events": "source",
    "former_states": "source",
}


def test_the_seed_has_no_unsourced_fact(tmp_path):
    """Read from data/seed.sql itself, into a bare schema, not through cahtracker's views."""
    from cahtracker.db import connect, load_seed
    from cahtracker.db.migrations import apply

    path = tmp_path / "seed-only.db"
    conn = connect(path)
    from sqlite_utils import Database

    apply(Database(conn))
    load_seed(conn, ROOT / "data" / "seed.sql")
    for table, column in SEED_FACTS.items():
        total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        blank = conn.execute(
            f"SELECT count(*) FROM {table} WHERE {column} IS NULL OR trim({column}) = ''"
        ).fetchone()[0]
        assert total > 0 and blank == 0, (table, total, blank)
    # a dated alias is a fact (who a name meant when): each names its source too
    dated = conn.execute(
        "SELECT count(*), count(source) FROM state_aliases WHERE valid_from IS NOT NULL "
        "OR valid_to IS NOT NULL"
    ).fetchone()
    assert dated[0] > 0 and dated[0] == dated[1]
    conn.close()
