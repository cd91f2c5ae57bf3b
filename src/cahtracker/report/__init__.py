"""Reports: the one-screen dashboard and the exports (HTML, Markdown, CSV, JSON).

Everything here is gathered from the other groups' domain functions (sponsors, votes,
positions, timeline, analysis); this module only arranges it, numbers its sources and
writes files. A report is about one document and the texts around it (its revision
chain, amendments and resolution: `documents.document_family`). Dates are frozen by
`CAHTRACKER_TODAY` (dates.today): the report's date, and the export time becomes
that day at 00:00 UTC, so that exports can be compared byte for byte (the golden tests).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cahtracker.errors import CahError
from cahtracker.names import name_key

FORMATS = ("html", "markdown", "csv", "json", "svg")
_EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".json": "json",
    ".svg": "svg",
}
MAPS = ("sponsors", "vote")  # what `-f svg --map` draws
TREATY_TOPIC = "treaty"
LATEST_VOTES = 5
TARGETS_SHOWN = 25
CHOICE_KEYS = ("yes", "no", "abstain", "non_voting", "absent")


# ---------------------------------------------------------------- sources


class Sources:
    """The numbered list of every source a figure cites ("[3]"); each text once."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._numbers: dict[str, int] = {}

    def cite(self, text: str | None, used_for: str, kind: str | None = None) -> int | None:
        """The number of a source; `kind` (un-record, press, ...) is listed with it, every
        kind a row gives it once."""
        if not text or not text.strip():
            return None
        text = text.strip()
        number = self._numbers.get(text)
        if number is None:
            number = len(self.items) + 1
            self._numbers[text] = number
            self.items.append({"number": number, "source": text, "kinds": [], "used_for": []})
        item = self.items[number - 1]
        if used_for not in item["used_for"]:
            item["used_for"].append(used_for)
        if kind and kind not in item["kinds"]:
            item["kinds"].append(kind)
        return number

    def cite_all(self, texts, used_for: str) -> list[int]:
        numbers = []
        for text in texts:
            number = self.cite(text, used_for)
            if number is not None and number not in numbers:
                numbers.append(number)
        return sorted(numbers)


# ---------------------------------------------------------------- gathering


def resolve_format(fmt: str | None, output: Path) -> str:
    """The export format: as given, else from the output's extension; one line on a miss."""
    if fmt is None:
        guessed = _EXTENSIONS.get(output.suffix.lower())
        if guessed is None:
            raise CahError(
                f"Cannot tell the format of '{output}'; give --format html, markdown, csv, json "
                "or svg."
            )
        return guessed
    key = fmt.strip().casefold()
    if key == "md":
        key = "markdown"
    if key not in FORMATS:
        raise CahError(f"Unknown format '{fmt}'; use one of: {', '.join(FORMATS)}.")
    return key


def resolve_map(which: str | None, vote_ref: str | None, fmt: str) -> tuple[str | None, str | None]:
    """The map an svg export draws ("sponsors" unless told), and the vote asked for; a map
    asked of another format, or a vote of the sponsors map, refused in one line."""
    if fmt != "svg":
        if which is not None or vote_ref is not None:
            raise CahError(
                "--map draws a map alone: give it with --format svg (or an .svg --output)."
            )
        return None, None
    key = (which or "sponsors").strip().casefold()
    if key not in MAPS:
        raise CahError(f"Unknown map '{which}'; use --map sponsors or --map vote [ID].")
    if key == "sponsors" and vote_ref is not None:
        raise CahError(f"'{vote_ref}' is a vote: give it after --map vote (--map vote {vote_ref}).")
    return key, vote_ref


def map_vote(store, symbol: str, vote_ref: str | None) -> dict[str, Any]:
    """The vote a map shows: the one asked for (an id, or a symbol: its latest vote), else the
    latest recorded vote with ballots on the document's family."""
    from cahtracker.votes import show_vote

    if vote_ref is None:
        recorded = [v for v in process_votes(store, symbol) if v["ballots"]]
        if not recorded:
            raise CahError(
                f"No recorded vote with ballots on {symbol} or the texts around it; "
                "give a vote: --map vote ID (see `cahtracker vote list`)."
            )
        return recorded[-1]
    vote = show_vote(store, vote_ref)
    if not vote["ballots"]:
        raise CahError(
            f"Vote {vote['id']} on {vote['symbol']} has no ballots ({vote['method']}): "
            "a map shows a recorded vote; see `cahtracker vote list`."
        )
    return vote


