"""`sponsors` through the CLI: list, add, withdraw, as-of, history, count, claim, import."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import ROOT, assert_refused

SPONSOR_KEYS = [
    "iso3",
    "name",
    "regional_group",
    "role",
    "joined_on",
    "date_precision",
    "joined_after",
    "listed_as",
    "source",
    "source_kind",
    "unsourced",
    "inherited_from",
]
REV1 = "A/C.6/79/L.2/Rev.1"


def sponsors(cli, *args: str) -> list[dict]:
    return json.loads(cli.ok("sponsors", "list", "-f", "json", *args).stdout)


def iso3s(cli, *args: str) -> list[str]:
    return [r["iso3"] for r in sponsors(cli, *args)]


def change_count(cli) -> int:
    conn = sqlite3.connect(cli.db)
    try:
        return conn.execute("SELECT count(*) FROM changes").fetchone()[0]
    finally:
        conn.close()


# --- the seeded picture ----------------------------------------------------------------


def test_seeded_rev1_sponsors_are_inherited_from_l2_and_exclude_amendment_sponsors(cli):
    rows = sponsors(cli)
    assert [list(r) for r in rows] == [SPONSOR_KEYS] * 3
    assert [(r["iso3"], r["role"]) for r in rows] == [
        ("GMB", "main"),
        ("MEX", "main"),
        ("CZE", "co"),
    ]
    assert {r["inherited_from"] for r in rows} == {"A/C.6/79/L.2"}
    assert rows[1]["joined_on"] == "2024-07" and rows[1]["date_precision"] == "month"
    assert rows[2]["date_precision"] == "on-or-before"
    assert not {"PRK", "NIC", "RUS"} & set(iso3s(cli))
    # the amendments have their own sponsors, inherited by nobody
    assert sorted(iso3s(cli, "--doc", "A/C.6/79/L.20")) == ["NIC", "PRK", "RUS"]


def test_list_table_shows_precision_and_group_footer(cli):
    out = cli.ok("sponsors", "list", "--wide").stdout
    assert "Sponsors of A/C.6/79/L.2/Rev.1" in out
    # the precision is in the date cell (dates.date_cell): Czechia on or before 22 November
    # 2024, Mexico in July 2024 (month precision)
    assert "≤2024-11-22" in out and "│ 2024-07 " in out
    assert (
        "African: 1, Eastern European: 1, Latin American and Caribbean: 1 — 3 sponsors (2 main, 1 co)"
        in out
    )


def test_list_group_filter_and_formats(cli):
    assert iso3s(cli, "--group", "GRULAC") == ["MEX"]
    csv_out = cli.ok("sponsors", "list", "-f", "csv").stdout.splitlines()
    assert csv_out[0] == ",".join(SPONSOR_KEYS) and len(csv_out) == 4
    md = cli.ok("sponsors", "list", "-f", "markdown").stdout
    assert "| Czechia |" in md
    assert_refused(cli("sponsors", "list", "--group", "Atlantis"), "Unknown regional group")


def test_seeded_count_against_claims(cli):
    data = json.loads(cli.ok("sponsors", "count", "-f", "json").stdout)
    assert set(data) >= {"document", "as_of", "recorded", "by_group", "claims", "latest_claim"}
    assert data["document"] == REV1 and data["as_of"] is None and data["recorded"] == 3
    assert data["by_group"]["African"] == 1 and data["by_group"]["Asia-Pacific"] == 0
    # data/cah_count_claims.csv: L.2's three, then Rev.1's 98 (Gambia MFA; AP), 99 (Mexico SRE,
    # 2024-11-23) and 99 (FIDH, on or before 2024-11-27): counts that agree stay apart too
    assert [c["count"] for c in data["claims"]] == [63, 86, 94, 98, 98, 99, 99]
    assert all(set(c) >= {"count", "date", "source", "source_kind"} for c in data["claims"])
    assert [c["source_kind"] for c in data["claims"]] == [
        *("ngo", "un-record", "press", "press", "press", "secondary", "ngo"),
    ]
    assert data["claims"][0]["date"] is None  # undated first; never the latest
    assert data["latest_claim"]["count"] == 99
    assert "fidh.org" in data["latest_claim"]["source"]
    table = cli.ok("sponsors", "count", "--wide").stdout  # every column; footers not wrapped
    assert "3 recorded of 99 reported on or before 2024-11-27 (fidh.org" in table
    assert "Source kind" in table and "secondary" in table


def test_count_as_of_and_on_the_original_draft(cli):
    data = json.loads(cli.ok("sponsors", "count", "--as-of", "2024-11-22", "-f", "json").stdout)
    assert [c["count"] for c in data["claims"]] == [63, 86, 94, 98, 98]
    assert data["latest_claim"]["count"] == 98 and data["as_of"] == "2024-11-22"
    data = json.loads(cli.ok("sponsors", "count", "--doc", "A/C.6/79/L.2", "-f", "json").stdout)
    assert [c["count"] for c in data["claims"]] == [63, 86, 94]  # a revision's claims stay its own


# --- add, withdraw, as-of ----------------------------------------------------------------


def test_add_un_style_list_records_events_with_date_and_source(cli):
    out = cli.ok(
        "sponsors",
        "add",
        "Albania, Andorra and Zambia",
        "--date",
        "20 November 2024",
        "--source",
        "A/C.6/79/L.2/Rev.1 p. 1",
    ).stdout
    assert "Added 3 sponsors" in out
    rows = {r["iso3"]: r for r in sponsors(cli)}
    assert {"ALB", "AND", "ZMB"} <= set(rows)
    assert rows["ALB"]["joined_on"] == "2024-11-20" and rows["ALB"]["role"] == "co"
    assert (
        rows["ALB"]["inherited_from"] is None and rows["ALB"]["source"] == "A/C.6/79/L.2/Rev.1 p. 1"
    )
    assert change_count(cli) == 3


def test_add_several_arguments_and_main_role(cli):
    cli.ok(
        "sponsors",
        "add",
        "FRA",
        "Côte d’Ivoire",
        "--role",
        "main",
        "--date",
        "2024-11-01",
        "--unsourced",
    )
    rows = {r["iso3"]: r["role"] for r in sponsors(cli)}
    assert rows["FRA"] == rows["CIV"] == "main"


def test_add_without_date_means_today(cli):
    from datetime import date

    cli.ok("sponsors", "add", "Peru", "--unsourced")
    row = next(r for r in sponsors(cli) if r["iso3"] == "PER")
    assert row["joined_on"] == date.today().isoformat() and row["date_precision"] == "day"


def test_adding_a_current_sponsor_is_a_no_op_that_says_so(cli, unchanged):
    with unchanged():
        result = cli.ok("sponsors", "add", "Mexico, Czechia", "--date", "2024-12-01", "--unsourced")
    assert "Nothing recorded: already sponsors" in result.stdout
    assert "Mexico (MEX, main since 2024-07 (month))" in result.stdout
    # before Czechia's joining date it is not yet a sponsor: that one is recorded
    out = cli.ok(
        "sponsors", "add", "Mexico", "Czechia", "--date", "2024-10-01", "--unsourced"
    ).stdout
    assert "Added 1 sponsor" in out and "Czechia (CZE)" in out and "Already a sponsor" in out


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["Rusia"], ["Unknown state 'Rusia'", "Russian Federation (RUS)"]),
        (["Albania, Atlantis and Zambia"], ["Unknown state 'Atlantis'"]),
        (["Albania, Atlantis, Freedonia and Zambia"], ["'Atlantis'", "'Freedonia'"]),
        (["Albania", "--date", "03/04/2024"], ["Ambiguous date '03/04/2024'"]),
        (["Albania", "--date", "2024-02-30"], ["Impossible date '2024-02-30'"]),
        (["Albania", "--doc", "A/C.6/79/L.99"], ["Unknown document 'A/C.6/79/L.99'"]),
    ],
)
def test_add_bad_input_is_refused_and_changes_nothing(cli, unchanged, args, fragments):
    with unchanged():
        result = cli("sponsors", "add", *args, "--unsourced")
    assert_refused(result, *fragments)
    assert len(result.output.strip().splitlines()) == 1


def test_ambiguous_name_is_refused(cli, db_path, unchanged):
    conn = sqlite3.connect(db_path)  # a fictional alias shared by two states, in the test's DB
    conn.executemany(
        "INSERT INTO state_aliases (alias, iso3) VALUES (?, ?)",
        [("Korea", "KOR"), ("Korea", "PRK")],
    )
    conn.commit()
    conn.close()
    with unchanged():
        result = cli("sponsors", "add", "Korea", "--date", "2024-11-01", "--unsourced")
    assert_refused(result, "Ambiguous state 'Korea'", "KOR", "PRK")


def test_withdraw_ends_a_sponsorship_from_its_date(cli):
    cli.ok("sponsors", "add", "Andorra", "--date", "2024-11-20", "--source", "s1")
    out = cli.ok("sponsors", "withdraw", "AND", "--date", "2024-11-25", "--source", "s2").stdout
    assert "Withdrew 1 sponsor" in out and "Andorra (AND)" in out
    assert "AND" not in iso3s(cli)
    assert "AND" in iso3s(cli, "--as-of", "2024-11-24")
    assert "AND" not in iso3s(cli, "--as-of", "2024-11-19")
    assert "AND" not in iso3s(cli, "--as-of", "2024-11-25")
    # joining again later is a new event
    cli.ok("sponsors", "add", "Andorra", "--date", "2024-12-01", "--unsourced")
    assert "AND" in iso3s(cli)


def test_withdrawing_an_inherited_sponsor_leaves_the_original_text_alone(cli):
    cli.ok("sponsors", "withdraw", "Czechia", "--date", "2024-11-23", "--unsourced")
    assert "CZE" not in iso3s(cli)
    assert "CZE" in iso3s(cli, "--doc", "A/C.6/79/L.2")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["France", "--date", "2024-11-25"], ["Cannot withdraw", "France (FRA) is not a sponsor"]),
        (["Mexico", "--date", "2024-06-30"], ["Mexico (MEX) is not a sponsor", "2024-06-30"]),
        (
            ["Mexico, France and Chile", "--date", "2024-11-25"],
            ["France (FRA), Chile (CHL) are not"],
        ),
        (["Mexico", "--date", "31/31/2024"], ["Impossible date"]),
        (["Mexico, Atlantis"], ["Unknown state 'Atlantis'"]),
    ],
)
def test_withdraw_refusals_change_nothing(cli, unchanged, args, fragments):
    with unchanged():
        result = cli("sponsors", "withdraw", *args, "--unsourced")
    assert_refused(result, *fragments)
    assert len(result.output.strip().splitlines()) == 1


def test_as_of_on_the_seed(cli):
    assert iso3s(cli, "--as-of", "2024-06-30") == []
    assert iso3s(cli, "--as-of", "15 July 2024") == ["GMB", "MEX"]
    assert iso3s(cli, "--as-of", "2024-11-22") == ["GMB", "MEX", "CZE"]
    assert_refused(cli("sponsors", "list", "--as-of", "03/04/2024"), "Ambiguous date")


# --- history, claim ----------------------------------------------------------------------


def test_history_lists_every_event_with_precision_and_source(cli):
    cli.ok("sponsors", "add", "Andorra", "--date", "November 2024", "--source", "joined-src")
    cli.ok("sponsors", "withdraw", "Andorra", "--date", "2024-11-25", "--source", "left-src")
    rows = json.loads(cli.ok("sponsors", "history", "Andorra", "-f", "json").stdout)
    assert [(r["action"], r["date"], r["date_precision"], r["source"]) for r in rows] == [
        ("joined", "2024-11", "month", "joined-src"),
        ("withdrew", "2024-11-25", "day", "left-src"),
    ]
    everything = json.loads(cli.ok("sponsors", "history", "-f", "json").stdout)
    assert [r["iso3"] for r in everything][:3] == ["MEX", "GMB", "AND"]
    assert len(everything) == 5  # the L.2 events are part of Rev.1's history
    assert "│ 2024-11 " in cli.ok("sponsors", "history", "Andorra", "--wide").stdout
    assert_refused(cli("sponsors", "history", "Atlantis"), "Unknown state 'Atlantis'")


def test_claim_is_recorded_beside_the_others(cli):
    out = cli.ok(
        "sponsors", "claim", "100", "--date", "2024-11-30", "--source", "fictional test source"
    ).stdout
    assert "100 sponsors of A/C.6/79/L.2/Rev.1" in out
    data = json.loads(cli.ok("sponsors", "count", "-f", "json").stdout)
    assert [c["count"] for c in data["claims"]] == [63, 86, 94, 98, 98, 99, 99, 100]
    assert data["latest_claim"]["source"] == "fictional test source"


def test_claim_refusals(cli, unchanged):
    with unchanged():
        assert_refused(
            cli("sponsors", "claim", "-3", "--date", "2024-11-30", "--source", "x"), code=2
        )
        assert_refused(cli("sponsors", "claim", "5", "--date", "2024-11-30"), code=2)
        assert_refused(
            cli("sponsors", "claim", "5", "--date", "2024-13-40", "--source", "x"),
            "Impossible date",
        )
        assert_refused(
            cli("sponsors", "claim", "5", "--date", "2024-11-30", "--source", " "), "source"
        )


# --- import ------------------------------------------------------------------------------


def test_import_un_style_file_with_bom_and_crlf(cli, tmp_path):
    path = tmp_path / "list.txt"
    path.write_bytes(
        "\ufeffAlbania, Andorra, Argentina, Korea, Republic of,\r\nTrinidad and Tobago and Zambia\r\n".encode()
    )
    out = cli.ok(
        "sponsors", "import", str(path), "--date", "2024-11-21", "--source", "L.2/Rev.1"
    ).stdout
    assert "Added 6 sponsors" in out
    assert {"ALB", "AND", "ARG", "KOR", "TTO", "ZMB"} <= set(iso3s(cli))
    assert change_count(cli) == 6


def test_import_one_name_a_line_from_stdin_skips_current_sponsors(cli):
    out = cli.ok(
        "sponsors",
        "import",
        "-",
        "--date",
        "2024-11-21",
        "--unsourced",
        input="Chile\nMexico\nCôte d'Ivoire\n",
    ).stdout
    assert "Added 2 sponsors" in out and "Already a sponsor" in out
    assert {"CHL", "CIV"} <= set(iso3s(cli))


def test_import_refuses_the_whole_file_naming_every_unknown_name(cli, tmp_path, unchanged):
    path = tmp_path / "list.txt"
    path.write_text("Albania, Atlantis, Andorra, Frnace and Zambia\n", encoding="utf-8")
    with unchanged():
        result = cli("sponsors", "import", str(path), "--unsourced")
    assert_refused(result, "'Atlantis'", "'Frnace'", "France (FRA)", "Nothing was recorded")
    assert len(result.output.strip().splitlines()) == 1


def test_import_reads_a_name_close_to_one_state_and_says_so(cli, tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("Albania, Rusia and Andorra\n", encoding="utf-8")
    out = cli.ok("sponsors", "import", str(path), "--date", "2024-11-21", "--unsourced").stdout
    assert "read 'Rusia' as Russian Federation" in out
    assert {"ALB", "RUS", "AND"} <= set(iso3s(cli))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(None, "No such file"), (b"\xff\xfeA\x00", "save it as UTF-8"), (b" \n\n", "is empty")],
)
def test_import_bad_files_are_refused(cli, tmp_path, unchanged, content, fragment):
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    with unchanged():
        assert_refused(cli("sponsors", "import", str(path), "--unsourced"), fragment)


def test_andorra_iso_code_before_a_final_and_is_a_name(cli):
    cli.ok("sponsors", "add", "Austria, AND and Fiji", "--date", "2024-11-20", "--unsourced")
    assert {"AUT", "AND", "FJI"} <= set(iso3s(cli))


def test_sponsors_list_path_imports_no_heavy_library(db_path):
    """The main command: no sqlite_utils or dateutil (and no dates parsed) without --as-of,
    and not the sponsor-document readers (their package costs ~4 ms to import)."""
    import subprocess
    import sys

    code = (
        "import sys; from cahtracker.cli import app\n"
        "try:\n"
        f"    app(['--db', {str(db_path)!r}, 'sponsors', 'list'], prog_name='cahtracker')\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print('HEAVY=' + ','.join(m for m in ('sqlite_utils', 'dateutil', 'jinja2',"
        " 'cahtracker.sponsor_docs') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "Czechia" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "HEAVY="


def test_add_of_a_list_with_no_names_is_refused(cli, unchanged):
    with unchanged():
        result = cli("sponsors", "add", " , ;", "--date", "2024-11-01", "--unsourced")
    assert_refused(result, "holds no state names")
