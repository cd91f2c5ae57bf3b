"""`cahtracker timeline`: the process's past and coming events."""

from typing import Annotated

import typer

from cahtracker.commands.options import (
    CahTyper,
    FormatOption,
    ResolvedHelpCommand,
    UnsourcedOption,
    date_option,
    examples,
    parse_date_option,
    value_of,
)
from cahtracker.dates import ParsedDate
from cahtracker.invocation import get_store
from cahtracker.views.listing import OPTIONAL, TEXT, Column, Listing, source_column
from cahtracker.views.render import OutputFormat, message, render

app = CahTyper(
    epilog=examples(
        "cahtracker timeline list",
    ),
    help="The treaty process timeline: sessions, meetings and decisions, past and coming.",
    no_args_is_help=True,
)

EVENT_COLUMNS = [
    ("starts_on", "Start"),
    ("ends_on", "End"),
    ("date_precision", "Precision", OPTIONAL),
    ("status", "Status", OPTIONAL),
    ("title", "Event", TEXT),
    ("body", "Body", OPTIONAL),
    ("place", "Place", OPTIONAL),
    source_column(),
    ("source_kind", "Source kind"),
]


@app.command(
    "list",
    cls=ResolvedHelpCommand,
    epilog=examples(
        "cahtracker timeline list",
        "cahtracker timeline list --from 2026 --to 2028 -f json",
    ),
)
def list_command(
    ctx: typer.Context,
    date_from: Annotated[
        ParsedDate | None,
        date_option("--from", help="Only events that end on or after this date."),
    ] = None,
    date_to: Annotated[
        ParsedDate | None,
        date_option("--to", help="Only events that start on or before this date."),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Past and coming events by start date; the next one is marked ({today})."""
    from cahtracker.dates import today
    from cahtracker.timeline import list_events

    on = today()
    rows = list_events(get_store(ctx), value_of(date_from), value_of(date_to), on)
    listing = Listing(
        rows,
        [Column("next", "Next", lambda r: "▶ next" if r["next"] else ""), *EVENT_COLUMNS],
        title=f"Timeline (today {on.isoformat()})",
        empty="No events in this range.",
    )
    render(listing, fmt)


@app.command(
    "add",
    epilog=examples(
        'cahtracker timeline add "12 April 2027" "Intersessional meeting" --end 2027-04-16 --place Geneva --source "..."   # illustrative',
    ),
)
def add_command(
    ctx: typer.Context,
    date: Annotated[
        ParsedDate,
        typer.Argument(
            parser=parse_date_option, help="Start date: 2026-01-19, January 2026, 2028, ..."
        ),
    ],
    title: Annotated[str, typer.Argument(help="What happens, e.g. 'Preparatory committee'.")],
    end: Annotated[
        ParsedDate | None, date_option("--end", help="Last day, if it lasts longer.")
    ] = None,
    place: Annotated[str | None, typer.Option("--place", help="Where, e.g. New York.")] = None,
    body: Annotated[
        str | None, typer.Option("--body", help="Which body meets, e.g. General Assembly.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source", help="Document symbol, press release or URL; needed unless --unsourced."
        ),
    ] = None,
    unsourced: UnsourcedOption = False,
    note: Annotated[str | None, typer.Option("--note", help="Anything else worth keeping.")] = None,
) -> None:
    """Add an event to the timeline."""
    from cahtracker.timeline import add_event

    row = add_event(
        get_store(ctx),
        date.value,
        date.precision,
        title,
        value_of(end),
        place,
        body,
        source,
        note,
        unsourced=unsourced,
    )
    until = f" to {row['ends_on']}" if row["ends_on"] else ""
    message(
        f"Added event #{row['id']}: {row['starts_on']}{until} ({row['date_precision']}) {row['title']}."
    )
