"""A new user's review of the sponsor side at 80 columns (conftest sets COLUMNS=80): dates
that carry their precision, never cut; close readings said first; a more precise date from
another source refines the recorded one; repeated messages grouped; wording. Real files
from shared/fixtures; the pasted lists are fictional test input (real state names)."""

from __future__ import annotations

import json
import re
import sqlite3

from conftest import COMMITTEE_REPORT, UNDL_DRAFTS, assert_refused, need

L41 = "A/C.3/78/L.41"
L41_SUBSEQUENTLY = {"AND", "NZL", "PLW", "MDA", "SMR", "VUT"}  # report para. 16


def words(text: str) -> str:
    """The output with its line breaks undone (footers wrap at 80 columns)."""
    return " ".join(text.split())


def sponsors(cli, symbol: str, *args: str) -> dict[str, dict]:
    out = cli.ok("sponsors", "list", "--doc", symbol, "-f", "json", *args).stdout
    return {r["iso3"]: r for r in json.loads(out)}


# ---------------------------------------------------------------- 1, 2: dates in cells


def test_an_imprecise_date_never_looks_exact_at_80_columns(cli):
    out = cli.ok("sponsors", "list").stdout
    assert "Precision" not in out  # left out at 80 columns before: the cell says it now
    czechia = next(line for line in out.splitlines() if "Czechia" in line)
    assert "≤2024-11-22" in czechia  # on or before 22 November 2024 (the seed)
    mexico = next(line for line in out.splitlines() if "Mexico" in line)
    assert "2024-07" in mexico and "2024-07-" not in mexico  # a month
    history = cli.ok("sponsors", "history").stdout
    assert "≤2024-11-22" in history
    diff = cli.ok("sponsors", "diff", "A/C.6/79/L.2", "A/C.6/79/L.2/Rev.1", "--all").stdout
    assert "≤2024-11-22" in diff
    count = cli.ok("sponsors", "count").stdout
    assert "≤2024-11-27" in count  # FIDH's 99, on or before 27 November


def test_the_import_summary_gives_every_date_whole_at_80_columns(cli):
    out = cli.ok("sponsors", "import", str(need(UNDL_DRAFTS))).stdout
    table = [line for line in out.splitlines() if line.startswith("│")]
    assert table and not any("…" in line for line in table)
    l41 = [line for line in table if f" {L41} " in line]
    # one row per document and date: the 43 printed on the draft, the 7 added after it
    assert [re.findall(r"[≤>]2023-11-01", line) for line in l41] == [
        ["≤2023-11-01"],
        [">2023-11-01"],
    ]
    assert [line.split("│")[3].strip() for line in l41] == ["43", "7"]
    assert all(len(line) <= 80 for line in out.splitlines())


def test_markdown_and_html_reports_show_the_precision_and_never_split_a_date(cli, tmp_path):
    md_path = tmp_path / "r.md"
    cli.ok("report", "export", "-f", "markdown", "-o", str(md_path))
    md = md_path.read_text(encoding="utf-8")
    assert "| Czechia | co |" in md and "≤2024-11-22" in md
    html_path = tmp_path / "r.html"
    cli.ok("report", "export", "-f", "html", "-o", str(html_path))
    html = html_path.read_text(encoding="utf-8")
    assert '<span class="date">≤2024-11-22</span>' in html
    assert re.search(r"\.date \{ white-space: nowrap; \}", html)
    card = re.search(r'latest reported count \(<span class="date">([^<]+)</span>\)', html)
    assert card and card.group(1) == "≤2024-11-27"


def test_states_show_gives_sponsorship_dates_with_their_precision(cli):
    out = cli.ok("states", "show", "Czechia").stdout
    sponsorships = out[out.index("Sponsorships") :]
    assert "≤2024-11-22" in sponsorships


# ---------------------------------------------------------------- 3: close readings


