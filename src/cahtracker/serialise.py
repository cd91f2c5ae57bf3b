"""Pure serialisers shared by the listings and the reports: JSON, CSV cells, Markdown cells.

No console, no Rich: the report (a domain module) and the CLI's views both use these.
CSV: UTF-8 with a header; a text cell that begins with = + - @ tab CR or LF gets a leading
`'` (OWASP CSV injection); numbers stay numbers; the text is otherwise exact (controls
included). Markdown: safe_text.markdown_inline (inert: no link, image, heading, list, HTML;
controls as visible escapes; every line break `<br>`). JSON: every control escaped.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from cahtracker.safe_text import markdown_inline

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# what json.dumps(ensure_ascii=False) leaves raw that a terminal would act on or cannot
# encode: DEL, C1 controls, bidi controls, lone surrogates (C0 it escapes itself)
_JSON_RAW = "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"


def to_json(data: Any) -> str:
    """Indented JSON, UTF-8 text as it is, every control escaped (`\\u001b`, `\\u202e`):
    loads() gives the text back exactly, and no control reaches a terminal raw."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return re.sub(_JSON_RAW, lambda m: f"\\u{ord(m.group()):04x}", text)  # re caches it


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


class _RowEnds:
    """Rows end in `\n` while the csv module quotes every field holding `\r` or `\n`: with a
    `\n` line terminator it leaves a bare CR unquoted, which readers take for a row end (so
    the text would not come back exactly). The writer is given `\r\n` and each row's end
    is rewritten; it writes each row, and only whole rows, in one call."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, row: str):
        return self.stream.write(row[:-2] + "\n" if row.endswith("\r\n") else row)


def write_csv(keys: Sequence[str], rows: Iterable[Sequence[Any]], stream) -> None:
    """A header of `keys`, then one line per row of values (already in the keys' order)."""
    writer = csv.writer(_RowEnds(stream), lineterminator="\r\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])


def write_csv_dicts(rows: Iterable[dict[str, Any]], keys: Sequence[str], stream) -> None:
    write_csv(keys, ([row.get(k) for k in keys] for row in rows), stream)


def markdown_cell(value: Any) -> str:
    """A value as inert Markdown (a table cell, a paragraph): safe_text.markdown_inline."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # digits, a sign, a point: no Markdown (`1.0` is no list marker)
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return markdown_inline(str(value))


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """A Markdown table of `rows` with (key, header) columns."""
    lines = [
        "| " + " | ".join(markdown_cell(h) for _, h in columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    for row in rows:
        lines.append("| " + " | ".join(markdown_cell(row.get(k)) for k, _ in columns) + " |")
    return "\n".join(lines)
