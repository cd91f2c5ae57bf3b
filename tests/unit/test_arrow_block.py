"""The fast reader of the unvotes CSV (pyarrow, importers/arrow_block.py) against the
reference reader (pure Python, `unvotes_csv._block`): the same rows, or the same refusal.

The files are fictional, built by hypothesis from the pieces of the real format (R's bare
NA and quoted "NA", quotes in odd places, carriage returns, blank lines, short rows, votes
and roll calls the roll-calls file does not know), with the real roll_calls.csv of
tests/data/unvotes/. No timing here: see benchmarks/unvotes_full.py.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cahtracker.errors import CahError
from cahtracker.importers import arrow_block, unvotes_csv
from cahtracker.importers.reading import BallotBlock, ColumnBlock
from conftest import DATA

pytest.importorskip("pyarrow")  # the fast reader is the `fast` extra; CI installs it

ROLL_CALLS = DATA / "unvotes" / "roll_calls.csv"
HEADER = "rcid,country,country_code,vote"
FIELDS = {
    "rcid": st.sampled_from(["3", "9139", "9142", "77", "", "NA", '"3"', "3.0"]),
    "country": st.sampled_from(
        ["France", "Namibia", "Zanzibar", "NA", "", '"Korea, Rep."', "Côte d’Ivoire", 'a"b']
    ),
    "code": st.sampled_from(["FR", "NA", '"NA"', "", "TZ", '""', '"F""R"', "x y"]),
    "vote": st.sampled_from(["yes", "no", "abstain", "NA", "maybe", '"yes"', " yes", "Yes"]),
}
ROW = st.tuples(*FIELDS.values()).map(",".join)
ODD_LINE = st.sampled_from(["", "\r", "3,France", "3,France,FR,yes,extra", '"3,France', " "])
LINES = st.lists(st.one_of(ROW, ROW, ROW, ODD_LINE), max_size=40)
ENDING = st.sampled_from(["\n", "\r\n"])


def rows_of(path: Path, fast: bool | None) -> tuple[Counter, list[str]] | str:
    """Every row of the file as (rcid, code, name, choice), counted, and the roll calls in
    the order their records were made (the order votes are numbered and documents
    credited); or the refusal's message."""
    try:
        blocks = list(unvotes_csv.parse_unvotes(path, ROLL_CALLS, [], fast=fast))
    except CahError as error:
        return str(error)
    rows: Counter = Counter()
    records: list[str] = []
    for block in blocks:
        if isinstance(block, ColumnBlock):
            block = block.as_lists()
        assert isinstance(block, BallotBlock)
        for call, pair, choice in zip(block.calls, block.pair_ids, block.choices, strict=True):
            code, name = block.pairs[pair]
            rows[(call, code, name, choice)] += 1
        records = list(block.records)
    return rows, records


def write(folder: str, lines: list[str], ending: str) -> Path:
    path = Path(folder) / "unvotes.csv"
    path.write_bytes((HEADER + ending + ending.join(lines) + ending).encode("utf-8"))
    return path


@settings(max_examples=300, deadline=None)
@given(lines=LINES, ending=ENDING)
@example(lines=['3,Namibia,"NA",yes', "3,Zanzibar,NA,no"], ending="\n")
@example(lines=['3,"Korea, Rep.",KR,yes', "9139,France,FR,abstain"], ending="\r\n")
@example(lines=['3,France,"F""R",yes'], ending="\n")
def test_the_fast_reader_reads_what_the_reference_reads(lines, ending):
    with tempfile.TemporaryDirectory() as folder:
        path = write(folder, lines, ending)
        assert rows_of(path, None) == rows_of(path, False)


def test_a_bare_na_is_missing_and_a_quoted_na_is_namibia_in_the_fast_reader(tmp_path):
    path = write(str(tmp_path), ['3,Namibia,"NA",yes', "3,Zanzibar,NA,no"], "\n")
    blocks = list(unvotes_csv.parse_unvotes(path, ROLL_CALLS, [], fast=None))
    assert all(isinstance(b, ColumnBlock) for b in blocks)  # the fast reader read it all
    rows, _ = rows_of(path, None)
    assert rows == Counter({("3", "NA", "Namibia", "yes"): 1, ("3", None, "Zanzibar", "no"): 1})


def test_a_block_the_fast_reader_cannot_vouch_for_is_read_by_the_reference(tmp_path):
    # a doubled quote inside a quoted field: valid CSV, which the fast reader leaves alone
    path = write(str(tmp_path), ['3,"a""b",FR,yes', "3,France,FR,no"], "\n")
    blocks = list(unvotes_csv.parse_unvotes(path, ROLL_CALLS, [], fast=None))
    assert [type(b) for b in blocks] == [BallotBlock]
    assert rows_of(path, None)[0] == Counter(
        {("3", "FR", 'a"b', "yes"): 1, ("3", "FR", "France", "no"): 1}
    )


def test_a_refusal_names_the_line_whichever_reader_meets_it(tmp_path):
    path = write(str(tmp_path), ["3,France,FR,yes", '3,a"b,FR,yes'], "\n")
    message = rows_of(path, None)
    assert isinstance(message, str) and "line 3" in message and message == rows_of(path, False)


def test_without_pyarrow_the_reference_reader_reads_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(arrow_block, "block_reader", lambda: None)  # as if not installed
    path = write(str(tmp_path), ['3,Namibia,"NA",yes'], "\n")
    blocks = list(unvotes_csv.parse_unvotes(path, ROLL_CALLS, [], fast=None))
    assert [type(b) for b in blocks] == [BallotBlock]


def test_a_pyarrow_too_old_for_the_writer_leaves_the_reference_reader(monkeypatch):
    import pyarrow.compute as pc

    monkeypatch.delattr(pc, "scatter")  # as in pyarrow 18 and before
    assert arrow_block.block_reader() is None
