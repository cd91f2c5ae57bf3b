"""`report tally` and `report export` (HTML, Markdown, CSV, JSON), with golden files.

Golden files live in tests/data/golden/; after a deliberate change to the report, rewrite
them with `UPDATE_GOLDEN=1 python -m pytest tests/cli/test_report.py` and read the diff.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

import report_data
from conftest import DATA, assert_refused

GOLDEN = DATA / "golden"
TODAY = "2026-11-27"
FORMATS = {"html": "report.html", "markdown": "report.md", "json": "report.json", "csv": "tables"}
CSV_TABLES = {
    "states",
    "documents",
    "sponsorship_events",
    "current_sponsors",
    "count_claims",
    "votes",
    "ballots",
    "statements",
    "positions",
    "events",
}


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch):
    monkeypatch.setenv("CAHTRACKER_TODAY", TODAY)


@pytest.fixture
def rich_cli(cli):
    """The seeded database plus the fictional record of tests/report_data.py."""
    report_data.build(cli)
    return cli


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run with UPDATE_GOLDEN=1 to write it"
    assert text == path.read_text(encoding="utf-8"), (
        f"output differs from {path}; if the change is intended, rerun with UPDATE_GOLDEN=1"
    )


def _export(cli, tmp_path, fmt: str, *extra: str) -> Path:
    out = tmp_path / FORMATS[fmt]
    result = cli.ok("report", "export", "--format", fmt, "--output", str(out), *extra)
    assert str(out) in result.stdout
    return out


# ---------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_exports_on_the_seeded_database(cli, tmp_path, fmt):
    out = _export(cli, tmp_path, fmt)
    if fmt == "csv":
        assert {p.stem for p in out.iterdir()} == CSV_TABLES
        return
    text = out.read_text(encoding="utf-8")
    assert "A/C.6/79/L.2/Rev.1" in text
    assert "Mexico SRE Press Release No. 028" in text  # the source of the latest count
    if fmt == "json":
        assert json.loads(text)["count"]["latest_claim"]["count"] == 99
    # nothing left beside the target
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_html_is_self_contained_and_escapes_user_text(rich_cli, tmp_path):
    html = _export(rich_cli, tmp_path, "html").read_text(encoding="utf-8")
    assert report_data.SCRIPT_QUOTE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    # no remote script, font, stylesheet or image; a CSP forbids loading any
    for needle in ('src="http', "@import", "url(", '<link rel="stylesheet"', "@font-face"):
        assert needle not in html
    assert "default-src 'none'" in html and "@media print" in html
    # the charts: sponsors over time, groups, tallies with the majority line, matrix, forecast
    for marker in (
        'class="step"',
        'class="claim"',
        'id="fig-sponsors-by-group"',
        'class="majority"',
        'class="cell"',
        'id="fig-forecast"',
        "Targets: undecided non-sponsors",
        'id="fig-sponsor-map"',
        'class="warn partial"',
    ):
        assert marker in html, marker
    assert html.count("Data as of 2026-11-27") >= 3
    assert '<h2 id="sources">Sources</h2>' in html
    assert "fictional record of the amendment" in html


def test_html_leaves_out_targets_and_forecast_without_ballots(cli, tmp_path):
    html = _export(cli, tmp_path, "html").read_text(encoding="utf-8")
    assert "Not shown: no recorded vote with ballots yet" in html
    assert 'id="fig-forecast"' not in html and "Targets: undecided" not in html


def test_csv_neutralises_formulas_and_keeps_numbers(rich_cli, tmp_path):
    folder = _export(rich_cli, tmp_path, "csv")
    raw = (folder / "count_claims.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(raw.splitlines()))
    claim = next(r for r in rows if r["count"] == "120")
    assert claim["source"] == "'" + report_data.FORMULA_SOURCE
    assert "\n120," in raw  # a number, unquoted
    ballots = list(csv.DictReader((folder / "ballots.csv").read_text("utf-8").splitlines()))
    # seven fictional votes of 25 ballots, one of every member
    assert len(ballots) == _count(rich_cli, "ballots") == 7 * 25 + 193
    assert list(ballots[0]) == [
        *("vote_id", "symbol", "date", "body", "iso3", "name", "regional_group", "choice"),
        "explanation",
    ]
    ghana = next(b for b in ballots if b["symbol"] == "A/FIC/L.98" and b["iso3"] == "GHA")
    assert (ghana["date"], ghana["body"], ghana["regional_group"]) == (
        "2024-11-21",
        "Sixth Committee",
        "African",
    )
    assert ghana["explanation"] == report_data.EXPLANATION
    votes = list(csv.DictReader((folder / "votes.csv").read_text("utf-8").splitlines()))
    assert "tally" not in votes[0] and "official_members" in votes[0]
    amendment = next(v for v in votes if v["symbol"] == "A/FIC/L.99")
    assert (amendment["yes"], amendment["no"], amendment["majority"]) == ("8", "11", "two-thirds")
    assert (amendment["members"], amendment["members_recorded"], amendment["complete"]) == (
        "193",
        "25",
        "false",
    )
    complete = next(v for v in votes if v["symbol"] == "A/FIC/L.98")
    assert (complete["complete"], complete["explained_by"]) == ("true", "Ghana")
    said = list(csv.DictReader((folder / "statements.csv").read_text("utf-8").splitlines()))
    assert [(r["symbol"], r["iso3"], r["kind"], r["choice"], r["text"]) for r in said] == [
        ("A/FIC/L.98", "GHA", "explanation", "yes", report_data.EXPLANATION)
    ]
    for name in CSV_TABLES:
        header = (folder / f"{name}.csv").read_text("utf-8").splitlines()[0]
        assert header and "," in header, name


def _count(cli, table: str) -> int:
    import sqlite3

    conn = sqlite3.connect(cli.db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_json_is_shaped_as_the_list_commands(rich_cli, tmp_path):
    data = json.loads(_export(rich_cli, tmp_path, "json").read_text(encoding="utf-8"))
    from cahtracker.db import SCHEMA_VERSION

    assert data["schema_version"] == SCHEMA_VERSION
    assert data["exported_at"] == f"{TODAY}T00:00:00+00:00"

    def listing(*args):
        return json.loads(rich_cli.ok(*args, "-f", "json").stdout)

    assert data["sponsors"] == listing("sponsors", "list")
    assert data["votes"] == listing("vote", "list")
    assert data["positions"] == listing("position", "list")
    assert data["states"] == listing("states", "list")
    assert data["timeline"] == listing("timeline", "list")
    assert data["count"] == json.loads(rich_cli.ok("sponsors", "count", "-f", "json").stdout)
    shown = json.loads(rich_cli.ok("vote", "show", "A/FIC/L.99", "-f", "json").stdout)
    assert shown in data["process_votes"]
    assert data["analysis"]["forecast"]["outcome"] in ("adopted", "rejected", "uncertain")
    # of the fictional friends (report_data.FRIENDS), Senegal and Ghana have no seeded stance
    assert data["analysis"]["targets"][0]["name"] == "Ghana"
    assert data["official_only"] is False


def test_export_as_of_shows_the_earlier_picture(rich_cli, tmp_path):
    out = _export(rich_cli, tmp_path, "markdown", "--as-of", "2024-11-01")
    text = out.read_text(encoding="utf-8")
    assert "the picture as of 2024-11-01" in text
    assert "### Current sponsors (3)" in text  # Mexico, Gambia, France; Czechia not yet
    assert "| Czechia | co |" not in text


def test_csv_as_of_changes_only_the_current_sponsors(rich_cli, tmp_path):
    folder = _export(rich_cli, tmp_path, "csv", "--as-of", "2024-11-01")

    def rows(name):
        return list(csv.DictReader((folder / f"{name}.csv").read_text("utf-8").splitlines()))

    assert sorted(r["iso3"] for r in rows("current_sponsors")) == ["FRA", "GMB", "MEX"]
    assert len(rows("count_claims")) == _count(rich_cli, "count_claims")  # every claim, any date
    assert any(r["action"] == "withdrew" for r in rows("sponsorship_events"))


def test_format_guessed_from_extension(cli, tmp_path):
    out = tmp_path / "r.md"
    cli.ok("report", "export", "-o", str(out))
    assert out.read_text(encoding="utf-8").startswith("# Crimes against humanity treaty")


# ---------------------------------------------------------------- refusals


def test_unknown_format_is_refused_and_nothing_written(cli, tmp_path, unchanged):
    with unchanged():
        result = cli("report", "export", "--format", "pdf", "--output", str(tmp_path / "r.pdf"))
    assert_refused(result, "Unknown format 'pdf'", "html, markdown, csv, json")
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "r.pdf").exists()


def test_unguessable_extension_is_refused(cli, tmp_path):
    result = cli("report", "export", "--output", str(tmp_path / "report.pdf"))
    assert_refused(result, "Cannot tell the format", "--format")


@pytest.mark.parametrize("fmt", ["html", "csv"])
def test_unwritable_output_is_refused(cli, tmp_path, fmt):
    missing = tmp_path / "no-such-folder" / "out"
    assert_refused(
        cli("report", "export", "-f", fmt, "-o", str(missing)), "does not exist", "--output"
    )
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert_refused(cli("report", "export", "-f", fmt, "-o", str(afile / "out")), "Cannot write")
    assert afile.read_text() == "x"


def test_existing_output_needs_force(cli, tmp_path):
    out = tmp_path / "r.html"
    out.write_text("keep me")
    assert_refused(cli("report", "export", "-o", str(out)), "already exists", "--force")
    assert out.read_text() == "keep me"
    cli.ok("report", "export", "-o", str(out), "--force")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "old.csv").write_text("old")
    cli.ok("report", "export", "-f", "csv", "-o", str(folder), "--force")
    assert {p.stem for p in folder.iterdir()} == CSV_TABLES
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("fmt", ["markdown", "csv", "svg"])
def test_a_failure_half_way_leaves_nothing(store, tmp_path, monkeypatch, fmt):
    from cahtracker import report

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    name = {"csv": "write_csv_folder", "svg": "map_text"}.get(fmt, "render_text")
    monkeypatch.setattr(report, name, broken, raising=True)
    out = tmp_path / "out" / "target"
    out.parent.mkdir()
    from cahtracker.errors import CahError

    with pytest.raises(CahError, match="No space left on device"):
        report.export(store, fmt, out, "A/C.6/79/L.2/Rev.1")
    assert list(out.parent.iterdir()) == []


def test_unknown_document_is_refused(cli, tmp_path):
    assert_refused(
        cli("report", "export", "-o", str(tmp_path / "r.html"), "--doc", "A/NOPE"),
        "Unknown document 'A/NOPE'",
    )
    assert not (tmp_path / "r.html").exists()


# ---------------------------------------------------------------- dashboard and goldens


def test_tally_dashboard_golden(rich_cli):
    assert_golden("tally.txt", rich_cli.ok("report", "tally").stdout)


def test_tally_dashboard_on_the_seed(cli):
    text = cli.ok("report", "tally").stdout
    assert "3 recorded · latest reported count 99 (2024-11-27)" in text  # FIDH
    assert "Next: 2027 (year) Preparatory committee, second session" in text
    # the latest stance of the 36 states with one on the treaty (CAH_CURATION_2026-12.md)
    assert "treaty                        33       1      2          0" in text


def test_tally_as_of_and_doc(rich_cli):
    text = rich_cli.ok("report", "tally", "--as-of", "2024-10-15").stdout
    assert "A/C.6/79/L.2/Rev.1 — as of 2024-10-15" in text
    assert "3 recorded · latest reported count 86 (2024-10-10)" in text
    other = rich_cli.ok("report", "tally", "--doc", "A/C.6/79/L.20").stdout
    assert "A/C.6/79/L.20 — today 2026-11-27" in other and "3 recorded" in other


def test_markdown_golden(rich_cli, tmp_path):
    assert_golden("report.md", _export(rich_cli, tmp_path, "markdown").read_text("utf-8"))


def test_markdown_escapes_pipes_in_user_text(cli, tmp_path):
    cli.ok("position", "set", "FRA", "--topic", "treaty", "--stance", "support",
           "--date", "2024-11-01", "--quote", "yes | no\nmaybe", "--unsourced")  # fmt: skip
    text = _export(cli, tmp_path, "markdown").read_text("utf-8")
    assert "yes \\| no<br>maybe" in text


def test_sponsor_series_replays_joinings_and_withdrawals():
    from cahtracker.report import sponsor_series

    def event(iso3, action, day, name=None):
        return {"iso3": iso3, "action": action, "date": day, "name": name or iso3}

    series = sponsor_series(
        [
            event("AAA", "joined", None),
            event("BBB", "joined", "2024-07"),
            event("CCC", "joined", "2024-07-01"),
            event("BBB", "withdrew", "2024-08-02"),
            event("BBB", "joined", "2024-09-01"),
        ]
    )
    assert series["start"] == 1
    assert [(s["date"], s["count"]) for s in series["steps"]] == [
        ("2024-07-01", 3),
        ("2024-08-02", 2),
        ("2024-09-01", 3),
    ]
    assert series["steps"][0]["joined"] == ["BBB", "CCC"]
    assert series["steps"][1]["withdrew"] == ["BBB"]
    # joined after a date only (an additional sponsor): on the first day it can have been
    later = sponsor_series([event("AAA", "joined", None) | {"after": "2023-11"}])
    assert (later["start"], [s["date"] for s in later["steps"]]) == (0, ["2023-12-01"])


@pytest.mark.parametrize(
    ("yes", "no", "majority", "needed", "passes"),
    [
        (8, 11, "two-thirds", 13, False),
        (13, 6, "two-thirds", 13, True),  # 13 >= 2 x 6
        (10, 10, "simple", 11, False),  # a tie fails
        (11, 10, "simple", 11, True),
    ],
)
def test_vote_chart_draws_the_line_the_yes_votes_had_to_reach(yes, no, majority, needed, passes):
    from cahtracker.report.html import vote_chart

    tally = {"yes": yes, "no": no, "abstain": 5, "non_voting": 1, "absent": 0}
    total = sum(tally.values())
    complete = {"members": total, "recorded": total, "not_recorded": 0, "complete": True}
    chart = vote_chart({"tally": tally, "majority": majority, "coverage": complete})
    assert chart["rule"].endswith(f": {needed} yes")
    assert chart["passes"] is passes
    total = sum(tally.values())
    assert chart["line_x"] == round(chart["left"] + chart["bar_w"] * needed / total, 1)
    assert [s["title"] for s in chart["segments"]] == [
        f"Yes {yes}",
        f"No {no}",
        "Abstain 5",
        "Non-voting 1",
    ]
    # a partial record without official totals: the bar, and no line
    partial = {"members": 193, "recorded": total, "not_recorded": 193 - total, "complete": False}
    chart = vote_chart({"tally": tally, "majority": majority, "coverage": partial})
    assert chart["line_x"] is None and chart["rule"] is None and chart["segments"]
    # ... with official totals: the bar and the line are the official ones
    official = {"yes": 120, "no": 30, "abstain": 20, "non_voting": 23, "members": 193}
    chart = vote_chart(
        {"tally": tally, "majority": majority, "coverage": partial, "official_totals": official}
    )
    needed = 100 if majority == "two-thirds" else 76
    assert chart["rule"].startswith("needed:") and f": {needed} yes" in chart["rule"]
    assert chart["line_x"] == round(chart["left"] + chart["bar_w"] * needed / 193, 1)
    assert chart["segments"][0]["title"] == "Yes 120"


def test_exports_get_the_usual_permissions(cli, tmp_path):
    import stat

    umask = os.umask(0o022)
    try:
        html = _export(cli, tmp_path, "html")
        folder = _export(cli, tmp_path, "csv")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(html.stat().st_mode) == 0o644
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


# ---------------------------------------------------------------- source and quote kinds


def test_reports_show_the_source_and_quote_kinds(cli, tmp_path):
    markdown = _export(cli, tmp_path, "markdown").read_text("utf-8")
    assert (
        "| State | Topic | Stance | Date | Quote | Quote kind | Source | Source kind |" in markdown
    )
    # GA/L/3738 quotes The Gambia verbatim (CAH_CURATION_2026-12.md, existing rows)
    gambia = next(line for line in markdown.splitlines() if line.startswith("| Gambia | treaty"))
    assert "| verbatim |" in gambia and gambia.endswith("| un-record |")
    assert "press.un.org/en/2024/gal3738.doc.htm (GA/L/3738) (un-record) — " in markdown
    html = _export(cli, tmp_path, "html").read_text("utf-8")
    assert "<th>Quote kind</th>" in html and "<th>Source kind</th>" in html
    assert '<span class="kind">(secondary)</span>' in html  # Mexico's SRE release, via PublicNow


def test_official_only_export_keeps_un_records_and_governments(cli, tmp_path, unchanged):
    with unchanged():  # made from a filtered copy: the database itself is not touched
        data = json.loads(_export(cli, tmp_path, "json", "--official-only").read_text("utf-8"))
        out = tmp_path / "official.md"
        cli.ok("report", "export", "-o", str(out), "--official-only")
    assert data["official_only"] is True
    kinds = {p["source_kind"] for p in data["positions"]}
    assert kinds == {"un-record", "government"}
    assert {r["iso3"] for r in data["positions"] if r["topic"] == "treaty"} >= {"GMB", "MEX", "RUS"}
    assert not {"CZE", "GBR", "USA", "CHN"} & {p["iso3"] for p in data["positions"]}
    # the one official reported count of the chain: GA/L/3720's 86 (un-record)
    assert [c["count"] for c in data["count"]["claims"]] == [86]
    # the seed's sponsors of Rev.1 come from the Czech Yearbook (ngo): none is official
    assert data["sponsors"] == [] and data["count"]["recorded"] == 0
    assert {e["source_kind"] for e in data["timeline"]} == {"un-record", "government"}
    markdown = out.read_text("utf-8")
    assert "**Official sources only:**" in markdown
    assert "ebs.publicnow.com" not in markdown and "observerdiplomat.com" not in markdown
    everything = json.loads(_export(cli, tmp_path, "json", "--force").read_text("utf-8"))
    assert everything["official_only"] is False and len(everything["sponsors"]) == 3


# ---------------------------------------------------------------- who voted how


def _expected_choices() -> dict[str, str]:
    """iso3 -> choice in the fictional vote on A/FIC/L.98, from report_data's own lists."""
    expected = dict.fromkeys(report_data.members(), "non-voting")
    for codes, choice in (
        (f"MEX, GMB, {report_data.SPONSORS_ADDED}, {report_data.FRIENDS}", "yes"),
        (report_data.RIVALS, "no"),
        (report_data.SWING, "abstain"),
    ):
        expected.update(dict.fromkeys(codes.split(", "), choice))
    return expected


