"""Escaping and SQL: user text is stored verbatim and shown safely in every format.

SQL fragments given as state names, symbols, quotes, sources, titles and notes are either
stored exactly as typed or refused in one line; nothing else in the database changes. Rich
markup, Markdown pipes, spreadsheet formulas and JSON specials come out inert.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from conftest import VOTE_ON_REV1, Cli, assert_refused

SQL = [
    "'); DROP TABLE states; --",
    '" OR 1=1 --',
    "x'; DELETE FROM changes WHERE '1'='1",
    "1; UPDATE states SET name = 'pwned'",
    "Robert'); DROP TABLE ballots;--",
]
TABLES = (
    "states",
    "state_aliases",
    "documents",
    "sponsorship_events",
    "votes",
    "ballots",
    "positions",
    "topics",
    "events",
    "count_claims",
    "changes",
)


def snapshot(path: Path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
    finally:
        conn.close()


def added_rows(before: dict, after: dict) -> dict[str, list]:
    """Rows in `after` that are not in `before`; fails if any row vanished or changed."""
    added = {}
    for table in TABLES:
        old, new = Counter(before[table]), Counter(after[table])
        assert not old - new, f"{table}: rows changed or removed: {list(old - new)[:3]}"
        if new - old:
            added[table] = list((new - old).elements())
    return added


@pytest.mark.parametrize("fragment", SQL)
def test_sql_fragments_as_state_names_are_refused_and_change_nothing(cli, unchanged, fragment):
    with unchanged():
        for args in (
            ("sponsors", "add", fragment, "--source", "t"),
            (
                "position",
                "set",
                fragment,
                "--topic",
                "treaty",
                "--stance",
                "support",
                "--unsourced",
                "--date",
                "today",
            ),
            (
                *VOTE_ON_REV1,
                "--yes",
                f"France, {fragment}",
            ),
            ("states", "show", fragment),
            ("sponsors", "withdraw", fragment, "--unsourced"),
            (
                "position",
                "set",
                "France",
                "--topic",
                fragment,
                "--stance",
                "support",
                "--unsourced",
                "--date",
                "today",
            ),
        ):
            result = cli(*args)
            assert_refused(result)
            assert "\n" not in result.output.strip()


@pytest.mark.parametrize("fragment", SQL)
def test_sql_fragments_as_text_are_stored_verbatim_and_nothing_else_changes(cli, db_path, fragment):
    before = snapshot(db_path)
    cli.ok(
        "position",
        "set",
        "France",
        "--topic",
        "treaty",
        "--stance",
        "support",
        "--date",
        "2024-05-01",
        "--source",
        fragment,
        "--quote",
        fragment,
    )
    cli.ok("timeline", "add", "2031-02-03", fragment, "--place", fragment, "--source", fragment)
    cli.ok("sponsors", "add", "Chile", "--date", "2024-05-01", "--source", fragment)
    cli.ok("sponsors", "claim", "120", "--date", "2024-05-02", "--source", fragment)
    cli.ok(
        "docs",
        "add",
        "A/C.6/80/L.99",
        "--title",
        fragment,
        "--kind",
        "draft resolution",
        "--body",
        "Sixth Committee",
        "--source",
        fragment,
    )
    cli.ok(
        "vote",
        "record",
        "--doc",
        "A/C.6/80/L.99",
        "--date",
        "2025-11-01",
        "--body",
        "Sixth Committee",
        "--yes",
        "France",
        "--no",
        "Chile",
        "--source",
        fragment,
        "--note",
        fragment,
        "--meeting",
        fragment,
    )
    added = added_rows(before, snapshot(db_path))
    assert set(added) == {
        "positions",
        "events",
        "sponsorship_events",
        "count_claims",
        "documents",
        "votes",
        "ballots",
        "changes",
    }
    assert len(added["positions"]) == len(added["events"]) == len(added["votes"]) == 1
    assert len(added["ballots"]) == 2
    for table in (
        "positions",
        "events",
        "sponsorship_events",
        "count_claims",
        "documents",
        "votes",
    ):
        assert all(fragment in row for row in added[table]), (table, added[table])
    # and it reads back exactly, in JSON
    positions = json.loads(cli.ok("position", "history", "France", "-f", "json").stdout)
    assert any(p["quote"] == fragment and p["source"] == fragment for p in positions)
    assert snapshot(db_path)["states"] == before["states"]


def test_a_symbol_with_sql_is_stored_verbatim_or_refused(cli, db_path):
    before = snapshot(db_path)
    for fragment in SQL:
        result = cli(
            "docs",
            "add",
            fragment,
            "--title",
            "t",
            "--kind",
            "other",
            "--body",
            "General Assembly",
            "--unsourced",
        )
        if result.exit_code:
            assert_refused(result)
    added = added_rows(before, snapshot(db_path))
    assert set(added) <= {"documents", "changes"}
    assert {row[0] for row in added.get("documents", [])} <= set(SQL)


HOSTILE = {
    "markup": "[bold red]loud[/bold red] [/oops] [link=https://e.x]x[/link]",
    "pipes": "a | b || c\\|d",
    "newline": "first line\nsecond | line",
    "formula": '=HYPERLINK("https://evil.example","click")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(A1:A9)",
    "tab": "\t=1+1",
    "json": 'quote " backslash \\ unicode é ✓ nul-ish \u2028 end',
    "html": "<script>alert('x')</script> &amp; <b>bold</b>",
}


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory, _seeded_template):
    """Every hostile text in the sources and titles that listings show (built once; the
    tests that use it only read)."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    shutil.copy(_seeded_template, path)
    cli = Cli(path)
    for i, text in enumerate(HOSTILE.values()):
        day = f"2031-03-{i + 1:02d}"
        cli.ok("timeline", "add", "--source", text, "--place", text, "--", day, text)
        cli.ok(
            "position",
            "set",
            "France",
            "--topic",
            "treaty",
            "--stance",
            "support",
            "--date",
            f"2024-06-{i + 1:02d}",
            "--source",
            text,
            "--quote",
            text,
        )
        cli.ok(
            "sponsors", "claim", str(100 + i), "--date", f"2024-06-{i + 1:02d}", "--source", text
        )
        cli.ok("sponsors", "add", "--date", "2024-06-01", "--source", text, "--", NEW_SPONSORS[i])
        cli.ok(
            "docs",
            "add",
            f"A/C.6/80/L.{i + 50}",
            "--kind",
            "other",
            "--body",
            "General Assembly",
            "--title",
            text,
            "--unsourced",
        )
    return cli


