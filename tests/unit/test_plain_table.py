"""plain_table lays out tables exactly as Rich does (checked against Rich itself)."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from cahtracker.views import plain_table
from cahtracker.views.layout import KINDS
from cahtracker.views.listing import Column, Listing
from cahtracker.views.render import rich_table, table_fit


def listing_of(headers, rows, title, kinds=None) -> Listing:
    kinds = kinds or ["identifier"] * len(headers)
    columns = [
        Column(f"c{i}", h, kind=k) for i, (h, k) in enumerate(zip(headers, kinds, strict=True))
    ]
    data = [{f"c{i}": cell for i, cell in enumerate(row)} for row in rows]
    return Listing(data, columns, title=title)


def rich_text(listing: Listing, width: int) -> str:
    """What Rich prints for the listing's table fitted to `width` (as views/render.py does)."""
    from rich.console import Console

    cells = listing.cells()
    layout = table_fit(listing, cells, width)
    stream = io.StringIO()
    total = max(width, layout.total())
    console = Console(file=stream, highlight=False, width=total, force_terminal=False)
    console.print(rich_table(listing, layout, cells))
    return stream.getvalue()


def plain_text(listing: Listing, width: int) -> str | None:
    cells = listing.cells()
    layout = table_fit(listing, cells, width)
    columns = listing.table_columns
    return plain_table.render(
        [columns[i].header for i in layout.shown],
        [[row[i] for i in layout.shown] for row in cells],
        listing.title,
        layout.widths,
        [columns[i].kind for i in layout.shown],
    )


WORD = st.text(
    alphabet=st.sampled_from("abcdefghijKLMNOP0123456789-/.,()'éüßÇœ—’…≤≥→"),
    min_size=1,
    max_size=30,
)
CELL = st.lists(WORD, max_size=8).map(" ".join) | st.sampled_from(["", " ", "a  b", " lead", "x "])


@settings(max_examples=300, deadline=None)
@given(
    headers=st.lists(WORD, min_size=1, max_size=7),
    data=st.data(),
    title=st.none() | st.lists(WORD, min_size=1, max_size=12).map(" ".join),
    width=st.sampled_from([40, 60, 80, 120, 200]) | st.integers(20, 220),
)
def test_same_text_as_rich(headers, data, title, width):
    rows = data.draw(
        st.lists(st.lists(CELL, min_size=len(headers), max_size=len(headers)), max_size=6)
    )
    kinds = data.draw(
        st.lists(st.sampled_from(KINDS), min_size=len(headers), max_size=len(headers))
    )
    listing = listing_of(headers, rows, title, kinds)
    ours = plain_text(listing, width)
    if ours is not None:
        assert ours == rich_text(listing, width)


def test_the_seed_sponsors_table_is_plain_and_shortens_like_rich():
    headers = ["Role", "State", "ISO3", "Regional group", "Joined", "Source"]
    kinds = ["identifier", "identifier", "optional", "optional", "identifier", "text"]
    source = "Czech Yearbook of International Law vol. 16 (2025) p. 516 " * 3
    rows = [["main", "Côte d’Ivoire", "CIV", "African", "2024-07", source]] * 2
    listing = listing_of(headers, rows, "Sponsors of A/C.6/79/L.2/Rev.1", kinds)
    ours = plain_text(listing, 80)
    assert ours is not None and ours == rich_text(listing, 80)
    lines = ours.splitlines()
    assert len(lines) == 7  # title, 3 rules, header, one line per row: the source shortened
    assert all(len(line) <= 80 for line in lines) and "Czech Yearbook" in ours and "…" in ours
    wrapped = listing_of(["Field", "Value"], [["source", source]], None, ["identifier", "wrap"])
    text = plain_text(wrapped, 60)
    assert text == rich_text(wrapped, 60) and len(text.splitlines()) > 5  # wrapped whole
    assert " ".join(" ".join(text.split("│")).split()).count("p. 516") == 3


def test_what_is_not_plain_goes_to_rich():
    kinds = ["identifier"]
    assert plain_table.render(["A"], [["tab\there"]], None, [8], kinds) is None
    assert plain_table.render(["A"], [["two\nlines"]], None, [9], kinds) is None
    assert plain_table.render(["A"], [["wide 漢字"]], None, [9], kinds) is None
    assert plain_table.render(["A"], [["x"]], "[bold]markup[/bold]", [1], kinds) is None
    assert plain_table.line("[/oops] is fine in a line", 80) == "[/oops] is fine in a line\n"
    assert plain_table.line("x" * 81, 80) == "x" * 80 + "\nx\n"  # folded, as Rich does
    assert plain_table.line("x" * 81, None) == "x" * 81 + "\n"


def test_a_terminal_or_forced_colour_is_left_to_rich(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert plain_table.plain_width(Tty()) is None
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert plain_table.plain_width(io.StringIO()) is None
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("COLUMNS", "300")
    assert plain_table.plain_width(io.StringIO()) == 300
    monkeypatch.setenv("COLUMNS", "90")
    assert plain_table.plain_width(io.StringIO()) == 90  # a pipe is as wide as COLUMNS says


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries({"a": CELL, "b": st.integers() | st.none() | CELL, "c": CELL}),
        max_size=4,
    ),
    kinds=st.lists(st.sampled_from(KINDS), min_size=3, max_size=3),
    footer=st.lists(CELL, max_size=3),
    title=st.none() | WORD,
    width=st.integers(20, 200),
    wide=st.booleans(),
)
def test_render_and_message_print_what_rich_prints(rows, kinds, footer, title, width, wide):
    """render / message to a pipe: the plain path's text is the Rich path's (also the
    footer naming the columns left out, and under --wide)."""
    import contextlib
    import os

    from cahtracker.views import render as output

    def printed(plain: bool) -> str:
        stream = io.StringIO()
        original = plain_table.plain_width
        with contextlib.redirect_stdout(stream):
            if not plain:
                plain_table.plain_width = lambda stream=None: None
            try:
                columns = [
                    Column(k, k.upper(), kind=kind) for k, kind in zip("abc", kinds, strict=True)
                ]
                listing = Listing(rows, columns, title, footer, "none here")
                output.render(listing, "table")
                output.message(footer[0] if footer else "done.")
            finally:
                plain_table.plain_width = original
        return stream.getvalue()

    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    output.set_wide(wide)
    try:
        assert printed(True) == printed(False)
    finally:
        output.set_wide(False)
        os.environ["COLUMNS"] = before or "80"
