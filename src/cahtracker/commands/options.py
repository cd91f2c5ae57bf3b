"""Options that several command groups share, defined once so they read the same everywhere.

Every date option (`--date`, `--as-of`, `--from`, `--to`, `--end`) is parsed by one type,
`DateParser` (dates.parse_date, with `today` from dates.today, which honours
$CAHTRACKER_TODAY), into a `ParsedDate`; a bad date is one line (exit 1), as every refusal.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cahtracker.dates import ParsedDate, parse_date
from cahtracker.views.render import FORMAT_HELP, OutputFormat


def parse_date_option(text: str) -> ParsedDate:
    return parse_date(text)


parse_date_option.__name__ = "date"  # what help shows as the option's type: <date>


def date_option(*names: str, help: str) -> typer.models.OptionInfo:
    return typer.Option(*names, parser=parse_date_option, metavar="DATE", help=help)


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP, case_sensitive=False)
]
DocOption = Annotated[
    str | None,
    typer.Option("--doc", "-d", help="Document symbol (default: the one set with `docs use`)."),
]
AsOfOption = Annotated[
    ParsedDate | None,
    date_option("--as-of", help="The picture on this date: events not after it (default: now)."),
]
GroupOption = Annotated[
    str | None, typer.Option("--group", "-g", help="Regional group (name or WEOG, GRULAC, ...).")
]
DateOption = Annotated[
    ParsedDate | None,
    date_option("--date", help="When it happened (default: today); 'by DATE' = on or before."),
]
FromOption = Annotated[
    ParsedDate | None, date_option("--from", help="From this date (on or after it).")
]
ToOption = Annotated[
    ParsedDate | None, date_option("--to", help="Up to this date (on or before it).")
]
SourceOption = Annotated[
    str | None,
    typer.Option(
        "--source", help="Where this comes from (symbol, record, URL); needed unless --unsourced."
    ),
]
UnsourcedOption = Annotated[
    bool,
    typer.Option(
        "--unsourced",
        help="Record it knowingly without a source (shown as (unsourced) everywhere).",
    ),
]


def value_of(date: ParsedDate | None) -> str | None:
    return None if date is None else date.value
