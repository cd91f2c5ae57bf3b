"""Pure serialisers shared by the listings and the reports: JSON, CSV cells, Markdown cells.

No console, no Rich: the report (a domain module) and the CLI's views both use these.
CSV: UTF-8 with a header; a text cell that begins with = + - @ tab CR or LF gets a leading
`'` (OWASP CSV injection); numbers stay numbers. Markdown: pipes, backslashes and HTML
escaped, every line break written `<br>`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_LINE_BREAKS = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def cell_text(value: Any) -> str:
    """A value as a table cell shows it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


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


def write_csv(keys: Sequence[str], rows: Iterable[Sequence[Any]], stream) -> None:
    """A header of `keys`, then one line per row of values (already in the keys' order)."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])


def write_csv_dicts(rows: Iterable[dict[str, Any]], keys: Sequence[str], stream) -> None:
    write_csv(keys, ([row.get(k) for k in keys] for row in rows), stream)


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


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """A Markdown table of `rows` with (key, header) columns."""
    lines = [
        "| " + " | ".join(markdown_cell(h) for _, h in columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    for row in rows:
        lines.append("| " + " | ".join(markdown_cell(row.get(k)) for k, _ in columns) + " |")
    return "\n".join(lines)
