"""UN Digital Library MARCXML bibliographic records of drafts: who sponsors each draft.

One file may hold many records (`<collection>`), in the default namespace or with a prefix
(`ns0:`): both are the same XML and read the same. For each record:

- `191 $a` the symbol; `245 $a` the title, `$b` the kind (`revised draft resolution /`,
  `amendment to draft resolution A/C.3/78/L.51 /`), `$c` the sponsors as printed on the
  draft; `269 $a` the date; controlfield 001 the record id (its URL is the source).
- `245 $c` gives the original sponsors, states only: a bracketed `[on behalf of the Group
  of 77 and China]` is kept as a note, and the group's members are not sponsors. A record
  submitted by no state (`submitted by the Chair ...`, `by the Secretariat`) has no
  sponsor list: it is reported as skipped, not as an error.
- `515 $a`, in parts joined by ` - `: `Additional sponsors: LIST (SYMBOL)` are joinings
  sourced to SYMBOL (the report that lists them); `X was removed from the list of sponsors
  ... (SYMBOL)` a withdrawal, kept with a note even when X was not listed; `X and Y are
  original sponsors ... (SYMBOL)` original sponsors; any other part (`The amendment was
  rejected by the Committee (...)`) a note. A part without a symbol takes the next one's.
- `710 $a` headings are a cross-check of `245 $c` (short forms such as `United Kingdom`):
  a state in one and not the other is listed as a disagreement, never merged.

Dates: see `sponsor_docs.model` (original sponsors on or before the draft's date;
additional sponsors and withdrawals after it and on or before the cited report's date,
which the record does not give: precision `unknown`, bounds kept in the fact and note).

Read with defusedxml (no DTD, no entities, no external references), at most
`MAX_DEPTH` levels deep and `MAX_RECORDS` records, each record cleared once read.
"""

from __future__ import annotations

import io
import re

from cahtracker.dates import marc_date
from cahtracker.errors import CahError
from cahtracker.names import NameIndex
from cahtracker.sponsor_docs.lists import NameReader
from cahtracker.sponsor_docs.model import (
    JOINED,
    WITHDREW,
    Disagreement,
    DocumentNote,
    ParsedDocument,
    SkippedRecord,
    SponsorImport,
    SponsorshipFact,
)
from cahtracker.sponsor_docs.symbols import SYMBOL, amended_symbol, body_of, kind_of, revised_symbol
from cahtracker.xml_limits import MAX_DEPTH, TooDeep, depth_limited_parser, local_name

FORMAT = "undl-marcxml"
MAX_RECORDS = 20_000  # a whole session's drafts of every committee is a few thousand
RECORD_URL = "https://digitallibrary.un.org/record/{}"

_NOT_A_STATE = re.compile(r"^\s*(?:submitted\s+)?by\s+the\b", re.IGNORECASE)
_PARTS = re.compile(r"\s+-\s+")
_CITED = rf"(?:\s*\((?P<sym>{SYMBOL})\))?\s*\.?\s*$"
_ADDITIONAL = re.compile(rf"^additional\s+sponsors?\s*:\s*(?P<list>.+?){_CITED}", re.IGNORECASE)
_REMOVED = re.compile(
    rf"^(?P<list>.+?)\s+(?:was|were|has\s+been|have\s+been)\s+(?:removed|withdrawn)\s+"
    rf"from\s+the\s+list\s+of\s+sponsors\b.*?{_CITED}",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    rf"^(?P<list>.+?)\s+(?:is|are)\s+(?:an?\s+|the\s+)?original\s+sponsors?\b.*?{_CITED}",
    re.IGNORECASE,
)
_SYMBOL_AT_END = re.compile(rf"\((?P<sym>{SYMBOL})\)\s*\.?\s*$")
_GROUP_HEADING = re.compile(r"^UN\.|\bgroup\b|\bmovement\b|\bcommunity\b|\bunion\b", re.IGNORECASE)


class _LargeReads(io.RawIOBase):
    """Reads of at least 4 MB: expat rescans an unfinished token on every feed, so small
    feeds make one huge token (a 50 MB attribute) take minutes."""

    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.pos = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = len(self.data) if size is None or size < 0 else max(size, 1 << 22)
        chunk = self.data[self.pos : self.pos + size]
        self.pos += len(chunk)
        return bytes(chunk)


