"""A state's page: what the database holds on one state across the process (`states show`).

Gathered from the other groups' domain functions, as the report is: the state's names and
codes (states.show_state), its sponsorship events on every document, its ballots and
statements on the process's texts (`documents.document_family` of the document asked for,
by default the `docs use` one), its stances with their quotes and source kinds, its
alignment with the sponsors bloc of that document (analysis.align, when ballots exist), and
what it said most recently. The JSON export has one page per state (`state_pages`), built
from the same context so that the shared parts are read once.

Positions may carry `source_kind` and `quote_kind` (a later schema); they are read with
`row.get`, so a page is the same before and after that migration, less those two keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NOT_RECORDED = "not recorded"


@dataclass
class PageContext:
    """What every page of one document shares: its family's votes, its sponsors."""

    symbol: str | None
    votes: list[dict[str, Any]] = field(default_factory=list)  # `vote show` of each
    sponsors: dict[str, dict[str, Any]] = field(default_factory=dict)  # iso3 -> row
    has_ballots: bool = False
    topic_order: dict[str, int] = field(default_factory=dict)


def page_context(store, symbol: str | None) -> PageContext:
    from cahtracker.positions import topic_slugs

    order = {slug: i for i, slug in enumerate(topic_slugs(store))}
    has_ballots = bool(store.one("SELECT 1 FROM ballots LIMIT 1"))
    if symbol is None:
        return PageContext(None, has_ballots=has_ballots, topic_order=order)
    from cahtracker.report import process_votes
    from cahtracker.sponsors import current_sponsors

    return PageContext(
        symbol,
        votes=process_votes(store, symbol),
        sponsors={r["iso3"]: r for r in current_sponsors(store, symbol)},
        has_ballots=has_ballots,
        topic_order=order,
    )


def default_document(store, symbol: str | None) -> str | None:
    """The document a page is about: the one given, else the `docs use` default, else None."""
    from cahtracker.documents import DEFAULT_SETTING, resolve_symbol

    if symbol is None and not store.setting(DEFAULT_SETTING):
        return None
    return resolve_symbol(store, symbol)


def state_page(store, names, text: str, symbol: str | None = None) -> dict[str, Any]:
    """The page of the state `text` names (any name or code) about `symbol`'s process."""
    from cahtracker.analysis import align
    from cahtracker.states import show_state

    state = show_state(store, names, text)
    context = page_context(store, default_document(store, symbol))
    alignment = None
    if _can_align(context, state["iso3"]):
        alignment = align(store, state["iso3"], sponsors_of=context.symbol)[0]
    return _page(store, state, context, alignment)


def state_pages(store, symbol: str | None) -> list[dict[str, Any]]:
    """Every state's page (by name) about `symbol`'s process: the JSON export's section."""
    from cahtracker.analysis import bloc_scores
    from cahtracker.names import NameIndex
    from cahtracker.states import show_state

    context = page_context(store, symbol)
    names = NameIndex.load(store)
    codes = [
        r["iso3"] for r in store.query("SELECT iso3 FROM states ORDER BY name COLLATE state_name")
    ]
    scores: dict[str, dict[str, Any]] = {}
    if symbol is not None and context.has_ballots and context.sponsors:
        bloc = sorted(context.sponsors)
        others = [c for c in codes if c not in context.sponsors]
        scores = bloc_scores(store, bloc, others)
        for iso3 in bloc:  # a state is never part of the bloc it is compared with
            if len(bloc) > 1:
                scores.update(bloc_scores(store, [c for c in bloc if c != iso3], [iso3]))
    pages = []
    for iso3 in codes:
        alignment = None
        if _can_align(context, iso3):
            bloc_size = len(context.sponsors) - (iso3 in context.sponsors)
            alignment = _alignment_row(context.symbol, bloc_size, scores.get(iso3))
        pages.append(_page(store, show_state(store, names, iso3), context, alignment))
    return pages


def _can_align(context: PageContext, iso3: str) -> bool:
    others = set(context.sponsors) - {iso3}
    return context.symbol is not None and context.has_ballots and bool(others)


def _alignment_row(symbol: str, bloc_size: int, figures: dict[str, Any] | None) -> dict:
    """The row `analysis.align(..., sponsors_of=symbol)` gives, from bloc figures."""
    figures = figures or {"votes": 0, "identical": 0, "agreement": None, "score": None}
    return {
        "rank": None,
        "iso3": None,
        "name": f"Sponsors of {symbol}",
        "regional_group": None,
        "votes": figures["votes"],
        "identical": figures["identical"],
        "agreement": figures["agreement"],
        "score": figures["score"],
        "split_votes": figures.get("split_votes", 0),
        "bloc_size": bloc_size,
    }


def _page(
    store, state: dict[str, Any], context: PageContext, alignment: dict[str, Any] | None
) -> dict[str, Any]:
    from cahtracker.sourcing import mark

    iso3 = state["iso3"]
    stances = [mark(s) for s in _stances(store, iso3, context.topic_order)]
    ballots = [mark(b) for b in _ballots(context, iso3)]
    return {
        **state,
        "document": context.symbol,
        "sponsor_of_document": _sponsor_now(context, iso3),
        "sponsorships": [mark(e) for e in _sponsorships(store, iso3)],
        "ballots": ballots,
        "stances": stances,
        "alignment": _alignment(context, alignment),
        "latest_said": _latest_said(stances, ballots),
    }


