"""`cahtracker report`: a one-screen dashboard, and exports to publish (HTML, Markdown, CSV, JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cahtracker.commands.options import AsOfOption, DocOption
from cahtracker.invocation import get_store
from cahtracker.output import message, working

app = typer.Typer(
    help="Reports: a one-screen dashboard and publishable exports (HTML, Markdown, CSV, JSON).",
    no_args_is_help=True,
)

DASHBOARD_WIDTH = 100  # when not on a terminal (a pipe, a file, the golden test)
BAR_WIDTH = 36
_CHOICE_STYLES = {"yes": "green", "no": "red", "abstain": "yellow"}


def _symbol_and_date(ctx: typer.Context, doc: str | None, as_of: str | None):
    from cahtracker.sponsors import resolve_symbol

    store = get_store(ctx)
    on = None
    if as_of is not None:
        from cahtracker.dates import parse_date
        from cahtracker.timeline import current_date

        on = parse_date(as_of, current_date()).value
    return store, resolve_symbol(store, doc), on


@app.command("tally")
def tally_command(ctx: typer.Context, doc: DocOption = None, as_of: AsOfOption = None) -> None:
    """One screen: sponsors against the latest reported count, groups, latest votes, stances, next event."""
    from cahtracker.report import dashboard

    store, symbol, on = _symbol_and_date(ctx, doc, as_of)
    _print_dashboard(dashboard(store, symbol, on))


@app.command("export")
def export_command(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="File to write (a folder for csv)."),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="html, markdown, csv (a folder of CSV files) or json; default: from --output's extension.",
        ),
    ] = None,
    doc: DocOption = None,
    as_of: AsOfOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --output if it exists.")] = False,
) -> None:
    """Write the report to a file (or a folder of CSV files), in full or not at all."""
    from cahtracker.report import export, resolve_format

    chosen = resolve_format(fmt, output)
    store, symbol, on = _symbol_and_date(ctx, doc, as_of)
    with working(f"Writing the {chosen} report…"):
        result = export(store, chosen, output, symbol, on, overwrite=force)
    if chosen == "csv":
        message(f"Wrote {len(result['files'])} CSV files to {result['path']}/.")
    else:
        message(f"Wrote the {chosen} report of {symbol} to {result['path']}.")


def _console():
    from rich.console import Console

    from cahtracker.output import get_console

    console = get_console()
    if console.is_terminal:
        return console
    return Console(file=console.file, highlight=False, width=DASHBOARD_WIDTH)


def _bar(count: int, top: int) -> str:
    return "█" * round(BAR_WIDTH * count / top) if top else ""


def _print_dashboard(data: dict[str, Any]) -> None:
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    console = _console()
    doc = data["document"]
    count = data["count"]
    when = f"as of {data['as_of']}" if data["as_of"] else f"today {data['today']}"
    console.print(Rule(Text(f"{doc['symbol']} — {when}", style="bold"), align="left"))
    if doc.get("title"):
        console.print(Text(doc["title"], style="dim"))
    latest = count["latest_claim"]
    headline = Text("Sponsors: ", style="bold")
    headline.append(Text(f"{count['recorded']} recorded", style="bold cyan"))
    if latest:
        headline.append(" · latest reported count ")
        headline.append(Text(str(latest["count"]), style="bold magenta"))
        headline.append(f" ({latest['date'] or 'date unknown'})")
    console.print(headline)
    console.print(Text(data["gap_line"], style="dim"))

    groups = Table(box=None, show_header=False, pad_edge=False, title=None)
    groups.add_column(min_width=28)
    groups.add_column(justify="right")
    groups.add_column()
    top = max(count["by_group"].values(), default=0)
    for group, n in count["by_group"].items():
        groups.add_row(Text(group), Text(str(n)), Text(_bar(n, top), style="cyan"))
    console.print(Text("\nSponsors by regional group", style="bold"))
    console.print(groups)

    console.print(Text(f"\nLatest votes ({data['votes_total']} on this text)", style="bold"))
    if data["latest_votes"]:
        votes = Table(box=None, pad_edge=False, header_style="dim")
        for header, justify in (
            ("Date", "left"),
            ("Symbol", "left"),
            ("Body", "left"),
            ("Outcome", "left"),
            ("Yes", "right"),
            ("No", "right"),
            ("Abst.", "right"),
        ):
            votes.add_column(header, justify=justify)
        for vote in data["latest_votes"]:
            tally = vote["tally"]
            recorded = sum(tally.values()) > 0
            outcome = vote["outcome"] or "not given"
            if not recorded:
                method = vote["method"]
                outcome = method if method.startswith(outcome) else f"{outcome} ({method})"
            votes.add_row(
                Text(vote["date"] or ""),
                Text(vote["symbol"]),
                Text(vote["body"] or ""),
                Text(outcome, style="green" if vote["outcome"] == "adopted" else ""),
                *(
                    Text(str(tally[k]) if recorded else "–", style=_CHOICE_STYLES[k])
                    for k in ("yes", "no", "abstain")
                ),
            )
        console.print(votes)
    else:
        console.print(Text("No decision recorded on this text.", style="dim"))

    console.print(Text("\nStances per topic", style="bold"))
    stances = Table(box=None, pad_edge=False, header_style="dim")
    stances.add_column("Topic")
    for header in ("Support", "Oppose", "Mixed", "Undecided"):
        stances.add_column(header, justify="right")
    for row in data["stance_counts"]:
        stances.add_row(
            Text(row["topic"]),
            Text(str(row["support"]), style="green"),
            Text(str(row["oppose"]), style="red"),
            Text(str(row["mixed"]), style="yellow"),
            Text(str(row["undecided"]), style="dim"),
        )
    console.print(stances)

    event = data["next_event"]
    line = Text("\nNext: ", style="bold")
    if event:
        precision = "" if event["date_precision"] == "day" else f" ({event['date_precision']})"
        line.append(f"{event['starts_on']}{precision} {event['title']}")
        if event["place"]:
            line.append(f", {event['place']}")
        if event["source"]:
            line.append(Text(f" — {event['source']}", style="dim"))
    else:
        line.append("no coming event on the timeline.")
    console.print(line)