def _state_rows() -> dict[str, dict[str, str]]:
    with open(DATA.parent.parent / "data" / "un_member_states.csv", encoding="utf-8") as handle:
        return {r["iso3"]: r for r in csv.DictReader(handle)}


def _by_choice_and_group(expected: dict[str, str]) -> dict[tuple[str, str], set[str]]:
    states = _state_rows()
    grouped: dict[tuple[str, str], set[str]] = {}
    for iso3, choice in expected.items():
        key = (choice, states[iso3]["regional_group"])
        grouped.setdefault(key, set()).add(states[iso3]["name"])
    return grouped


LABEL_OF = {"yes": "Yes", "no": "No", "abstain": "Abstain", "non-voting": "Non-voting"}


def test_markdown_names_every_state_by_choice_and_group(rich_cli, tmp_path):
    text = _export(rich_cli, tmp_path, "markdown").read_text("utf-8")
    section = [part.split("\n## ")[0] for part in text.split("### Vote ")[1:]]
    [mine] = [part for part in section if ": A/FIC/L.98 — Sixth Committee, 2024-11-21" in part]
    found: dict[tuple[str, str], set[str]] = {}
    for line in mine.splitlines():
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if len(cells) == 4 and cells[0] not in ("Vote", "---"):
            label = cells[0].rsplit(" (", 1)[0]
            choice = next(k for k, v in LABEL_OF.items() if v == label)
            names = {n.replace("&#39;", "'") for n in cells[3].split(", ")}
            assert len(names) == int(cells[2])
            found[(choice, cells[1])] = names
    assert found == _by_choice_and_group(_expected_choices())
    assert "Partial record" not in mine
    assert f"Ghana — explanation (voted yes): {report_data.EXPLANATION}" in mine
    assert "[https://example.org/fictional/L.98?record=1&amp;lang=en]" in mine
    # the partial vote says so, and names its missing members
    [partial] = [part for part in section if ": A/FIC/L.99 — " in part]
    assert "Partial record: 25 of 193 members recorded; 168 not recorded." in partial
    assert "| Not recorded (168) | African |" in partial


