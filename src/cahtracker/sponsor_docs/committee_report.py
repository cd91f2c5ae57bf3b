"""A Main Committee report's text: who sponsored each draft, and the recorded votes.

Paragraphs are numbered (`16. At its 53rd meeting, on 15 November 2023, ...`). Each
paragraph is dated by its own `At its Nth meeting, on DATE`, or by the last one stated
(`At the same meeting`, `Also at the 53rd meeting`). Read in each paragraph:

- `had before it a draft resolution entitled "TITLE" (SYMBOL), submitted by LIST.`: the
  draft (its title; its issue date is not in the report) and its original sponsors, who
  joined on or before the meeting's date;
- `Subsequently, LIST joined in sponsoring ...`: joined on or before the meeting's date;
- `At the same meeting, LIST joined in sponsoring ...` (or any other joining): that day;
- `... by a recorded vote of 80 to 29, with 65 abstentions` and the `In favour:` /
  `Against:` / `Abstaining:` lists that follow: a recorded vote, its stated totals checked
  against its lists.

Every fact is sourced to the report's symbol and paragraph (`A/78/481/Add.3, para. 16`).
The report's symbol is the running page header (a line holding only a symbol, such as
`A/78/481/Add.3`); those header lines, page numbers and job numbers are dropped from the
text, also inside lists.
"""

from __future__ import annotations

import re
from collections import Counter

from cahtracker.names import NameIndex
from cahtracker.sponsor_docs.lists import NameReader
from cahtracker.sponsor_docs.model import (
    JOINED,
    WITHDREW,
    DocumentNote,
    ParsedDocument,
    RecordedVote,
    SponsorImport,
    SponsorshipFact,
)
from cahtracker.sponsor_docs.symbols import SYMBOL, SYMBOL_LINE, SYMBOL_RE, body_of, kind_of

FORMAT = "committee-report"

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = rf"(?P<day>\d{{1,2}})\s+(?P<month>{_MONTHS})\s+(?P<year>\d{{4}})"
_MEETING = re.compile(
    rf"\bat\s+its\s+(?P<meeting>\d+(?:st|nd|rd|th)\s+meeting)\s*,\s*on\s+{_DATE}", re.IGNORECASE
)
_SAME_MEETING = re.compile(
    r"\b(?:at\s+the\s+same\s+meeting|also\s+at\s+(?:the|its)\s+(?P<meeting>\d+(?:st|nd|rd|th)\s+meeting))",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"^(?P<number>\d{1,3})\.[ \t]+", re.MULTILINE)
_NOISE_LINE = re.compile(
    r"^[ \t]*(?:\d{1,3}/\d{1,3}|\d{2}-\d{5}(?:[ \t]*\(E\).*)?|\*\d{5,}\*)[ \t]*$", re.MULTILINE
)
_SUBMITTED = re.compile(
    rf"(?P<kind>(?:revised\s+)?draft\s+(?:resolution|decision)|amendments?)\s+entitled\s+"
    rf"[“\"](?P<title>.+?)[”\"]\s*\((?P<symbol>{SYMBOL})\)\s*,?\s*submitted\s+by\s+"
    r"(?P<list>.+?)\.(?=\s+[A-Z]|\s*$)",
    re.IGNORECASE | re.DOTALL,
)
_JOINED = re.compile(
    r"(?:(?<=\.)|^)\s*(?P<lead>(?:Subsequently|(?:Also\s+)?at\s+the\s+same\s+meeting|"
    r"(?:Also\s+)?at\s+its\s+\d+(?:st|nd|rd|th)\s+meeting(?:\s*,\s*on\s+[^,]+)?)\s*,\s*)?"
    r"(?P<list>[^.;]+?)\s+joined\s+in\s+sponsoring\s+(?P<what>(?:[^.]|\.(?=\w))*)\.",
    re.IGNORECASE | re.DOTALL,
)
_WITHDREW = re.compile(
    r"(?:(?<=\.)|^)\s*(?:(?:Subsequently|(?:Also\s+)?at\s+the\s+same\s+meeting)\s*,\s*)?"
    r"(?P<list>[^.;]+?)\s+withdrew\s+(?:from\s+the\s+list\s+of\s+sponsors|as\s+(?:a\s+)?"
    r"sponsors?|(?:its|their)\s+(?:co-?)?sponsorship)(?P<what>(?:[^.]|\.(?=\w))*)\.",
    re.IGNORECASE | re.DOTALL,
)
_VOTE = re.compile(
    r"\b(?P<outcome>adopted|rejected)\s+(?P<what>(?:[^.]|\.(?=\w))*?)\s*by\s+a\s+recorded\s+vote\s+of\s+"
    r"(?P<yes>\d+)\s+to\s+(?P<no>\d+)\s*,?\s*with\s+(?P<abstain>\d+|no)\s+abstentions?",
    re.IGNORECASE | re.DOTALL,
)
_LISTS = re.compile(
    r"^[ \t]*(?P<label>In\s+favour|Against|Abstaining)\s*:[ \t]*\n?(?P<list>.*?)"
    r"(?=^[ \t]*(?:In\s+favour|Against|Abstaining)\s*:|\Z)",
    re.IGNORECASE | re.DOTALL | re.MULTILINE,
)
_HEADING = re.compile(
    rf"^[ \t]*[A-Z]\.[ \t]+(?:Draft\s+(?:resolution|decision)|Amendments?)s?\b.*?(?P<symbol>{SYMBOL})",
    re.MULTILINE,
)


