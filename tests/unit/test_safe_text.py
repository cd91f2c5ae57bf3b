"""safe_text: terminal escapes, inert Markdown, SQLite's integer range (issue 15).

The oracles are written here, apart from the code: a decoder of the escapes the module
documents (so the terminal form must read back to the input), and a real CommonMark/GFM
renderer (markdown-it-py, with GFM autolinks through linkify-it-py) for the Markdown form.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cahtracker.errors import CahError
from cahtracker.safe_text import for_terminal, for_terminal_line, markdown_inline, sqlite_int
from conftest import decode_terminal

# what must never reach a terminal raw: C0 (but newline), DEL, C1, bidi, lone surrogates
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
LINE_BREAKS = ["\r\n", "\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]

HOSTILE_PIECES = [
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x1b]8;;https://evil.example\x1b\\",
    "\x9b31m",
    "\u202e",
    "\u2066",
    "\u200f",
    "\x00",
    "\x7f",
    "\ud800",
    "\udcff",
    "\\",
    "\\x1b",
    "\\u202e",
    "\\n",
    "\\\\",
    "C:\\Users\\data",
    "![pixel](http://evil.example/p.png)",
    "[click](javascript:alert(1))",
    "[ref]",
    "[ref]: http://evil.example",
    "<http://evil.example>",
    "<b>",
    "<script>x</script>",
    "&amp;",
    "&#x1b;",
    "javascript:",
    "http://evil.example",
    "www.evil.com",  # linkify-it knows real top-level domains only, not .example
    "WWW.evil.com",
    "me@evil.com",
    "mailto:me@evil.com",
    "# ",
    "## x",
    "> ",
    "- ",
    "+ ",
    "* ",
    "1. ",
    "1) ",
    "123456789. ",
    "---",
    "===",
    "***",
    "```",
    "~~~",
    "    ",
    "\t",
    "*a*",
    "_a_",
    "**a**",
    "~~a~~",
    "`a`",
    "$x$",
    "|",
    ":smile:",
    "#123",
    "@user",
    "\\|",
    "<br>",
]

texts = st.lists(
    st.one_of(
        st.sampled_from(HOSTILE_PIECES),
        st.sampled_from(LINE_BREAKS),
        st.characters(),
        st.characters(codec=None, categories=["Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Po"]),
        st.text(alphabet="ab 01.-", max_size=4),
    ),
    max_size=12,
).map("".join)


# ---- terminal -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("\x9b", "\\x9b"),
        ("\x7f", "\\x7f"),
        ("\x00", "\\x00"),
        ("a\tb", "a\\tb"),
        ("a\rb", "a\\rb"),
        ("Peru\u202eureP", "Peru\\u202eureP"),
        ("\u061c\u200e\u200f\u2066\u2069", "\\u061c\\u200e\\u200f\\u2066\\u2069"),
        ("\udc80", "\\udc80"),
        ("C:\\data\\files", "C:\\data\\files"),  # a lone backslash stays one backslash
        ("C:\\data\\notes", "C:\\data\\\\notes"),  # `\\n` would read as a newline
        ("\\x1b", "\\\\x1b"),  # typed text that looks like an escape is told apart
        ("\\\x1b", "\\\\\\x1b"),
        ("\\\\", "\\\\\\"),  # the first is doubled (a backslash follows), the last is alone
        ("Côte d’Ivoire — 94 ✔", "Côte d’Ivoire — 94 ✔"),
        ("a\nb", "a\nb"),
    ],
)
def test_for_terminal_examples(text, expected):
    assert for_terminal(text) == expected


def test_the_one_line_form_escapes_newlines_and_the_other_keeps_them():
    assert for_terminal_line("a\nb\\n") == "a\\nb\\\\n"
    assert for_terminal("a\nb\\n") == "a\nb\\\\n"


@given(texts)
@settings(max_examples=400, deadline=None)
def test_terminal_forms_hold_no_raw_control_and_read_back(text):
    multi, single = for_terminal(text), for_terminal_line(text)
    assert not RAW_CONTROL.search(multi)
    assert not RAW_CONTROL.search(single) and "\n" not in single
    assert decode_terminal(multi) == text
    assert decode_terminal(single) == text
    # printable text is left alone
    if not RAW_CONTROL.search(text) and "\\" not in text:
        assert multi == text


# ---- Markdown ---------------------------------------------------------------------------------


def renderer():
    from markdown_it import MarkdownIt

    md = MarkdownIt("gfm-like")  # CommonMark + tables, strikethrough, linkify, raw HTML on
    # GFM's autolinks are www., scheme:// and e-mail; bare domains are not linked there
    md.linkify.set({"fuzzy_link": False})
    return md


MD = renderer()
# markdown-it links `www.` only together with bare domains (fuzzy links), which GFM does
# not link; so GFM's own rule for www autolinks is checked on the source (GFM spec 6.9)
GFM_WWW = re.compile(r"(?:^|[\s*_~(])www\.", re.IGNORECASE)
INLINE_ALLOWED = {"text", "softbreak", "hardbreak", "html_inline"}


def visible_text(children) -> str:
    """The characters a reader sees in one inline run; fails on any formatting token."""
    out = []
    for token in children:
        assert token.type in INLINE_ALLOWED, f"formatting: {token.type} {token!r}"
        if token.type == "html_inline":
            assert token.content == "<br>", f"raw HTML {token.content!r}"
            out.append("\n")
        elif token.type == "text":
            out.append(token.content)
        else:
            out.append("\n")
    return "".join(out)


def normalise(text: str) -> list[str]:
    """Lines as a browser shows them: every kind of line break, blanks collapsed."""
    for br in LINE_BREAKS:
        text = text.replace(br, "\n")
    return [" ".join(line.split()) for line in text.split("\n")]


def assert_shows_exactly(rendered_lines: str, original: str) -> None:
    shown = [" ".join(decode_terminal(line).split()) for line in rendered_lines.split("\n")]
    assert shown == normalise(original)


def paragraph_text(source: str) -> str:
    tokens = MD.parse(source)
    if not tokens:
        return ""
    types = [t.type for t in tokens]
    assert types == ["paragraph_open", "inline", "paragraph_close"], types
    return visible_text(tokens[1].children)


def cell_text(source: str) -> str:
    tokens = MD.parse(f"| h | k |\n| --- | --- |\n| {source} | z |\n")
    cells = [i for i, t in enumerate(tokens) if t.type == "td_open"]
    assert len(cells) == 2, [t.type for t in tokens]
    assert tokens[cells[1] + 1].children[-1].content == "z"  # the pipe count held
    assert [t.type for t in tokens].count("tr_open") == 2  # header and one body row
    inline = tokens[cells[0] + 1]
    return visible_text(inline.children) if inline.children else ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("![pixel](http://evil.example/p.png)", "!\\[pixel\\](http\\://evil.example/p.png)"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript\\:alert(1))"),
        ("<http://evil.example>", "&lt;http\\://evil.example&gt;"),
        ("# Heading", "\\# Heading"),
        ("> quoted", "&gt; quoted"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("1. item", "1\\. item"),
        ("12) item", "12\\) item"),
        ("*bold* _it_ ~~s~~ `c`", "\\*bold\\* \\_it\\_ \\~\\~s\\~\\~ \\`c\\`"),
        ("a | b", "a \\| b"),
        ("a\nb\r\nc\u2028d", "a<br>b<br>c<br>d"),
        ("www.evil.example", "www\\.evil.example"),
        ("me@evil.example", "me\\@evil.example"),
        ("    code", "&#32;   code"),
        ("A/C.6/79/L.2/Rev.1 of 2024-11-22", "A/C.6/79/L.2/Rev.1 of 2024-11-22"),
        ("\x1b[2J", "\\\\x1b\\[2J"),
    ],
)
def test_markdown_inline_examples(text, expected):
    assert markdown_inline(text) == expected


@pytest.mark.parametrize("text", HOSTILE_PIECES)
def test_each_hostile_piece_renders_as_its_own_characters(text):
    for where in (paragraph_text, cell_text):
        assert_shows_exactly(where(markdown_inline(text)), text)
        assert_shows_exactly(where(markdown_inline("x " + text + " y")), "x " + text + " y")


@given(texts)
@settings(max_examples=400, deadline=None)
def test_markdown_renders_to_plain_text_equal_to_the_input(text):
    source = markdown_inline(text)
    assert "\n" not in source and not RAW_CONTROL.search(source)
    assert not GFM_WWW.search(source)
    assert_shows_exactly(paragraph_text(source), text)
    assert_shows_exactly(cell_text(source), text)


def test_the_renderer_oracle_can_see_what_it_forbids():
    """The checks above would notice formatting: raw text makes them fail."""
    for raw in ("![p](http://e.example/p.png)", "# h", "*a*", "<b>x</b>", "a@b.com"):
        with pytest.raises(AssertionError):
            paragraph_text(raw)
    with pytest.raises(AssertionError):
        cell_text("a | b")
    assert GFM_WWW.search("see www.evil.com") and GFM_WWW.search("WWW.evil.com")


# ---- SQLite integers --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, -1, 2**63 - 1, -(2**63), 193])
def test_sqlite_int_keeps_what_sqlite_stores(value):
    assert sqlite_int(value, "--limit") == value


@pytest.mark.parametrize(
    "value",
    [2**63, -(2**63) - 1, 10**30, -(10**30), 10**5000],
    ids=["2**63", "-2**63-1", "10**30", "-10**30", "10**5000"],
)
def test_sqlite_int_refuses_the_rest_in_one_line_naming_the_range(value):
    with pytest.raises(CahError) as caught:
        sqlite_int(value, "--limit")
    text = str(caught.value)
    assert "\n" not in text and len(text) < 200
    assert "--limit" in text
    assert "-9223372036854775808" in text and "9223372036854775807" in text


# --- long values in one-line messages (a refusal of a 100 KB argument) ---------------------

from cahtracker.safe_text import LONG_RUN, shorten_runs  # noqa: E402


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
@settings(max_examples=300)
def test_shorten_runs_leaves_text_without_long_runs_alone_and_bounds_the_rest(text):
    shortened = shorten_runs(text)
    # oracle: the longest unbroken run and the longest quoted value, measured here
    longest_run = max((len(run) for run in re.split(r"\s", text)), default=0)
    if longest_run <= LONG_RUN and len(text) <= LONG_RUN:
        assert shortened == text
    for run in re.split(r"\s", shortened):
        assert len(run) <= LONG_RUN + 40, run


def test_shorten_runs_keeps_the_start_and_says_the_length():
    line = "Unknown state '" + "Q" * 100_000 + "'. Use a UN name."
    shortened = shorten_runs(line)
    assert shortened.startswith("Unknown state 'QQQQ")
    assert "100,000 characters" in shortened
    assert shortened.endswith("'. Use a UN name.")
    assert len(shortened) < 200
    # a quoted value with spaces is cut as one value, not word by word
    spaced = "Unknown document '" + "word " * 100 + "'"
    assert "(500 characters)" in shorten_runs(spaced)
