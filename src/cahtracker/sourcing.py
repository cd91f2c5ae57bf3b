"""Every recorded fact carries its source, or says knowingly that it has none.

A command that records a fact (a sponsorship, a vote, a stance, a timeline event, a
document) takes `--source TEXT`, or `--unsourced` to record it without one; with neither it
is refused before anything is written (`require_source`). A fact whose source is empty is
"unsourced" wherever it is shown: the source cell says UNSOURCED_LABEL in tables and
Markdown, JSON keeps `source: null` and adds `unsourced: true` (`mark`), and the dashboard
counts them (`unsourced_facts`). Nothing is stored for "knowingly": an empty source is
unsourced whether it was typed with --unsourced or came from an older database.
"""

from __future__ import annotations

from typing import Any

from cahtracker.errors import CahError

UNSOURCED_LABEL = "(unsourced)"


def require_source(source: str | None, unsourced: bool = False, command: str = "") -> str | None:
    """The source to store (as typed), or None for a fact recorded knowingly unsourced;
    a blank source is refused (it would read as a source and say nothing)."""
    text = source.strip() if source is not None else ""
    if source is not None and not text:
        raise CahError(
            "Empty --source; give where this comes from (a document symbol, record or URL), "
            "or --unsourced to record it without one."
        )
    if text and unsourced:
        raise CahError("Give --source or --unsourced, not both.")
    if not text and not unsourced:
        what = f"`{command}`" if command else "A fact"
        raise CahError(
            f"{what} needs its source: give --source TEXT (a document symbol, record or URL), "
            "or --unsourced to record it knowingly without one. Nothing was recorded."
        )
    return source if text else None  # stored exactly as typed


def is_unsourced(source: Any) -> bool:
    return source is None or not str(source).strip()


def mark(row: dict[str, Any], key: str = "source") -> dict[str, Any]:
    """The row with `unsourced` (true when its source is empty) after its source."""
    return {**row, "unsourced": is_unsourced(row.get(key))}


def source_text(source: Any) -> str:
    """A source as a table or Markdown cell shows it: the text, or UNSOURCED_LABEL."""
    return UNSOURCED_LABEL if is_unsourced(source) else str(source)


# the facts a report draws on: (table, what one is called, its date column)
_FACT_TABLES = (
    ("documents", ("document", "documents"), "date"),
    ("sponsorship_events", ("sponsorship event", "sponsorship events"), "date"),
    ("votes", ("vote", "votes"), "date"),
    ("positions", ("stance", "stances"), "date"),
    ("events", ("timeline event", "timeline events"), "starts_on"),
)


def unsourced_facts(store, symbol: str, as_of: str | None = None) -> dict[str, Any]:
    """How many facts of a document's report have no source, by kind: the documents of its
    family, the sponsorship events of its revision chain, the votes on its family, every
    stance and every timeline event (those dated after `as_of` left out).

    Returns {"total": n, "by_kind": {"stances": 2, ...} (kinds with none left out)}.
    """
    import json

    from cahtracker.documents import document_family, revision_chain

    family = json.dumps(document_family(store, symbol))
    chain = json.dumps(revision_chain(store, symbol))
    scope = {
        "documents": ("symbol IN (SELECT value FROM json_each(?))", [family]),
        "sponsorship_events": ("symbol IN (SELECT value FROM json_each(?))", [chain]),
        "votes": ("symbol IN (SELECT value FROM json_each(?))", [family]),
        "positions": ("1", []),
        "events": ("1", []),
    }
    by_kind: dict[str, int] = {}
    for table, (one, many), date_column in _FACT_TABLES:
        where, params = scope[table]
        if as_of is not None:
            where += f" AND ({date_column} IS NULL OR {date_column} <= ?)"
            params = [*params, as_of]
        count = store.scalar(
            f"SELECT count(*) FROM {table} WHERE trim(coalesce(source, '')) = '' AND {where}",
            params,
        )
        if count:
            by_kind[one if count == 1 else many] = count
    return {"total": sum(by_kind.values()), "by_kind": by_kind}


def unsourced_line(counts: dict[str, Any]) -> str:
    """ "3 facts without a source (1 document, 2 stances)", or that every fact has one."""
    total = counts["total"]
    if not total:
        return "Every fact has a source."
    kinds = ", ".join(f"{n} {kind}" for kind, n in counts["by_kind"].items())
    return f"{total} {'fact' if total == 1 else 'facts'} without a source ({kinds}), marked {UNSOURCED_LABEL}."
