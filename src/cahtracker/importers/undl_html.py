"""A UN Digital Library record page saved as HTML.

The voting data are printed as lines `Y NAME`, `N NAME`, `A NAME`, or a bare `NAME` for a
state that did not vote, under the label `Vote`, with a summary
`Yes: 160 | No: 6 | Abstentions: 15 | Non-Voting: 12 | Total voting membership: 193`.
Other labelled rows: `Resolution` (the symbol), `Vote date`, `Meeting record`, `Draft
resolution`; the record id comes from the page's own address (`digitallibrary.un.org/record/N`). The page is read with the standard library's HTMLParser (no scripts run,
no entities fetched); a page without the vote list or the summary is refused as truncated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from cahtracker.errors import CahError
from cahtracker.importers.reading import ImportedVote, to_int

_BREAKS = {
    "br",
    "p",
    "div",
    "tr",
    "td",
    "th",
    "li",
    "span",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "table",
}
_SUMMARY = re.compile(
    r"Yes:\s*([\d.]+)\s*\|\s*No:\s*([\d.]+)\s*\|\s*Abstentions:\s*([\d.]+)\s*\|\s*"
    r"Non-Voting:\s*([\d.]+)(?:\s*\|\s*Total voting membership:\s*([\d.]+))?",
    re.IGNORECASE,
)
_VOTE_LINE = re.compile(r"^(?:([YNA])\s+)?(\S.*)$")
_RECORD_ID = re.compile(r"digitallibrary\.un\.org/record/(\d+)")
_SYMBOL = re.compile(r"\bA/RES/\d+/\d+[A-Z]?\b")
LABELS = {
    "vote": "vote",
    "resolution / decision": "symbol",
    "resolution": "symbol",
    "symbol": "symbol",
    "vote date": "date",
    "meeting record": "meeting",
    "draft resolution": "draft",
    "vote summary": "summary",
}
CHOICES = {"Y": "yes", "N": "no", "A": "abstain", None: "non-voting"}


class _Lines(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current = ""
        self.skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        if tag in _BREAKS:
            self.flush()

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag in _BREAKS:
            self.flush()

    def handle_data(self, data) -> None:
        if not self.skip:
            self.current += data

    def flush(self) -> None:
        for line in self.current.splitlines():
            line = " ".join(line.split())
            if line:
                self.lines.append(line)
        self.current = ""


def page_lines(text: str) -> list[str]:
    parser = _Lines()
    parser.feed(text)
    parser.close()
    parser.flush()
    return parser.lines


MAX_PAGE_BYTES = 20 * 1024 * 1024  # a real record page is 100-300 KB


def parse_undl_html(path: Path, counter_box: list) -> Iterator[ImportedVote]:
    if Path(path).stat().st_size > MAX_PAGE_BYTES:
        raise CahError(
            f"{path} is larger than {MAX_PAGE_BYTES // 2**20} MB, too large for a UN Digital "
            "Library record page; save the page itself (File > Save Page As). Nothing was imported."
        )
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CahError(f"{path} is not UTF-8 HTML; save the record page as UTF-8.") from None
    vote = read_page(page_lines(text), path)
    record = _RECORD_ID.search(text)
    if record:
        vote.key = f"undl:{record.group(1)}"
        vote.source = f"UN Digital Library record {record.group(1)}"
    yield vote


def read_page(lines: list[str], path: Path) -> ImportedVote:
    fields: dict[str, str] = {}
    vote_start = None
    for i, line in enumerate(lines[:-1]):
        key = LABELS.get(line.strip().rstrip(":").casefold())
        if key == "vote" and vote_start is None:
            vote_start = i + 1
        elif key and key not in fields:
            fields[key] = lines[i + 1]
    ballots = []
    if vote_start is not None:
        for line in lines[vote_start:]:
            match = _VOTE_LINE.match(line)
            name = match.group(2) if match else ""
            if not match or name != name.upper() or not any(c.isalpha() for c in name):
                break
            ballots.append(("", match.group(2), CHOICES[match.group(1)]))
    summary = _SUMMARY.search("\n".join(lines))
    if not ballots or summary is None:
        missing = "vote list (lines 'Y NAME')" if not ballots else "vote summary (Yes: | No: | ...)"
        raise CahError(
            f"{path} has no {missing}; it is truncated or not a UN Digital Library record page. "
            "Nothing was imported."
        )
    if not any(choice != "non-voting" for _, _, choice in ballots):
        raise CahError(f"{path}: the vote list has no Y, N or A line; nothing was imported.")
    symbol = fields.get("symbol")
    match = _SYMBOL.search(symbol or "") or _SYMBOL.search("\n".join(lines))
    if match:
        symbol = match.group(0)
    if not symbol:
        raise CahError(f"{path}: no resolution symbol on the page; nothing was imported.")
    try:
        totals = tuple(to_int(g) for g in summary.groups())
    except ValueError as error:
        raise CahError(f"{path}: vote summary: {error}; nothing was imported.") from None
    date = fields.get("date")
    date_match = re.search(r"\d{4}-\d{2}-\d{2}", date or "")
    if date and not date_match:
        from cahtracker.dates import parse_date

        date = parse_date(date).value
    elif date_match:
        date = date_match.group(0)
    session = re.match(r"A/RES/(\d+)/", symbol)
    draft = fields.get("draft")
    return ImportedVote(
        symbol=symbol,
        date=date,
        meeting=fields.get("meeting"),
        session=int(session.group(1)) if session else None,
        totals=totals,
        source=f"UN Digital Library record page ({Path(path).name})",
        note=f"draft {draft}" if draft else None,
        ballots=ballots,
    )
