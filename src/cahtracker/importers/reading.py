"""What every importer shares: the record of one imported vote, and the bounded reading helpers."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from cahtracker.errors import CahError


@dataclass
class ImportedVote:
    """One vote as a source gives it; ballots are (code, name, choice) with choice normalised."""

    symbol: str
    date: str | None
    body: str = "General Assembly"
    key: str | None = None  # the source's own id (UN DL record id, "unvotes rcid N")
    meeting: str | None = None
    session: int | None = None
    totals: tuple[int | None, int | None, int | None, int | None, int | None] | None = None
    source: str | None = None
    note: str | None = None
    ballots: list[tuple[str, str, str]] = field(default_factory=list)
    line: int | None = None  # where it starts in the file, for messages
    # the source lists only the states that voted: members on the date without a row get
    # a 'non-voting' ballot, so that every vote has one ballot per member state
    fill_members: bool = False
    # what was voted on (votes.question): "text as a whole", "amendment", "paragraph",
    # "amendment of a paragraph" or "motion"; None when the source does not say
    question: str | None = None
    title: str | None = None  # for a document the import creates (a motion has no symbol)
    kind: str | None = None  # the created document's kind (default: from the symbol)


@dataclass
class BallotBlock:
    """Rows of a file in columns, for sources whose rows of one vote may be anywhere.

    Row i is the ballot `choices[i]` (normalised) of the state `codes[i]` / `names[i]` (a
    code may be None: missing) in the vote `records[calls[i]]`.
    """

    calls: list
    codes: list
    names: list
    choices: list
    records: dict
    line: int  # the file line of the block's first row, for messages


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read, for the progress bar."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_text(path: Path) -> tuple[io.TextIOWrapper, CountingReader]:
    try:
        raw = open(path, "rb")
    except OSError as error:
        raise CahError(f"Cannot read {path}: {error.strerror}.") from None
    counter = CountingReader(raw)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 16), encoding="utf-8-sig", newline="")
    return text, counter


MAX_HEADER_BYTES = 64 * 1024


def check_first_line(path: Path) -> None:
    """Refuse a CSV whose first line (its header) is not a header: over 64 KB, or binary.

    A real header is a few hundred bytes; without this, a 50 MB single line is split into
    millions of fields (about 1 GB of memory) before it can be refused.
    """
    try:
        with open(path, "rb") as handle:
            line = handle.readline(MAX_HEADER_BYTES + 1)
    except OSError as error:
        raise CahError(f"Cannot read {path}: {error.strerror}.") from None
    if len(line) > MAX_HEADER_BYTES:
        raise CahError(
            f"{path}: the first line is longer than {MAX_HEADER_BYTES // 1024} KB, so it is not "
            "a CSV header; give a voting CSV. Nothing was imported."
        )
    if b"\x00" in line:
        raise CahError(f"{path} is binary, not a CSV file; nothing was imported.")


def to_int(text: str | None) -> int | None:
    """An official total as printed: '120', '120.0' or blank."""
    if text is None or not str(text).strip():
        return None
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"total {text!r} is not a count") from None
    if not value.is_integer() or value < 0:
        raise ValueError(f"not a count: {text!r}")
    return int(value)
