"""`cahtracker report`: a one-screen dashboard, and exports to publish (HTML, Markdown, CSV, JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cahtracker.commands.options import (
    AsOfOption,
    CahTyper,
    DocOption,
    OfficialOnlyOption,
    examples,
    value_of,
)
from cahtracker.invocation import get_store
from cahtracker.views.render import message, working, write_document

app = CahTyper(
    epilog=examples(
        "cahtracker report tally",
        "cahtracker report export -o cah-report.html",
    ),
    help="Reports: a one-screen dashboard and publishable exports (HTML, Markdown, CSV, JSON).",
    no_args_is_help=True,
)


def _symbol_and_date(ctx: typer.Context, doc: str | None, as_of):
    from cahtracker.documents import resolve_symbol

    store = get_store(ctx)
    return store, resolve_symbol(store, doc), value_of(as_of)


@app.command(
    "tally",
    epilog=examples(
        "cahtracker report tally",
        "cahtracker report tally -d A/C.6/79/L.20 --as-of 2024-11-01",
    ),
)
def tally_command(ctx: typer.Context, doc: DocOption = None, as_of: AsOfOption = None) -> None:
    """One screen: sponsors against the latest reported count, groups, latest votes, stances, next event."""
    from cahtracker.report import dashboard
    from cahtracker.views.dashboard import print_dashboard

    store, symbol, on = _symbol_and_date(ctx, doc, as_of)
    print_dashboard(dashboard(store, symbol, on))


@app.command(
    "export",
    epilog=examples(
        "cahtracker report export -o cah-report.html   # the format follows the extension",
        "cahtracker report export -f csv -o cah-tables",
    ),
)
def export_command(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="File to write (a folder for csv); - for standard output (not csv).",
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="html, markdown, csv (a folder of CSV files), json, or svg (a world map alone: "
            "see --map); default: from --output's extension.",
        ),
    ] = None,
    doc: DocOption = None,
    as_of: AsOfOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace --output if it is an earlier export of the same format."
        ),
    ] = False,
    official_only: OfficialOnlyOption = False,
    world_map: Annotated[
        str | None,
        typer.Option(
            "--map",
            help="With -f svg: the world map alone, of the sponsors (default) or of a vote "
            "(--map vote [ID]; default: the latest recorded vote on the document's texts).",
        ),
    ] = None,
    vote: Annotated[
        str | None,
        typer.Argument(help="With --map vote: the vote's id, or a symbol (its latest vote)."),
    ] = None,
) -> None:
    """Write the report to a file (or a folder of CSV files), in full or not at all; `-o -`
    writes it to standard output (not csv).

    Examples: `cahtracker report export -o report.html`;
    `cahtracker report export -f svg --map vote 12 -o vote.svg`.
    """
    from cahtracker.report import export, export_text, resolve_format, resolve_map

    chosen = resolve_format(fmt, output)
    which, vote_ref = resolve_map(world_map, vote, chosen)
    store, symbol, on = _symbol_and_date(ctx, doc, as_of)
    if str(output) == "-":
        text = export_text(
            store, chosen, symbol, on, official_only, world_map=which, vote_ref=vote_ref
        )
        write_document(text)  # UTF-8; its formats keep controls inert themselves
        return
    with working(f"Writing the {chosen} report…"):
        result = export(
            store,
            chosen,
            output,
            symbol,
            on,
            overwrite=force,
            world_map=which,
            vote_ref=vote_ref,
            official_only=official_only,
        )
    done = {
        "csv": f"Wrote {len(result['files'])} CSV files to {result['path']}/.",
        "svg": f"Wrote the map ({result.get('title')}) to {result['path']}.",
    }
    message(done.get(chosen, f"Wrote the {chosen} report of {symbol} to {result['path']}."))
