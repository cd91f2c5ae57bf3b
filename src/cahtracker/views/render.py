"""The renderers, keyed by format as Datasette keys its output renderers: table, json, csv, markdown.

`render(view, fmt)` is the one call a command makes to print a result. JSON is an array of
objects with snake_case keys (an object for `show`); CSV and Markdown come from
serialise.py; tables are Rich tables whose cells are `Text`, so user text such as `[/oops]`
is never read as markup. Colour only on a terminal; Rich honours NO_COLOR. A table fits the
console's width (the terminal's, else $COLUMNS, else 80; no limit under --wide): layout.py
chooses its columns and their widths, and a footer line names the columns left out. To a
pipe or a file, plain_table.py draws the same characters without importing Rich (faster;
see benchmarks/README.md). Also here: the console, one-line messages, the error line and the
spinner, so that nothing else in the CLI needs to know about Rich; and standard output
itself: guarded (a failed write is OutputError, for the CLI's boundary) and, for documents,
UTF-8 whatever the terminal's encoding (`document_stream`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from cahtracker.safe_text import for_terminal, for_terminal_line, shorten_runs
from cahtracker.serialise import to_json, write_csv
from cahtracker.views.layout import IDENTIFIER, Fit, column_options, fit
from cahtracker.views.listing import Listing, View


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


FORMAT_HELP = "Output format: table, json, csv or markdown."


def _json(view: View) -> None:
    document_stream().write(to_json(view.json_data()) + "\n")


def _csv(view: View) -> None:
    keys, rows = view.csv_table()
    write_csv(keys, rows, document_stream())


def _markdown(view: View) -> None:
    document_stream().write(view.markdown())


def _table(view: View) -> None:
    terminal_view(view).print_table()


RENDERERS: dict[str, Callable[[View], None]] = {
    OutputFormat.table: _table,
    OutputFormat.json: _json,
    OutputFormat.csv: _csv,
    OutputFormat.markdown: _markdown,
}


# ---- standard output: documents as UTF-8, and write errors told apart from others ----


class OutputError(Exception):
    """Standard output could not be written (a full disk, a reader that went away); `error`
    is the OSError. Raised by the guarded stdout (`guard_stdout`), so that the CLI's boundary
    tells it from the OSErrors of files and says whether the command's changes were written."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))
        self.error = error


class _Guarded:
    """A stream (stdout, or its byte buffer) whose write and flush errors are OutputError."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, data):
        try:
            return self._stream.write(data)
        except OSError as error:
            raise OutputError(error) from None

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            raise OutputError(error) from None

    @property
    def buffer(self):
        return _Guarded(self._stream.buffer)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def guard_stdout() -> None:
    """Make every write to sys.stdout (ours, Rich's, Click's) raise OutputError on failure."""
    if sys.stdout is not None and not isinstance(sys.stdout, _Guarded):
        sys.stdout = _Guarded(sys.stdout)


def flush_stdout() -> None:
    """Write out what stdout still holds (OutputError if it cannot be written)."""
    if sys.stdout is not None:
        sys.stdout.flush()


class _Utf8:
    """Text written as UTF-8 bytes to a byte stream."""

    def __init__(self, buffer) -> None:
        self.buffer = buffer

    def write(self, text: str) -> int:
        self.buffer.write(text.encode("utf-8"))
        return len(text)


def document_stream():
    """Where a document (JSON, CSV, Markdown, HTML, SVG: UTF-8 formats) goes on stdout:
    stdout itself if it writes UTF-8, else its byte buffer, the text encoded as UTF-8, so
    that a non-UTF-8 terminal (PYTHONIOENCODING=ascii, Latin-1) changes no character of it;
    tables and messages keep the terminal's encoding, with replacement characters."""
    stream = sys.stdout
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
    buffer = getattr(stream, "buffer", None)
    if encoding in ("utf-8", "utf8") or buffer is None:
        return stream
    stream.flush()  # what was written as text comes first
    return _Utf8(buffer)


def write_document(text: str) -> None:
    """A whole document to stdout as UTF-8 (`document_stream`)."""
    document_stream().write(text)


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


_wide = False  # --wide: listings are not fitted to the terminal's width


def set_wide(wide: bool) -> None:
    """`--wide` (the root command sets it for each invocation): no width limit on listings."""
    global _wide
    _wide = wide


def width_limit(console_width: int) -> int | None:
    """The width a table is fitted to: the console's, or None (no limit) under --wide."""
    return None if _wide else console_width


def get_console(stderr: bool = False, width: int | None = None):
    """Rich's console on stdout (or stderr): the terminal's width, else $COLUMNS, else 80
    (plain_table.plain_width is the same rule); `width` sets it."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(file=stream, highlight=False, soft_wrap=False, width=width)


def _measure_with(cell_len):
    """A cell's width in terminal cells (its widest line), by Rich's `cell_len`, imported
    once by the caller: layout.fit measures every cell and every word of each."""

    def measure(text: str) -> int:
        if "\n" not in text:
            return cell_len(text)
        return max(cell_len(line) for line in text.split("\n"))

    return measure


def table_fit(listing: Listing, cells: list[list[str]], width: int | None, measure=len) -> Fit:
    """Which of the listing's columns a table `width` wide shows, and how wide (layout.py)."""
    columns = listing.table_columns
    return fit(
        [c.kind for c in columns],
        [c.header for c in columns],
        [[row[i] for row in cells] for i in range(len(columns))],
        width,
        measure,
        title=listing.title,
    )


