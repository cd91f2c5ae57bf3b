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

from cahtracker.views.listing import OPTIONAL, TEXT, Listing


def when_text(date: str | None, precision: str | None, after: str | None = None) -> str:
    """A date with its precision, as a person would say it."""
    if date is None:
        return f"after {after}" if after else "date unknown"
    if precision == "on-or-before":
        return f"on or before {date}"
    return date if precision in (None, "day") else f"{date} ({precision})"


def _lines(plan) -> list[str]:
    lines = list(plan.readings)  # "read 'Ir eland' as Ireland (A/C.3/78/L.x, 245 $c)"
    lines += [f"Not merged ({d['symbol']}): {d['text']}." for d in plan.disagreements]
    skipped = {s["symbol"] for s in plan.skipped}  # their notes repeat the reason
    lines += [
        f"Note on {n['symbol']}{'' if n['stored'] else ' (not kept)'}: {n['text']}"
        for n in plan.notes
        if n["symbol"] not in skipped
    ]
    lines += [f"Skipped {s['symbol']}: {s['reason']}." for s in plan.skipped]
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
    *("sponsor_since_after", "suggestions"),
)


def import_summary(plan) -> Listing:
    """What `sponsors import` recorded: a row per document, then the details."""
    from cahtracker.sponsor_import import (
        ALREADY,
        JOINS,
        RECORDED,
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
        doc = docs.get(symbol)
        kinds = Counter(c.change for c in changes)
        dates = Counter(
            when_text(c.date, c.date_precision, c.after) for c in changes if c.change == JOINS
        )
        rows.append(
            {
                "document": symbol,
                "new": _document_action(doc),
                "joined": kinds[JOINS],
                "already": kinds[ALREADY],
                "withdrew": kinds[WITHDRAWS] + kinds[WITHDRAWS_NON_SPONSOR],
                "dates": "; ".join(f"{n} {when}" for when, n in dates.items()),
            }
        )
    recorded = plan.count(*RECORDED)
    created = sum(1 for d in plan.documents if d.action == "create")
    head = (
        f"Recorded {recorded} sponsorship {'event' if recorded == 1 else 'events'} on "
        f"{sum(1 for r in rows if r['joined'] or r['withdrew'])} of {len(rows)} documents"
        f" ({created} created) from {plan.file} ({plan.format})."
    )
    footer = [head]
    if len(by_symbol) == 1:
        footer += _one_document_lines(next(iter(by_symbol)), next(iter(by_symbol.values())))
    return Listing(
        rows,
        [
            ("document", "Document"),
            ("new", "New"),
            ("joined", "Joined"),
            ("already", "Already sponsors"),
            ("withdrew", "Withdrew"),
            ("dates", "Dates of the joinings", TEXT),
        ],
        title=f"Sponsors imported from {plan.file}",
        footer=footer + _lines(plan),
        empty="\n".join(footer + _lines(plan)),
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
    """As `sponsors add` says it: who was added (role, date) and who was already a sponsor."""
    from cahtracker.sponsor_import import ALREADY, JOINS

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
        who = ", ".join(f"{c.name} ({c.iso3}, {c.role} since {_since(c)})" for c in already)
        lead = "Nothing recorded: already" if not added else "Already"
        lines.append(
            f"{lead} {'a sponsor' if len(already) == 1 else 'sponsors'} of {symbol}: {who}."
        )
    return lines


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
        UNKNOWN,
        WITHDRAWS,
        WITHDRAWS_NON_SPONSOR,
    )

    kinds = Counter(c.change for c in plan.changes)
    head = (
        f"Would record {kinds[JOINS]} joinings and "
        f"{kinds[WITHDRAWS] + kinds[WITHDRAWS_NON_SPONSOR]} withdrawals; "
        f"{kinds[ALREADY]} already sponsors, {kinds[ALREADY_WITHDRAWN]} already withdrawn, "
        f"{kinds[UNKNOWN]} unknown names. Nothing was written."
    )
    created = [d.symbol for d in plan.documents if d.action == "create"]
    footer = [head]
    if created:
        footer.append(f"Would create {len(created)} documents: {', '.join(created)}.")
    footer += _lines(plan)
    if plan.refusal:
        footer.append(f"The import would be refused: {plan.refusal}")
    return Listing(
        [
            asdict(c)
            | {
                "when": when_text(c.date, c.date_precision, c.after) if c.change != UNKNOWN else "",
                "detail": _since(c) if c.change == ALREADY else c.suggestions or "",
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
