"""Positions: what each state said on each topic, as dated events; the current picture is derived.

A stance is never overwritten: `set` adds an event. For each state and topic, the stance
on a date is the latest event not after that date. Events with no known date count at
every date and sort before dated ones; events on the same date are ordered by entry
(the one recorded last wins). Dates compare as text (`2024-11` is the start of November).

Each stance may say what kind of source backs it (`source_kind`) and how its quote was taken
(`quote_kind`: cahtracker.provenance). Sources that disagree stay side by side: `position
list` shows every stance recorded for a state and topic on the deciding date, one row per
source; the matrix shows the one recorded last. `official_only` keeps only stances from the
UN's own record or a government (`provenance.OFFICIAL_KINDS`) before anything is decided.
"""

from __future__ import annotations

import re
from typing import Any

from cahtracker.db.changes import register_describer, verb
from cahtracker.errors import CahError
from cahtracker.names import name_key
from cahtracker.sourcing import mark, require_source

STANCES = ("support", "oppose", "mixed", "undecided")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# the JSON shape of `position list` and `position history` (DESIGN.md), with `unsourced`
# (sourcing.py), the kinds of source and quote (provenance.py) and the event's `id` (for
# `position delete`)
POSITION_KEYS = (
    *("id", "iso3", "name", "topic", "stance", "date", "date_precision"),
    *("source", "source_kind", "unsourced", "quote", "quote_kind", "note"),
)


def topics(store) -> list[dict[str, Any]]:
    """Every topic, in the order they were added, with how many states have a stance on it."""
    return store.query(
        "SELECT t.slug, t.title, t.description, "
        "(SELECT count(DISTINCT p.iso3) FROM positions p WHERE p.topic = t.slug) AS states "
        "FROM topics t ORDER BY t.rowid"
    )


def topic_slugs(store) -> list[str]:
    return [r["slug"] for r in store.query("SELECT slug FROM topics ORDER BY rowid")]


def resolve_topic(store, text: str) -> str:
    """The slug of a known topic, or a CahError listing the known ones."""
    known = topic_slugs(store)
    slug = text.strip().casefold()
    if slug in known:
        return slug
    listed = ", ".join(known) if known else "(none yet)"
    raise CahError(
        f"Unknown topic '{text}'; known topics: {listed} "
        "(add one with `cahtracker position topic-add SLUG --title TITLE`)."
    )


def resolve_stance(text: str) -> str:
    stance = text.strip().casefold()
    if stance in STANCES:
        return stance
    raise CahError(f"Unknown stance '{text}'; use one of: {', '.join(STANCES)}.")


def add_topic(store, slug: str, title: str, description: str | None = None) -> dict[str, Any]:
    """Add a topic; the slug is lowercase words joined by hyphens and must be new.

    Whether it is new is decided by the INSERT itself, inside the write (ON CONFLICT DO
    NOTHING: no row written means the slug is taken), so of concurrent adds of one slug one
    writes it and each other says it already exists."""
    slug = slug.strip()
    if not _SLUG.match(slug):
        raise CahError(
            f"Invalid topic slug '{slug}'; use lowercase letters and digits joined by hyphens, "
            "e.g. 'immunities' or 'gender-apartheid'."
        )
    if not title.strip():
        raise CahError("Empty topic title; give --title with a few words.")
    row = {"slug": slug, "title": title, "description": description}
    with store.write("position topic-add"):
        cursor = store.conn.execute(
            "INSERT INTO topics (slug, title, description) VALUES (:slug, :title, :description) "
            "ON CONFLICT (slug) DO NOTHING",
            row,
        )
        if cursor.rowcount == 0:
            raise CahError(
                f"Topic '{slug}' already exists; known topics: {', '.join(topic_slugs(store))}."
            )
        store.log_change("topics", slug, None, row)
    return row


