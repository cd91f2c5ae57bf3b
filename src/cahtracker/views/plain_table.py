"""Tables written to a pipe or a file without importing Rich: the same characters, faster.

Rich costs ~35 ms to import (rich.console) plus ~1 ms per table row to lay out, so a
2,000-row `vote compare` took 3 s to print. Where Rich would print no escape codes (not a
terminal, see `plain_width`) and every text is plain (`simple`), this module draws the table
exactly as `views.render.rich_table` + Rich's Console would, with the column widths that
views/layout.py chose for both: the same HEAVY_HEAD box, the same word wrapping
(rich._wrap.divide_line; "ellipsis" in identifier cells, one truncated line in text cells,
"fold" in wrapped cells and the title). Anything else (a terminal, markup-like titles,
tabs, newlines, wide or combining characters, a non-UTF-8 stdout, Windows) returns None and
views/render.py uses Rich. tests/unit/test_plain_table.py checks the equivalence against
Rich itself.
"""

from __future__ import annotations

import os
import re
import sys
from itertools import pairwise

from cahtracker.views.layout import TEXT, WRAP

_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")
# characters that are one cell wide for Rich, are not whitespace, and are not markup
# (and → ≤ ≥: a diff's title, a date's precision in its cell, dates.date_cell)
_SIMPLE = re.compile(
    r"[\x20-\x7e\xa1-\xac\xae-\u02ff\u2010-\u2027\u2030-\u205e\u2192\u2264\u2265]*"
)


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
    return detected_width()


def detected_width() -> int:
    """Rich's console width: $COLUMNS, else a terminal's on stdin, stdout or stderr, else 80."""
    width = None
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd)[0]
        except (AttributeError, ValueError, OSError):
            continue
        break
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isascii() and columns.isdigit():
        width = int(columns)
    return width or 80


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


def _cell(text: str, width: int, kind: str) -> list[str]:
    """A cell's lines as Rich renders them in a column of `kind` (layout.column_options)."""
    if kind == TEXT:  # no_wrap: one line, truncated with "…", padded (Lines.justify "left")
        if len(text) > width:
            text = text[: width - 1] + "…"
        return [text.ljust(width)]
    return _lines(text, width, fold=kind == WRAP)


def render(
    headers: list[str],
    rows: list[list[str]],
    title: str | None,
    widths: list[int],
    kinds: list[str],
) -> str | None:
    """The table as Rich draws it with these column widths (content, padding excluded) and
    kinds (views/layout.py), or None if some text is not plain."""
    if not headers:
        return None
    texts = [*headers, *(cell for row in rows for cell in row)]
    if title:
        texts.append(title)
        if "[" in title or title.count(":") > 1:  # markup and :emoji: codes in Rich titles
            return None
    if not all(map(simple, texts)):
        return None
    padded = [w + 2 for w in widths]
    table_width = sum(padded) + len(padded) + 1
    out: list[str] = []
    if title:
        out.extend(_lines(title, table_width, fold=True))
    out.append("┏" + "┳".join("━" * w for w in padded) + "┓")
    _row(out, headers, widths, kinds, "┃", top=False)
    out.append("┡" + "╇".join("━" * w for w in padded) + "┩")
    for row in rows:
        _row(out, row, widths, kinds, "│", top=True)
    out.append("└" + "┴".join("─" * w for w in padded) + "┘")
    return "\n".join(out) + "\n"


def _row(
    out: list[str], cells: list[str], widths: list[int], kinds: list[str], bar: str, top: bool
) -> None:
    wrapped = [_cell(cell, w, k) for cell, w, k in zip(cells, widths, kinds, strict=True)]
    height = max(len(lines) for lines in wrapped)
    for lines, w in zip(wrapped, widths, strict=True):
        blank = [" " * w] * (height - len(lines))
        lines[:] = lines + blank if top else blank + lines
    for i in range(height):
        out.append(bar + bar.join(f" {lines[i]} " for lines in wrapped) + bar)


def line(text: str, width: int | None) -> str | None:
    """A line as Console.print(Text(text)) prints it at `width` (wrapped between words, a
    longer word folded), or None if Rich must print it. `None` width: no limit."""
    if not simple(text):
        return None
    if width is None or len(text) <= width:
        return text + "\n"
    out = []
    for piece in _divide(text, width, fold=True):
        if len(piece) > width:  # rstrip_end, then the fold's crop
            space = _TRAILING_SPACE.search(piece)
            if space:
                piece = piece[: len(piece) - min(len(space.group(0)), len(piece) - width)]
            piece = piece[:width]
        out.append(piece)
    return "\n".join(out) + "\n"
