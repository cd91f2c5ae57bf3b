"""`cahtracker docs`: drafts, revisions, amendments and resolutions, and the default document."""

from typing import Annotated

import typer

from cahtracker.commands.completion import complete_symbol
from cahtracker.commands.options import (
    INT_MAX,
    INT_MIN,
    CahTyper,
    FormatOption,
    UnsourcedOption,
    date_option,
    examples,
)
from cahtracker.dates import ParsedDate
from cahtracker.invocation import get_store
from cahtracker.views.listing import OPTIONAL, TEXT, Column, Listing, Record, source_column
from cahtracker.views.render import OutputFormat, message, render

app = CahTyper(
    epilog=examples(
        "cahtracker docs list",
        "cahtracker docs show A/C.6/79/L.2/Rev.1",
    ),
    help="Documents (drafts, revisions, amendments, resolutions) and the default one.",
    no_args_is_help=True,
)


@app.command(
    "list",
    epilog=examples(
        "cahtracker docs list",
        "cahtracker docs list -f json",
    ),
)
def list_command(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """List every document with its kind, parent and date (* marks the default)."""
    from cahtracker.documents import list_documents

    listing = Listing(
        list_documents(get_store(ctx)),
        [
            Column("mark", "", lambda r: "*" if r["is_default"] else ""),
            ("symbol", "Symbol"),
            ("kind", "Kind", OPTIONAL),
            ("parent_symbol", "Parent"),
            ("date", "Date"),
            ("date_precision", "Precision", OPTIONAL),
            ("sponsorship_events", "Sponsor events", OPTIONAL),
            ("title", "Title", TEXT),
            source_column(),
        ],
        title="Documents",
        footer=["* the default document (`cahtracker docs use SYMBOL` changes it)"],
        empty="No documents; add one with `cahtracker docs add`.",
    )
    render(listing, fmt)


@app.command(
    "show",
    epilog=examples(
        "cahtracker docs show A/C.6/79/L.2/Rev.1",
        "cahtracker docs show A/RES/79/122 -f json",
    ),
)
def show_command(
    ctx: typer.Context,
    symbol: Annotated[
        str,
        typer.Argument(
            help="Document symbol, e.g. A/C.6/79/L.2/Rev.1.", autocompletion=complete_symbol
        ),
    ],
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show one document: its parent, what it revises, the texts that refer to it, counts."""
    from cahtracker.documents import show_document

    doc = show_document(get_store(ctx), symbol)
    render(Record(doc, title=doc["symbol"]), fmt)


@app.command(
    "add",
    epilog=examples(
        'cahtracker docs add A/C.6/80/L.3 --title "..." --kind draft --body "Sixth Committee" --date 2025-10-10 --source "..."   # illustrative',
        'cahtracker docs add A/C.6/80/L.3/Rev.1 --title "..." --kind draft --body "Sixth Committee" --parent A/C.6/80/L.3 --source "..."',
    ),
)
def add_command(
    ctx: typer.Context,
    symbol: Annotated[str, typer.Argument(help="UN symbol of the new document.")],
    title: Annotated[str, typer.Option("--title", help="Title as the document gives it.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="draft resolution, draft decision, amendment, resolution, decision, programme budget implications, report or other.",
        ),
    ],
    body: Annotated[
        str,
        typer.Option(
            "--body",
            help="Issuing body, a known one, e.g. 'Sixth Committee', 'General Assembly' (any letter case).",
        ),
    ],
    parent: Annotated[
        str | None,
        typer.Option(
            "--parent",
            help="The text it revises or amends (must exist).",
            autocompletion=complete_symbol,
        ),
    ] = None,
    date: Annotated[ParsedDate | None, date_option("--date", help="Date of the document.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Where to read it.")] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Where this record comes from; needed unless --unsourced."),
    ] = None,
    unsourced: UnsourcedOption = False,
    session: Annotated[
        int | None,
        typer.Option(
            "--session",
            help="GA session (default: read from the symbol).",
            min=INT_MIN,
            max=INT_MAX,
        ),
    ] = None,
    new_body: Annotated[
        bool, typer.Option("--new-body", help="Accept a --body not yet in the database.")
    ] = False,
) -> None:
    """Add a document (a revision names the text it revises with --parent)."""
    from cahtracker.documents import add_document

    row = add_document(
        get_store(ctx),
        symbol,
        title=title,
        kind=kind,
        body=body,
        parent=parent,
        when=date,
        url=url,
        source=source,
        session=session,
        new_body=new_body,
        unsourced=unsourced,
    )
    parent_text = f", parent {row['parent_symbol']}" if row["parent_symbol"] else ""
    message(f"Added {row['symbol']} ({row['kind']}{parent_text}).")


@app.command(
    "use",
    epilog=examples(
        "cahtracker docs use A/C.6/79/L.2",
        "cahtracker docs use A/C.6/79/L.2/Rev.1",
    ),
)
def use_command(
    ctx: typer.Context,
    symbol: Annotated[
        str,
        typer.Argument(
            help="The document other commands default to.", autocompletion=complete_symbol
        ),
    ],
) -> None:
    """Make a document the default for `sponsors`, `vote` and other commands."""
    from cahtracker.documents import use_document

    new, previous = use_document(get_store(ctx), symbol)
    if new == previous:
        message(f"{new} is already the default document.")
    else:
        message(f"Default document: {new} (was {previous or 'none'}).")
