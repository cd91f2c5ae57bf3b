"""Sponsorships as events; the current sponsors of a document are derived, never stored.

A revision (`A/C.6/79/L.2/Rev.1`, whose parent is `A/C.6/79/L.2`) keeps the sponsors of the
text it revises unless they withdraw: the events of the whole revision chain are replayed
together, and for each state the latest event not after the as-of date decides. Events
with no known date count at every date and sort before dated ones.
"""

from __future__ import annotations

import json
from typing import Any

from cahtracker.dates import today_date
from cahtracker.db.changes import register_dependents, register_describer, verb
from cahtracker.documents import revision_chain
from cahtracker.errors import CahError
from cahtracker.sourcing import is_unsourced, require_source


def sponsorship_events(store, chain: list[str], as_of: str | None = None) -> list[dict[str, Any]]:
    """Events of the chain not after `as_of`, in replay order (undated first, then by date, then entry)."""
    marks = ", ".join("?" for _ in chain)
    params: list[Any] = list(chain)
    where = f"e.symbol IN ({marks})"
    if as_of is not None:
        where += " AND (e.date IS NULL OR e.date <= ?)"
        params.append(as_of)
    return store.query(
        "SELECT e.id, e.symbol, e.iso3, s.name, s.regional_group, e.action, e.role, e.date, "
        "e.date_precision, e.source, e.note FROM sponsorship_events e JOIN states s ON s.iso3 = e.iso3 "
        f"WHERE {where} ORDER BY e.date IS NOT NULL, e.date, e.id",
        params,
    )


def current_sponsors(store, symbol: str, as_of: str | None = None) -> list[dict[str, Any]]:
    """The sponsors of `symbol` on `as_of` (None: now), main sponsors first, then by name.

    Each row: iso3, name, regional_group, role, joined_on, date_precision, source,
    inherited_from (the revised text's symbol, or None for the document's own events).
    """
    chain = revision_chain(store, symbol)
    latest: dict[str, dict[str, Any]] = {}
    for event in sponsorship_events(store, chain, as_of):
        latest[event["iso3"]] = event
    rows = [
        {
            "iso3": e["iso3"],
            "name": e["name"],
            "regional_group": e["regional_group"],
            "role": e["role"] or "co",
            "joined_on": e["date"],
            "date_precision": e["date_precision"],
            "source": e["source"],
            "unsourced": is_unsourced(e["source"]),
            "inherited_from": None if e["symbol"] == symbol else e["symbol"],
        }
        for e in latest.values()
        if e["action"] == "joined"
    ]
    rows.sort(key=lambda r: (r["role"] != "main", r["name"]))
    return rows


# --- what the `sponsors` commands call ------------------------------------------------

ROLES = ("main", "co")


def list_sponsors(
    store, symbol: str, as_of: str | None = None, group: str | None = None
) -> list[dict[str, Any]]:
    """`current_sponsors`, optionally of one regional group (already resolved)."""
    from cahtracker.states import OBSERVERS

    rows = current_sponsors(store, symbol, as_of)
    if group is None:
        return rows
    if group == OBSERVERS:
        return [r for r in rows if r["regional_group"] is None]
    return [r for r in rows if r["regional_group"] == group]


def _insert_logged(store, table: str, values: dict[str, Any]) -> dict[str, Any]:
    """Insert one row (column names are ours, never user input) and log it as a change."""
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
        current = {r["iso3"]: r for r in current_sponsors(store, symbol, when.value)}
        already = [current[r.iso3] for r in refs if r.iso3 in current]
        for ref in refs:
            if ref.iso3 in current:
                continue
            added.append(
                _insert_logged(
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
                _insert_logged(
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
            "source": e["source"],
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
        "AS date_precision, source, symbol, note FROM count_claims "
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
    on = f"on {latest['date']}" if latest["date"] else "at an unknown date"
    if latest["date_precision"] not in ("day", "unknown"):
        on += f" ({latest['date_precision']})"
    return f"{recorded} recorded of {latest['count']} reported {on} ({latest['source']})"


def add_claim(
    store, symbol: str, count: int, when, source: str, note: str | None = None
) -> dict[str, Any]:
    """Record a reported sponsor count; claims that disagree are kept side by side."""
    if count < 0:
        raise CahError(f"A sponsor count cannot be negative ({count}); give 0 or more.")
    if not source or not source.strip():
        raise CahError("A count claim needs its source (--source), e.g. a press release or URL.")
    with store.write("sponsors claim"):
        return _insert_logged(
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


MAX_LIST_BYTES = 1024 * 1024  # every UN member's name, a few times over, is under 20 KB


def _too_large(path: str) -> str:
    return (
        f"'{path}' is larger than {MAX_LIST_BYTES // 1024} KB, too large for a list of state "
        "names; give a list such as 'Albania, Andorra and Zambia'."
    )


def read_state_list(path: str, stdin=None) -> str:
    """The text of a list file (`-` is standard input): UTF-8, with or without a BOM, any line ends."""
    import sys
    from pathlib import Path

    if path == "-":
        stream = stdin if stdin is not None else sys.stdin
        source = stream.buffer if hasattr(stream, "buffer") else stream
        data = source.read(MAX_LIST_BYTES + 1)
    else:
        file = Path(path)
        if not file.is_file():
            raise CahError(
                f"No such file '{path}'; give a text file of state names, or - for standard input."
            )
        if file.stat().st_size > MAX_LIST_BYTES:
            raise CahError(_too_large(path))
        data = file.read_bytes()
    if len(data) > MAX_LIST_BYTES:
        raise CahError(_too_large(path))
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CahError(
                f"'{path}' is not UTF-8 text (byte {error.start}); save it as UTF-8 and try again."
            ) from None
    text = data.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CahError(f"'{path}' holds no state names; give one name a line or 'A, B and C'.")
    return text


# ---------------------------------------------------------------- the change log's words


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
