"""Recording what `sponsor_docs` read from a UN document: the plan, the dry run, the write.

    plan_import(store, parsed, target) -> ImportPlan      reads only (`sponsors import --dry-run`)
    record_import(store, parsed, target) -> ImportPlan    one transaction: plans inside it, writes

The plan is a diff against the current sponsors: each fact of the file becomes a joining,
a withdrawal, or nothing ("already a sponsor", as `sponsors add` leaves a sponsor alone).
Decisions of this module (README, "From UN documents"):

- Role: every state a document lists is recorded as a co-sponsor (`co`). A UN document
  prints its sponsors as one list; it does not say who leads (the `main` sponsors are
  those who introduce a text, which a list does not show). Whether the document lists a
  state among the original sponsors (printed on the draft) or as an additional sponsor
  (joined later) is kept in `listed_as`. A state already a sponsor is left alone, whatever
  its role.
- Dates: an original sponsor joined on or before the draft's date (`on-or-before`). An
  additional sponsor (MARCXML 515 $a) joined after the draft's date and on or before the
  date of the report that lists it: when that report is a document of the database with a
  date, the joining is dated on or before it; else its date is unknown and `after` keeps
  the draft's date, so that it counts only after that date (`sponsors.counts_on`) and
  sorts at it. A committee report dates its facts by the meeting (`day` for "at the same
  meeting", `on-or-before` for "Subsequently").
- A more precise date from another source refines the recorded one: when a state's latest
  event on the document is a recorded joining and the file dates that joining consistently
  and more narrowly (`dates.refined_date`: Tuvalu `>2023-11-01` from the MARCXML record,
  `2023-11-15` from the committee report), the joining takes the dating both agree on,
  keeps its source and says in its note what it gave before; the new source's joining is
  recorded beside it with that dating (change `refines the date`). Dates that contradict
  each other are not merged: the later one stays "already a sponsor" (or a second joining,
  as before).
- Sources: each fact carries its document (record URL and field, report paragraph, PDF file
  name), source kind `un-record`. A pasted list takes `--doc`, `--date`, `--role` and
  `--source` (optional) from the command instead.
- Documents: a document the file describes and the database lacks is created (kind
  checked); a document it names as revised or amended, and that neither holds, is created
  with what its symbol says (no title, no date), so that revisions inherit their sponsors;
  a known document's empty title, date, URL or parent is filled in, nothing else changed.
- Withdrawals are recorded as the document gives them, also of a state that was not a
  sponsor (with the reader's note); the same withdrawal from the same source is recorded once.
- Notes with a source ("Cuba [on behalf of the Group of 77 and China]", "The amendment was
  rejected by the Committee") are kept in `document_notes`, each once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cahtracker.dates import ParsedDate, today_date
from cahtracker.errors import CahError
from cahtracker.provenance import UN_RECORD

JOINS = "joins"
ALREADY = "already a sponsor"
WITHDRAWS = "withdraws"
WITHDRAWS_NON_SPONSOR = "withdraws (not a sponsor)"
ALREADY_WITHDRAWN = "already withdrawn"
UNKNOWN = "unknown name"
REFINES = "refines the date"  # already a sponsor; this source dates the joining more precisely
RECORDED = (JOINS, WITHDRAWS, WITHDRAWS_NON_SPONSOR, REFINES)  # the changes that write


@dataclass(frozen=True)
class TextTarget:
    """What a pasted list does not say: the document (`--doc`), date, role and source."""

    symbol: str | None = None
    when: ParsedDate | None = None
    role: str = "co"
    source: str | None = None


@dataclass
class PlannedDocument:
    symbol: str
    action: str  # create | complete (empty fields filled) | known
    kind: str
    body: str | None = None
    title: str | None = None
    parent_symbol: str | None = None
    date: str | None = None
    date_precision: str = "unknown"
    url: str | None = None
    source: str | None = None
    named_by: str | None = None  # created only as the text another document revises or amends
    filled: dict[str, Any] = field(default_factory=dict)  # action complete: column -> value


@dataclass
class Change:
    """One fact of the file against the current sponsors (`change` says what it does)."""

    symbol: str
    iso3: str | None
    name: str
    change: str
    role: str | None = None
    date: str | None = None
    date_precision: str | None = None
    after: str | None = None
    listed_as: str | None = None
    source: str | None = None
    source_kind: str | None = None
    note: str | None = None
    # already a sponsor: the date of the joining that decides, its precision, its lower bound
    sponsor_since: str | None = None
    sponsor_since_precision: str | None = None
    sponsor_since_after: str | None = None
    suggestions: str | None = None  # an unknown name's
    # refines the date: the recorded joining it dates (its id and source; sponsor_since* hold
    # its dating before)
    refines: int | None = None
    refines_source: str | None = None


@dataclass
class ImportPlan:
    file: str
    format: str
    dry_run: bool = False
    documents: list[PlannedDocument] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)
    # the same, as data: {text, iso3, name, where} (views say them first, to be checked)
    close_readings: list[dict[str, str]] = field(default_factory=list)
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    votes: list[str] = field(default_factory=list)  # recorded votes in the file (vote import)
    refusal: str | None = None

    def count(self, *changes: str) -> int:
        return sum(1 for c in self.changes if c.change in changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "dry_run": self.dry_run,
            "recorded": self.count(*RECORDED),
            "documents": [asdict(d) for d in self.documents],
            "changes": [asdict(c) for c in self.changes],
            "readings": self.readings,
            "close_readings": self.close_readings,
            "disagreements": self.disagreements,
            "notes": self.notes,
            "skipped": self.skipped,
            "recorded_votes": self.votes,
            "refusal": self.refusal,
        }


def plan_import(store, parsed, target: TextTarget | None = None) -> ImportPlan:
    """What recording `parsed` (a sponsor_docs.SponsorImport) would do; nothing is written.
    Unknown names do not raise here: they are changes of their own and `refusal` says why
    the import would be refused."""
    _check_not_empty(parsed)
    plan = _Planner(store, parsed, target or TextTarget()).plan()
    plan.dry_run = True
    return plan


def record_import(
    store, parsed, target: TextTarget | None = None, command: str = "sponsors import"
) -> ImportPlan:
    """Record `parsed` in one transaction, planned inside it; refused whole (nothing written)
    when a name is unknown or nothing in the file is a sponsor list."""
    if parsed.refusal():
        raise CahError(parsed.refusal())
    _check_not_empty(parsed)
    with store.write(command):
        plan = _Planner(store, parsed, target or TextTarget()).plan()
        _write(store, plan)
    return plan


def _check_not_empty(parsed) -> None:
    """A file with no sponsor list at all is refused (one record without one is not)."""
    if parsed.facts or parsed.unknown:
        return
    why = ""
    if parsed.skipped:
        first = parsed.skipped[0]
        why = f" ({len(parsed.skipped)} read, none with a sponsor list: {first.symbol}, {first.reason})"
    if parsed.votes:
        why += (
            f"; its {len(parsed.votes)} recorded "
            f"{'vote imports' if len(parsed.votes) == 1 else 'votes import'} with "
            "`cahtracker vote import`"
        )
    raise CahError(
        f"{parsed.origin} holds no sponsor list{why}. Nothing was recorded; give a draft's "
        "record, first page or PDF, a committee report, or a list of states."
    )


def read_input(path: str, names, input_format: str | None = None, stdin=None):
    """Read FILE, or standard input for `-` (bounded), with sponsor_docs.read_sponsor_file."""
    import sys
    from pathlib import Path

    from cahtracker.sponsor_docs import MAX_BYTES, read_sponsor_file

    if path != "-":
        return read_sponsor_file(Path(path), names, input_format)
    stream = stdin if stdin is not None else sys.stdin
    source = stream.buffer if hasattr(stream, "buffer") else stream
    data = source.read(MAX_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise CahError(
            f"Standard input is more than {MAX_BYTES // (1024 * 1024)} MB, larger than any "
            "document this reads. Nothing was imported."
        )
    return read_sponsor_file(data, names, input_format, origin="standard input")


# ---------------------------------------------------------------- planning


class _Planner:
    def __init__(self, store, parsed, target: TextTarget) -> None:
        self.store, self.parsed, self.target = store, parsed, target
        self.plan_ = ImportPlan(file=parsed.origin, format=parsed.format)
        self.documents: dict[str, PlannedDocument] = {}  # by canonical symbol
        # symbol -> iso3 -> the stored and planned events of that state on that document
        self.events: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.next_id = (store.scalar("SELECT max(id) FROM sponsorship_events") or 0) + 1
        self.first_planned_id = self.next_id  # events from here on are this file's own
        self.states = {
            r["iso3"]: r for r in store.query("SELECT iso3, name, regional_group FROM states")
        }
        self.rows: dict[str, dict[str, Any]] = {}  # documents of the database, as read
        self.folded: dict[str, str] = {}  # upper(symbol) -> the symbol of self.documents

    def plan(self) -> ImportPlan:
        from cahtracker.documents import default_symbol

        plan, parsed = self.plan_, self.parsed
        for doc in parsed.documents:
            self._document(doc)
        text_symbol = None
        if any(f.symbol is None for f in parsed.facts):
            text_symbol = self._lookup(
                self._known(self.target.symbol or default_symbol(self.store))
            )
        for fact in parsed.facts:
            self._fact(fact, text_symbol)
        for unknown in parsed.unknown:
            plan.changes.append(
                Change(
                    symbol=unknown.where,
                    iso3=None,
                    name=unknown.text,
                    change=UNKNOWN,
                    suggestions=", ".join(unknown.suggestions) or None,
                )
            )
        plan.refusal = parsed.refusal()
        plan.readings = [r.message for r in parsed.readings]
        plan.close_readings = [
            {"text": r.text, "iso3": r.iso3, "name": r.name, "where": r.where}
            for r in parsed.readings
        ]
        plan.disagreements = [
            {"symbol": d.symbol, "iso3": d.iso3, "heading": d.heading, "text": d.text}
            | {"source": d.source}
            for d in parsed.disagreements
        ]
        plan.skipped = [{"symbol": s.symbol, "reason": s.reason} for s in parsed.skipped]
        plan.votes = [
            f"{v.symbol} of {v.date or 'an unknown date'}: {v.stated_yes} in favour, "
            f"{v.stated_no} against, {v.stated_abstain} abstaining, {v.source}"
            for v in parsed.votes
        ]
        for note in parsed.notes:
            self._note(note, text_symbol)
        plan.documents = _parents_first(list(self.documents.values()))
        return plan

    # --- documents

    def _known(self, symbol: str) -> str:
        """The canonical symbol of a document of the database, or a refusal naming it."""
        from cahtracker.documents import document

        return document(self.store, symbol)["symbol"]

    def _put(self, planned: PlannedDocument) -> None:
        self.documents[planned.symbol] = planned
        self.folded[planned.symbol.upper()] = planned.symbol

    def _lookup(self, symbol: str) -> str | None:
        from cahtracker.documents import find_document

        if symbol in self.documents:
            return symbol
        if symbol.upper() in self.folded:
            return self.folded[symbol.upper()]
        row = find_document(self.store, symbol)
        if row is None:
            return None
        self._put(
            PlannedDocument(
                row["symbol"],
                "known",
                row["kind"],
                row["body"],
                row["title"],
                row["parent_symbol"],
                row["date"],
                row["date_precision"] or "unknown",
                row["url"],
                row["source"],
            )
        )
        self.rows[row["symbol"]] = row
        return row["symbol"]

    def _document(self, doc) -> str:
        symbol = self._lookup(doc.symbol)
        parent = self._parent(doc.parent_symbol, doc.symbol, doc.source)
        stub = symbol is not None and self.documents[symbol].named_by is not None
        if symbol is None or stub:  # new, or so far only named by another record of the file
            symbol = symbol or doc.symbol
            self._put(
                PlannedDocument(
                    symbol,
                    "create",
                    doc.kind,
                    doc.body,
                    doc.title,
                    parent,
                    doc.date,
                    doc.date_precision if doc.date else "unknown",
                    doc.url,
                    doc.source,
                )
            )
            return symbol
        planned = self.documents[symbol]
        if planned.action == "known":
            row = self.rows[symbol]
            wanted = {
                "title": doc.title,
                "parent_symbol": parent if parent != symbol else None,
                "url": doc.url,
            }
            if doc.date:
                wanted |= {"date": doc.date, "date_precision": doc.date_precision}
            filled = {
                k: v
                for k, v in wanted.items()
                if v and not row.get(k if k != "date_precision" else "date")
            }
            if filled:
                planned.action = "complete"
                planned.filled = filled
                for key, value in filled.items():
                    setattr(planned, key, value)
        return symbol

    def _parent(self, parent: str | None, child: str, source: str) -> str | None:
        """The symbol of the text `child` revises or amends, created from its symbol if new."""
        from cahtracker.documents import kind_of_symbol
        from cahtracker.sponsor_docs.symbols import body_of, revised_symbol

        if not parent:
            return None
        found = self._lookup(parent)
        if found is not None:
            return found
        grandparent = self._parent(revised_symbol(parent), parent, source)
        self._put(
            PlannedDocument(
                parent,
                "create",
                kind_of_symbol(parent),
                body_of(parent),
                parent_symbol=grandparent,
                source=f"named by {child} ({source})",
                named_by=child,
            )
        )
        return parent

    def _chain(self, symbol: str) -> list[str]:
        from cahtracker.documents import revises

        chain = [symbol]
        while True:
            parent = self.documents[chain[-1]].parent_symbol
            if not revises(chain[-1], parent) or parent in chain:
                return chain
            chain.append(self._lookup(parent) or parent)

    def _events(self, chain: list[str], iso3: str) -> list[dict[str, Any]]:
        """The events of one state on the documents of a chain (read once per document)."""
        from cahtracker.sponsors import EVENT_COLUMNS

        out = []
        for symbol in chain:
            if symbol not in self.events:
                by_state: dict[str, list[dict[str, Any]]] = {}
                for event in self.store.query(
                    f"SELECT {', '.join(EVENT_COLUMNS)} FROM sponsorship_events WHERE symbol = ?",
                    (symbol,),
                ):
                    by_state.setdefault(event["iso3"], []).append(event)
                self.events[symbol] = by_state
            out.extend(self.events[symbol].get(iso3, ()))
        return out

    def _date_of(self, symbol: str | None) -> str | None:
        """The date of a document the database or this file knows (the report a fact cites)."""
        if not symbol:
            return None
        found = self._lookup(symbol)
        return self.documents[found].date if found else None

    # --- facts

    def _fact(self, fact, text_symbol: str | None) -> None:
        from cahtracker.sponsors import in_replay_order, replay

        target = self.target
        if fact.symbol is None:  # a pasted list: the command says where, when and who said so
            when = target.when or today_date()
            symbol = text_symbol
            values = {
                "role": target.role,
                "date": when.value,
                "date_precision": when.precision,
                "after": None,
                "listed_as": fact.listed_as,
                "source": target.source,
                "source_kind": None,
                "note": fact.note,
            }
        else:
            symbol = self._lookup(fact.symbol) or self._stub(fact.symbol, fact.source)
            date, precision = fact.date, fact.date_precision
            report_date = None if date else self._date_of(fact.by_document)
            if report_date:  # the cited report is known: on or before its date
                date, precision = report_date, "on-or-before"
            values = {
                "role": fact.role,
                "date": date,
                "date_precision": precision if date else "unknown",
                "after": fact.after,
                "listed_as": fact.listed_as,
                "source": fact.source,
                "source_kind": UN_RECORD,
                "note": fact.note,
            }
        state = self.states[fact.iso3]
        change = Change(symbol=symbol, iso3=fact.iso3, name=state["name"], change="", **values)
        chain = self._chain(symbol)
        current = replay(in_replay_order(self._events(chain, fact.iso3), values["date"]))
        decided = current.get(fact.iso3)
        sponsor = decided is not None and decided["action"] == "joined"
        if fact.action == "joined" and self._refines(change, chain, symbol):
            pass
        elif fact.action == "joined":
            if sponsor:
                change.change = ALREADY
                change.role = decided["role"]
                change.sponsor_since = decided["date"]
                change.sponsor_since_precision = decided["date_precision"]
                change.sponsor_since_after = decided.get("after")
            else:
                change.change = JOINS
        else:
            same = any(  # the state's own events on the document (read with the chain)
                e["action"] == "withdrew" and e["source"] == fact.source
                for e in self._events([symbol], fact.iso3)
            )
            if same:
                change.change = ALREADY_WITHDRAWN
            else:
                change.change = WITHDRAWS if sponsor else WITHDRAWS_NON_SPONSOR
                if sponsor:
                    change.role = decided["role"]
        self.plan_.changes.append(change)
        if change.change in (JOINS, WITHDRAWS, WITHDRAWS_NON_SPONSOR):
            event = {
                "id": self.next_id,
                "symbol": symbol,
                "iso3": fact.iso3,
                "action": fact.action,
                **values,
                "role": change.role,
            }
            self.next_id += 1
            # the stored ones were read with the chain above, which begins with `symbol`
            self.events[symbol].setdefault(fact.iso3, []).append(event)

    def _refines(self, change: Change, chain: list[str], symbol: str) -> bool:
        """Whether this joining dates a recorded one more precisely: the state's latest
        event (now) is a stored joining on this very document whose date agrees with the
        fact's and is less precise. Then `change` refines it (README, "From UN documents")."""
        from cahtracker.dates import refined_date
        from cahtracker.sponsors import in_replay_order, replay

        now = replay(in_replay_order(self._events(chain, change.iso3))).get(change.iso3)
        if (
            now is None
            or now["action"] != "joined"
            or now["symbol"] != symbol
            or now["id"] >= self.first_planned_id
        ):
            return False
        old = (now["date"], now["date_precision"], now.get("after"))
        refined = refined_date(old, (change.date, change.date_precision, change.after))
        if refined is None:
            return False
        change.change = REFINES
        change.role = now["role"]
        change.sponsor_since, change.sponsor_since_precision, change.sponsor_since_after = old
        change.date, change.date_precision, change.after = refined
        change.refines, change.refines_source = now["id"], now["source"]
        dates = f"dates more precisely the joining recorded from {now['source']}"
        change.note = f"{change.note}; {dates}" if change.note else dates
        # later facts of the file see the joining as it will be dated
        now.update(date=change.date, date_precision=change.date_precision, after=change.after)
        return True

    def _stub(self, symbol: str, source: str | None) -> str:
        """A document a fact names and no record describes: created from its symbol."""
        from cahtracker.documents import kind_of_symbol
        from cahtracker.sponsor_docs.symbols import body_of, revised_symbol

        parent = self._parent(revised_symbol(symbol), symbol, source or symbol)
        self._put(
            PlannedDocument(
                symbol,
                "create",
                kind_of_symbol(symbol),
                body_of(symbol),
                None,
                parent,
                source=source,
            )
        )
        return symbol

    def _note(self, note, text_symbol: str | None) -> None:
        symbol = self._lookup(note.symbol) if note.symbol else text_symbol
        stored = bool(symbol and note.source)
        if stored:
            stored = not self.store.one(
                "SELECT 1 FROM document_notes WHERE symbol = ? AND text = ?", (symbol, note.text)
            ) and not any(
                n["stored"] and n["symbol"] == symbol and n["text"] == note.text
                for n in self.plan_.notes
            )
        self.plan_.notes.append(
            {
                "symbol": symbol or note.symbol,
                "text": note.text,
                "source": note.source,
                "stored": stored,
            }
        )


