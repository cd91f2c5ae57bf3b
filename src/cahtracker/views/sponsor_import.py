"""The summary of `sponsors import` and the diff of `sponsors import --dry-run`, as Listings.

An import shows one row per document (created or not, joinings, states already sponsors,
withdrawals, their dates); a dry run one row per fact of the file against the current
sponsors (joins, already a sponsor, withdraws, unknown name). Both list every close reading
of a name (`read 'Ir eland' as Ireland`), the cross-check's disagreements, the notes and the
records without a sponsor list below the table; JSON is the whole plan, CSV one row per fact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any

from cahtracker.dates import date_cell
from cahtracker.views.listing import OPTIONAL, TEXT, Listing


def when_text(date: str | None, precision: str | None, after: str | None = None) -> str:
    """A date with its precision, as a person would say it."""
    if date is None:
        return f"after {after}" if after else "date unknown"
    if precision == "on-or-before":
        return f"on or before {date}"
    return date if precision in (None, "day") else f"{date} ({precision})"


SHOWN = 5  # names or symbols a grouped line lists before "and N more"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """ "1 joining", "2 joinings", "1 unknown name", "0 documents"."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def short_list(items: list[str], shown: int = SHOWN) -> str:
    """ "A, B and C", or "A, B, C, D, E and 7 more" (a long list in one short line)."""
    if len(items) <= shown + 1:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return ", ".join(items[:shown]) + f" and {len(items) - shown} more"


def grouped(pairs: list[tuple[str, str]]) -> list[tuple[list[str], str]]:
    """(where, text) pairs -> (every where, text) for each text, in first-seen order: a
    message that repeats for 5 documents is said once."""
    by_text: dict[str, list[str]] = {}
    for where, text in pairs:
        wheres = by_text.setdefault(text, [])
        if where not in wheres:
            wheres.append(where)
    return [(wheres, text) for text, wheres in by_text.items()]


def _where(symbols: list[str]) -> str:
    if len(symbols) == 1:
        return symbols[0]
    return f"{len(symbols)} documents: {short_list(symbols)}"


def reading_lines(plan) -> list[str]:
    """Every close reading of a name, said first and marked: each is a guess to check."""
    if not plan.close_readings:
        return []
    by_where: dict[str, list[str]] = {}
    for r in plan.close_readings:
        by_where.setdefault(r["where"], []).append(f"read '{r['text']}' as {r['name']}")
    n = len(plan.close_readings)
    return [
        f"CHECK {plural(n, 'close reading')} (no state is spelt so; each is the one state it "
        "closely spells): "
        + "; ".join(f"{', '.join(found)} ({where})" for where, found in by_where.items())
        + (
            ". If one is wrong, correct the name before importing."
            if plan.dry_run
            else ". If one is wrong: `cahtracker db undo` takes this import back; correct the "
            "name and import again."
        )
    ]


def _lines(plan) -> list[str]:
    lines = [
        f"Not merged ({_where(symbols)}): {text}."
        for symbols, text in grouped([(d["symbol"], d["text"]) for d in plan.disagreements])
    ]
    skipped = {s["symbol"] for s in plan.skipped}  # their notes repeat the reason
    notes = [
        (n["symbol"], f"{'' if n['stored'] else '(not kept) '}{n['text']}")
        for n in plan.notes
        if n["symbol"] not in skipped
    ]
    lines += [f"Note on {_where(symbols)}: {text}" for symbols, text in grouped(notes)]
    lines += [
        f"Skipped {_where(symbols)}: {text}."
        for symbols, text in grouped([(s["symbol"], s["reason"]) for s in plan.skipped])
    ]
    refined: dict[tuple, list[str]] = {}
    for c in plan.changes:
        if c.refines is not None:
            was = date_cell(c.sponsor_since, c.sponsor_since_precision, c.sponsor_since_after)
            now = date_cell(c.date, c.date_precision, c.after)
            if c.date and c.after:  # both bounds: the cell shows the upper one only
                now = f"{now} (and >{c.after})"
            refined.setdefault((c.symbol, was, now, c.source), []).append(c.name)
    if refined:
        n = sum(map(len, refined.values()))
        lines.append(
            f"Dated more precisely: {plural(n, 'joining')} (each keeps its first source; the "
            "new one is recorded beside it): "
            + "; ".join(
                f"on {symbol}, {was} → {now} by {source}: {short_list(names)}"
                for (symbol, was, now, source), names in refined.items()
            )
            + "."
        )
    if plan.votes:
        one = len(plan.votes) == 1
        lines.append(
            f"{plan.file} also gives {'a recorded vote' if one else f'{len(plan.votes)} recorded votes'}"
            f" (on {'; '.join(plan.votes)}): import {'it' if one else 'them'} with "
            f"`cahtracker vote import {plan.file}`."
        )
    return lines