def read_marcxml(data: bytes, names: NameIndex, origin: str, close: bool = True) -> SponsorImport:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    result = SponsorImport(format=FORMAT, origin=origin)
    reader = NameReader(names, result, close)
    records = 0
    parser = depth_limited_parser(forbid_dtd=True)
    try:
        for _, element in iterparse(_LargeReads(data), events=("end",), parser=parser):
            if local_name(element.tag) != "record":
                continue
            records += 1
            if records > MAX_RECORDS:
                raise CahError(
                    f"{origin}: more than {MAX_RECORDS} records; split the file. Nothing was imported."
                )
            _read_record(_fields(element), reader, result)
            element.clear()
    except TooDeep:
        raise CahError(
            f"{origin}: XML nested more than {MAX_DEPTH} levels deep; a MARCXML "
            "record is 4 levels deep (collection, record, datafield, subfield). "
            "Nothing was imported."
        ) from None
    except (ParseError, SyntaxError) as error:
        raise CahError(
            f"{origin} is not well-formed XML ({error}); give a UN Digital Library MARCXML "
            "file. Nothing was imported."
        ) from None
    except DefusedXmlException as error:
        raise CahError(
            f"{origin} declares a DTD, entities or external references ({type(error).__name__}); "
            "refused for safety: UN Digital Library MARCXML has none. Nothing was imported."
        ) from None
    if not records:
        raise CahError(
            f"{origin} holds no MARCXML <record>; give UN Digital Library bibliographic records "
            "(MARCXML). Nothing was imported."
        )
    return result


class _Record:
    def __init__(self) -> None:
        self.control: dict[str, str] = {}
        self.fields: dict[str, list[dict[str, str]]] = {}

    def first(self, tag: str, code: str = "a") -> str | None:
        for subfields in self.fields.get(tag, []):
            if subfields.get(code):
                return subfields[code]
        return None

    def every(self, tag: str, code: str = "a") -> list[str]:
        return [s[code] for s in self.fields.get(tag, []) if s.get(code)]


def _fields(record) -> _Record:
    out = _Record()
    for child in record:
        tag = local_name(child.tag)
        if tag == "controlfield":
            out.control[child.get("tag", "")] = (child.text or "").strip()
        elif tag == "datafield":
            subfields: dict[str, str] = {}
            for sub in child:
                subfields.setdefault(sub.get("code", ""), " ".join((sub.text or "").split()))
            out.fields.setdefault(child.get("tag", ""), []).append(subfields)
    return out


def _title(text: str | None) -> str | None:
    if not text:
        return None
    return re.sub(r"\s*[:/;,]\s*$", "", text).strip() or None


def _read_record(record: _Record, reader: NameReader, result: SponsorImport) -> None:
    symbol = record.first("191")
    if not symbol:
        result.skipped.append(SkippedRecord("(no symbol)", "no symbol (191 $a)"))
        return
    record_id = record.control.get("001")
    url = RECORD_URL.format(record_id) if record_id else None
    where_record = f"UN Digital Library record {record_id}" if record_id else "a MARCXML record"
    record_source = f"{symbol}, {where_record}" + (f": {url}" if url else "")

    def source(field: str, cited: str | None = None) -> str:
        head = f"{cited}, as cited in {symbol}" if cited else symbol
        return f"{head} ({where_record}, {field})" + (f": {url}" if url else "")

    sponsors = record.first("245", "c")
    if not sponsors:
        result.skipped.append(SkippedRecord(symbol, "no sponsor list (245 $c)"))
        return
    if _NOT_A_STATE.match(sponsors):
        result.skipped.append(
            SkippedRecord(symbol, f"submitted by no state: '{sponsors}' (245 $c)")
        )
        result.notes.append(DocumentNote(symbol, f"245 $c: {sponsors}", record_source))
        return

    kind_text = record.first("245", "b") or ""
    date = marc_date(record.first("269"))
    on = date
    result.documents.append(
        ParsedDocument(
            symbol=symbol,
            kind=kind_of(kind_text),
            date=date,
            date_precision="day" if date else "unknown",
            title=_title(record.first("245", "a")),
            url=url,
            body=body_of(symbol),
            parent_symbol=amended_symbol(kind_text) or revised_symbol(symbol),
            source=record_source,
        )
    )
    after_note = f"after {date} (the draft's date)" if date else "after the draft was issued"
    originals, groups = reader.states(sponsors, f"{symbol}, 245 $c", on)
    for group in groups:
        result.notes.append(
            DocumentNote(symbol, f"245 $c: {_acting_for(sponsors, group)}", source("245 $c"))
        )
    listed: dict[str, None] = {}

    def join(iso3: str, fact_source: str, note: str, listed_as: str, **dates) -> None:
        result.facts.append(
            SponsorshipFact(
                symbol,
                iso3,
                JOINED,
                "co",
                source=fact_source,
                note=note,
                listed_as=listed_as,
                **dates,
            )
        )
        listed.setdefault(iso3, None)

    for ref in originals:
        join(
            ref.iso3,
            source("245 $c"),
            "original sponsor (printed on the draft)",
            "original",
            date=date,
            date_precision="on-or-before" if date else "unknown",
        )

    for field_text in record.every("515"):
        for part, cited in _parts(field_text):
            _read_515_part(
                part, cited, symbol, date, after_note, listed, join, reader, result, source
            )

    _cross_check(record, symbol, originals, groups, listed, reader, result, source("710 $a"))


