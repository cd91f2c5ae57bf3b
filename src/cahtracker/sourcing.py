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

# What shows nothing on its own: controls (Cc), format characters (Cf: zero-width space and
# joiners, word joiner, bidi marks, BOM, tags), separators (Zs, Zl, Zp), marks with nothing
# to sit on (Mn, Me: combining accents, variation selectors) and the letters and symbols
# Unicode draws as blank (Hangul fillers, Khmer inherent vowels, the blank braille cell).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})
_BLANK_GLYPHS = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def is_blank(text: str) -> bool:
    """Whether `text` has no character that shows (empty, spaces, invisible characters)."""
    import unicodedata

    return all(
        ch in _BLANK_GLYPHS or unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in text
    )


def require_source(source: str | None, unsourced: bool = False, command: str = "") -> str | None:
    """The source to store (as typed), or None for a fact recorded knowingly unsourced;
    a blank source (`is_blank`: nothing in it shows) is refused: it would count as a source
    and say nothing."""
    blank = source is None or is_blank(source)
    if source is not None and blank:
        raise CahError(
            "--source is blank (empty, spaces or invisible characters only); give the document, "
            "URL or publication this comes from, or --unsourced to record it without one."
        )
    if not blank and unsourced:
        raise CahError("Give --source or --unsourced, not both.")
    if blank and not unsourced:
        what = f"`{command}`" if command else "A fact"
        raise CahError(
            f"{what} needs its source: give --source TEXT (a document symbol, record or URL), "
            "or --unsourced to record it knowingly without one. Nothing was recorded."
        )
    return None if blank else source  # stored exactly as typed


def is_unsourced(source: Any) -> bool:
    """No source, or one in which nothing shows (written by an older release)."""
    return source is None or is_blank(str(source))


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
        # and the sources in which nothing shows but which are not spaces: each one that
        # holds a character outside printable ASCII is looked at (a few, in practice)
        count += sum(
            is_blank(r[0])
            for r in store.conn.execute(
                f"SELECT source FROM {table} WHERE trim(source) != '' "
                f"AND source GLOB '*[^ -~]*' AND {where}",
                params,
            )
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
