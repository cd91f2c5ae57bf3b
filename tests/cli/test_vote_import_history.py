"""The unvotes history and the UN Digital Library together: what a red team found, as tests.

Two kinds of data: fictional unvotes files written here (roll calls, states and ballots
invented for the case), and the real ballots of roll call 5480 (A/RES/71/187, 2016-12-19),
cut from ../shared/fixtures/unvotes-full/ with its UN Digital Library record built from the
same ballots (tests/data/undl/A_RES_71_187.xml, see tests/data/README.md); altered copies
of that record are made in the test and say what was changed.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import DATA, FIXTURES, assert_refused, need

RECORD = DATA / "undl" / "A_RES_71_187.xml"
HEADER = "rcid,session,importantvote,date,unres,amend,para,short,descr\n"


def unvotes(folder, rows: str, calls: str):
    """A fictional unvotes.csv and roll_calls.csv in `folder`; returns the votes file."""
    (folder / "unvotes.csv").write_text("rcid,country,country_code,vote\n" + rows, encoding="utf-8")
    (folder / "roll_calls.csv").write_text(HEADER + calls, encoding="utf-8")
    return folder / "unvotes.csv"


@pytest.fixture(scope="module")
def roll_call_5480(tmp_path_factory):
    """The real rows of roll call 5480, cut from the whole history with its roll call."""
    full = need(FIXTURES / "unvotes-full")
    folder = tmp_path_factory.mktemp("rc5480")
    lines = (full / "unvotes.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    rows = "".join(line for line in lines[1:] if line.startswith("5480,"))
    calls = next(
        line
        for line in (full / "roll_calls.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        if line.startswith("5480,")
    )
    return unvotes(folder, rows, calls)


def altered_record(tmp_path, afghanistan: str, yes: int, no: int):
    """The record of A/RES/71/187 with Afghanistan's ballot and the totals changed."""
    text = RECORD.read_text(encoding="utf-8")
    text = re.sub(
        r'(<subfield code="c">AFG</subfield><subfield code="d">)N(</subfield>)',
        rf"\g<1>{afghanistan}\g<2>",
        text,
    )
    text = text.replace(
        '<subfield code="b">117</subfield><subfield code="c">40</subfield>',
        f'<subfield code="b">{yes}</subfield><subfield code="c">{no}</subfield>',
    )
    path = tmp_path / f"record_{afghanistan}_{yes}.xml"
    path.write_text(text, encoding="utf-8")
    return path


def show(cli) -> dict:
    return json.loads(cli.ok("vote", "show", "A/RES/71/187", "-f", "json").stdout)


def votes_on(cli, symbol: str) -> list[dict]:
    return [
        v for v in json.loads(cli.ok("vote", "list", "-f", "json").stdout) if v["symbol"] == symbol
    ]


def test_the_source_of_a_vote_imported_again_replaces_its_ballots(cli, tmp_path, roll_call_5480):
    cli.ok("vote", "import", str(altered_record(tmp_path, "Y", 118, 39)))
    merged = json.loads(cli.ok("vote", "import", str(roll_call_5480), "-f", "json").stdout)
    assert merged["merged"] == 1 and len(merged["ballot_differences"]) == 1
    assert show(cli)["tally"]["yes"] == 118  # the first source's ballots stand
    cli.ok("vote", "import", str(RECORD))  # the corrected record
    vote = show(cli)
    assert vote["tally"]["yes"] == 117 and vote["official_totals"]["yes"] == 117
    assert vote["ballot_differences"] == []  # the sources agree now
    assert {s["key"] for s in vote["sources"]} == {"undl:fixture-71-187", "unvotes rcid 5480"}
    assert len(votes_on(cli, "A/RES/71/187")) == 1


def test_the_totals_of_another_source_are_checked_too(cli, tmp_path, roll_call_5480, unchanged):
    cli.ok("vote", "import", str(roll_call_5480))
    wrong = altered_record(tmp_path, "N", 100, 40)  # ballots as recorded, a yes total of 100
    with unchanged():
        assert_refused(cli("vote", "import", str(wrong)), "official totals that disagree")
    cli.ok("vote", "import", str(wrong), "--accept-mismatches")


def test_a_merge_is_said_in_the_summary(cli, tmp_path, roll_call_5480):
    cli.ok("vote", "import", str(roll_call_5480))
    out = cli.ok("vote", "import", str(altered_record(tmp_path, "Y", 118, 39))).stdout
    assert "1 added as another source of a vote already recorded" in out
    assert "Ballots the sources disagree on: 1" in out and "Afghanistan" in out


