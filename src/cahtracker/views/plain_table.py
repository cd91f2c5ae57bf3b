"""Tables written to a pipe or a file without importing Rich: the same characters, faster.

Rich costs ~35 ms to import (rich.console) plus ~1 ms per table row to lay out, so a
2,000-row `vote compare` took 3 s to print. Where Rich would print no escape codes (not a
terminal, see `plain_width`) and every text is plain (`simple`), this module lays out the
table exactly as `views.render.rich_table` + Rich's Console would: the same HEAVY_HEAD box, the
same column widths (Rich's measuring, collapsing and ratio_reduce), the same word wrapping
(rich._wrap.divide_line, overflow "ellipsis" in cells, "fold" in the title). Anything else
(a terminal, markup-like titles, tabs, newlines, wide or combining characters, a
non-UTF-8 stdout, Windows) returns None and views/render.py uses Rich. tests/test_plain_table.py
checks the equivalence against Rich itself.
"""

from __future__ import annotations

import os
import re
import sys
from itertools import pairwise

_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")
# characters that are one cell wide for Rich, are not whitespace, and are not markup
_SIMPLE = re.compile(r"[\x20-\x7e\xa1-\xac\xae-\u02ff\u2010-\u2027\u2030-\u205e]*")


def simple(text: str) -> bool:
    return _SIMPLE.fullmatch(text) is not None


def plain_width(stream=None) -> int | None:
    """The console width Rich would use for `stream` if it would print no escape codes, else None."""
    stream = stream or sys.stdout
    if sys.platform == "win32":
        return None
    environ = os.environ
    tty_compatible = environ.get("TTY_COMPATIBLE", "")
    if tty_compatible == "1":
        return None
    if tty_compatible != "0":
        force_color = environ.get("FORCE_COLOR")
        if force_color is not None:
            if force_color != "":
                return None
        else:
            isatty = getattr(stream, "isatty", None)
            try:
                if isatty is not None and isatty():
                    return None
            except ValueError:
                pass
    encoding = (getattr(stream, "encoding", "utf-8") or "utf-8").lower()
    if not encoding.startswith("utf"):
        return None
    width = None
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd)[0]
        except (AttributeError, ValueError, OSError):
            continue
        break
    columns = environ.get("COLUMNS")
    if columns is not None and columns.isascii() and columns.isdigit():
        width = int(columns)
    width = width or 80
    return max(width, 200)  # output.get_console: a pipe is never squeezed under 200


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]):
    ratios = [ratio if _max else 0 for ratio, _max in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    total_remaining = total
    result = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * total_remaining / total_ratio))
            result.append(value - distributed)
            total_remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse(widths: list[int], max_width: int) -> list[int]:
    total_width = sum(widths)
    excess_width = total_width - max_width
    while total_width and excess_width > 0:
        max_column = max(widths)
        second_max_column = max(w if w != max_column else 0 for w in widths)
        column_difference = max_column - second_max_column
        ratios = [1 if w == max_column else 0 for w in widths]
        if not any(ratios) or not column_difference:
            break
        max_reduce = [min(excess_width, column_difference)] * len(widths)
        widths = _ratio_reduce(excess_width, ratios, max_reduce, widths)
        total_width = sum(widths)
        excess_width = total_width - max_width
    return widths


def _normalize(low: int, high: int) -> tuple[int, int]:
    low = min(max(0, low), high)
    return max(0, low), max(0, max(low, high))


def _get(low: int, high: int, max_width: int) -> tuple[int, int]:
    """Measurement.get: normalized, capped at max_width, (0, 0) under one cell."""
    low, high = _normalize(low, high)
    low, high = min(low, max_width), min(high, max_width)
    return (0, 0) if high < 1 else _normalize(low, high)


