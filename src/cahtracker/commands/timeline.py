"""`cahtracker timeline`: the process's past and coming events."""

from typing import Annotated

import typer

from cahtracker.commands.options import FormatOption
from cahtracker.invocation import get_store
from cahtracker.output import OutputFormat, message, render

app = typer.Typer(
    help="The treaty process timeline: sessions, meetings and decisions, past and coming.",
    no_args_is_help=True,
)

EVENT_COLUMNS = [
    ("starts_on", "Start"),
    ("ends_on", "End"),
    ("date_precision", "Precision"),
    ("status", "Status"),
    ("title", "Event"),
    ("body", "Body"),
    ("place", "Place"),
    ("source", "Source"),
]


@app.command("list")
def list_command(
    ctx: typer.Context,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Only events that end on or after this date.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Only events that start on or before this date.")
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Past and coming events by start date; the next one is marked (today: $CAHTRACKER_TODAY)."""
    from cahtracker.dates import parse_date
    from cahtracker.timeline import current_date, list_events

    today = current_date()
    start = parse_date(date_from, today).value if date_from is not None else None
    end = parse_date(date_to, today).value if date_to is not None else None
    rows = list_events(get_store(ctx), start, end, today)
    if fmt is OutputFormat.table:
        shown = [{**r, "marker": "▶ next" if r["next"] else ""} for r in rows]
        first = ("marker", "")
    else:
        shown, first = rows, ("next", "Next")
    render(
        shown,
        fmt,
        columns=[first, *EVENT_COLUMNS],
        title=f"Timeline (today {today.isoformat()})",
        empty="No events in this range.",
    )


@app.command("add")
def add_command(
    ctx: typer.Context,
    date: Annotated[str, typer.Argument(help="Start date: 2026-01-19, January 2026, 2028, ...")],
    title: Annotated[str, typer.Argument(help="What happens, e.g. 'Preparatory committee'.")],
    end: Annotated[str | None, typer.Option("--end", help="Last day, if it lasts longer.")] = None,
    place: Annotated[str | None, typer.Option("--place", help="Where, e.g. New York.")] = None,
    body: Annotated[
        str | None, typer.Option("--body", help="Which body meets, e.g. General Assembly.")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Document symbol, press release or URL.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Anything else worth keeping.")] = None,
) -> None:
    """Add an event to the timeline."""
    from cahtracker.dates import parse_date
    from cahtracker.timeline import add_event, current_date

    today = current_date()
    start = parse_date(date, today)
    finish = parse_date(end, today).value if end is not None else None
    row = add_event(
        get_store(ctx), start.value, start.precision, title, finish, place, body, source, note
    )
    until = f" to {row['ends_on']}" if row["ends_on"] else ""
    message(
        f"Added event #{row['id']}: {row['starts_on']}{until} ({row['date_precision']}) {row['title']}."
    )
