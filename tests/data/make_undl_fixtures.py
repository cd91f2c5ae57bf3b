"""Write the UN Digital Library fixtures in tests/data/undl/ from the real unvotes slice.

The ballots are those of unvotes roll calls 9139 (A/RES/74/243) and 9142 (A/RES/74/33) in
tests/data/unvotes/ (TidyTuesday 2021-03-23, MIT); a member state without a row there is
written as non-voting, as the UN Digital Library does. Names are the UN vote-record
spellings of data/un_member_states.csv. Record ids are placeholders (`fixture-...`), not
real UN Digital Library ids. Run: python tests/data/make_undl_fixtures.py
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LETTER = {"yes": "Y", "no": "N", "abstain": "A", "non-voting": ""}
RESOLUTIONS = {
    "9139": ("A/RES/74/243", "2019-12-19", "74", "fixture-74-243"),
    "9142": ("A/RES/74/33", "2019-12-12", "74", "fixture-74-33"),
}


def members() -> list[dict[str, str]]:
    with open(ROOT / "data" / "un_member_states.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["status"] == "member"]
    return sorted(rows, key=lambda r: r["un_vote_name"])


def ballots() -> dict[str, dict[str, str]]:
    by_iso2 = {r["iso2"]: r["iso3"] for r in members()}
    by_iso2["YU"] = "SRB"  # the unvotes label for Serbia since 2000 (data/state_aliases_dated.csv)
    out: dict[str, dict[str, str]] = defaultdict(dict)
    with open(HERE / "unvotes" / "unvotes.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["rcid"] in RESOLUTIONS:
                out[row["rcid"]][by_iso2[row["country_code"]]] = row["vote"]
    return out


def full_list(votes: dict[str, str]) -> list[tuple[dict[str, str], str]]:
    return [(m, votes.get(m["iso3"], "non-voting")) for m in members()]


def totals(rows) -> list[int]:
    count = defaultdict(int)
    for _, choice in rows:
        count[choice] += 1
    return [count["yes"], count["no"], count["abstain"], count["non-voting"], len(rows)]


HEADER_2025 = (
    "undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,committee_report,meeting,"
    "title,agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,"
    "total_non_voting,total_ms,undl_link"
).split(",")
HEADER_2024 = (
    "undl_id,ms_codes,ms_name,ms_votes,date,session,resolution,draft,committee_report,meeting,"
    "modality,title,agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,"
    "total_non_voting,total_ms,undl_link"
).split(",")


def write_csv(path: Path, header: list[str], rcids: list[str], nv: str, decimals: bool) -> None:
    data = ballots()
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for rcid in rcids:
            symbol, date, session, record = RESOLUTIONS[rcid]
            rows = full_list(data[rcid])
            t = [f"{n}.0" if decimals else str(n) for n in totals(rows)]
            for member, choice in rows:
                values = {
                    "undl_id": record,
                    "ms_code": member["iso3"],
                    "ms_codes": member["iso3"],
                    "ms_name": member["un_vote_name"],
                    "ms_vote": LETTER[choice] or nv,
                    "ms_votes": LETTER[choice] or nv,
                    "date": date,
                    "session": session,
                    "resolution": symbol,
                    "modality": "Recorded Vote",
                    "total_yes": t[0],
                    "total_no": t[1],
                    "total_abstentions": t[2],
                    "total_non_voting": t[3],
                    "total_ms": t[4],
                }
                writer.writerow([values.get(column, "") for column in header])


def write_xml(path: Path, rcid: str) -> None:
    symbol, date, _session, record = RESOLUTIONS[rcid]
    rows = full_list(ballots()[rcid])
    t = totals(rows)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<collection xmlns="http://www.loc.gov/MARC21/slim">',
        "<record>",
        f'  <controlfield tag="001">{record}</controlfield>',
        f'  <datafield tag="269" ind1=" " ind2=" "><subfield code="a">{date}</subfield></datafield>',
        f'  <datafield tag="791" ind1="2" ind2=" "><subfield code="a">{symbol}</subfield></datafield>',
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


def write_html(path: Path, rcid: str) -> None:
    symbol, date, _session, _record = RESOLUTIONS[rcid]
    rows = full_list(ballots()[rcid])
    t = totals(rows)
    lines = "<br/>\n".join(
        escape(f"{LETTER[c]} {m['un_vote_name']}" if LETTER[c] else m["un_vote_name"])
        for m, c in rows
    )
    summary = (
        f"Voting Summary<br/>Yes: {t[0]} | No: {t[1]} | Abstentions: {t[2]} | "
        f"Non-Voting: {t[3]} | Total voting membership: {t[4]}"
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{symbol} - Voting data - UN Digital Library</title></head>
<body>
<div class="detailed-record">
<div class="metadata-row"><span class="title">Title</span><span class="value">Voting data</span></div>
<div class="metadata-row"><span class="title">Resolution / Decision</span><span class="value"><a href="#">{symbol}</a></span></div>
<div class="metadata-row"><span class="title">Vote date</span><span class="value">{date}</span></div>
<div class="metadata-row"><span class="title">Vote summary</span><span class="value">{summary}</span></div>
<div class="metadata-row"><span class="title">Vote</span><span class="value">{lines}</span></div>
</div>
</body>
</html>
"""
    path.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    out = HERE / "undl"
    out.mkdir(exist_ok=True)
    write_csv(out / "voting_2025_header.csv", HEADER_2025, ["9139", "9142"], "", decimals=True)
    write_csv(out / "voting_2024_header.csv", HEADER_2024, ["9142"], "NV", decimals=False)
    write_xml(out / "A_RES_74_243.xml", "9139")
    write_html(out / "A_RES_74_243.html", "9139")
