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
    assert len(ballots) == _count(rich_cli, "ballots") == 7 * 25  # seven fictional votes of 25
    assert set(ballots[0]) == {"vote_id", "iso3", "name", "choice", "explanation"}
    votes = list(csv.DictReader((folder / "votes.csv").read_text("utf-8").splitlines()))
    assert "tally" not in votes[0] and "official_members" in votes[0]
    amendment = next(v for v in votes if v["symbol"] == "A/FIC/L.99")
    assert (amendment["yes"], amendment["no"], amendment["majority"]) == ("8", "11", "two-thirds")
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


@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_a_failure_half_way_leaves_nothing(store, tmp_path, monkeypatch, fmt):
    from cahtracker import report

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(
        report, "write_csv_folder" if fmt == "csv" else "render_text", broken, raising=True
    )
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
    chart = vote_chart({"tally": tally, "majority": majority})
    assert chart["rule"].endswith(f": {needed} yes")
    assert chart["passes"] is passes
    total = sum(tally.values())
    assert chart["line_x"] == round(chart["left"] + chart["bar_w"] * needed / total, 1)
    assert [s["label"] for s in chart["segments"]] == [
        f"Yes {yes}",
        f"No {no}",
        "Abstain 5",
        "Non-voting 1",
    ]


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