def _parts(text: str) -> list[tuple[str, str | None]]:
    """The ' - ' parts of a 515 note, each with the symbol it cites or the next part's."""
    parts = [p.strip() for p in _PARTS.split(text) if p.strip()]
    cited: list[str | None] = []
    for part in parts:
        match = _SYMBOL_AT_END.search(part)
        cited.append(match.group("sym") if match else None)
    for k in range(len(parts) - 2, -1, -1):
        if cited[k] is None:
            cited[k] = cited[k + 1]
    return list(zip(parts, cited, strict=True))


def _read_515_part(part, cited, symbol, date, after_note, listed, join, reader, result, source):
    where = f"{symbol}, 515 $a"
    field_source = source("515 $a", cited)
    by = f" and on or before the date of {cited}" if cited else ""
    bounds = {"date": None, "date_precision": "unknown", "after": date, "by_document": cited}
    if match := _ADDITIONAL.match(part):
        refs, _ = reader.states(match.group("list"), where, date)
        for ref in refs:
            if ref.iso3 in listed:
                result.disagreements.append(
                    Disagreement(
                        symbol,
                        ref.iso3,
                        ref.name,
                        f"{ref.name} is both an original (245 $c) and an additional "
                        "sponsor (515 $a); recorded once",
                        field_source,
                    )
                )
                continue
            join(
                ref.iso3,
                field_source,
                f"additional sponsor: joined {after_note}{by}",
                "additional",
                **bounds,
            )
    elif match := _REMOVED.match(part):
        refs, _ = reader.states(match.group("list"), where, date)
        for ref in refs:
            note = f"removed from the list of sponsors {after_note}{by}"
            if ref.iso3 not in listed:
                note += "; it is not listed as a sponsor in this record"
            result.facts.append(
                SponsorshipFact(
                    symbol, ref.iso3, WITHDREW, "co", source=field_source, note=note, **bounds
                )
            )
    elif match := _ORIGINAL.match(part):
        refs, _ = reader.states(match.group("list"), where, date)
        for ref in refs:
            if ref.iso3 not in listed:
                join(
                    ref.iso3,
                    field_source,
                    f"original sponsor according to {cited or 'the record'} (515 $a), "
                    "not printed in 245 $c",
                    "original",
                    date=date,
                    date_precision="on-or-before" if date else "unknown",
                )
    else:
        result.notes.append(DocumentNote(symbol, f"515 $a: {part}", field_source))


def _acting_for(sponsors: str, group: str) -> str:
    """'Cuba [on behalf of the Group of 77 and China]' out of a longer 245 $c."""
    at = sponsors.casefold().find(group.casefold()[:20])
    before = sponsors[: max(at, 0)].rstrip(" [(")
    state = re.split(r",\s*|\s+and\s+", before)[-1].strip() if before else ""
    return f"{state} [{group}]; the group's members are not sponsors of record".lstrip()


def _cross_check(record, symbol, originals, groups, listed, reader, result, source) -> None:
    """710 headings against 245 $c: each state in one list and not the other is listed."""
    headings = record.every("710")
    if not headings:
        return
    in_710: dict[str, str] = {}
    for heading in headings:
        found = reader.names.read_list(heading, close=True)
        if len(found.refs) == 1 and not found.unknown and not found.ambiguous:
            in_710.setdefault(found.refs[0].iso3, heading)
        elif not _GROUP_HEADING.search(heading):
            result.disagreements.append(
                Disagreement(
                    symbol, None, heading, f"710 heading '{heading}' is no known state", source
                )
            )
    original = {ref.iso3: ref for ref in originals}
    group_text = " ".join(groups).casefold()
    for iso3, heading in in_710.items():
        if iso3 in original:
            continue
        why = f"710 names {heading}, which 245 $c does not list as a sponsor"
        if heading.casefold() in group_text:
            why += f" (it is part of the group's name: '{next(g for g in groups if heading.casefold() in g.casefold())}')"
        elif iso3 in listed:
            why += " (515 $a lists it as a sponsor)"
        result.disagreements.append(Disagreement(symbol, iso3, heading, why, source))
    for iso3, ref in original.items():
        if iso3 not in in_710:
            result.disagreements.append(
                Disagreement(
                    symbol,
                    iso3,
                    ref.name,
                    f"245 $c lists {ref.name}, which no 710 heading names",
                    source,
                )
            )
