"""What every importer shares: the record of one imported vote, and the bounded reading helpers."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cahtracker.errors import CahError


@dataclass(slots=True)  # one per roll call, 6,203 held through the whole history
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
    # names of its lists read as the one state they closely spell ("read 'Ir eland' as
    # Ireland (A/78/481/Add.3, para. 19)"): said in the summary, kept in the vote's note
    readings: list[str] = field(default_factory=list)


@dataclass
class BallotBlock:
    """Rows of a file in columns, for sources whose rows of one vote may be anywhere.

    Row i is the ballot `choices[i]` (normalised) of the state `pairs[pair_ids[i]]`, a
    (code, name) pair as the file spells it (either may be None: missing), in the vote
    `records[calls[i]]`. The pairs are listed once each: a file of 870,000 rows names about
    200, so the writer resolves each pair once and maps rows to states at C speed.
    """

    calls: list
    pairs: list  # distinct (code, name) pairs of the block
    pair_ids: list  # per row: its index in `pairs`
    choices: list
    records: dict
    line: int  # the file line of the block's first row, for messages


@dataclass
class ColumnBlock:
    """The same rows as a BallotBlock, as pyarrow arrays (the fast reader, arrow_block.py):
    row i is the ballot `choices[choice_ids[i]]` of `pairs[pair_ids[i]]` in the vote
    `records[calls[call_ids[i]]]`; the rows of one call are together (`call_ids` sorted).
    The writer maps them to votes and states without a Python step per row."""

    calls: list  # the block's distinct roll calls, first seen first
    call_ids: Any
    pairs: list
    pair_ids: Any
    choices: list  # the block's distinct choices (normalised)
    choice_ids: Any
    records: dict
    line: int

    def as_lists(self) -> BallotBlock:
        """The block as lists, for the writer's general path."""
        calls, choices = self.calls, self.choices
        return BallotBlock(
            list(map(calls.__getitem__, self.call_ids.to_pylist())),
            self.pairs,
            self.pair_ids.to_pylist(),
            list(map(choices.__getitem__, self.choice_ids.to_pylist())),
            self.records,
            self.line,
        )


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


def regular_file(path: str | Path, what: str, max_bytes: int | None = None) -> Path:
    """`path` if it is a regular file (of at most `max_bytes`), else a one-line CahError.

    A pipe, a device or a socket is refused before any read: /dev/zero never ends and a
    FIFO may block forever. `what` says what was expected ("a voting record").
    """
    import stat

    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CahError(f"No such file {path}; give {what}.") from None
    except OSError as error:
        raise CahError(f"Cannot read {path}: {error.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise CahError(f"{path} is a folder; give {what}.")
    if not stat.S_ISREG(info.st_mode):
        raise CahError(
            f"{path} is not a regular file (a pipe, a device or a socket); give {what} "
            "saved as a file. Nothing was read."
        )
    if max_bytes is not None and info.st_size > max_bytes:
        raise CahError(
            f"{path} is {info.st_size:,} bytes, more than {what} can be "
            f"({max_bytes:,} bytes). Nothing was read."
        )
    return path


def open_text(path: Path) -> tuple[io.TextIOWrapper, CountingReader]:
    """The file as UTF-8 text (a BOM dropped), with the count of bytes read."""
    handle, counter = open_binary(path)
    return io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""), counter


def open_binary(path: Path) -> tuple[io.BufferedReader, CountingReader]:
    """The file's bytes, buffered, with the count of bytes read (for the progress bar)."""
    try:
        raw = open(path, "rb")
    except OSError as error:
        raise CahError(f"Cannot read {path}: {error.strerror}.") from None
    counter = CountingReader(raw)
    return io.BufferedReader(counter, 1 << 16), counter


def pairs_of(codes, names) -> tuple[list, list[int]]:
    """Rows' (code, name) as the distinct pairs and each row's index among them."""
    index: dict = {}
    ids = [index.setdefault(pair, len(index)) for pair in zip(codes, names, strict=True)]
    return list(index), ids


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


def to_int(text: str | None, what: str = "total") -> int | None:
    """An official total as printed: '120', '120.0' or blank; a ValueError naming `what`
    for anything else, a count SQLite cannot store included."""
    from cahtracker.safe_text import SQLITE_INT_MAX

    if text is None or not str(text).strip():
        return None
    stripped = str(text).strip()
    if stripped.isascii() and stripped.isdigit():
        value: float = int(stripped)
    else:
        try:
            value = float(stripped)
        except ValueError:
            raise ValueError(f"{what} {text!r} is not a count") from None
        if not value.is_integer() or value < 0:
            raise ValueError(f"{what} {text!r} is not a count")
    if value > SQLITE_INT_MAX:
        raise ValueError(
            f"{what} {stripped[:40]!r} is larger than SQLite can store ({SQLITE_INT_MAX})"
        )
    return int(value)


def to_session(text: str | None, what: str = "session") -> int | None:
    """A session number written in ASCII digits, else None; a ValueError past SQLite's range."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return to_int(text, what)
