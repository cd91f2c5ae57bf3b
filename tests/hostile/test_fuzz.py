"""Fuzzing the importers: any bytes in, a clean CahError refusal or a valid import out.

Random bytes rarely get past a header, so most examples are built from the pieces of the
real formats (headers, tags, labels, codes, votes, numbers) shuffled with junk.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cahtracker.errors import CahError
from cahtracker.importers import FORMATS, detect_format, parse
from cahtracker.importers.reading import BallotBlock, ColumnBlock
from cahtracker.importers.writer import import_votes
from cahtracker.names import NameIndex
from conftest import DATA

ROLL_CALLS = DATA / "unvotes" / "roll_calls.csv"

UNDL_HEADER = (
    "undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,committee_report,meeting,"
    "title,agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,"
    "total_non_voting,total_ms,undl_link"
)
PIECES = st.sampled_from(
    [
        "",
        "1",
        "9139",
        "3",
        "120.0",
        "-1",
        "1e400",
        "nan",
        "1.2.3",
        "x",
        "Y",
        "N",
        "A",
        "X",
        "NV",
        "yes",
        "no",
        "abstain",
        "FRA",
        "FR",
        "MEX",
        "XXX",
        "FRANCE",
        "France",
        "Yugoslavia",
        "YU",
        "A/RES/74/243",
        "A/RES/1/1",
        "2019-12-19",
        "19461301",
        "2024-02-30",
        "today",
        '"',
        '""',
        ",",
        "\n",
        "\r\n",
        "\x00",
        "é",
        "\ufeff",
        "<",
        ">",
        "&amp;",
        "&lol;",
    ]
)
JUNK = st.text(max_size=12)


def csv_text(header: str):
    cell = st.one_of(PIECES, JUNK)
    row = st.lists(cell, min_size=0, max_size=22).map(",".join)
    return st.lists(row, max_size=8).map(lambda rows: "\n".join([header, *rows]))


XML_PIECES = st.sampled_from(
    [
        '<?xml version="1.0"?>',
        "<collection>",
        "</collection>",
        "<record>",
        "</record>",
        '<controlfield tag="001">',
        "</controlfield>",
        '<datafield tag="791">',
        '<datafield tag="967">',
        '<datafield tag="996">',
        '<datafield tag="269">',
        "</datafield>",
        '<subfield code="a">',
        '<subfield code="c">',
        '<subfield code="d">',
        '<subfield code="e">',
        '<subfield code="b">',
        "</subfield>",
        "A/RES/74/243",
        "FRA",
        "Y",
        "N",
        "Q",
        "160",
        "x.5",
        "2019-12-19",
        "<!DOCTYPE r [<!ENTITY e 'x'>]>",
        "&e;",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
    ]
)
HTML_PIECES = st.sampled_from(
    [
        "<div>",
        "</div>",
        "<br>",
        "<script>",
        "</script>",
        "Vote",
        "Resolution",
        "Vote date",
        "Y FRANCE",
        "N MEXICO",
        "A ALBANIA",
        "ATLANTIS",
        "FRANCE",
        "A/RES/74/243",
        "Yes: 160 | No: 6 | Abstentions: 15 | Non-Voting: 12 | Total voting membership: 193",
        "Yes: 1.2.3 | No: 6 | Abstentions: 1 | Non-Voting: 0",
        "2019-12-19",
        "19 Dec. 2019",
        "03/04/2019",
        "digitallibrary.un.org/record/4031242",
        "&amp;",
        "&#0;",
        "<p",
        "\n",
    ]
)

FILES = st.one_of(
    st.binary(max_size=600),
    csv_text(UNDL_HEADER).map(str.encode),
    csv_text("undl_id,ms_codes,ms_names,ms_votes,date,resolution,total_yes").map(str.encode),
    csv_text("rcid,country,country_code,vote").map(str.encode),
    st.lists(st.one_of(XML_PIECES, JUNK), max_size=40).map(lambda p: "".join(p).encode()),
    st.lists(st.one_of(HTML_PIECES, JUNK), max_size=40).map(lambda p: "\n".join(p).encode()),
)


HTML_PAGE = (
    b"<div>Vote date</div><div>2019-12-19</div><div>Vote</div><div>Y FRANCE</div>"
    b"<div>N MEXICO</div><div>Yes: 1 | No: 1 | Abstentions: 0 | Non-Voting: 0</div>"
    b"<div>Resolution</div><div>A/RES/74/243</div>"
)


def parse_all(path: Path, fmt: str) -> list:
    return list(parse(path, fmt, ROLL_CALLS if fmt == "unvotes-csv" else None, []))


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=100, deadline=None)
@given(data=FILES)
def test_parsers_refuse_cleanly_or_yield_votes(fmt, data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input"
        path.write_bytes(data)
        try:
            votes = parse_all(path, fmt)
        except CahError as error:
            assert str(error) and "\n" not in str(error)
            return
    for vote in votes:
        if isinstance(vote, ColumnBlock):  # pyarrow's arrays: the same rows as lists
            vote = vote.as_lists()
        if isinstance(vote, BallotBlock):  # rows in columns, each with its vote's record
            assert vote.calls and len(vote.calls) == len(vote.pair_ids) == len(vote.choices)
            assert set(vote.pair_ids) == set(range(len(vote.pairs)))
            assert set(vote.choices) <= {"yes", "no", "abstain"}
            assert all(vote.records[c].symbol for c in set(vote.calls))
            continue
        assert vote.symbol and isinstance(vote.symbol, str)
        assert all(choice in ("yes", "no", "abstain", "non-voting") for *_, choice in vote.ballots)


@settings(max_examples=100, deadline=None)
@given(data=FILES)
def test_format_detection_refuses_cleanly_or_names_a_format(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input"
        path.write_bytes(data)
        try:
            assert detect_format(path) in FORMATS
        except CahError as error:
            assert "\n" not in str(error)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=FILES, fmt=st.sampled_from(["auto", *FORMATS]))
# what fuzzing found: a header without rows imported "0 votes"; a summary total '1.2.3'
# raised ValueError and '1.5' was cut to 1; an impossible date was stored as given
@example(data=b"undl_id,ms_code,ms_vote,date,resolution", fmt="auto")
@example(data=HTML_PAGE.replace(b"Yes: 1 ", b"Yes: 1.2.3 "), fmt="undl-html")
@example(data=HTML_PAGE.replace(b"Yes: 1 ", b"Yes: 1.5 "), fmt="undl-html")
@example(data=HTML_PAGE.replace(b"2019-12-19", b"2019-02-30"), fmt="undl-html")
@example(data=f"{UNDL_HEADER}\n1,FRA,FRANCE,Y,2019-13-01{',' * 15}".encode(), fmt="auto")
def test_whole_import_refuses_cleanly_or_imports(store, data, fmt):
    """Through import_votes on a real database: a refusal leaves no change behind, an import
    stores only real dates (a SQLite error would fail the test as any other exception)."""
    names = NameIndex.load(store)
    before = store.scalar("SELECT count(*) FROM changes")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input"
        path.write_bytes(data)
        roll_calls = ROLL_CALLS if fmt == "unvotes-csv" else None
        try:
            summary = import_votes(store, names, path, fmt, roll_calls)
        except CahError as error:
            assert "\n" not in str(error)
            assert store.scalar("SELECT count(*) FROM changes") == before
            return
    assert summary.votes >= 1 or summary.unknown
    assert not store.conn.in_transaction
    for row in store.query("SELECT date, outcome FROM votes"):
        assert row["date"] is None or date.fromisoformat(row["date"]).isoformat() == row["date"]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.one_of(PIECES, JUNK, st.sampled_from([" and ", ";", "\n", "Côte d’Ivoire"])),
            max_size=20,
        ).map(lambda p: ", ".join(p).encode()),
    )
)
def test_sponsor_lists_refuse_cleanly_or_resolve(store, data):
    """`sponsors import`: any bytes give a CahError or sponsorship facts of known states."""
    from cahtracker.sponsor_docs import read_sponsor_file

    names = _names(store)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.txt"
        path.write_bytes(data)
        try:
            result = read_sponsor_file(path, names)
        except CahError as error:
            assert "\n" not in str(error)
            return
    # unknown names make a one-line refusal; no names at all is refused by the reader (see
    # test_hostile_input.py::test_a_list_of_only_separators_is_refused)
    assert result.format != "text" or result.unknown or result.facts
    assert result.refusal() is None or "\n" not in result.refusal()
    assert all(len(fact.iso3) == 3 for fact in result.facts)


_NAME_INDEX: dict = {}


def _names(store):
    """One name index per database file (building it costs more than a resolve)."""
    if store.path not in _NAME_INDEX:
        _NAME_INDEX[store.path] = NameIndex.load(store)
    return _NAME_INDEX[store.path]
