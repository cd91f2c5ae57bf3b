"""`vote show`: a decision with its tally, official totals, statements and ballots."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

from cahtracker.serialise import markdown_cell, markdown_table
from cahtracker.sourcing import source_text
from cahtracker.views.listing import View
from cahtracker.voting import CHOICES, LABELS, tally_key

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
        vote = self.vote
        keys = ["vote_id", "symbol", "iso3", "name", "choice"]
        return keys, (
            [vote["id"], vote["symbol"], b["iso3"], b["name"], b["choice"]] for b in vote["ballots"]
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
        if vote["ballots"]:
            parts.append(
                markdown_table(
                    vote["ballots"], [("iso3", "ISO3"), ("name", "State"), ("choice", "Vote")]
                )
            )
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
        sys.stdout.flush()
