"""The one writer of every import format: resolve, check, and store the votes in one transaction.

A parser hands the writer either whole records (`ImportedVote` with its ballots: the UN
Digital Library formats) or blocks of rows in columns (`BallotBlock`: the unvotes history,
870,109 rows, whose rows of one roll call need not be contiguous). Both end in the same
place:

- A vote is created the first time one of its rows is seen, and its ballots are written
  as they come, in multi-row INSERTs; a vote seen again later in the file takes more rows.
  Memory holds one block of rows and a few numbers per vote (who has a ballot, as a bit
  mask; the count of each choice), never the file.
- At the end: members on the date without a ballot get a non-voting one (sources that list
  only the states that voted), the outcome is decided, official totals are checked against
  the ballots, and each vote is logged as one change that owns its rows (undo takes them).
- One vote per real vote: a record whose key an earlier import stored replaces that vote;
  a record of another source on the same text, date and body (a vote on the text as a
  whole) adds itself to that vote as a second source, and where its ballots differ from the
  vote's they are kept beside them (`ballot_differences`) and listed in the summary.

Any refusal (unknown state, malformed or truncated file, a state twice in one vote,
contradicting totals) rolls the whole import back.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, compress, groupby
from operator import attrgetter, not_
from pathlib import Path
from typing import Any

from cahtracker.errors import CahError
from cahtracker.importers import FORMATS, check_format, detect_format, parse
from cahtracker.importers.reading import (
    BallotBlock,
    ColumnBlock,
    ImportedVote,
    check_first_line,
    pairs_of,
    regular_file,
)
from cahtracker.importers.resolver import StateResolver, unknown_message
from cahtracker.voting import CHOICES as _VOTING_CHOICES
from cahtracker.voting import WHOLE_TEXT, tally_key

# rows a multi-row INSERT: 3 parameters each, under SQLite's limit of 32,766 since 3.32
_ROWS_PER_INSERT = 999
_FLUSH_ROWS = 50_000


@dataclass
class ImportSummary:
    file: str
    format: str
    votes: int = 0
    ballots: int = 0
    replaced: int = 0
    merged: int = 0  # records added to a vote another source had recorded
    documents_created: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    unknown: dict[str, int] = field(default_factory=dict)  # label -> rows
    mismatches: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)  # ballots two sources disagree on
    readings: list[str] = field(default_factory=list)  # names read as close matches

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "votes": self.votes,
            "ballots": self.ballots,
            "replaced": self.replaced,
            "merged": self.merged,
            "documents_created": self.documents_created,
            "skipped": self.skipped,
            "unknown_skipped": self.unknown,
            "totals_mismatches": self.mismatches,
            "ballot_differences": self.differences,
            "close_readings": self.readings,
        }


@dataclass(slots=True)
class _Vote:
    """A vote this import writes to: new (or replacing an earlier import's), or compared."""

    id: int
    record: ImportedVote
    compare: bool = False  # another source's vote: this record's ballots are compared with it
    # the vote's other sources, whose ballots were staged before this record replaced the
    # vote's own: their differences with the new ballots are recorded at the end
    others: tuple[str, ...] = ()
    # this import's ballots of the vote: one bit (state + 256 x choice) per ballot; the states
    # with a ballot and the count of each choice are read from it at the end
    ballots: int = 0
    written: int = 0  # the bits of `ballots` already written (ColumnBlocks: _close_votes)
    filled: int = 0  # the non-voting ballots given when it was closed
    closed: bool = False  # its rows written, its members filled (_Writer._close_votes)
    last_block: int = 0  # the last ColumnBlock with rows of it


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
    path = regular_file(path, "the path of a voting record to import")
    fmt = check_format(fmt)
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "unvotes-csv":  # checked before the transaction opens
        from cahtracker.importers.unvotes_csv import roll_calls_path

        roll_calls = roll_calls_path(path, roll_calls)
    if FORMATS[fmt].csv:
        check_first_line(path)
    summary = ImportSummary(file=str(path), format=fmt)
    size = os.path.getsize(path) or 1
    counter_box: list = []
    with bulk_settings(store.conn), store.write("vote import"):
        writer = _Writer(store, names, path, summary, skip_unknown)
        extra = {"names": names} if FORMATS[fmt].needs_names else {}  # a report's printed lists
        try:
            for item in parse(path, fmt, roll_calls, counter_box, **extra):
                if isinstance(item, BallotBlock | ColumnBlock):
                    writer.add_block(item)
                else:
                    writer.add_record(item)
                if progress and counter_box:
                    progress(counter_box[0].count, size)
            writer.finish(accept_mismatches)
        finally:
            writer.close()  # the writing thread has stopped before COMMIT or ROLLBACK
    return summary


class _Writer:
    def __init__(
        self, store, names, path: Path, summary: ImportSummary, skip_unknown: bool
    ) -> None:
        from cahtracker import votes as V
        from cahtracker.documents import known_symbols
        from cahtracker.voting import CHOICES

        self.store, self.conn, self.names, self.path = store, store.conn, names, path
        self.summary = summary
        self.skip_unknown = skip_unknown
        self.resolver = StateResolver(names)
        self.known_docs = known_symbols(store)
        self.existing = V.existing_votes(store)
        self.index = V.BallotIndex(self.conn)
        self.votes: dict[str, _Vote] = {}  # by key (or, without a key, by symbol/date/body)
        self.states = sorted(names.names)
        self.state_bit = {iso3: 1 << i for i, iso3 in enumerate(self.states)}
        # one bit per (state, choice): a vote's ballots are one int (see _Vote.ballots)
        self.ballot_bit = {
            (iso3, choice): 1 << (i + _CHOICE_SHIFT * c)
            for c, choice in enumerate(CHOICES)
            for i, iso3 in enumerate(self.states)
        }
        # choice -> iso3 -> its bit (what _add_rows maps each row through)
        self.choice_bits = {
            choice: {iso3: self.ballot_bit[(iso3, choice)] for iso3 in self.states}
            for choice in CHOICES
        }
        self.members = V.members_by_date(store)
        self._member_masks: dict[str, int] = {}
        self.by_pair: dict[tuple[str | None, str], Any] = {}  # (code, name) -> iso3 | None
        self.dated: dict[tuple, str] = {}  # ((code, name), date) -> iso3 | "" (_states_of)
        self.state_index = {iso3: i for i, iso3 in enumerate(self.states)}
        self.columns = None  # arrow_block.Columns, made for the first ColumnBlock
        self.background: _Background | None = None  # the writing thread (ColumnBlocks)
        self.jobs: list[Callable[[], None]] = []  # for it, not yet given (_send)
        self.coded = False  # temp.import_codes made (_codes_table)
        self.block_no = 0  # ColumnBlocks read
        self.open_votes: dict[int, _Vote] = {}  # with rows not yet written (_close_votes)
        self.closing = True  # votes written as they close (until rows come late too often)
        self.late_takes = 0  # rows of closed votes taken (_take), by vote and block
        self.late_added: list[tuple[int, int]] = []  # (vote id, mask) to insert
        self.late_changed: list[tuple[str, int, str]] = []  # non-voting ballots now votes
        self.non_voting_shift = _CHOICE_SHIFT * CHOICES.index("non-voting")
        self.skip_reason: dict[tuple[str | None, str], tuple[str, str]] = {}
        self.next_id = (self.conn.execute("SELECT max(id) FROM votes").fetchone()[0] or 0) + 1
        self.staged = False
        # (vote id, reason, name, choice) -> rows of the file not recorded as ballots
        self.not_recorded: dict[tuple[int, str, str, Any], int] = {}

    # ------------------------------------------------------------ votes

    @staticmethod
    def _handle(record: ImportedVote) -> str:
        return record.key or f"{record.symbol}\x00{record.date}\x00{record.body}"

    def vote_for(self, record: ImportedVote) -> _Vote:
        """The vote a record belongs to, created (or found) the first time it is seen."""
        vote = self.votes.get(self._handle(record))
        if vote is None:
            self._open([record])
            vote = self.votes[self._handle(record)]
        elif (vote.record.symbol, vote.record.date) != (record.symbol, record.date):
            raise CahError(
                f"{self.path}{f' line {record.line}' if record.line else ''}: record "
                f"{record.key} is on {record.symbol} ({record.date}) here but on "
                f"{vote.record.symbol} ({vote.record.date}) above; one record is one vote. "
                "Nothing was imported."
            )
        return vote

    def _open(self, records: list[ImportedVote]) -> None:
        """Create the votes of records seen for the first time; new ones in bulk."""
        from cahtracker import votes as V
        from cahtracker.documents import create_documents, document_row, kind_of_symbol
        from cahtracker.voting import METHOD_RECORDED

        existing = self.existing
        documents, rows, sources = [], [], []
        for record in records:
            self._check_date(record)
            if record.symbol not in self.known_docs:
                documents.append(
                    document_row(
                        record.symbol,
                        record.kind or kind_of_symbol(record.symbol),
                        record.body,
                        title=record.title,
                        session=record.session,
                        source=record.source,  # the voting record names the document
                    )
                )
                self.known_docs.add(record.symbol)
                self.summary.documents_created.append(record.symbol)
            triple = (record.symbol, record.date, record.body)
            old = existing.by_key.get(record.key) if record.key else None
            if old is None and record.question in (WHOLE_TEXT, None):
                # the same decision recorded by hand or from a source without ids: the first
                # such record replaces it (other roll calls on that day stay votes of their own)
                same = existing.by_triple.get(triple)
                if same is not None and (same[1] is None or record.key is None):
                    old = same[0]
                    del existing.by_triple[triple]
            others: tuple[str, ...] = ()
            if old is not None and existing.sources.get(old, 1) > 1:
                self._sync()
                if record.key != existing.primary.get(old):
                    self._compare_with(old, record)  # another source of a vote: compared
                    continue
                # the source whose ballots the vote holds, again: its new ballots replace
                # them, and the other sources' differences are measured against the new ones
                self._ensure_staging()
                others = V.stage_other_sources(self.store, old)
            if old is None and record.key and record.question in (WHOLE_TEXT, None):
                other = existing.whole_votes.get(triple)
                if other is not None and other[1] != V.source_family(record.key):
                    del existing.whole_votes[triple]  # one record of each source joins it
                    self._sync()
                    self._compare_with(other[0], record)
                    continue
            if old is not None:
                self._sync()
                V.delete_vote(self.store, old)
                self.summary.replaced += 1
                vote_id = old
            else:
                vote_id, self.next_id = self.next_id, self.next_id + 1
            row = {
                "id": vote_id,
                "symbol": record.symbol,
                "body": record.body,
                "date": record.date,
                "meeting": record.meeting,
                "method": METHOD_RECORDED,
                "majority": "simple",
                "undl_id": record.key,
                "source": record.source,
                "note": record.note,
                "question": record.question,
            }
            if record.totals:
                (
                    row["total_yes"],
                    row["total_no"],
                    row["total_abstain"],
                    row["total_non_voting"],
                    row["total_members"],
                ) = record.totals
            rows.append(row)
            if record.key:
                sources.append((vote_id, record.key, record.source))
            sources += [(vote_id, key, source) for key, source in others]
            self.votes[self._handle(record)] = _Vote(
                vote_id, record, others=tuple(key for key, _ in others)
            )
        # the rows are made here; the writing thread, once there is one, writes them
        create_documents(self.store, documents, run=self._run)
        V.create_votes(self.store, rows, run=self._run)
        self._run(
            lambda: self.conn.executemany(
                "INSERT INTO vote_sources (vote_id, key, source) VALUES (?, ?, ?)", sources
            )
        )

    # ------------------------------------------------------------ the writing thread

    def _run(self, job: Callable[[], None]) -> None:
        """`job` (statements on the connection) now, or, once there is a writing thread,
        in that thread after the jobs given before it (a block's jobs go to the thread
        together, by `_send`: each hand-over costs the thread a wait for the interpreter's
        lock)."""
        if self.background is None:
            job()
        else:
            self.jobs.append(job)

    def _send(self) -> None:
        """Give the writing thread the jobs of the block just read."""
        if self.background is not None and self.jobs:
            jobs, self.jobs = self.jobs, []
            self.background.submit(jobs)

    def _sync(self) -> None:
        """Wait until the writing thread has run every job: the connection is this
        thread's again (every use of it outside a job comes after this)."""
        if self.background is not None:
            self._send()
            self.background.wait()

    def close(self) -> None:
        """Stop the writing thread (after its current statement; jobs not begun are
        dropped when something failed): before the transaction ends, either way."""
        if self.background is not None:
            background, self.background = self.background, None
            background.close()

    def _ensure_staging(self) -> None:
        self._sync()
        if not self.staged:
            self.conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS staged_ballots (vote_id INTEGER, key TEXT, "
                "iso3 TEXT, choice TEXT, PRIMARY KEY (vote_id, key, iso3)) WITHOUT ROWID"
            )
            self.conn.execute("DELETE FROM staged_ballots")
            self.staged = True

    def _compare_with(self, vote_id: int, record: ImportedVote) -> None:
        """This record is another source of an existing vote: stage its ballots to compare."""
        from cahtracker import votes as V

        self._ensure_staging()
        if record.key:
            V.replace_vote_source(self.store, vote_id, record.key, record.source)
        V.fill_vote_details(self.store, vote_id, record)
        self.summary.merged += 1
        self.votes[self._handle(record)] = _Vote(vote_id, record, compare=True)

    def _check_date(self, record: ImportedVote) -> None:
        import re
        from datetime import date

        if record.date is None:
            return
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", record.date):
                raise ValueError
            date.fromisoformat(record.date)
        except ValueError:
            where = f" line {record.line}" if record.line else ""
            raise CahError(
                f"{self.path}{where}: the vote on {record.symbol} is dated '{record.date}', not "
                "a real date (YYYY-MM-DD). Nothing was imported."
            ) from None

    # ------------------------------------------------------------ rows

    def add_record(self, record: ImportedVote) -> None:
        self.summary.readings += [r for r in record.readings if r not in self.summary.readings]
        vote = self.vote_for(record)
        rows = record.ballots
        if not rows:
            return
        codes, labels, choices = zip(*rows, strict=True)
        vote_ids = [vote.id] * len(rows)
        pairs, pair_ids = pairs_of(codes, labels)
        isos = self._states_of(pairs, pair_ids, lambda i: record.date, vote_ids, list(choices))
        self._add_rows(vote_ids, isos, list(choices), {vote.id: vote})

    def add_block(self, block: BallotBlock | ColumnBlock) -> None:
        """Rows of many votes at once: `block.records[block.calls[i]]` is row i's vote (in a
        ColumnBlock, `calls` are the distinct ones and `call_ids` say which is each row's)."""
        records = block.records
        handle = self._handle
        # in the file's order: the same ids and documents every run
        calls = block.calls if isinstance(block, ColumnBlock) else dict.fromkeys(block.calls)
        new = [records[c] for c in calls if handle(records[c]) not in self.votes]
        if new:
            self._open(new)
        if isinstance(block, ColumnBlock):
            if self._add_columns(block):
                return
            block = block.as_lists()  # a vote compared with another source's: rows one by one
        votes = {c: self.votes[handle(records[c])] for c in dict.fromkeys(block.calls)}
        ids = {c: vote.id for c, vote in votes.items()}
        vote_ids = list(map(ids.__getitem__, block.calls))
        isos = self._states_of(
            block.pairs,
            block.pair_ids,
            lambda i: records[block.calls[i]].date,
            vote_ids,
            block.choices,
        )
        self._add_rows(vote_ids, isos, block.choices, {v.id: v for v in votes.values()})
        self._write_late()

    def _add_columns(self, block: ColumnBlock) -> bool:
        """A block of arrays (the fast reader's): each pair resolved once, each dated pair
        once per roll call, skipped rows counted, and each vote's ballot mask made by pyarrow
        from the rows' (state, choice) bits (arrow_block.Columns.masks). False (nothing
        done) for a block with a vote that is compared with another source's: the general
        path stages those rows."""
        from cahtracker.voting import CHOICES

        votes = [self.votes[self._handle(block.records[c])] for c in block.calls]
        if any(v.compare for v in votes) or not set(block.choices) <= set(CHOICES):
            return False
        if self.columns is None:
            from cahtracker.importers.arrow_block import Columns

            self.columns = Columns()
        columns = self.columns
        by_pair, pairs = self.by_pair, block.pairs
        for pair in pairs:
            if pair not in by_pair:
                self._learn(pair)
        index = self.state_index
        lookup = [
            _SKIPPED if iso3 == "" else _DATED_ROW if iso3 == _DATED else index[iso3]
            for iso3 in (by_pair[pair] for pair in pairs)
        ]
        states = columns.take(lookup, block.pair_ids)
        found: dict[int, int] = {}
        if _DATED_ROW in lookup:  # resolved once per (pair, roll call)
            calls = len(block.calls)
            keys = columns.combine(block.pair_ids, calls, block.call_ids)
            for (key,), _ in columns.rows_where(states, _DATED_ROW, keys):
                code, name = pairs[key // calls]
                iso3 = self._resolved(code, name, block.records[block.calls[key % calls]].date)
                found[key] = index[iso3] if iso3 else _SKIPPED
            states = columns.replace_where(states, _DATED_ROW, keys, found)
        if _SKIPPED in lookup or _SKIPPED in found.values():
            skipped = Counter()
            for (call, pair, choice), n in columns.rows_where(
                states, _SKIPPED, block.call_ids, block.pair_ids, block.choice_ids
            ):
                skipped[(votes[call].id, pairs[pair], block.choices[choice])] += n
            self._count_skipped(skipped)
            kept = columns.pc.not_equal(states, _SKIPPED)
            states = states.filter(kept)
            call_ids, choice_ids = block.call_ids.filter(kept), block.choice_ids.filter(kept)
        else:
            call_ids, choice_ids = block.call_ids, block.choice_ids
        if self.summary.unknown and not self.skip_unknown:
            return True  # the import is refused at the end; keep reading to list every name
        offsets = [_CHOICE_SHIFT * CHOICES.index(c) for c in block.choices]
        bits = columns.combine(columns.take(offsets, choice_ids), 1, states)
        masks = columns.masks(call_ids, bits, len(votes), len(CHOICES) * _CHOICE_SHIFT)
        for vote, (mask, n) in zip(votes, masks, strict=True):
            if not n:
                continue
            if not self._take(vote, mask, n):
                isos = list(map(self.states.__getitem__, states.to_pylist()))
                ids = [votes[c].id for c in call_ids.to_pylist()]
                raise CahError(self._duplicate_message(vote, isos, ids))
        self._write_late()
        self._close_votes(self.block_no - _CLOSE_AFTER)  # none of their rows in the last two
        self.block_no += 1
        return True

    def _take(self, vote: _Vote, mask: int, n: int) -> bool:
        """Add `n` rows' ballots (`mask`) to `vote`; False if a state would have two.

        k distinct ballots are k bits, of k states, none with a ballot already. A vote
        already closed (`_close_votes`) gave a non-voting ballot to each member without a
        row: a row for one of them now is no second ballot but that member's vote, written
        over the non-voting one (and so is every row arriving after the close)."""
        present = self._present(mask)
        if mask.bit_count() != n or present.bit_count() != n:
            return False
        if not vote.closed:
            if present & self._present(vote.ballots):
                return False
            vote.ballots += mask
            vote.last_block = self.block_no
            self.open_votes[vote.id] = vote
            return True
        filled = self._present(vote.filled)
        if present & self._present(vote.ballots) & ~filled:
            return False
        over = present & filled  # their non-voting ballots become these
        shift = self.non_voting_shift
        vote.filled &= ~(over << shift)
        vote.ballots = (vote.ballots & ~(over << shift)) + mask
        vote.written = vote.ballots
        self.late_changed += [(c, vote.id, iso3) for iso3, c in self._choices_of(mask, over)]
        self.late_added.append((vote.id, mask & ~self._spread(over)))
        self.late_takes += 1
        if self.late_takes > _LATE_LIMIT:
            self.closing = False  # rows spread over the file: the votes wait for the end
        return True

    def _write_late(self) -> None:
        """The rows `_take` took for closed votes, written for a block at once."""
        if not (self.late_added or self.late_changed):
            return
        added, self.late_added = self.late_added, []
        changed, self.late_changed = self.late_changed, []
        self._write_masks([v for v, _ in added], [m for _, m in added])
        self._run(
            lambda: self.conn.executemany(
                "UPDATE ballots SET choice = ? WHERE vote_id = ? AND iso3 = ?", changed
            )
        )
        self._send()

    def _spread(self, states: int) -> int:
        """A mask of states as the mask of those states under every choice."""
        return sum(states << (_CHOICE_SHIFT * c) for c in range(len(_VOTING_CHOICES)))

    def _choices_of(self, mask: int, states: int) -> list[tuple[str, str]]:
        """(iso3, choice) of the ballots of `mask` whose state is in `states`."""
        found = []
        for c, choice in enumerate(_VOTING_CHOICES):
            bits = (mask >> (_CHOICE_SHIFT * c)) & states
            while bits:
                low = bits & -bits
                found.append((self.states[low.bit_length() - 1], choice))
                bits ^= low
        return found

    def _close_votes(self, last_block: int) -> None:
        """Write the votes whose rows were last seen in block `last_block` or before: each
        member without a row gets its non-voting ballot now, and the vote's rows go to the
        writing thread together, in the table's order (so SQLite appends them; given at
        the end instead, the non-voting ballots split a page of every vote). A row that
        still comes later is taken by `_take`. The whole unvotes history has no roll call
        whose rows are further apart than the next block but one (_CLOSE_AFTER)."""
        if not self.closing:
            return
        closing = [v for v in self.open_votes.values() if v.last_block <= last_block]
        if not closing:
            return
        shift = self.non_voting_shift
        for vote in closing:
            del self.open_votes[vote.id]
            record = vote.record
            vote.closed = True
            if record.fill_members and record.date:
                missing = self.members_mask(record.date) & ~self._present(vote.ballots)
                vote.filled = missing << shift
                vote.ballots += vote.filled
        self._write_masks([v.id for v in closing], [v.ballots & ~v.written for v in closing])
        for vote in closing:
            vote.written = vote.ballots

    def _write_masks(self, ids: list[int], masks: list[int]) -> None:
        """Ballots given as masks, by the writing thread (started for the first of them),
        _FLUSH_ROWS ballots at a time at most (the memory of one statement's rows)."""
        start, rows = 0, 0
        for end, mask in enumerate(masks, start=1):
            rows += mask.bit_count()
            if rows >= _FLUSH_ROWS or end == len(masks):
                self._write_some(ids[start:end], masks[start:end])
                start, rows = end, 0

    def _write_some(self, ids: list[int], masks: list[int]) -> None:
        from cahtracker.voting import CHOICES

        encoded, rows = self.columns.encode_masks(ids, masks, len(CHOICES) * _CHOICE_SHIFT)
        if not rows:
            return
        self.summary.ballots += rows
        index = self.index
        if self.background is None:
            self._codes_table()
            # a file of unvotes rows (about 22 bytes each) holds at least a ballot per 32
            index.expect(os.path.getsize(self.path) // 32)
            self.background = _Background(self.conn)

        def write() -> None:
            index.added(rows)
            self.conn.execute(_JSON_BALLOTS, (encoded,))

        self._run(write)
        self._send()

    def _codes_table(self) -> None:
        """The TEMP table of _JSON_BALLOTS: state index * 8 + choice index -> (iso3, choice)."""
        from cahtracker.voting import CHOICES

        if self.coded:
            return
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_codes "
            "(code INTEGER PRIMARY KEY, iso3 TEXT NOT NULL, choice TEXT NOT NULL)"
        )
        self.conn.execute("DELETE FROM temp.import_codes")
        self.conn.executemany(
            "INSERT INTO temp.import_codes VALUES (?, ?, ?)",
            [
                (s * 8 + c, iso3, choice)
                for s, iso3 in enumerate(self.states)
                for c, choice in enumerate(CHOICES)
            ],
        )
        self.coded = True

    def _learn(self, pair: tuple[str | None, str]) -> None:
        code, name = pair
        if self.resolver.depends_on_date(code or "", name or ""):
            self.by_pair[pair] = _DATED
            return
        self.by_pair[pair] = self._resolved(code, name, None)

    def _resolved(self, code: str | None, name: str | None, on: str | None) -> str:
        """The state of a (code, name) on a date, or "" (a former or unknown state, counted)."""
        status, value = self.resolver.resolve(code or "", name or "", on)
        if status == "ok":
            return value
        self.skip_reason[(code, name)] = (status, value)
        return ""

    def _states_of(
        self,
        pairs: list,
        pair_ids: list[int],
        date_of: Callable[[int], str | None],
        vote_ids: list[int],
        choices: list,
    ) -> list:
        """The ISO3 of each row ("": skipped): each distinct (code, name) pair resolved once,
        rows mapped at C speed, and resolved row by row only for names whose state depends
        on the date. A skipped row is counted in the summary and, with its vote and choice,
        in `not_recorded` (written with the votes at the end).

        The markers are strings, so that finding them in a list of ISO3 codes is a fast scan.
        """
        by_pair = self.by_pair
        for pair in pairs:
            if pair not in by_pair:
                self._learn(pair)
        lookup = [by_pair[pair] for pair in pairs]
        isos = list(map(lookup.__getitem__, pair_ids))
        if _DATED in lookup:
            dated = self.dated  # (pair, date) -> state: resolved once each
            i = isos.index(_DATED)
            while True:
                key = (pairs[pair_ids[i]], date_of(i))
                found = dated.get(key)
                if found is None:
                    (code, name), on = key
                    found = dated[key] = self._resolved(code, name, on)
                isos[i] = found
                try:
                    i = isos.index(_DATED, i + 1)
                except ValueError:
                    break
        if "" in isos:
            skipped = list(map(not_, isos))
            rows = zip(
                compress(vote_ids, skipped),
                map(pairs.__getitem__, compress(pair_ids, skipped)),
                compress(choices, skipped),
                strict=True,
            )
            self._count_skipped(Counter(rows))
        return isos

    def _count_skipped(self, rows: Counter) -> None:
        """Skipped rows, (vote id, (code, name), choice) -> their number: counted in the
        summary by reason and kept per vote in `not_recorded`."""
        for (vote_id, pair, choice), n in rows.items():
            status, label = self.skip_reason[pair]
            if status == "former":
                reason = f"former state {label}"
                self.summary.skipped[reason] = self.summary.skipped.get(reason, 0) + n
                key = (vote_id, NOT_RECORDED_FORMER, label, choice)
            else:
                self._count_unknown(label, n)
                key = (vote_id, NOT_RECORDED_UNKNOWN, label, choice)
            self.not_recorded[key] = self.not_recorded.get(key, 0) + n

    def _count_unknown(self, label: str, rows: int) -> None:
        """Unknown names, at most MAX_UNKNOWN of them by name (a file of only unknown names
        must not fill memory or the message); the rest counted under one line."""
        unknown = self.summary.unknown
        if label not in unknown and len(unknown) >= MAX_UNKNOWN:
            label = _OTHER_UNKNOWN
        unknown[label] = unknown.get(label, 0) + rows

    def _add_rows(
        self, vote_ids: list[int], isos: list, choices: list, votes: dict[int, _Vote]
    ) -> None:
        """Rows (vote id, state, choice) in three lists; skipped states are "" among `isos`."""
        from cahtracker.voting import CHOICES

        if self.summary.unknown and not self.skip_unknown:
            return  # the import is refused at the end; keep reading to list every name
        if not set(choices) <= set(CHOICES):
            bad = sorted(map(str, set(choices) - set(CHOICES)))
            raise CahError(
                f"{self.path}: a vote has a choice outside {', '.join(CHOICES)}: {bad}. Nothing "
                "was imported."
            )
        if "" in isos:
            vote_ids = list(compress(vote_ids, isos))
            choices = list(compress(choices, isos))
            isos = list(filter(None, isos))
        if not isos:
            return
        compared = {v.id for v in votes.values() if v.compare}
        if compared:
            rows = list(zip(vote_ids, isos, choices, strict=True))
            self._stage([r for r in rows if r[0] in compared], votes)
            rows = [r for r in rows if r[0] not in compared]
            if not rows:
                return
            vote_ids, isos, choices = (list(column) for column in zip(*rows, strict=True))
        # one bit per row (its state and choice: see _Vote.ballots), then summed per run of
        # rows of one vote (a parser gives a vote's rows together where it can)
        bits = list(map(dict.__getitem__, map(self.choice_bits.__getitem__, choices), isos))
        at = 0
        for vote_id, run in groupby(vote_ids):
            n = len(list(run))
            vote = votes[vote_id]
            mask = sum(bits[at : at + n])
            at += n
            if not self._take(vote, mask, n):  # a state twice in the vote
                raise CahError(self._duplicate_message(vote, isos, vote_ids))

    def _stage(self, rows: list, votes: dict[int, _Vote]) -> None:
        """Another source's ballots of a vote, kept aside to compare with the vote's own."""
        for vote_id, iso3, choice in rows:
            votes[vote_id].ballots += self.ballot_bit[(iso3, choice)]
        keys = {v: votes[v].record.key or "" for v in {r[0] for r in rows}}
        self._write_staged([(v, keys[v], iso3, c) for v, iso3, c in rows])

    def _write_staged(self, rows: list) -> None:
        self._sync()
        self.conn.execute("SAVEPOINT staging")
        try:
            self.conn.executemany(
                "INSERT INTO staged_ballots VALUES (?, ?, ?, ?)",
                rows,
            )
        except sqlite3.IntegrityError:
            self.conn.execute("ROLLBACK TO staging")
            flat = list(chain.from_iterable((v, iso3, c) for v, _, iso3, c in rows))
            raise CahError(self._duplicate_in(flat)) from None
        self.conn.execute("RELEASE staging")

    def _write_ballots(self) -> None:
        """Every ballot of the votes this import writes, from their masks, in the table's
        order (by vote, then state: SQLite appends instead of splitting pages; measured, a
        quarter of the insert time), in multi-row INSERTs of a bounded number of rows."""
        votes = sorted((v for v in self.votes.values() if not v.compare), key=_vote_id)
        if self.columns is not None:  # pyarrow is here: the rows made by it, SQLite inserts
            self._sync()
            self._codes_table()
            self._write_masks([v.id for v in votes], [v.ballots & ~v.written for v in votes])
            return
        total = sum((v.ballots & ~v.written).bit_count() for v in votes)
        self.summary.ballots += total
        self._sync()
        self.index.added(total)
        states, choices = self.states, _CHOICE_OF_CODE
        pending: list = []
        for vote in votes:
            codes = self._codes(vote.ballots & ~vote.written)
            isos = list(compress(states, codes))
            n = len(isos)
            flat = [vote.id] * (3 * n)
            flat[1::3] = isos
            flat[2::3] = map(choices.__getitem__, filter(None, codes))
            pending += flat
            if len(pending) >= 3 * _FLUSH_ROWS:
                self._flush(pending)
                pending = []
        self._flush(pending)

    @staticmethod
    def _codes(ballots: int) -> bytes:
        """A vote's mask as one byte per state (in `states` order): 0 for no ballot, else
        1 + the index of its choice in CHOICES."""
        total = 0
        for code in range(1, len(_CHOICE_OF_CODE)):
            bits = ballots & _STATE_BITS
            if bits:
                spread = b"".join(map(_SPREAD.__getitem__, bits.to_bytes(_STATE_BYTES, "little")))
                total += code * int.from_bytes(spread, "little")
            ballots >>= _CHOICE_SHIFT
        return total.to_bytes(_CHOICE_SHIFT, "little")

    def _flush(self, pending: list) -> None:
        if not pending:
            return
        step = 3 * _ROWS_PER_INSERT
        full = len(pending) - len(pending) % step
        sql = "INSERT INTO ballots (vote_id, iso3, choice) VALUES " + ", ".join(
            ["(?, ?, ?)"] * _ROWS_PER_INSERT
        )
        for start in range(0, full, step):
            self.conn.execute(sql, pending[start : start + step])
        rest = pending[full:]
        if rest:
            self.conn.execute(
                "INSERT INTO ballots (vote_id, iso3, choice) VALUES "
                + ", ".join(["(?, ?, ?)"] * (len(rest) // 3)),
                rest,
            )

    def _duplicate_in(self, pending: list) -> str:
        """The message for a state with two staged ballots in one vote (found after the fact)."""
        seen: set[tuple[int, str]] = set()
        by_id = {v.id: v for v in self.votes.values()}
        for i in range(0, len(pending), 3):
            pair = (pending[i], pending[i + 1])
            exists = self.conn.execute(
                "SELECT 1 FROM staged_ballots WHERE vote_id = ? AND iso3 = ?", pair
            ).fetchone()
            if pair in seen or exists:
                return self._twice(by_id[pair[0]], pair[1])
            seen.add(pair)
        return f"{self.path}: a state has two ballots in one vote; nothing was imported."

    def _duplicate_message(self, vote: _Vote, isos: list, vote_ids: list[int]) -> str:
        """The message for a state twice in `vote`: in these rows, or here and earlier."""
        mine = [iso3 for iso3, v in zip(isos, vote_ids, strict=True) if v == vote.id and iso3]
        earlier = self._present(vote.ballots & ~vote.filled)  # a filled one takes a row
        seen: set[str] = set()
        for iso3 in mine:
            if iso3 in seen or earlier & self.state_bit[iso3]:
                return self._twice(vote, iso3)
            seen.add(iso3)
        return f"{self.path}: a state has two ballots in one vote; nothing was imported."

    def _twice(self, vote: _Vote, iso3: str) -> str:
        record = vote.record
        return (
            f"{self.path}: {self.names.ref(iso3).label()} has two ballots in the vote on "
            f"{record.symbol} ({record.date}); each state votes once. Nothing was imported."
        )

    # ------------------------------------------------------------ the end

    def members_mask(self, on: str) -> int:
        mask = self._member_masks.get(on)
        if mask is None:
            mask = self._member_masks[on] = sum(self.state_bit[s] for s in self.members(on))
        return mask

    def _present(self, ballots: int) -> int:
        present = 0
        while ballots:
            present |= ballots & _STATE_BITS
            ballots >>= _CHOICE_SHIFT
        return present

    def _drop_empty(self, votes: list[_Vote]) -> None:
        """Votes this import opened (none it only compares with) whose every row was skipped
        (former or unknown states): not written; the summary counts them."""
        ids = [(v.id,) for v in votes]
        self.conn.executemany("DELETE FROM vote_sources WHERE vote_id = ?", ids)
        self.conn.executemany("DELETE FROM votes WHERE id = ?", ids)
        for vote in votes:
            del self.votes[self._handle(vote.record)]
        reason = "votes with no ballot of a known state, not recorded"
        self.summary.skipped[reason] = self.summary.skipped.get(reason, 0) + len(votes)

    def _write_not_recorded(self) -> None:
        """The skipped rows of the votes this import wrote (not of another source's vote,
        whose own ballots stand), one row per vote, reason, name and choice."""
        written = {v.id for v in self.votes.values() if not v.compare}
        rows = [
            (vote_id, reason, name, choice, n)
            for (vote_id, reason, name, choice), n in self.not_recorded.items()
            if vote_id in written
        ]
        self._run(
            lambda: self.conn.executemany(
                "INSERT INTO ballots_not_recorded (vote_id, reason, name, choice, ballots) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        )

    def finish(self, accept_mismatches: bool) -> None:
        from cahtracker import votes as V
        from cahtracker.voting import CHOICES

        self._write_late()
        self._sync()  # the writing thread, if any, stays for the statements below
        summary = self.summary
        if summary.unknown and not self.skip_unknown:
            raise CahError(unknown_message(self.names, self.path, summary.unknown))
        empty = [
            v
            for v in self.votes.values()
            if v.record.fill_members and not v.ballots and not v.compare
        ]
        if empty:  # every row of it was skipped: nothing of the vote is known
            self._drop_empty(empty)
        if not self.votes:
            raise CahError(
                f"{self.path} holds no votes (a header without rows?); nothing was imported."
            )
        staged_fill = []
        non_voting = _CHOICE_SHIFT * CHOICES.index("non-voting")
        for vote in self.votes.values():
            record = vote.record
            if not (record.fill_members and record.date):
                continue
            missing = self.members_mask(record.date) & ~self._present(vote.ballots)
            if not vote.compare:
                vote.ballots += missing << non_voting  # written with the others below
                continue
            while missing:  # another source's vote: staged to compare (_stage counts them)
                low = missing & -missing
                staged_fill.append((vote.id, self.states[low.bit_length() - 1], "non-voting"))
                missing ^= low
        if staged_fill:
            self._stage(staged_fill, {v.id: v for v in self.votes.values()})
        finished, compared = [], []
        for vote in self.votes.values():
            counts = {
                choice: ((vote.ballots >> (_CHOICE_SHIFT * c)) & _STATE_BITS).bit_count()
                for c, choice in enumerate(CHOICES)
            }
            if vote.compare:
                compared.append((vote, counts))
            else:
                finished.append((vote.id, counts))
        by_id = {v.id: v.record for v in self.votes.values()}
        rows = V.vote_rows(self.store, [vote_id for vote_id, _ in finished])
        self._write_ballots()
        # the index is built again by the writing thread (one long statement) while this
        # thread decides the votes and writes their log's texts: no statement of its own
        # until the _sync below
        self._run(self.index.restore)
        self._send()
        problems = V.finish_votes(self.store, finished, run=self._run, rows=rows)
        self._write_not_recorded()
        self._sync()
        self.close()
        for vote, counts in compared:  # another source's totals, against its own ballots
            found = V.totals_warnings(
                {tally_key(c): n for c, n in counts.items()}, _totals(vote.record)
            )
            if found:
                problems[vote.id] = found
        for vote_id, found in problems.items():
            record = by_id[vote_id]
            summary.mismatches.append(f"{record.symbol} ({record.date}): " + "; ".join(found))
        for vote in self.votes.values():
            if vote.compare:
                summary.differences += V.record_differences(self.store, vote.id, vote.record.key)
            for key in vote.others:
                summary.differences += V.record_differences(self.store, vote.id, key)
        summary.votes = len(self.votes)
        if summary.mismatches and not accept_mismatches:
            count = len(summary.mismatches)
            raise CahError(
                f"{count} vote{'s' if count > 1 else ''} in {self.path} ha{'ve' if count > 1 else 's'} "
                f"official totals that disagree with the ballots (first: {summary.mismatches[0]}); "
                "nothing was imported. Check the file, or pass --accept-mismatches to import with "
                "both figures kept."
            )
        if self.staged:
            self.conn.execute("DROP TABLE staged_ballots")
        if self.coded:
            self.conn.execute("DROP TABLE temp.import_codes")


def _totals(record: ImportedVote) -> dict[str, int | None] | None:
    if not record.totals:
        return None
    return dict(zip(("yes", "no", "abstain", "non_voting", "members"), record.totals, strict=True))


_CHOICE_SHIFT = 256  # bits per choice in _Vote.ballots (there are 195 states)
_STATE_BITS = (1 << _CHOICE_SHIFT) - 1
_STATE_BYTES = _CHOICE_SHIFT // 8
# a byte of a mask as eight bytes of 0 or 1, lowest bit first (_Writer._codes)
_SPREAD = [bytes((byte >> k) & 1 for k in range(8)) for byte in range(256)]
_CHOICE_OF_CODE = (None, *_VOTING_CHOICES)  # _Writer._codes: 1 + the choice's index
_vote_id = attrgetter("id")


NOT_RECORDED_FORMER = "former state"  # ballots_not_recorded.reason
NOT_RECORDED_UNKNOWN = "unknown name"
MAX_UNKNOWN = 1_000  # unknown names listed one by one in a summary
_OTHER_UNKNOWN = "(other unknown names)"

# markers among the ISO3 codes of rows (strings: scanning a list for them stays fast)
_DATED = "\x00dated"  # a name whose state depends on the date: resolved row by row
_SKIPPED, _DATED_ROW = -1, -2
# a vote with no rows in the last _CLOSE_AFTER ColumnBlocks is written (_Writer._close_votes),
# unless more than _LATE_LIMIT times rows came for a vote already written: in a file whose
# roll calls are spread all over (shuffled rows), the votes then wait for the end
_CLOSE_AFTER = 2
_LATE_LIMIT = 100  # the same, among a ColumnBlock's state indexes


# Rows as arrow_block.Columns.encode_ballots writes them (a JSON array of vote id * 2048 +
# state * 8 + choice, in the table's order), inserted by SQLite itself; each code's state
# and choice are looked up in a TEMP table (`_Writer._codes_table`): measured, a fifth less
# time than working them out with substr() and CASE.
_JSON_BALLOTS = (
    "INSERT INTO ballots (vote_id, iso3, choice) SELECT j.value >> 11, c.iso3, c.choice "
    "FROM json_each(?) AS j JOIN temp.import_codes AS c ON c.code = j.value & 2047"
)


class _Background:
    """One thread that runs jobs (statements on the import's connection) in order.

    The import reads the next block while SQLite inserts the last one: SQLite releases the
    interpreter's lock while it works, so the two share the machine's cores. The connection
    is used by one thread at a time: the jobs, or, after `wait()`, the caller. A job that
    fails stops the others (they are dropped) and its error is raised by the next `submit`
    or `wait`. `close` returns only once the thread has ended, a Ctrl-C or two while it
    waits included (raised after): nothing may run on the connection once the transaction
    ends, or a statement of the thread would run under the caller's ROLLBACK, outside the
    transaction, on a connection being closed.
    """

    def __init__(self, conn) -> None:
        import queue
        import sys
        import threading

        self.jobs: queue.Queue = queue.Queue(maxsize=1)  # a block waiting, a block written
        self.error: BaseException | None = None
        self.ended = threading.Event()
        self.switch = sys.getswitchinterval()
        # the thread needs the lock back when its statement ends, not 5 ms later (measured
        # on the whole history: 0.2 ms a little faster than 1 ms, 5 ms clearly slower)
        sys.setswitchinterval(min(self.switch, 0.0002))
        self.thread = threading.Thread(target=self._work, name="cahtracker-import", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        try:
            while True:
                jobs = self.jobs.get()
                try:
                    if jobs is None:
                        return
                    for job in jobs:
                        if self.error is not None:  # failed, or stopped: nothing more
                            break
                        job()
                except BaseException as error:  # raised in the caller's thread
                    self.error = error
                finally:
                    self.jobs.task_done()
        finally:
            self.ended.set()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def submit(self, jobs: list[Callable[[], None]]) -> None:
        self._raise()
        self.jobs.put(jobs)

    def wait(self) -> None:
        self.jobs.join()
        self._raise()

    def close(self) -> None:
        import queue
        import sys

        if self.error is None:
            self.error = _Stopped()  # the jobs not begun are dropped
        interrupted = False
        sent = False
        while not self.ended.is_set():
            try:
                if not sent:
                    self.jobs.put(None, timeout=0.05)  # not forever: the thread may end
                    sent = True
                self.ended.wait(0.05)
            except queue.Full:
                continue
            except KeyboardInterrupt:  # waited for again: raised once the thread has ended
                interrupted = True
        sys.setswitchinterval(self.switch)
        if interrupted:
            raise KeyboardInterrupt


class _Stopped(Exception):
    """Set by `_Background.close`: the jobs left were not run."""


@contextmanager
def bulk_settings(conn):
    """Connection settings for a bulk import, restored after it.

    Foreign-key checks off (measured: about a third of the insert time). Safe here: every
    ballot's iso3 comes from the states table through the name index and every vote id from
    the same transaction; a replaced vote's rows are deleted explicitly. CHECK constraints
    off: the m001 `CHECK (choice IN (...))` builds a temporary lookup per statement, and the
    writer checks every vote's choices in Python before writing them; the other rows it
    writes are built by the code itself. The page cache is raised to 32 MiB (measured: about
    a tenth of the insert time at 950,000 ballots) and the garbage collector paused (the
    writer makes no reference cycles; collecting the million tuples of a block, again and
    again, cost more than the import's own work).
    """
    import gc

    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("PRAGMA cache_size = -8192")
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA ignore_check_constraints = OFF")
