"""The renderers, keyed by format as Datasette keys its output renderers: table, json, csv, markdown.

`render(view, fmt)` is the one call a command makes to print a result. JSON is an array of
objects with snake_case keys (an object for `show`); CSV and Markdown come from
serialise.py; tables are Rich tables whose cells are `Text`, so user text such as `[/oops]`
is never read as markup. Colour only on a terminal; Rich honours NO_COLOR. To a pipe or a
file, plain_table.py writes the same characters without importing Rich (faster; see
benchmarks/README.md). Also here: the console, one-line messages, the error line and the
spinner, so that nothing else in the CLI needs to know about Rich.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from cahtracker.safe_text import for_terminal, for_terminal_line
from cahtracker.serialise import to_json, write_csv
from cahtracker.views.listing import Listing, View


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


FORMAT_HELP = "Output format: table, json, csv or markdown."


def _json(view: View) -> None:
    sys.stdout.write(to_json(view.json_data()) + "\n")


def _csv(view: View) -> None:
    keys, rows = view.csv_table()
    write_csv(keys, rows, sys.stdout)


def _markdown(view: View) -> None:
    sys.stdout.write(view.markdown())


def _table(view: View) -> None:
    terminal_view(view).print_table()


RENDERERS: dict[str, Callable[[View], None]] = {
    OutputFormat.table: _table,
    OutputFormat.json: _json,
    OutputFormat.csv: _csv,
    OutputFormat.markdown: _markdown,
}


# ---- terminal text: every user value made inert (safe_text.for_terminal) before layout ----


def inert(value: Any) -> Any:
    """`value` with every text in it (dict keys too, in lists and tuples) as
    `safe_text.for_terminal` shows it: controls and bidi overrides as visible escapes."""
    if isinstance(value, str):
        return for_terminal(value)
    if isinstance(value, dict):
        return {inert(k): inert(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(inert(v) for v in value)
    return value


def terminal_view(view: View) -> View:
    """A copy of `view` whose data is `inert`, for the terminal form (tables and lines);
    JSON, CSV and Markdown read the view itself (JSON escapes, CSV keeps text exactly,
    Markdown has safe_text.markdown_inline)."""
    import copy

    safe = copy.copy(view)
    safe.__dict__.update({k: inert(v) for k, v in vars(view).items()})
    return safe


def render(view: View, fmt: OutputFormat | str = OutputFormat.table) -> None:
    """Print `view` in the format asked for."""
    RENDERERS[OutputFormat(fmt)](view)


def get_console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    console = Console(file=stream, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        # a pipe or file: wide enough that tables are not squeezed to 80 columns
        console = Console(file=stream, highlight=False, width=max(console.width, 200))
    return console


def rich_table(listing: Listing, styles: dict[str, str] | None = None):
    from rich.table import Table
    from rich.text import Text

    title = Text(listing.title) if listing.title else None  # a Text: never read as markup
    table = Table(title=title, title_justify="left", caption_justify="left")
    styles = styles or {}
    columns = listing.table_columns
    for column in columns:
        table.add_column(column.header)
    for cells in listing.cells():
        table.add_row(
            *(
                Text(text, style=styles.get(c.key, ""))
                for c, text in zip(columns, cells, strict=True)
            )
        )
    return table


def print_listing(listing: Listing) -> None:
    text = _plain(listing)
    if text is not None:
        sys.stdout.write(text)
        return
    from rich.text import Text

    console = get_console()
    if not listing.rows:
        console.print(Text(listing.empty))
        return
    console.print(rich_table(listing))
    for line in listing.footer:
        console.print(Text(line))


def _plain(listing: Listing) -> str | None:
    """The table as Rich would print it, without Rich, when it would print no escape codes
    (a pipe or a file) and every text is plain; else None (see plain_table.py)."""
    from cahtracker.views import plain_table

    width = plain_table.plain_width()
    if width is None:
        return None
    if not listing.rows:
        return plain_table.line(listing.empty, width)
    table = plain_table.render(
        [c.header for c in listing.table_columns], listing.cells(), listing.title, width
    )
    lines = [plain_table.line(text, width) for text in listing.footer]
    if table is None or None in lines:
        return None
    return table + "".join(lines)


def message(text: str, style: str = "") -> None:
    """A plain line for the user (confirmations); user text inside is not read as markup,
    and its controls are shown as escapes (one line: a line feed too)."""
    from cahtracker.views import plain_table

    text = for_terminal_line(text)
    width = plain_table.plain_width()
    plain = plain_table.line(text, width) if width else None
    if plain is not None:
        sys.stdout.write(plain)
        return
    from rich.text import Text

    get_console().print(Text(text, style=style))


def error_line(text: str) -> None:
    """The one line a refusal prints, to stderr, never parsed as markup, controls inert."""
    sys.stderr.write(f"Error: {for_terminal_line(text)}\n")


@contextmanager
def working(text: str) -> Iterator[None]:
    """A spinner on stderr while something slow runs, only when stderr is a terminal.

    For work that may take over a second (analyses over a long voting history, report
    exports); pipes, files and tests see nothing, and Rich is not imported for them.
    """
    from cahtracker.views.plain_table import plain_width

    if plain_width(sys.stderr) is not None:
        yield
        return
    console = get_console(stderr=True)
    if not console.is_terminal:
        yield
        return
    from rich.text import Text

    with console.status(Text(for_terminal_line(text))):
        yield