def set_stance(
    store,
    states: list,
    topic: str,
    stance: str,
    date: str | None,
    date_precision: str,
    source: str | None = None,
    quote: str | None = None,
    source_kind: str | None = None,
    quote_kind: str | None = None,
    *,
    unsourced: bool = False,
) -> list[dict[str, Any]]:
    """Record one stance event per state (states already resolved to StateRefs), with its
    source (or knowingly none: `unsourced`); returns the rows.

    `source_kind` and `quote_kind` are checked (provenance); each needs what it describes."""
    from cahtracker.provenance import resolve_quote_kind, resolve_source_kind

    source = require_source(source, unsourced, "position set")
    source_kind = resolve_source_kind(source_kind)
    quote_kind = resolve_quote_kind(quote_kind)
    if source_kind and not (source and source.strip()):
        raise CahError("--source-kind says what kind of source backs a stance; give --source too.")
    if quote_kind and not (quote and quote.strip()):
        raise CahError("--quote-kind says how a quote was taken; give --quote too.")
    from cahtracker.db.ids import stamp

    written = []
    with store.write("position set"):
        topic = resolve_topic(store, topic)  # again inside the write: an undo may remove it
        for ref in states:
            row = stamp(
                store,
                {
                    "iso3": ref.iso3,
                    "topic": topic,
                    "stance": stance,
                    "date": date,
                    "date_precision": date_precision,
                    "source": source,
                    "quote": quote,
                    "source_kind": source_kind,
                    "quote_kind": quote_kind,
                },
            )
            cursor = store.conn.execute(
                "INSERT INTO positions (iso3, topic, stance, date, date_precision, source, quote, "
                "source_kind, quote_kind, gid, origin) VALUES (:iso3, :topic, :stance, :date, "
                ":date_precision, :source, :quote, :source_kind, :quote_kind, :gid, :origin)",
                row,
            )
            row = {"id": cursor.lastrowid, **row}
            store.log_change("positions", cursor.lastrowid, None, row)
            written.append({**row, "name": ref.name})
    return written


def delete_stances(
    store,
    event_id: int | None = None,
    ref=None,
    topic: str | None = None,
    date: str | None = None,
) -> list[dict[str, Any]]:
    """`position delete`: a stance recorded by mistake (a stance that changed is history:
    `set` a new one). By its id, or by state (a StateRef), topic and date (None: the
    undated ones); more than one match is refused, naming their ids.
    Each row deleted is logged (`db undo` puts it back). Returns the rows deleted."""
    with store.write("position delete"):
        if event_id is not None:
            rows = store.query("SELECT * FROM positions WHERE id = ?", (event_id,))
            if not rows:
                raise CahError(
                    f"No stance with id {event_id}; see the ids in "
                    "`cahtracker position history STATE`."
                )
        else:
            rows = store.query(
                "SELECT * FROM positions WHERE iso3 = ? AND topic = ? AND date IS ? ORDER BY id",
                (ref.iso3, topic, date),
            )
            when = f"on {date}" if date else "with an unknown date"
            if not rows:
                raise CahError(
                    f"No stance of {ref.label()} on {topic} {when}; see "
                    f"`cahtracker position history {ref.iso3} --topic {topic}`."
                )
            if len(rows) > 1:
                ids = ", ".join(str(r["id"]) for r in rows)
                raise CahError(
                    f"{len(rows)} stances of {ref.label()} on {topic} {when} (ids {ids}); "
                    "give the id of the wrong one: `cahtracker position delete ID`."
                )
        for row in rows:
            store.conn.execute("DELETE FROM positions WHERE id = ?", (row["id"],))
            store.log_change("positions", row["id"], row, None)
    return rows


def _events(
    store,
    topic: str | None = None,
    iso3: str | None = None,
    group: str | None = None,
    as_of: str | None = None,
    official_only: bool = False,
) -> list[dict[str, Any]]:
    """Position events in replay order: undated first, then by date, then by entry."""
    from cahtracker.provenance import official_clause
    from cahtracker.states import group_clause

    where, params = group_clause(group)
    clauses = [where]
    if topic is not None:
        clauses.append("p.topic = ?")
        params.append(topic)
    if iso3 is not None:
        clauses.append("p.iso3 = ?")
        params.append(iso3)
    if as_of is not None:
        clauses.append("(p.date IS NULL OR p.date <= ?)")
        params.append(as_of)
    if official_only:
        clauses.append(official_clause("p.source_kind"))
    return store.query(
        "SELECT p.id, p.iso3, s.name, s.regional_group, p.topic, p.stance, p.date, "
        "p.date_precision, p.source, p.source_kind, p.quote, p.quote_kind, p.note "
        "FROM positions p JOIN states s ON s.iso3 = p.iso3 "
        f"WHERE {' AND '.join(clauses)} ORDER BY p.date IS NOT NULL, p.date, p.id",
        params,
    )


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    marked = mark(row)
    return {key: marked[key] for key in POSITION_KEYS}


