"""`vote import`: the four real formats, dated aliases, former states, refusals, replacement."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cahtracker.errors import CahError
from cahtracker.importers import detect_format
from cahtracker.importers.reading import to_int
from cahtracker.importers.undl_html import page_lines, read_page
from conftest import DATA, assert_refused

UNVOTES = DATA / "unvotes" / "unvotes.csv"
UNDL = DATA / "undl"
# A/RES/74/243 in the unvotes data (roll call 9139), with the 12 members absent from it
RES_74_243 = {"yes": 160, "no": 6, "abstain": 15, "non_voting": 12, "absent": 0}
RES_74_33 = {"yes": 128, "no": 14, "abstain": 38, "non_voting": 13, "absent": 0}


def imported(cli, *args: str) -> dict:
    return json.loads(cli.ok("vote", "import", *args, "-f", "json").stdout)


def show(cli, ref: str) -> dict:
    return json.loads(cli.ok("vote", "show", ref, "-f", "json").stdout)


def test_unvotes_with_an_unknown_state_is_refused_whole(cli, unchanged, tmp_path):
    # fictional variant: the real 1946 row of 'Taiwan' (the China seat then) moved into the
    # 2019 roll call 9139, where 'Taiwan' names no UN member (data/state_aliases_dated.csv)
    shutil.copy(DATA / "unvotes" / "roll_calls.csv", tmp_path / "roll_calls.csv")
    text = UNVOTES.read_text(encoding="utf-8").replace("3,Taiwan,TW,no", "9139,Taiwan,TW,no")
    (tmp_path / "unvotes.csv").write_text(text, encoding="utf-8")
    with unchanged():
        result = cli("vote", "import", str(tmp_path / "unvotes.csv"))
    assert_refused(
        result, "Unknown states", "'Taiwan (TW)' ×1", "--skip-unknown", "Nothing was imported"
    )
    assert len(result.output.strip().splitlines()) == 1


def test_unvotes_extract_reproduces_the_tallies(cli):
    summary = imported(cli, str(UNVOTES))
    assert summary["format"] == "unvotes-csv" and summary["votes"] == 3
    assert summary["skipped"] == {"former state Czechoslovakia": 1, "former state Yugoslavia": 1}
    assert summary["unknown_skipped"] == {}
    assert set(summary["documents_created"]) == {"R/1/66", "A/RES/74/243", "A/RES/74/33"}
    vote = show(cli, "A/RES/74/243")
    assert vote["tally"] == RES_74_243 and len(vote["ballots"]) == 193
    ballots = {b["iso3"]: b["choice"] for b in vote["ballots"]}
    # 'Yugoslavia' (YU) in 2019 is Serbia (dated alias); in 1946 it is a former state
    assert ballots["SRB"] == "yes" and ballots["USA"] == "no" and ballots["AUS"] == "abstain"
    assert ballots["VEN"] == "yes" and "PSE" not in ballots
    assert show(cli, "A/RES/74/33")["tally"] == RES_74_33
    old = show(cli, "R/1/66")
    assert old["tally"]["yes"] + old["tally"]["no"] + old["tally"]["abstain"] == 49
    assert "SRB" not in {b["iso3"] for b in old["ballots"]}
    # 'Taiwan' (TW) in 1946 is the China seat, as the UN Digital Library records it
    assert {b["iso3"]: b["choice"] for b in old["ballots"]}["CHN"] == "no"


def test_unvotes_roll_calls_option_and_missing(cli, tmp_path, unchanged):
    votes = tmp_path / "votes.csv"
    shutil.copy(UNVOTES, votes)
    with unchanged():
        result = cli("vote", "import", str(votes), "--skip-unknown")
    assert_refused(result, "No roll calls file", "--roll-calls")
    summary = imported(
        cli, str(votes), "--skip-unknown", "--roll-calls", str(DATA / "unvotes" / "roll_calls.csv")
    )
    assert summary["votes"] == 3


@pytest.mark.parametrize(
    "name", ["A_RES_74_243.xml", "A_RES_74_243.html", "voting_2025_header.csv"]
)
def test_undl_formats_reproduce_the_totals(cli, name):
    summary = imported(cli, str(UNDL / name))
    assert summary["totals_mismatches"] == [] and summary["skipped"] == {}
    vote = show(cli, "A/RES/74/243")
    assert vote["tally"] == RES_74_243 and len(vote["ballots"]) == 193
    assert vote["official_totals"] == {
        "yes": 160,
        "no": 6,
        "abstain": 15,
        "non_voting": 12,
        "members": 193,
    }
    assert vote["warnings"] == [] and vote["outcome"] == "adopted"
    assert {b["iso3"]: b["choice"] for b in vote["ballots"]}["SRB"] == "yes"


def test_both_csv_header_generations_agree(cli):
    imported(cli, str(UNDL / "voting_2024_header.csv"))
    first = show(cli, "A/RES/74/33")
    summary = imported(cli, str(UNDL / "voting_2025_header.csv"))
    assert summary["votes"] == 2 and summary["replaced"] == 1
    second = show(cli, "A/RES/74/33")
    assert first["tally"] == second["tally"] == RES_74_33
    assert first["ballots"] == second["ballots"] and first["id"] == second["id"]


def test_reimport_replaces_rather_than_duplicates(cli, store):
    imported(cli, str(UNDL / "voting_2025_header.csv"))
    before = store.scalar("SELECT count(*) FROM ballots")
    again = imported(cli, str(UNDL / "voting_2025_header.csv"))
    assert again["replaced"] == 2
    assert store.scalar("SELECT count(*) FROM ballots") == before == 386
    assert store.scalar("SELECT count(*) FROM votes WHERE symbol = 'A/RES/74/243'") == 1
    # the record page has no id: it replaces the vote by symbol, date and body
    assert imported(cli, str(UNDL / "A_RES_74_243.html"))["replaced"] == 1
    assert store.scalar("SELECT count(*) FROM votes WHERE symbol = 'A/RES/74/243'") == 1


def _csv(tmp_path: Path, rows: list[str], header: str | None = None) -> Path:
    header = header or (UNDL / "voting_2025_header.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "bulk.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _row(code: str, name: str, vote: str, totals: str = "1.0,1.0,0.0,0.0,2.0") -> str:
    return f"42,{code},{name},{vote},2020-01-02,74,A/RES/74/999,,,,,,,,{totals},"


def test_unknown_code_refused_then_skipped(cli, tmp_path, unchanged):
    path = _csv(
        tmp_path,
        [_row("FRA", "FRANCE", "Y"), _row("XKX", "KOSOVO", "N"), _row("DEU", "GERMANY", "N")],
    )
    with unchanged():
        result = cli("vote", "import", str(path))
    assert_refused(result, "'KOSOVO (XKX)' ×1", "Nothing was imported")
    summary = imported(cli, str(path), "--skip-unknown")
    assert summary["unknown_skipped"] == {"KOSOVO (XKX)": 1}
    vote = show(cli, "A/RES/74/999")
    assert vote["tally"]["yes"] == 1 and vote["tally"]["no"] == 1 and vote["warnings"] == []


def test_totals_mismatch_refuses_the_file_unless_accepted(cli, tmp_path, unchanged):
    path = _csv(
        tmp_path, [_row("FRA", "FRANCE", "Y", "2.0,0.0,0.0,0.0,2.0"), _row("DEU", "GERMANY", "")]
    )
    with unchanged():
        result = cli("vote", "import", str(path))
    assert_refused(result, "1 vote in", "disagree with the ballots", "--accept-mismatches")
    summary = imported(cli, str(path), "--accept-mismatches")
    assert len(summary["totals_mismatches"]) == 1 and "yes 1" in summary["totals_mismatches"][0]
    vote = show(cli, "A/RES/74/999")
    assert vote["tally"]["non_voting"] == 1
    assert any("source says 2" in w for w in vote["warnings"])
    assert "Warning: ballots give yes 1" in cli.ok("vote", "show", "A/RES/74/999").stdout


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("just some text\n", "Unrecognised file"),
        ("", "Unrecognised file"),
    ],
)
def test_unrecognised_file_refused(cli, tmp_path, unchanged, content, fragment):
    path = tmp_path / "notes.txt"
    path.write_text(content, encoding="utf-8")
    with unchanged():
        assert_refused(cli("vote", "import", str(path)), fragment)


def test_truncated_files_refused(cli, tmp_path, unchanged):
    text = (UNDL / "voting_2025_header.csv").read_text(encoding="utf-8")
    cut_csv = tmp_path / "cut.csv"
    cut_csv.write_text(text[: len(text) // 2 + 7], encoding="utf-8")
    xml = (UNDL / "A_RES_74_243.xml").read_text(encoding="utf-8")
    cut_xml = tmp_path / "cut.xml"
    cut_xml.write_text(xml[: len(xml) // 2], encoding="utf-8")
    html = (UNDL / "A_RES_74_243.html").read_text(encoding="utf-8")
    cut_html = tmp_path / "cut.html"
    cut_html.write_text(html[: html.index("Vote summary")], encoding="utf-8")
    with unchanged():
        assert_refused(cli("vote", "import", str(cut_csv)), "truncated or malformed")
        assert_refused(cli("vote", "import", str(cut_xml)), "not well-formed XML")
        assert_refused(
            cli("vote", "import", str(cut_html)),
            "truncated or not a UN Digital Library record page",
        )


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
<datafield tag="791"><subfield code="a">&lol2;</subfield></datafield></record></collection>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
<datafield tag="791"><subfield code="a">&x;</subfield></datafield></record></collection>
"""


