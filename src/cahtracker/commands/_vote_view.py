"""Rendering for `vote show` and `vote import` (Rich is imported only when it prints)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cahtracker.output import (
    OutputFormat,
    get_console,
    markdown_cell,
    markdown_table,
    message,
    render,
    render_object,
)

_COLOURS = {
    "yes": "green",
    "no": "red",
    "abstain": "yellow",
    "non_voting": "grey50",
    "absent": "grey50",
}
_LABELS = {
    "yes": "Yes",
    "no": "No",
    "abstain": "Abstain",
    "non_voting": "Non-voting",
    "absent": "Absent",
}


def _headline(vote: dict[str, Any]) -> list[str]:
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
    if vote.get("source"):
        lines.append(f"Source: {vote['source']}")
    if vote.get("note"):
        lines.append(f"Note: {vote['note']}")
    return lines


def render_vote(vote: dict[str, Any], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        render_object(vote, fmt)
        return
    if fmt is OutputFormat.csv:
        render(
            [{"vote_id": vote["id"], "symbol": vote["symbol"], **b} for b in vote["ballots"]],
            fmt,
            columns=[("vote_id", ""), ("symbol", ""), ("iso3", ""), ("name", ""), ("choice", "")],
        )
        return
    tally_rows = [{"choice": _LABELS[k], "count": v} for k, v in vote["tally"].items()]
    if fmt is OutputFormat.markdown:
        lines = [markdown_cell(line) for line in _headline(vote)]
        parts = [f"**{lines[0]}**", *lines[1:]]
        parts += [f"Warning: {markdown_cell(w)}" for w in vote["warnings"]]
        if vote["ballots"]:
            parts.append(markdown_table(tally_rows, [("choice", "Choice"), ("count", "Count")]))
        if vote.get("by_group"):
            rows = [{"group": g, **t} for g, t in vote["by_group"].items()]
            parts.append(
                markdown_table(rows, [("group", "Group")] + [(k, _LABELS[k]) for k in _LABELS])
            )
        if vote["ballots"]:
            parts.append(
                markdown_table(
                    vote["ballots"], [("iso3", "ISO3"), ("name", "State"), ("choice", "Vote")]
                )
            )
        sys.stdout.write("\n\n".join(parts) + "\n")
        return
    _rich_vote(vote)


def _rich_vote(vote: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    console = get_console()
    for i, line in enumerate(_headline(vote)):
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
            table.add_row(Text(_LABELS[key]), Text(str(count)), Text(bar, style=_COLOURS[key]))
        console.print(table)
    if vote.get("by_group"):
        table = Table(title="By regional group", title_justify="left")
        table.add_column("Group")
        for key in _LABELS:
            table.add_column(_LABELS[key], justify="right")
        for group, counts in vote["by_group"].items():
            table.add_row(Text(group), *(Text(str(counts[k]), style=_COLOURS[k]) for k in _LABELS))
        console.print(table)
    choice_keys = {
        "yes": "yes",
        "no": "no",
        "abstain": "abstain",
        "non-voting": "non_voting",
        "absent": "absent",
    }
    for choice, key in choice_keys.items():
        names = [b["name"] for b in vote["ballots"] if b["choice"] == choice]
        if names:
            line = Text(f"{_LABELS[key]} ({len(names)}): ", style=f"bold {_COLOURS[key]}")
            line.append(Text(", ".join(names)))
            console.print(line)


@contextmanager
def import_progress(file: Path):
    """A Rich progress bar on stderr when it is a terminal; otherwise no callback."""
    from cahtracker.plain_table import plain_width

    if plain_width(sys.stderr) is not None:  # surely no terminal: spare importing Rich
        yield None
        return
    console = get_console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("Importing {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(Path(file).name, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def render_summary(summary, fmt: OutputFormat) -> None:
    data = summary.as_dict()
    if fmt is OutputFormat.json:
        render_object(data, fmt)
        return
    message(
        f"Imported {_count(summary.votes, 'vote')} with {_count(summary.ballots, 'ballot')} "
        f"from {summary.file} "
        f"({summary.format})"
        + (f"; {summary.replaced} replaced an earlier import" if summary.replaced else "")
        + "."
    )
    if summary.documents_created:
        shown = ", ".join(summary.documents_created[:10])
        more = (
            f" and {len(summary.documents_created) - 10} more"
            if len(summary.documents_created) > 10
            else ""
        )
        message(f"Documents created: {len(summary.documents_created)} ({shown}{more}).")
    for reason, rows in summary.skipped.items():
        message(f"Skipped {_count(rows, 'row')}: {reason}.")
    for label, rows in summary.unknown.items():
        message(
            f"Skipped {_count(rows, 'row')}: unknown state {label} (--skip-unknown).",
            style="yellow",
        )
    if summary.mismatches:
        message(f"Totals mismatches: {len(summary.mismatches)}", style="bold yellow")
        for line in summary.mismatches[:20]:
            message(f"  {line}", style="yellow")
    else:
        message("Totals mismatches: none.")
