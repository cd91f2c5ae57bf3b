"""Options that several command groups share, defined once so they read the same everywhere."""

from typing import Annotated

import typer

from cahtracker.output import FORMAT_HELP, OutputFormat

FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)]
DocOption = Annotated[
    str | None,
    typer.Option("--doc", "-d", help="Document symbol (default: the one set with `docs use`)."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="The picture on this date: events not after it (default: now)."),
]
GroupOption = Annotated[
    str | None, typer.Option("--group", "-g", help="Regional group (name or WEOG, GRULAC, ...).")
]
