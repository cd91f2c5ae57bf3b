"""`states show`: a state's page (state_page.py) in every format.

JSON: the page object. CSV: one row per fact (a sponsorship, a ballot, a stance, the
alignment), its section in the first column. Markdown and tables: the state's names and
codes, then a section per kind of fact, each a table (Listing), then what it said last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cahtracker.dates import date_cell
from cahtracker.serialise import markdown_cell
from cahtracker.sourcing import is_unsourced, source_text
from cahtracker.views.listing import OPTIONAL, TEXT, Listing, Record, View, source_column

CSV_KEYS = [
    *("iso3", "name", "section", "date", "date_precision", "symbol", "topic", "value"),
    *("text", "source", "unsourced", "source_kind", "quote_kind"),
]


def _when(date: str | None, precision: str | None) -> str:
    if not date:
        return "date unknown"
    return date if precision in (None, "day") else f"{date} ({precision})"


def facts(page: dict[str, Any]) -> dict[str, Any]:
    """The page's names and codes, as `states show` printed them before it had a page."""
    keys = ("iso3", "iso2", "m49", "name", "un_vote_name", "regional_group", "status")
    return {k: page[k] for k in (*keys, "admitted_on", "aliases")}


def sponsor_line(page: dict[str, Any]) -> str | None:
    doc = page["document"]
    if doc is None:
        return None
    now = page["sponsor_of_document"]
    if now is None:
        return f"Not a sponsor of {doc}."
    via = f", via {now['inherited_from']}" if now["inherited_from"] else ""
    role = "Main sponsor" if now["role"] == "main" else "Co-sponsor"
    return f"{role} of {doc} since {_when(now['since'], now['date_precision'])}{via}."


def alignment_line(page: dict[str, Any]) -> str:
    a = page["alignment"]
    if a["note"] and not a["votes"]:
        return f"Alignment with the sponsors: none — {a['note']}."
    agreement = f"{round(100 * a['agreement'])}%" if a["agreement"] is not None else "–"
    split = f"; the bloc was split in {a['split_votes']} more" if a["split_votes"] else ""
    return (
        f"Alignment with the {a['bloc_size']} sponsors of {a['document']}: score "
        f"{a['score']:.2f}, identical choices in {a['identical']} of {a['votes']} recorded votes "
        f"({agreement}){split}."
    )


def said_line(page: dict[str, Any]) -> str | None:
    said = page["latest_said"]
    if said is None:
        return None
    when = _when(said["date"], said["date_precision"])
    if said["kind"] == "stance":
        what = f"{said['stance']} on {said['topic']}"
    else:
        what = f"{said['kind']} on {said['symbol']}"
    text = f": “{said['text']}”" if said["text"] else ""
    source = f" (source: {source_text(said['source'])})"
    return f"Said most recently ({when}), {what}{text}{source}."


def sections(page: dict[str, Any]) -> list[Listing]:
    """The page's tables, in order: sponsorships, ballots, stances."""
    doc = page["document"]
    ballots = [
        {
            **b,
            "said": "; ".join(
                s["kind"] + (f": {s['text']}" if s["text"] else "") for s in b["statements"]
            ),
        }
        for b in page["ballots"]
    ]
    stances = [
        {
            **s,
            "when": _when(s["date"], s["date_precision"]),
            "now": "current" if s["current"] else "earlier",
            "kinds": " / ".join(k for k in (s["source_kind"], s["quote_kind"]) if k),
        }
        for s in page["stances"]
    ]
    stance_columns = [
        ("topic", "Topic"),
        ("stance", "Stance"),
        ("when", "Date"),
        ("now", "Now", OPTIONAL),
        ("quote", "Quote", TEXT),
        source_column(),
    ]
    if any(s["kinds"] for s in stances):
        stance_columns.append(("kinds", "Source / quote kind", OPTIONAL))
    return [
        Listing(
            [
                {**e, "when": date_cell(e["date"], e["date_precision"], e.get("after"))}
                for e in page["sponsorships"]
            ],
            [
                ("symbol", "Document"),
                ("action", "Action"),
                ("role", "Role"),
                ("when", "Date"),
                source_column(),
            ],
            title="Sponsorships",
            empty="Sponsorships: none recorded.",
        ),
        Listing(
            ballots,
            [
                ("date", "Date"),
                ("symbol", "Symbol"),
                ("body", "Body", OPTIONAL),
                ("choice", "Vote"),
                ("outcome", "Outcome"),
                ("said", "Said", TEXT),
                ("vote_id", "ID"),
            ],
            title=f"Votes on the texts of {doc}" if doc else "Votes",
            empty=(
                f"Votes on the texts of {doc}: no ballot or statement recorded."
                if doc
                else "Votes: no document given and no default set (`docs use`)."
            ),
        ),
        Listing(stances, stance_columns, title="Stances", empty="Stances: none recorded."),
    ]


