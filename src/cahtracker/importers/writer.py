"""The one writer of every import format: resolve, check, and store the votes in one transaction.

Any refusal (unknown state, malformed or truncated file, contradicting totals) rolls the
whole import back. The writer stores through the storage API of votes.py and documents.py.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from cahtracker.errors import CahError
from cahtracker.importers import FORMATS, check_format, detect_format, parse
from cahtracker.importers.reading import check_first_line, with_checked_dates
from cahtracker.importers.resolver import StateResolver, duplicate_message, unknown_message


@dataclass
class ImportSummary:
    file: str
    format: str
    votes: int = 0
    ballots: int = 0
    replaced: int = 0
    documents_created: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    unknown: dict[str, int] = field(default_factory=dict)  # label -> rows
    mismatches: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "votes": self.votes,
            "ballots": self.ballots,
            "replaced": self.replaced,
            "documents_created": self.documents_created,
            "skipped": self.skipped,
            "unknown_skipped": self.unknown,
            "totals_mismatches": self.mismatches,
        }


def import_votes(
    store,
    names,
    path: Path,
    fmt: str = "auto",
    roll_calls: Path | None = None,
    skip_unknown: bool = False,
    progress: Callable[[int, int], None] | None = None,
    accept_mismatches: bool = False,
) -> ImportSummary:
    """Import a file in one transaction; refuse it whole (rolled back) on unknown states.

    A vote whose official totals disagree with its ballots also refuses the whole file,
    unless `accept_mismatches`: then both figures are kept side by side (the ballots are
    counted, the totals stored as the source gave them) and the disagreement is reported.
    """
    from cahtracker import votes as V
    from cahtracker.documents import create_document, kind_of_symbol, known_symbols
    from cahtracker.states import member_admissions
    from cahtracker.voting import CHOICES, METHOD_RECORDED, decide, tally_key

    path = Path(path)
    if not path.is_file():
        raise CahError(f"No file {path}; give the path of a voting record to import.")
    fmt = detect_format(path) if check_format(fmt) == "auto" else fmt
    if fmt == "unvotes-csv":  # checked before the transaction opens
        from cahtracker.importers.unvotes_csv import roll_calls_path

        roll_calls = roll_calls_path(path, roll_calls)
    if FORMATS[fmt].csv:
        check_first_line(path)
    summary = ImportSummary(file=str(path), format=fmt)
    size = os.path.getsize(path) or 1
    resolver = StateResolver(names)
    counter_box: list = []
    records = with_checked_dates(parse(path, fmt, roll_calls, counter_box), path)
    conn = store.conn
    with bulk_settings(conn), store.write("vote import"):
        known_docs = known_symbols(store)
        by_key, by_triple = V.vote_index(store)
        members = member_admissions(store)
        seen: set[int] = set()
        by_code: dict[str, str | None] = {}  # code -> iso3 when the code alone decides
        by_code_get = by_code.get
        allowed = set(CHOICES)
        index = V.BallotIndex(conn)
        first, third = itemgetter(0), itemgetter(2)
        for record in records:
            rows = record.ballots
            # fast path, at C speed: every code known alone and no state twice
            ballots = dict(zip(map(by_code_get, map(first, rows)), map(third, rows), strict=True))
            if None not in ballots and len(ballots) == len(rows):
                rows = ()
            else:
                ballots = {}
            skipped = 0
            on = record.date
            for code, name, choice in rows:
                iso3 = by_code_get(code)
                if iso3 is None:
                    if code not in by_code:
                        iso3 = by_code[code] = resolver.code_alone(code)
                    if iso3 is None:
                        status, value = resolver.resolve(code, name, on)
                        if status == "former":
                            reason = f"former state {value}"
                            summary.skipped[reason] = summary.skipped.get(reason, 0) + 1
                            skipped += 1
                            continue
                        if status == "unknown":
                            summary.unknown[value] = summary.unknown.get(value, 0) + 1
                            skipped += 1
                            continue
                        iso3 = value
                ballots[iso3] = choice
            if rows and len(ballots) != len(rows) - skipped:
                raise CahError(duplicate_message(names, resolver, path, record))
            if record.fill_members and record.date:
                for iso3, admitted_on in members:
                    if iso3 not in ballots and (admitted_on or "") <= record.date:
                        ballots[iso3] = "non-voting"
            if summary.unknown and not skip_unknown:
                continue  # keep reading, to list every unknown name at once
            counted = Counter(ballots.values())
            if not counted.keys() <= allowed:  # the CHECK on ballots.choice, kept in Python
                raise CahError(
                    f"{path}: the vote on {record.symbol} has a choice outside "
                    f"{', '.join(CHOICES)}: {sorted(counted.keys() - allowed)}. Nothing was imported."
                )
            if record.symbol not in known_docs:
                create_document(
                    store,
                    record.symbol,
                    kind_of_symbol(record.symbol),
                    record.body,
                    session=record.session,
                )
                known_docs.add(record.symbol)
                summary.documents_created.append(record.symbol)
            old = by_key.get(record.key) if record.key else None
            if old is None:
                # the same decision recorded by hand or from a source without ids
                same, same_key = by_triple.get(
                    (record.symbol, record.date, record.body), (None, None)
                )
                if same is not None and (same_key is None or record.key is None):
                    old = same
            if old is not None and old in seen:
                raise CahError(
                    f"{path}: the vote on {record.symbol} ({record.date}) appears twice in the file; "
                    "give each vote once. Nothing was imported."
                )
            if old is not None:
                V.delete_vote(store, old)
                summary.replaced += 1
            tally = {tally_key(c): counted[c] for c in CHOICES}
            totals = record.totals
            row = {
                "symbol": record.symbol,
                "body": record.body,
                "date": record.date,
                "meeting": record.meeting,
                "method": METHOD_RECORDED,
                "outcome": decide(tally["yes"], tally["no"]),
                "majority": "simple",
                "undl_id": record.key,
                "source": record.source,
                "note": record.note,
            }
            if totals:
                (
                    row["total_yes"],
                    row["total_no"],
                    row["total_abstain"],
                    row["total_non_voting"],
                    row["total_members"],
                ) = totals
                official = dict(
                    zip(("yes", "no", "abstain", "non_voting", "members"), totals, strict=True)
                )
                problems = V.totals_warnings(tally, official)
                if problems:
                    summary.mismatches.append(
                        f"{record.symbol} ({record.date}): " + "; ".join(problems)
                    )
            vote_id = V.insert_vote(store, row, [], vote_id=old, log_ballots=False)
            V.insert_choices(conn, vote_id, sorted(ballots.items()))  # primary-key order
            seen.add(vote_id)
            if record.key:
                by_key[record.key] = vote_id
            by_triple[(record.symbol, record.date, record.body)] = (vote_id, record.key)
            summary.votes += 1
            summary.ballots += len(ballots)
            index.added(len(ballots))
            if progress and counter_box:
                progress(counter_box[0].count, size)
        if summary.unknown and not skip_unknown:
            raise CahError(unknown_message(names, path, summary.unknown))
        if not summary.votes:
            raise CahError(f"{path} holds no votes (a header without rows?); nothing was imported.")
        if summary.mismatches and not accept_mismatches:
            count = len(summary.mismatches)
            raise CahError(
                f"{count} vote{'s' if count > 1 else ''} in {path} ha{'ve' if count > 1 else 's'} official "
                f"totals that disagree with the ballots (first: {summary.mismatches[0]}); nothing was "
                "imported. Check the file, or pass --accept-mismatches to import with both figures kept."
            )
        index.restore()
    return summary


@contextmanager
def bulk_settings(conn):
    """Connection settings for a bulk import, restored after it.

    Foreign-key checks off (measured: about a third of the insert time). Safe here: every
    ballot's iso3 comes from the states table through the name index and every vote id from
    the same transaction; a replaced vote's ballots are deleted explicitly. CHECK constraints
    off: the m001 `CHECK (choice IN (...))` builds a temporary lookup per statement (with
    executemany, per row), and the import checks every vote's choices in Python before
    writing it (`import_votes`); the other rows it writes are built by the code itself.
    """
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA ignore_check_constraints = OFF")
