"""Rows of a CSV file as R writes it, where a bare `NA` is a missing value.

R (`write.csv`, readr's `write_csv`) writes a missing value as a bare `NA` and quotes a
string that is the text NA (`"NA"`: Namibia's ISO2 code in the unvotes data), so that the
two stay apart. The csv module reads both as 'NA'; this reader returns None for the first
and 'NA' for the second. Quoting is the usual one: a field in double quotes may hold commas,
doubled quotes (`""` is one `"`) and line breaks; an unquoted field holds none of them. An
empty unquoted field is the empty string (R writes a missing value as NA, never as nothing).

Pure: it reads text and returns lists; it never prints. Lines without a quote take a fast
path (`str.split`), which is what keeps the whole unvotes history (870,109 rows) well under
a second; a line with a quote goes through the small parser below.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from cahtracker.errors import CahError

# a record is one line unless a quoted field holds line breaks; no real one is near this size
MAX_RECORD_CHARS = 1 << 20
_BATCH_CHARS = 1 << 18  # a file is read in blocks of this many characters, cut at line breaks

Row = list[str | None]


class RCsvError(CahError):
    """Malformed R CSV: `line` is the line (1-based) where the bad record starts."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def parse_record(text: str, line: int = 1) -> Row:
    """The fields of one record (its line break removed; inner line breaks belong to quotes)."""
    if '"' not in text:
        fields: Row = text.split(",")
        if "NA" in text:
            return [None if field == "NA" else field for field in fields]
        return fields
    return _parse_quoted(text, line)


def _parse_quoted(text: str, line: int) -> Row:
    fields: Row = []
    i, end = 0, len(text)
    while True:
        if i < end and text[i] == '"':
            parts = []
            j = i + 1
            while True:
                k = text.find('"', j)
                if k < 0:
                    raise RCsvError(
                        f'line {line}: a quoted field has no closing quote; close it with " '
                        'and write a quote inside a field as "".',
                        line,
                    )
                parts.append(text[j:k])
                if text.startswith('"', k + 1):  # "" inside quotes is one quote
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            fields.append("".join(parts))
            if i == end:
                return fields
            if text[i] != ",":
                raise RCsvError(
                    f"line {line}: text after a closing quote ({text[i : i + 10]!r}); a quoted "
                    "field ends at a comma or at the end of the record.",
                    line,
                )
            i += 1
            continue
        k = text.find(",", i)
        raw = text[i:] if k < 0 else text[i:k]
        if '"' in raw:
            raise RCsvError(
                f"line {line}: a quote inside an unquoted field ({raw[:20]!r}); quote the whole "
                'field and double the quotes inside it ("...""...").',
                line,
            )
        fields.append(None if raw == "NA" else raw)
        if k < 0:
            return fields
        i = k + 1


class RCsvReader:
    """Iterate over the rows of R CSV text: a text file (opened with newline='') or lines.

    Like csv.reader: a blank line is an empty row, and `line_num` is the number of lines
    read so far (the last line of the row just returned). A record longer than
    `max_record_chars` (a quote that is never closed, a file without line breaks) is refused.
    """

    def __init__(self, source: Iterable[str], max_record_chars: int = MAX_RECORD_CHARS) -> None:
        self.source = source
        self.max_record_chars = max_record_chars
        self.line_num = 0

    def __iter__(self) -> Iterator[Row]:
        number = self.line_num
        pending: list[str] = []  # lines of a record whose quoted field holds line breaks
        pending_chars = 0
        start = 0
        limit = self.max_record_chars
        batches = _line_batches(self.source, limit)
        while True:
            try:
                lines, has_cr = next(batches)
            except StopIteration:
                break
            except _LineTooLong:
                raise self._too_long(number + 1) from None
            for line in lines:
                number += 1
                if pending:
                    pending.append(line)
                    pending_chars += len(line) + 1
                    if pending_chars > limit:
                        raise self._too_long(start)
                    if line.count('"') % 2 == 0:  # the quoted field is still open
                        continue
                    self.line_num = number
                    text = "\n".join(pending)
                    pending = []
                    yield _parse_quoted(text[:-1] if text.endswith("\r") else text, start)
                    continue
                if '"' not in line:  # the fast path: no quotes, so a split is exact
                    if has_cr and line.endswith("\r"):
                        line = line[:-1]
                    self.line_num = number
                    if not line:
                        yield []
                        continue
                    fields: Row = line.split(",")
                    if "NA" in line:
                        fields = [None if field == "NA" else field for field in fields]
                    yield fields
                    continue
                if line.count('"') % 2:  # an odd count: a quoted field goes on to the next line
                    pending, pending_chars, start = [line], len(line), number
                    continue
                self.line_num = number
                yield _parse_quoted(line[:-1] if line.endswith("\r") else line, number)
        if pending:
            self.line_num = number
            _parse_quoted("\n".join(pending), start)  # an odd number of quotes never parses
            raise RCsvError(f"line {start}: a quoted field has no closing quote.", start)

    def _too_long(self, start: int) -> RCsvError:
        return RCsvError(
            f"line {start}: a record longer than {self.max_record_chars} characters (a quote "
            "that is never closed, or no line breaks?); check that line.",
            start,
        )


class _LineTooLong(Exception):
    pass


def _line_batches(source, limit: int) -> Iterator[tuple[list[str], bool]]:
    """Lists of lines without their \\n (a \\r stays), and whether any line may end in \\r.

    A file is read in blocks cut at line breaks, which leaves the splitting to str.split;
    other iterables are taken a line at a time.
    """
    read = getattr(source, "read", None)
    if read is None:
        for line in source:
            yield [line[:-1] if line.endswith("\n") else line], True
        return
    tail = ""
    while block := read(_BATCH_CHARS):
        block = tail + block if tail else block
        cut = block.rfind("\n")
        if cut < 0:
            tail = block
            if len(tail) > limit:
                raise _LineTooLong
            continue
        tail = block[cut + 1 :]
        yield block[:cut].split("\n"), "\r" in block
    if tail:
        yield [tail], True


def read_r_csv(path: Path, max_record_chars: int = MAX_RECORD_CHARS) -> Iterator[Row]:
    """Every row of the file at `path` (UTF-8, an optional byte-order mark), header included."""
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CahError(f"Cannot read {path}: {error.strerror}.") from None
    with handle:
        try:
            yield from RCsvReader(handle, max_record_chars)
        except UnicodeDecodeError:
            raise CahError(f"{path} is not UTF-8 text; save it as UTF-8.") from None
