"""`position`: stances as dated events, the derived current picture, the matrix, topics."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_refused, markdown_text


def as_json(result) -> list[dict]:
    return json.loads(result.stdout)


def by_iso3(rows: list[dict]) -> dict[str, dict]:
    return {r["iso3"]: r for r in rows}


# --- seeded data ---------------------------------------------------------------------------


# The seed's stances (data/cah_positions.csv; data/CAH_CURATION_2026-12.md lists every row):
# 75 rows of 49 states. The figures below are counted from the curation's tables by hand.
TREATY_STATES = {
    *("RUS", "GMB", "MEX", "CZE", "CPV", "PER", "ARG", "BOL", "BRA", "CHL", "COL", "CRI"),
    *("SLV", "GTM", "HND", "PAN", "URY", "FSM", "MNE", "SRB", "ALB", "UKR", "MDA", "BIH"),
    *("GEO", "LIE", "MCO", "SMR", "GBR", "USA", "IRL", "MKD", "ARM", "CYP", "VAT", "CHN"),
}
POSITION_KEYS = {
    *("id", "iso3", "name", "topic", "stance", "date", "date_precision", "source"),
    *("source_kind", "unsourced", "quote", "quote_kind", "note"),
}


def test_seeded_treaty_positions_with_sources_and_their_kinds(cli):
    listed = as_json(cli.ok("position", "list", "--topic", "treaty", "-f", "json"))
    assert {r["iso3"] for r in listed} == TREATY_STATES and len(TREATY_STATES) == 36
    assert all(set(r) == POSITION_KEYS for r in listed)
    # two sources of the same day stay side by side, in the order recorded
    russia = [r for r in listed if r["iso3"] == "RUS"]
    assert [(r["stance"], r["date"], r["source_kind"]) for r in russia] == [
        ("oppose", "2024-11-22", "un-record"),
        ("oppose", "2024-11-22", "press"),
    ]
    assert "GA/L/3738" in russia[0]["source"] and "ahram.org.eg" in russia[1]["source"]
    assert [r["quote_kind"] for r in russia] == ["paraphrase", "verbatim"]
    rows = by_iso3(listed)
    assert (rows["GMB"]["quote_kind"], rows["GMB"]["source_kind"]) == ("verbatim", "un-record")
    assert "Mexico SRE Press Release No. 028" in rows["MEX"]["source"]
    assert (rows["MEX"]["date"], rows["MEX"]["source_kind"]) == ("2024-11-23", "secondary")
    assert (rows["CZE"]["date_precision"], rows["CZE"]["source_kind"]) == ("on-or-before", "ngo")
    assert (rows["GBR"]["quote_kind"], rows["GBR"]["source_kind"]) == ("translation", "press")
    assert set(rows["RUS"]) == {
        *("id", "iso3", "name", "topic", "stance", "date", "date_precision"),
        *("source", "source_kind", "unsourced", "quote", "quote_kind", "note"),
    }
    assert not any(r["unsourced"] for r in rows.values())
    assert rows["RUS"]["name"] == "Russian Federation"
    table = cli.ok("position", "list", "--topic", "treaty", "--wide").stdout  # every column
    assert "Source kind" in table and "Quote kind" in table and "secondary" in table
    assert "37 stances of 36 states and topics" in table
    for fmt in ("csv", "markdown"):
        text = cli.ok("position", "list", "--topic", "treaty", "-f", fmt).stdout
        assert "source_kind" in text.splitlines()[0] or "Source kind" in text
        assert "paraphrase" in text and "un-record" in text


def test_seeded_position_history_keeps_every_source(cli):
    mexico = as_json(cli.ok("position", "history", "Mexico", "-t", "treaty", "-f", "json"))
    # GA/L/3720 twice (its own statement, and Peru's for 12 Latin American states), then SRE
    assert [(r["date"], r["quote_kind"], r["source_kind"]) for r in mexico] == [
        ("2024-10-10", "verbatim", "un-record"),
        ("2024-10-10", "paraphrase", "un-record"),
        ("2024-11-23", "paraphrase", "secondary"),
    ]
    assert all(set(r) == POSITION_KEYS for r in mexico)
    assert "Peru" in mexico[1]["note"]


def test_seeded_gender_apartheid_shows_afghanistan(cli):
    rows = as_json(cli.ok("position", "list", "--topic", "gender-apartheid", "-f", "json"))
    assert [(r["iso3"], r["stance"], r["date"], r["date_precision"]) for r in rows] == [
        ("AFG", "support", "2024-11", "month")
    ]
    table = cli.ok("position", "list", "--topic", "gender-apartheid").stdout
    assert "Afghanistan" in table and "observerdiplomat.com" in table


def test_list_filters_by_stance_and_group(cli):
    rows = as_json(cli.ok("position", "list", "--stance", "oppose", "-f", "json"))
    # by topic (in topic order), then state: treaty (Russia's two sources), gender-definition,
    # rome-statute-definition, prepcom-bureau
    assert [(r["topic"], r["iso3"]) for r in rows] == [
        ("treaty", "RUS"),
        ("treaty", "RUS"),
        ("gender-definition", "CMR"),
        ("gender-definition", "NGA"),
        ("rome-statute-definition", "CHN"),
        ("rome-statute-definition", "IRN"),
        ("prepcom-bureau", "RUS"),
    ]
    rows = as_json(cli.ok("position", "list", "--group", "EEG", "-f", "json"))
    assert {r["iso3"] for r in rows} == {
        *("ALB", "ARM", "BIH", "CZE", "GEO", "MDA", "MKD", "MNE", "RUS", "SRB", "UKR"),
    }


def test_topics_lists_seeded_topics_with_counts(cli):
    rows = as_json(cli.ok("position", "topics", "-f", "json"))
    assert [r["slug"] for r in rows] == [
        "treaty",
        "gender-apartheid",
        "forced-marriage",
        "reproductive-violence",
        "gender-definition",
        *("slave-trade", "immunities", "rome-statute-definition", "prepcom-bureau"),
    ]
    states = {slug: r["states"] for slug, r in by_slug(rows).items()}
    assert states == {
        **{"treaty": 36, "gender-apartheid": 1, "forced-marriage": 0, "reproductive-violence": 0},
        **{"gender-definition": 11, "slave-trade": 4, "immunities": 1},
        **{"rome-statute-definition": 2, "prepcom-bureau": 1},
    }


def by_slug(rows):
    return {r["slug"]: r for r in rows}


# the treaty stances whose source is a UN record or a government (counted by hand from
# CAH_CURATION_2026-12.md): the states whose latest official stance is on treaty
OFFICIAL_TREATY_STATES = {
    *("GMB", "RUS", "MEX", "CPV", "PER", "ARG", "BOL", "BRA", "CHL", "COL", "CRI", "SLV"),
    *("GTM", "HND", "PAN", "URY", "FSM", "MKD", "MNE", "SRB", "MDA", "BIH", "GEO", "ARM"),
    *("MCO", "SMR", "CYP", "VAT"),
}


def test_official_only_keeps_un_records_and_governments(cli):
    rows = as_json(cli.ok("position", "list", "-t", "treaty", "--official-only", "-f", "json"))
    assert {r["iso3"] for r in rows} == OFFICIAL_TREATY_STATES and len(rows) == 29
    assert {r["source_kind"] for r in rows} == {"un-record", "government"}
    mine = by_iso3(rows)
    # Mexico's latest (a press-release site) is not official: its GA/L/3720 rows decide
    assert [r["date"] for r in rows if r["iso3"] == "MEX"] == ["2024-10-10", "2024-10-10"]
    assert mine["MNE"]["date"] == "2025-10-13"  # the EEAS page, not the later mirror copy
    assert [r["source_kind"] for r in rows if r["iso3"] == "RUS"] == ["un-record"]
    assert not {"CZE", "GBR", "USA", "IRL", "CHN", "UKR", "LIE", "ALB"} & set(mine)
    table = cli.ok("position", "matrix", "-t", "treaty", "--official-only").stdout
    assert "official sources only" in table
    assert "treaty: 26 support, 1 oppose, 1 mixed, 0 undecided (28 states)" in table
    matrix = as_json(cli.ok("position", "matrix", "--official-only", "-f", "json"))
    assert "CHN" not in {r["iso3"] for r in matrix}  # none of China's sources is official
    # a stance recorded without a kind is not official
    cli.ok("position", "set", "Ecuador", "-t", "treaty", "-s", "support", "--date", "2025-06-01",
           "--source", "fictional record")  # fmt: skip
    rows = as_json(cli.ok("position", "list", "-t", "treaty", "--official-only", "-f", "json"))
    assert "ECU" not in {r["iso3"] for r in rows}


def test_set_records_the_source_and_quote_kinds(cli):
    cli.ok("position", "set", "Ecuador", "-t", "treaty", "-s", "support", "--date", "2025-06-01",
           "--source", "fictional statement", "--source-kind", "Government",
           "--quote", "fictional words", "--quote-kind", "translation")  # fmt: skip
    rows = by_iso3(as_json(cli.ok("position", "list", "-t", "treaty", "-f", "json")))
    assert (rows["ECU"]["source_kind"], rows["ECU"]["quote_kind"]) == ("government", "translation")
    official = as_json(cli.ok("position", "list", "-t", "treaty", "--official-only", "-f", "json"))
    assert "ECU" in {r["iso3"] for r in official}


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--source", "x", "--source-kind", "blog"], "Unknown source kind 'blog'"),
        (["--quote", "x", "--quote-kind", "gist"], "Unknown quote kind 'gist'"),
        (["--source-kind", "press"], "give --source too"),
        (["--quote-kind", "verbatim"], "give --quote too"),
    ],
)
def test_set_refuses_bad_kinds(cli, unchanged, extra, fragment):
    with unchanged():
        result = cli(
            "position", "set", "Ecuador", "-t", "treaty", "-s", "support", "--date", "today",
            *(extra if "--source" in extra else [*extra, "--unsourced"]),
        )  # fmt: skip
    assert_refused(result, fragment)
    assert len(result.output.strip().splitlines()) == 1


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
    history = as_json(
        cli.ok("position", "history", "Brazil", "-t", "forced-marriage", "-f", "json")
    )
    assert [(r["stance"], r["date"], r["quote"]) for r in history] == [
        ("undecided", "2024-10-01", None),
        ("support", "2025-03-03", "We now agree"),
    ]


def test_history_is_oldest_first_even_when_entered_out_of_order(cli):
    topic = "reproductive-violence"
    cli.ok(
        "position",
        "set",
        "Chile",
        "-t",
        topic,
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
        topic,
        "-s",
        "mixed",
        "--date",
        "2023-05-01",
        "--unsourced",
    )
    history = as_json(cli.ok("position", "history", "CHL", "--topic", topic, "-f", "json"))
    assert [r["stance"] for r in history] == ["mixed", "support"]
    # the stance dated later wins, whatever the order of entry
    rows = by_iso3(as_json(cli.ok("position", "list", "-t", topic, "-f", "json")))
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
    # the matrix shows the last entered; the list keeps both, side by side, in entry order
    matrix = by_iso3(as_json(cli.ok("position", "matrix", "-t", "treaty", "-f", "json")))
    assert matrix["PER"]["stances"]["treaty"] == "mixed"
    rows = as_json(cli.ok("position", "list", "-t", "treaty", "-f", "json"))
    assert [r["stance"] for r in rows if r["iso3"] == "PER"] == ["oppose", "mixed"]


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
        "-t", "reproductive-violence", "-s", "mixed", "--date", "2024-11-20", "--unsourced",
    )  # fmt: skip
    assert "Trinidad and Tobago (TTO)" in result.stdout
    rows = as_json(cli.ok("position", "list", "-t", "reproductive-violence", "-f", "json"))
    assert sorted(r["iso3"] for r in rows) == ["FIN", "ISL", "NOR", "TTO"]
    history = as_json(
        cli.ok("position", "history", "Norway", "-t", "reproductive-violence", "-f", "json")
    )
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
    table = cli.ok("position", "history", "Norway", "--wide").stdout
    assert quote.replace("\t", " ").split()[0] in table.replace("\t", " ")
    csv_text = cli.ok("position", "list", "-t", "treaty", "-f", "csv").stdout
    if quote[0] in "=+-@":
        assert "'" + quote in csv_text.replace('"', "")  # formula neutralised
    else:
        assert quote in csv_text
    markdown = cli.ok("position", "history", "Norway", "-f", "markdown").stdout
    # rendered, the cell shows the text itself (HTML and markup as text; a tab as `\t`)
    assert quote.replace("\t", "\\t") in markdown_text(markdown)


# Text a shell can pass as one argument: any Unicode but NUL (and no lone surrogates,
# which are not text and cannot be encoded as UTF-8).
shell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)


def shows(text: str) -> bool:
    """Whether some character of `text` is drawn: a letter, number, punctuation or symbol, or
    a private or unassigned code point (a box), but for those Unicode draws blank (the
    Hangul fillers, the empty braille cell). The oracle of a blank source, apart from
    sourcing.py's list of what does not show."""
    import unicodedata

    blank = "\u115f\u1160\u3164\uffa0\u2800"
    return any(
        ch not in blank
        and (unicodedata.category(ch)[0] in "LNPS" or unicodedata.category(ch) in ("Co", "Cn"))
        for ch in text
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(quote=shell_text, source=shell_text)
def test_any_text_survives_set_then_list_json(cli, quote, source):
    # a blank source is refused (test_sources.py): that fact is recorded --unsourced
    sourced = (f"--source={source}",) if shows(source) else ("--unsourced",)
    cli.ok("position", "set", "MLT", "-t", "reproductive-violence", "-s", "mixed",
           f"--quote={quote}", *sourced, "--date", "today")  # fmt: skip
    rows = by_iso3(as_json(cli.ok("position", "list", "-t", "reproductive-violence", "-f", "json")))
    # same date (today), so the last entered is the latest
    assert rows["MLT"]["quote"] == quote
    assert rows["MLT"]["source"] == (source if shows(source) else None)
    assert rows["MLT"]["unsourced"] is not shows(source)


# --- topics --------------------------------------------------------------------------------


def test_topic_add_then_set_on_it(cli, store):
    # a fictional topic, in this test's temporary database
    cli.ok("position", "topic-add", "universal-jurisdiction", "--title", "Universal jurisdiction",
           "--description", "A fictional topic")  # fmt: skip
    cli.ok("position", "set", "Norway", "-t", "Universal-Jurisdiction", "-s", "oppose",
           "--date", "2025-04-01", "--unsourced")  # fmt: skip
    rows = as_json(cli.ok("position", "list", "-t", "universal-jurisdiction", "-f", "json"))
    assert [(r["iso3"], r["stance"]) for r in rows] == [("NOR", "oppose")]
    logged = store.query("SELECT command, row_key FROM changes WHERE table_name = 'topics'")
    assert logged == [{"command": "position topic-add", "row_key": "universal-jurisdiction"}]


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
    assert len(rows) == 49 and TREATY_STATES <= set(rows)  # every state with a seeded stance
    assert rows["RUS"]["stances"]["treaty"] == "oppose"
    assert rows["RUS"]["stances"]["gender-apartheid"] == "oppose"
    assert rows["RUS"]["stances"]["prepcom-bureau"] == "oppose"
    assert rows["AFG"]["stances"]["treaty"] is None
    assert (rows["CHN"]["stances"]["treaty"], rows["VAT"]["stances"]["treaty"]) == ("mixed",) * 2
    table = cli.ok("position", "matrix").stdout
    assert "Legend:" in table and "✔ support" in table and "✘ oppose" in table
    # the latest stance of each of the 36 states: all support but Russia, China, the Holy See
    assert "treaty: 33 support, 1 oppose, 2 mixed, 0 undecided (36 states)" in table
    assert "gender-apartheid: 1 support, 1 oppose" in table


def test_matrix_as_of_group_topic_and_all(cli):
    # Ecuador has no seeded stance
    cli.ok(
        "position",
        "set",
        "Ecuador",
        "-t",
        "treaty",
        "-s",
        "mixed",
        "--date",
        "2025-06-01",
        "--unsourced",
    )
    rows = by_iso3(as_json(cli.ok("position", "matrix", "--as-of", "2025-01-01", "-f", "json")))
    assert "ECU" not in rows
    rows = by_iso3(as_json(cli.ok("position", "matrix", "-g", "GRULAC", "-f", "json")))
    assert set(rows) == {
        *("ARG", "BOL", "BRA", "CHL", "COL", "CRI", "SLV", "GTM", "HND", "MEX", "PAN", "PER"),
        *("URY", "ECU"),
    }
    csv_text = cli.ok("position", "matrix", "-t", "treaty", "-g", "GRULAC", "-f", "csv").stdout
    lines = csv_text.strip().splitlines()
    assert lines[0] == "iso3,name,regional_group,treaty"
    assert "ECU,Ecuador,Latin American and Caribbean,mixed" in lines
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
