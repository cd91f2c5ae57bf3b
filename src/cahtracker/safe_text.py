"""Text made safe for where it goes: a terminal, a Markdown document, an SQLite integer.

Pure functions over `str` and `int`; no Rich, no I/O. The CLI's output paths call them on
every user value (tables, confirmations, error lines, summaries, Markdown cells).

Terminal (`for_terminal`, `for_terminal_line`): C0 controls, DEL, C1 controls, the bidi
controls and lone surrogates become visible escapes (`\\x1b`, `\\t`, `\\u202e`, `\\udc80`);
everything else is unchanged. A backslash stays a single backslash unless what follows it
would read as an escape (`x u U t n r`, another backslash, or an escaped character); then it
is doubled. So the output reads back unambiguously: `\\\\` is a backslash, `\\xHH`, `\\uHHHH`,
`\\t`, `\\n`, `\\r` are the characters they name, and any other backslash is itself.

Markdown (`markdown_inline`): CommonMark/GFM text that renders to exactly the characters
given (controls shown as the terminal escapes above, every line break as `<br>`), never to
a link, image, heading, list, quote, emphasis, code or HTML. Written for CommonMark
renderers (GitHub, markdown-it, cmark); Python-Markdown does not honour every backslash
escape used here (`\\:`, `\\@`, `\\|`, `\\~`, `\\$`) and would show the backslash.
"""

from __future__ import annotations

import re
from functools import cache

from cahtracker.errors import CahError

SQLITE_INT_MIN = -(2**63)
SQLITE_INT_MAX = 2**63 - 1

# bidi controls: ALM, LRM, RLM, embeddings and overrides, isolates
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# C0 (newline handled apart), DEL, C1, bidi, lone surrogates (unprintable in UTF-8)
_CONTROLS = "\x00-\x09\x0b-\x1f\x7f-\x9f" + _BIDI + "\ud800-\udfff"
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# a backslash is doubled when the reader could take it for the start of an escape
_ESCAPE_STARTS = "xuUtnr\\\\"

# compiled on first use (start-up: together they cost ~1 ms to compile, and most commands
# print only printable text without a backslash, which needs none of them)
_PATTERNS = {
    "terminal": rf"\\(?=[{_ESCAPE_STARTS}{_CONTROLS}])|[{_CONTROLS}]",
    "terminal line": rf"\\(?=[{_ESCAPE_STARTS}{_CONTROLS}\n])|[{_CONTROLS}\n]",
}


@cache
def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(_PATTERNS[name])


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def for_terminal(text: str, *, newlines: bool = True) -> str:
    """`text` with every control a terminal would act on shown as a visible escape.

    `newlines=True` keeps line feeds (multi-line text such as a note); `False` escapes them
    too (`\\n`), for a value that must stay on one line (a table cell, an error line).
    """
    if not isinstance(text, str):
        text = str(text)
    if "\\" not in text and text.isprintable():
        return text  # no control, no bidi control, no line break (all unprintable to Python)
    return _pattern("terminal" if newlines else "terminal line").sub(_escape, text)


def for_terminal_line(text: str) -> str:
    """`for_terminal` for one line: line feeds are escaped as well."""
    return for_terminal(text, newlines=False)


# a value longer than this in a one-line message (an error line) is shown by its start and
# its length: a refusal of a 100 KB argument says what was wrong in one readable line
LONG_RUN = 120
_LONG_SHOWN = 60
# quoted values (which may hold spaces) first, then any other unbroken run
_PATTERNS["long run"] = rf"'[^'\n]{{{LONG_RUN + 1},}}'|\S{{{LONG_RUN + 1},}}"


def _shorten(match: re.Match[str]) -> str:
    run = match.group()
    quoted = run.startswith("'") and run.endswith("'") and len(run) > 1
    inner = run[1:-1] if quoted else run
    short = f"{inner[:_LONG_SHOWN]}… ({len(inner):,} characters)"
    return f"'{short}'" if quoted else short


def shorten_runs(text: str) -> str:
    """`text` with every quoted value or unbroken run of over `LONG_RUN` characters cut to
    its first characters and its length, so that a message echoing a huge argument or file
    line stays one readable line. Shorter text is returned unchanged."""
    if len(text) <= LONG_RUN:
        return text
    return _pattern("long run").sub(_shorten, text)


# every line break a Markdown viewer might honour (as output.markdown_cell does)
_PATTERNS["line breaks"] = "\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]"
# backslash-escaped everywhere (CommonMark: any ASCII punctuation may be escaped):
# emphasis, code, strikethrough, links, images, GFM pipes, headings and issue refs,
# autolink schemes (`http:`, `javascript:`), e-mail autolinks and @mentions, math.
_PATTERNS["markdown always"] = r"[\\`*_~\[\]|#:@$]"
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_PATTERNS["markdown html"] = "[&<>]"
# GFM extended www autolinks: `www.` at the start of a word
_PATTERNS["markdown www"] = r"(?i)(?<![0-9A-Za-z])(www)\."
# block syntax that only counts at the start: list markers (`-`, `+`, `1.`, `1)`)
_PATTERNS["markdown marker"] = r"[-+]|\d{1,9}[.)]"


def _markdown_piece(text: str) -> str:
    text = for_terminal(text, newlines=False)
    text = _pattern("markdown always").sub(lambda m: "\\" + m.group(), text)
    text = _pattern("markdown html").sub(lambda m: _MD_ENTITIES[m.group()], text)
    return _pattern("markdown www").sub(r"\1\\.", text)


def markdown_inline(text: str) -> str:
    """`text` as inert Markdown for a table cell or a paragraph (one source line).

    Renders as the characters given, with controls shown as `for_terminal` shows them and
    each line break (also CR, U+2028, form feed, ...) as `<br>`.
    """
    if not isinstance(text, str):
        text = str(text)
    out = "<br>".join(_markdown_piece(piece) for piece in _pattern("line breaks").split(text))
    if out.startswith("<br>"):
        # a line that is only `<br>` would be an HTML block: a space (not shown) comes first
        return "&#32;" + out
    if out[:1] == " ":
        # leading blanks would make an indented code block: an entity keeps it a paragraph
        return "&#32;" + out[1:]
    marker = _pattern("markdown marker").match(out)
    if marker:
        end = marker.end()
        return out[: end - 1] + "\\" + out[end - 1 :]
    return out


def sqlite_int(value: int, what: str) -> int:
    """`value` if SQLite can store it (a signed 64-bit integer), else a one-line CahError."""
    if SQLITE_INT_MIN <= value <= SQLITE_INT_MAX:
        return value
    # str() of a huge int is slow and, past 4,300 digits, refused by Python itself
    shown = str(value) if value.bit_length() <= 128 else f"a {value.bit_length()}-bit number"
    raise CahError(
        f"{what} must be between {SQLITE_INT_MIN} and {SQLITE_INT_MAX} "
        f"(SQLite's integer range), not {shown}."
    )
