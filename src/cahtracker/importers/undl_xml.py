"""A UN Digital Library MARCXML record (or a collection of them), read with defusedxml.

Tags: 967 one per state (`$c` ISO3 code, `$d` Y/N/A, missing for non-voting, `$e` name);
996 totals (`$b` yes, `$c` no, `$d` abstain, `$e` non-voting, `$f` total membership);
791 `$a` symbol; 269 `$a` date; 952 `$a` meeting record; 993 `$a` draft; controlfield 001 the
record id. Entities and external references are refused (billion laughs, XXE); records
are parsed one at a time with iterparse and cleared, at most `MAX_DEPTH` levels deep.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from cahtracker.dates import marc_date
from cahtracker.errors import CahError
from cahtracker.importers.reading import CountingReader, ImportedVote, to_int
from cahtracker.xml_limits import MAX_DEPTH, TooDeep, depth_limited_parser, local_name

CHOICES = {
    "Y": "yes",
    "N": "no",
    "A": "abstain",
    "": "non-voting",
    "X": "non-voting",
    "NV": "non-voting",
}


def _first_byte(handle) -> bytes:
    """The first byte after a BOM and white space (the handle is rewound)."""
    head = handle.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    handle.seek(0)
    return head[:1]


class _LargeReads(CountingReader):
    """Reads of at least 4 MB: expat 2.5 rescans an unfinished token (a long attribute value,
    comment or name) on every feed, so 16 KB feeds make one 50 MB token take minutes; with
    4 MB feeds it takes a fraction of a second."""

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(-1 if size is None or size < 0 else max(size, 1 << 22))
        self.count += len(data)
        return data


def parse_undl_xml(path: Path, counter_box: list) -> Iterator[ImportedVote]:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    count = 0
    try:
        with open(path, "rb") as handle:
            counter = _LargeReads(handle)
            counter_box.append(counter)
            if _first_byte(handle) not in (b"<", b""):
                raise CahError(
                    f"{path} is not XML (it does not begin with '<'); give a UN Digital Library "
                    "MARCXML record. Nothing was imported."
                )
            depth, root = 0, None
            parser = depth_limited_parser()
            for event, element in iterparse(counter, events=("start", "end"), parser=parser):
                if event == "start":
                    depth += 1
                    root = element if root is None else root
                    continue
                depth -= 1
                if local_name(element.tag) == "record":
                    count += 1
                    yield _record(element, path, count)
                    element.clear()
                if depth == 1:
                    root.clear()  # what is read below the collection is not kept
    except (ParseError, SyntaxError) as error:
        raise CahError(
            f"{path} is not well-formed XML ({error}); the file is truncated or not a MARCXML "
            "record. Nothing was imported."
        ) from None
    except TooDeep:
        raise CahError(
            f"{path}: XML nested more than {MAX_DEPTH} levels deep; a MARCXML record is 4 deep "
            "(collection, record, datafield, subfield). Nothing was imported."
        ) from None
    except DefusedXmlException as error:
        raise CahError(
            f"{path} uses XML entities or external references ({type(error).__name__}); refused "
            "for safety. Nothing was imported."
        ) from None
    if not count:
        raise CahError(f"{path} holds no MARCXML <record>; nothing was imported.")


def _record(record, path: Path, number: int) -> ImportedVote:
    control: dict[str, str] = {}
    fields: dict[str, list[dict[str, str]]] = {}
    for child in record:
        tag = local_name(child.tag)
        if tag == "controlfield":
            control[child.get("tag", "")] = (child.text or "").strip()
        elif tag == "datafield":
            subfields: dict[str, str] = {}
            for sub in child:
                code = sub.get("code", "")
                subfields.setdefault(code, (sub.text or "").strip())
            fields.setdefault(child.get("tag", ""), []).append(subfields)

    def first(tag: str, code: str = "a") -> str | None:
        for subfields in fields.get(tag, []):
            if subfields.get(code):
                return subfields[code]
        return None

    symbol = first("791")
    if not symbol and first("191"):  # a document's bibliographic record (191 $a: its symbol)
        raise CahError(
            f"{path} holds UN Digital Library records of documents ({first('191')} ...), not "
            f"voting records: for their sponsor lists use `cahtracker sponsors import {path}`. "
            "Nothing was imported."
        )
    if not symbol:
        raise CahError(f"{path}: record {number} has no symbol (tag 791 $a); nothing was imported.")
    states = fields.get("967", [])
    if not states:
        raise CahError(
            f"{path}: record {number} ({symbol}) has no voting data (tag 967); nothing was imported."
        )
    ballots = []
    for subfields in states:
        vote = subfields.get("d", "").strip().upper()
        choice = CHOICES.get(vote)
        if choice is None:
            raise CahError(
                f"{path}: {symbol}: vote '{vote}' of {subfields.get('e') or subfields.get('c')} is not "
                "Y, N or A (or missing for non-voting). Nothing was imported."
            )
        ballots.append((subfields.get("c", ""), subfields.get("e", ""), choice))
    totals = None
    if fields.get("996"):
        t = fields["996"][0]
        try:
            totals = tuple(to_int(t.get(c)) for c in ("b", "c", "d", "e", "f"))
        except ValueError as error:
            raise CahError(f"{path}: {symbol}: totals (tag 996): {error}.") from None
    record_id = control.get("001")
    draft = first("993")
    session = re.match(r"A/RES/(\d+)/", symbol)
    return ImportedVote(
        symbol=symbol,
        # a date MARC's forms do not cover is passed on as written, for the writer to refuse
        date=marc_date(first("269")) or first("269"),
        key=f"undl:{record_id}" if record_id else None,
        meeting=first("952"),
        session=int(session.group(1)) if session else None,
        totals=totals,
        source=f"UN Digital Library record {record_id}" if record_id else f"MARCXML {path.name}",
        note=f"draft {draft}" if draft else None,
        ballots=ballots,
    )