def test_html_names_every_state_by_choice_and_group(rich_cli, tmp_path):
    import html as html_lib
    import re

    page = _export(rich_cli, tmp_path, "html").read_text("utf-8")
    figures = re.findall(r'<figure class="vote" id="vote-\d+">.*?</figure>', page, re.S)
    [mine] = [f for f in figures if "A/FIC/L.98" in f.split("</h3>")[0]]
    found: dict[tuple[str, str], set[str]] = {}
    for block in re.findall(r'<h4 class="choice-[^"]+">(.*?)</h4>\s*<ul>(.*?)</ul>', mine, re.S):
        label = block[0].rsplit(" (", 1)[0]
        choice = next(k for k, v in LABEL_OF.items() if v == label)
        for group, count, names in re.findall(r"<li><b>(.*?) \((\d+)\):</b> (.*?)</li>", block[1]):
            listed = set(html_lib.unescape(names).split(", "))
            assert len(listed) == int(count)
            found[(choice, html_lib.unescape(group))] = listed
    assert found == _by_choice_and_group(_expected_choices())
    assert 'class="majority"' in mine and "Partial record" not in mine
    assert html_lib.escape(report_data.EXPLANATION, quote=True) in mine
    source = html_lib.escape(report_data.COMPLETE_SOURCE, quote=True)
    assert f'<a href="{source}" rel="noopener noreferrer">{source}</a>' in mine
    assert 'class="cah-map' in mine  # the vote's map
    [partial] = [f for f in figures if "A/FIC/L.99" in f.split("</h3>")[0]]
    assert "25 of 193 members recorded; 168 not recorded" in partial
    assert 'class="majority"' not in partial and "No majority line is drawn" in partial
    assert '<h4 class="choice-not-recorded">Not recorded (168)</h4>' in partial


