"""Write tests/data/undl/A_RES_71_187.xml from the real ballots of unvotes roll call 5480.

Roll call 5480 of the whole unvotes history (../shared/fixtures/unvotes-full/, see its
README) is the General Assembly's vote of 2016-12-19 on A/RES/71/187 ("Moratorium on the use
of the death penalty"), a vote on the text as a whole (`amend` and `para` are NA, no
paragraph or amendment), whose rows are not contiguous in the file and include Serbia
(labelled "Yugoslavia", YU) and Namibia (the quoted "NA"). The record is written in the
MARCXML layout of make_undl_fixtures.py (tags 001, 269, 791, 996, 967), with the UN
vote-record spellings and ISO3 codes of data/un_member_states.csv; a member on the date
without a row is written as non-voting, as the UN Digital Library does, and the 996 totals
are counted from those ballots. The record id `fixture-71-187` is a placeholder, not a real
UN Digital Library id. Run: python tests/data/make_undl_history_fixture.py
"""

from __future__ import annotations

import csv
from pathlib import Path
from xml.sax.saxutils import escape

from make_undl_fixtures import LETTER, members, totals

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RCID, SYMBOL, RECORD = "5480", "A/RES/71/187", "fixture-71-187"


def history_folder() -> Path:
    """../shared/fixtures/unvotes-full beside the checkout (or beside a worktree's parent)."""
    for shared in (ROOT.parent / "shared", ROOT.parents[1] / "shared"):
        folder = shared / "fixtures" / "unvotes-full"
        if folder.is_dir():
            return folder
    raise SystemExit("../shared/fixtures/unvotes-full not found beside the checkout")


def roll_call(folder: Path) -> dict[str, str]:
    with open(folder / "roll_calls.csv", encoding="utf-8", newline="") as handle:
        call = next(r for r in csv.DictReader(handle) if r["rcid"] == RCID)
    assert call["unres"] == SYMBOL and call["amend"] == "NA" and call["para"] == "NA", call
    return call


def ballots(folder: Path) -> dict[str, str]:
    by_iso2 = {m["iso2"]: m["iso3"] for m in members()}
    by_iso2["YU"] = "SRB"  # unvotes' label for Serbia since 2000-11-01 (state_aliases_dated.csv)
    out: dict[str, str] = {}
    with open(folder / "unvotes.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):  # Namibia's code is the quoted "NA": 'NA' here
            if row["rcid"] == RCID:
                iso3 = by_iso2[row["country_code"]]
                assert iso3 not in out, row
                out[iso3] = row["vote"]
    return out


def write_xml(path: Path) -> None:
    folder = history_folder()
    date = roll_call(folder)["date"]
    votes = ballots(folder)
    rows = [(m, votes.get(m["iso3"], "non-voting")) for m in members() if m["admitted_on"] <= date]
    assert len(votes) == sum(1 for _, choice in rows if choice != "non-voting")
    t = totals(rows)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<collection xmlns="http://www.loc.gov/MARC21/slim">',
        "<record>",
        f'  <controlfield tag="001">{RECORD}</controlfield>',
        f'  <datafield tag="269" ind1=" " ind2=" "><subfield code="a">{date}</subfield></datafield>',
        f'  <datafield tag="791" ind1="2" ind2=" "><subfield code="a">{SYMBOL}</subfield></datafield>',
        '  <datafield tag="996" ind1=" " ind2=" ">'
        + "".join(f'<subfield code="{c}">{n}</subfield>' for c, n in zip("bcdef", t, strict=True))
        + "</datafield>",
    ]
    for number, (member, choice) in enumerate(rows, start=1):
        vote = f'<subfield code="d">{LETTER[choice]}</subfield>' if LETTER[choice] else ""
        out.append(
            f'  <datafield tag="967" ind1=" " ind2=" "><subfield code="a">{number:03d}</subfield>'
            f'<subfield code="c">{member["iso3"]}</subfield>{vote}'
            f'<subfield code="e">{escape(member["un_vote_name"])}</subfield></datafield>'
        )
    out += ["</record>", "</collection>", ""]
    path.write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    write_xml(HERE / "undl" / "A_RES_71_187.xml")
