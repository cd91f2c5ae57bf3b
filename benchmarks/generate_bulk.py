"""Write a synthetic file in the UN Digital Library bulk voting CSV layout (record 4060887).

Real member states and vote-record names (from data/un_member_states.csv), the exact bulk
header, random but seeded votes, and official totals on every row that agree with the
ballots (written as decimals, `120.0`, as the bulk file does). The resolutions and their
votes are fictional: this file is for measuring, never for the seed.

    python benchmarks/generate_bulk.py OUT.csv --resolutions 1000        # 193,000 rows
    python benchmarks/generate_bulk.py OUT.csv --resolutions 4922        # ~950,000 rows
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

HEADER = (
    "undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,committee_report,meeting,title,"
    "agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,total_non_voting,total_ms,undl_link"
).split(",")
STATES = Path(__file__).resolve().parent.parent / "data" / "un_member_states.csv"


def members() -> list[tuple[str, str]]:
    with open(STATES, newline="", encoding="utf-8") as handle:
        return [
            (r["iso3"], r["un_vote_name"])
            for r in csv.DictReader(handle)
            if r["status"] == "member"
        ]


def generate(out, resolutions: int, seed: int = 2024) -> int:
    rng = random.Random(seed)
    states = members()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    rows = 0
    start = date(1990, 9, 18)
    for n in range(resolutions):
        session = 45 + n * 35 // max(resolutions, 1)
        day = start + timedelta(days=n * 12)
        symbol = f"A/RES/{session}/{n + 1}"
        bias = rng.random()
        votes = []
        for _ in states:
            r = rng.random()
            if r < 0.04:
                votes.append("X" if rng.random() < 0.5 else "")
            elif r < 0.04 + 0.6 * bias + 0.1:
                votes.append("Y")
            elif r < 0.9:
                votes.append("A")
            else:
                votes.append("N")
        totals = {v: votes.count(v) for v in ("Y", "N", "A")}
        non_voting = len(votes) - sum(totals.values())
        common = {
            "undl_id": str(4_000_000 + n),
            "date": day.isoformat(),
            "session": str(session),
            "resolution": symbol,
            "draft": f"A/{session}/L.{n % 90 + 1}",
            "committee_report": "",
            "meeting": f"A/{session}/PV.{n % 100 + 1}",
            "title": f"Synthetic resolution {n + 1}",
            "agenda_title": "Synthetic agenda item",
            "subjects": "SYNTHETIC DATA",
            "vote_note": "",
            "total_yes": f"{totals['Y']}.0",
            "total_no": f"{totals['N']}.0",
            "total_abstentions": f"{totals['A']}.0",
            "total_non_voting": f"{non_voting}.0",
            "total_ms": f"{len(states)}.0",
            "undl_link": f"https://digitallibrary.un.org/record/{4_000_000 + n}",
        }
        for (iso3, vote_name), vote in zip(states, votes, strict=True):
            row = {**common, "ms_code": iso3, "ms_name": vote_name, "ms_vote": vote}
            writer.writerow([row[h] for h in HEADER])
            rows += 1
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--resolutions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    with open(args.out, "w", newline="", encoding="utf-8") as out:
        rows = generate(out, args.resolutions, args.seed)
    print(f"wrote {rows} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
