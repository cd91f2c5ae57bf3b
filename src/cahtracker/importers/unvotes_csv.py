"""The unvotes / Voeten CSV (R package `unvotes`, TidyTuesday 2021-03-23), as published.

`unvotes.csv`: rcid,country,country_code,vote (ISO2 codes; yes/no/abstain; a state that did
not vote has no row). `roll_calls.csv`: rcid,session,importantvote,date,unres,amend,para,
short,descr. R wrote both: a bare `NA` is a missing value, a quoted `"NA"` is text
(Namibia's code), so both files are read with `r_csv` (the csv module reads both as NA).

Each roll call becomes one vote, keyed `unvotes rcid N` (so that several roll calls on one
resolution stay apart and re-importing replaces them), on its `unres` symbol. The 159 roll
calls without a symbol (procedural motions, paragraph votes) become votes on a document
of their own, `unvotes/rcid/N`, titled by the roll call's `descr`. What was voted on comes
from `amend` and `para` (`votes.question`): an amendment, a paragraph, an amendment of a
paragraph; neither flag set (0 or NA: the file leaves them NA from 1992 on) is a vote on the
text as a whole, or, without a symbol, a motion. The rows of one roll call need not be
contiguous (683 are not): the file is read in blocks of rows (`BallotBlock`), and the
writer puts each row with its vote.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cahtracker.errors import CahError
from cahtracker.importers.r_csv import RCsvError, parse_record, read_r_csv
from cahtracker.importers.reading import (
    MAX_HEADER_BYTES,
    BallotBlock,
    ColumnBlock,
    ImportedVote,
    check_first_line,
    open_binary,
    pairs_of,
    regular_file,
    to_session,
)
from cahtracker.voting import WHOLE_TEXT

CHOICES = {"yes": "yes", "no": "no", "abstain": "abstain"}
COLUMNS = ("rcid", "country", "country_code", "vote")
_BLOCK_BYTES = 1 << 20  # about 50,000 rows a block
_FAST_BLOCK_BYTES = (
    1 << 19
)  # measured: 512 KB blocks peak 10-15 MB lower than 1 MB ones, and as fast
MAX_ROLL_CALLS = 20_000  # the whole history has 6,203


def roll_calls_path(votes_path: Path, given: Path | None) -> Path:
    path = Path(given) if given else Path(votes_path).with_name("roll_calls.csv")
    if not given and not path.exists():
        raise CahError(
            f"No roll calls file (looked for {path} beside the votes file); the unvotes format "
            "needs roll_calls.csv: pass --roll-calls FILE."
        )
    return regular_file(path, "the unvotes roll_calls.csv (--roll-calls FILE)")


def read_roll_calls(path: Path) -> dict[str, dict[str, str | None]]:
    """rcid -> its roll call (a few thousand small rows; NA is None)."""
    check_first_line(path)
    rows = read_r_csv(path)
    try:
        header = next(rows, None)
        if not header or not {"rcid", "date", "unres"} <= set(header):
            raise CahError(f"{path} is not an unvotes roll_calls.csv (rcid, date, unres, ...).")
        calls = {}
        for number, row in enumerate(rows, start=2):
            if not row:
                continue
            if len(row) != len(header):
                raise CahError(
                    f"{path} line {number}: {len(row)} fields where the header has "
                    f"{len(header)}; nothing was imported."
                )
            call = dict(zip(header, row, strict=True))
            rcid = call["rcid"]
            if not (rcid and rcid.isascii() and rcid.isdigit()):
                raise CahError(
                    f"{path} line {number}: roll call id {_shown(rcid)} is not a number; an "
                    "unvotes roll_calls.csv numbers its roll calls (rcid 1, 2, ...)."
                )
            if rcid in calls:
                raise CahError(
                    f"{path} line {number}: roll call {rcid} appears twice; give each roll "
                    "call once. Nothing was imported."
                )
            for flag in ("amend", "para"):
                if (call.get(flag) or "").strip() not in _FLAGS:
                    raise CahError(
                        f"{path} line {number}: {flag} is {_shown(call.get(flag))}; use 0, 1 "
                        "or NA. Nothing was imported."
                    )
            if not (call.get("date") or "").strip():
                raise CahError(
                    f"{path} line {number}: roll call {rcid} has no date; every vote needs its "
                    "date. Nothing was imported."
                )
            calls[rcid] = call
            if len(calls) > MAX_ROLL_CALLS:
                raise CahError(
                    f"{path} has more than {MAX_ROLL_CALLS:,} roll calls; that is not an unvotes "
                    "roll_calls.csv (the whole history has 6,203)."
                )
        return calls
    except RCsvError as error:
        raise CahError(f"{path} {str(error).rstrip('.')}; nothing was imported.") from None
    except UnicodeDecodeError:
        raise CahError(f"{path} is not UTF-8 text; save it as UTF-8.") from None


# the flags as R writes them (NA: not set), and as a round trip through pandas leaves them
_FLAGS = {"": False, "0": False, "1": True, "0.0": False, "1.0": True}


def _flag(call: dict, name: str) -> bool:
    return _FLAGS[(call.get(name) or "").strip()]


def _shown(value: str | None, limit: int = 40) -> str:
    """A value from the file inside a message: quoted, and cut when it is long."""
    if value is None:
        return "NA"
    return repr(value if len(value) <= limit else value[:limit] + "…")


def record_of(call: dict, rcid: str, file_name: str, line: int) -> ImportedVote:
    symbol = (call.get("unres") or "").strip() or None
    amend, para = _flag(call, "amend"), _flag(call, "para")
    if amend and para:
        question = "amendment of a paragraph"
    elif amend or para:
        question = "amendment" if amend else "paragraph"
    else:
        question = WHOLE_TEXT if symbol else "motion"
    try:
        session = to_session(call.get("session"))
    except ValueError as error:
        raise CahError(f"roll call {rcid}: {error}; nothing was imported.") from None
    short = (call.get("short") or "").strip() or None
    descr = (call.get("descr") or "").strip() or None
    flags = [q for q, on in (("vote on an amendment", amend), ("vote on a paragraph", para)) if on]
    return ImportedVote(
        symbol=symbol or f"unvotes/rcid/{rcid}",
        date=(call.get("date") or "").strip() or None,
        key=f"unvotes rcid {rcid}",
        session=session,
        source=f"unvotes roll call {rcid} ({file_name})",
        note="; ".join(part for part in (short, *flags) if part) or None,
        line=line,
        fill_members=True,
        question=question,
        title=None if symbol else (descr or short or f"unvotes roll call {rcid}"),
        kind=None if symbol else "other",
    )


def parse_unvotes(
    path: Path, roll_calls: Path, counter_box: list, fast: bool | None = None
) -> Iterator[BallotBlock | ColumnBlock]:
    """The rows of the file as blocks of columns, with the record of each row's roll call.

    The file is read as bytes in blocks cut at line breaks. With pyarrow installed (the
    `fast` extra) a block is parsed by its CSV reader (`arrow_block.py`), which tells a bare
    NA from a quoted "NA" as R means them; a block it does not fully vouch for (any quoting
    other than whole quoted fields, a row of the wrong width, text that is not UTF-8, a vote
    or roll call it does not know) is read again by the pure-Python reader below, which is
    the reference: it gives the same rows, or the refusal with its line. `fast=False` uses
    that reader alone (tests compare the two).
    """
    calls = read_roll_calls(roll_calls)
    fast_block = None
    if fast is not False:
        from cahtracker.importers.arrow_block import block_reader

        fast_block = block_reader()
    size = _FAST_BLOCK_BYTES if fast_block else _BLOCK_BYTES
    handle, counter = open_binary(path)
    counter_box.append(counter)
    records: dict[str, ImportedVote] = {}
    with handle:
        first = handle.readline(MAX_HEADER_BYTES + 1)
        if not first:
            raise CahError(f"{path} is empty; nothing to import.")
        first = first.decode("utf-8").removeprefix("\ufeff")  # as utf-8-sig: a BOM goes
        try:
            header = [(h or "").strip().lower() for h in parse_record(first.rstrip("\r\n"))]
        except RCsvError as error:
            raise CahError(f"{path} line 1: {error}; not an unvotes CSV header.") from None
        try:
            where = [header.index(c) for c in COLUMNS]
        except ValueError:
            raise CahError(
                f"{path} is not an unvotes CSV (rcid,country,country_code,vote)."
            ) from None
        width = len(header)
        line = 2
        tail = b""

        def block(data: bytes, line: int) -> BallotBlock | ColumnBlock:
            if fast_block:
                found = fast_block(data, width, where, calls)
                if found is not None:
                    for rcid in found[0]:  # first seen first: the same every run
                        if rcid not in records:
                            records[rcid] = record_of(calls[rcid], rcid, path.name, line)
                    return ColumnBlock(*found, records, line)
            text = data.decode("utf-8")
            return _block(text, line, width, where, calls, records, path, roll_calls)

        while True:
            chunk = handle.read(size)
            if not chunk:
                break
            data = tail + chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                tail = data
                if len(tail) > _BLOCK_BYTES:
                    raise CahError(
                        f"{path} line {line}: a line longer than 1 MB; not an unvotes CSV."
                    )
                continue
            tail = data[cut + 1 :]
            data = data[:cut]
            if data.strip():
                yield block(data, line)
            line += data.count(b"\n") + 1
        if tail.strip():
            yield block(tail, line)


def _block(
    text: str, line: int, width: int, where, calls, records, path: Path, roll_calls: Path
) -> BallotBlock:
    """One block of lines as columns, in the file's order: the runs of lines without quotes
    split at once, at C speed; the few lines with quotes (Namibia's "NA") read one by one."""
    if "\r" in text:
        text = text.replace("\r", "")
    columns: list[list] = [[], [], [], []]  # rcid, country, country code, vote

    def plain(piece: str) -> None:
        piece = piece.strip("\n")
        if "\n\n" in piece:
            piece = "\n".join(x for x in piece.split("\n") if x)
        if not piece:
            return
        fields = piece.replace("\n", ",").split(",")
        if len(fields) != width * (piece.count("\n") + 1):
            _find_error(text.split("\n"), line, width, path)
        for k, (column, i) in enumerate(zip(columns, where, strict=True)):
            values = fields[i::width]
            if k in (1, 2) and "NA" in values:  # a bare NA: a missing name or code
                values = [None if v == "NA" else v for v in values]
            column += values

    at = 0
    found = text.find('"')
    while found >= 0:
        start = text.rfind("\n", 0, found) + 1
        end = text.find("\n", found)
        end = len(text) if end < 0 else end
        plain(text[at:start])
        try:
            row = parse_record(text[start:end], line)
        except RCsvError:
            row = None
        if row is None or len(row) != width:
            _find_error(text.split("\n"), line, width, path)
        for column, i in zip(columns, where, strict=True):
            column.append(row[i])
        at = end + 1
        found = text.find('"', at)
    plain(text[at:])
    rcids, names, codes, votes = columns  # a quoted "NA" (Namibia's code) stays text
    choices = list(map(CHOICES.get, votes))
    if None in choices:
        bad = votes[choices.index(None)]
        raise CahError(
            f"{path} line {_line_of(text.split(chr(10)), line, bad, where[3], width)}: vote "
            f"{_shown(bad)} is not yes, no or abstain. Nothing was imported."
        )
    for rcid in dict.fromkeys(rcids):  # in the file's order: the import is the same every run
        if rcid in records:
            continue
        call = calls.get(rcid)
        if call is None:
            number = _line_of(text.split("\n"), line, rcid, where[0], width)
            raise CahError(
                f"{path} line {number}: roll call {_shown(rcid)} is not in {roll_calls}; give "
                "the matching roll_calls.csv with --roll-calls. Nothing was imported."
            )
        records[rcid] = record_of(call, rcid, path.name, line)
    pairs, pair_ids = pairs_of(codes, names)
    return BallotBlock(rcids, pairs, pair_ids, choices, records, line)


def _line_of(lines: list[str], first: int, value: str | None, column: int, width: int) -> int:
    """The file line of the first row whose `column` holds `value` (for a message)."""
    for offset, raw in enumerate(lines):
        if raw and '"' not in raw:
            fields = raw.split(",")
            if len(fields) == width and fields[column] == value:
                return first + offset
        elif raw:
            try:
                fields = parse_record(raw, first + offset)
            except RCsvError:
                continue
            if len(fields) == width and fields[column] == value:
                return first + offset
    return first


def _find_error(lines: list[str], first: int, width: int, path: Path):
    """Raise the refusal for the first malformed line of a block."""
    for offset, raw in enumerate(lines):
        if not raw:
            continue
        number = first + offset
        try:
            fields = parse_record(raw, number)
        except RCsvError as error:
            raise CahError(f"{path} {error} Nothing was imported.") from None
        if len(fields) != width:
            raise CahError(
                f"{path} line {number}: {len(fields)} fields where the header has {width}; the "
                "file is truncated or malformed. Nothing was imported."
            )
    raise CahError(f"{path} line {first}: a malformed block of rows; nothing was imported.")
