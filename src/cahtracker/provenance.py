"""Kinds of sources and quotes (data/CAH_SOURCES.md), and which sources count as official.

A sourced row (a stance, a timeline event, a reported count, a sponsorship event) may say
what kind of source backs it (`source_kind`) and, for a stance, how its quote was taken
(`quote_kind`). `--official-only` keeps the rows whose source is the UN's own record or a
government's; a row whose kind is not recorded is not official.
"""

from __future__ import annotations

from cahtracker.errors import CahError

SOURCE_KINDS = ("un-record", "government", "press", "ngo", "secondary")
QUOTE_KINDS = ("verbatim", "paraphrase", "translation")
OFFICIAL_KINDS = ("un-record", "government")
UN_RECORD = "un-record"  # the kind of every fact read from a UN document


def resolve_source_kind(text: str | None) -> str | None:
    """A `--source-kind` value, checked (None stays None)."""
    return _resolve(text, SOURCE_KINDS, "source kind")


def resolve_quote_kind(text: str | None) -> str | None:
    """A `--quote-kind` value, checked (None stays None)."""
    return _resolve(text, QUOTE_KINDS, "quote kind")


def _resolve(text: str | None, kinds: tuple[str, ...], what: str) -> str | None:
    if text is None:
        return None
    key = "-".join(text.strip().casefold().replace("_", "-").split())
    if key in kinds:
        return key
    raise CahError(f"Unknown {what} '{text}'; use one of: {', '.join(kinds)}.")


def official_clause(column: str = "source_kind") -> str:
    """SQL that keeps official rows: `source_kind IN ('un-record', 'government')`."""
    return f"{column} IN ({', '.join(repr(k) for k in OFFICIAL_KINDS)})"