class StatePageView(View):
    """A state's page: every format from the one page object."""

    def __init__(self, page: dict[str, Any]) -> None:
        self.page = page

    def json_data(self) -> Any:
        return self.page

    def csv_table(self) -> tuple[list[str], Iterable[Sequence[Any]]]:
        return CSV_KEYS, ([row.get(k) for k in CSV_KEYS] for row in self._csv_rows())

    def _csv_rows(self) -> Iterable[dict[str, Any]]:
        page = self.page
        head = {"iso3": page["iso3"], "name": page["name"]}
        for e in page["sponsorships"]:
            yield head | {
                "section": "sponsorship",
                "date": e["date"],
                "date_precision": e["date_precision"],
                "symbol": e["symbol"],
                "value": e["action"] + (f" ({e['role']})" if e["role"] else ""),
                "text": e["note"],
                "source": e["source"],
                "unsourced": is_unsourced(e["source"]),
            }
        for b in page["ballots"]:
            said = b["statements"] or [{"kind": None, "text": None}]
            for s in said:
                yield head | {
                    "section": "ballot",
                    "date": b["date"],
                    "date_precision": "day" if b["date"] else "unknown",
                    "symbol": b["symbol"],
                    "topic": None,
                    "value": b["choice"],
                    "text": f"{s['kind']}: {s['text']}" if s["text"] else s["kind"],
                    "source": b["source"],
                    "unsourced": is_unsourced(b["source"]),
                }
        for s in page["stances"]:
            yield head | {
                "section": "stance" if s["current"] else "earlier stance",
                "date": s["date"],
                "date_precision": s["date_precision"],
                "topic": s["topic"],
                "value": s["stance"],
                "text": s["quote"],
                "source": s["source"],
                "unsourced": is_unsourced(s["source"]),
                "source_kind": s["source_kind"],
                "quote_kind": s["quote_kind"],
            }
        a = page["alignment"]
        yield head | {
            "section": "alignment with the sponsors",
            "symbol": a["document"],
            "value": a["score"],
            "text": alignment_line(page),
        }

    def _lines(self) -> list[str]:
        page = self.page
        return [
            line
            for line in (sponsor_line(page), alignment_line(page), said_line(page))
            if line is not None
        ]

    def markdown(self) -> str:
        page = self.page
        parts = [
            f"# {markdown_cell(page['name'])} ({page['iso3']})",
            Record(facts(page)).markdown(),
        ]
        parts += [markdown_cell(line) for line in self._lines()]
        for listing in sections(page):
            parts.append(
                listing.markdown() if listing.rows else markdown_cell(listing.empty) + "\n"
            )
        return "\n\n".join(part.rstrip("\n") for part in parts) + "\n"

    def print_table(self) -> None:
        from cahtracker.views.render import paragraph

        page = self.page
        Record(facts(page), title=f"{page['name']} ({page['iso3']})").print_table()
        for line in self._lines():
            paragraph(line)
        for listing in sections(page):
            listing.print_table()