def _measure(texts: list[str], max_width: int) -> tuple[int, int]:
    """Rich's measurement of a column of Text cells padded (0, 1), within max_width."""
    if max_width < 1:
        return 0, 0
    low_all, high_all = [], []
    for text in texts:
        words = text.split()
        high = len(text)
        low = max(map(len, words)) if words else high
        low, high = _get(low, high, max_width)  # the Text inside the Padding
        if max_width - 2 < 1:
            low = high = max_width
        else:
            low, high = min(low + 2, max_width), min(high + 2, max_width)
        low, high = _get(low, high, max_width)  # the Padding
        low_all.append(low)
        high_all.append(high)
    low = max(low_all) if low_all else 1
    high = max(high_all) if high_all else max_width
    return min(low, max_width), min(high, max_width)


def _divide(text: str, width: int, fold: bool) -> list[str]:
    """rich._wrap.divide_line + Text.divide, for one-cell characters."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        word_length = len(word.rstrip())
        if width - offset >= word_length:
            offset += len(word)
        elif word_length > width:
            if fold:
                pieces = [word[i : i + width] for i in range(0, len(word), width)]
                for n, piece in enumerate(pieces):
                    if start:
                        breaks.append(start)
                    if n == len(pieces) - 1:
                        offset = len(piece)
                    else:
                        start += len(piece)
            else:
                if start:
                    breaks.append(start)
                offset = len(word)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    bounds = [0, *breaks, len(text)]
    return [text[a:b] for a, b in pairwise(bounds)]


def _lines(text: str, width: int, fold: bool) -> list[str]:
    """Text.wrap(justify='left'): each line cropped (fold) or ellipsised, then padded to width."""
    out = []
    for line in _divide(text, width, fold):
        if len(line) > width:  # rstrip_end
            space = _TRAILING_SPACE.search(line)
            if space:
                line = line[: len(line) - min(len(space.group(0)), len(line) - width)]
        if len(line) > width:
            line = line[:width] if fold else line[: width - 1] + "…"
        out.append(line.ljust(width))
    return out


def render(headers: list[str], rows: list[list[str]], title: str | None, width: int) -> str | None:
    """The table as Rich would print it on a console `width` wide, or None if not plain."""
    if not headers:
        return None
    texts = [*headers, *(cell for row in rows for cell in row)]
    if title:
        texts.append(title)
        if "[" in title or title.count(":") > 1:  # markup and :emoji: codes in Rich titles
            return None
    if not all(map(simple, texts)):
        return None
    n = len(headers)
    columns = [[headers[i], *(row[i] for row in rows)] for i in range(n)]
    available = width - (n + 1)
    ranges = [_measure(column, available) for column in columns]
    widths = [high or 1 for _, high in ranges]
    if sum(widths) > available:
        widths = _collapse(widths, available)
        if sum(widths) > available:
            widths = _ratio_reduce(sum(widths) - available, [1] * n, widths, widths)
        widths = [_measure(column, w)[1] for column, w in zip(columns, widths, strict=True)]
    if min(widths) < 3:
        return None  # Rich's corner cases for columns too narrow for their padding
    table_width = sum(widths) + n + 1
    out: list[str] = []
    if title:
        out.extend(_lines(title, table_width, fold=True))
    out.append("┏" + "┳".join("━" * w for w in widths) + "┓")
    _row(out, headers, widths, "┃", top=False)
    out.append("┡" + "╇".join("━" * w for w in widths) + "┩")
    for row in rows:
        _row(out, row, widths, "│", top=True)
    out.append("└" + "┴".join("─" * w for w in widths) + "┘")
    return "\n".join(out) + "\n"


def _row(out: list[str], cells: list[str], widths: list[int], bar: str, top: bool) -> None:
    wrapped = [_lines(cell, w - 2, fold=False) for cell, w in zip(cells, widths, strict=True)]
    height = max(len(lines) for lines in wrapped)
    for lines, w in zip(wrapped, widths, strict=True):
        blank = [" " * (w - 2)] * (height - len(lines))
        lines[:] = lines + blank if top else blank + lines
    for i in range(height):
        out.append(bar + bar.join(f" {lines[i]} " for lines in wrapped) + bar)


def line(text: str, width: int) -> str | None:
    """A plain line as Console.print(Text(text)) prints it, or None if Rich must do it."""
    if len(text) > width or not simple(text):
        return None
    return text + "\n"