def latest_stances(
    store,
    topic: str | None = None,
    group: str | None = None,
    as_of: str | None = None,
    official_only: bool = False,
) -> dict[tuple[str, str], dict[str, Any]]:
    """(iso3, topic) -> the event that decides the stance on `as_of` (None: now)."""
    return {
        key: same_day[-1]
        for key, same_day in _deciding(store, topic, group, as_of, official_only).items()
    }


def _deciding(
    store, topic=None, group=None, as_of=None, official_only=False
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(iso3, topic) -> the events of the deciding date, in entry order (the last decides)."""
    deciding: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for event in _events(store, topic=topic, group=group, as_of=as_of, official_only=official_only):
        key = (event["iso3"], event["topic"])
        same_day = deciding.get(key)
        if same_day and (same_day[0]["date"], same_day[0]["date_precision"]) == (
            event["date"],
            event["date_precision"],
        ):
            same_day.append(event)
        else:
            deciding[key] = [event]
    return deciding


def stances_on(store, topic: str, as_of: str | None = None) -> dict[str, dict[str, Any]]:
    """iso3 -> the event that decides each state's stance on one topic on `as_of`."""
    return {iso3: row for (iso3, _), row in latest_stances(store, topic, as_of=as_of).items()}


def list_positions(
    store,
    topic: str | None = None,
    stance: str | None = None,
    group: str | None = None,
    as_of: str | None = None,
    official_only: bool = False,
) -> list[dict[str, Any]]:
    """The latest stance of each state per topic, by topic (in topic order) then state name.

    Where several sources gave a stance on the deciding date, each is a row of its own
    (side by side, in the order recorded), also when they disagree."""
    order = {slug: i for i, slug in enumerate(topic_slugs(store))}
    rows = [
        row
        for same_day in _deciding(store, topic, group, as_of, official_only).values()
        for row in same_day
        if stance is None or row["stance"] == stance
    ]
    rows.sort(key=lambda r: (order.get(r["topic"], len(order)), name_key(r["name"]), r["id"]))
    return [_shape(r) for r in rows]


def position_history(
    store, iso3: str | None, topic: str | None = None, official_only: bool = False
) -> list[dict[str, Any]]:
    """Every stance the state (None: every state) took, oldest first (undated first)."""
    return [_shape(r) for r in _events(store, topic=topic, iso3=iso3, official_only=official_only)]


def stance_matrix(
    store,
    topics_shown: list[str],
    group: str | None = None,
    as_of: str | None = None,
    all_states: bool = False,
    official_only: bool = False,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]]]:
    """States × topics: rows {iso3, name, regional_group, stances: {topic: stance or None}}.

    Only states with a stance on at least one shown topic, unless `all_states`.
    Also returns per-topic counts {topic: {stance: n}}.
    """
    from cahtracker.states import list_states

    latest = latest_stances(store, group=group, as_of=as_of, official_only=official_only)
    rows = []
    counts = {slug: dict.fromkeys(STANCES, 0) for slug in topics_shown}
    for state in list_states(store, group):
        stances = {}
        for slug in topics_shown:
            event = latest.get((state["iso3"], slug))
            stances[slug] = event["stance"] if event else None
            if event:
                counts[slug][event["stance"]] += 1
        if all_states or any(stances.values()):
            rows.append(
                {
                    "iso3": state["iso3"],
                    "name": state["name"],
                    "regional_group": state["regional_group"],
                    "stances": stances,
                }
            )
    return rows, counts


# ---------------------------------------------------------------- the change log's words


def _describe_position(context, change: dict[str, Any]) -> str:
    """ "recorded Chile's stance on treaty: support, on 2024-11-22"."""
    from cahtracker.dates import date_phrase
    from cahtracker.states import state_name

    row = change["after"] or change["before"]
    what = (
        f"{state_name(context, row['iso3'])}'s stance on {row['topic']}: {row['stance']}, "
        f"{date_phrase(row['date'], row['date_precision'])}"
    )
    return f"{verb(change, 'recorded', 'deleted')} {what}"


def _describe_topic(context, change: dict[str, Any]) -> str:
    row = change["after"] or change["before"]
    return f"{verb(change, delete='deleted')} topic {row['slug']} ({row['title']})"


register_describer("positions", _describe_position, ("stance", "stances"))
register_describer("topics", _describe_topic, ("topic", "topics"))