def test_html_links_sources_and_documents_and_escapes_them(cli, tmp_path):
    hostile = 'https://example.org/a?x="><script>alert(1)</script>'
    cli.ok("docs", "add", "A/FIC/L.7", "--title", "Fictional","--kind", "amendment", "--body", "Sixth Committee",
           "--parent", "A/C.6/79/L.2/Rev.1", "--url", "javascript:alert(1)",
           "--source", "fictional")  # fmt: skip
    cli.ok("sponsors", "claim", "101", "--date", "2024-11-24", "--source",
           f"see press.un.org/en/2024/x.htm, and {hostile}")  # fmt: skip
    page = _export(cli, tmp_path, "html").read_text("utf-8")
    assert "<script>alert(1)" not in page and "javascript:" not in page.split("<body>")[1].replace(
        "javascript:alert(1)", ""
    )
    assert 'href="javascript' not in page
    assert (
        '<a href="https://press.un.org/en/2024/x.htm" rel="noopener noreferrer">'
        "press.un.org/en/2024/x.htm</a>, and " in page
    )
    assert '<a href="https://example.org/a?x=" rel="noopener noreferrer">' in page
    # the seed's document URLs are links; a javascript: URL is shown as the symbol only
    assert (
        '<a href="https://static.un.org/en/ga/sixth/79/cah.shtml" rel="noopener noreferrer">'
        "A/C.6/79/L.2/Rev.1</a>" in page
    )
    assert "<li>A/FIC/L.7 — amendment: Fictional</li>" in page