def _csv_rows(plan) -> list[dict[str, Any]]:
    return [asdict(change) for change in plan.changes]


CSV_COLUMNS = (
    *("symbol", "iso3", "name", "change", "role", "date", "date_precision", "after"),
    *("listed_as", "source", "source_kind", "note", "sponsor_since", "sponsor_since_precision"),
    *("sponsor_since_after", "suggestions", "refines", "refines_source"),
)


def import_summary(plan) -> Listing:
    """What `sponsors import` recorded: a row per document, then the details."""
    from cahtracker.sponsor_import import (
        ALREADY,
        JOINS,
        RECORDED,
        REFINES,
        WITHDRAWS,
        WITHDRAWS_NON_SPONSOR,
    )

    docs = {d.symbol: d for d in plan.documents}
    by_symbol: dict[str, list] = {}
    for change in plan.changes:
        by_symbol.setdefault(change.symbol, []).append(change)
    for doc in plan.documents:
        if doc.action != "known":
            by_symbol.setdefault(doc.symbol, [])
    rows = []
    for symbol, changes in by_symbol.items():
        # one row per document and date, so that every count has one date beside it
        by_date: dict[str, list] = {}
        for c in changes:
            by_date.setdefault(date_cell(c.date, c.date_precision, c.after), []).append(c)
        if not by_date:  # a document created or filled in, with no fact of its own
            by_date[""] = []
        for when, group in by_date.items():
            kinds = Counter(c.change for c in group)
            rows.append(
                {
                    "document": symbol,
                    "new": _document_action(docs.get(symbol)),
                    "date": when,
                    "joined": kinds[JOINS],
                    "refined": kinds[REFINES],
                    "already": kinds[ALREADY],
                    "withdrew": kinds[WITHDRAWS] + kinds[WITHDRAWS_NON_SPONSOR],
                }
            )
    recorded = plan.count(*RECORDED)
    created = sum(1 for d in plan.documents if d.action == "create")
    written = {r["document"] for r in rows if r["joined"] or r["withdrew"] or r["refined"]}
    head = (
        f"Recorded {plural(recorded, 'sponsorship event')} on {len(written)} of "
        f"{plural(len(by_symbol), 'document')} ({created} created) from {plan.file} ({plan.format})."
    )
    footer = [*reading_lines(plan), head]
    if len(by_symbol) == 1:
        footer += _one_document_lines(next(iter(by_symbol)), next(iter(by_symbol.values())))
    lines = _lines(plan)
    return Listing(
        rows,
        [
            ("document", "Document"),
            ("date", "Date"),  # ≤2023-11-01: the precision is in the cell, never cut
            ("joined", "Joined"),
            ("refined", "Refined"),
            ("already", "Already"),
            ("withdrew", "Withdrew"),
            ("new", "New", OPTIONAL),
        ],
        title=f"Sponsors imported from {plan.file}",
        footer=footer + lines,
        empty="\n".join(footer + lines),
        data=plan.as_dict(),
        csv_rows=_csv_rows(plan),
        csv_columns=CSV_COLUMNS,
    )


def _document_action(doc) -> str:
    if doc is None or doc.action == "known":
        return ""
    if doc.action == "complete":
        return "filled in: " + ", ".join(k for k in doc.filled if k != "date_precision")
    return f"created (the text {doc.named_by} names)" if doc.named_by else "created"