def map_text(
    store,
    which: str,
    symbol: str,
    vote_ref: str | None = None,
    as_of: str | None = None,
    today: date | None = None,
) -> tuple[str, str]:
    """The world map alone, as an SVG file, and its title: the sponsors of `symbol` or one
    recorded vote."""
    from cahtracker.report.map import sponsor_map, sponsor_map_title, vote_map, vote_map_title
    from cahtracker.sponsors import current_sponsors

    if which == "vote":
        vote = map_vote(store, symbol, vote_ref)
        drawn, title = vote_map(vote), vote_map_title(vote)
    else:
        on = as_of or report_date(today).isoformat()
        drawn = sponsor_map(current_sponsors(store, symbol, as_of), symbol, on)
        title = sponsor_map_title(symbol, on)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + drawn + "\n", title


def report_date(today: date | None = None) -> date:
    from cahtracker.dates import today as clock

    return today or clock()


def export_time() -> str:
    """Now in UTC, or the frozen day's midnight when $CAHTRACKER_TODAY is set."""
    from cahtracker.dates import TODAY_ENV

    if os.environ.get(TODAY_ENV):
        return f"{report_date().isoformat()}T00:00:00+00:00"
    return datetime.now(UTC).isoformat(timespec="seconds")


def process_votes(store, symbol: str) -> list[dict[str, Any]]:
    """`vote show` of every vote on the document's family, by date then order recorded."""
    from cahtracker.documents import document_family
    from cahtracker.votes import list_votes, show_vote

    listed = [v for s in document_family(store, symbol) for v in list_votes(store, symbol=s)]
    listed.sort(key=lambda v: (v["date"] or "", v["id"]))
    return [show_vote(store, str(v["id"])) for v in listed]


NOT_RECORDED = "not recorded"


def who_voted(vote: dict[str, Any]) -> list[dict[str, Any]]:
    """A vote's states by choice (the UN's order, then the members not recorded), each
    choice by regional group (the UN's order, observers last), names in order:
    [{choice, label, count, groups: [{group, count, names}]}]; empty choices left out."""
    from cahtracker.states import GROUPS, NO_GROUP_LABEL
    from cahtracker.voting import CHOICES, LABELS, tally_key

    by_choice: dict[str, list[dict[str, Any]]] = {c: [] for c in (*CHOICES, NOT_RECORDED)}
    for ballot in vote["ballots"]:
        by_choice[ballot["choice"]].append(ballot)
    by_choice[NOT_RECORDED] = list(vote.get("members_not_recorded") or [])
    result = []
    for choice, states in by_choice.items():
        if not states:
            continue
        groups = []
        for group in (*GROUPS, NO_GROUP_LABEL):
            names = sorted(
                s["name"] for s in states if (s.get("regional_group") or NO_GROUP_LABEL) == group
            )
            if names:
                groups.append({"group": group, "count": len(names), "names": names})
        label = LABELS[tally_key(choice)] if choice in CHOICES else NOT_RECORDED.capitalize()
        result.append({"choice": choice, "label": label, "count": len(states), "groups": groups})
    return result


def vote_statements(vote: dict[str, Any]) -> list[dict[str, Any]]:
    """Every dissociation and explanation of a vote, those given with a ballot included:
    [{iso3, name, regional_group, kind, text, choice}], dissociations first, then by name."""
    rows = [{**s, "choice": None} for s in vote.get("statements") or []] + [
        {
            "iso3": b["iso3"],
            "name": b["name"],
            "regional_group": b.get("regional_group"),
            "kind": "explanation",
            "text": b["explanation"],
            "choice": b["choice"],
        }
        for b in vote["ballots"]
        if b.get("explanation")
    ]
    rows.sort(key=lambda r: (r["kind"] != "dissociation", name_key(r["name"])))
    return rows


