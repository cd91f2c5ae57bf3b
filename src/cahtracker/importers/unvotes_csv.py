"""The unvotes / Voeten CSV (R package `unvotes`, TidyTuesday 2021-03-23).

`unvotes.csv`: rcid,country,country_code,vote (ISO2 codes; yes/no/abstain; a state that did
not vote has no row). `roll_calls.csv`: rcid,session,importantvote,date,unres,amend,para,
short,descr. Each roll call becomes a vote on its `unres` symbol, keyed `unvotes rcid N`
so that several roll calls on one resolution stay apart and re-importing replaces them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from cahtracker.errors import CahError
from cahtracker.importers.reading import ImportedVote, check_first_line, open_text

CHOICES = {"yes": "yes", "no": "no", "abstain": "abstain"}


def roll_calls_path(votes_path: Path, given: Path | None) -> Path:
    path = Path(given) if given else Path(votes_path).with_name("roll_calls.csv")
    if not path.is_file():
        hint = "" if given else f" (looked for {path} beside the votes file)"
        raise CahError(
            f"No roll calls file{hint}; the unvotes format needs roll_calls.csv: pass --roll-calls FILE."
        )
    return path


def read_roll_calls(path: Path) -> dict[str, dict[str, str]]:
    """rcid -> its roll call (a few thousand small rows)."""
    check_first_line(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            fields = reader.fieldnames
        except csv.Error as error:
            raise CahError(f"{path} line 1: {error}; not a roll_calls.csv header.") from None
        except UnicodeDecodeError:
            raise CahError(f"{path} is not UTF-8 text; save it as UTF-8.") from None
        if not fields or not {"rcid", "date", "unres"} <= set(fields):
            raise CahError(f"{path} is not an unvotes roll_calls.csv (rcid, date, unres, ...).")
        try:
            return {row["rcid"]: row for row in reader}
        except csv.Error as error:
            raise CahError(f"{path} line {reader.line_num}: {error}.") from None


def _na(value: str | None) -> str | None:
    value = (value or "").strip()
    return None if value in ("", "NA") else value


def parse_unvotes(path: Path, roll_calls: Path, counter_box: list) -> Iterator[ImportedVote]:
    calls = read_roll_calls(roll_calls)
    handle, counter = open_text(path)
    counter_box.append(counter)
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise CahError(f"{path} is empty; nothing to import.") from None
        except csv.Error as error:
            raise CahError(f"{path} line 1: {error}; not an unvotes CSV header.") from None
        try:
            i_rcid, i_name, i_code, i_vote = (
                header.index(c) for c in ("rcid", "country", "country_code", "vote")
            )
        except ValueError:
            raise CahError(
                f"{path} is not an unvotes CSV (rcid,country,country_code,vote)."
            ) from None
        width = len(header)
        current: ImportedVote | None = None
        current_rcid = None
        append = None
        try:
            for row in reader:
                if len(row) != width:
                    if not row:
                        continue
                    raise CahError(
                        f"{path} line {reader.line_num}: {len(row)} fields where the header has "
                        f"{width}; the file is truncated or malformed. Nothing was imported."
                    )
                rcid = row[i_rcid]
                if rcid != current_rcid:
                    if current is not None:
                        yield current
                    current_rcid = rcid
                    current = _vote(calls, rcid, path, roll_calls, reader.line_num)
                    append = current.ballots.append
                choice = CHOICES.get(row[i_vote])
                if choice is None:
                    raise CahError(
                        f"{path} line {reader.line_num}: vote '{row[i_vote]}' is not yes, no or "
                        "abstain. Nothing was imported."
                    )
                append((row[i_code], row[i_name], choice))
        except csv.Error as error:
            raise CahError(
                f"{path} line {reader.line_num}: {error}; nothing was imported."
            ) from None
        if current is not None:
            yield current


def _vote(calls, rcid: str, path: Path, roll_calls: Path, line: int) -> ImportedVote:
    call = calls.get(rcid)
    if call is None:
        raise CahError(
            f"{path} line {line}: roll call {rcid} is not in {roll_calls}; give the matching "
            "roll_calls.csv with --roll-calls. Nothing was imported."
        )
    symbol = _na(call.get("unres"))
    if not symbol:
        raise CahError(f"{roll_calls}: roll call {rcid} has no unres symbol; nothing was imported.")
    session = _na(call.get("session"))
    short = _na(call.get("short"))
    flags = [k for k in ("amend", "para") if _na(call.get(k)) == "1"]
    note = "; ".join(
        part
        for part in (
            short,
            "vote on an amendment" if "amend" in flags else None,
            "vote on a paragraph" if "para" in flags else None,
        )
        if part
    )
    return ImportedVote(
        symbol=symbol,
        date=_na(call.get("date")),
        key=f"unvotes rcid {rcid}",
        session=int(session) if session and session.isdigit() else None,
        source=f"unvotes roll call {rcid} ({Path(path).name})",
        note=note or None,
        line=line,
        fill_members=True,
    )
