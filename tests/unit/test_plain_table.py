"""plain_table lays out tables exactly as Rich does (checked against Rich itself)."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from cahtracker.views import plain_table
from cahtracker.views.listing import Listing
from cahtracker.views.render import rich_table


def rich_text(headers, rows, title, width) -> str:
    from rich.console import Console

    stream = io.StringIO()
    console = Console(file=stream, highlight=False, width=width, force_terminal=False)
    columns = [(f"c{i}", h) for i, h in enumerate(headers)]
    data = [{f"c{i}": cell for i, cell in enumerate(row)} for row in rows]
    console.print(rich_table(Listing(data, columns, title=title)))
    return stream.getvalue()


WORD = st.text(
    alphabet=st.sampled_from("abcdefghijKLMNOP0123456789-/.,()'éüßÇœ—’…"), min_size=1, max_size=30
)
CELL = st.lists(WORD, max_size=8).map(" ".join) | st.sampled_from(["", " ", "a  b", " lead", "x "])


@settings(max_examples=300, deadline=None)
@given(
    headers=st.lists(WORD, min_size=1, max_size=7),
    data=st.data(),
    title=st.none() | st.lists(WORD, min_size=1, max_size=12).map(" ".join),
    width=st.sampled_from([40, 80, 120, 200]),
)
def test_same_text_as_rich(headers, data, title, width):
    rows = data.draw(
        st.lists(st.lists(CELL, min_size=len(headers), max_size=len(headers)), max_size=6)
    )
    ours = plain_table.render(headers, rows, title, width)
    if ours is not None:
        assert ours == rich_text(headers, rows, title, width)


def test_the_seed_sponsors_table_is_plain_and_wraps_like_rich():
    headers = ["Role", "State", "ISO3", "Regional group", "Joined", "Source"]
    source = "Czech Yearbook of International Law vol. 16 (2025) p. 516 " * 3
    rows = [["main", "Côte d’Ivoire", "CIV", "African", "2024-07", source]] * 2
    ours = plain_table.render(headers, rows, "Sponsors of A/C.6/79/L.2/Rev.1", 120)
    assert ours is not None and ours == rich_text(
        headers, rows, "Sponsors of A/C.6/79/L.2/Rev.1", 120
    )
    assert len(ours.splitlines()) > 6  # the source column wrapped


def test_what_is_not_plain_goes_to_rich():
    assert plain_table.render(["A"], [["tab\there"]], None, 80) is None
    assert plain_table.render(["A"], [["two\nlines"]], None, 80) is None
    assert plain_table.render(["A"], [["wide 漢字"]], None, 80) is None
    assert plain_table.render(["A"], [["x"]], "[bold]markup[/bold]", 80) is None
    assert plain_table.line("[/oops] is fine in a line", 80) == "[/oops] is fine in a line\n"
    assert plain_table.line("x" * 81, 80) is None


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
    assert plain_table.plain_width(io.StringIO()) == 200


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries({"a": CELL, "b": st.integers() | st.none() | CELL}), max_size=4
    ),
    footer=st.lists(CELL, max_size=3),
    title=st.none() | WORD,
)
def test_render_and_message_print_what_rich_prints(rows, footer, title):
    """render / message to a pipe: the plain path's text is the Rich path's."""
    import contextlib
    import sys

    from cahtracker.views import render as output

    def printed(plain: bool) -> str:
        stream = io.StringIO()
        original = plain_table.plain_width
        with contextlib.redirect_stdout(stream):
            if not plain:
                plain_table.plain_width = lambda stream=None: None
            try:
                listing = Listing(rows, [("a", "A"), ("b", "B")], title, footer, "none here")
                output.render(listing, "table")
                output.message(footer[0] if footer else "done.")
            finally:
                plain_table.plain_width = original
        return stream.getvalue()

    assert sys.stdout is not None
    assert printed(True) == printed(False)
