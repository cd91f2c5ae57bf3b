"""`vote import`: the progress bar while it reads, and the summary of what it did."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cahtracker.safe_text import for_terminal_line
from cahtracker.serialise import markdown_cell
from cahtracker.views.listing import Record, View
from cahtracker.views.render import get_console, message


@contextmanager
def import_progress(file: Path):
    """A Rich progress bar on stderr when it is a terminal; otherwise no callback."""
    from cahtracker.views.plain_table import plain_width

    if plain_width(sys.stderr) is not None:  # surely no terminal: spare importing Rich
        yield None
        return
    console = get_console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("Importing {task.description}", markup=False),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(for_terminal_line(Path(file).name), total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class ImportSummaryView(View):
    """JSON and CSV: the summary's figures; tables and Markdown: what was done, in words."""

    def __init__(self, summary) -> None:
        self.summary = summary
        self.data = summary.as_dict()

    def json_data(self) -> Any:
        return self.data

    def csv_table(self) -> tuple[list[str], Iterable[Sequence[Any]]]:
        return Record(self.data).csv_table()

    def lines(self) -> list[tuple[str, str]]:
        """(text, style) of each line of the summary."""
        summary = self.summary
        lines = [
            (
                f"Imported {_count(summary.votes, 'vote')} with {_count(summary.ballots, 'ballot')} "
                f"from {summary.file} ({summary.format})"
                + (f"; {summary.replaced} replaced an earlier import" if summary.replaced else "")
                + (
                    f"; {summary.merged} added as another source of a vote already recorded"
                    if summary.merged
                    else ""
                )
                + ".",
                "",
            )
        ]
        if summary.readings:  # first, as sponsors import says them: ballots hang on them
            lines.insert(
                0,
                (
                    f"CHECK {_count(len(summary.readings), 'close reading')} of names in the "
                    "file (each the one state it closely spells): "
                    + "; ".join(summary.readings[:20])
                    + (
                        f"; and {len(summary.readings) - 20} more"
                        if len(summary.readings) > 20
                        else ""
                    )
                    + ".",
                    "bold yellow",
                ),
            )
        if summary.documents_created:
            shown = ", ".join(summary.documents_created[:10])
            extra = len(summary.documents_created) - 10
            more = f" and {extra} more" if extra > 0 else ""
            lines.append(
                (f"Documents created: {len(summary.documents_created)} ({shown}{more}).", "")
            )
        for reason, rows in summary.skipped.items():
            lines.append((f"Skipped {_count(rows, 'row')}: {reason}.", ""))
        for label, rows in summary.unknown.items():
            lines.append(
                (
                    f"Skipped {_count(rows, 'row')}: unknown state {label} (--skip-unknown).",
                    "yellow",
                )
            )
        if summary.differences:
            lines.append((f"Ballots the sources disagree on: {len(summary.differences)}", "yellow"))
            lines += [(f"  {line}", "yellow") for line in summary.differences[:20]]
            if len(summary.differences) > 20:
                lines.append(
                    (f"  and {len(summary.differences) - 20} more (-o json lists them)", "")
                )
        if summary.mismatches:
            lines.append((f"Totals mismatches: {len(summary.mismatches)}", "bold yellow"))
            lines += [(f"  {line}", "yellow") for line in summary.mismatches[:20]]
        else:
            lines.append(("Totals mismatches: none.", ""))
        return lines

    def markdown(self) -> str:
        return "\n\n".join(markdown_cell(text) for text, _ in self.lines()) + "\n"

    def print_table(self) -> None:
        for text, style in self.lines():
            message(text, style=style)