@pytest.mark.parametrize("content", [BOMB, XXE])
def test_xml_entities_refused(cli, tmp_path, unchanged, content):
    path = tmp_path / "evil.xml"
    path.write_text(content, encoding="utf-8")
    with unchanged():
        assert_refused(cli("vote", "import", str(path)), "refused for safety")


def test_bad_vote_letter_refused(cli, tmp_path, unchanged):
    path = _csv(tmp_path, [_row("FRA", "FRANCE", "Q")])
    with unchanged():
        assert_refused(cli("vote", "import", str(path)), "vote 'Q' is not Y, N, A, X, NV or blank")


def test_duplicate_ballot_refused(cli, tmp_path, unchanged):
    path = _csv(tmp_path, [_row("FRA", "FRANCE", "Y"), _row("FRA", "FRANCE", "N")])
    with unchanged():
        assert_refused(cli("vote", "import", str(path)), "France (FRA) has two ballots")


def test_import_logs_one_change_per_vote(cli, store):
    imported(cli, str(UNDL / "voting_2025_header.csv"))
    tables = [
        r["table_name"]
        for r in store.query("SELECT table_name FROM changes WHERE command = 'vote import'")
    ]
    assert tables.count("votes") == 2 and tables.count("documents") == 2 and "ballots" not in tables
    assert store.query("PRAGMA foreign_key_check") == []