def test_link_parts_cuts_urls_out_of_text():
    from cahtracker.report.html import link_parts

    assert link_parts("AP report (uslive.com/?p=325633); press.un.org/en/x.htm (GA/L/1)") == [
        ("AP report (", None),
        ("uslive.com/?p=325633", "https://uslive.com/?p=325633"),
        ("); ", None),
        ("press.un.org/en/x.htm", "https://press.un.org/en/x.htm"),
        (" (GA/L/1)", None),
    ]
    assert link_parts("Czech Yearbook vol. 16 (2025) p. 517") == [
        ("Czech Yearbook vol. 16 (2025) p. 517", None)
    ]
    assert link_parts("https://en.wikipedia.org/wiki/X_(y).") == [
        ("https://en.wikipedia.org/wiki/X_(y)", "https://en.wikipedia.org/wiki/X_(y)"),
        (".", None),
    ]
    assert link_parts("javascript:alert(1)") == [("javascript:alert(1)", None)]
    assert link_parts(None) == []


# ---------------------------------------------------------------- the world map alone


def _fills(svg_text: str) -> dict[str, str]:
    """iso3 -> fill of every state drawn (shape or dot), read with an XML parser."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg_text.split("?>", 1)[1])
    fills: dict[str, str] = {}
    for element in root.iter():
        if element.get("data-iso3"):
            fills.setdefault(element.get("data-iso3"), element.get("fill"))
    return fills


def test_svg_export_of_the_sponsors_map(rich_cli, tmp_path):
    from cahtracker.report.map import SPONSOR_LEGEND

    colour = {key: c for key, _, c in SPONSOR_LEGEND}
    out = tmp_path / "sponsors.svg"
    result = rich_cli.ok("report", "export", "-o", str(out))  # the format from the extension
    assert "Sponsors of A/C.6/79/L.2/Rev.1 by state, as of 2026-11-27" in result.stdout
    text = out.read_text("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns=')
    assert "<script" not in text
    fills = _fills(text)
    assert len(fills) == 195  # every member and observer state, as a shape or a dot
    assert (fills["MEX"], fills["GMB"], fills["FRA"]) == (
        colour["main"],
        colour["main"],
        colour["sponsor"],
    )
    assert {fills[i] for i in fills if i not in ("MEX", "GMB", "FRA")} == {colour["none"]}
    earlier = tmp_path / "earlier.svg"
    rich_cli.ok("report", "export", "-f", "svg", "--map", "sponsors", "--as-of", "2024-09-01",
                "-o", str(earlier))  # fmt: skip
    assert _fills(earlier.read_text("utf-8"))["FRA"] == colour["none"]  # joined 2024-10-01


def test_svg_export_of_a_vote_map(rich_cli, tmp_path):
    from cahtracker.report.map import vote_legend

    colour = {key: c for key, _, c in vote_legend()}
    vote = json.loads(rich_cli.ok("vote", "show", "A/FIC/L.99", "-f", "json").stdout)
    out = tmp_path / "vote.svg"
    result = rich_cli.ok("report", "export", "-f", "svg", "--map", "vote", str(vote["id"]),
                         "-o", str(out))  # fmt: skip
    assert (
        f"Vote {vote['id']} on A/FIC/L.99, Sixth Committee, 2024-11-21: rejected" in result.stdout
    )
    fills = _fills(out.read_text("utf-8"))
    for iso3 in report_data.RIVALS.split(", "):
        assert fills[iso3] == colour["yes"], iso3
    for iso3 in report_data.SWING.split(", "):
        assert fills[iso3] == colour["abstain"], iso3
    assert fills["FRA"] == colour["no"]
    voted = {*report_data.RIVALS.split(", "), *report_data.SWING.split(", ")}
    voted |= {"MEX", "GMB", "FRA", *report_data.FRIENDS.split(", ")}
    missing = set(report_data.members()) - voted
    assert {fills[i] for i in missing} == {colour["not-recorded"]}
    # without an id: the latest recorded vote on the document's texts (L.98, recorded last)
    latest = tmp_path / "latest.svg"
    assert (
        "A/FIC/L.98"
        in rich_cli.ok("report", "export", "-f", "svg", "--map", "vote", "-o", str(latest)).stdout
    )
    assert _fills(latest.read_text("utf-8"))["AGO"] == colour["non-voting"]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("-f", "html", "--map", "vote"), ("--map draws a map alone", "--format svg")),
        (("-f", "svg", "--map", "sponsors", "3"), ("'3' is a vote", "--map vote 3")),
        (("-f", "svg", "--map", "world"), ("Unknown map 'world'", "--map sponsors")),
        (("-f", "svg", "--map", "vote", "2"), ("has no ballots (without a vote)",)),
        (("-f", "svg", "--map", "vote"), ("No recorded vote with ballots",)),
        (("-f", "svg", "--map", "vote", "999"), ("No vote with id 999",)),
    ],
)
def test_bad_map_exports_are_refused_and_write_nothing(cli, tmp_path, args, fragments):
    out = tmp_path / "maps" / "map.svg"
    out.parent.mkdir()
    assert_refused(cli("report", "export", *args, "-o", str(out)), *fragments)
    assert list(out.parent.iterdir()) == []