def vote_picture(vote: dict[str, Any]) -> dict[str, Any]:
    """What a report shows of one vote beside `vote show`: who voted how, its statements,
    the partial-record line, and the counts a majority line may be drawn from."""
    from cahtracker.voting import coverage_line, majority_basis, not_recorded_lines

    return {
        "who": who_voted(vote),
        "said": vote_statements(vote),
        "partial": coverage_line(vote.get("coverage")),
        # the source's ballots the tally does not count (former states, unknown names)
        "unrecorded": not_recorded_lines(vote.get("ballots_not_recorded") or []),
        "basis": majority_basis(vote["tally"], vote["official_totals"], vote.get("coverage")),
    }


def stance_counts(store, as_of: str | None = None) -> tuple[list, list, list]:
    """Per topic, the number of states whose latest stance is each stance; also the
    position matrix (every topic) and the topics, as positions.stance_matrix gives them."""
    from cahtracker.positions import STANCES, stance_matrix, topics

    topic_rows = topics(store)
    matrix, counts = stance_matrix(store, [t["slug"] for t in topic_rows], as_of=as_of)
    rows = []
    for topic in topic_rows:
        by_stance = counts[topic["slug"]]
        rows.append(
            {
                "topic": topic["slug"],
                "title": topic["title"],
                **{s: by_stance[s] for s in STANCES},
                "states": sum(by_stance.values()),
            }
        )
    return rows, matrix, topic_rows


def dashboard(
    store, symbol: str, as_of: str | None = None, today: date | None = None
) -> dict[str, Any]:
    """What `report tally` shows: counts, groups, latest votes, stances per topic, next event."""
    from cahtracker.documents import document
    from cahtracker.sourcing import unsourced_facts, unsourced_line
    from cahtracker.sponsors import count_summary, gap_line
    from cahtracker.timeline import list_events

    today = report_date(today)
    summary = count_summary(store, symbol, as_of)
    votes = process_votes(store, symbol)
    # the dashboard's picture is that of `as_of`: no decision taken after it
    shown = [v for v in votes if not as_of or not v["date"] or v["date"] <= as_of]
    counts, matrix, topic_rows = stance_counts(store, as_of)
    events = list_events(store, on=today)
    unsourced = unsourced_facts(store, symbol, as_of)
    return {
        "document": document(store, symbol),
        "as_of": as_of,
        "today": today.isoformat(),
        "count": summary,
        "gap_line": gap_line(summary),
        "latest_votes": shown[-LATEST_VOTES:][::-1],
        "votes_total": len(shown),
        "stance_counts": counts,
        "next_event": next((e for e in events if e["next"]), None),
        "unsourced": unsourced,
        "unsourced_line": unsourced_line(unsourced),
        # the rest is for the exports
        "votes": votes,
        "matrix": matrix,
        "topics": topic_rows,
        "events": events,
    }


