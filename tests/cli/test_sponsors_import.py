"""`sponsors import` of the UN's own documents (shared/fixtures: 47 UN Digital Library records,
two Security Council PDFs, a committee report), a pasted list as a draft prints it, `--dry-run`,
`sponsors diff`, and `vote import` of the committee report's recorded vote. Every figure is
counted from the files by hand (tests/undl_drafts_counts.py) or read off the page."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3

import pytest

from conftest import (
    COMMITTEE_REPORT,
    PASTED_LIST,
    PASTED_LIST_STATES,
    SC_DRAFTS,
    UNDL_DRAFTS,
    assert_refused,
    need,
)
from undl_drafts_counts import COUNTS

L41 = "A/C.3/78/L.41"
L41_ADDITIONAL = {"AND", "NZL", "PLW", "MDA", "SMR", "TUV", "VUT"}  # 515 $a of its record
# the report's paragraph 16: "Subsequently, Andorra, New Zealand, Palau, the Republic of
# Moldova, San Marino and Vanuatu joined"; paragraph 17: "At the same meeting, Tuvalu"
L41_SUBSEQUENTLY = {"AND", "NZL", "PLW", "MDA", "SMR", "VUT"}


def sponsors(cli, symbol: str, *args: str) -> list[dict]:
    return json.loads(cli.ok("sponsors", "list", "--doc", symbol, "-f", "json", *args).stdout)


def history(cli, symbol: str) -> list[dict]:
    return json.loads(cli.ok("sponsors", "history", "--doc", symbol, "-f", "json").stdout)


def imported(cli, path, *args: str) -> dict:
    return json.loads(cli.ok("sponsors", "import", str(path), "-f", "json", *args).stdout)


def count(cli, sql: str) -> int:
    conn = sqlite3.connect(cli.db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


# ---------------------------------------------------------------- UN Digital Library records


def test_every_record_of_the_undl_file_is_recorded_on_its_own_symbol(cli):
    plan = imported(cli, need(UNDL_DRAFTS))
    assert plan["format"] == "undl-marcxml" and plan["refusal"] is None
    assert len(COUNTS) == 47
    skipped = {s["symbol"] for s in plan["skipped"]}
    for symbol, expected in COUNTS.items():
        if expected is None:  # submitted by the Chair or the Secretariat: no sponsor list
            assert symbol in skipped
            assert_refused(cli("sponsors", "list", "--doc", symbol), "Unknown document")
            continue
        rows = sponsors(cli, symbol)
        assert len(rows) == expected[2], symbol
        assert {r["source_kind"] for r in rows} == {"un-record"}
        assert all(r["role"] == "co" for r in rows)


def test_l41_has_43_original_and_7_additional_sponsors_dated_honestly(cli):
    imported(cli, need(UNDL_DRAFTS))
    rows = {r["iso3"]: r for r in sponsors(cli, L41)}
    original = {k for k, r in rows.items() if r["listed_as"] == "original"}
    additional = {k for k, r in rows.items() if r["listed_as"] == "additional"}
    assert (len(original), additional) == (43, L41_ADDITIONAL)
    # printed on the draft of 1 November 2023 (269 $a): joined on or before that day
    assert {(rows[k]["joined_on"], rows[k]["date_precision"]) for k in original} == {
        ("2023-11-01", "on-or-before")
    }
    # 515 $a: after the draft's date, on or before A/78/481/Add.3's, a date the record lacks
    assert {(rows[k]["joined_on"], rows[k]["joined_after"]) for k in additional} == {
        (None, "2023-11-01")
    }
    assert "A/78/481/Add.3" in rows["TUV"]["source"] and "515 $a" in rows["TUV"]["source"]
    assert "digitallibrary.un.org/record/" in rows["ALB"]["source"]
    # so on the draft's day the list is the 43 printed on it
    then = sponsors(cli, L41, "--as-of", "2023-11-01")
    assert {r["iso3"] for r in then} == original
    table = cli.ok("sponsors", "list", "--doc", L41, "--wide").stdout  # every column
    assert ">2023-11-01" in table and "additional" in table and "un-record" in table
    assert "≤2023-11-01" in table  # the precision is in the cell (dates.date_cell)


def test_l17_is_cuba_alone_with_the_group_of_77_note(cli):
    imported(cli, need(UNDL_DRAFTS))
    assert [r["iso3"] for r in sponsors(cli, "A/C.3/78/L.17")] == ["CUB"]
    doc = json.loads(cli.ok("docs", "show", "A/C.3/78/L.17", "-f", "json").stdout)
    assert any("Cuba [on behalf of the Group of 77 and China]" in n for n in doc["notes"])
    assert doc["kind"] == "draft resolution" and doc["date"] == "2023-10-10"
    out = cli.ok("sponsors", "list", "--doc", "A/C.3/78/L.17").stdout
    assert "Note: 245 $c: Cuba [on behalf of the Group of 77 and China]" in out


def test_the_summary_lists_readings_disagreements_notes_and_skipped_records(cli):
    out = " ".join(cli.ok("sponsors", "import", str(need(UNDL_DRAFTS))).stdout.split())
    # the close reading comes first, marked, before the count of what was recorded
    assert out.index("CHECK 1 close reading") < out.index("Recorded 1,626 sponsorship events")
    assert "read 'Venezuela (Bolivarian Republic)' as Venezuela (Bolivarian Republic of)" in out
    assert "Not merged (A/C.3/78/L.31): 245 $c lists Bulgaria, which no 710 heading names" in out
    assert "Skipped A/C.3/78/L.1: submitted by no state: 'by the Secretariat'" in out
    # a message that repeats for several records is said once, with the count and symbols
    assert (
        "Note on 3 documents: A/C.3/78/L.67, A/C.3/78/L.63 and A/C.3/78/L.69: 515 $a: The "
        "amendment was rejected by the Committee"
    ) in out
    assert out.count("710 names China") == 1
    assert "Not merged (5 documents: A/C.3/78/L.17, A/C.3/78/L.15, " in out


def test_a_removal_is_recorded_even_of_a_state_never_listed(cli):
    imported(cli, need(UNDL_DRAFTS))
    sudan = [e for e in history(cli, "A/C.3/78/L.64") if e["iso3"] == "SDN"]
    assert [(e["action"], e["date"], e["after"]) for e in sudan] == [
        ("withdrew", None, "2023-11-01")
    ]
    assert "not listed as a sponsor" in sudan[0]["note"] and "A/78/475" in sudan[0]["source"]


def test_documents_are_created_with_their_kind_and_revisions_inherit(cli):
    plan = imported(cli, need(UNDL_DRAFTS))
    created = {d["symbol"]: d for d in plan["documents"] if d["action"] == "create"}
    # the 41 records with a sponsor list, and the 5 texts they revise or amend that the
    # file does not hold (L.49, L.16, L.21, L.30 and L.31/Rev.1)
    assert len(created) == 46
    named = {s for s, d in created.items() if d["named_by"]}
    assert named == {f"A/C.3/78/L.{n}" for n in ("49", "16", "21", "30", "31/Rev.1")}
    amendment = json.loads(cli.ok("docs", "show", "A/C.3/78/L.67", "-f", "json").stdout)
    assert (amendment["kind"], amendment["parent_symbol"]) == ("amendment", "A/C.3/78/L.51")
    rev = json.loads(cli.ok("docs", "show", "A/C.3/78/L.53/Rev.1", "-f", "json").stdout)
    assert rev["revises"] == ["A/C.3/78/L.53"] and rev["body"] == "Third Committee"
    # L.9/Rev.1's four sponsors of L.9 are inherited, not recorded twice
    inherited = [r for r in sponsors(cli, "A/C.3/78/L.9/Rev.1") if r["inherited_from"]]
    assert {r["inherited_from"] for r in inherited} == {"A/C.3/78/L.9"} and len(inherited) == 4


def test_importing_the_same_file_again_records_nothing(cli):
    imported(cli, need(UNDL_DRAFTS))
    events = count(cli, "SELECT count(*) FROM sponsorship_events")
    again = imported(cli, need(UNDL_DRAFTS))
    assert again["recorded"] == 0
    assert {c["change"] for c in again["changes"]} == {"already a sponsor", "already withdrawn"}
    assert count(cli, "SELECT count(*) FROM sponsorship_events") == events
    assert count(cli, "SELECT count(*) FROM document_notes") == 13  # the notes, each once


def test_a_known_report_dates_the_additional_sponsors(cli):
    # a fictional date for A/78/481/Add.3, recorded in this test's database only
    cli.ok("docs", "add", "A/78/481/Add.3", "--title", "Report (date fictional, for a test)",
           "--kind", "report", "--body", "General Assembly", "--date", "2023-12-01",
           "--unsourced")  # fmt: skip
    imported(cli, need(UNDL_DRAFTS))
    rows = {r["iso3"]: r for r in sponsors(cli, L41)}
    assert (rows["TUV"]["joined_on"], rows["TUV"]["date_precision"]) == (
        "2023-12-01",
        "on-or-before",
    )
    assert rows["TUV"]["joined_after"] == "2023-11-01"


def test_one_undo_takes_back_a_whole_document_import(cli):
    before = {t: count(cli, f"SELECT count(*) FROM {t}") for t in ("documents", "document_notes")}
    imported(cli, need(UNDL_DRAFTS))
    cli.ok("db", "undo")
    after = {t: count(cli, f"SELECT count(*) FROM {t}") for t in ("documents", "document_notes")}
    assert after == before
    assert count(cli, "SELECT count(*) FROM sponsorship_events WHERE source_kind = 'un-record' "
                      "AND symbol LIKE 'A/C.3/%'") == 0  # fmt: skip


def edited(fixture, tmp_path, old: str, new: str):
    """A copy of a real fixture with one change (made here, in the test's folder)."""
    text = need(fixture).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / fixture.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_file_with_an_unknown_name_is_refused_whole(cli, tmp_path, unchanged):
    broken = edited(UNDL_DRAFTS, tmp_path, "Albania, Australia,", "Albania, Atlantis, Australia,")
    with unchanged():
        result = cli("sponsors", "import", str(broken))
    assert_refused(result, "'Atlantis'", "245 $c", "Nothing was recorded")
    assert len(result.output.strip().splitlines()) == 1


def test_a_document_takes_no_pasted_list_options(cli, unchanged):
    with unchanged():
        result = cli("sponsors", "import", str(need(UNDL_DRAFTS)), "--source", "x", "--doc", L41)
    assert_refused(result, "--doc and --source are for a pasted list", "undl-marcxml")


def test_a_file_without_any_sponsor_list_is_refused(cli, tmp_path, unchanged):
    text = need(UNDL_DRAFTS).read_text(encoding="utf-8")
    records = re.findall(r"<record>.*?</record>", text, re.S)
    chair = [r for r in records if "by the Secretariat" in r]
    path = tmp_path / "secretariat.xml"
    path.write_text(f'<collection xmlns="http://www.loc.gov/MARC21/slim">{chair[0]}</collection>')
    with unchanged():
        result = cli("sponsors", "import", str(path))
    assert_refused(result, "holds no sponsor list", "A/C.3/78/L.1")


# ---------------------------------------------------------------- first pages (PDF)


def test_the_security_council_pdfs(cli):
    imported(cli, need(SC_DRAFTS / "S_2019_179.pdf"))
    imported(cli, need(SC_DRAFTS / "S_2023_427.pdf"))
    big, small = sponsors(cli, "S/2019/179"), sponsors(cli, "S/2023/427")
    assert (len(big), len(small)) == (77, 2)
    # read off the pages: 'Turkey' (Türkiye), 'Papua New' / 'Guinea', 'Côte d’Ivoire'
    assert {"TUR", "PNG", "CIV", "DZA", "TZA"} <= {r["iso3"] for r in big}
    assert {r["iso3"] for r in small} == {"ARE", "GBR"}
    # the header's dates: 27 February 2019, 14 June 2023
    assert {(r["joined_on"], r["date_precision"]) for r in big} == {("2019-02-27", "on-or-before")}
    assert {r["joined_on"] for r in small} == {"2023-06-14"}
    assert "S_2019_179.pdf" in big[0]["source"]
    doc = json.loads(cli.ok("docs", "show", "S/2019/179", "-f", "json").stdout)
    assert (doc["kind"], doc["body"], doc["date"]) == (
        "draft resolution",
        "Security Council",
        "2019-02-27",
    )


# ---------------------------------------------------------------- committee report


def test_the_committee_report_gives_l41_43_plus_7_sponsors_and_tuvalus_day(cli):
    plan = imported(cli, need(COMMITTEE_REPORT))
    assert plan["format"] == "committee-report"
    rows = {r["iso3"]: r for r in sponsors(cli, L41)}
    original = {k for k, r in rows.items() if r["listed_as"] == "original"}
    assert len(original) == 43 and len(rows) == 50
    assert {k for k, r in rows.items() if r["listed_as"] == "additional"} == L41_ADDITIONAL
    # "At its 53rd meeting, on 15 November 2023": Tuvalu "at the same meeting", that day
    assert (rows["TUV"]["joined_on"], rows["TUV"]["date_precision"]) == ("2023-11-15", "day")
    assert "para. 17" in rows["TUV"]["source"]
    # "Subsequently": by that meeting
    assert {(rows[k]["joined_on"], rows[k]["date_precision"]) for k in L41_SUBSEQUENTLY} == {
        ("2023-11-15", "on-or-before")
    }
    assert len(plan["recorded_votes"]) == 1  # named in the summary, for `vote import`
    out = cli.ok("sponsors", "history", "--doc", L41, "--wide").stdout
    assert "A/78/481/Add.3, para. 16" in out


def test_vote_import_of_the_committee_report_records_80_29_65(cli):
    summary = json.loads(cli.ok("vote", "import", str(need(COMMITTEE_REPORT)), "-f", "json").stdout)
    assert summary["format"] == "committee-report" and summary["votes"] == 1
    assert summary["totals_mismatches"] == []
    vote = json.loads(cli.ok("vote", "show", L41, "-f", "json").stdout)
    assert (vote["tally"]["yes"], vote["tally"]["no"], vote["tally"]["abstain"]) == (80, 29, 65)
    assert vote["official_totals"]["yes"] == 80 and vote["official_totals"]["abstain"] == 65
    assert (vote["body"], vote["date"], vote["meeting"]) == (
        "Third Committee",
        "2023-11-15",
        "53rd meeting",
    )
    ballots = {b["iso3"]: b["choice"] for b in vote["ballots"]}
    # as the report prints them: 'Timor-' / 'Leste', 'Guinea-' / 'Bissau', after the page header
    assert (ballots["TLS"], ballots["GNB"], ballots["DZA"], ballots["IRN"]) == (
        *("yes", "abstain", "no", "no"),
    )
    assert len(ballots) == 193 and sum(c == "non-voting" for c in ballots.values()) == 19


def test_vote_import_refuses_lists_that_disagree_with_the_stated_totals(cli, tmp_path, unchanged):
    path = edited(COMMITTEE_REPORT, tmp_path, "Albania, Andorra, Antigua", "Andorra, Antigua")
    with unchanged():
        result = cli("vote", "import", str(path))
    assert_refused(result, "disagree with the ballots", "--accept-mismatches")


# ---------------------------------------------------------------- a pasted list


@pytest.mark.parametrize("ending", ["", ".\n"])
def test_the_illustrative_pasted_list_imports_whole(cli, ending):
    text = PASTED_LIST if not ending else PASTED_LIST.removesuffix(": draft resolution") + ending
    cli.ok("docs", "add", "A/FIC/L.1", "--title", "A fictional draft", "--kind", "draft",
           "--body", "Sixth Committee", "--unsourced")  # fmt: skip
    out = cli.ok(
        "sponsors", "import", "-", "--doc", "A/FIC/L.1", "--date", "2024-11-21",
        "--source", "fictional test list", input=text,
    ).stdout  # fmt: skip
    assert "Added 13 sponsors of A/FIC/L.1 (co, 2024-11-21)" in out
    rows = sponsors(cli, "A/FIC/L.1")
    assert {r["iso3"] for r in rows} == set(PASTED_LIST_STATES)
    assert {(r["source"], r["source_kind"], r["listed_as"]) for r in rows} == {
        ("fictional test list", None, None)
    }


# ---------------------------------------------------------------- dry run


def test_dry_run_writes_nothing_and_diffs_against_the_current_list(cli, unchanged):
    imported(cli, need(COMMITTEE_REPORT))  # L.41's 50 are sponsors by 15 November 2023
    with unchanged():
        plan = imported(cli, need(UNDL_DRAFTS), "--dry-run")
        table = cli.ok("sponsors", "import", str(need(UNDL_DRAFTS)), "--dry-run").stdout
        rows = list(csv.DictReader(io.StringIO(
            cli.ok("sponsors", "import", str(need(UNDL_DRAFTS)), "--dry-run", "-f", "csv").stdout
        )))  # fmt: skip
        markdown = cli.ok(
            "sponsors", "import", str(need(UNDL_DRAFTS)), "--dry-run", "-f", "markdown"
        ).stdout
    assert plan["dry_run"] is True and plan["recorded"] > 0
    l41 = {c["iso3"]: c["change"] for c in plan["changes"] if c["symbol"] == L41}
    # its record dates the 43 printed on the draft more precisely (on or before 1 November,
    # not 15 November) and bounds the 6 "Subsequently" joinings from below (after 1
    # November): 49 joinings refined, none recorded twice; Tuvalu's day it dates no better
    assert {k for k, change in l41.items() if change == "already a sponsor"} == {"TUV"}
    assert len(l41) == 50 and sum(change == "refines the date" for change in l41.values()) == 49
    assert not any(change == "joins" for change in l41.values())
    sudan = [c for c in plan["changes"] if c["symbol"] == "A/C.3/78/L.64" and c["iso3"] == "SDN"]
    assert [c["change"] for c in sudan] == ["withdraws (not a sponsor)"]
    joins = sum(c["change"] == "joins" for c in plan["changes"])
    already = sum(c["change"] == "already a sponsor" for c in plan["changes"])
    assert (
        f"Would record {joins:,} joinings, 1 withdrawal and 49 more precise dates; "
        f"{already} already sponsors"
    ) in " ".join(table.split())
    assert "Nothing was written" in table and "| A/C.3/78/L.41 | already a sponsor |" in markdown
    assert len(rows) == len(plan["changes"]) and rows[0]["change"]


def test_dry_run_lists_unknown_names_and_says_the_import_would_be_refused(cli, unchanged):
    with unchanged():
        result = cli("sponsors", "import", "-", "--dry-run", input="Chile, Atlantis and Mexico")
    assert result.exit_code == 1
    assert "unknown name" in result.stdout and "Atlantis" in result.stdout
    assert "joins" in result.stdout and "already a sponsor" in result.stdout  # Mexico
    assert "The import would be refused" in result.stdout
    assert "Error:" in result.output and "Traceback" not in result.output


# ---------------------------------------------------------------- sponsors diff


def test_diff_of_one_document_at_two_dates(cli):
    imported(cli, need(UNDL_DRAFTS))
    data = json.loads(cli.ok("sponsors", "diff", L41, "--as-of", "2023-11-01", "-f", "json").stdout)
    assert (data["first"]["sponsors"], data["second"]["sponsors"]) == (43, 50)
    assert (data["added"], data["removed"], data["kept"]) == (7, 0, 43)
    assert {r["iso3"] for r in data["rows"]} == L41_ADDITIONAL
    assert {r["change"] for r in data["rows"]} == {"added"}
    everyone = json.loads(
        cli.ok("sponsors", "diff", L41, "--as-of", "2023-11-01", "--all", "-f", "json").stdout
    )
    assert len(everyone["rows"]) == 50
    dates = ["--as-of", "2023-10-31", "--as-of", "2023-11-01"]
    before = json.loads(cli.ok("sponsors", "diff", L41, *dates, "-f", "json").stdout)
    assert (before["added"], before["first"]["sponsors"]) == (43, 0)


def test_diff_of_two_documents_in_every_format(cli):
    imported(cli, need(UNDL_DRAFTS))
    a = {r["iso3"] for r in sponsors(cli, L41)}
    b = {r["iso3"] for r in sponsors(cli, "A/C.3/78/L.42")}
    data = json.loads(cli.ok("sponsors", "diff", L41, "A/C.3/78/L.42", "-f", "json").stdout)
    assert {r["iso3"] for r in data["rows"] if r["change"] == "added"} == b - a
    assert {r["iso3"] for r in data["rows"] if r["change"] == "removed"} == a - b
    assert data["kept"] == len(a & b)
    table = cli.ok("sponsors", "diff", L41, "A/C.3/78/L.42").stdout
    assert f"{len(b - a)} added, {len(a - b)} removed, {len(a & b)} in both" in table
    rows = list(csv.DictReader(io.StringIO(
        cli.ok("sponsors", "diff", L41, "A/C.3/78/L.42", "-f", "csv").stdout
    )))  # fmt: skip
    assert {r["iso3"] for r in rows} == a ^ b
    markdown = cli.ok("sponsors", "diff", L41, "A/C.3/78/L.42", "-f", "markdown").stdout
    assert "| State | ISO3 |" in markdown


def test_diff_refusals(cli, unchanged):
    with unchanged():
        assert_refused(cli("sponsors", "diff", "A/C.6/79/L.2"), "Nothing to compare")
        assert_refused(cli("sponsors", "diff", "A/X/1", "A/C.6/79/L.2"), "Unknown document")
        assert_refused(
            cli("sponsors", "diff", "A/C.6/79/L.2", *["--as-of", "2024"] * 3), "at most twice"
        )
