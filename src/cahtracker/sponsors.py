"""Sponsorships as events; the current sponsors of a document are derived, never stored.

A revision (`A/C.6/79/L.2/Rev.1`, whose parent is `A/C.6/79/L.2`) keeps the sponsors of the
text it revises unless they withdraw: the events of the whole revision chain are replayed
together, and for each state the latest event not after the as-of date decides. Events
with no known date count at every date and sort before dated ones, except an event known
only to be later than a date (`after`: an additional sponsor of a draft joined after the
draft's date): it counts only at dates after that one, and sorts at it (after the events
of that day, by entry).
"""

from __future__ import annotations

import json
from typing import Any

from cahtracker.dates import today_date
from cahtracker.db.changes import register_dependents, register_describer, verb
from cahtracker.documents import document, revision_chain
from cahtracker.errors import CahError
from cahtracker.names import name_key
from cahtracker.sourcing import is_unsourced, require_source

EVENT_COLUMNS = (
    *("id", "symbol", "iso3", "action", "role", "date", "date_precision", "after"),
    *("listed_as", "source", "source_kind", "note"),
)


def sponsorship_events(store, chain: list[str], as_of: str | None = None) -> list[dict[str, Any]]:
    """Events of the chain not after `as_of`, in replay order (`in_replay_order`)."""
    marks = ", ".join("?" for _ in chain)
    events = store.query(
        f"SELECT {', '.join('e.' + c for c in EVENT_COLUMNS)}, s.name, s.regional_group "
        f"FROM sponsorship_events e JOIN states s ON s.iso3 = e.iso3 WHERE e.symbol IN ({marks})",
        list(chain),
    )
    return in_replay_order(events, as_of)


def _when(event: dict[str, Any]) -> str | None:
    """Where an event sorts: its date, else the date it is known to be later than."""
    return event["date"] if event["date"] is not None else event.get("after")


def counts_on(event: dict[str, Any], as_of: str | None) -> bool:
    """Whether an event has happened by `as_of` (None: now); dates compare as text."""
    if as_of is None:
        return True
    if event["date"] is not None:
        return event["date"] <= as_of
    return event.get("after") is None or event["after"] < as_of


def in_replay_order(events, as_of: str | None = None) -> list[dict[str, Any]]:
    """The events that count on `as_of`: undated first, then by date, then by entry (id)."""
    kept = [e for e in events if counts_on(e, as_of)]
    kept.sort(key=lambda e: (_when(e) is not None, _when(e) or "", e["id"]))
    return kept


def replay(events) -> dict[str, dict[str, Any]]:
    """iso3 -> the latest of the events (already in replay order)."""
    latest: dict[str, dict[str, Any]] = {}
    for event in events:
        latest[event["iso3"]] = event
    return latest


def sponsor_row(event: dict[str, Any], symbol: str) -> dict[str, Any]:
    """A current sponsor, as `current_sponsors` gives it, from the joining that decides."""
    return {
        "iso3": event["iso3"],
        "name": event["name"],
        "regional_group": event["regional_group"],
        "role": event["role"] or "co",
        "joined_on": event["date"],
        "date_precision": event["date_precision"],
        "joined_after": event.get("after"),
        "listed_as": event.get("listed_as"),
        "source": event["source"],
        "source_kind": event.get("source_kind"),
        "unsourced": is_unsourced(event["source"]),
        "inherited_from": None if event["symbol"] == symbol else event["symbol"],
    }


def current_sponsors(store, symbol: str, as_of: str | None = None) -> list[dict[str, Any]]:
    """The sponsors of `symbol` on `as_of` (None: now), main sponsors first, then by name.

    Each row: iso3, name, regional_group, role, joined_on, date_precision, joined_after
    (a date it is known to be later than, when joined_on is not known), listed_as
    (original or additional, as the document says), source, source_kind, inherited_from
    (the revised text's symbol, or None for the document's own events).
    """
    chain = revision_chain(store, symbol)
    return _sponsor_rows(replay(sponsorship_events(store, chain, as_of)), symbol)


