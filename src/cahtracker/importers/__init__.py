"""Import the UN's own voting records: four real formats, one streaming writer.

Formats (see DESIGN.md "Import formats"): `undl-csv` (UN Digital Library bulk voting CSV,
both header generations), `undl-xml` (a UN Digital Library MARCXML record), `undl-html`
(a UN Digital Library record page saved as HTML), `unvotes-csv` (the unvotes/Voeten CSV
with its roll_calls.csv). Each parser yields one `ImportedVote` at a time, so memory does
not grow with the file; the writer resolves names through a cache built once, writes each
vote with one executemany for its ballots, and the whole import is one transaction: any
refusal (unknown state, malformed or truncated file) rolls everything back.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from cahtracker.errors import CahError

FORMATS = ("undl-csv", "undl-xml", "undl-html", "unvotes-csv")


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


def detect_format(path: Path) -> str:
    """Which of the four formats a file is, from its content (not its name)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except OSError as error:
        raise CahError(f"Cannot read {path}: {error.strerror}.") from None
    if not head.strip():
        raise CahError(f"Unrecognised file {path}: it is empty; nothing to import.")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CahError(f"{path} is UTF-16 text; save it as UTF-8. Nothing was imported.")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    lower = text.lower()
    if lower.startswith("<?xml") or lower.startswith("<collection") or lower.startswith("<record"):
        if "<html" in lower:
            return "undl-html"
        return "undl-xml"
    if lower.startswith("<!doctype html") or lower.startswith("<html") or "<html" in lower[:1000]:
        return "undl-html"
    first = lower.splitlines()[0] if lower else ""
    columns = {c.strip().strip('"') for c in first.split(",")}
    if "undl_id" in columns and columns & {"ms_code", "ms_codes"}:
        return "undl-csv"
    if {"rcid", "country_code", "vote"} <= columns:
        return "unvotes-csv"
    raise CahError(
        f"Unrecognised file {path}: expected a UN Digital Library voting CSV, MARCXML record or "
        "record page (HTML), or an unvotes CSV; give --format if it is one of these."
    )


def parse(
    path: Path, fmt: str, roll_calls: Path | None, counter_box: list
) -> Iterator[ImportedVote]:
    """The votes of a file, one at a time; a file that is not UTF-8 is refused in one line."""
    try:
        yield from _parse(path, fmt, roll_calls, counter_box)
    except UnicodeDecodeError:
        raise CahError(
            f"{path} is not UTF-8 text; save it as UTF-8. Nothing was imported."
        ) from None


def _parse(
    path: Path, fmt: str, roll_calls: Path | None, counter_box: list
) -> Iterator[ImportedVote]:
    if fmt == "undl-csv":
        from cahtracker.importers.undl_csv import parse_undl_csv

        return parse_undl_csv(path, counter_box)
    if fmt == "undl-xml":
        from cahtracker.importers.undl_xml import parse_undl_xml

        return parse_undl_xml(path, counter_box)
    if fmt == "undl-html":
        from cahtracker.importers.undl_html import parse_undl_html

        return parse_undl_html(path, counter_box)
    if fmt == "unvotes-csv":
        from cahtracker.importers.unvotes_csv import parse_unvotes, roll_calls_path

        return parse_unvotes(path, roll_calls_path(path, roll_calls), counter_box)
    raise CahError(f"Unknown format '{fmt}'; use auto, {', '.join(FORMATS)}.")


def with_checked_dates(records: Iterator[ImportedVote], path: Path) -> Iterator[ImportedVote]:
    """The records, each refused unless its date is a real YYYY-MM-DD date (or absent)."""
    import re
    from datetime import date

    for record in records:
        if record.date is not None:
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", record.date):
                    raise ValueError
                date.fromisoformat(record.date)
            except ValueError:
                where = f" line {record.line}" if record.line else ""
                raise CahError(
                    f"{path}{where}: the vote on {record.symbol} is dated '{record.date}', not a "
                    "real date (YYYY-MM-DD). Nothing was imported."
                ) from None
        yield record


_DATED = object()


