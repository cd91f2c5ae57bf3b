"""One renderer for every listing: `--format table|json|csv|markdown`.

JSON is an array of objects with snake_case keys (an object for `show`). CSV is UTF-8 with
a header, and a text cell that begins with = + - @ tab CR or LF gets a leading `'` (OWASP
CSV injection); numbers stay numbers. Markdown escapes pipes and line breaks. Tables are
Rich tables whose cells are `Text`, so user text such as `[/oops]` is never read as markup.
Colour only on a terminal; Rich honours NO_COLOR. To a pipe or a file, plain_table.py writes
the same characters without importing Rich (it is faster; see benchmarks/README.md).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Any


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


FORMAT_HELP = "Output format: table, json, csv or markdown."
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

Column = tuple[str, str]  # (key in the row, header shown in tables, CSV keeps the key)


def get_console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    console = Console(file=stream, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        # a pipe or file: wide enough that tables are not squeezed to 80 columns
        console = Console(file=stream, highlight=False, width=max(console.width, 200))
    return console


def csv_cell(value: Any) -> Any:
    """A cell safe to open in a spreadsheet: text formulas neutralised, numbers untouched."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


_LINE_BREAKS = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def markdown_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    # HTML in a cell would run in a viewer that renders Markdown with HTML (as `<br>` needs)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # every line break, also U+2028, U+0085 and form feed, which some viewers break lines on
    return _LINE_BREAKS.sub("<br>", text)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def write_csv(rows: Sequence[dict[str, Any]], keys: Sequence[str], stream) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([csv_cell(row.get(k)) for k in keys])


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    lines = [
        "| " + " | ".join(markdown_cell(h) for _, h in columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    for row in rows:
        lines.append("| " + " | ".join(markdown_cell(row.get(k)) for k, _ in columns) + " |")
    return "\n".join(lines)


def _columns(rows: Sequence[dict[str, Any]], columns: Sequence[Column] | None) -> list[Column]:
    if columns is not None:
        return list(columns)
    return [(k, k.replace("_", " ").title()) for k in (rows[0].keys() if rows else [])]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def rich_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    title: str | None = None,
    caption: str | None = None,
    styles: dict[str, str] | None = None,
):
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
    styles = styles or {}
    for _, header in columns:
        table.add_column(header)
    for row in rows:
        table.add_row(*(Text(cell_text(row.get(k)), style=styles.get(k, "")) for k, _ in columns))
    return table


def render(
    rows: Sequence[dict[str, Any]],
    fmt: OutputFormat | str = OutputFormat.table,
    columns: Sequence[Column] | None = None,
    title: str | None = None,
    footer: Iterable[str] = (),
    empty: str = "Nothing to show.",
) -> None:
    """Print rows in the chosen format. JSON/CSV carry every key; tables show `columns`."""
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json(list(rows)) + "\n")
        return
    if fmt is OutputFormat.csv:
        keys = list(rows[0].keys()) if rows else [k for k, _ in (columns or [])]
        write_csv(rows, keys, sys.stdout)
        return
    cols = _columns(rows, columns)
    footer = list(footer)
    if fmt is OutputFormat.markdown:
        parts = [f"**{markdown_cell(title)}**\n"] if title else []
        parts.append(markdown_table(rows, cols))
        parts.extend("\n" + markdown_cell(line) for line in footer)
        sys.stdout.write("\n".join(parts) + "\n")
        return
    text = _plain(rows, cols, title, footer, empty)
    if text is not None:
        sys.stdout.write(text)
        return
    console = get_console()
    if not rows:
        from rich.text import Text

        console.print(Text(empty))
        return
    console.print(rich_table(rows, cols, title=title))
    from rich.text import Text

    for line in footer:
        console.print(Text(line))


def _plain(rows, columns, title, footer, empty) -> str | None:
    """The table as Rich would print it, without Rich, when it would print no escape codes
    (a pipe or a file) and every text is plain; else None (see plain_table.py)."""
    from cahtracker import plain_table

    width = plain_table.plain_width()
    if width is None:
        return None
    if not rows:
        return plain_table.line(empty, width)
    table = plain_table.render(
        [h for _, h in columns],
        [[cell_text(row.get(k)) for k, _ in columns] for row in rows],
        title,
        width,
    )
    lines = [plain_table.line(text, width) for text in footer]
    if table is None or None in lines:
        return None
    return table + "".join(lines)


def render_object(obj: dict[str, Any], fmt: OutputFormat | str, title: str | None = None) -> None:
    """A single record (`show` commands): JSON object, or key/value rows otherwise."""
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json(obj) + "\n")
        return
    pairs = [{"field": k, "value": v} for k, v in obj.items()]
    if fmt is OutputFormat.csv:
        write_csv([obj], list(obj.keys()), sys.stdout)
        return
    render(pairs, fmt, columns=[("field", "Field"), ("value", "Value")], title=title)


def message(text: str, style: str = "") -> None:
    """A plain line for the user (confirmations); user text inside is not read as markup."""
    from cahtracker import plain_table

    width = plain_table.plain_width()
    plain = plain_table.line(text, width) if width else None
    if plain is not None:
        sys.stdout.write(plain)
        return
    from rich.text import Text

    get_console().print(Text(text, style=style))


def error_line(text: str) -> None:
    """The one line a refusal prints, to stderr, never parsed as markup."""
    sys.stderr.write(f"Error: {text}\n")


@contextmanager
def working(text: str) -> Iterator[None]:
    """A spinner on stderr while something slow runs, only when stderr is a terminal.

    For work that may take over a second (analyses over a long voting history, report
    exports); pipes, files and tests see nothing, and Rich is not imported for them.
    """
    from cahtracker.plain_table import plain_width

    if plain_width(sys.stderr) is not None:
        yield
        return
    console = get_console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(text):
        yield