def sponsor_series(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The recorded sponsors after each dated event (replayed as `current_sponsors` does).

    Undated events count from the start (`start` is their number); an event known only to
    be later than a date (`after`) is drawn on the day after it, the earliest it can be;
    each step is {date, count, joined: [names], withdrew: [names]} for one date.
    """
    from datetime import timedelta

    from cahtracker.dates import period_end, period_start

    current: set[str] = set()
    start = 0
    steps: list[dict[str, Any]] = []
    for event in events:
        if event["action"] == "joined":
            current.add(event["iso3"])
        else:
            current.discard(event["iso3"])
        after = event.get("after")
        if event["date"] is None and not after:
            start = len(current)
            continue
        if event["date"] is None:
            day = (date.fromisoformat(period_end(after)) + timedelta(days=1)).isoformat()
        else:
            day = period_start(event["date"])
        if not steps or steps[-1]["date"] != day:
            steps.append({"date": day, "count": 0, "joined": [], "withdrew": []})
        steps[-1]["count"] = len(current)
        steps[-1]["joined" if event["action"] == "joined" else "withdrew"].append(event["name"])
    return {"start": start, "steps": steps}


def analysis_sections(store, symbol: str, as_of: str | None) -> dict[str, Any]:
    """Targets and forecast when the voting record supports them, else the reason why not."""
    from cahtracker.analysis import forecast, targets

    if not store.one("SELECT 1 FROM topics WHERE slug = ?", (TREATY_TOPIC,)):
        return {"targets": None, "forecast": None, "reason": "no 'treaty' topic."}
    if not store.one("SELECT 1 FROM ballots LIMIT 1"):
        return {
            "targets": None,
            "forecast": None,
            "reason": "no recorded vote with ballots yet (import the voting history with "
            "`cahtracker vote import`).",
        }
    ranked = [r for r in targets(store, symbol, TREATY_TOPIC, as_of) if r["score"] is not None]
    projected = forecast(store, symbol, TREATY_TOPIC, "simple", as_of)
    supported = any(not s["committed"] and s["basis"] != "no data" for s in projected["states"])
    reason = None
    if not ranked and not supported:
        reason = "too few votes shared with the sponsors to score any state."
    return {
        "targets": ranked[:TARGETS_SHOWN] if ranked else None,
        "targets_total": len(ranked),
        "forecast": projected if supported else None,
        "reason": reason,
    }


def build_report(
    store, symbol: str, as_of: str | None = None, today: date | None = None
) -> dict[str, Any]:
    """Everything the HTML and Markdown exports show, with numbered sources per figure."""
    from cahtracker.documents import revision_chain
    from cahtracker.positions import list_positions
    from cahtracker.sponsors import count_claims, current_sponsors, sponsor_history

    model = dashboard(store, symbol, as_of, today)
    sources = Sources()
    on = as_of or model["today"]
    history = [
        e
        for e in sponsor_history(store, symbol)
        if not as_of or not e["date"] or e["date"] <= as_of
    ]
    sponsors = current_sponsors(store, symbol, as_of)
    claims = count_claims(store, revision_chain(store, symbol), as_of)
    positions = list_positions(store, as_of=as_of)
    votes, events = model["votes"], model["events"]
    model.update(
        sponsors=sponsors,
        history=history,
        claims=claims,
        series=sponsor_series(history),
        positions=positions,
        on=on,
    )
    model["analysis"] = analysis_sections(store, symbol, as_of)
    for rows, used_for in (
        (claims, "reported sponsor counts"),
        (sponsors, "sponsors"),
        (history, "sponsorship events"),
        (votes, "votes"),
        (positions, "positions"),
        (events, "timeline"),
    ):
        for row in rows:
            row["ref"] = sources.cite(row["source"], used_for, row.get("source_kind"))
    for vote in votes:
        vote.update(vote_picture(vote))
        # every source record of the vote (an import's), after the vote's own source
        vote["refs"] = sources.cite_all(
            [vote["source"], *(s["source"] or s["key"] for s in vote.get("sources") or [])], "votes"
        )
    model["texts"] = process_texts(store, symbol)
    model["doc_urls"] = dict(
        store.conn.execute("SELECT symbol, url FROM documents WHERE url IS NOT NULL")
    )
    model["figure_sources"] = {
        "sponsors": sorted(
            {r for r in [*(c["ref"] for c in claims), *(e["ref"] for e in history)] if r}
        ),
        "groups": sorted({r["ref"] for r in sponsors if r["ref"]}),
        "positions": sorted({r["ref"] for r in positions if r["ref"]}),
        "timeline": sorted({e["ref"] for e in events if e["ref"]}),
    }
    model["sources"] = sources.items
    return model


def process_texts(store, symbol: str) -> list[dict[str, Any]]:
    """The documents of the report's family (`document_family`), with their URL if any."""
    from cahtracker.documents import document_family

    family = set(document_family(store, symbol))
    return [
        {k: d[k] for k in ("symbol", "kind", "title", "date", "url")}
        for d in store.query(
            "SELECT symbol, kind, title, date, url FROM documents ORDER BY session IS NULL, "
            "session, symbol"
        )
        if d["symbol"] in family
    ]


# ---------------------------------------------------------------- exports


def _csv_tables(store, symbol: str, as_of: str | None, today: date) -> dict[str, list[dict]]:
    """Every table whole; only `current_sponsors`, a derived picture, depends on `as_of`."""
    from cahtracker.documents import list_documents
    from cahtracker.positions import position_history
    from cahtracker.sourcing import mark
    from cahtracker.sponsors import count_claims, current_sponsors, sponsorship_events
    from cahtracker.states import list_states
    from cahtracker.timeline import list_events
    from cahtracker.votes import iter_ballots, list_votes

    documents = list_documents(store)
    said: dict[int, dict[str, list[str]]] = {}
    for row in all_statements(store):
        said.setdefault(row["vote_id"], {"dissociation": [], "explanation": []})[
            row["kind"]
        ].append(row["name"])
    votes = []
    for vote in list_votes(store, details=True):
        official = vote.pop("official_totals") or {}
        tally = vote.pop("tally") or dict.fromkeys(CHOICE_KEYS)  # no ballot: no count
        cover = vote.pop("coverage") or {}
        names = said.get(vote["id"], {})
        votes.append(
            vote
            | tally
            | {f"official_{k}": official.get(k) for k in (*CHOICE_KEYS[:4], "members")}
            | {
                "members": cover.get("members"),
                "members_recorded": cover.get("recorded"),
                "members_not_recorded": cover.get("not_recorded"),
                "ballots_not_recorded": cover.get("ballots_not_recorded"),
                "complete": cover.get("complete"),
                "dissociating": "; ".join(names.get("dissociation", [])),
                "explained_by": "; ".join(names.get("explanation", [])),
            }
        )
    return {
        "states": list_states(store),
        "documents": documents,
        "sponsorship_events": [
            mark(e) for d in documents for e in sponsorship_events(store, [d["symbol"]])
        ],
        "current_sponsors": [
            {"document": symbol, **r} for r in current_sponsors(store, symbol, as_of)
        ],
        "count_claims": [c for d in documents for c in count_claims(store, [d["symbol"]])],
        "votes": votes,
        # streamed from a cursor, never all in memory
        "ballots": lambda: iter_ballots(store),
        "statements": lambda: all_statements(store),
        "positions": position_history(store, None),
        "events": list_events(store, on=today),
    }


def all_statements(store):
    """Every dissociation and explanation of every vote, with the vote's symbol, date and body:
    the statements of `vote_statements` and the explanations given with a ballot (a cursor)."""
    return store.cursor(
        "SELECT * FROM ("
        "SELECT t.vote_id, v.symbol, v.date, v.body, t.iso3, s.name, s.regional_group, t.kind, "
        "NULL AS choice, t.text FROM vote_statements t JOIN votes v ON v.id = t.vote_id "
        "JOIN states s ON s.iso3 = t.iso3 "
        "UNION ALL SELECT b.vote_id, v.symbol, v.date, v.body, b.iso3, s.name, s.regional_group, "
        "'explanation', b.choice, b.explanation FROM ballots b JOIN votes v ON v.id = b.vote_id "
        "JOIN states s ON s.iso3 = b.iso3 WHERE b.explanation IS NOT NULL"
        ") ORDER BY vote_id, kind != 'dissociation', name"
    )


def write_csv_folder(store, folder: Path, symbol: str, as_of: str | None, today: date) -> list[str]:
    from cahtracker.serialise import write_csv_dicts

    written = []
    for name, rows in _csv_tables(store, symbol, as_of, today).items():
        path = folder / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            if callable(rows):  # a cursor, streamed
                cursor = rows()
                write_csv_dicts(cursor, [c[0] for c in cursor.description], handle)
            else:
                write_csv_dicts(rows, list(rows[0].keys()) if rows else [], handle)
        written.append(path.name)
    return written


def json_document(store, symbol: str, as_of: str | None, today: date) -> dict[str, Any]:
    """Everything, shaped as the list commands' JSON, with the schema version and export time."""
    from cahtracker.db import SCHEMA_VERSION
    from cahtracker.documents import list_documents
    from cahtracker.positions import list_positions, position_history, topics
    from cahtracker.sourcing import unsourced_facts
    from cahtracker.sponsors import count_summary, current_sponsors, sponsor_history
    from cahtracker.state_page import state_pages
    from cahtracker.states import list_states
    from cahtracker.timeline import list_events
    from cahtracker.votes import list_votes

    _, matrix, _ = stance_counts(store, as_of)
    return {
        "schema_version": SCHEMA_VERSION,
        "exported_at": export_time(),
        "document": symbol,
        "as_of": as_of,
        "states": list_states(store),
        "documents": list_documents(store),
        "sponsors": current_sponsors(store, symbol, as_of),
        "sponsor_history": sponsor_history(store, symbol),
        "count": count_summary(store, symbol, as_of),
        "votes": list_votes(store),
        "process_votes": process_votes(store, symbol),
        "topics": topics(store),
        "positions": list_positions(store, as_of=as_of),
        "position_history": position_history(store, None),
        "matrix": matrix,
        "timeline": list_events(store, on=today),
        "analysis": analysis_sections(store, symbol, as_of),
        "unsourced": unsourced_facts(store, symbol, as_of),
        # one page per state, as `states show STATE -f json` prints it for this document
        "state_pages": state_pages(store, symbol),
    }


# the tables whose rows say what kind of source backs them (m008_source_kinds)
SOURCED_TABLES = ("positions", "events", "count_claims", "sponsorship_events", "document_notes")


@contextmanager
def official_only_copy(store) -> Iterator[Any]:
    """A copy of the database, in memory, without the rows whose source is not official
    (provenance.OFFICIAL_KINDS; a row with no recorded kind is not official), so that every
    figure of a report (sponsors, counts, stances, targets, timeline) is derived from
    official sources alone. Votes and documents have no source kind and stay as they are."""
    import sqlite3

    from cahtracker.db import Store, add_collations
    from cahtracker.provenance import official_clause

    copy = sqlite3.connect(":memory:", isolation_level=None)
    add_collations(copy)
    try:
        store.conn.backup(copy)
        for table in SOURCED_TABLES:
            copy.execute(
                f"DELETE FROM {table} WHERE source_kind IS NULL OR NOT {official_clause()}"
            )
        yield Store(store.path, copy)
    finally:
        copy.close()


def _target_path(output: Path) -> Path:
    output = Path(output).expanduser()
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise CahError(
            f"Cannot write {output}: the folder {parent} does not exist; create it or give another --output."
        )
    if not os.access(parent, os.W_OK):
        raise CahError(f"Cannot write {output}: the folder {parent} is not writable.")
    return output


# In every CSV export folder: its first line, then the name of each file the export wrote.
# A later export replaces a folder only if this file is there and the folder holds nothing else.
EXPORT_MARKER = ".cahtracker-export"
MARKER_LINE = "cahtracker CSV export"
# what each single-file export begins (or ends) with: a file without it is not replaced
_SIGNATURES = {
    "json": (rb'\A\{\s*"schema_version":\s*\d+,\s*"exported_at":', None),
    "markdown": (rb"\A# Crimes against humanity treaty: ", rb"Generated by cahtracker on "),
    "html": (rb'\A<!DOCTYPE html>\s.*?<meta name="generator" content="cahtracker">', None),
    "svg": (rb'\A<\?xml [^>]*\?>\s*<svg [^>]*class="cah-map', None),
}


def not_a_previous_export(fmt: str, output: Path) -> str | None:
    """Why `output` (which exists) is not an earlier export of this format, or None if it is."""
    import re

    if output.is_dir() != (fmt == "csv"):
        return f"is {'a folder' if output.is_dir() else 'a file'}, not a {fmt} export"
    if fmt == "csv":
        from cahtracker.outputs import not_our_folder

        return not_our_folder(output, EXPORT_MARKER, MARKER_LINE, "CSV export")
    head_pattern, tail_text = _SIGNATURES[fmt]
    with open(output, "rb") as handle:
        head = handle.read(4096)
        handle.seek(max(0, output.stat().st_size - 512))
        tail = handle.read(512)
    if not re.match(head_pattern, head, re.DOTALL) or (tail_text and tail_text not in tail):
        return f"is not a cahtracker {fmt} export"
    return None


def export(
    store,
    fmt: str,
    output: Path,
    symbol: str,
    as_of: str | None = None,
    today: date | None = None,
    overwrite: bool = False,
    official_only: bool = False,
    world_map: str | None = None,
    vote_ref: str | None = None,
) -> dict[str, Any]:
    """Write the export beside `output` and rename it into place (nothing half-written).

    Returns {format, path, files}. `output` may be replaced only if it is an earlier export
    of the same format and `overwrite` is set; outputs.refuse_unsafe lists what is refused
    whatever is set (the database, a folder holding it, the working directory, links, ...).
    With `official_only`, the report is made from the official sources alone
    (`official_only_copy`) and says so. An svg export is the world map alone (`world_map`:
    sponsors, or vote with `vote_ref`).
    """
    maps = (world_map, vote_ref)
    if official_only:
        with official_only_copy(store) as official:
            return _export(official, fmt, output, symbol, as_of, today, overwrite, True, maps)
    return _export(store, fmt, output, symbol, as_of, today, overwrite, False, maps)


def _export(
    store,
    fmt: str,
    output: Path,
    symbol: str,
    as_of,
    today,
    overwrite: bool,
    official_only: bool,
    maps: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    from cahtracker.outputs import clean_leftovers, permissions, put_in_place, refuse_unsafe, staged

    world_map, vote_ref = maps
    output = _target_path(output)
    refuse_unsafe(output, store.path, "export")
    today = report_date(today)
    try:
        clean_leftovers(output)
        if os.path.lexists(output):
            if not overwrite:
                raise CahError(
                    f"{output} already exists; pass --force to replace it (only an earlier "
                    f"{fmt} export is ever replaced)."
                )
            reason = not_a_previous_export(fmt, output)
            if reason:
                raise CahError(
                    f"{output} {reason}, so it is not replaced, even with --force; give "
                    "another --output."
                )
        if fmt == "csv":
            with staged(output, folder=True) as staging:
                files = write_csv_folder(store, staging, symbol, as_of, today)
                (staging / EXPORT_MARKER).write_text(
                    "\n".join([MARKER_LINE, *files]) + "\n", encoding="utf-8"
                )
                os.chmod(staging, permissions(0o777))
                put_in_place(staging, output)
            return {"format": fmt, "path": str(output), "files": files}
        title = None
        with staged(output) as staging:
            if fmt == "svg":
                text, title = map_text(
                    store, world_map or "sponsors", symbol, vote_ref, as_of, today
                )
            else:
                text = render_text(store, fmt, symbol, as_of, today, official_only)
            with open(staging, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.chmod(staging, permissions(0o666))
            put_in_place(staging, output)
    except OSError as error:
        raise CahError(
            f"Cannot write {output}: {error.strerror or error}. Nothing was written."
        ) from None
    return {"format": fmt, "path": str(output), "files": [output.name], "title": title}


def export_text(
    store,
    fmt: str,
    symbol: str,
    as_of: str | None = None,
    official_only: bool = False,
    world_map: str | None = None,
    vote_ref: str | None = None,
) -> str:
    """The export as text, for standard output (`-o -`): the single-file formats only."""
    if fmt == "csv":
        raise CahError(
            "A CSV export is a folder of files, so it cannot go to standard output; give "
            "--output FOLDER, or -f json, markdown, html or svg with -o -."
        )
    if official_only:
        with official_only_copy(store) as official:
            return _text(official, fmt, symbol, as_of, True, world_map, vote_ref)
    return _text(store, fmt, symbol, as_of, False, world_map, vote_ref)


def _text(store, fmt, symbol, as_of, official_only, world_map, vote_ref) -> str:
    if fmt == "svg":
        return map_text(store, world_map or "sponsors", symbol, vote_ref, as_of)[0]
    return render_text(store, fmt, symbol, as_of, report_date(), official_only)


def render_text(
    store, fmt: str, symbol: str, as_of: str | None, today: date, official_only: bool = False
) -> str:
    if fmt == "json":
        from cahtracker.serialise import to_json

        document = json_document(store, symbol, as_of, today)
        return to_json(document | {"official_only": official_only}) + "\n"
    model = build_report(store, symbol, as_of, today)
    model["exported_at"] = export_time()
    model["official_only"] = official_only
    if fmt == "markdown":
        from cahtracker.report.markdown import markdown_report

        return markdown_report(model)
    from cahtracker.report.html import html_report

    return html_report(model)