def test_close_readings_of_a_pasted_list_are_said_first_and_marked(cli):
    text = "Germny, Frances and Rusia\n"  # fictional test input
    dry = words(cli.ok("sponsors", "import", "-", "--dry-run", input=text).stdout)
    assert "CHECK 3 close readings" in dry and "Nothing was written" in dry
    assert dry.index("CHECK 3 close readings") < dry.index("Would record")
    out = cli.ok(
        "sponsors", "import", "-", "--date", "2024-11-21", "--source", "fictional test list",
        input=text,
    ).stdout  # fmt: skip
    said = words(out)
    for reading in (
        "read 'Germny' as Germany",
        "read 'Frances' as France",
        "read 'Rusia' as Russian Federation",
    ):
        assert reading in said
    assert said.index("CHECK 3 close readings") < said.index("Recorded 3 sponsorship events")
    assert "`cahtracker db undo` takes this import back" in said
    data = json.loads(
        cli.ok("sponsors", "import", "-", "--dry-run", "-f", "json", input=text).stdout
    )
    assert [(r["text"], r["iso3"]) for r in data["close_readings"]] == [
        ("Germny", "DEU"),
        ("Frances", "FRA"),
        ("Rusia", "RUS"),
    ]


def test_sponsors_add_refuses_a_close_match_with_a_suggestion(cli, unchanged):
    with unchanged():
        result = cli("sponsors", "add", "Germny", "--unsourced")
    assert_refused(result, "Unknown state 'Germny'", "Germany (DEU)")


def test_an_unknown_name_on_standard_input_names_standard_input_once(cli, unchanged):
    with unchanged():
        result = cli("sponsors", "import", "-", "--unsourced", input="Germny, Atlantis\n")
    assert_refused(result, "'Atlantis'")
    assert result.output.count("standard input") == 1


# ---------------------------------------------------------------- 4: refining dates


def test_the_committee_report_refines_the_marcxml_dates_and_keeps_both_sources(cli):
    cli.ok("sponsors", "import", str(need(UNDL_DRAFTS)))
    before = sponsors(cli, L41)
    assert before["TUV"]["joined_on"] is None and before["TUV"]["joined_after"] == "2023-11-01"
    marc_source = before["TUV"]["source"]
    out = cli.ok("sponsors", "import", str(need(COMMITTEE_REPORT))).stdout
    said = words(out)
    assert "Nothing recorded" not in said
    assert "Dated more precisely: 7 joinings" in said
    assert f"on {L41}, >2023-11-01 → 2023-11-15 by A/78/481/Add.3, para. 17: Tuvalu" in said
    # the 43 the draft printed: the record's "on or before 1 November" is the better bound
    assert "Already sponsors of A/C.3/78/L.41: 43 states co since on or before 2023-11-01" in said
    assert len(out) < 2500  # no paragraph of 50 repeated "already" entries
    after = sponsors(cli, L41)
    assert (after["TUV"]["joined_on"], after["TUV"]["date_precision"]) == ("2023-11-15", "day")
    for iso3 in L41_SUBSEQUENTLY:  # after the draft's date, by the meeting of 15 November
        assert (after[iso3]["joined_on"], after[iso3]["date_precision"]) == (
            "2023-11-15",
            "on-or-before",
        )
    assert after["ALB"]["joined_on"] == "2023-11-01"  # not made worse
    events = json.loads(
        cli.ok("sponsors", "history", "TUV", "--doc", L41, "-f", "json").stdout
    )  # both sources kept, the first one first
    assert len(events) == 2 and events[0]["source"] == marc_source
    assert "A/78/481/Add.3, para. 17" in events[1]["source"]
    assert {(e["date"], e["date_precision"]) for e in events} == {("2023-11-15", "day")}
    assert "its own source gives >2023-11-01" in events[0]["note"]
    log = json.loads(cli.ok("db", "log", "-n", "20", "--each", "-f", "json").stdout)
    assert (
        "dated the joining of Tuvalu to A/C.3/78/L.41 more precisely: 2023-11-15 (was >2023-11-01)"
        in {change["description"] for change in log}
    )
    # so the list of 10 November no longer counts Tuvalu, and no joining is recorded twice
    assert "TUV" not in sponsors(cli, L41, "--as-of", "2023-11-10")
    again = json.loads(
        cli.ok("sponsors", "import", str(need(COMMITTEE_REPORT)), "-f", "json").stdout
    )
    assert again["recorded"] == 0