class StateResolver:
    """Code/name -> ISO3 with a cache; dated aliases and former states are decided by date."""

    def __init__(self, names) -> None:
        from cahtracker.names import name_key

        self.names = names
        self.key = name_key
        self.cache: dict[tuple[str, str], Any] = {}
        self.dated_cache: dict[tuple[str, str, str | None], tuple[str, str]] = {}
        self.static: dict[tuple[str, str], str] = {}

    def resolve(self, code: str, name: str, on: str | None) -> tuple[str, str]:
        """('ok', iso3) | ('former', name) | ('unknown', label)."""
        pair = (code, name)
        hit = self.cache.get(pair)
        if hit is not None and hit is not _DATED:
            return hit
        if hit is _DATED:
            dated = self.dated_cache.get((code, name, on))
            if dated is None:
                dated = self.dated_cache[(code, name, on)] = self._resolve(code, name, on)
            return dated
        keys = {self.key(code), self.key(name)} - {""}
        depends = any(k in self.names.dated or k in self.names.former for k in keys)
        if depends:
            self.cache[pair] = _DATED
            return self.resolve(code, name, on)
        result = self.cache[pair] = self._resolve(code, name, on)
        if result[0] == "ok":
            self.static[pair] = result[1]
        return result

    def code_alone(self, code: str) -> str | None:
        """The state a code names whatever the date and the name beside it, else None.

        `_resolve` tries the code first and a unique, undated match settles it, so such a
        code can be looked up alone (one dict lookup per ballot on the import's hot path).
        """
        key = self.key(code) if code else ""
        if not key or key in self.names.dated:
            return None
        found = self.names.keys.get(key, ())
        return next(iter(found)) if len(found) == 1 else None

    def _resolve(self, code: str, name: str, on: str | None) -> tuple[str, str]:
        for text in (code, name):
            if text and text.strip():
                found = self.names.lookup(text, on)
                if len(found) == 1:
                    return ("ok", next(iter(found)))
        for text in (name, code):
            if text and text.strip():
                former = self.names.former_state(text, on)
                if former:
                    return ("former", former)
        label = f"{name} ({code})" if name and code else (name or code or "(blank)")
        return ("unknown", label)


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

    path = Path(path)
    if not path.is_file():
        raise CahError(f"No file {path}; give the path of a voting record to import.")
    if fmt == "auto":
        fmt = detect_format(path)
    elif fmt not in FORMATS:
        raise CahError(f"Unknown format '{fmt}'; use auto, {', '.join(FORMATS)}.")
    if fmt == "unvotes-csv":  # checked before the transaction opens
        from cahtracker.importers.unvotes_csv import roll_calls_path

        roll_calls = roll_calls_path(path, roll_calls)
    if fmt in ("undl-csv", "unvotes-csv"):
        check_first_line(path)
    summary = ImportSummary(file=str(path), format=fmt)
    size = os.path.getsize(path) or 1
    resolver = StateResolver(names)
    counter_box: list = []
    records = with_checked_dates(parse(path, fmt, roll_calls, counter_box), path)
    conn = store.conn
    with bulk_settings(conn), store.write("vote import"):
        known_docs = {r[0] for r in conn.execute("SELECT symbol FROM documents")}
        by_key = {
            k: i for i, k in conn.execute("SELECT id, undl_id FROM votes WHERE undl_id IS NOT NULL")
        }
        by_triple = {
            (s, d, b): (i, k)
            for i, s, d, b, k in conn.execute(
                "SELECT id, symbol, date, body, undl_id FROM votes ORDER BY id"
            )
        }
        members = conn.execute(
            "SELECT iso3, admitted_on FROM states WHERE status = 'member'"
        ).fetchall()
        seen: set[int] = set()
        by_code: dict[str, str | None] = {}  # code -> iso3 when the code alone decides
        by_code_get = by_code.get
        allowed = set(V.CHOICES)
        index = BallotIndex(conn)
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
                    f"{', '.join(V.CHOICES)}: {sorted(counted.keys() - allowed)}. Nothing was imported."
                )
            if record.symbol not in known_docs:
                V.create_document(
                    store, record.symbol, record.body, V.guess_kind(record.symbol), record.session
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
            tally = {c.replace("-", "_"): counted[c] for c in V.CHOICES}
            totals = record.totals
            row = {
                "symbol": record.symbol,
                "body": record.body,
                "date": record.date,
                "meeting": record.meeting,
                "method": V.METHOD_RECORDED,
                "outcome": V.decide(tally["yes"], tally["no"]),
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


def duplicate_message(names, resolver, path: Path, record: ImportedVote) -> str:
    seen: set[str] = set()
    for code, name, _ in record.ballots:
        status, iso3 = resolver.resolve(code, name, record.date)
        if status == "ok" and iso3 in seen:
            return (
                f"{path}: {names.ref(iso3).label()} has two ballots in the vote on {record.symbol} "
                f"({record.date}); each state votes once. Nothing was imported."
            )
        seen.add(iso3)
    return f"{path}: a state has two ballots in the vote on {record.symbol}; nothing was imported."


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


class BallotIndex:
    """Drops the secondary index of `ballots` once an import has added more ballots than the
    table held (and at least BIG), and builds it again at the end, inside the same transaction.

    Measured: keeping the (iso3, vote_id) index up to date row by row costs more than building
    it once when most of the table is new; for a small import into a big table it is the other
    way round, hence the threshold. A refused import rolls the DROP back with everything else.
    """

    NAME = "idx_ballots_iso3"
    BIG = 50_000

    def __init__(self, conn) -> None:
        self.conn = conn
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (self.NAME,)
        ).fetchone()
        self.sql = row[0] if row else None
        self.count = 0
        self.existing: int | None = None  # counted once the import is big (a scan: ~30 ms/1M)
        self.dropped = False

    def added(self, n: int) -> None:
        self.count += n
        if self.dropped or not self.sql or self.count <= self.BIG:
            return
        if self.existing is None:
            total = self.conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
            self.existing = total - self.count  # before this import
        if self.count > self.existing:
            self.conn.execute(f"DROP INDEX {self.NAME}")
            self.dropped = True

    def restore(self) -> None:
        if self.dropped:
            self.conn.execute(self.sql)
            self.dropped = False


def unknown_message(names, path: Path, unknown: dict[str, int]) -> str:
    parts = []
    for label, rows in list(unknown.items())[:12]:
        bare = label.split(" (")[0]
        hints = names.suggestions(bare)
        hint = f" (did you mean {', '.join(h.label() for h in hints)}?)" if hints else ""
        parts.append(f"'{label}' ×{rows}{hint}")
    more = f" and {len(unknown) - 12} more" if len(unknown) > 12 else ""
    return (
        f"Unknown states in {path}: {'; '.join(parts)}{more}. Nothing was imported; "
        "add an alias, or pass --skip-unknown to import the rest."
    )
