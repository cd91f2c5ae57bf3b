"""Write the hostile and damaged input corpus in tests/data/bad/ (fictional data).

Every file is small and made here, so what each one holds is plain to see; README.md
beside it says what each case is and what cahtracker must do with it. The ballots are
fictional (resolution A/RES/99/901, record ids `bad-...`), the names real UN spellings.
Run: python tests/data/bad/make_bad_corpus.py
"""

from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = (
    "undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,committee_report,meeting,title,"
    "agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,total_non_voting,"
    "total_ms,undl_link"
)
BALLOTS = [("FRA", "FRANCE", "Y"), ("CIV", "CÔTE D'IVOIRE", "N"), ("MEX", "MEXICO", "A")]


def undl_rows(
    ballots=BALLOTS,
    totals=("1.0", "1.0", "1.0", "0.0", "3.0"),
    record="bad-901",
    session="99",
    meeting="A/99/PV.9",
) -> list[str]:
    rows = []
    for code, name, vote in ballots:
        fields = [record, code, name, vote, "2030-12-01", session, "A/RES/99/901", "A/99/L.1"]
        fields += ["", meeting, "Fictional resolution", "", "", "", *totals, ""]
        rows.append(",".join(f'"{f}"' if "," in f else f for f in fields))
    return rows


def undl_csv(**kw) -> str:
    return "\n".join([HEADER, *undl_rows(**kw)]) + "\n"


def reordered() -> str:
    columns = HEADER.split(",")
    order = list(reversed(range(len(columns))))
    lines = [",".join(columns[i] for i in order)]
    for row in undl_rows():
        fields = row.split(",")
        lines.append(",".join(fields[i] for i in order))
    return "\n".join(lines) + "\n"


XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
RECORD = (
    '<collection xmlns="http://www.loc.gov/MARC21/slim"><record>'
    '<controlfield tag="001">bad-902</controlfield>'
    '<datafield tag="269"><subfield code="a">2030-12-02</subfield></datafield>'
    '<datafield tag="791"><subfield code="a">A/RES/99/902</subfield></datafield>'
    '<datafield tag="967"><subfield code="c">FRA</subfield><subfield code="d">Y</subfield>'
    '<subfield code="e">FRANCE</subfield></datafield>'
    '<datafield tag="967"><subfield code="c">MEX</subfield><subfield code="d">N</subfield>'
    '<subfield code="e">MEXICO</subfield></datafield>'
    "</record></collection>\n"
)
LAUGHS = (
    XML_HEAD
    + '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + ']>\n<collection><record><datafield tag="791"><subfield code="a">&lol9;</subfield>'
    "</datafield></record></collection>\n"
)
XXE = (
    XML_HEAD + '<!DOCTYPE collection [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<collection><record><datafield tag="791"><subfield code="a">&xxe;</subfield>'
    "</datafield></record></collection>\n"
)


# issue 15: a terminal escape (clear the screen, then a fake prompt) inside imported text
ESCAPE = "\x1b[2J\x1b]0;pwned\x07\u202e"
# MARCXML nested far deeper than the format ever is (4 levels): refused, not built
NESTED = (
    XML_HEAD
    + '<collection xmlns="http://www.loc.gov/MARC21/slim"><record>'
    + "<x>" * 2000
    + "</x>" * 2000
    + "</record></collection>\n"
)
BEYOND_SQLITE = str(10**30)  # past SQLite's largest integer (2**63 - 1)


def corpus() -> dict[str, bytes]:
    good = undl_csv()
    rng = random.Random(8)
    return {
        "binary.bin": bytes(rng.randrange(256) for _ in range(4096)),
        "empty.csv": b"",
        "latin1.csv": good.encode("latin-1"),
        "utf16.csv": good.encode("utf-16"),
        "bom.csv": b"\xef\xbb\xbf" + good.encode(),
        "crlf.csv": good.replace("\n", "\r\n").encode(),
        "no_header.csv": "\n".join(undl_rows()).encode() + b"\n",
        "missing_column.csv": good.replace("ms_vote", "ms_ballot").encode(),
        "reordered_header.csv": reordered().encode(),
        "unknown_state.csv": undl_csv(ballots=[*BALLOTS[:2], ("XXX", "ATLANTIS", "A")]).encode(),
        "totals_contradict.csv": undl_csv(totals=("3.0", "0.0", "0.0", "0.0", "3.0")).encode(),
        "totals_not_counts.csv": undl_csv(totals=("many", "1.0", "1.0", "0.0", "3.0")).encode(),
        "truncated.csv": (HEADER + "\n" + undl_rows()[0] + "\n" + undl_rows()[1][:30]).encode(),
        "unterminated_quote.csv": (good + 'bad-901,"MEX,MEXICO\n').encode(),
        "truncated.xml": (XML_HEAD + RECORD)[: len(XML_HEAD + RECORD) // 2].encode(),
        "billion_laughs.xml": LAUGHS.encode(),
        "external_entity.xml": XXE.encode(),
        "truncated.html": b"<html><body><div>Vote</div><div>Y FRANCE</div><div>N MEX",
        "state list ünïcode.txt": "France, Côte d’Ivoire and Mexico\n".encode(),
        "states_latin1.txt": "France, Côte d'Ivoire and Mexico\n".encode("latin-1"),
        "states_utf16.txt": "France and Mexico\n".encode("utf-16"),
        "states_bom_crlf.txt": b"\xef\xbb\xbfFrance\r\nMexico\r\n",
        "states_unknown.txt": b"France, Atlantis and Mexico\n",
        "totals_beyond_sqlite.csv": undl_csv(
            totals=(BEYOND_SQLITE, "1.0", "1.0", "0.0", "3.0")
        ).encode(),
        "session_beyond_sqlite.csv": undl_csv(session=BEYOND_SQLITE).encode(),
        "unknown_state_escape.csv": undl_csv(
            ballots=[*BALLOTS[:2], ("XXX", f"ATLANTIS{ESCAPE}", "A")]
        ).encode(),
        "meeting_escape.csv": undl_csv(meeting=f"A/99/PV.9{ESCAPE}").encode(),
        "nested_deep.xml": NESTED.encode(),
        "states_escape.txt": f"France, Atlantis{ESCAPE} and Mexico\n".encode(),
    }


def main() -> None:
    for name, data in corpus().items():
        (HERE / name).write_bytes(data)
    valid = HERE / "vote record ünïcode.csv"  # a valid file behind a name with a space
    valid.write_text(undl_csv(record="bad-903").replace("A/RES/99/901", "A/RES/99/903"))
    (HERE / "marc record.xml").write_text(XML_HEAD + RECORD)


if __name__ == "__main__":
    main()