def _sponsor_rows(latest: dict[str, dict[str, Any]], symbol: str) -> list[dict[str, Any]]:
    """The rows of the states whose deciding event is a joining, main sponsors first."""
    rows = [sponsor_row(e, symbol) for e in latest.values() if e["action"] == "joined"]
    rows.sort(key=lambda r: (r["role"] != "main", name_key(r["name"])))
    return rows


# --- what the `sponsors` commands call ------------------------------------------------

ROLES = ("main", "co")


def list_sponsors(
    store, symbol: str, as_of: str | None = None, group: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`current_sponsors`, optionally of one regional group (already resolved), and the
    notes to show under them: the disputed states (`_disputes`), then the notes kept on the
    document. The events are read once for both: (rows, notes)."""
    from cahtracker.documents import document_notes
    from cahtracker.states import OBSERVERS

    events = sponsorship_events(store, revision_chain(store, symbol), as_of)
    latest = replay(events)

    def in_group(row: dict[str, Any]) -> bool:
        if group == OBSERVERS:
            return row["regional_group"] is None
        return group is None or row["regional_group"] == group

    rows = [r for r in _sponsor_rows(latest, symbol) if in_group(r)]
    disputes = [d for d in _disputes(events, latest) if in_group(d)]
    return rows, [*disputes, *document_notes(store, symbol)]


def _disputes(
    events: list[dict[str, Any]], latest: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The states whose deciding event (`latest`, the replay of `events`) disagrees with
    another of the same document and day (action or role: two sources, or two merged
    copies, kept side by side): which one the list follows depends only on entry order, so
    it is named. Each: {iso3, name, regional_group, text, source} (a note, as
    `document_notes` gives one)."""
    from collections import defaultdict

    by_day = defaultdict(list)  # (state, document, day) -> its events, in one pass
    for e in events:
        by_day[e["iso3"], e["symbol"], e["date"]].append(e)
    out = []
    for iso3, last in latest.items():
        if last["date"] is None:
            continue
        decided = (last["action"], last["role"] or "co")
        rivals = [
            e
            for e in by_day[iso3, last["symbol"], last["date"]]
            if (e["action"], e["role"] or "co") != decided
        ]
        if not rivals:
            continue
        versions = [last, *rivals]
        said = " or ".join(
            f"{e['action']}{' as ' + (e['role'] or 'co') if e['action'] == 'joined' else ''}"
            f"{' (shown)' if e is last else ''}"
            for e in versions
        )
        out.append(
            {
                "iso3": iso3,
                "name": last["name"],
                "regional_group": last["regional_group"],
                "text": f"disputed: {last['name']} on {last['date']}, {said}",
                "source": "; ".join(e["source"] or "no source" for e in versions),
            }
        )
    return sorted(out, key=lambda d: name_key(d["name"]))


def insert_logged(store, table: str, values: dict[str, Any]) -> dict[str, Any]:
    """Insert one row (column names are ours, never user input), with a global id
    (db/ids.py), and log it as a change."""
    from cahtracker.db.ids import stamp

    values = stamp(store, values)
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = store.conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values())
    )
    row = store.one(f"SELECT * FROM {table} WHERE rowid = ?", (cursor.lastrowid,))
    store.log_change(table, row["id"], None, row)
    return row


def _unique(refs) -> list:
    seen: list = []
    for ref in refs:
        if ref not in seen:
            seen.append(ref)
    return seen


