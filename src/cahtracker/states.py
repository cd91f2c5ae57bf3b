"""States and regional groups (domain functions: they return rows, never print)."""

from __future__ import annotations

from typing import Any

from cahtracker.errors import CahError
from cahtracker.names import NameIndex, name_key

GROUPS = (
    "African",
    "Asia-Pacific",
    "Eastern European",
    "Latin American and Caribbean",
    "Western European and Others",
)
# the usual abbreviation of each group (what `--group` also takes, and the published copy's
# `regional_groups.code`): the UN's documents name the groups in full
GROUP_CODES = {
    "African": "AG",
    "Asia-Pacific": "APG",
    "Eastern European": "EEG",
    "Latin American and Caribbean": "GRULAC",
    "Western European and Others": "WEOG",
}
_GROUP_ALIASES = {
    **{code.lower(): group for group, code in GROUP_CODES.items()},  # ag, apg, eeg, ...
    "africa": "African",
    "african group": "African",
    "asia pacific": "Asia-Pacific",
    "asia-pacific group": "Asia-Pacific",
    "eastern europe": "Eastern European",
    "lac": "Latin American and Caribbean",
    "western european and other states": "Western European and Others",
}
OBSERVERS = "observers"
NO_GROUP_LABEL = "(no group: observer)"


def resolve_group(text: str) -> str:
    """A regional group from its name or usual abbreviation; `observers` for the two observers."""
    key = name_key(text)
    for group in GROUPS:
        if name_key(group) == key:
            return group
    if key in _GROUP_ALIASES:
        return _GROUP_ALIASES[key]
    if key in ("observer", "observers", "none"):
        return OBSERVERS
    known = ", ".join(GROUPS)
    raise CahError(
        f"Unknown regional group '{text}'; use one of: {known} (or WEOG, GRULAC, EEG, APG, observers)."
    )


def group_clause(group: str | None, column: str = "s.regional_group") -> tuple[str, list[Any]]:
    """SQL condition and parameters for a `--group` filter (already resolved)."""
    if group is None:
        return "1", []
    if group == OBSERVERS:
        return f"{column} IS NULL", []
    return f"{column} = ?", [group]


def list_states(store, group: str | None = None) -> list[dict[str, Any]]:
    where, params = group_clause(group)
    return store.query(
        "SELECT s.iso3, s.name, s.un_vote_name, s.regional_group, s.status, s.admitted_on, s.iso2 "
        f"FROM states s WHERE {where} ORDER BY s.name COLLATE state_name",
        params,
    )


def member_admissions(store) -> list[tuple[str, str | None]]:
    """(iso3, admitted_on) of every member state."""
    return store.conn.execute(
        "SELECT iso3, admitted_on FROM states WHERE status = 'member'"
    ).fetchall()


def show_state(store, names: NameIndex, text: str) -> dict[str, Any]:
    ref = names.resolve(text)
    row = store.one("SELECT * FROM states WHERE iso3 = ?", (ref.iso3,))
    # one spelling per alias whatever its case ("UNITED STATES" and "United States": the
    # one not in capitals), and none that only re-cases the name itself
    spellings: dict[tuple[str, str | None, str | None], str] = {}
    for r in store.query(
        "SELECT alias, valid_from, valid_to FROM state_aliases WHERE iso3 = ? ORDER BY alias",
        (ref.iso3,),
    ):
        key = (r["alias"].casefold(), r["valid_from"], r["valid_to"])
        kept = spellings.get(key)
        if kept is None or (kept.isupper() and not r["alias"].isupper()):
            spellings[key] = r["alias"]
    aliases = [
        alias + (f" (from {start or '…'} to {end or '…'})" if start or end else "")
        for (folded, start, end), alias in spellings.items()
        if folded != row["name"].casefold() or start or end
    ]
    return {
        "iso3": row["iso3"],
        "iso2": row["iso2"],
        "m49": row["m49"],
        "name": row["name"],
        "un_vote_name": row["un_vote_name"],
        "regional_group": row["regional_group"],
        "status": row["status"],
        "admitted_on": row["admitted_on"],
        "aliases": aliases,
    }


def group_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Counts by regional group, in the UN's order, observers last."""
    counts = {g: 0 for g in GROUPS}
    for row in rows:
        key = row.get("regional_group") or NO_GROUP_LABEL
        counts[key] = counts.get(key, 0) + 1
    return {k: v for k, v in counts.items() if v}


def state_name(context, iso3: str) -> str:
    """A state's short name for a change-log describer (`context`: its DescribeContext,
    which reads the names once per log); the code itself when no state has it."""
    names = context.memo(
        "state names", lambda: dict(context.store.conn.execute("SELECT iso3, name FROM states"))
    )
    return names.get(iso3, iso3)