def test_import_restores_connection_settings_even_when_refused(store, tmp_path):
    from cahtracker.importers.writer import import_votes
    from cahtracker.names import NameIndex

    names = NameIndex.load(store)
    import_votes(store, names, UNDL / "voting_2024_header.csv")
    assert store.scalar("PRAGMA foreign_keys") == 1
    assert store.scalar("PRAGMA ignore_check_constraints") == 0
    bad = _csv(tmp_path, [_row("XKX", "KOSOVO", "Y")])
    with pytest.raises(CahError):
        import_votes(store, names, bad)
    assert store.scalar("PRAGMA foreign_keys") == 1
    assert store.scalar("PRAGMA ignore_check_constraints") == 0
    assert not store.conn.in_transaction


def test_detect_format_by_content(tmp_path):
    for name, fmt in [
        ("A_RES_74_243.xml", "undl-xml"),
        ("A_RES_74_243.html", "undl-html"),
        ("voting_2024_header.csv", "undl-csv"),
    ]:
        renamed = tmp_path / "file.dat"
        shutil.copy(UNDL / name, renamed)
        assert detect_format(renamed) == fmt
    assert detect_format(UNVOTES) == "unvotes-csv"


@given(st.integers(0, 400), st.sampled_from(["", ".0"]))
def test_official_totals_may_be_decimals(count, suffix):
    assert to_int(f"{count}{suffix}") == count
    assert to_int("") is None


def test_official_totals_refuse_fractions():
    with pytest.raises(ValueError):
        to_int("12.5")