def looks_like_committee_report(text: str) -> bool:
    return bool(
        re.search(r"joined\s+in\s+sponsoring|by\s+a\s+recorded\s+vote\s+of", text, re.I)
        or (_PARAGRAPH.search(text) and _MEETING.search(text))
    )


def read_committee_report(
    text: str, names: NameIndex, origin: str, close: bool = True
) -> SponsorImport:
    from cahtracker.errors import CahError

    result = SponsorImport(format=FORMAT, origin=origin)
    reader = NameReader(names, result, close)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    headers = Counter(m.group(1) for m in SYMBOL_LINE.finditer(text))
    report = headers.most_common(1)[0][0] if headers else _symbol_from_name(origin)
    text = SYMBOL_LINE.sub("", text)
    text = _NOISE_LINE.sub("", text)
    label = report or origin

    blocks = _paragraphs(text)
    if not any(number for number, _ in blocks):
        raise CahError(
            f"{origin}: no numbered paragraphs ('16. At its 53rd meeting, on ...'); give the "
            "text of a Main Committee report. Nothing was imported."
        )
    meeting: str | None = None
    date: str | None = None
    draft: str | None = None
    titles: dict[str, tuple[str, str, str]] = {}
    for number, block in blocks:
        if heading := _HEADING.search(block):
            draft = heading.group("symbol")
        if number is None:
            continue
        where = f"{label}, para. {number}"
        if found := _MEETING.search(block):
            meeting, date = found.group("meeting"), _iso(found)
        elif (same := _SAME_MEETING.search(block)) and same.group("meeting"):
            if same.group("meeting") != meeting:
                meeting, date = same.group("meeting"), None
        day = "day" if date else "unknown"
        by = "on-or-before" if date else "unknown"
        first_list = _LISTS.search(block) if _VOTE.search(block) else None
        sponsor_text = block[: first_list.start()] if first_list else block
        for submitted in _SUBMITTED.finditer(sponsor_text):
            draft = submitted.group("symbol")
            kind = kind_of(submitted.group("kind"))
            titles.setdefault(draft, (" ".join(submitted.group("title").split()), kind, where))
            refs, groups = reader.states(submitted.group("list"), where, date)
            for group in groups:
                result.notes.append(DocumentNote(draft, group, where))
            if not refs and re.match(
                r"\s*the\s+Chair|\s*the\s+Bureau", submitted.group("list"), re.I
            ):
                result.notes.append(
                    DocumentNote(draft, f"submitted by {submitted.group('list').strip()}", where)
                )
            for ref in refs:
                result.facts.append(
                    SponsorshipFact(
                        draft,
                        ref.iso3,
                        JOINED,
                        "co",
                        date,
                        by,
                        where,
                        f"original sponsor (submitted by), before the {meeting}"
                        if meeting
                        else "original sponsor (submitted by)",
                        "original",
                    )
                )
        for joined in _JOINED.finditer(sponsor_text):
            symbol = _named(joined.group("what")) or draft
            lead = (joined.group("lead") or "").strip().casefold()
            later = lead.startswith("subsequently")
            refs, _ = reader.states(joined.group("list"), where, date)
            note = (
                f"joined after the draft was submitted, by the {meeting}"
                if later and meeting
                else f"joined at the {meeting}"
                if meeting
                else "joined in sponsoring"
            )
            for ref in refs:
                result.facts.append(
                    SponsorshipFact(
                        symbol,
                        ref.iso3,
                        JOINED,
                        "co",
                        date,
                        by if later else day,
                        where,
                        note,
                        "additional",
                    )
                )
        for withdrew in _WITHDREW.finditer(sponsor_text):
            symbol = _named(withdrew.group("what")) or draft
            refs, _ = reader.states(withdrew.group("list"), where, date)
            for ref in refs:
                result.facts.append(
                    SponsorshipFact(
                        symbol, ref.iso3, WITHDREW, "co", date, day, where, "withdrew as a sponsor"
                    )
                )
        if vote := _VOTE.search(block):
            result.votes.append(_vote(vote, block, draft, date, meeting, where, reader))
    for symbol, (title, kind, where) in titles.items():
        result.documents.append(
            ParsedDocument(symbol, kind, None, "unknown", title, None, body_of(symbol), None, where)
        )
    return result


