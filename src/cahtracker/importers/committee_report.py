"""A Main Committee report's recorded votes, as `vote import` records them.

The report's text is read by `sponsor_docs` (`committee-report`): each `... adopted draft
resolution A/C.3/78/L.41 by a recorded vote of 80 to 29, with 65 abstentions` with the
`In favour:` / `Against:` / `Abstaining:` lists that follow is one vote of the committee
the symbol names (A/C.3/...: the Third Committee), on the meeting's date, sourced to the
report's paragraph. The stated totals are kept as the official totals, which the writer
checks against the lists (a disagreement refuses the file unless --accept-mismatches);
members in none of the lists get a non-voting ballot. A name the lists hold that is no
state refuses the file (with suggestions), also with --skip-unknown: a report's lists are
read whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cahtracker.errors import CahError
from cahtracker.importers.reading import ImportedVote

KEY = "committee-report:{source}"  # the report's symbol and paragraph: one vote each


def parse_committee_report(path: Path, names) -> Iterator[ImportedVote]:
    from cahtracker.sponsor_docs import read_sponsor_file

    report = read_sponsor_file(Path(path), names, "committee-report", origin=str(path))
    if report.refusal():
        raise CahError(report.refusal())
    if not report.votes:
        raise CahError(
            f"{path} holds no recorded vote ('by a recorded vote of 80 to 29, with 65 "
            "abstentions' followed by the In favour / Against / Abstaining lists). Nothing was "
            "imported."
        )
    documents = {doc.symbol: doc for doc in report.documents}
    readings = [reading.message for reading in report.readings]
    for vote in report.votes:
        doc = documents.get(vote.symbol)
        ballots = [
            (iso3, names.ref(iso3).name, choice)
            for choice, codes in (("yes", vote.yes), ("no", vote.no), ("abstain", vote.abstain))
            for iso3 in codes
        ]
        yield ImportedVote(
            symbol=vote.symbol,
            date=vote.date,
            body=vote.body or "General Assembly",
            key=KEY.format(source=vote.source),
            meeting=vote.meeting,
            totals=(vote.stated_yes, vote.stated_no, vote.stated_abstain, None, None),
            source=vote.source,
            note=(
                f"recorded vote as the report states it: {vote.stated_yes} in favour, "
                f"{vote.stated_no} against, {vote.stated_abstain} abstaining ({vote.outcome})"
                + (f"; names read as close matches: {'; '.join(readings)}" if readings else "")
            ),
            readings=readings,
            ballots=ballots,
            fill_members=True,
            title=doc.title if doc else None,
            kind=doc.kind if doc else None,
        )
