"""`position`: stances as dated events, the derived current picture, the matrix, topics."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_refused


def as_json(result) -> list[dict]:
    return json.loads(result.stdout)


def by_iso3(rows: list[dict]) -> dict[str, dict]:
    return {r["iso3"]: r for r in rows}


# --- seeded data ---------------------------------------------------------------------------


def test_seeded_treaty_positions_with_sources(cli):
    rows = by_iso3(as_json(cli.ok("position", "list", "--topic", "treaty", "-f", "json")))
    assert {k: r["stance"] for k, r in rows.items()} == {
        "RUS": "oppose",
        "GMB": "support",
        "MEX": "support",
        "CZE": "support",
    }
    assert "GA/L/3738" in rows["RUS"]["source"]
    assert "GA/L/3738" in rows["GMB"]["source"]
    assert "Mexico SRE Press Release No. 028" in rows["MEX"]["source"]
    assert rows["CZE"]["date_precision"] == "on-or-before"
    assert set(rows["RUS"]) == {
        "id",
        "iso3",
        "name",
        "topic",
        "stance",
        "date",
        "date_precision",
        "source",
        "unsourced",
        "quote",
    }
    assert not any(r["unsourced"] for r in rows.values())
    assert rows["RUS"]["name"] == "Russian Federation"


def test_seeded_gender_apartheid_shows_afghanistan(cli):
    rows = as_json(cli.ok("position", "list", "--topic", "gender-apartheid", "-f", "json"))
    assert [(r["iso3"], r["stance"], r["date"], r["date_precision"]) for r in rows] == [
        ("AFG", "support", "2024-11", "month")
    ]
    table = cli.ok("position", "list", "--topic", "gender-apartheid").stdout
    assert "Afghanistan" in table and "observerdiplomat.com" in table


def test_list_filters_by_stance_and_group(cli):
    rows = as_json(cli.ok("position", "list", "--stance", "oppose", "-f", "json"))
    assert [r["iso3"] for r in rows] == ["RUS"]
    rows = as_json(cli.ok("position", "list", "--group", "EEG", "-f", "json"))
    assert sorted(r["iso3"] for r in rows) == ["CZE", "RUS"]


def test_topics_lists_seeded_topics_with_counts(cli):
    rows = as_json(cli.ok("position", "topics", "-f", "json"))
    assert [r["slug"] for r in rows] == [
        "treaty",
        "gender-apartheid",
        "forced-marriage",
        "reproductive-violence",
        "gender-definition",
    ]
    assert by_slug(rows)["treaty"]["states"] == 4


def by_slug(rows):
    return {r["slug"]: r for r in rows}


# --- history, supersession, as-of ----------------------------------------------------------


def test_later_stance_supersedes_and_as_of_gives_the_earlier(cli):
    cli.ok(
        "position", "set", "Brazil", "--topic", "forced-marriage", "--stance", "undecided",
        "--date", "2024-10-01", "--source", "fictional record A",
    )  # fmt: skip
    cli.ok(
        "position", "set", "BRA", "--topic", "forced-marriage", "--stance", "support",
        "--date", "3 March 2025", "--source", "fictional record B", "--quote", "We now agree",
    )  # fmt: skip
    now = as_json(cli.ok("position", "list", "--topic", "forced-marriage", "-f", "json"))
    assert [(r["iso3"], r["stance"], r["date"]) for r in now] == [("BRA", "support", "2025-03-03")]
    before = as_json(
        cli.ok(
            "position", "list", "--topic", "forced-marriage", "--as-of", "2025-01-01", "-f", "json"
        )
    )
    assert [(r["stance"], r["source"]) for r in before] == [("undecided", "fictional record A")]
    earlier = as_json(
        cli.ok("position", "list", "--topic", "forced-marriage", "--as-of", "2024-09", "-f", "json")
    )
    assert earlier == []
    history = as_json(cli.ok("position", "history", "Brazil", "-f", "json"))
    assert [(r["stance"], r["date"], r["quote"]) for r in history] == [
        ("undecided", "2024-10-01", None),
        ("support", "2025-03-03", "We now agree"),
    ]


def test_history_is_oldest_first_even_when_entered_out_of_order(cli):
    cli.ok(
        "position",
        "set",
        "Chile",
        "-t",
        "treaty",
        "-s",
        "support",
        "--date",
        "2024-12-01",
        "--unsourced",
    )
    cli.ok(
        "position",
        "set",
        "Chile",
        "-t",
        "treaty",
        "-s",
        "mixed",
        "--date",
        "2023-05-01",
        "--unsourced",
    )
    history = as_json(cli.ok("position", "history", "CHL", "--topic", "treaty", "-f", "json"))
    assert [r["stance"] for r in history] == ["mixed", "support"]
    # the stance dated later wins, whatever the order of entry
    rows = by_iso3(as_json(cli.ok("position", "list", "-t", "treaty", "-f", "json")))
    assert rows["CHL"]["stance"] == "support"


def test_same_date_ties_go_to_the_last_entered(cli):
    cli.ok(
        "position",
        "set",
        "Peru",
        "-t",
        "treaty",
        "-s",
        "oppose",
        "--date",
        "2025-01-01",
        "--unsourced",
    )
    cli.ok(
        "position",
        "set",
        "Peru",
        "-t",
        "treaty",
        "-s",
        "mixed",
        "--date",
        "2025-01-01",
        "--unsourced",
    )
    rows = by_iso3(as_json(cli.ok("position", "list", "-t", "treaty", "-f", "json")))
    assert rows["PER"]["stance"] == "mixed"


def test_unknown_date_counts_at_every_date_and_yields_to_dated(cli):
    cli.ok(
        "position",
        "set",
        "Kenya",
        "-t",
        "treaty",
        "-s",
        "undecided",
        "--date",
        "unknown",
        "--unsourced",
    )
    rows = by_iso3(
        as_json(cli.ok("position", "list", "-t", "treaty", "--as-of", "1990-01-01", "-f", "json"))
    )
    assert rows["KEN"]["stance"] == "undecided"
    assert rows["KEN"]["date"] is None and rows["KEN"]["date_precision"] == "unknown"
    cli.ok(
        "position",
        "set",
        "Kenya",
        "-t",
        "treaty",
        "-s",
        "support",
        "--date",
        "2020-01-01",
        "--unsourced",
    )
    rows = by_iso3(as_json(cli.ok("position", "list", "-t", "treaty", "-f", "json")))
    assert rows["KEN"]["stance"] == "support"


def test_set_without_date_uses_today(cli, monkeypatch):
    monkeypatch.setenv("CAHTRACKER_TODAY", "2031-02-03")
    cli.ok(
        "position",
        "set",
        "Ghana",
        "-t",
        "treaty",
        "-s",
        "support",
        "--unsourced",
        "--date",
        "today",
    )
    rows = as_json(cli.ok("position", "history", "Ghana", "-f", "json"))
    assert [(r["date"], r["date_precision"]) for r in rows] == [("2031-02-03", "day")]


def test_set_accepts_several_states_and_un_style_lists(cli):
    result = cli.ok(
        "position", "set", "Norway, Iceland and Trinidad and Tobago", "FIN", "Norway",
        "-t", "gender-definition", "-s", "mixed", "--date", "2024-11-20", "--unsourced",
    )  # fmt: skip
    assert "Trinidad and Tobago (TTO)" in result.stdout
    rows = as_json(cli.ok("position", "list", "-t", "gender-definition", "-f", "json"))
    assert sorted(r["iso3"] for r in rows) == ["FIN", "ISL", "NOR", "TTO"]
    history = as_json(cli.ok("position", "history", "Norway", "-f", "json"))
    assert len(history) == 1  # a state named twice is recorded once


def test_set_logs_each_row_in_changes(cli, store):
    cli.ok(
        "position",
        "set",
        "Norway",
        "Chile",
        "-t",
        "treaty",
        "-s",
        "support",
        "--date",
        "2025",
        "--unsourced",
    )
    logged = store.query(
        "SELECT command, table_name, before, after FROM changes WHERE table_name = 'positions'"
    )
    assert [r["command"] for r in logged] == ["position set", "position set"]
    assert all(r["before"] is None for r in logged)
    assert [json.loads(r["after"])["iso3"] for r in logged] == ["NOR", "CHL"]
    assert json.loads(logged[0]["after"])["date_precision"] == "year"


# --- refusals: one line, exit 1, database unchanged ----------------------------------------


SET = ("position", "set", "--unsourced")  # the refusals below are for another reason
TODAY = ("--date", "today")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            [*SET, "Norway", "-t", "immunity", "-s", "support", *TODAY],
            ["Unknown topic 'immunity'", "treaty, gender-apartheid, forced-marriage"],
        ),
        (
            [*SET, "Norway", "-t", "treaty", "-s", "maybe", *TODAY],
            ["Unknown stance 'maybe'", "support, oppose, mixed, undecided"],
        ),
        (
            [*SET, "Norway", "Rusia", "-t", "treaty", "-s", "oppose", *TODAY],
            ["Unknown state 'Rusia'", "Russian Federation (RUS)"],
        ),
        (
            [*SET, "Norway, Narnia and Chile", "-t", "treaty", "-s", "oppose", *TODAY],
            ["Unknown state 'Narnia'"],
        ),
        (
            [*SET, "Norway", "-t", "treaty", "-s", "oppose", "--date", "03/04/2024"],
            ["Ambiguous date '03/04/2024'"],
        ),
        (
            [*SET, "Norway", "-t", "treaty", "-s", "oppose", "--date", "2024-02-30"],
            ["Impossible date"],
        ),
        (["position", "list", "-t", "nope"], ["Unknown topic 'nope'", "treaty"]),
        (["position", "list", "-s", "pro"], ["Unknown stance 'pro'"]),
        (["position", "list", "--as-of", "soon"], ["Unrecognised date 'soon'"]),
        (["position", "list", "--group", "Mars"], ["Unknown regional group 'Mars'"]),
        (["position", "history", "Atlantis"], ["Unknown state 'Atlantis'"]),
        (["position", "history", "Norway", "-t", "x"], ["Unknown topic 'x'"]),
        (["position", "matrix", "-t", "treaty", "-t", "x"], ["Unknown topic 'x'"]),
        (["position", "topic-add", "treaty", "--title", "Again"], ["already exists"]),
        (["position", "topic-add", "Bad Slug", "--title", "T"], ["Invalid topic slug"]),
        (["position", "topic-add", "ok-slug", "--title", "  "], ["Empty topic title"]),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(cli, unchanged, args, fragments):
    with unchanged():
        result = cli(*args)
    assert_refused(result, *fragments)
    assert len(result.output.strip().splitlines()) == 1


def test_missing_stance_option_is_a_usage_error(cli, unchanged):
    with unchanged():
        result = cli("position", "set", "Norway", "-t", "treaty", "--unsourced", "--date", "today")
    assert result.exit_code == 2


# --- verbatim text -------------------------------------------------------------------------

ODD_QUOTES = ["[/oops]", "=1+1", "<script>alert(1)</script>", "[bold]x[/bold]", "-@+\ttab"]


@pytest.mark.parametrize("quote", ODD_QUOTES)
def test_odd_quotes_are_stored_and_shown_verbatim_in_every_format(cli, quote):
    cli.ok("position", "set", "Norway", "-t", "treaty", "-s", "support", f"--quote={quote}",
           f"--source={quote}", "--date", "today")  # fmt: skip
    rows = by_iso3(as_json(cli.ok("position", "list", "-t", "treaty", "-f", "json")))
    assert rows["NOR"]["quote"] == quote and rows["NOR"]["source"] == quote
    table = cli.ok("position", "history", "Norway").stdout
    assert quote.replace("\t", " ").split()[0] in table.replace("\t", " ")
    csv_text = cli.ok("position", "list", "-t", "treaty", "-f", "csv").stdout
    if quote[0] in "=+-@":
        assert "'" + quote in csv_text.replace('"', "")  # formula neutralised
    else:
        assert quote in csv_text
    markdown = cli.ok("position", "history", "Norway", "-f", "markdown").stdout
    shown = quote.split("\t")[0].replace("|", "\\|").replace("&", "&amp;")
    assert shown.replace("<", "&lt;").replace(">", "&gt;") in markdown  # HTML as text


# Text a shell can pass as one argument: any Unicode but NUL (and no lone surrogates,
# which are not text and cannot be encoded as UTF-8).
shell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(quote=shell_text, source=shell_text)
def test_any_text_survives_set_then_list_json(cli, quote, source):
    # a blank source is refused (test_sources.py): that fact is recorded --unsourced
    sourced = (f"--source={source}",) if source.strip() else ("--unsourced",)
    cli.ok("position", "set", "MLT", "-t", "reproductive-violence", "-s", "mixed",
           f"--quote={quote}", *sourced, "--date", "today")  # fmt: skip
    rows = by_iso3(as_json(cli.ok("position", "list", "-t", "reproductive-violence", "-f", "json")))
    # same date (today), so the last entered is the latest
    assert rows["MLT"]["quote"] == quote
    assert rows["MLT"]["source"] == (source if source.strip() else None)
    assert rows["MLT"]["unsourced"] is not bool(source.strip())


# --- topics --------------------------------------------------------------------------------


def test_topic_add_then_set_on_it(cli, store):
    cli.ok("position", "topic-add", "immunities", "--title", "Immunities",
           "--description", "Official immunities")  # fmt: skip
    cli.ok(
        "position",
        "set",
        "Norway",
        "-t",
        "Immunities",
        "-s",
        "oppose",
        "--date",
        "2025-04-01",
        "--unsourced",
    )
    rows = as_json(cli.ok("position", "list", "-t", "immunities", "-f", "json"))
    assert [(r["iso3"], r["stance"]) for r in rows] == [("NOR", "oppose")]
    logged = store.query("SELECT command, row_key FROM changes WHERE table_name = 'topics'")
    assert logged == [{"command": "position topic-add", "row_key": "immunities"}]


# --- matrix --------------------------------------------------------------------------------


def test_matrix_json_and_counts(cli):
    cli.ok(
        "position",
        "set",
        "Russia",
        "-t",
        "gender-apartheid",
        "-s",
        "oppose",
        "--date",
        "2025-01",
        "--unsourced",
    )
    rows = by_iso3(as_json(cli.ok("position", "matrix", "-f", "json")))
    assert set(rows) == {"AFG", "CZE", "GMB", "MEX", "RUS"}
    assert rows["RUS"]["stances"]["treaty"] == "oppose"
    assert rows["RUS"]["stances"]["gender-apartheid"] == "oppose"
    assert rows["AFG"]["stances"]["treaty"] is None
    table = cli.ok("position", "matrix").stdout
    assert "Legend:" in table and "✔ support" in table and "✘ oppose" in table
    assert "treaty: 3 support, 1 oppose, 0 mixed, 0 undecided (4 states)" in table
    assert "gender-apartheid: 1 support, 1 oppose" in table


def test_matrix_as_of_group_topic_and_all(cli):
    cli.ok(
        "position",
        "set",
        "Chile",
        "-t",
        "treaty",
        "-s",
        "mixed",
        "--date",
        "2025-06-01",
        "--unsourced",
    )
    rows = by_iso3(as_json(cli.ok("position", "matrix", "--as-of", "2025-01-01", "-f", "json")))
    assert "CHL" not in rows
    rows = by_iso3(as_json(cli.ok("position", "matrix", "-g", "GRULAC", "-f", "json")))
    assert set(rows) == {"CHL", "MEX"}
    csv_text = cli.ok("position", "matrix", "-t", "treaty", "-g", "GRULAC", "-f", "csv").stdout
    lines = csv_text.strip().splitlines()
    assert lines[0] == "iso3,name,regional_group,treaty"
    assert "CHL,Chile,Latin American and Caribbean,mixed" in lines
    everyone = as_json(cli.ok("position", "matrix", "--all", "-g", "GRULAC", "-f", "json"))
    assert len(everyone) == 33
    markdown = cli.ok("position", "matrix", "-f", "markdown").stdout
    assert "| RUS | Russian Federation | Eastern European | oppose |" in markdown


def test_matrix_terminal_symbols(cli):
    cli.ok(
        "position",
        "set",
        "Chile",
        "-t",
        "treaty",
        "-s",
        "undecided",
        "--date",
        "2025-06-01",
        "--unsourced",
    )
    cli.ok(
        "position",
        "set",
        "Peru",
        "-t",
        "treaty",
        "-s",
        "mixed",
        "--date",
        "2025-06-01",
        "--unsourced",
    )
    out = cli.ok("position", "matrix", "-t", "treaty").stdout
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if "│" in line}
    assert "?" in lines["CHL"] and "±" in lines["PER"] and "✘" in lines["RUS"]


def test_matrix_colours_stances_on_a_colour_terminal(cli, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    cli.ok(
        "position",
        "set",
        "Chile",
        "-t",
        "treaty",
        "-s",
        "mixed",
        "--date",
        "2025-06-01",
        "--unsourced",
    )
    out = cli.ok("position", "matrix", "-t", "treaty").stdout
    assert "\x1b[32m" in out and "\x1b[31m" in out and "\x1b[33m" in out
    rus = next(line for line in out.splitlines() if "RUS" in line)
    assert "\x1b[31m" in rus and "✘" in rus
