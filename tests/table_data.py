"""Listings and a fictional database for the table-width tests (tests/cli/test_table_widths.py
on a pipe, tests/system/test_terminal_tables.py on a pseudo-terminal).

The database is the seed plus the fictional record of tests/report_data.py (a rejected
amendment A/FIC/L.99, recorded votes) and fictional co-sponsors with the longest UN names,
so that a state name wider than half a terminal is in the tables.
"""

from __future__ import annotations

import json
import shutil

import report_data
from conftest import Cli

UK = "United Kingdom of Great Britain and Northern Ireland"
BOLIVIA = "Bolivia (Plurinational State of)"

# per listing: the JSON rows (a key of the JSON object, or None for the list itself) and
# the identifiers each row shows, JSON key -> table header (written here, not read from
# the code, so that a column turned into text by mistake fails)
LISTINGS = {
    ("vote", "list"): (
        None,
        {"id": "ID", "symbol": "Symbol", "date": "Date", "outcome": "Outcome"},
    ),
    ("docs", "list"): (None, {"symbol": "Symbol", "parent_symbol": "Parent", "date": "Date"}),
    ("sponsors", "list"): (None, {"role": "Role", "name": "State", "joined_on": "Joined"}),
    ("sponsors", "count"): ("claims", {"count": "Reported", "date": "Date", "symbol": "For"}),
    ("sponsors", "history"): (
        None,
        {"date": "Date", "name": "State", "action": "Action", "role": "Role", "symbol": "Document"},
    ),
    ("position", "list"): (
        None,
        {"name": "State", "topic": "Topic", "stance": "Stance", "date": "Date"},
    ),
    ("position", "topics"): (None, {"slug": "Slug", "states": "States"}),
    ("states", "list"): (None, {"iso3": "ISO3", "name": "Name"}),
    ("timeline", "list"): (None, {"starts_on": "Start", "ends_on": "End"}),
    ("db", "log"): (None, {"id": "#", "batch": "Batch", "command": "Command"}),
    ("analyze", "align", "France", "--group", "WEOG"): (
        None,
        {"rank": "#", "name": "State", "votes": "Votes", "score": "Score"},
    ),
    ("analyze", "targets"): (None, {"rank": "#", "name": "State", "stance": "Stance"}),
    ("vote", "compare", "France", "Russia"): ("disagreements", {"id": "ID", "symbol": "Symbol"}),
}


def build(path, template) -> Cli:
    """A copy of the seeded `template` at `path`, with the fictional record added."""
    shutil.copy(template, path)
    cli = Cli(path)
    report_data.build(cli)
    cli.ok("sponsors", "add", f"{UK}; {BOLIVIA}", "--date", "2024-11-20", "--source",
           "fictional long source " * 6)  # fmt: skip
    cli.ok("position", "set", "GBR", "--topic", "gender-apartheid", "--stance", "undecided",
           "--date", "2024-11-20", "--source", "fictional", "--quote", "a fictional quote " * 5)  # fmt: skip
    return cli


def at_width(cli: Cli, width: int, *args: str):
    from cahtracker.cli import app

    result = cli.runner.invoke(app, ["--db", str(cli.db), *args], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.stdout


def rows_of(cli: Cli, args: tuple[str, ...], key: str | None) -> list[dict]:
    data = json.loads(cli.ok(*args, "-f", "json").stdout)
    return data[key] if key else data


def check_identifiers(out: str, width: int, rows: list[dict], identifiers: dict[str, str]):
    lines = out.splitlines()
    assert all(len(line) <= width for line in lines), "\n".join(
        line for line in lines if len(line) > width
    )
    footer = " ".join(" ".join(lines[-5:]).split())  # the footer may wrap
    for row in rows:
        for key, header in identifiers.items():
            value = row[key]
            if value in (None, ""):
                continue
            value = str(value)
            if f"Not shown at {width} columns" in footer and header in footer.split(":", 1)[-1]:
                continue  # left out, and said so
            if any(value in line for line in lines):
                continue
            # a long state name may wrap between words when nothing else fits
            assert " " in value and all(word in out for word in value.split()), (key, value, out)
