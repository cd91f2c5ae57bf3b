"""`vote show`: a decision with its tally, official totals, statements and ballots."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

from cahtracker.names import name_key
from cahtracker.serialise import markdown_cell, markdown_table
from cahtracker.sourcing import source_text
from cahtracker.views.listing import View
from cahtracker.voting import (
    CHOICES,
    LABELS,
    TALLY_KEYS,
    coverage_line,
    not_recorded_lines,
    tally_key,
)

COLOURS = {
    "yes": "green",
    "no": "red",
    "abstain": "yellow",
    "non_voting": "grey50",
    "absent": "grey50",
}


def headline(vote: dict[str, Any]) -> list[str]:
    lines = [
        f"Vote {vote['id']} on {vote['symbol']} — {vote['body'] or 'body not given'}, {vote['date'] or 'date unknown'}"
        + (f", {vote['meeting']}" if vote.get("meeting") else ""),
        f"Method: {vote['method']}; outcome: {vote['outcome'] or 'not given'}"
        + (f"; majority: {vote['majority']}" if vote.get("majority") else ""),
    ]
    partial = coverage_line(vote.get("coverage"))
    if partial:
        lines.append(f"Partial record: {partial}")
    lines += not_recorded_lines(vote.get("ballots_not_recorded") or [])
    official = vote.get("official_totals")
    if official:
        lines.append(
            "Official totals: "
            + ", ".join(f"{k.replace('_', '-')} {v}" for k, v in official.items() if v is not None)
        )
    for statement in vote.get("statements", []):
        text = f": {statement['text']}" if statement.get("text") else ""
        lines.append(f"{statement['name']} — {statement['kind']}{text}")
    sources = vote.get("sources") or []
    if len(sources) > 1:
        lines.append("Sources: " + "; ".join(s["source"] or s["key"] for s in sources))
    else:
        lines.append(f"Source: {source_text(vote.get('source'))}")
    if vote.get("question"):
        lines.append(f"Voted on: {vote['question']}")
    for d in vote.get("ballot_differences", []):
        lines.append(
            f"Sources differ: {d['name']} {d['vote_choice'] or 'no ballot'} here, "
            f"{d['choice'] or 'no ballot'} in {d['key']}"
        )
    if vote.get("note"):
        lines.append(f"Note: {vote['note']}")
    return lines


class VoteView(View):
    """JSON: the vote object; CSV: one row per ballot; Markdown and tables: the whole vote."""

    def __init__(self, vote: dict[str, Any]) -> None:
        self.vote = vote

    def json_data(self) -> Any:
        return self.vote

    def csv_table(self) -> tuple[list[str], Iterable[Sequence[Any]]]:
        return CSV_KEYS, (
            [row.get(k) for k in CSV_KEYS] for row in ballot_rows(self.vote, with_vote=True)
        )

    def markdown(self) -> str:
        vote = self.vote
        tally_rows = [{"choice": LABELS[k], "count": v} for k, v in vote["tally"].items()]
        lines = [markdown_cell(line) for line in headline(vote)]
        parts = [f"**{lines[0]}**", *lines[1:]]
        parts += [f"Warning: {markdown_cell(w)}" for w in vote["warnings"]]
        if vote["ballots"]:
            parts.append(markdown_table(tally_rows, [("choice", "Choice"), ("count", "Count")]))
        if vote.get("by_group"):
            rows = [{"group": g, **t} for g, t in vote["by_group"].items()]
            parts.append(
                markdown_table(rows, [("group", "Group")] + [(k, LABELS[k]) for k in LABELS])
            )
        if vote["ballots"] or vote.get("statements"):
            parts.append(
                markdown_table(
                    ballot_rows(vote, missing=False),
                    [
                        ("iso3", "ISO3"),
                        ("name", "State"),
                        ("choice", "Vote"),
                        ("statement", "Statement"),
                        ("text", "Text"),
                    ],
                )
            )
        missing = [m["name"] for m in vote.get("members_not_recorded") or []]
        if missing:
            parts.append(markdown_cell(f"{NOT_RECORDED} ({len(missing)}): {', '.join(missing)}"))
        return "\n\n".join(parts) + "\n"

    def print_table(self) -> None:
        from rich.table import Table
        from rich.text import Text

        from cahtracker.views.render import get_console

        vote = self.vote
        console = get_console()
        for i, line in enumerate(headline(vote)):
            console.print(Text(line, style="bold" if i == 0 else ""))
        for warning in vote["warnings"]:
            console.print(Text(f"Warning: {warning}", style="bold yellow"))
        tally = vote["tally"]
        total = sum(tally.values())
        if total:
            width = 40
            table = Table(show_header=False, box=None, pad_edge=False)
            table.add_column()
            table.add_column(justify="right")
            table.add_column()
            for key, count in tally.items():
                bar = "█" * round(width * count / total)
                table.add_row(Text(LABELS[key]), Text(str(count)), Text(bar, style=COLOURS[key]))
            console.print(table)
        if vote.get("by_group"):
            table = Table(title="By regional group", title_justify="left")
            table.add_column("Group")
            for key in LABELS:
                table.add_column(LABELS[key], justify="right")
            for group, counts in vote["by_group"].items():
                table.add_row(
                    Text(group), *(Text(str(counts[k]), style=COLOURS[k]) for k in LABELS)
                )
            console.print(table)
        for choice in CHOICES:
            key = tally_key(choice)
            names = [b["name"] for b in vote["ballots"] if b["choice"] == choice]
            if names:
                line = Text(f"{LABELS[key]} ({len(names)}): ", style=f"bold {COLOURS[key]}")
                line.append(Text(", ".join(names)))
                console.print(line)
        missing = [m["name"] for m in vote.get("members_not_recorded") or []]
        if missing:
            line = Text(f"{NOT_RECORDED} ({len(missing)}): ", style="bold")
            line.append(Text(", ".join(missing)))
            console.print(line)
        for ballot in vote["ballots"]:
            if ballot.get("explanation"):
                console.print(Text(f"{ballot['name']} — explanation: {ballot['explanation']}"))
        sys.stdout.flush()


NOT_RECORDED = "Not recorded"
CSV_KEYS = [
    *("vote_id", "symbol", "date", "body", "iso3", "name", "regional_group"),
    *("choice", "statement", "text"),
]


def ballot_rows(
    vote: dict[str, Any], with_vote: bool = False, missing: bool = True
) -> list[dict[str, Any]]:
    """One row per state the vote names: its ballot (choice, and an explanation as its
    statement), a statement without a ballot (a dissociation, an explanation), or, for a
    partial record and unless `missing` is false, "not recorded"; by name."""
    rows: dict[str, dict[str, Any]] = {}

    def row(state: dict[str, Any]) -> dict[str, Any]:
        return rows.setdefault(
            state["iso3"],
            {
                "iso3": state["iso3"],
                "name": state["name"],
                "regional_group": state.get("regional_group"),
                "choice": None,
                "statement": None,
                "text": None,
            },
        )

    for ballot in vote["ballots"]:
        found = row(ballot)
        found["choice"] = ballot["choice"]
        if ballot.get("explanation"):
            found.update(statement="explanation", text=ballot["explanation"])
    for statement in vote.get("statements") or []:
        found = row(statement)
        if found["statement"]:  # a second statement of the same state: both kept
            found = rows.setdefault(f"{statement['iso3']}#{len(rows)}", dict(found, text=None))
        found.update(statement=statement["kind"], text=statement["text"])
    for member in vote.get("members_not_recorded") or [] if missing else []:
        row(member)["choice"] = NOT_RECORDED.lower()
    for i, lost in enumerate(vote.get("ballots_not_recorded") or [] if missing else []):
        # a ballot of the source not recorded: named as the source named it, without a code
        times = f" ×{lost['ballots']}" if lost["ballots"] > 1 else ""
        rows[f"\x00{i}"] = {
            "iso3": None,
            "name": lost["name"],
            "regional_group": None,
            "choice": NOT_RECORDED.lower(),
            "statement": lost["reason"],
            "text": f"{lost['choice']} in the source{times}",
        }
    ordered = sorted(rows.values(), key=lambda r: name_key(r["name"]))
    if with_vote:
        head = {k: vote[k] for k in ("symbol", "date", "body")}
        return [{"vote_id": vote["id"], **head, **r} for r in ordered]
    return ordered


# a vote list's count for a decision without ballots, in a table (JSON: null; CSV: empty)
NO_COUNT = "–"
NO_TALLY = dict.fromkeys(TALLY_KEYS)
# the coverage columns of a vote list's CSV, empty for a decision without ballots
NO_COVERAGE = dict.fromkeys(
    ("members", "recorded", "not_recorded", "ballots_not_recorded", "complete")
)
PARTIAL_IDS_SHOWN = 10


def partial_footer(votes: Sequence[dict[str, Any]]) -> list[str]:
    """One line naming the listed votes whose ballots do not cover their body's members."""
    partial = [v["id"] for v in votes if v.get("coverage") and not v["coverage"]["complete"]]
    if not partial:
        return []
    shown = ", ".join(str(i) for i in partial[:PARTIAL_IDS_SHOWN])
    more = (
        f" and {len(partial) - PARTIAL_IDS_SHOWN} more" if len(partial) > PARTIAL_IDS_SHOWN else ""
    )
    noun = "vote has" if len(partial) == 1 else "votes have"
    return [
        f"{len(partial)} {noun} ballots for only part of the body's members or of the "
        f"source's ballots (`vote show ID` names who is missing): {shown}{more}."
    ]


def recorded_legend(votes: Sequence[dict[str, Any]]) -> list[str]:
    """What the Recorded column of a vote list means (printed only when it is shown)."""
    if not any(v.get("coverage") for v in votes):
        return []
    line = (
        "Recorded: members of the body with a ballot, of its members on the day ('all': "
        "every one; '?': membership not known)"
    )
    if any((v.get("coverage") or {}).get("ballots_not_recorded") for v in votes):
        line += "; '+N': N ballots of the source not recorded (former states, unknown names)"
    return [line + "."]


def more_footer(shown: int, total: int, noun: str) -> list[str]:
    """ "Showing 20 of 6,206 votes (6,186 more): -n 6206 shows them all." when cut by -n."""
    if shown >= total:
        return []
    return [
        f"Showing {shown:,} of {total:,} {noun} ({total - shown:,} more): `-n {total}` shows "
        "them all, or narrow the list (--from/--to)."
    ]
