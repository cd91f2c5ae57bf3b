"""Acceptance: the whole unvotes history (1946-2019) imports as published, once per vote.

Reads the real files in ../shared/fixtures/unvotes-full/ (see its README) into temporary
databases. The expected tallies are counted from the file by the few lines of `file_tallies`
below (the csv module, not the importer's reader); the membership rules they apply are
written out there, with their sources in data/SOURCES.md ("Membership history").
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from conftest import DATA, FIXTURES, ROOT, Cli

HISTORY = FIXTURES / "unvotes-full"
UNVOTES, ROLL_CALLS = HISTORY / "unvotes.csv", HISTORY / "roll_calls.csv"
# UN Digital Library layout, built from the real ballots of roll call 5480 (tests/data/README.md)
RECORD = DATA / "undl" / "A_RES_71_187.xml"
RCID, SYMBOL, DATE, RECORD_ID = 5480, "A/RES/71/187", "2016-12-19", "fixture-71-187"
MARC = "{http://www.loc.gov/MARC21/slim}"
FORMER_STATES = {
    *("Czechoslovakia", "German Democratic Republic", "Yemen People's Republic", "Zanzibar")
}

pytestmark = [
    pytest.mark.slow,
]


def roll_call_dates() -> dict[int, str]:
    with open(ROLL_CALLS, encoding="utf-8", newline="") as handle:
        return {int(r["rcid"]): r["date"] for r in csv.DictReader(handle)}


def file_tallies(since: str = "1992-01-01") -> dict[int, Counter]:
    """yes/no/abstain per roll call dated `since` or later, counted from the file itself.

    Rows of former states are not any member's ballot: Yugoslavia before 2000-11-01 (the
    Socialist Federal Republic; the seat labelled Yugoslavia from then on is Serbia's) and
    Czechoslovakia (dissolved on 1992-12-31; Czechia and Slovakia were admitted in 1993).
    """
    dates = roll_call_dates()
    tallies: dict[int, Counter] = {r: Counter() for r, d in dates.items() if d >= since}
    with open(UNVOTES, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rcid = int(row["rcid"])
            if rcid not in tallies or row["country"] == "Czechoslovakia":
                continue
            if row["country"] == "Yugoslavia" and dates[rcid] < "2000-11-01":
                continue
            tallies[rcid][row["vote"]] += 1
    return tallies


def rcids_named(vote: dict) -> set[int]:
    """The roll calls a vote's own fields (its source, key, note) name: 'rcid N', 'roll call N'."""
    text = json.dumps({k: v for k, v in vote.items() if k not in ("ballots", "tally")})
    return {int(n) for n in re.findall(r"\b(?:rcid|roll call)\s+(\d+)\b", text)}


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    """The installed entry point, as a user runs it, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "cahtracker", "--db", str(db), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def copy_db(source: Path, target: Path) -> Path:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return target


@pytest.fixture(scope="module")
def seeded_votes(tmp_path_factory) -> int:
    """How many votes a fresh database holds before any import (the seed's own)."""
    db = tmp_path_factory.mktemp("fresh") / "fresh.db"
    return len(json.loads(Cli(db).ok("vote", "list", "-f", "json").stdout))


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """A fresh database into which `vote import unvotes.csv` ran with no option."""
    db = tmp_path_factory.mktemp("history") / "history.db"
    return db, run(db, "vote", "import", str(UNVOTES))


def imported(history) -> Path:
    db, result = history
    assert result.returncode == 0, (
        f"vote import exited {result.returncode}: {result.stderr[-2000:]}"
    )
    return db


def test_the_whole_history_imports_with_no_option(history, seeded_votes):
    db, result = history
    assert result.returncode == 0, result.stderr[-2000:] or result.stdout[-2000:]
    assert "Traceback" not in result.stderr
    votes = json.loads(Cli(db).ok("vote", "list", "-f", "json").stdout)
    assert len(votes) - seeded_votes == len(roll_call_dates())  # 6,203: one vote a roll call


def test_every_roll_call_since_1992_has_the_tally_of_the_file(history):
    cli = Cli(imported(history))
    expected = file_tallies()
    found: dict[int, dict] = {}
    for vote in json.loads(cli.ok("vote", "list", "--from", "1992-01-01", "-f", "json").stdout):
        shown = json.loads(cli.ok("vote", "show", str(vote["id"]), "-f", "json").stdout)
        named = rcids_named(shown) & expected.keys()
        assert len(named) <= 1, f"vote {vote['id']} names roll calls {sorted(named)}"
        for rcid in named:
            assert rcid not in found, (
                f"roll call {rcid} is votes {found[rcid]['id']} and {vote['id']}"
            )
            found[rcid] = shown
    missing = sorted(expected.keys() - found.keys())
    assert not missing, f"{len(missing)} roll calls not found by rcid, e.g. {missing[:5]}"
    wrong = {
        rcid: (dict(want), {k: found[rcid]["tally"][k] for k in ("yes", "no", "abstain")})
        for rcid, want in expected.items()
        if {k: found[rcid]["tally"][k] for k in ("yes", "no", "abstain")}
        != {k: want[k] for k in ("yes", "no", "abstain")}
    }
    assert not wrong, f"{len(wrong)} tallies differ from the file, e.g. {list(wrong.items())[:3]}"


def test_the_record_fixture_holds_the_real_ballots_of_its_roll_call():
    members = {}
    with open(ROOT / "data" / "un_member_states.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["status"] == "member" and row["admitted_on"] <= DATE:
                members[row["iso2"]] = row["iso3"]
    members["YU"] = "SRB"  # the unvotes label for Serbia after 2000-11-01
    want = dict.fromkeys(members.values(), "non-voting")
    with open(UNVOTES, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["rcid"] == str(RCID):
                want[members[row["country_code"]]] = row["vote"]
    letters = {"Y": "yes", "N": "no", "A": "abstain", None: "non-voting"}
    got = {}
    for field in ET.parse(RECORD).getroot().iter(f"{MARC}datafield"):
        if field.get("tag") == "967":
            codes = {s.get("code"): s.text for s in field}
            got[codes["c"]] = letters[codes.get("d")]
    assert got == want
    assert roll_call_dates()[RCID] == DATE


def _one_vote_on_the_symbol(cli: Cli) -> dict:
    votes = json.loads(cli.ok("vote", "list", "--doc", SYMBOL, "-f", "json").stdout)
    assert [(v["symbol"], v["date"]) for v in votes] == [(SYMBOL, DATE)], votes
    return json.loads(cli.ok("vote", "show", str(votes[0]["id"]), "-f", "json").stdout)


def _compared(cli: Cli) -> dict:
    return json.loads(cli.ok("vote", "compare", "France", "United States", "-f", "json").stdout)


def _check_counted_once(cli: Cli, before: dict) -> None:
    vote = _one_vote_on_the_symbol(cli)
    want = file_tallies("2016-12-19")[RCID]
    assert {k: vote["tally"][k] for k in ("yes", "no", "abstain")} == {
        k: want[k] for k in ("yes", "no", "abstain")
    }
    text = json.dumps({k: v for k, v in vote.items() if k != "ballots"})
    assert RCID in rcids_named(vote) and RECORD_ID in text, "both sources are named on the vote"
    after = _compared(cli)
    assert after["votes_compared"] == before["votes_compared"]
    assert [d["symbol"] for d in after["disagreements"]].count(SYMBOL) == 1


def test_a_digital_library_record_of_a_roll_call_is_the_same_vote(history, tmp_path):
    cli = Cli(copy_db(imported(history), tmp_path / "both.db"))
    before = _compared(cli)
    assert [d["symbol"] for d in before["disagreements"]].count(SYMBOL) == 1  # France yes, US no
    cli.ok("vote", "import", str(RECORD))
    _check_counted_once(cli, before)


def test_the_record_first_then_the_history_is_still_one_vote(tmp_path, history):
    reference = _compared(Cli(imported(history)))  # the history alone
    db = tmp_path / "record-first.db"
    Cli(db).ok("vote", "import", str(RECORD))
    result = run(db, "vote", "import", str(UNVOTES))
    assert result.returncode == 0, result.stderr[-2000:]
    _check_counted_once(Cli(db), reference)


def test_every_roll_call_accounts_for_every_row_of_the_file(history):
    """Each roll call's rows = its yes/no/abstain ballots + the ballots not recorded (former
    states, no membership rule needed here); the votes with such ballots are not complete."""
    dates = roll_call_dates()
    rows, former = Counter(), 0
    with open(UNVOTES, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[int(row["rcid"])] += 1
            # the former states without a continuing seat (data/former_states.csv)
            former += row["country"] in FORMER_STATES or (
                row["country"] == "Yugoslavia" and dates[int(row["rcid"])] < "2000-11-01"
            )
    cli = Cli(imported(history))
    votes = json.loads(cli.ok("vote", "list", "-f", "json").stdout)
    seen = {}
    for vote in votes:
        named = rcids_named(vote) & rows.keys()
        if named:
            (rcid,) = named
            cover = vote["coverage"]
            counted = sum(vote["tally"][k] for k in ("yes", "no", "abstain"))
            seen[rcid] = (counted + cover["ballots_not_recorded"], cover)
    assert seen.keys() == rows.keys()
    wrong = {r: (seen[r][0], n) for r, n in rows.items() if seen[r][0] != n}
    assert not wrong, f"{len(wrong)} roll calls, e.g. {list(wrong.items())[:3]}"
    assert sum(c["ballots_not_recorded"] for _, c in seen.values()) == former
    assert not [r for r, (_, c) in seen.items() if c["ballots_not_recorded"] and c["complete"]]


def test_the_readme_gives_the_figures_the_import_prints(history):
    _, result = history
    imported(history)
    printed = re.search(r"Imported (\d+) votes with (\d+) ballots", result.stdout)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"# Imported (\d+) votes with (\d+) ballots", readme)
    assert printed and stated and printed.groups() == stated.groups()
    ballots = int(printed.group(2))
    assert f"{ballots:,} ballots" in readme
    for doc in ("benchmarks/README.md", "benchmarks/unvotes_full.py"):
        assert f"{ballots:,}" in (ROOT / doc).read_text(encoding="utf-8"), doc


def test_two_imports_of_the_history_give_the_same_documents(history, tmp_path):
    """Two members importing the same file must be able to merge: the documents the import
    creates, with their sources (the first roll call of each symbol in the file), are the same
    whatever Python's hash seed (they followed set order: 15 documents named another roll call
    in each copy, and `db merge` refused them as conflicts)."""
    import os

    db = imported(history)
    other = tmp_path / "other.db"
    seed = os.environ.get("PYTHONHASHSEED")
    env = {**os.environ, "PYTHONHASHSEED": "1" if seed != "1" else "2"}
    result = subprocess.run(
        [sys.executable, "-m", "cahtracker", "--db", str(other), "vote", "import", str(UNVOTES)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]

    def documents(path: Path) -> list[tuple]:
        with sqlite3.connect(path) as conn:
            return conn.execute(
                "SELECT symbol, kind, title, source FROM documents ORDER BY symbol"
            ).fetchall()

    assert documents(db) == documents(other)
    merge = run(db, "db", "merge", str(other), "--dry-run", "-f", "json")
    assert merge.returncode == 0, merge.stdout[-2000:] + merge.stderr[-2000:]
    assert json.loads(merge.stdout)["conflicts"] == []
