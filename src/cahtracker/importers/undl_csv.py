"""UN Digital Library bulk voting CSV (record 4060887): one row per state per resolution.

Header (2025): undl_id,ms_code,ms_name,ms_vote,date,session,resolution,draft,committee_report,
meeting,title,agenda_title,subjects,vote_note,total_yes,total_no,total_abstentions,
total_non_voting,total_ms,undl_link. The first release (2024) used plural names (ms_codes,
ms_votes, ...) and a `modality` column, and wrote non-voting as `NV`; both are accepted.
`ms_vote` is Y/N/A, X or NV (non-voting), or blank (also non-voting). Totals may be
written as decimals (`120.0`). The rows of one resolution need not be consecutive: the
writer puts every row with its vote.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from cahtracker.errors import CahError
from cahtracker.importers.reading import ImportedVote, open_text, to_int

CHOICES = {
    "Y": "yes",
    "N": "no",
    "A": "abstain",
    "X": "non-voting",
    "NV": "non-voting",
    "": "non-voting",
}
# column -> the names it has had across releases
COLUMNS = {
    "undl_id": ("undl_id",),
    "code": ("ms_code", "ms_codes"),
    "name": ("ms_name", "ms_names"),
    "vote": ("ms_vote", "ms_votes"),
    "date": ("date",),
    "session": ("session",),
    "resolution": ("resolution",),
    "meeting": ("meeting",),
    "draft": ("draft",),
    "total_yes": ("total_yes",),
    "total_no": ("total_no",),
    "total_abstentions": ("total_abstentions",),
    "total_non_voting": ("total_non_voting",),
    "total_ms": ("total_ms",),
}
REQUIRED = ("undl_id", "code", "vote", "date", "resolution")


def _positions(header: list[str], path: Path) -> dict[str, int | None]:
    where = {name.strip().lower(): i for i, name in enumerate(header)}
    found: dict[str, int | None] = {}
    for column, spellings in COLUMNS.items():
        found[column] = next((where[s] for s in spellings if s in where), None)
    missing = [COLUMNS[c][0] for c in REQUIRED if found[c] is None]
    if missing:
        raise CahError(
            f"{path} is not a UN Digital Library voting CSV: no column {', '.join(missing)}."
        )
    return found


def parse_undl_csv(path: Path, counter_box: list) -> Iterator[ImportedVote]:
    """The votes of the file, one at a time.

    The rows of one resolution repeat its columns after the state's (date, symbol, title,
    agenda, subjects, totals, link): a row whose text after its first fields is the very text
    of the row above, which the csv module parsed whole on that one line, is split at its
    first commas only (measured: the csv module's parsing of every field was the largest cost
    of a bulk import). Any other row (a new resolution, quotes among the first fields, a record
    spanning lines) goes through the csv module.
    """
    handle, counter = open_text(path)
    counter_box.append(counter)
    with handle:
        lines = iter(handle)
        number = 0  # physical lines read

        def record(first: str) -> tuple[list[str], bool]:
            """One CSV record that starts with this line; and whether it ended on it."""
            nonlocal number
            reader = csv.reader(chain((first,), lines))
            try:
                row = next(reader, [])
            except csv.Error as error:
                raise CahError(f"{path} line {number}: {error}; nothing was imported.") from None
            number += reader.line_num - 1
            return row, reader.line_num <= 1

        first = next(lines, None)
        if first is None:
            raise CahError(f"{path} is empty; nothing to import.")
        number = 1
        header, _ = record(first)
        pos = _positions(header, path)
        width = len(header)
        i_id, i_code, i_name, i_vote = pos["undl_id"], pos["code"], pos["name"], pos["vote"]
        k = max(i for i in (i_id, i_code, i_name, i_vote) if i is not None) + 1
        choices = CHOICES
        current: ImportedVote | None = None
        ballots: list[tuple[str, str, str]] = []
        append = ballots.append
        current_id = None
        tail = None  # the text after the first k fields of the last row parsed whole
        for line in lines:
            number += 1
            parts = line.split(",", k)
            if (
                tail is not None
                and len(parts) > k
                and parts[k] == tail
                and parts[i_id] == current_id
                and '"' not in line[: len(line) - len(tail)]
            ):
                row = parts  # the first k fields; the rest is the row above's
            else:
                start = number
                row, one_line = record(line)
                if len(row) != width:
                    if not row:
                        continue
                    raise CahError(
                        f"{path} line {start}: {len(row)} fields where the header has "
                        f"{width}; the file is truncated or malformed. Nothing was imported."
                    )
                tail = None
                if one_line and len(parts) > k and '"' not in line[: len(line) - len(parts[k])]:
                    tail = parts[k]
                if row[i_id] != current_id:
                    if current is not None:
                        yield current
                    current_id = row[i_id]
                    current = _vote(row, pos, path, start)
                    ballots = current.ballots
                    append = ballots.append
            choice = choices.get(row[i_vote]) or choices.get(row[i_vote].strip().upper())
            if choice is None:
                raise CahError(
                    f"{path} line {number}: vote '{row[i_vote]}' is not Y, N, A, X, NV "
                    "or blank. Nothing was imported."
                )
            append((row[i_code], row[i_name] if i_name is not None else "", choice))
        if current is not None:
            yield current


def _vote(row: list[str], pos: dict[str, int | None], path: Path, line: int) -> ImportedVote:
    def get(column: str) -> str | None:
        i = pos[column]
        value = row[i].strip() if i is not None else ""
        return value or None

    try:
        totals = tuple(
            to_int(get(c))
            for c in ("total_yes", "total_no", "total_abstentions", "total_non_voting", "total_ms")
        )
    except ValueError as error:
        raise CahError(f"{path} line {line}: {error}; nothing was imported.") from None
    date = get("date")
    if date and len(date) >= 10:
        date = date[:10]
    symbol = get("resolution") or get("draft")
    if not symbol:
        raise CahError(f"{path} line {line}: no resolution symbol; nothing was imported.")
    session = get("session")
    draft = get("draft")
    return ImportedVote(
        symbol=symbol,
        date=date,
        key=f"undl:{get('undl_id')}",
        meeting=get("meeting"),
        session=int(session) if session and session.isdigit() else None,
        totals=totals if any(t is not None for t in totals) else None,
        source=f"UN Digital Library record {get('undl_id')}",
        note=f"draft {draft}" if draft else None,
        line=line,
    )