def _sponsor_now(context: PageContext, iso3: str) -> dict[str, Any] | None:
    row = context.sponsors.get(iso3)
    if row is None:
        return None
    return {
        "role": row["role"],
        "since": row["joined_on"],
        "date_precision": row["date_precision"],
        "inherited_from": row["inherited_from"],
        "source": row["source"],
    }


def _sponsorships(store, iso3: str) -> list[dict[str, Any]]:
    """Every sponsorship event of the state on any document: undated first, then by date."""
    return store.query(
        "SELECT e.symbol, e.action, e.role, e.date, "
        "CASE WHEN e.date IS NULL THEN 'unknown' ELSE e.date_precision END AS date_precision, "
        "e.after, e.source, e.note FROM sponsorship_events e WHERE e.iso3 = ? "
        "ORDER BY e.date IS NOT NULL, e.date, e.id",
        (iso3,),
    )


def _ballots(context: PageContext, iso3: str) -> list[dict[str, Any]]:
    """The state's part in each decision on the process's texts: its ballot (or, for a
    recorded vote that leaves it out, "not recorded") and what it said; decisions without
    a vote appear when it made a statement."""
    rows = []
    for vote in context.votes:
        ballot = next((b for b in vote["ballots"] if b["iso3"] == iso3), None)
        said = [s for s in vote["statements"] if s["iso3"] == iso3]
        missing = any(m["iso3"] == iso3 for m in vote.get("members_not_recorded") or [])
        if ballot is None and not said and not missing:
            continue
        statements = [{"kind": s["kind"], "text": s["text"]} for s in said]
        if ballot and ballot.get("explanation"):
            statements.insert(0, {"kind": "explanation", "text": ballot["explanation"]})
        rows.append(
            {
                "vote_id": vote["id"],
                "symbol": vote["symbol"],
                "date": vote["date"],
                "body": vote["body"],
                "method": vote["method"],
                "outcome": vote["outcome"],
                "choice": ballot["choice"] if ballot else (NOT_RECORDED if missing else None),
                "statements": statements,
                "source": vote["source"],
            }
        )
    return rows


def _stances(store, iso3: str, order: dict[str, int]) -> list[dict[str, Any]]:
    """Every stance the state took (oldest first, undated first), the latest per topic
    marked `current`; with the kinds of its source and quote where recorded."""
    from cahtracker.positions import position_history

    history = position_history(store, iso3)
    latest = {row["topic"]: i for i, row in enumerate(history)}
    rows = [
        {
            "topic": row["topic"],
            "stance": row["stance"],
            "date": row["date"],
            "date_precision": row["date_precision"] if row["date"] else "unknown",
            "quote": row["quote"],
            "quote_kind": row.get("quote_kind"),
            "source": row["source"],
            "source_kind": row.get("source_kind"),
            "current": latest[row["topic"]] == i,
        }
        for i, row in enumerate(history)
    ]
    rows.sort(key=lambda r: (order.get(r["topic"], len(order)),))
    return rows


def _alignment(context: PageContext, row: dict[str, Any] | None) -> dict[str, Any]:
    """Agreement with the sponsors bloc, or why there is none."""
    if row is not None:
        note = None
        if not row["votes"]:
            note = "no recorded vote in which both the state and the sponsors took part"
        return {
            "document": context.symbol,
            "bloc": row["name"],
            "bloc_size": row["bloc_size"],
            "votes": row["votes"],
            "identical": row["identical"],
            "agreement": row["agreement"],
            "score": row["score"],
            "split_votes": row["split_votes"],
            "note": note,
        }
    if context.symbol is None:
        note = "no document given and no default set (`docs use`)"
    elif not context.has_ballots:
        note = "no recorded vote with ballots yet (import them with `cahtracker vote import`)"
    else:
        note = f"{context.symbol} has no recorded sponsors other than this state"
    empty = dict.fromkeys(("bloc", "bloc_size", "votes", "identical", "agreement", "score"))
    return {"document": context.symbol, **empty, "split_votes": None, "note": note}


def _latest_said(stances: list[dict[str, Any]], ballots: list[dict[str, Any]]) -> dict | None:
    """The most recent dated thing the state said: a quote with a stance, an explanation
    of vote or a dissociation; without one, its latest stance; None if it said nothing."""
    said = [
        {
            "date": s["date"],
            "date_precision": s["date_precision"],
            "kind": "stance",
            "topic": s["topic"],
            "stance": s["stance"],
            "symbol": None,
            "text": s["quote"],
            "source": s["source"],
        }
        for s in stances
    ]
    for b in ballots:
        for statement in b["statements"]:
            said.append(
                {
                    "date": b["date"],
                    "date_precision": "day" if b["date"] else "unknown",
                    "kind": statement["kind"],
                    "topic": None,
                    "stance": None,
                    "symbol": b["symbol"],
                    "text": statement["text"],
                    "source": b["source"],
                }
            )
    if not said:
        return None
    worded = [s for s in said if s["text"] or s["kind"] == "dissociation"] or said
    # latest date first; of one date, a statement before a stance (a vote is a day's record)
    return max(worded, key=lambda s: (s["date"] or "", s["kind"] != "stance"))
