"""Issue 15's fuzz test: hostile text in every text field, inert in every output format.

Random control characters (C0, DEL, C1), terminal sequences (CSI, OSC, hyperlinks), bidi
controls, Rich markup, emoji codes, Markdown and HTML go into every text a command stores
(timeline events, positions and topics, sponsorships and counts, documents, votes and their
explanations). Then every listing, `show`, analysis and report is run in every format:

- tables (terminal text), Markdown, HTML and the error lines carry no raw C0 control but
  the line feed, no DEL, no C1 control, no bidi control; Markdown renders (markdown-it) to
  no link, image, raw HTML or injected heading;
- JSON escapes them and gives each text back exactly; CSV keeps each text exactly (a text
  that starts like a formula gets its leading `'`).

Every database is a temporary copy of the seeded one; the texts are fictional.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Cli

# C0 but the line feed, DEL, C1, bidi controls, lone surrogates: never raw outside JSON/CSV
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
PIECES = [
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x9b31m",
    "\x07",
    "\x08",
    "\r",
    "\t",
    "\x00",
    "\x7f",
    "\x85",
    "\u202e",
    "\u2066",
    "\u200f",
    "\n",
    "[bold]",
    "[/oops]",
    "[link=https://evil.example]x[/link]",
    ":smile:",
    "![pixel](http://evil.example/p.png)",
    "[click](javascript:alert(1))",
    "# heading",
    "> quote",
    "- item",
    "1. item",
    "*em*",
    "`code`",
    "|",
    "<img src=x>",
    "<script>x</script>",
    "&amp;",
    "\\",
    "=1+1",
    "www.evil.com",
]
# a text a command can store: the pieces, any other character (not a surrogate: no shell
# can pass one, and `main` refuses the bytes that would make one), at least one letter
hostile = (
    st.lists(
        st.one_of(
            st.sampled_from(PIECES),
            st.characters(blacklist_categories=("Cs",)),
            st.characters(min_codepoint=0, max_codepoint=0x9F),
        ),
        min_size=1,
        max_size=8,
    )
    .map(lambda parts: "x " + "".join(parts))
    .filter(lambda text: text.strip())
)

SYMBOL = "A/C.6/99/L.77"


def store_everything(cli: Cli, texts: list[str]) -> dict[str, str]:
    """Write every text field of every command that stores text; returns field -> text."""
    t = iter(texts)
    fields = {name: next(t) for name in FIELDS}
    cli.ok(
        "docs", "add", SYMBOL, "--title", fields["doc title"], "--kind", "draft",
        "--body", "Sixth Committee", "--url", fields["doc url"], "--source", fields["doc source"],
    )  # fmt: skip
    cli.ok("docs", "use", SYMBOL)
    cli.ok(
        "sponsors", "add", "France, Chile", "--date", "2024-11-20",
        "--source", fields["sponsor source"],
    )  # fmt: skip
    cli.ok(
        "sponsors", "claim", "2", "--date", "2024-11-21", "--source", fields["claim source"],
        "--note", fields["claim note"],
    )  # fmt: skip
    cli.ok(
        "timeline", "add", "2031-01-01", fields["event title"], "--place", fields["event place"],
        "--body", fields["event body"], "--source", fields["event source"],
        "--note", fields["event note"],
    )  # fmt: skip
    cli.ok(
        "position", "topic-add", "fuzz", "--title", fields["topic title"],
        "--description", fields["topic description"],
    )  # fmt: skip
    for topic in ("treaty", "fuzz"):
        cli.ok(
            "position", "set", "France", "--topic", topic, "--stance", "support",
            "--date", "2024-11-22", "--source", fields["position source"],
            "--quote", fields["position quote"],
        )  # fmt: skip
    cli.ok(
        "vote", "record", "--doc", SYMBOL, "--date", "2024-11-25", "--body", "Sixth Committee",
        "--yes", "France", "--no", "Chile", "--meeting", fields["vote meeting"],
        "--source", fields["vote source"], "--note", fields["vote note"],
        "--explanation", f"Chile={fields['vote explanation']}",
    )  # fmt: skip
    return fields


FIELDS = [
    "doc title",
    "doc url",
    "doc source",
    "sponsor source",
    "claim source",
    "claim note",
    "event title",
    "event place",
    "event body",
    "event source",
    "event note",
    "topic title",
    "topic description",
    "position source",
    "position quote",
    "vote meeting",
    "vote source",
    "vote note",
    "vote explanation",
]
READS = [
    ("docs", "list"),
    ("docs", "show", SYMBOL),
    ("sponsors", "list"),
    ("sponsors", "history"),
    ("sponsors", "count"),
    ("timeline", "list"),
    ("position", "list", "--topic", "treaty"),
    ("position", "history", "France"),
    ("position", "topics"),
    ("position", "matrix"),
    ("vote", "show", SYMBOL),
    ("vote", "list"),
    ("vote", "compare", "France", "Chile"),
    ("analyze", "targets"),
    ("analyze", "forecast"),
    ("db", "log"),
    ("states", "show", "France"),  # a state's page: its sponsorships, ballots, stances
]


def assert_inert(text: str, where: str) -> None:
    found = RAW_CONTROL.search(text)
    assert not found, f"raw {found.group()!r} in {where}: {text[:2000]!r}"


def assert_markdown_inert(source: str, where: str) -> None:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    md.validateLink = lambda url: True  # a permissive viewer: what the text would become
    tokens = md.parse(source)
    for i, token in enumerate(tokens):
        assert token.type != "html_block", f"{where}: HTML block {token.content!r}"
        if token.type == "heading_open":
            heading = tokens[i + 1].content  # the report's own; never the piece `# heading`
            assert "heading" not in heading, f"{where}: injected heading {heading!r}"
        for child in token.children or ():
            assert child.type not in ("image", "link_open", "code_inline"), f"{where}: {child}"
            if child.type == "html_inline":
                assert child.content == "<br>", f"{where}: HTML {child.content!r}"


def csv_cells(text: str) -> set[str]:
    return {cell for row in csv.reader(io.StringIO(text)) for cell in row}


def json_strings(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(json_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(json_strings(v) for v in value)) if value else set()
    return set()


def csv_form(text: str) -> str:
    """How the CSV writer stores a text (a formula start gets a leading apostrophe)."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) else text


