"""The process timeline: past and coming events, each with its date precision and source.

A date with less than day precision stands for a period: `2028` runs from 2028-01-01 to
2028-12-31, `2026-03` from 2026-03-01 to 2026-03-31. Events sort by the start of that
period; the "next" event is the first whose start is after today (`dates.today()`, which
honours `CAHTRACKER_TODAY`); `list_events` also takes the day directly (`on`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cahtracker.dates import period_end, period_start, today
from cahtracker.db.changes import register_describer, verb
from cahtracker.errors import CahError
from cahtracker.sourcing import is_unsourced, require_source

EVENT_KEYS = (
    "id",
    "starts_on",
    "ends_on",
    "date_precision",
    "title",
    "body",
    "place",
    "source",
    "source_kind",
    "note",
)


def _status(event: dict[str, Any], today: str) -> str:
    start = event["starts_on"]
    if start is None:
        return "undated"
    if period_start(start) > today:
        return "coming"
    end = event["ends_on"] or start
    if period_end(end) < today:
        return "past"
    # "2028" with no end: today falls in the year, but the event may be before or after it
    return "ongoing" if event["ends_on"] or len(start) == 10 else "in-period"


def list_events(
    store,
    date_from: str | None = None,
    date_to: str | None = None,
    on: date | None = None,
) -> list[dict[str, Any]]:
    """Events overlapping [from, to], by start; keys EVENT_KEYS plus `status` and `next`.

    `unsourced` is true for an event without a source; `status` is past, ongoing, coming, undated, or in-period (today falls within an
    imprecise date such as `2028` given with no end, so it may be before or after); `next` marks the first event (of all,
    not only of those shown) whose start is after today.
    """
    today_text = (on or today()).isoformat()
    events = store.query(f"SELECT {', '.join(EVENT_KEYS)} FROM events ORDER BY id")
    events.sort(key=lambda e: (e["starts_on"] is None, period_start(e["starts_on"] or ""), e["id"]))
    next_id = next(
        (
            e["id"]
            for e in events
            if e["starts_on"] is not None and period_start(e["starts_on"]) > today_text
        ),
        None,
    )
    rows = []
    for event in events:
        start, end = event["starts_on"], event["ends_on"] or event["starts_on"]
        if date_from is not None and (start is None or period_end(end) < period_start(date_from)):
            continue
        if date_to is not None and (start is None or period_start(start) > period_end(date_to)):
            continue
        rows.append(
            {
                **event,
                "unsourced": is_unsourced(event["source"]),
                "status": _status(event, today_text),
                "next": event["id"] == next_id,
            }
        )
    return rows


def add_event(
    store,
    starts_on: str,
    date_precision: str,
    title: str,
    ends_on: str | None = None,
    place: str | None = None,
    body: str | None = None,
    source: str | None = None,
    note: str | None = None,
    *,
    unsourced: bool = False,
) -> dict[str, Any]:
    """Add an event (dates already parsed) with its source (or knowingly none:
    `unsourced`); an end before the start is refused."""
    source = require_source(source, unsourced, "timeline add")
    if not title.strip():
        raise CahError("Empty event title; give a few words such as 'Preparatory committee'.")
    if ends_on is not None and period_end(ends_on) < period_start(starts_on):
        raise CahError(
            f"The end {ends_on} is before the start {starts_on}; give an --end on or after the start."
        )
    row = {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "date_precision": date_precision,
        "title": title,
        "body": body,
        "place": place,
        "source": source,
        "note": note,
    }
    from cahtracker.db.ids import stamp

    with store.write("timeline add"):
        row = stamp(store, row)
        cursor = store.conn.execute(
            "INSERT INTO events (starts_on, ends_on, date_precision, title, body, place, source, "
            "note, gid, origin) VALUES (:starts_on, :ends_on, :date_precision, :title, :body, "
            ":place, :source, :note, :gid, :origin)",
            row,
        )
        row = {"id": cursor.lastrowid, **row}
        store.log_change("events", cursor.lastrowid, None, row)
    return row


def _describe_event(context, change: dict[str, Any]) -> str:
    """ "added timeline event 7: Intersessional meeting, in 2027"."""
    from cahtracker.dates import date_phrase

    row = change["after"] or change["before"]
    until = f" to {row['ends_on']}" if row.get("ends_on") else ""
    return (
        f"{verb(change)} timeline event {row['id']}: {row['title']}, "
        f"{date_phrase(row['starts_on'], row['date_precision'])}{until}"
    )


register_describer("events", _describe_event, ("timeline event", "timeline events"))