def column_note_lines(listing: Listing, layout: Fit) -> list[str]:
    """The notes about the columns shown (`Listing.column_notes`), in column order."""
    columns = listing.table_columns
    return [line for i in layout.shown for line in listing.column_notes.get(columns[i].key, ())]


def left_out_lines(
    listing: Listing, layout: Fit, cells: list[list[str]], width: int | None
) -> list[str]:
    """The footer lines about the columns left out to fit: which they are, and the rows
    whose left-out cell carries a flag ("Without a source (unsourced): Chile.")."""
    if not layout.left_out:
        return []
    columns = listing.table_columns
    names = ", ".join(columns[i].header or columns[i].key for i in sorted(layout.left_out))
    lines = [f"Not shown at {width} columns: {names} (--wide shows all)."]
    for i in sorted(layout.left_out):
        if columns[i].flag is None:
            continue
        value, meaning = columns[i].flag
        flagged = [row for row in cells if row[i] == value]
        if flagged:
            label = _label_column(listing, layout, cells)
            lines.append(f"{meaning} {value}: {', '.join(row[label] for row in flagged)}.")
    return lines


def _label_column(listing: Listing, layout: Fit, cells: list[list[str]]) -> int:
    """The shown column that names a row: the first identifier whose values all differ."""
    columns = listing.table_columns
    for i in layout.shown:
        values = [row[i] for row in cells]
        if columns[i].kind == IDENTIFIER and all(values) and len(set(values)) == len(values):
            return i
    return next((i for i in layout.shown if columns[i].kind == IDENTIFIER), layout.shown[0])


def rich_table(listing: Listing, layout: Fit, cells: list[list[str]]):
    """The Rich table of a listing, with the columns and widths of `layout`."""
    from rich.table import Table
    from rich.text import Text

    title = Text(listing.title) if listing.title else None  # a Text: never read as markup
    table = Table(title=title, title_justify="left", caption_justify="left")
    columns = listing.table_columns
    for i, width in zip(layout.shown, layout.widths, strict=True):
        no_wrap, overflow = column_options(columns[i].kind)
        table.add_column(columns[i].header, width=width, no_wrap=no_wrap, overflow=overflow)
    for row in cells:
        table.add_row(*(Text(row[i]) for i in layout.shown))
    return table


def print_listing(listing: Listing) -> None:
    cells = listing.cells()
    text = _plain(listing, cells)
    if text is not None:
        sys.stdout.write(text)
        return
    from rich.cells import cell_len
    from rich.text import Text

    console = get_console()
    if not listing.rows:
        console.print(Text(listing.empty))
        return
    limit = width_limit(console.width)
    layout = table_fit(listing, cells, limit, _measure_with(cell_len))
    if layout.total() > console.width:  # --wide, or identifiers wider than the terminal
        console = get_console(width=layout.total())
    console.print(rich_table(listing, layout, cells))
    for line in _footer_lines(listing, layout, cells, limit):
        console.print(Text(line))


def _footer_lines(listing: Listing, layout: Fit, cells: list[list[str]], limit) -> list[str]:
    """The lines under a table, on both paths: the listing's footer, the legends of the
    columns shown, and what was left out to fit."""
    return [
        *listing.footer,
        *column_note_lines(listing, layout),
        *left_out_lines(listing, layout, cells, limit),
    ]


def _plain(listing: Listing, cells: list[list[str]]) -> str | None:
    """The table as Rich would print it, without Rich, when it would print no escape codes
    (a pipe or a file) and every text is plain; else None (see plain_table.py)."""
    from cahtracker.views import plain_table

    width = plain_table.plain_width()
    if width is None:
        return None
    limit = width_limit(width)
    if not listing.rows:
        return plain_table.line(listing.empty, width)
    layout = table_fit(listing, cells, limit)
    columns = listing.table_columns
    table = plain_table.render(
        [columns[i].header for i in layout.shown],
        [[row[i] for i in layout.shown] for row in cells],
        listing.title,
        layout.widths,
        [columns[i].kind for i in layout.shown],
    )
    footer = _footer_lines(listing, layout, cells, limit)
    lines = [plain_table.line(text, max(width, layout.total())) for text in footer]
    if table is None or None in lines:
        return None
    return table + "".join(lines)


def message(text: str, style: str = "") -> None:
    """A line for the user (confirmations); user text inside is not read as markup, and its
    controls are shown as escapes (one line: a line feed too). A terminal wraps it between
    words at its width; a pipe or a file gets it whole, one line."""
    from cahtracker.views import plain_table

    text = for_terminal_line(text)
    plain = plain_table.line(text, None) if plain_table.plain_width() else None
    if plain is not None:
        sys.stdout.write(plain)
        return
    from rich.text import Text

    console = get_console()
    console.print(Text(text, style=style), soft_wrap=not console.is_terminal)


def paragraph(text: str, style: str = "") -> None:
    """Prose of a view (a state's page): wrapped between words at the console's width, on a
    pipe as on a terminal, as a table's footer is; its controls shown as escapes."""
    from cahtracker.views import plain_table

    text = for_terminal(text)
    width = plain_table.plain_width()
    plain = plain_table.line(text, width) if width else None
    if plain is not None:
        sys.stdout.write(plain)
        return
    from rich.text import Text

    get_console().print(Text(text, style=style))


def error_line(text: str) -> None:
    """The one line a refusal prints, to stderr, never parsed as markup, controls inert, a
    huge value it quotes shown by its start and length (`safe_text.shorten_runs`)."""
    if sys.stderr is None:  # closed (`2>&-`): nowhere to say it
        return
    try:
        sys.stderr.write(f"Error: {for_terminal_line(shorten_runs(text))}\n")
    except OSError:
        pass


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