def _paragraphs(text: str) -> list[tuple[str | None, str]]:
    """(number, text) of each numbered paragraph; (None, text) for what comes before."""
    out: list[tuple[str | None, str]] = []
    starts = list(_PARAGRAPH.finditer(text))
    head = text[: starts[0].start()] if starts else text
    if head.strip():
        out.append((None, head))
    for k, match in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
        out.append((match.group("number"), text[match.end() : end]))
    return out


def _iso(match: re.Match) -> str | None:
    from datetime import date

    month = _MONTHS.split("|").index(match.group("month").capitalize()) + 1
    try:
        return date(int(match.group("year")), month, int(match.group("day"))).isoformat()
    except ValueError:
        return None


def _named(text: str) -> str | None:
    match = SYMBOL_RE.search(text or "")
    return match.group(1) if match else None


def _symbol_from_name(origin: str) -> str | None:
    """A_78_481_Add.3_paras16-21.txt -> A/78/481/Add.3 (only when the name starts so)."""
    stem = origin.rsplit("/", 1)[-1]
    match = re.match(r"^((?:A|S|E)(?:_[A-Za-z.]*\d+)+)", stem)
    if not match:
        return None
    candidate = match.group(1).replace("_", "/")
    return candidate if SYMBOL_RE.fullmatch(candidate) else None


def _vote(vote, block, draft, date, meeting, where, reader: NameReader) -> RecordedVote:
    symbol = _named(vote.group("what")) or draft or "(unknown draft)"
    stated = {
        "yes": int(vote.group("yes")),
        "no": int(vote.group("no")),
        "abstain": 0 if vote.group("abstain").casefold() == "no" else int(vote.group("abstain")),
    }
    lists: dict[str, tuple[str, ...]] = {"yes": (), "no": (), "abstain": ()}
    keys = {"in favour": "yes", "against": "no", "abstaining": "abstain"}
    seen_labels = []
    for found in _LISTS.finditer(block[vote.end() :]):
        key = keys[" ".join(found.group("label").casefold().split())]
        seen_labels.append(key)
        body = found.group("list").strip()
        if re.fullmatch(r"None\.?", body, re.IGNORECASE) or not body:
            continue
        refs, _ = reader.states(body, f"{where}, {found.group('label')}", date)
        lists[key] = tuple(ref.iso3 for ref in refs)
    labels = {"yes": "In favour", "no": "Against", "abstain": "Abstaining"}
    mismatches = [
        f"{labels[k]}: {stated[k]} stated, {len(lists[k])} listed"
        for k in ("yes", "no", "abstain")
        if stated[k] != len(lists[k]) and (k in seen_labels or stated[k])
    ]
    twice = (set(lists["yes"]) & set(lists["no"])) | (set(lists["yes"]) & set(lists["abstain"]))
    twice |= set(lists["no"]) & set(lists["abstain"])
    if twice:
        mismatches.append(f"listed in two lists: {', '.join(sorted(twice))}")
    return RecordedVote(
        symbol=symbol,
        date=date,
        body=body_of(symbol),
        meeting=meeting,
        outcome=vote.group("outcome").casefold(),
        stated_yes=stated["yes"],
        stated_no=stated["no"],
        stated_abstain=stated["abstain"],
        yes=lists["yes"],
        no=lists["no"],
        abstain=lists["abstain"],
        source=where,
        mismatches=tuple(mismatches),
    )