def test_a_refinement_is_undone_with_its_import(cli):
    cli.ok("sponsors", "import", str(need(UNDL_DRAFTS)))
    before = sponsors(cli, L41)
    cli.ok("sponsors", "import", str(need(COMMITTEE_REPORT)))
    cli.ok("db", "undo")
    assert sponsors(cli, L41) == before


def test_a_contradicting_date_is_not_merged(cli):
    cli.ok("docs", "add", "A/FIC/L.9", "--title", "A fictional draft", "--kind", "draft",
           "--body", "Sixth Committee", "--unsourced")  # fmt: skip
    cli.ok("sponsors", "add", "Chile", "--doc", "A/FIC/L.9", "--date", "2024-11-20",
           "--source", "fictional source one")  # fmt: skip
    plan = json.loads(cli.ok(
        "sponsors", "import", "-", "--doc", "A/FIC/L.9", "--date", "2024-11-25",
        "--source", "fictional source two", "-f", "json", input="Chile\n",
    ).stdout)  # fmt: skip
    assert [c["change"] for c in plan["changes"]] == ["already a sponsor"]
    rows = sponsors(cli, "A/FIC/L.9")
    assert (rows["CHL"]["joined_on"], rows["CHL"]["source"]) == (
        "2024-11-20",
        "fictional source one",
    )


# ---------------------------------------------------------------- 5: wording


def test_diff_headers_do_not_wrap_and_rows_do_not_repeat_the_lists(cli):
    cli.ok("sponsors", "import", str(need(UNDL_DRAFTS)))
    out = cli.ok("sponsors", "diff", L41, "--as-of", "2023-11-01").stdout
    header = [line for line in out.splitlines() if line.startswith("┃")]
    assert len(header) == 1 and "Joined (first)" in header[0] and "Joined (second)" in header[0]
    rows = [line for line in out.splitlines() if line.startswith("│")]
    assert len(rows) == 7 and not any("only in" in line for line in rows)
    assert "First list: A/C.3/78/L.41 as of 2023-11-01; second: A/C.3/78/L.41." in words(out)


def test_count_has_a_header_for_the_latest_claim(cli):
    out = cli.ok("sponsors", "count").stdout
    header = next(line for line in out.splitlines() if line.startswith("┃"))
    assert header.rstrip("┃ ").endswith("Latest")
    latest = [line for line in out.splitlines() if line.startswith("│") and "yes" in line]
    assert len(latest) == 1 and "99" in latest[0]


def test_sponsor_summaries_count_in_proper_plurals(cli):
    grulac = words(cli.ok("sponsors", "list", "--group", "GRULAC").stdout)  # the seed: Mexico
    assert "— 1 sponsor (1 main, 0 co)" in grulac
    text = "Chile\n"  # fictional test input
    dry = words(cli.ok("sponsors", "import", "-", "--dry-run", input=text).stdout)
    assert "Would record 1 joining, 0 withdrawals and 0 more precise dates" in dry
    assert "0 unknown names" in dry
    out = words(cli.ok("sponsors", "import", "-", "--unsourced", input=text).stdout)
    assert "Recorded 1 sponsorship event on 1 of 1 document (0 created)" in out
    assert not re.search(r"\b1 (joinings|documents|names|events|sponsors)\b", out + dry)


def test_vote_import_of_drafts_marcxml_points_to_sponsors_import(cli, unchanged):
    path = need(UNDL_DRAFTS)
    with unchanged():
        result = cli("vote", "import", str(path))
    assert_refused(result, "not voting records", f"use `cahtracker sponsors import {path}`")
    assert len(result.output.strip().splitlines()) == 1


def test_states_show_lists_each_alias_once_whatever_its_case(cli):
    data = json.loads(cli.ok("states", "show", "United States of America", "-f", "json").stdout)
    folded = [a.casefold() for a in data["aliases"]]
    assert len(folded) == len(set(folded))
    assert "United States" in data["aliases"] and "UNITED STATES" not in data["aliases"]
    conn = sqlite3.connect(cli.db)
    try:  # every spelling of the database is still there, one per case-folded alias
        stored = {r[0].casefold() for r in conn.execute(
            "SELECT alias FROM state_aliases WHERE iso3 = 'USA'")}  # fmt: skip
    finally:
        conn.close()
    assert set(folded) == stored - {data["name"].casefold()}
