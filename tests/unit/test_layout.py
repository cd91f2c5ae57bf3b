"""views/layout.py: which columns a table shows at a width, and how wide (fictional cells)."""

from __future__ import annotations

import contextlib
import io
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from cahtracker.views import render
from cahtracker.views.layout import IDENTIFIER, KINDS, OPTIONAL, TEXT, WRAP, fit
from cahtracker.views.listing import Column, Listing

SYMBOL = st.from_regex(r"A/(C\.6/)?[0-9]{2}/L\.[0-9]{1,2}(/Rev\.[0-9])?", fullmatch=True)
DATE = st.from_regex(r"20[0-9]{2}(-[01][0-9](-[0-3][0-9])?)?", fullmatch=True)
NAME = st.lists(
    st.sampled_from(["United", "Kingdom", "of", "Great", "Britain", "Bolivia", "(State", "of)"]),
    min_size=1,
    max_size=8,
).map(" ".join)
COUNT = st.integers(0, 193).map(str)
IDENT = SYMBOL | DATE | NAME | COUNT | st.sampled_from(["rejected", "adopted", "withdrawn", ""])
PROSE = st.lists(st.sampled_from(["press.un.org/en/2024", "A", "long", "source", "—"]), max_size=30)
TEXTS = PROSE.map(" ".join)


def column_texts(draw_rows, n):
    return [[row[i] for row in draw_rows] for i in range(n)]


@st.composite
def tables(draw):
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=9))
    headers = [draw(st.sampled_from(["ID", "Symbol", "Date", "Regional group", "Source", ""]))
               for _ in kinds]  # fmt: skip
    rows = draw(
        st.lists(
            st.tuples(*(IDENT if k in (IDENTIFIER, OPTIONAL) else TEXTS for k in kinds)),
            max_size=6,
        )
    )
    return kinds, headers, [list(r) for r in rows]


@settings(max_examples=250, deadline=None)
@given(table=tables(), width=st.integers(20, 220))
def test_fit_keeps_identifiers_whole_and_leaves_out_the_least_useful_first(table, width):
    kinds, headers, rows = table
    columns = column_texts(rows, len(kinds))
    layout = fit(kinds, headers, columns, width)
    assert sorted(layout.shown + layout.left_out) == list(range(len(kinds)))
    assert layout.shown == sorted(layout.shown) and layout.shown
    for i, w in zip(layout.shown, layout.widths, strict=True):
        cells = [*columns[i], headers[i]]
        longest_word = max((len(word) for c in cells for word in c.split()), default=0)
        if kinds[i] in (IDENTIFIER, OPTIONAL, WRAP):
            assert w >= longest_word  # nothing is cut inside a word
        if kinds[i] == TEXT:
            assert w >= len(headers[i])  # a one-line header fits whole
    if layout.total() > width:  # only identifiers too wide to fit, at their narrowest
        assert all(kinds[i] == IDENTIFIER for i in layout.shown) or len(layout.shown) == 1
    if not layout.left_out:
        return
    # a column is left out only when every column less useful than it is left out too
    rank = {OPTIONAL: 0, TEXT: 1, WRAP: 2, IDENTIFIER: 3}
    for i in layout.left_out:
        for j in layout.shown:
            assert rank[kinds[j]] > rank[kinds[i]] or (rank[kinds[j]] == rank[kinds[i]] and j < i)


def test_the_natural_width_when_it_fits_and_no_limit_when_wide():
    kinds = [IDENTIFIER, TEXT]
    columns = [["A/C.6/79/L.2/Rev.1"], ["a source " * 10]]
    wide = fit(kinds, ["Symbol", "Source"], columns, None)
    assert wide.widths == [18, len("a source " * 10)] and not wide.left_out
    narrow = fit(kinds, ["Symbol", "Source"], columns, 60)
    assert narrow.widths[0] == 18 and narrow.total() == 60  # the text takes the rest
    tiny = fit(kinds, ["Symbol", "Source"], columns, 30)
    assert tiny.shown == [0] and tiny.left_out == [1]  # too narrow for 16 cells of text


def test_names_wrap_between_words_before_an_identifier_is_left_out():
    uk = "United Kingdom of Great Britain and Northern Ireland"
    kinds = [IDENTIFIER, IDENTIFIER, IDENTIFIER]
    columns = [[uk, "Chile"], ["2024-11-22", "2024-11-22"], ["support", "oppose"]]
    layout = fit(kinds, ["State", "Date", "Stance"], columns, 60)
    assert layout.shown == [0, 1, 2] and layout.total() == 60
    assert layout.widths[1:] == [10, 7] and layout.widths[0] < len(uk)


def printed(listing: Listing, width: int) -> str:
    stream = io.StringIO()
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        with contextlib.redirect_stdout(stream):
            render.render(listing, "table")
    finally:
        os.environ["COLUMNS"] = before or "80"
    return stream.getvalue()


@settings(max_examples=150, deadline=None)
@given(table=tables(), width=st.integers(60, 200))
def test_every_identifier_is_whole_in_the_printed_table(table, width):
    """Through the plain path (a pipe): every identifier shown is whole, on one line (a name
    that had to wrap keeps every word whole); a column left out is named below the table."""
    kinds, headers, rows = table
    columns = [Column(f"c{i}", h, kind=k) for i, (h, k) in enumerate(zip(headers, kinds, strict=True))]  # fmt: skip
    listing = Listing([{f"c{i}": v for i, v in enumerate(r)} for r in rows], columns)
    out = printed(listing, width)
    lines = out.splitlines()
    layout = render.table_fit(listing, listing.cells(), width)
    if layout.total() <= width:
        assert all(len(line) <= width for line in lines), out
    left_out = " ".join(" ".join(lines[-3:]).split()) if layout.left_out else ""  # wrapped
    for row in rows:
        for i, kind in enumerate(kinds):
            value = row[i]
            if kind not in (IDENTIFIER, OPTIONAL) or not value:
                continue
            if i in layout.left_out:
                assert headers[i] in left_out or not headers[i]
            elif " " in value and layout.widths[layout.shown.index(i)] < len(value):
                assert all(word in out for word in value.split())
            else:
                assert any(value in line for line in lines), (value, out)


def test_a_flag_in_a_column_left_out_is_named_under_the_table():
    """A source column's "(unsourced)" does not vanish with the column (fictional rows)."""
    columns = [
        Column("role", "Role"),
        Column("name", "State"),
        Column("source", "Source", kind=TEXT, flag=("(unsourced)", "Without a source")),
    ]
    rows = [
        {"role": "co", "name": "Chile", "source": "(unsourced)"},
        {"role": "co", "name": "Peru", "source": "a fictional source " * 3},
        {"role": "main", "name": "Mexico", "source": "(unsourced)"},
    ]
    narrow = " ".join(printed(Listing(rows, columns), 25).split())  # the footer wraps
    assert "Not shown at 25 columns: Source" in narrow
    assert "Without a source (unsourced): Chile, Mexico." in narrow  # named by State
    wide = printed(Listing(rows, columns), 120)
    assert wide.count("(unsourced)") == 2 and "Without a source" not in wide
