"""A draft's first page, as text or as the UN's PDF: `LIST: draft resolution`.

The page header gives the symbol (`S/2019/179`, the first symbol on the page) and the date
(the first `27 February 2019` of the header, under `Distr.: General`). The sponsors are the
paragraph that ends with the kind (`: draft resolution`, `: revised draft resolution`,
`: draft decision`, `: amendment to ...`): lines back to the blank line or header line above.
Their date is the draft's, on or before (they are printed on it).

PDF text comes from pypdf, imported only here. Measured on the two Security Council drafts
in shared/fixtures/sc-drafts (2 cores, December 2026; median of 10 first-page extractions
after import): pypdf 7.1 took 39 and 42 ms, pdfminer.six 20260107 58 and 65 ms (import
63 against 55 ms). Both gave the same sponsor lists (77 and 2 states, `Papua New` /
`Guinea` and `Côte d’Ivoire` intact); pdfminer.six split words in the body text
('p opulations', 'mismanag ement') where pypdf did not, and it needs charset-normalizer and
cryptography, while pypdf needs nothing. So pypdf.
"""

from __future__ import annotations

import re

from cahtracker.errors import CahError
from cahtracker.names import NameIndex
from cahtracker.sponsor_docs.lists import NameReader
from cahtracker.sponsor_docs.model import (
    JOINED,
    DocumentNote,
    ParsedDocument,
    SponsorImport,
    SponsorshipFact,
)
from cahtracker.sponsor_docs.symbols import (
    SYMBOL_RE,
    amended_symbol,
    body_of,
    kind_of,
    revised_symbol,
)

MAX_PDF_PAGES = 2  # the sponsors are on the first page; a list that runs over ends on the second
MAX_PAGE_CHARS = 200_000

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\s+(\d{{4}})\b")
_HEADER_LINE = re.compile(
    r"^\s*(?:United Nations|Security Council|General Assembly|Economic and Social Council"
    r"|Distr\.?:.*|Original:.*|Limited|General|\d{2}-\d{5}.*|\*\d+\*|\S*\d{4,}\S*"
    rf"|(?:\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}})"
    r"|[A-Z][a-z]+-[a-z]+ session|[A-Z][a-z]+ Committee|Agenda items?\b.*)\s*$",
    re.IGNORECASE,
)
_KIND_LINE = re.compile(  # the line that ends the sponsors: '...Tanzania: draft resolution'
    r"[ \t]*:[ \t]*(?P<kind>(?:revised[ \t]+)?draft[ \t]+(?:resolution|decision)"
    r"|amendments?\b[^:\n]*?)[ \t]*\.?[ \t]*(?=\n|$)",
    re.IGNORECASE,
)


def read_first_page(
    text: str, names: NameIndex, origin: str, close: bool = True, fmt: str = "first-page",
    described: str | None = None,
) -> SponsorImport:  # fmt: skip
    """The sponsors on a first page of text; `described` says where it came from."""
    result = SponsorImport(format=fmt, origin=origin)
    symbol = _symbol(text)
    if symbol is None:
        raise CahError(
            f"{origin}: no document symbol (such as S/2019/179 or A/C.3/78/L.41) in the page "
            "header; give the draft's first page, or a plain list with --doc."
        )
    date = _date(text)
    tail = _KIND_LINE.search(text)
    if tail is None:
        raise CahError(
            f"{origin}: no 'LIST: draft resolution' line on the first page of {symbol}; give the "
            "first page of a draft, or a plain list with --doc."
        )
    list_text = _paragraph_before(text, tail.start())
    kind_text = " ".join(tail.group("kind").split())
    described = described or f"first page, {origin}"
    source = f"{symbol} ({described})"
    result.documents.append(
        ParsedDocument(
            symbol=symbol,
            kind=kind_of(kind_text),
            date=date,
            date_precision="day" if date else "unknown",
            title=_title_after(text, tail.end()),
            url=None,
            body=body_of(symbol),
            parent_symbol=amended_symbol(kind_text) or revised_symbol(symbol),
            source=source,
        )
    )
    reader = NameReader(names, result, close)
    refs, groups = reader.states(list_text, f"{symbol}, first page", date)
    for group in groups:
        result.notes.append(DocumentNote(symbol, f"first page: {group}", source))
    for ref in refs:
        result.facts.append(
            SponsorshipFact(
                symbol,
                ref.iso3,
                JOINED,
                "co",
                date,
                "on-or-before" if date else "unknown",
                source,
                "sponsor printed on the draft's first page",
                "original",
            )
        )
    return result


def read_pdf(data: bytes, names: NameIndex, origin: str, close: bool = True) -> SponsorImport:
    """The UN's PDF of a draft: the text of its first page, read as `read_first_page`."""
    import io
    import logging

    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise CahError("Reading PDF needs pypdf: pip install pypdf.") from None
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not the user's business
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise CahError(f"{origin} is an encrypted PDF; give the UN's own PDF of the draft.")
        pages = []
        for page in reader.pages[:MAX_PDF_PAGES]:
            pages.append((page.extract_text() or "")[:MAX_PAGE_CHARS])
    except CahError:
        raise
    except Exception as error:  # a hostile PDF can break pypdf in many ways; none is ours
        raise CahError(
            f"{origin} is not a readable PDF ({type(error).__name__}); give the UN's own PDF of "
            "the draft. Nothing was imported."
        ) from None
    if not pages or not pages[0].strip():
        raise CahError(
            f"{origin} has no text on its first page (a scanned image?); paste the sponsor list "
            "as text instead. Nothing was imported."
        )
    first = pages[0]
    if not _KIND_LINE.search(first) and len(pages) > 1:
        first = first + "\n" + pages[1]  # the list runs over to the second page
    return read_first_page(
        first, names, origin, close, fmt="pdf", described=f"PDF {origin}, first page"
    )


def looks_like_first_page(text: str) -> bool:
    head = text[:3000]
    return bool(
        _symbol(head) and _KIND_LINE.search(head) and (_DATE.search(head) or "Distr" in head)
    )


def _symbol(text: str) -> str | None:
    match = SYMBOL_RE.search(text[:1500])
    return match.group(1) if match else None


def _date(text: str) -> str | None:
    from datetime import date

    distr = text.find("Distr")
    head = text[distr:] if distr >= 0 else text
    match = _DATE.search(head[:1500])
    if not match:
        return None
    month = _MONTHS.split("|").index(match.group(2).capitalize()) + 1
    try:
        return date(int(match.group(3)), month, int(match.group(1))).isoformat()
    except ValueError:
        return None


def _paragraph_before(text: str, end: int) -> str:
    """The lines before `end` back to a blank line or a header line."""
    lines = text[:end].split("\n")
    kept: list[str] = [lines.pop()]  # the line the kind tail is on
    while lines:
        line = lines[-1]
        if not line.strip() or _HEADER_LINE.match(line) or SYMBOL_RE.fullmatch(line.strip()):
            break
        kept.append(lines.pop())
    return "\n".join(reversed(kept))


def _title_after(text: str, start: int) -> str | None:
    """The title printed under the sponsors (General Assembly drafts), if any."""
    lines = []
    for line in text[start:].split("\n"):
        if not line.strip():
            if lines:
                break
            continue
        if re.match(
            r"^\s*The\s+(?:Security Council|General Assembly|[A-Z][a-z]+ Committee)\b", line
        ):
            break
        lines.append(line.strip())
        if len(lines) >= 4:
            break
    title = " ".join(lines).strip()
    return title or None
