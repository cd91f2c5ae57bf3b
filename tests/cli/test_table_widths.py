"""Every listing fits the width it is given (a pipe, COLUMNS=60..200), and shows each
identifier whole. Fictional data: tests/table_data.py."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Cli
from table_data import LISTINGS, UK, at_width, build, check_identifiers, rows_of


@pytest.fixture(scope="module")
def wide_db(tmp_path_factory, _seeded_template) -> Cli:
    return build(tmp_path_factory.mktemp("widths") / "cah.db", _seeded_template)


@settings(max_examples=15, deadline=None)
@given(width=st.integers(60, 200))
@pytest.mark.parametrize("listing", list(LISTINGS), ids=" ".join)
def test_every_identifier_is_whole_at_any_width(wide_db, listing, width):
    key, identifiers = LISTINGS[listing]
    rows = rows_of(wide_db, listing, key)
    assert rows
    check_identifiers(at_width(wide_db, width, *listing), width, rows, identifiers)


def test_at_80_columns_the_rows_are_whole(wide_db):
    votes = at_width(wide_db, 80, "vote", "list")
    assert "A/C.6/79/L.2/Rev.1" in votes and "2024-11-22" in votes and "rejected" in votes
    assert "Not shown at 80 columns: Body, Method, Non-voting/absent" in votes
    docs = at_width(wide_db, 80, "docs", "list")
    for symbol in ("A/C.6/79/L.2/Rev.1", "A/C.6/79/L.20", "A/C.6/79/L.21", "A/RES/79/122"):
        assert f"│ {symbol} " in docs
    sponsors = at_width(wide_db, 80, "sponsors", "list")
    body = sponsors.split("┩\n", 1)[1].split("└", 1)[0].splitlines()
    count = len(rows_of(wide_db, ("sponsors", "list"), None))
    assert len(body) == count  # one line per sponsor
    assert any(UK in line and "2024-11-20" in line for line in body)
    assert any("Gambia" in line and "2024-07" in line for line in body)
    claims = at_width(wide_db, 80, "sponsors", "count")
    assert "│ A/C.6/79/L.2       │" in claims and "│ A/C.6/79/L.2/Rev.1 │" in claims


def test_wide_shows_every_column_in_full(wide_db):
    out = at_width(wide_db, 80, "sponsors", "list", "--wide")
    assert "fictional long source " * 5 in out and "Inherited from" in out
    assert "Not shown" not in out
    assert max(len(line) for line in out.splitlines()) > 80


def test_text_is_shortened_with_an_ellipsis_and_whole_elsewhere(wide_db):
    out = at_width(wide_db, 100, "sponsors", "list")
    assert "│ fictional long sourc… │" in out
    assert "fictional long source " * 6 not in out
    rows = rows_of(wide_db, ("sponsors", "list"), None)
    assert any(r["source"] == "fictional long source " * 6 for r in rows)


@pytest.mark.parametrize(
    "args",
    [("vote", "show", "A/FIC/L.99", "--by-group"), ("position", "matrix", "--all"),
     ("report", "tally"), ("states", "show", "GBR"), ("docs", "show", "A/C.6/79/L.2/Rev.1")],
    ids=" ".join,
)  # fmt: skip
def test_special_views_fit_80_columns(wide_db, args):
    out = at_width(wide_db, 80, *args)
    assert max(len(line) for line in out.splitlines()) <= 80, out


def test_the_matrix_numbers_its_topics_when_their_names_do_not_fit(wide_db):
    narrow = at_width(wide_db, 80, "position", "matrix")
    assert "Topics: 1 treaty; 2 gender-apartheid" in narrow
    assert all(word in narrow for word in UK.split())  # nine topics: the name may wrap
    wide = at_width(wide_db, 200, "position", "matrix")
    assert "┃ treaty ┃" in wide and "Topics:" not in wide
    for width in (80, 40):
        # the key breaks between topics, never between a topic's number and its name
        out = at_width(wide_db, width, "position", "matrix")
        start = out.index("Topics:")
        key = out[start : out.index("\n", out.index("prepcom-bureau", start))]
        assert all(len(line) <= width for line in key.splitlines()), key
        items = [item.strip() for item in key.removeprefix("Topics:").split(";")]
        assert all(re.fullmatch(r"\d+ [a-z0-9-]+", item) for item in items), [
            i for i in items if not re.fullmatch(r"\d+ [a-z0-9-]+", i)
        ]


def test_the_log_wraps_its_summaries_and_never_cuts_a_symbol(wide_db):
    """`db log` at 80 columns: each change's summary whole (wrapped between words), so the
    symbols it names are whole; JSON has the same summaries."""
    out = at_width(wide_db, 80, "db", "log", "-n", "8")
    assert max(len(line) for line in out.splitlines()) <= 80
    cells = [line.split("│")[4].strip() for line in out.splitlines() if line.count("│") == 6]
    text = " ".join(cells)
    assert "…" not in text
    for row in rows_of(wide_db, ("db", "log", "-n", "8"), None):
        assert " ".join(row["description"].split()) in text, row["description"]


def test_the_states_list_shows_each_states_group_at_80_columns(wide_db):
    """The list is of states by regional group: the group is never left out (long names
    wrap between words instead)."""
    out = at_width(wide_db, 80, "states", "list")
    assert "Regional group" in out.split("┩", 1)[0]
    assert max(len(line) for line in out.splitlines()) <= 80
    france = next(line for line in out.splitlines() if "│ FRA " in line)
    assert "Western European and Others" in france
