"""Sponsorships as events; the current sponsors of a document are derived, never stored.

A revision (`A/C.6/79/L.2/Rev.1`, whose parent is `A/C.6/79/L.2`) keeps the sponsors of the
text it revises unless they withdraw: the events of the whole revision chain are replayed
together, and for each state the latest event not after the as-of date decides. Events
with no known date count at every date and sort before dated ones.
"""

from __future__ import annotations

import re
from typing import Any

from cahtracker.errors import CahError

_REVISION = re.compile(r"^(?P<base>.+?)/Rev\.\d+$")


def document(store, symbol: str) -> dict[str, Any]:
    """The document row, or a CahError listing symbols that look alike."""
    row = store.one("SELECT * FROM documents WHERE symbol = ?", (symbol,))
    if row is None:
        row = store.one("SELECT * FROM documents WHERE upper(symbol) = upper(?)", (symbol,))
    if row is None:
        import difflib

        known = [r["symbol"] for r in store.query("SELECT symbol FROM documents ORDER BY symbol")]
        close = difflib.get_close_matches(symbol, known, n=3, cutoff=0.5)
        hint = (
            f"Did you mean: {', '.join(close)}?"
            if close
            else f"Known documents: {', '.join(known)}."
        )
        raise CahError(f"Unknown document '{symbol}'. {hint}")
    return row


def default_symbol(store) -> str:
    symbol = store.setting("default_document")
    if not symbol:
        raise CahError(
            "No document given and no default set; pass --doc SYMBOL or run `cahtracker docs use SYMBOL`."
        )
    return symbol


def revision_chain(store, symbol: str) -> list[str]:
    """The document and every text it revises, newest first (Rev.1, then the original)."""
    chain = [symbol]
    current = document(store, symbol)
    while True:
        parent = current.get("parent_symbol")
        match = _REVISION.match(current["symbol"])
        if not parent or not match or _REVISION.sub(r"\g<base>", parent) != match.group("base"):
            return chain
        if parent in chain:  # a cycle typed by hand: stop rather than loop
            return chain
        chain.append(parent)
        current = document(store, parent)


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