def _parents_first(documents: list[PlannedDocument]) -> list[PlannedDocument]:
    """The documents in an order where every parent comes before the texts that name it."""
    placed: dict[str, None] = {}
    by_symbol = {d.symbol: d for d in documents}

    def place(doc: PlannedDocument, seen: tuple[str, ...] = ()) -> None:
        if doc.symbol in placed or doc.symbol in seen:
            return
        parent = by_symbol.get(doc.parent_symbol or "")
        if parent is not None:
            place(parent, (*seen, doc.symbol))
        placed[doc.symbol] = None

    for doc in documents:
        place(doc)
    return [by_symbol[s] for s in placed]


# ---------------------------------------------------------------- writing


def _write(store, plan: ImportPlan) -> None:
    from cahtracker.documents import create_document
    from cahtracker.sponsors import insert_logged

    for doc in plan.documents:
        if doc.action == "create":
            create_document(
                store,
                doc.symbol,
                doc.kind,
                doc.body,
                title=doc.title,
                parent_symbol=doc.parent_symbol,
                when=ParsedDate(doc.date, doc.date_precision) if doc.date else None,
                url=doc.url,
                source=doc.source,
            )
        elif doc.action == "complete":
            before = store.one("SELECT * FROM documents WHERE symbol = ?", (doc.symbol,))
            sets = ", ".join(f"{column} = ?" for column in doc.filled)
            store.conn.execute(
                f"UPDATE documents SET {sets} WHERE symbol = ?", [*doc.filled.values(), doc.symbol]
            )
            after = store.one("SELECT * FROM documents WHERE symbol = ?", (doc.symbol,))
            store.log_change("documents", doc.symbol, before, after)
    for change in plan.changes:
        if change.change not in RECORDED:
            continue
        if change.change == REFINES:
            _refine(store, change)
        insert_logged(
            store,
            "sponsorship_events",
            {
                "symbol": change.symbol,
                "iso3": change.iso3,
                "action": "joined" if change.change in (JOINS, REFINES) else "withdrew",
                "role": change.role,
                "date": change.date,
                "date_precision": change.date_precision,
                "after": change.after,
                "listed_as": change.listed_as,
                "source": change.source,
                "source_kind": change.source_kind,
                "note": change.note,
            },
        )
    for note in plan.notes:
        if note["stored"]:
            insert_logged(
                store,
                "document_notes",
                {
                    "symbol": note["symbol"],
                    "text": note["text"],
                    "source": note["source"],
                    "source_kind": UN_RECORD,
                },
            )


def _refine(store, change: Change) -> None:
    """Date a recorded joining as a more precise source does; its own source stays, and its
    note says what it gave before and who dated it (the new source's event follows)."""
    from cahtracker.dates import date_cell

    before = store.one("SELECT * FROM sponsorship_events WHERE id = ?", (change.refines,))
    was = date_cell(
        change.sponsor_since, change.sponsor_since_precision, change.sponsor_since_after
    )
    said = f"dated {date_cell(change.date, change.date_precision, change.after)} by {change.source}; its own source gives {was}"
    note = f"{before['note']}; {said}" if before["note"] else said
    store.conn.execute(
        "UPDATE sponsorship_events SET date = ?, date_precision = ?, after = ?, note = ? WHERE id = ?",
        (change.date, change.date_precision, change.after, note, change.refines),
    )
    after = store.one("SELECT * FROM sponsorship_events WHERE id = ?", (change.refines,))
    store.log_change("sponsorship_events", change.refines, before, after)
