"""Sponsor lists and committee votes read from the UN's own documents, as plain data.

    read_sponsor_file(path_or_text, names, input_format=None) -> SponsorImport

reads one file in any of `FORMATS` (detected from the content unless `input_format`
names one) and resolves every name through a `cahtracker.names.NameIndex`. Nothing is
written and nothing printed: the caller diffs or records `SponsorImport.facts`, creates
the missing `documents`, shows `readings`, `disagreements`, `notes` and `skipped`, and
refuses the whole file when `unknown` is not empty (`SponsorImport.refusal()`).

Formats: `undl-marcxml` (UN Digital Library records of drafts), `pdf` (the UN's PDF of a
draft), `first-page` (a draft's first page as text), `committee-report` (a Main Committee
report's text, with its recorded votes), `text` (a pasted list: the facts have no symbol,
date or source, which the caller supplies). Every input is bounded (`InputFormat.max_bytes`,
list lengths, XML depth); bad input raises one `CahError` line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cahtracker.errors import CahError
from cahtracker.sponsor_docs.catalogue import SUMMARIES, format_help
from cahtracker.sponsor_docs.model import (
    JOINED,
    WITHDREW,
    Disagreement,
    DocumentNote,
    ParsedDocument,
    Reading,
    RecordedVote,
    SkippedRecord,
    SponsorImport,
    SponsorshipFact,
    UnknownName,
)

__all__ = [
    "FORMATS",
    "JOINED",
    "WITHDREW",
    "Disagreement",
    "DocumentNote",
    "InputFormat",
    "ParsedDocument",
    "Reading",
    "RecordedVote",
    "SkippedRecord",
    "SponsorImport",
    "SponsorshipFact",
    "UnknownName",
    "detect_format",
    "format_help",
    "read_sponsor_file",
]

MiB = 1024 * 1024


@dataclass(frozen=True)
class InputFormat:
    name: str
    summary: str  # one line for --help
    read: Callable[..., SponsorImport]  # (data: bytes, names, origin, close) -> SponsorImport
    max_bytes: int


def _read_marcxml(data: bytes, names, origin: str, close: bool) -> SponsorImport:
    from cahtracker.sponsor_docs.marcxml import read_marcxml

    return read_marcxml(data, names, origin, close)


def _read_pdf(data: bytes, names, origin: str, close: bool) -> SponsorImport:
    from cahtracker.sponsor_docs.first_page import read_pdf

    if not _is_pdf(data):
        raise CahError(f"{origin} is not a PDF (it does not begin with %PDF-); give the UN's PDF.")
    return read_pdf(data, names, origin, close)


def _read_first_page(data: bytes, names, origin: str, close: bool) -> SponsorImport:
    from cahtracker.sponsor_docs.first_page import read_first_page

    return read_first_page(_decode(data, origin), names, origin, close)


def _read_committee_report(data: bytes, names, origin: str, close: bool) -> SponsorImport:
    from cahtracker.sponsor_docs.committee_report import read_committee_report

    return read_committee_report(_decode(data, origin), names, origin, close)


def _read_text(data: bytes, names, origin: str, close: bool) -> SponsorImport:
    from cahtracker.sponsor_docs.lists import NameReader, split_kind_tail

    text = _decode(data, origin).strip()
    result = SponsorImport(format="text", origin=origin)
    list_text, kind = split_kind_tail(text)
    refs, groups = NameReader(names, result, close).states(list_text, origin)
    if kind:
        result.notes.append(DocumentNote(None, f"the list ends ': {kind}'", None))
    for group in groups:
        result.notes.append(DocumentNote(None, group, None))
    if not refs and not result.unknown:
        raise CahError(f"{origin} holds no state names; give one name a line or 'A, B and C'.")
    for ref in refs:
        result.facts.append(SponsorshipFact(None, ref.iso3, JOINED, "co", None, "unknown", None))
    return result


FORMATS: dict[str, InputFormat] = {
    f.name: f
    for f in (
        InputFormat(
            "undl-marcxml",
            SUMMARIES["undl-marcxml"],
            _read_marcxml,
            64 * MiB,
        ),
        InputFormat("pdf", SUMMARIES["pdf"], _read_pdf, 50 * MiB),
        InputFormat(
            "first-page",
            SUMMARIES["first-page"],
            _read_first_page,
            4 * MiB,
        ),
        InputFormat(
            "committee-report",
            SUMMARIES["committee-report"],
            _read_committee_report,
            16 * MiB,
        ),
        InputFormat("text", SUMMARIES["text"], _read_text, MiB),
    )
}
MAX_BYTES = max(f.max_bytes for f in FORMATS.values())


def read_sponsor_file(
    source: str | bytes | os.PathLike,
    names,
    input_format: str | None = None,
    *,
    origin: str | None = None,
    close: bool = True,
) -> SponsorImport:
    """Read one file of sponsors or votes. `source` is a path (`pathlib.Path` or any
    os.PathLike), the bytes of a file (standard input), or the text itself (a `str`).
    `origin` names it in sources and messages (default: the file's name, else 'input').
    `close` reads a name close to exactly one state's as that state, each such reading
    listed in `readings` (False: every unknown name is unknown)."""
    data, origin = _load(source, origin)
    if input_format is None or input_format == "auto":
        input_format = detect_format(data, origin)
    fmt = FORMATS.get(input_format)
    if fmt is None:
        raise CahError(
            f"Unknown input format '{input_format}'; use one of: auto, {', '.join(FORMATS)}.",
            exit_code=2,
        )
    if len(data) > fmt.max_bytes:
        raise CahError(
            f"{origin} is {len(data):,} bytes, more than a {fmt.name} file can be "
            f"({fmt.max_bytes:,} bytes); give one document. Nothing was imported."
        )
    return fmt.read(data, names, origin, close)


def detect_format(data: bytes, origin: str = "input") -> str:
    """The format of a file from its content: %PDF- is a PDF, '<' MARCXML, a report's
    phrasing ('joined in sponsoring', numbered paragraphs dated by meeting) a committee
    report, a symbol with 'LIST: draft resolution' a first page, anything else a list."""
    if _is_pdf(data):
        return "pdf"
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return "undl-marcxml"
    text = _decode(data, origin)
    from cahtracker.sponsor_docs.committee_report import looks_like_committee_report
    from cahtracker.sponsor_docs.first_page import looks_like_first_page

    if looks_like_first_page(text):
        return "first-page"
    if looks_like_committee_report(text):
        return "committee-report"
    return "text"


def _is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


def _load(source, origin: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        origin = origin or "input"
    elif isinstance(source, str):
        data = source.encode("utf-8")
        origin = origin or "input"
    elif isinstance(source, os.PathLike):
        from cahtracker.importers.reading import regular_file

        path = Path(source)
        origin = origin or path.name
        regular_file(
            path,
            "a UN Digital Library MARCXML file, a draft's PDF or first page, a committee "
            "report's text or a list of states, or - for standard input",
        )
        if path.stat().st_size > MAX_BYTES:
            raise CahError(
                f"{origin} is {path.stat().st_size // MiB} MB, larger than any document this "
                f"reads ({MAX_BYTES // MiB} MB). Nothing was imported."
            )
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CahError(f"Cannot read {path}: {error.strerror}.") from None
    else:
        raise TypeError(
            f"read_sponsor_file takes a path, bytes or text, not {type(source).__name__}"
        )
    if len(data) > MAX_BYTES:
        raise CahError(
            f"{origin} is more than {MAX_BYTES // MiB} MB, larger than any document this reads. "
            "Nothing was imported."
        )
    if not data.strip():
        raise CahError(f"{origin} is empty; give a document or a list of states.")
    return data, origin


_UTF16 = (b"\xff\xfe", b"\xfe\xff")
NUL = b"\x00"


def _decode(data: bytes, origin: str) -> str:
    """UTF-8 text (a BOM allowed, any line ends); anything else refused in one line."""
    if data.startswith(_UTF16):
        raise CahError(f"{origin} is UTF-16 text; save it as UTF-8 and try again.")
    if b"\x00" in data[:8192]:
        raise CahError(
            f"{origin} is binary (a NUL byte at offset {data.find(NUL):,}), not text, "
            "PDF or XML; give a UN document or a list of states."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CahError(
            f"{origin} is not UTF-8 text (byte {error.start}); save it as UTF-8 and try again."
        ) from None
    return re.sub(r"\r\n?", "\n", text)