NAMES = st.sampled_from(["FRANCE", "COTE D'IVOIRE", "TÜRKIYE", "UNITED KINGDOM", "NAURU", "CHAD"])


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(["Y", "N", "A", ""]), NAMES), min_size=1, max_size=12))
def test_record_page_lines_round_trip(pairs):
    if all(letter == "" for letter, _ in pairs):
        pairs = [("Y", "FRANCE"), *pairs]
    lines = "<br/>".join(f"{letter} {name}" if letter else name for letter, name in pairs)
    page = (
        '<div><span class="title">Resolution / Decision</span><span>A/RES/80/1</span></div>'
        "<div><span>Vote date</span><span>2025-09-09</span></div>"
        "<div><span>Vote summary</span><span>Yes: 1 | No: 0 | Abstentions: 0 | Non-Voting: 0</span></div>"
        f'<div><span class="title">Vote</span><span class="value">{lines}</span></div>'
    )
    vote = read_page(page_lines(page), Path("page.html"))
    letters = {"Y": "yes", "N": "no", "A": "abstain", "": "non-voting"}
    assert [(c, n) for _, n, c in vote.ballots] == [
        (letters[letter], name) for letter, name in pairs
    ]
    assert vote.symbol == "A/RES/80/1" and vote.date == "2025-09-09"


def test_record_page_without_votes_is_refused():
    with pytest.raises(CahError, match="vote list"):
        read_page(
            page_lines("<p>Yes: 1 | No: 0 | Abstentions: 0 | Non-Voting: 0</p>"), Path("p.html")
        )


def test_non_utf8_file_refused(cli, tmp_path, unchanged):
    path = _csv(tmp_path, [_row("CIV", "COTE D'IVOIRE", "Y")])
    path.write_bytes(path.read_bytes().replace(b"COTE", "CÔTE".encode("latin-1")))
    with unchanged():
        assert_refused(cli("vote", "import", str(path)), "is not UTF-8 text")


def test_real_record_page_reproduces_the_official_tally(cli):
    """UN DL record 4031242 (A/RES/78/165): Yes 125, No 50, Abstentions 1, Non-Voting 17."""
    summary = imported(cli, str(UNDL / "record_4031242_A_RES_78_165.html"))
    assert summary["format"] == "undl-html" and summary["totals_mismatches"] == []
    vote = show(cli, "A/RES/78/165")
    assert vote["tally"] == {"yes": 125, "no": 50, "abstain": 1, "non_voting": 17, "absent": 0}
    assert vote["official_totals"] == {
        "yes": 125,
        "no": 50,
        "abstain": 1,
        "non_voting": 17,
        "members": 193,
    }
    assert len(vote["ballots"]) == 193 and vote["meeting"] == "A/78/PV.49"
    ballots = {b["iso3"]: b["choice"] for b in vote["ballots"]}
    assert (ballots["TUR"], ballots["SRB"], ballots["SOM"], ballots["PRT"]) == (
        "abstain",
        "non-voting",
        "yes",
        "no",
    )
    assert vote["source"] == "UN Digital Library record 4031242"
    assert imported(cli, str(UNDL / "record_4031242_A_RES_78_165.html"))["replaced"] == 1


CODES = st.sampled_from(["FRA", "DEU", "CIV", "TUR", "NRU", "USA", "CHN", "BRA"])


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(st.sampled_from(["Y", "N", "A", "X", "NV", "", " y "]), CODES),
        min_size=1,
        max_size=8,
        unique_by=lambda pair: pair[1],
    ),
    st.booleans(),
)
def test_bulk_csv_parser_keeps_every_row(tmp_path_factory, ballots, old_header):
    from cahtracker.importers.undl_csv import parse_undl_csv

    header = (
        "undl_id,ms_codes,ms_name,ms_votes,date,session,resolution,modality,total_yes"
        if old_header
        else "undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,total_yes"
    )
    rows = [
        f'7,{code},NAME,"{vote}",2024-12-04,79,A/RES/79/1,,{len(ballots)}.0'
        for vote, code in ballots
    ]
    path = tmp_path_factory.mktemp("csv") / "bulk.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    (vote,) = list(parse_undl_csv(path, []))
    choice = {
        "Y": "yes",
        "N": "no",
        "A": "abstain",
        "X": "non-voting",
        "NV": "non-voting",
        "": "non-voting",
        " y ": "yes",
    }
    assert vote.ballots == [(code, "NAME", choice[v]) for v, code in ballots]
    assert vote.symbol == "A/RES/79/1" and vote.session == 79 and vote.totals[0] == len(ballots)