LISTINGS = [
    ("timeline", "list"),
    ("position", "history", "France"),
    ("position", "list", "--topic", "treaty"),
    ("db", "log", "-n", "200"),
    ("sponsors", "count"),
    ("sponsors", "history"),
    ("docs", "list"),
]
NEW_SPONSORS = ["Chile", "Ghana", "Japan", "Peru", "Fiji", "Mali", "Oman", "Chad", "Togo", "Cuba"]


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda a: " ".join(a[:2]))
def test_json_gives_back_every_text_exactly(hostile_db, listing):
    rows = json.loads(hostile_db.ok(*listing, "-f", "json").stdout)
    values = json.dumps(rows, ensure_ascii=False)
    for key, text in HOSTILE.items():
        if listing[:2] == ("position", "list") and key != "html":
            continue  # the current picture shows only the latest stance
        # sources and titles are stored with outer white space trimmed, the rest verbatim
        assert json.dumps(text.strip(), ensure_ascii=False)[1:-1] in values, key


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda a: " ".join(a[:2]))
def test_csv_neutralises_formulas_and_keeps_the_text(hostile_db, listing):
    out = hostile_db.ok(*listing, "-f", "csv").stdout
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or re.fullmatch(
            r"-?\d+(\.\d+)?", cell
        ), cell
    if listing[0] == "timeline":
        assert "'" + HOSTILE["formula"] in cells and "'" + HOSTILE["tab"] in cells
        assert HOSTILE["html"] in cells and HOSTILE["newline"] in cells


def markdown_cells(line: str) -> list[str]:
    """Split a Markdown table row on the pipes that are not escaped."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda a: " ".join(a[:2]))
def test_markdown_rows_keep_their_columns(hostile_db, listing):
    lines = [
        ln
        for ln in hostile_db.ok(*listing, "-f", "markdown").stdout.splitlines()
        if ln.startswith("|")
    ]
    width = len(markdown_cells(lines[0]))
    assert width > 1
    for line in lines:
        assert len(markdown_cells(line)) == width, line
    if listing[0] == "timeline":
        text = "\n".join(lines)
        assert "a \\| b \\|\\| c\\\\\\|d" in text and "first line<br>second \\| line" in text


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda a: " ".join(a[:2]))
def test_rich_tables_print_markup_literally(hostile_db, listing):
    out = hostile_db.ok(*listing, "--wide").stdout  # every column, text whole
    if listing[:2] != ("position", "list"):  # the current picture shows only the latest stance
        # each word as typed (a narrow column may wrap the cell between words)
        for word in HOSTILE["markup"].split() + HOSTILE["html"].split():
            assert word in out, word
    assert "\x1b[" not in out  # no colour codes smuggled in by markup (NO_COLOR is set)