def check_every_output(cli: Cli, fields: dict[str, str], tmp_path: Path) -> None:
    stored_json: set[str] = set()
    stored_csv: set[str] = set()
    for args in READS:
        table = cli.ok(*args).output
        assert_inert(table, " ".join(args))
        markdown = cli.ok(*args, "-f", "markdown").output
        assert_inert(markdown, " ".join(args) + " -f markdown")
        assert_markdown_inert(markdown, " ".join(args) + " -f markdown")
        text = cli.ok(*args, "-f", "json").output
        assert_inert(text, " ".join(args) + " -f json")  # escaped, not raw
        stored_json |= json_strings(json.loads(text))
        # the bytes: CliRunner's `output` turns CR LF into LF, and the text is kept exactly
        stored_csv |= csv_cells(cli.ok(*args, "-f", "csv").stdout_bytes.decode("utf-8"))
    tally = cli.ok("report", "tally").output
    assert_inert(tally, "report tally")
    for args in (("--map", "sponsors"), ("--map", "vote")):  # the world maps alone
        out = tmp_path / "map.svg"
        cli.ok("report", "export", "-f", "svg", *args, "-o", str(out))
        assert_inert(out.read_text(encoding="utf-8"), f"report export -f svg {args}")
        out.unlink()
    for fmt in ("html", "markdown", "json"):
        out = tmp_path / f"report.{fmt}"
        cli.ok("report", "export", "-f", fmt, "-o", str(out))
        text = out.read_text(encoding="utf-8")
        assert_inert(text, f"report export -f {fmt}")
        if fmt == "markdown":
            assert_markdown_inert(text, "report export -f markdown")
        if fmt == "json":
            stored_json |= json_strings(json.loads(text))
        out.unlink()
    folder = tmp_path / "tables"
    cli.ok("report", "export", "-f", "csv", "-o", str(folder))
    for path in folder.glob("*.csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            stored_csv |= csv_cells(handle.read())
    shutil.rmtree(folder)
    for name, text in fields.items():
        # the URL is printed in no listing; every other text somewhere, exactly
        if name in ("doc url",):
            continue
        stored = text.strip() if name not in ("position quote", "vote note") else text
        assert stored in stored_json or text in stored_json, f"JSON lost the {name} {text!r}"
        assert csv_form(stored) in stored_csv or csv_form(text) in stored_csv, (
            f"CSV lost the {name} {text!r}"
        )


@pytest.mark.slow  # ~2 s an example: each runs every listing in every format
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=st.lists(hostile, min_size=len(FIELDS), max_size=len(FIELDS)))
def test_hostile_text_in_every_field_is_inert_in_every_output(
    tmp_path_factory, _seeded_template, texts
):
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "cah.db"
    shutil.copy(_seeded_template, db)
    cli = Cli(db)
    fields = store_everything(cli, texts)
    check_every_output(cli, fields, folder)


GROUPS = [PIECES[i : i + 6] for i in range(0, len(PIECES), 6)]


@pytest.mark.parametrize("group", GROUPS, ids=[f"pieces {i * 6}-" for i in range(len(GROUPS))])
def test_every_hostile_piece_is_inert_in_every_output(cli, tmp_path, group):
    """Every piece in every field (six at a time), so that none is left to chance: each
    field holds the group in its own order, so each piece also starts some field."""
    texts = ["".join(group[i % len(group) :] + group[: i % len(group)]) for i in range(len(FIELDS))]
    fields = store_everything(cli, [f"{text} y" for text in texts])
    check_every_output(cli, fields, tmp_path)


@pytest.mark.parametrize("piece", PIECES, ids=[repr(p)[1:12] for p in PIECES])
def test_hostile_text_in_a_refused_argument_is_inert_in_the_error_line(cli, piece):
    for args in (
        ("states", "show", f"Atlantis {piece}"),
        ("docs", "show", f"A/{piece}"),
        ("sponsors", "add", f"Atlantis {piece}", "--source", "t"),
        ("vote", "show", f"A/{piece}"),
        ("position", "set", "France", "--topic", f"no {piece}", "--stance", "support"),
        ("db", "log", "-n", f"x{piece}"),  # Click's own usage error quotes the value
        ("states", f"list{piece}"),  # and the name of a command that does not exist
    ):
        result = cli(*args)
        assert result.exit_code != 0, args
        assert "Traceback" not in result.output
        assert_inert(result.output, " ".join(args))