def test_an_import_another_one_added_a_source_to_cannot_be_undone_before_it(
    cli, tmp_path, roll_call_5480, unchanged
):
    def batches():
        log = json.loads(cli.ok("db", "log", "-n", "1000", "-f", "json").stdout)
        return sorted({r["batch"] for r in log if r["command"] == "vote import"})

    # the record without its totals: the second import adds only a source row to the vote
    bare = tmp_path / "no_totals.xml"
    bare.write_text(
        re.sub(r'<datafield tag="996".*?</datafield>', "", RECORD.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    cli.ok("vote", "import", str(roll_call_5480))
    cli.ok("vote", "import", str(bare))
    first, second = batches()
    with unchanged():
        assert_refused(cli("db", "undo", "--batch", str(first)), "vote_sources", "undo that first")
    cli.ok("db", "undo", "--batch", str(second))
    cli.ok("db", "undo", "--batch", str(first))
    assert votes_on(cli, "A/RES/71/187") == []
    log = json.loads(cli.ok("db", "log", "-n", "5", "-f", "json").stdout)
    cli.ok("db", "undo", "--batch", str(log[0]["batch"]))  # redo the first import
    assert [s["key"] for s in show(cli)["sources"]] == ["unvotes rcid 5480"]


def test_a_vote_recorded_by_hand_is_replaced_by_one_roll_call_only(cli, tmp_path):
    """Fictional: two roll calls on one symbol and day, the whole text and a paragraph."""
    cli.ok(
        *("vote", "record", "--doc", "A/RES/74/9001", "--create-doc", "--date", "2019-12-19"),
        *("--body", "General Assembly", "--yes", "France", "--no", "Chile", "--source", "hand"),
    )
    path = unvotes(
        tmp_path,
        "1,France,FR,yes\n1,Chile,CL,no\n2,France,FR,no\n2,Chile,CL,yes\n",
        "1,74,0,2019-12-19,A/RES/74/9001,0,0,X,THE TEXT\n"
        "2,74,0,2019-12-19,A/RES/74/9001,0,1,X,A PARAGRAPH\n",
    )
    summary = json.loads(cli.ok("vote", "import", str(path), "-f", "json").stdout)
    assert summary["replaced"] == 1 and summary["votes"] == 2
    votes = votes_on(cli, "A/RES/74/9001")
    assert len(votes) == 2
    questions = sorted(
        json.loads(cli.ok("vote", "show", str(v["id"]), "-f", "json").stdout)["question"]
        for v in votes
    )
    assert questions == ["paragraph", "text as a whole"]


@pytest.mark.parametrize(
    ("amend", "question"),
    [("1.0", "amendment"), ("0.0", "text as a whole"), ("NA", "text as a whole")],
)
def test_flags_as_written_by_r_and_by_pandas(cli, tmp_path, amend, question):
    path = unvotes(
        tmp_path, "1,France,FR,yes\n", f"1,74,0,2019-12-19,A/RES/74/9002,{amend},0,X,Y\n"
    )
    cli.ok("vote", "import", str(path))
    assert (
        json.loads(cli.ok("vote", "show", "A/RES/74/9002", "-f", "json").stdout)["question"]
        == question
    )


@pytest.mark.parametrize(
    ("rows", "calls", "fragment"),
    [
        ("1,France,FR,yes\n", "1,74,0,2019-12-19,A/RES/74/9,TRUE,0,X,Y\n", "use 0, 1 or NA"),
        ("1,France,FR,yes\n", "1,74,0,NA,A/RES/74/9,0,0,X,Y\n", "has no date"),
        (
            "1,France,FR,yes\n",
            "1,74,0,2019-12-19,A/RES/74/9,0,0,X,Y\n1,74,0,2019-12-19,A/RES/74/9,0,0,X,Y\n",
            "appears twice",
        ),
        ("1,France,FR,yes\n", "abc,74,0,2019-12-19,A/RES/74/9,0,0,X,Y\n", "is not a number"),
        (" 1,France,FR,yes\n", "1,74,0,2019-12-19,A/RES/74/9,0,0,X,Y\n", "is not in"),
        ('1,Cuba,"NA",yes\n', "1,74,0,2019-12-19,A/RES/74/9,0,0,X,Y\n", "the code is Namibia's"),
    ],
)
def test_what_the_files_do_not_settle_is_refused(cli, tmp_path, unchanged, rows, calls, fragment):
    path = unvotes(tmp_path, rows, calls)
    with unchanged():
        assert_refused(cli("vote", "import", str(path)), fragment)


def test_an_odd_session_is_no_traceback(cli, tmp_path):
    path = unvotes(tmp_path, "1,France,FR,yes\n", "1,²,0,2019-12-19,A/RES/74/9003,0,0,X,Y\n")
    cli.ok("vote", "import", str(path))


def test_a_roll_call_whose_every_row_is_skipped_is_not_a_vote(cli, tmp_path):
    path = unvotes(
        tmp_path,
        "1,France,FR,yes\n2,Atlantis,XA,yes\n",
        "1,74,0,2019-12-19,A/RES/74/9004,0,0,X,Y\n2,74,0,2019-12-19,A/RES/74/9005,0,0,X,Y\n",
    )
    summary = json.loads(cli.ok("vote", "import", str(path), "--skip-unknown", "-f", "json").stdout)
    assert summary["votes"] == 1
    assert summary["skipped"] == {"votes with no ballot of a known state, not recorded": 1}
    assert votes_on(cli, "A/RES/74/9005") == []


def test_a_huge_name_is_cut_in_the_message(cli, tmp_path, unchanged):
    path = unvotes(
        tmp_path, f"1,{'Z' * 100_000},ZZ,yes\n", "1,74,0,2019-12-19,A/RES/74/9,0,0,X,Y\n"
    )
    with unchanged():
        result = cli("vote", "import", str(path))
    assert_refused(result, "Unknown states")
    assert len(result.output) < 2_000


def test_an_undo_and_its_redo_give_every_row_back_as_it_was(cli, db_path, roll_call_5480):
    import sqlite3

    def dump() -> dict:
        conn = sqlite3.connect(db_path)
        try:
            return {
                table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("votes", "ballots", "vote_sources", "documents")
            }
        finally:
            conn.close()

    cli.ok("vote", "import", str(roll_call_5480))
    imported = dump()
    cli.ok("db", "undo")
    log = json.loads(cli.ok("db", "log", "-n", "1", "-f", "json").stdout)
    cli.ok("db", "undo", "--batch", str(log[0]["batch"]))
    assert dump() == imported
