"""The bulk import's fast path keeps every check (no timed assertions: see benchmarks/)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cahtracker import votes
from cahtracker.errors import CahError
from cahtracker.importers import reading, writer
from conftest import ROOT, assert_refused


def _generator():
    spec = importlib.util.spec_from_file_location(
        "generate_bulk", ROOT / "benchmarks" / "generate_bulk.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bulk_file(tmp_path: Path, resolutions: int, name: str = "bulk.csv") -> Path:
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as out:
        _generator().generate(out, resolutions)
    return path


def ballots_of(db: Path) -> list[tuple]:
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute(
            "SELECT v.undl_id, b.iso3, b.choice FROM ballots b JOIN votes v ON v.id = b.vote_id "
            "ORDER BY v.undl_id, b.iso3"
        ).fetchall()
    finally:
        conn.close()


def index_sql(db: Path) -> str | None:
    conn = sqlite3.connect(str(db))
    try:
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'idx_ballots_iso3'"
        ).fetchone()
        return row and row[0]
    finally:
        conn.close()


def spy_on_index(monkeypatch, big: int) -> list[bool]:
    """Lower the threshold; the list records, after each vote, whether the index was dropped."""
    dropped: list[bool] = []
    real = votes.BallotIndex.added

    def added(self, n):
        real(self, n)
        dropped.append(self.dropped)

    monkeypatch.setattr(votes.BallotIndex, "BIG", big)
    monkeypatch.setattr(votes.BallotIndex, "added", added)
    return dropped


def test_generated_bulk_file_imports_with_totals_that_agree(cli, tmp_path):
    path = bulk_file(tmp_path, 3)
    summary = json.loads(cli.ok("vote", "import", str(path), "-f", "json").stdout)
    assert summary["votes"] == 3 and summary["ballots"] == 3 * 193
    assert summary["totals_mismatches"] == [] and summary["unknown_skipped"] == {}


def test_index_dropped_for_a_big_import_is_built_again_with_the_same_rows(
    cli, db_path, tmp_path, monkeypatch
):
    path = bulk_file(tmp_path, 4)
    before = index_sql(db_path)
    other = tmp_path / "kept.db"
    shutil.copy(db_path, other)
    result = cli("vote", "import", str(path), db=other)  # 772 ballots: under the threshold
    assert result.exit_code == 0, result.output
    dropped = spy_on_index(monkeypatch, big=200)
    cli.ok("vote", "import", str(path))
    assert any(dropped)  # the index was dropped during this import ...
    assert index_sql(db_path) == before  # ... and is back, as it was
    assert ballots_of(db_path) == ballots_of(other)
    conn = sqlite3.connect(str(db_path))
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT vote_id FROM ballots WHERE iso3 = 'FRA'"
    ).fetchall()
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    assert "idx_ballots_iso3" in " ".join(str(r) for r in plan)


def test_refusal_after_the_index_was_dropped_leaves_the_database_unchanged(
    cli, tmp_path, unchanged, monkeypatch
):
    path = bulk_file(tmp_path, 3)
    header, *lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # the last vote's official yes total is one more than its ballots give, on every row of
    # it: refused at the end, after every ballot (and the DROP of the index) was written
    last = lines[-1].split(",")[0]
    column = header.split(",").index("total_yes")
    for i, line in enumerate(lines):
        fields = line.split(",")
        if fields[0] == last:
            fields[column] = f"{float(fields[column]) + 1}"
            lines[i] = ",".join(fields)
    path.write_text(header + "".join(lines), encoding="utf-8")
    dropped = spy_on_index(monkeypatch, big=100)
    with unchanged():
        assert_refused(cli("vote", "import", str(path)), "disagree with the ballots")
    assert any(dropped)


def test_a_state_twice_in_a_vote_is_refused_before_any_ballot_is_written(
    cli, tmp_path, unchanged, monkeypatch
):
    path = bulk_file(tmp_path, 3)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[-1])  # the last vote names its last state twice
    path.write_text("".join(lines), encoding="utf-8")
    dropped = spy_on_index(monkeypatch, big=100)
    with unchanged():
        assert_refused(cli("vote", "import", str(path)), "has two ballots")
    assert dropped == []  # found while reading: no ballot was written, the index untouched


def test_a_choice_outside_the_schema_is_refused_although_check_constraints_are_off(
    store, tmp_path, monkeypatch
):
    from cahtracker.names import NameIndex

    def parse(path, fmt, roll_calls, counter_box):
        yield reading.ImportedVote(
            symbol="A/RES/99/1", date="2020-01-01", ballots=[("FRA", "France", "maybe")]
        )

    monkeypatch.setattr(writer, "parse", parse)
    path = bulk_file(tmp_path, 1)
    with pytest.raises(CahError, match="choice outside"):
        writer.import_votes(store, NameIndex.load(store), path)
    assert store.scalar("SELECT count(*) FROM votes WHERE symbol = 'A/RES/99/1'") == 0
    assert store.scalar("PRAGMA ignore_check_constraints") == 0
    with pytest.raises(sqlite3.IntegrityError):  # and the schema's CHECK is back on
        store.conn.execute("INSERT INTO ballots VALUES (1, 'FRA', 'maybe', NULL)")


def test_code_decides_before_name_as_before(cli, tmp_path):
    """A row whose code is known is read by its code, whatever name the file prints."""
    path = bulk_file(tmp_path, 1)
    text = path.read_text(encoding="utf-8").replace(",FRA,FRANCE,", ",FRA,NOT A NAME,")
    path.write_text(text, encoding="utf-8")
    cli.ok("vote", "import", str(path))
    vote = json.loads(cli.ok("vote", "show", "A/RES/45/1", "-f", "json").stdout)
    assert "FRA" in {b["iso3"] for b in vote["ballots"]} and len(vote["ballots"]) == 193


HEAVY = (
    "sqlite_utils",
    "rich.table",
    "rich.console",
    "dateutil",
    "jinja2",
    "defusedxml",
    "pydantic",
    "pyarrow",  # the fast extra: only `vote import` of an unvotes CSV loads it
)


def _heavy_after(code: str) -> list[str]:
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys\n{code}\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.splitlines()[-1] if result.stdout.strip() else ""
    return [m for m in last.split(",") if m]


def test_every_command_module_imports_no_heavy_library():
    """`import cahtracker.cli` builds no group now; building them all must stay light too."""
    assert _heavy_after("import cahtracker.cli\ncahtracker.cli.app") == []


def test_an_import_of_another_format_does_not_load_pyarrow(db_path, tmp_path):
    path = bulk_file(tmp_path, 1)  # the UN Digital Library CSV
    code = (
        "from cahtracker.cli import main\n"
        f"sys.argv = ['cahtracker', '--db', {str(db_path)!r}, 'vote', 'import', {str(path)!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code\n"
    )
    assert "pyarrow" not in _heavy_after(code)


def test_a_listing_to_a_pipe_imports_no_rich_console(db_path):
    code = (
        "from cahtracker.cli import main\n"
        f"sys.argv = ['cahtracker', '--db', {str(db_path)!r}, 'sponsors', 'list']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code\n"
    )
    assert _heavy_after(code) == []


FIELD = st.text(
    alphabet=st.sampled_from('ab ,"\n;é'), max_size=6
)  # csv.writer leaves a lone CR unquoted
HEADER = (
    "undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,committee_report,meeting,title,"
    "agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,total_non_voting,total_ms,"
    "undl_link"
).split(",")


def _reference(path: Path) -> list[tuple]:
    """The bulk CSV read row by row with the csv module: what the fast parser must give."""
    import csv

    from cahtracker.importers.undl_csv import CHOICES

    votes: list[tuple] = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader)
        current = None
        for row in reader:
            if not row:
                continue
            if row[0] != current:
                current = row[0]
                votes.append((row[0], row[6], row[4], row[10], []))
            votes[-1][4].append(
                (row[1], row[2], CHOICES.get(row[3]) or CHOICES[row[3].strip().upper()])
            )
    return votes


@settings(max_examples=150, deadline=None)
@given(
    votes=st.lists(
        st.tuples(
            st.sampled_from(["A/RES/75/1", "A/RES/75/2"]),  # two votes may share every column
            FIELD,  # title: commas, quotes, line breaks
            st.lists(
                st.tuples(
                    st.sampled_from(["FRA", "DEU", "CIV", "TUR", "USA"]),
                    FIELD,  # name: quoted when it has a comma
                    st.sampled_from(["Y", "N", "A", "X", "NV", "", " y "]),
                ),
                min_size=1,
                max_size=5,
            ),
        ),
        min_size=1,
        max_size=4,
    ),
    terminator=st.sampled_from(["\n", "\r\n"]),
    blank_lines=st.booleans(),
)
def test_fast_bulk_parser_reads_what_the_csv_module_reads(
    tmp_path_factory, votes, terminator, blank_lines
):
    import csv
    import io

    from cahtracker.importers.undl_csv import parse_undl_csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator=terminator)
    writer.writerow(HEADER)
    for n, (symbol, title, ballots) in enumerate(votes):
        for code, name, vote in ballots:
            writer.writerow(
                [
                    f"id{n}",
                    code,
                    name,
                    vote,
                    "2020-01-02",
                    "75",
                    symbol,
                    "",
                    "",
                    "",
                    title,
                    "agenda, item",
                    'say "hi"',
                    "",
                    "1.0",
                    "",
                    "",
                    "",
                    "193.0",
                    "",
                ]
            )
            if blank_lines:
                out.write(terminator)
    path = tmp_path_factory.mktemp("fast") / "bulk.csv"
    path.write_bytes(out.getvalue().encode("utf-8"))
    parsed = [
        (v.key.removeprefix("undl:"), v.symbol, v.date, v.ballots) for v in parse_undl_csv(path, [])
    ]
    expected = [(key, symbol, date, ballots) for key, symbol, date, _, ballots in _reference(path)]
    assert parsed == expected
