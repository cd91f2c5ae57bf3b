"""Options that several command groups share, defined once so they read the same everywhere.

Every date option (`--date`, `--as-of`, `--from`, `--to`, `--end`) is parsed by one type,
`DateParser` (dates.parse_date, with `today` from dates.today, which honours
$CAHTRACKER_TODAY), into a `ParsedDate`; a bad date is one line (exit 1), as every refusal.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from cahtracker.commands.completion import complete_group, complete_symbol
from cahtracker.dates import TODAY_ENV, ParsedDate, parse_date
from cahtracker.safe_text import SQLITE_INT_MAX, SQLITE_INT_MIN, for_terminal_line
from cahtracker.views.render import FORMAT_HELP, OutputFormat


def examples(*lines: str) -> str:
    """A command's epilog: its examples, one a line (each runs on the seeded database:
    tests/cli/test_help.py runs them)."""
    return "Examples:\n\n" + "\n\n".join(lines)


def resolved(text: str | None) -> str | None:
    """Help text with {today}, {width}, {db}, {who} and {sponsor_formats} replaced by what they are in this environment."""
    if not text or "{" not in text:
        return text
    if "{today}" in text:
        value = os.environ.get(TODAY_ENV)
        value = _inert_in_help(value) if value else value
        text = text.replace("{today}", f"today: {value}, from {TODAY_ENV}" if value else "today")
    if "{sponsor_formats}" in text:
        from cahtracker.sponsor_docs.catalogue import format_help

        text = text.replace("{sponsor_formats}", format_help())
    if "{width}" in text:
        from cahtracker.views.plain_table import detected_width

        text = text.replace("{width}", str(detected_width()))
    if "{db}" in text:
        from cahtracker.invocation import resolve_path

        origin = (
            "from CAHTRACKER_DB"
            if os.environ.get("CAHTRACKER_DB")
            else "CAHTRACKER_DB sets another"
        )
        text = text.replace("{db}", f"{_inert_in_help(str(resolve_path(None)))}, {origin}")
    if "{who}" in text:
        who = os.environ.get("CAHTRACKER_WHO")
        text = text.replace(
            "{who}",
            f"{_inert_in_help(who)}, from CAHTRACKER_WHO"
            if who
            else "CAHTRACKER_WHO, else the database's `who` setting",
        )
    return text


def _inert_in_help(value: str) -> str:
    """A value of the environment as help shows it: controls as escapes, and Rich markup
    (help is rendered as markup) escaped, so `/tmp/[old]/cah.db` reads as it is."""
    from rich.markup import escape

    return escape(for_terminal_line(value))


def resolve_help(command) -> None:
    """Resolve the placeholders of a command's help and of its options' help, in place."""
    command.help = resolved(command.help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = resolved(param.help)


def laid_out_examples(epilog: str | None, width: int) -> str | None:
    """An `examples(...)` epilog laid out for a terminal `width` columns wide: each example's
    comment on a line of its own above it (`# ...`), and a command too long for one line
    continued with ` \\` between an option and its values, never inside a quoted value, so
    that what a reader copies runs as it is. Shorter commands stay on one line.

    Rich prints the epilog with one column of padding on each side; `width` is the
    terminal's."""
    if not epilog or not epilog.startswith("Examples:"):
        return epilog
    room = max(width - 2, 40)
    import shlex
    import textwrap

    out = ["Examples:"]
    for example in epilog.split("\n\n")[1:]:
        command, _, comment = example.partition("  #")
        command, comment = command.strip(), comment.strip()
        lines = []
        if comment:
            lines += textwrap.wrap(comment, room - 2, initial_indent="# ", subsequent_indent="# ")
        lines += _continued(_units(shlex.shlex(command, posix=False)), room)
        out.append("\n".join(lines))
    return "\n\n".join(out)


def _units(lexer) -> list[str]:
    """A command's words grouped as they belong together: each word before the first
    option on its own, then each option with its values (a quoted value is one word)."""
    lexer.whitespace_split = True
    units: list[str] = []
    in_options = False
    for word in lexer:
        if word.startswith("-") and word != "-":
            in_options = True
            units.append(word)
        elif in_options:
            units[-1] += " " + word
        else:
            units.append(word)
    return units


def _continued(units: list[str], room: int) -> list[str]:
    indent = "    "
    lines = [units[0]] if units else []
    for unit in units[1:]:
        if len(lines[-1]) + 1 + len(unit) + 2 <= room:  # room for a later " \\"
            lines[-1] += " " + unit
        else:
            lines[-1] += " \\"
            lines.append(indent + unit)
    return lines


def _help_with_laid_out_examples(command, ctx, formatter, format_help) -> None:
    from cahtracker.views.plain_table import detected_width

    resolve_help(command)
    source = command.epilog
    command.epilog = laid_out_examples(source, detected_width())
    try:
        format_help(ctx, formatter)
    finally:
        command.epilog = source


class ResolvedHelpCommand(TyperCommand):
    """A command whose help names values of the environment ({today}, {db}) as they are,
    with its examples laid out for the terminal (`laid_out_examples`)."""

    def format_help(self, ctx, formatter):
        _help_with_laid_out_examples(self, ctx, formatter, super().format_help)


class ResolvedHelpGroup(TyperGroup):
    """A command group whose help is resolved and laid out as `ResolvedHelpCommand`'s."""

    def format_help(self, ctx, formatter):
        _help_with_laid_out_examples(self, ctx, formatter, super().format_help)


class CahTyper(typer.Typer):
    """`typer.Typer` whose group and commands are `ResolvedHelpGroup`/`ResolvedHelpCommand`
    unless told otherwise: every command group of cahtracker is made with it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("cls", ResolvedHelpGroup)
        super().__init__(**kwargs)

    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", ResolvedHelpCommand)
        return super().command(*args, **kwargs)


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
    typer.Option(
        "--doc",
        "-d",
        help="Document symbol (default: the one set with `docs use`).",
        autocompletion=complete_symbol,
    ),
]
AsOfOption = Annotated[
    ParsedDate | None,
    date_option("--as-of", help="The picture on this date: events not after it (default: now)."),
]
GroupOption = Annotated[
    str | None,
    typer.Option(
        "--group",
        "-g",
        help="Regional group (name or WEOG, GRULAC, ...).",
        autocompletion=complete_group,
    ),
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


# every integer option and argument: at most SQLite's largest integer (a bigger one is a
# one-line usage error naming the range, not an OverflowError at the first query)
INT_MAX = SQLITE_INT_MAX
INT_MIN = SQLITE_INT_MIN


def value_of(date: ParsedDate | None) -> str | None:
    return None if date is None else date.value


OfficialOnlyOption = Annotated[
    bool,
    typer.Option(
        "--official-only",
        help="Only stances and facts sourced to a UN record or a government (source kind "
        "un-record or government).",
    ),
]
