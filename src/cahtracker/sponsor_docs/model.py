"""What the UN's documents say about sponsors and votes, as plain data (no database here).

Dates are ISO text (`YYYY-MM-DD`) with a precision from `cahtracker.dates.PRECISIONS`:

- the sponsors printed on a draft (MARCXML `245 $c`, a first page, "submitted by") joined on
  or before the draft's date (or the meeting's): `on-or-before`;
- a state the report says joined "at the same meeting" joined that day: `day`;
- a state a Digital Library record lists as an additional sponsor (`515 $a`) joined after
  the draft's date and on or before the date of the report it cites; the record does not
  give that report's date, so the date is `None` with precision `unknown`, and the bounds
  are kept apart (`after`, `by_document`) and in the note, for a caller that knows the
  report's date (`SponsorshipFact.dated`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

JOINED = "joined"
WITHDREW = "withdrew"

NAMES_IN_A_MESSAGE = 20  # unknown names a refusal names (issue 15); the rest are counted


@dataclass(frozen=True)
class ParsedDocument:
    """A document as its record or first page describes it (enough to create it if missing).
    `kind` is one of `cahtracker.documents.KINDS`."""

    symbol: str
    kind: str
    date: str | None
    date_precision: str
    title: str | None
    url: str | None
    body: str | None
    parent_symbol: str | None
    source: str


@dataclass(frozen=True)
class SponsorshipFact:
    """One state joining or leaving the sponsors of one document, as one source says.

    `listed_as`: 'original' (printed on the draft) or 'additional' (joined later), or None
    when the source does not say. `after` (an ISO date, exclusive) and `by_document` (the
    symbol whose date is the latest possible date) bound a date the source does not give."""

    symbol: str | None  # None for a pasted list: the caller's --doc
    iso3: str
    action: str  # joined | withdrew
    role: str  # main | co
    date: str | None
    date_precision: str
    source: str | None
    note: str | None = None
    listed_as: str | None = None
    after: str | None = None
    by_document: str | None = None

    def dated(self, value: str, precision: str = "on-or-before") -> SponsorshipFact:
        """The same fact with a date the caller found (e.g. the date of `by_document`)."""
        return replace(self, date=value, date_precision=precision)


@dataclass(frozen=True)
class DocumentNote:
    """What a source says about a document besides its sponsors: a group the sponsor acts
    for ('on behalf of the Group of 77 and China'), the Committee's decision on it, a
    record without a sponsor list ('submitted by the Chair ...')."""

    symbol: str | None
    text: str
    source: str | None


@dataclass(frozen=True)
class Reading:
    """A name that is no known spelling, read as the one state it closely spells."""

    text: str
    iso3: str
    name: str
    where: str  # symbol and field or paragraph

    @property
    def message(self) -> str:
        return f"read '{self.text}' as {self.name} ({self.where})"


@dataclass(frozen=True)
class Disagreement:
    """A cross-check that does not agree with the sponsor list (MARCXML 710 against 245 $c).
    Listed for the user, never merged into the facts."""

    symbol: str
    iso3: str | None  # None: the heading is no known state
    heading: str
    text: str
    source: str


@dataclass(frozen=True)
class UnknownName:
    """A name that is no state: the caller refuses the whole file with these."""

    text: str
    where: str
    suggestions: tuple[str, ...] = ()  # 'Russian Federation (RUS)'

    @property
    def message(self) -> str:
        return self.said_in(None)

    def said_in(self, origin: str | None) -> str:
        """The message, without "in standard input" when the whole message is about it."""
        hint = f" (did you mean {', '.join(self.suggestions)}?)" if self.suggestions else ""
        where = "" if self.where == origin else f" in {self.where}"
        return f"'{self.text}'{where}{hint}"


@dataclass(frozen=True)
class RecordedVote:
    """A recorded vote as a Main Committee report gives it: the stated totals and the three
    lists; `mismatches` says where a stated total and its list disagree (empty: they agree)."""

    symbol: str
    date: str | None
    body: str | None
    meeting: str | None
    outcome: str | None  # adopted | rejected | None
    stated_yes: int
    stated_no: int
    stated_abstain: int
    yes: tuple[str, ...]
    no: tuple[str, ...]
    abstain: tuple[str, ...]
    source: str
    mismatches: tuple[str, ...] = ()

    @property
    def totals_match(self) -> bool:
        return not self.mismatches


@dataclass(frozen=True)
class SkippedRecord:
    """A record read but holding no sponsor list, and why (not an error)."""

    symbol: str
    reason: str


@dataclass
class SponsorImport:
    """Everything one file says. `unknown` non-empty means the file must be refused whole
    (`refusal()` is the one-line message); the rest is ready to diff or record."""

    format: str
    origin: str
    documents: list[ParsedDocument] = field(default_factory=list)
    facts: list[SponsorshipFact] = field(default_factory=list)
    notes: list[DocumentNote] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    unknown: list[UnknownName] = field(default_factory=list)
    unknown_not_listed: int = 0  # unknown names beyond the bound of `unknown`
    votes: list[RecordedVote] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)

    def sponsors(self, symbol: str | None) -> list[str]:
        """The iso3 codes this file makes sponsors of `symbol`: joinings minus withdrawals,
        in the order read (a withdrawal of a state never listed changes nothing)."""
        current: dict[str, None] = {}
        for fact in self.facts:
            if fact.symbol != symbol:
                continue
            if fact.action == JOINED:
                current.setdefault(fact.iso3, None)
            else:
                current.pop(fact.iso3, None)
        return list(current)

    def symbols(self) -> list[str | None]:
        """The documents with sponsorship facts, in the order read."""
        return list(dict.fromkeys(fact.symbol for fact in self.facts))

    def refusal(self) -> str | None:
        """One line naming every unknown name with suggestions, or None if all were read."""
        if not self.unknown:
            return None
        parts = [u.said_in(self.origin) for u in self.unknown[:NAMES_IN_A_MESSAGE]]
        rest = len(self.unknown) - len(parts) + self.unknown_not_listed
        if rest:
            parts.append(f"and {rest:,} more")
        noun = "name" if len(self.unknown) + self.unknown_not_listed == 1 else "names"
        return (
            f"{self.origin}: unknown state {noun}: {'; '.join(parts)}. "
            "Nothing was recorded; correct the names (a UN name, an alias or an ISO code)."
        )