def _one_document_lines(symbol: str, changes) -> list[str]:
    """As `sponsors add` says it: who was added (role, date) and who was already a sponsor
    (grouped by since when: one line however many)."""
    from cahtracker.sponsor_import import ALREADY, JOINS, RECORDED

    lines = []
    added = [c for c in changes if c.change == JOINS]
    if added:
        noun = "sponsor" if len(added) == 1 else "sponsors"
        by_date: dict[tuple, list] = {}
        for c in added:
            by_date.setdefault((c.role, when_text(c.date, c.date_precision, c.after)), []).append(c)
        groups = [
            f"{role}, {when}): " + ", ".join(f"{c.name} ({c.iso3})" for c in group)
            for (role, when), group in by_date.items()
        ]
        if len(groups) == 1:
            lines.append(f"Added {len(added)} {noun} of {symbol} ({groups[0]}.")
        else:
            lines.append(
                f"Added {len(added)} {noun} of {symbol}: "
                + "; ".join(
                    f"{len(g)} ({text}" for g, text in zip(by_date.values(), groups, strict=True)
                )
                + "."
            )
    already = [c for c in changes if c.change == ALREADY]
    if already:
        wrote = any(c.change in RECORDED for c in changes)
        entries = [(c.name, c.iso3, f"{c.role} since {_since(c)}") for c in already]
        lines.append(already_line(symbol, entries, wrote))
    return lines


def already_line(symbol: str, entries: list[tuple[str, str, str]], wrote: bool) -> str:
    """Who already sponsors the document: (name, iso3, since when) triples; a few are named
    one by one ("Mexico (MEX, main since 2024-07 (month))"), more are grouped by since when
    ("43 states co since on or before 2023-11-01: A, B, C, D, E and 38 more")."""
    lead = "Already" if wrote else "Nothing recorded: already"
    noun = "a sponsor" if len(entries) == 1 else "sponsors"
    if len(entries) <= SHOWN + 1:
        who = ", ".join(f"{name} ({iso3}, {when})" for name, iso3, when in entries)
        return f"{lead} {noun} of {symbol}: {who}."
    since: dict[str, list[str]] = {}
    for name, iso3, when in entries:
        since.setdefault(when, []).append(f"{name} ({iso3})")
    groups = "; ".join(
        f"{plural(len(names), 'state')} {when}: {short_list(names)}"
        for when, names in since.items()
    )
    return f"{lead} {noun} of {symbol}: {groups}."


def _since(change) -> str:
    """Since when a state already sponsors the document ('an unknown date' if not known)."""
    if change.sponsor_since is None and not change.sponsor_since_after:
        return "an unknown date"
    return when_text(
        change.sponsor_since, change.sponsor_since_precision, change.sponsor_since_after
    )


def dry_run_diff(plan) -> Listing:
    """What `sponsors import` would record, fact by fact, against the current sponsors."""
    from cahtracker.sponsor_import import (
        ALREADY,
        ALREADY_WITHDRAWN,
        JOINS,
        REFINES,
        UNKNOWN,
        WITHDRAWS,
        WITHDRAWS_NON_SPONSOR,
    )

    kinds = Counter(c.change for c in plan.changes)
    head = (
        f"Would record {plural(kinds[JOINS], 'joining')}, "
        f"{plural(kinds[WITHDRAWS] + kinds[WITHDRAWS_NON_SPONSOR], 'withdrawal')} and "
        f"{plural(kinds[REFINES], 'more precise date')}; "
        f"{plural(kinds[ALREADY], 'already a sponsor', 'already sponsors')}, "
        f"{kinds[ALREADY_WITHDRAWN]} already withdrawn, "
        f"{plural(kinds[UNKNOWN], 'unknown name')}. Nothing was written."
    )
    created = [d.symbol for d in plan.documents if d.action == "create"]
    footer = [*reading_lines(plan), head]
    if created:
        footer.append(f"Would create {plural(len(created), 'document')}: {', '.join(created)}.")
    footer += _lines(plan)
    if plan.refusal:
        footer.append(f"The import would be refused: {plan.refusal}")
    return Listing(
        [
            asdict(c)
            | {
                "when": date_cell(c.date, c.date_precision, c.after) if c.change != UNKNOWN else "",
                "detail": _since(c) if c.change in (ALREADY, REFINES) else c.suggestions or "",
            }
            for c in plan.changes
        ],
        [
            ("symbol", "Document"),
            ("change", "Change"),
            ("name", "State"),
            ("iso3", "ISO3", OPTIONAL),
            ("listed_as", "Listed as", OPTIONAL),
            ("when", "Date"),
            ("detail", "Sponsor since / did you mean", TEXT),
            ("source", "Source", TEXT),
        ],
        title=f"Dry run: importing {plan.file} ({plan.format})",
        footer=footer,
        empty="\n".join(footer),
        data=plan.as_dict(),
        csv_rows=_csv_rows(plan),
        csv_columns=CSV_COLUMNS,
    )
