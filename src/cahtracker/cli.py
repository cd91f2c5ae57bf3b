"""The root command: global options, the sub-apps, and the one place errors become messages."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from cahtracker import __version__
from cahtracker.context import app_state
from cahtracker.errors import CahError
from cahtracker.output import error_line


def sqlite_error_message(error: sqlite3.Error) -> str:
    text = str(error)
    if "locked" in text or "busy" in text:
        return (
            "The database is busy with another cahtracker command; try again when it has finished."
        )
    if "readonly" in text or "read-only" in text:
        return "The database is read-only; use a writable file (--db) or fix its permissions."
    if "disk is full" in text or "database or disk is full" in text:
        return "The disk (or the database's size limit) is full; nothing was written. Free space and try again."
    if "not a database" in text or "malformed" in text:
        return (
            f"The database file is damaged ({text}); run `cahtracker db check` or restore a backup."
        )
    return f"Database error: {text}. Nothing was written."


class CahGroup(TyperGroup):
    """Turns a CahError (or a SQLite refusal) anywhere below into one line and an exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CahError as error:
            error_line(str(error))
            raise typer.Exit(error.exit_code) from None
        except sqlite3.Error as error:
            error_line(sqlite_error_message(error))
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=CahGroup,
    name="cahtracker",
    help="Track the UN crimes-against-humanity treaty: sponsors, votes, positions, timeline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cahtracker {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Database file (default: $CAHTRACKER_DB, else cahtracker.db in the user data folder).",
        ),
    ] = None,
    version: Annotated[
        bool | None,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = None,
) -> None:
    app_state(ctx).db_option = db


def _register() -> None:
    from cahtracker.commands import db as db_commands
    from cahtracker.commands import states as states_commands
    from cahtracker.commands import vote as vote_commands

    app.add_typer(db_commands.app, name="db")
    app.add_typer(states_commands.app, name="states")
    app.add_typer(vote_commands.app, name="vote")


_register()


def main() -> None:
    app(prog_name="cahtracker")
