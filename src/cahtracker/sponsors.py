"""Sponsorships as events; the current sponsors of a document are derived, never stored.

A revision (`A/C.6/79/L.2/Rev.1`, whose parent is `A/C.6/79/L.2`) keeps the sponsors of the
text it revises unless they withdraw: the events of the whole revision chain are replayed
together, and for each state the latest event not after the as-of date decides. Events
with no known date count at every date and sort before dated ones.
"""

from __future__ import annotations

from typing import Any

from cahtracker.dates import today_date
from cahtracker.db.changes import register_dependents
from cahtracker.documents import revision_chain
from cahtracker.errors import CahError


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
) -> dict[str, list[dict[str, Any]]]:
    """Record that `refs` joined `symbol` on `when` (default today).

    A state that already sponsors the document on that date is left alone (a no-op,
    reported under `already`). Returns {"added": [event rows], "already": [sponsor rows]}.
    """
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
    store, symbol: str, refs, when=None, source: str | None = None
) -> list[dict[str, Any]]:
    """Record that `refs` withdrew from `symbol` on `when` (default today).

    Every state must be a sponsor on that date (inherited sponsorships count), else the
    whole command is refused before anything is written.
    """
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


def dependent_events(store, event: dict[str, Any]) -> list[str]:
    """Later withdrawals that end this joining (for `db undo`): on its document or a revision of it."""
    if event.get("action") != "joined":
        return []
    later = store.query(
        "SELECT id, symbol FROM sponsorship_events WHERE iso3 = ? AND action = 'withdrew' AND id > ?",
        (event["iso3"], event["id"]),
    )
    ids = [w["id"] for w in later if event["symbol"] in revision_chain(store, w["symbol"])]
    if not ids:
        return []
    return [
        f"the later withdrawal{'s' if len(ids) > 1 else ''} (event {', '.join(map(str, ids))}) of {event['iso3']} depend{'' if len(ids) > 1 else 's'} on it"
    ]


register_dependents("sponsorship_events", dependent_events)


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
