"""Shell completion of states, document symbols, topics and regional groups.

The shell runs `cahtracker` with `_CAHTRACKER_COMPLETE` set at each Tab; Typer calls these
functions with what has been typed so far. They read the database of `--db` (or
$CAHTRACKER_DB, or the default file) read-only with sqlite3, without migrating or seeding
it, so that a completion costs a query: no database, or one that cannot be read, completes
nothing. Matching ignores letter case and accents.

The four `complete_*` functions take (ctx, incomplete) unannotated: Typer finds their
parameters by name, and evaluating annotations for each option that completes cost 1 ms of
every start-up (Typer inspects each callback when it builds the command).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import typer

MAX_ITEMS = 200  # a shell shows no more than this usefully


def _rows(ctx: typer.Context, sql: str) -> list[tuple]:
    from cahtracker.db import add_collations
    from cahtracker.invocation import resolve_path

    path = Path(resolve_path(ctx.find_root().params.get("db")))
    if not path.is_file():
        return []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
        add_collations(conn)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def _matching(items: list[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    """The items whose value starts like `incomplete`, ignoring case and accents. Typer keeps
    only completions that start with the very text typed, so a value typed in another case
    ("fra") completes as that text plus the rest of the value ("france"): every lookup of
    states, symbols, topics and groups ignores case and accents."""
    from cahtracker.names import name_key  # imported once per completion, not per item
    from cahtracker.safe_text import for_terminal_line

    key = name_key(incomplete)
    seen: set[str] = set()
    out = []
    for value, help_text in items:
        if for_terminal_line(value) != value:
            continue  # a value with a control in it is never typed into the shell's line
        help_text = for_terminal_line(help_text) if help_text else help_text
        value_key = name_key(value)
        if not value_key.startswith(key) or value_key in seen:
            continue  # one completion per name, however many spellings match
        if not value.startswith(incomplete):
            rest = value[len(incomplete) :]
            if value.isupper() and incomplete.islower():
                rest = rest.lower()  # "wsm", not "wSM"
            if name_key(incomplete + rest) != value_key:  # e.g. spaces typed twice
                continue
            value = incomplete + rest
        seen.add(value_key)
        out.append((value, help_text))
    return out[:MAX_ITEMS]


def complete_state(ctx, incomplete):
    """UN names, voting-record spellings, aliases and ISO3/ISO2 codes of the states."""
    rows = _rows(
        ctx,
        "SELECT name, iso3, iso2, un_vote_name FROM states ORDER BY name COLLATE state_name",
    )
    items = [(name, iso3) for name, iso3, _, _ in rows]
    items += [(iso3, name) for name, iso3, _, _ in rows]
    items += [(iso2, name) for name, _, iso2, _ in rows]
    items += [(vote_name, name) for name, _, _, vote_name in rows]
    aliases = _rows(
        ctx,
        "SELECT a.alias, s.name FROM state_aliases a JOIN states s USING (iso3) ORDER BY a.alias",
    )
    return _matching(items + [(alias, name) for alias, name in aliases], incomplete)


def complete_symbol(ctx, incomplete):
    """Document symbols, with their kind."""
    rows = _rows(ctx, "SELECT symbol, kind FROM documents ORDER BY symbol")
    return _matching([(symbol, kind or "") for symbol, kind in rows], incomplete)


def complete_topic(ctx, incomplete):
    """Topic slugs, with their titles."""
    rows = _rows(ctx, "SELECT slug, title FROM topics ORDER BY slug")
    return _matching([(slug, title or "") for slug, title in rows], incomplete)


def complete_group(incomplete):
    """Regional groups: their names and usual abbreviations (no database needed)."""
    from cahtracker.states import GROUP_CODES as abbreviations
    from cahtracker.states import GROUPS, OBSERVERS

    items = [(group, abbreviations[group]) for group in GROUPS]
    items += [(short, group) for group, short in abbreviations.items()]
    items.append((OBSERVERS, "the two observer states"))
    return _matching(items, incomplete)