def add_sponsors(
    store,
    symbol: str,
    refs,
    role: str = "co",
    when=None,
    source: str | None = None,
    command: str = "sponsors add",
    *,
    unsourced: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """Record that `refs` joined `symbol` on `when` (default today), with its `source` (or
    knowingly none: `unsourced`; neither is refused).

    A state that already sponsors the document on that date is left alone (a no-op,
    reported under `already`). Returns {"added": [event rows], "already": [sponsor rows]}.
    """
    source = require_source(source, unsourced, command)
    if role not in ROLES:
        raise CahError(f"Unknown role '{role}'; use main or co.")
    when = when or today_date()
    refs = _unique(refs)
    added: list[dict[str, Any]] = []
    # decided inside the transaction: a concurrent writer waits instead of racing the check
    with store.write(command):
        symbol = document(store, symbol)["symbol"]  # the document as it is inside the write
        current = {r["iso3"]: r for r in current_sponsors(store, symbol, when.value)}
        already = [current[r.iso3] for r in refs if r.iso3 in current]
        for ref in refs:
            if ref.iso3 in current:
                continue
            added.append(
                insert_logged(
                    store,
                    "sponsorship_events",
                    {
                        "symbol": symbol,
                        "iso3": ref.iso3,
                        "action": "joined",
                        "role": role,
                        "date": when.value,
                        "date_precision": when.precision,
                        "source": source,
                    },
                )
            )
    return {"added": added, "already": already}


def withdraw_sponsors(
    store, symbol: str, refs, when=None, source: str | None = None, *, unsourced: bool = False
) -> list[dict[str, Any]]:
    """Record that `refs` withdrew from `symbol` on `when` (default today), with its source.

    Every state must be a sponsor on that date (inherited sponsorships count), else the
    whole command is refused before anything is written.
    """
    source = require_source(source, unsourced, "sponsors withdraw")
    when = when or today_date()
    refs = _unique(refs)
    events: list[dict[str, Any]] = []
    with store.write("sponsors withdraw"):  # a refusal rolls back: nothing is written
        symbol = document(store, symbol)["symbol"]  # the document as it is inside the write
        current = {r["iso3"]: r for r in current_sponsors(store, symbol, when.value)}
        missing = [r for r in refs if r.iso3 not in current]
        if missing:
            who = ", ".join(r.label() for r in missing)
            verb = "is not a sponsor" if len(missing) == 1 else "are not sponsors"
            raise CahError(
                f"Cannot withdraw: {who} {verb} of {symbol} on {when.value}; "
                f"see `cahtracker sponsors list --doc {symbol} --as-of {when.value}`. Nothing was recorded."
            )
        for ref in refs:
            events.append(
                insert_logged(
                    store,
                    "sponsorship_events",
                    {
                        "symbol": symbol,
                        "iso3": ref.iso3,
                        "action": "withdrew",
                        "role": current[ref.iso3]["role"],
                        "date": when.value,
                        "date_precision": when.precision,
                        "source": source,
                    },
                )
            )
    return events


def sponsor_list_label(symbol: str, as_of: str | None) -> str:
    return f"{symbol} as of {as_of}" if as_of else symbol


def compare_sponsors(
    store,
    first: str,
    second: str | None = None,
    first_as_of: str | None = None,
    second_as_of: str | None = None,
    everyone: bool = False,
) -> dict[str, Any]:
    """The sponsors of two documents, or of one document (`second` None) at two dates.

    Rows (only the differences unless `everyone`): iso3, name, regional_group, change
    (`added`: a sponsor of the second list only; `removed`: of the first only; `kept`),
    and each list's joining date, precision and role. Removed first, then added, then kept;
    by name within each."""
    from cahtracker.documents import resolve_symbol

    first = resolve_symbol(store, first)
    second = resolve_symbol(store, second) if second else first
    lists = {
        "first": {r["iso3"]: r for r in current_sponsors(store, first, first_as_of)},
        "second": {r["iso3"]: r for r in current_sponsors(store, second, second_as_of)},
    }
    order = {"removed": 0, "added": 1, "kept": 2}
    rows = []
    for iso3 in {*lists["first"], *lists["second"]}:
        a, b = lists["first"].get(iso3), lists["second"].get(iso3)
        change = "kept" if a and b else ("removed" if a else "added")
        if change == "kept" and not everyone:
            continue
        state = a or b
        rows.append(
            {
                "iso3": iso3,
                "name": state["name"],
                "regional_group": state["regional_group"],
                "change": change,
                **{
                    f"{side}_{key}": (row or {}).get(field)
                    for side, row in (("first", a), ("second", b))
                    for key, field in (
                        ("joined", "joined_on"),
                        ("after", "joined_after"),
                        ("precision", "date_precision"),
                        ("role", "role"),
                    )
                },
            }
        )
    rows.sort(key=lambda r: (order[r["change"]], name_key(r["name"])))
    kept = len(lists["first"].keys() & lists["second"].keys())
    return {
        "first": {"document": first, "as_of": first_as_of, "sponsors": len(lists["first"])},
        "second": {"document": second, "as_of": second_as_of, "sponsors": len(lists["second"])},
        "added": len(lists["second"].keys() - lists["first"].keys()),
        "removed": len(lists["first"].keys() - lists["second"].keys()),
        "kept": kept,
        "rows": rows,
    }


def _later_withdrawals(store, event: dict[str, Any]) -> list[dict[str, Any]]:
    """The later withdrawals that end a joining: on its document or a revision of it."""
    if event.get("action") != "joined":
        return []
    later = store.query(
        "SELECT id, symbol FROM sponsorship_events WHERE iso3 = ? AND action = 'withdrew' AND id > ?",
        (event["iso3"], event["id"]),
    )
    return [w for w in later if event["symbol"] in revision_chain(store, w["symbol"])]


def dependent_events(store, event: dict[str, Any]) -> list[str]:
    """Later withdrawals that end this joining (for `db undo`): on its document or a revision of it."""
    ids = [w["id"] for w in _later_withdrawals(store, event)]
    if not ids:
        return []
    return [
        f"the later withdrawal{'s' if len(ids) > 1 else ''} (event {', '.join(map(str, ids))}) of {event['iso3']} depend{'' if len(ids) > 1 else 's'} on it"
    ]


register_dependents("sponsorship_events", dependent_events)


def remove_sponsors(store, symbol: str, refs) -> list[dict[str, Any]]:
    """Delete every sponsorship event of `refs` on `symbol` itself: a recorded mistake (a
    withdrawal is history, `withdraw_sponsors`). Each row deleted is logged, so `db undo`
    puts it back. Refused whole, before anything is deleted, when a state has no event on
    the document (an inherited sponsorship is removed on the text it revises) or when a
    later withdrawal on a revision ends a joining it would delete. Returns the rows deleted.
    """
    refs = _unique(refs)
    removed: list[dict[str, Any]] = []
    with store.write("sponsors remove"):
        symbol = document(store, symbol)["symbol"]  # the document as it is inside the write
        found = {
            ref.iso3: store.query(
                "SELECT * FROM sponsorship_events WHERE symbol = ? AND iso3 = ? ORDER BY id",
                (symbol, ref.iso3),
            )
            for ref in refs
        }
        missing = [ref for ref in refs if not found[ref.iso3]]
        if missing:
            raise CahError(_nothing_to_remove(store, symbol, missing))
        ids = {row["id"] for rows in found.values() for row in rows}
        for ref in refs:
            for row in found[ref.iso3]:
                later = [w for w in _later_withdrawals(store, row) if w["id"] not in ids]
                if later:
                    where = ", ".join(f"{w['symbol']} (event {w['id']})" for w in later)
                    raise CahError(
                        f"Cannot remove {ref.label()} from {symbol}: its withdrawal on {where} "
                        f"ends this joining; remove it there first (`cahtracker sponsors remove "
                        f"{ref.iso3} --doc {later[0]['symbol']}`). Nothing was removed."
                    )
        for ref in refs:
            for row in found[ref.iso3]:
                store.conn.execute("DELETE FROM sponsorship_events WHERE id = ?", (row["id"],))
                store.log_change("sponsorship_events", row["id"], row, None)
                removed.append(row)
    return removed


def _nothing_to_remove(store, symbol: str, missing) -> str:
    who = ", ".join(ref.label() for ref in missing)
    chain = revision_chain(store, symbol)[1:]
    elsewhere = []
    if chain:
        marks = ", ".join("?" for _ in chain)
        elsewhere = [
            r["symbol"]
            for r in store.query(
                f"SELECT DISTINCT symbol FROM sponsorship_events WHERE symbol IN ({marks}) "
                "AND iso3 IN (SELECT value FROM json_each(?)) ORDER BY symbol",
                (*chain, json.dumps([ref.iso3 for ref in missing])),
            )
        ]
    hint = (
        f" (what it inherits is recorded on {', '.join(elsewhere)}: pass --doc {elsewhere[0]})"
        if elsewhere
        else ""
    )
    verb = "has" if len(missing) == 1 else "have"
    return (
        f"Cannot remove: {who} {verb} no sponsorship event on {symbol}{hint}; see "
        f"`cahtracker sponsors history --doc {symbol}`. Nothing was removed."
    )


def sponsor_history(store, symbol: str, iso3: str | None = None) -> list[dict[str, Any]]:
    """Every event of the revision chain (optionally of one state), in replay order."""
    events = sponsorship_events(store, revision_chain(store, symbol))
    rows = [
        {
            "id": e["id"],
            "symbol": e["symbol"],
            "iso3": e["iso3"],
            "name": e["name"],
            "regional_group": e["regional_group"],
            "action": e["action"],
            "role": e["role"],
            "date": e["date"],
            "date_precision": e["date_precision"] if e["date"] else "unknown",
            "after": e["after"],
            "listed_as": e["listed_as"],
            "source": e["source"],
            "source_kind": e["source_kind"],
            "unsourced": is_unsourced(e["source"]),
            "note": e["note"],
        }
        for e in events
        if iso3 is None or e["iso3"] == iso3
    ]
    return rows


def count_claims(store, chain: list[str], as_of: str | None = None) -> list[dict[str, Any]]:
    """Reported counts of the chain not after `as_of`: undated first, then by date, then entry.

    An undated claim (such as "63 at first circulation") counts at every date, as an
    undated event does, but a dated claim is always later than it: it is never the latest
    while a dated claim exists.
    """
    marks = ", ".join("?" for _ in chain)
    params: list[Any] = list(chain)
    where = f"symbol IN ({marks})"
    if as_of is not None:
        where += " AND (date IS NULL OR date <= ?)"
        params.append(as_of)
    return store.query(
        "SELECT count, date, CASE WHEN date IS NULL THEN 'unknown' ELSE date_precision END "
        "AS date_precision, source, source_kind, symbol, note FROM count_claims "
        f"WHERE {where} ORDER BY date IS NOT NULL, date, id",
        params,
    )


def count_summary(store, symbol: str, as_of: str | None = None) -> dict[str, Any]:
    """Recorded sponsors (by group) next to every reported count of the revision chain."""
    from cahtracker.states import GROUPS, group_counts

    recorded = current_sponsors(store, symbol, as_of)
    claims = count_claims(store, revision_chain(store, symbol), as_of)
    latest = claims[-1] if claims else None
    by_group = {g: 0 for g in GROUPS} | group_counts(recorded)
    return {
        "document": symbol,
        "as_of": as_of,
        "recorded": len(recorded),
        "by_group": by_group,
        "claims": claims,
        "latest_claim": latest,
        "gap": None if latest is None else latest["count"] - len(recorded),
    }


def gap_line(summary: dict[str, Any]) -> str:
    """ "3 recorded of 99 reported on 2024-11-23 (source)", or what there is instead."""
    latest = summary["latest_claim"]
    recorded = summary["recorded"]
    if latest is None:
        return f"{recorded} recorded; no reported count for {summary['document']}."
    from cahtracker.dates import date_phrase

    on = date_phrase(latest["date"], latest["date_precision"])  # "on or before 2024-11-27"
    return f"{recorded} recorded of {latest['count']} reported {on} ({latest['source']})"


def add_claim(
    store,
    symbol: str,
    count: int,
    when,
    source: str,
    note: str | None = None,
    *,
    force_count: bool = False,
) -> dict[str, Any]:
    """Record a reported sponsor count; claims that disagree are kept side by side.

    A count above the member states on its date (admitted by the end of its period) is
    refused unless `force_count`: sponsors of a draft are members, so it is most likely a
    typing error; a source that really says so is recorded with the flag.
    """
    from cahtracker.dates import period_end
    from cahtracker.safe_text import sqlite_int

    sqlite_int(count, "A sponsor count")
    if count < 0:
        raise CahError(f"A sponsor count cannot be negative ({count}); give 0 or more.")
    if is_unsourced(source):
        raise CahError(
            "--source is blank (empty, spaces or invisible characters only); a count claim needs "
            "its source: give the document, URL or publication that reported it."
        )
    with store.write("sponsors claim"):
        symbol = document(store, symbol)["symbol"]  # the document as it is inside the write
        members = store.scalar(
            "SELECT count(*) FROM states WHERE status = 'member' "
            "AND coalesce(admitted_on, '') <= ?",
            (period_end(when.value),),
        )
        if count > members and not force_count:
            raise CahError(
                f"A count of {count:,} sponsors is more than the {members} member states on "
                f"{when.value}; check the figure, or pass --force-count to record it as the "
                "source gives it."
            )
        return insert_logged(
            store,
            "count_claims",
            {
                "symbol": symbol,
                "count": count,
                "date": when.value,
                "date_precision": when.precision,
                "source": source.strip(),
                "note": note,
            },
        )


def _describe_event(context, change: dict[str, Any]) -> str:
    """ "added Chile as co-sponsor of A/C.6/79/L.2/Rev.1 on 2024-11-20", and the like."""
    from cahtracker.dates import date_phrase
    from cahtracker.states import state_name

    row = change["after"] or change["before"]
    who = state_name(context, row["iso3"])
    role = "main sponsor" if row["role"] == "main" else "co-sponsor"
    when = date_phrase(row["date"], row["date_precision"])
    symbol = row["symbol"]
    action = change["action"]
    if row["action"] == "withdrew":
        if action == "insert":
            return f"recorded the withdrawal of {who} as {role} of {symbol} {when}"
        if action == "delete":
            return f"removed the record of {who} withdrawing from {symbol} {when}"
    elif action == "insert":
        return f"added {who} as {role} of {symbol} {when}"
    elif action == "delete":
        return f"removed the record of {who} joining {symbol} as {role} {when}"
    before, after = change["before"], change["after"]
    if action == "update" and before and after and row["action"] == "joined":
        from cahtracker.dates import date_cell

        was = date_cell(before["date"], before["date_precision"], before.get("after"))
        now = date_cell(after["date"], after["date_precision"], after.get("after"))
        if was != now or before.get("after") != after.get("after"):
            return f"dated the joining of {who} to {symbol} more precisely: {now} (was {was})"
    return f"changed sponsorship event {row['id']} ({who}, {symbol})"


def _describe_claim(context, change: dict[str, Any]) -> str:
    from cahtracker.dates import date_phrase

    row = change["after"] or change["before"]
    what = (
        f"a reported count of {row['count']} sponsors of {row['symbol']} "
        f"{date_phrase(row['date'], row['date_precision'])} ({row['source']})"
    )
    return f"{verb(change, 'recorded')} {what}"


def _summarize_events(context, changes: list[dict[str, Any]]) -> str | None:
    """ "added 40 co-sponsors of A/C.6/79/L.2/Rev.1 on 2024-11-22: Chile, Peru, ..." when
    a batch's events have one document, action, role and date."""
    from cahtracker.dates import date_phrase
    from cahtracker.states import state_name

    rows = [c["after"] or c["before"] for c in changes]
    common = {(r["symbol"], r["action"], r["role"], r["date"], r["date_precision"]) for r in rows}
    if len(common) != 1 or changes[0]["action"] == "update":
        return None
    symbol, action, role, date, precision = common.pop()
    names = ", ".join(state_name(context, r["iso3"]) for r in rows)
    n = len(rows)
    who = f"{n} {'main sponsor' if role == 'main' else 'co-sponsor'}{'s' if n != 1 else ''}"
    when = date_phrase(date, precision)
    if changes[0]["action"] == "delete":
        what = "joining" if action == "joined" else "withdrawal"
        return f"removed the records of {n} {what}s of {symbol} {when}: {names}"
    if action == "withdrew":
        return f"recorded the withdrawal of {who} from {symbol} {when}: {names}"
    return f"added {who} of {symbol} {when}: {names}"


register_describer(
    "sponsorship_events",
    _describe_event,
    ("sponsorship event", "sponsorship events"),
    _summarize_events,
)
register_describer("count_claims", _describe_claim, ("reported count", "reported counts"))
